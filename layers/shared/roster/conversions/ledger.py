"""Books commissions into the ledger whenever something new is known about an order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from roster import clock
from roster.conversions.commissions import reconcile, target
from roster.errors import Conflict
from roster.models.attribution import Attribution
from roster.models.campaigns import Campaign
from roster.models.ledger import EntryKind, LedgerEntry
from roster.models.orders import OrderEvent
from roster.store.order_reads import OrderReads
from roster.store.registry import Stores

MAX_RACES = 5


def _hold_until(occurred_at: str, days: int) -> str:
    return clock.iso(clock.parse(occurred_at) + timedelta(days=days))


_time = clock.parse


@dataclass(frozen=True)
class Booked:
    amount: int  # what the order's entry booked (0: nothing to book)
    with_entry: bool  # the caller's operations (`with_entry`) went in with that entry's transaction


def book(
    stores: Stores, brand_id: str, provider: str, order_id: str, decision: Attribution | None = None
) -> int:
    """Appends the one entry (if any) that brings the order's booked commission to its target.
    Returns the amount booked. Safe to call any number of times, in any order, concurrently.

    With tiers or a cap the target also depends on the creator's earlier orders in the campaign,
    so the creator's later orders are re-checked too: the ledger then converges to what booking
    every order in time order would give. `decision` is the order's stored attribution when the
    caller has it (the webhook just made it): it is then not read again."""
    return settle(stores, brand_id, provider, order_id, decision).amount


def settle(
    stores: Stores,
    brand_id: str,
    provider: str,
    order_id: str,
    decision: Attribution | None = None,
    *,
    reads: OrderReads | None = None,
    stored: Sequence[OrderEvent] = (),
    with_entry: Sequence[dict[str, Any]] = (),
) -> Booked:
    """`book` for a webhook delivery, with fewer requests (docs/decisions.md, "Requests per
    order"): `reads` holds what the delivery already fetched (the order's state item, read after
    its events were stored; the campaign), `stored` the order's events this delivery stored itself
    (when the state item counts exactly that many, they are all there are, and the events are not
    read again), and `with_entry` write operations (the delivery's outcome) to put in the same
    transaction as the order's entry, if one is appended and nothing else follows it (no tier or
    cap re-check of other orders)."""
    reads = reads or OrderReads(stores.orders.table, brand_id)
    if decision is None:
        decision = reads.attribution(provider, order_id)
    if decision is None or decision.creator_id is None or decision.campaign_id is None:
        return Booked(0, False)  # not attributed (yet): refunds that arrive first wait for their order
    campaign = reads.campaign(decision.campaign_id)
    if campaign is None:
        return Booked(0, False)
    if campaign.commission.for_creator(decision.creator_id).depends_on_other_orders:
        with_entry = ()  # the re-check of later orders follows the entry: the outcome waits for it
    amount, later, joined = _book_one(
        stores, brand_id, decision, campaign, reads=reads, stored=stored, with_entry=with_entry
    )
    for other in later:  # siblings in the same campaign: their decisions are already in hand
        _book_one(stores, brand_id, other, campaign)
    return Booked(amount, joined)


def _book_one(
    stores: Stores,
    brand_id: str,
    decision: Attribution,
    campaign: Campaign,
    *,
    reads: OrderReads | None = None,
    stored: Sequence[OrderEvent] = (),
    with_entry: Sequence[dict[str, Any]] = (),
) -> tuple[int, list[Attribution], bool]:
    """One booking, as a loop of attempts. Each attempt reads the order's state item, then its
    events, computes the target from exactly those events, and appends on condition that the state
    item is still what it read (the same events, the same entries). A booker whose view went stale
    (a refund stored after it read, another booker's entry) fails that condition and starts over,
    so whichever booker appends last computed from every event there is."""
    assert decision.creator_id is not None and decision.campaign_id is not None
    provider, order_id = decision.provider, decision.order_id
    plan = campaign.commission.for_creator(decision.creator_id)
    later: list[Attribution] = []
    context: dict[str, int] = {}
    if plan.depends_on_other_orders:
        siblings = [
            a
            for a in stores.attributions.for_scope(brand_id, "creator", decision.creator_id)
            if a.campaign_id == campaign.id
            and (plan.pay_self_purchases or not a.self_purchase)
            and a.not_commissionable is None
        ]
        me = (_time(decision.occurred_at), decision.order_id)
        prior = [a for a in siblings if (_time(a.occurred_at), a.order_id) < me]
        later = sorted(
            (a for a in siblings if (_time(a.occurred_at), a.order_id) > me),
            key=lambda a: (_time(a.occurred_at), a.order_id),
        )
        context = {"prior_orders": len(prior), "prior_revenue": sum(a.subtotal for a in prior)}
        if plan.cap_per_creator is not None:
            prior_ids = {(a.provider, a.order_id) for a in prior}
            earned = sum(
                e.amount
                for e in stores.ledger.for_creator(brand_id, decision.creator_id)
                if e.campaign_id == campaign.id and (e.provider, e.order_id) in prior_ids
            )
            context["cap_left"] = plan.cap_per_creator - earned
    earns = decision.not_commissionable is None and (plan.pay_self_purchases or not decision.self_purchase)
    for _ in range(MAX_RACES):
        seen = reads.prefetched_state(provider, order_id) if reads else None
        if seen is None:
            seen = stores.ledger.state(brand_id, provider, order_id)
        elif reads:
            reads.forget_state(provider, order_id)  # good for this attempt only
        goal = None  # an order that cannot earn needs no events: its target is nothing
        if earns:
            if stored and seen.events == len(stored):
                events = list(stored)  # the count is exactly what this delivery stored: nothing else
            else:
                events = stores.orders.for_order(brand_id, provider, order_id)
                if len(events) != seen.events:
                    continue  # an event was stored between the two reads: read both again
            goal = target(events, plan, **context)
        amount = reconcile([seen.booked], goal)
        if amount == 0:
            return 0, later, False
        occurred = goal.occurred_at if goal else (seen.occurred_at or decision.occurred_at)
        kind: EntryKind = "commission" if seen.seq == 0 else ("reversal" if amount < 0 else "adjustment")
        entry = LedgerEntry(
            entry_id=f"{provider}:{order_id}:{seen.seq}",
            creator_id=decision.creator_id,
            campaign_id=decision.campaign_id,
            provider=provider,
            order_id=order_id,
            seq=seen.seq,
            kind=kind,
            amount=amount,
            currency=goal.currency if goal else (seen.currency or decision.currency),
            occurred_at=occurred,
            hold_until=_hold_until(occurred, plan.hold_days),
            created_at=clock.now_iso(),
        )
        if stores.ledger.append(brand_id, entry, seen, with_entry=with_entry):
            return amount, later, bool(with_entry)
    raise Conflict("the ledger for this order is busy; retry")


def book_fixed_fee(
    stores: Stores,
    brand_id: str,
    *,
    campaign_id: str,
    creator_id: str,
    milestone_id: str,
    amount: int,
    currency: str,
) -> bool:
    """Books an approved deliverable's fixed fee once (by milestone id): approved at once, paid in
    the next payout. Returns False if that milestone was already booked. For the workflows issue."""
    if amount <= 0:
        raise ValueError("a fixed fee is a positive amount")
    stores.campaigns.require(brand_id, campaign_id)  # NotFound unless it is this brand's campaign
    stores.creators.require(brand_id, creator_id)
    now = clock.now_iso()
    entry = LedgerEntry(
        entry_id=f"fixed_fee:{milestone_id}:0",
        creator_id=creator_id,
        campaign_id=campaign_id,
        provider="fixed_fee",
        order_id=milestone_id,
        seq=0,
        kind="fixed_fee",
        amount=amount,
        currency=currency.upper(),
        occurred_at=now,
        hold_until=now,
        created_at=now,
    )
    return stores.ledger.append(brand_id, entry)
