"""Payouts: approved commission balances, booked in batches. Roster records who is owed what and
marks the entries paid; moving the money (bank, PayPal, Tipalti, ...) is out of scope.

A payout line is one creator in one currency, across campaigns: a clawback (a reversal of a
commission already paid) in one campaign is netted against what the creator earns in any other,
and a balance that is not positive is carried forward, never paid. See docs/decisions.md."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta

from roster import clock, ids
from roster.errors import Conflict
from roster.models.auth import Actor
from roster.models.ledger import LedgerEntry
from roster.models.payouts import (
    BookingLock,
    CarriedForward,
    Payout,
    PayoutLine,
    PayoutPreview,
    PayoutSelection,
)
from roster.money import exponent
from roster.store.registry import Stores

# Longer than the API function's timeout (10 s): a live booking never loses its lock.
LOCK_LEASE = timedelta(seconds=60)
# Marked one conditional write each: a payout stays well within the API's time limit.
MAX_ENTRIES = 1000

NOTHING_TO_PAY = (
    "nothing to pay: no approved, unpaid balance in this selection reaches its campaign's minimum "
    "payout (see GET /v1/payouts/preview for what is carried forward and why)"
)
BUSY = "another payout is being booked for this brand; retry when it is done"

Payee = tuple[str, str]  # creator, currency
Minimum = Callable[[str, str], int]  # (campaign, creator) → the plan's min_payout


def _minimums(stores: Stores, brand_id: str) -> Minimum:
    cache: dict[tuple[str, str], int] = {}

    def minimum(campaign_id: str, creator_id: str) -> int:
        if (campaign_id, creator_id) not in cache:
            campaign = stores.campaigns.get(brand_id, campaign_id)
            plan = campaign.commission.for_creator(creator_id) if campaign is not None else None
            cache[(campaign_id, creator_id)] = plan.min_payout if plan is not None else 0
        return cache[(campaign_id, creator_id)]

    return minimum


def _total(entries: Iterable[LedgerEntry]) -> int:
    return sum(e.amount for e in entries)


def _net(parts: dict[str, list[LedgerEntry]], creator_id: str, minimum: Minimum) -> list[str]:
    """The campaigns of one payee paid now (empty: nothing is). Every campaign's entries go in,
    clawbacks included, unless the line then stays under that campaign's `min_payout`: such a
    campaign waits, the highest minimum first."""
    paid = dict(parts)
    while (net := sum(_total(v) for v in paid.values())) > 0:
        short = [c for c, v in paid.items() if _total(v) > 0 and minimum(c, creator_id) > net]
        if not short:
            return sorted(paid)
        del paid[max(short, key=lambda c: (minimum(c, creator_id), c))]
    return []


def _figures(entries: list[LedgerEntry]) -> dict[str, int]:
    """Gross and clawback per order: an order's unpaid balance below zero reverses money already
    paid; a refund of an order not paid yet just lowers that order's balance."""
    by_order: dict[tuple[str, str], int] = defaultdict(int)
    for e in entries:
        by_order[(e.provider, e.order_id)] += e.amount
    gross = sum(v for v in by_order.values() if v > 0)
    clawback = sum(v for v in by_order.values() if v < 0)
    return {"gross": gross, "clawback": clawback, "amount": gross + clawback, "entries": len(entries)}


def _line(payee: Payee, entries: list[LedgerEntry]) -> PayoutLine:
    campaigns = sorted({e.campaign_id for e in entries})
    return PayoutLine(creator_id=payee[0], currency=payee[1], campaign_ids=campaigns, **_figures(entries))


def _plan(
    stores: Stores, brand_id: str, entries: list[LedgerEntry], selection: PayoutSelection
) -> tuple[dict[Payee, list[LedgerEntry]], list[CarriedForward]]:
    now = clock.now_iso()
    payees: dict[Payee, dict[str, list[LedgerEntry]]] = defaultdict(lambda: defaultdict(list))
    for e in entries:
        if e.status(now) == "approved" and selection.admits(e):
            payees[(e.creator_id, e.currency)][e.campaign_id].append(e)
    minimum = _minimums(stores, brand_id)
    payable: dict[Payee, list[LedgerEntry]] = {}
    carried: list[CarriedForward] = []
    for payee, parts in sorted(payees.items()):
        paid = _net(parts, payee[0], minimum)
        if paid:
            payable[payee] = [e for c in paid for e in parts[c]]
        left = [e for c, v in parts.items() if c not in paid for e in v]
        if left:
            figures = _figures(left)
            reason = "clawback" if figures["amount"] <= 0 and figures["clawback"] < 0 else "below_min_payout"
            carried.append(
                CarriedForward(
                    creator_id=payee[0],
                    currency=payee[1],
                    campaign_ids=sorted({e.campaign_id for e in left}),
                    reason=reason,
                    **figures,
                )
            )
    return payable, carried


def _totals(lines: list[PayoutLine]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        totals[line.currency] += line.amount
    return dict(totals)


def preview(stores: Stores, brand_id: str, selection: PayoutSelection | None = None) -> PayoutPreview:
    entries = stores.ledger.for_brand(brand_id)
    payable, carried = _plan(stores, brand_id, entries, selection or PayoutSelection())
    lines = [_line(payee, v) for payee, v in payable.items()]
    return PayoutPreview(lines=lines, totals=_totals(lines), carried_forward=carried)


def _take(stores: Stores, brand_id: str, payout_id: str, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Marks a line's entries paid: positive ones first, then each negative one only while the
    line stays ≥ 0. An entry another payout took is left out; a booking cut short or working
    from a stale read therefore never leaves a negative line, and what it did not take waits."""
    taken: list[LedgerEntry] = []
    total = 0
    for e in sorted(entries, key=lambda e: (e.amount < 0, e.entry_id)):
        if total + e.amount >= 0 and stores.ledger.mark_paid(brand_id, e, payout_id):
            taken.append(e)
            total += e.amount
    return taken


def _lock(stores: Stores, brand_id: str, payout_id: str) -> BookingLock | None:
    """Takes the brand's booking lock; returns the expired lock it replaced, if any."""
    held = stores.payouts.lock_holder(brand_id)
    now = clock.now()
    if held is not None and clock.parse(held.lease_until) > now:
        raise Conflict(BUSY)
    lease = clock.iso(now + LOCK_LEASE)
    if not stores.payouts.lock(brand_id, BookingLock(payout_id=payout_id, lease_until=lease), replacing=held):
        raise Conflict(BUSY)
    return held


def _finish_stale(stores: Stores, brand_id: str, payout_id: str, entries: list[LedgerEntry]) -> None:
    """A booking whose request died (timeout) keeps the entries it marked: its payout is
    finished from the ledger, or dropped if it marked none."""
    payout = stores.payouts.get(brand_id, payout_id)
    if payout is None or payout.status != "booking":
        return
    by_payee: dict[Payee, list[LedgerEntry]] = defaultdict(list)
    for e in entries:
        if e.payout_id == payout_id:
            by_payee[(e.creator_id, e.currency)].append(e)
    if not by_payee:
        stores.payouts.delete(brand_id, payout_id)
        return
    lines = [_line(payee, v) for payee, v in sorted(by_payee.items())]
    stores.payouts.finish(
        brand_id, payout.model_copy(update={"status": "booked", "lines": lines, "totals": _totals(lines)})
    )


def book(
    stores: Stores, brand_id: str, selection: PayoutSelection | None = None, actor: Actor | None = None
) -> Payout:
    """Marks the selection's payable entries paid in a new payout, booked by `actor`. Conflict when
    there is nothing to pay (no payout is booked) or another booking of the brand is running. Each
    entry is paid at most once: the marks are conditional, and one booking runs at a time per brand."""
    selection = selection or PayoutSelection()
    payout_id = ids.new_id()
    stale = _lock(stores, brand_id, payout_id)
    try:
        entries = stores.ledger.for_brand(brand_id)
        if stale is not None:
            _finish_stale(stores, brand_id, stale.payout_id, entries)
        payable, _ = _plan(stores, brand_id, entries, selection)
        planned: list[tuple[Payee, list[LedgerEntry]]] = []
        count = 0
        for payee, v in payable.items():
            if planned and count + len(v) > MAX_ENTRIES:
                break
            planned.append((payee, v))
            count += len(v)
        if not planned:
            raise Conflict(NOTHING_TO_PAY)
        lines = [_line(payee, v) for payee, v in planned]
        payout = Payout(
            id=payout_id,
            created_at=clock.now_iso(),
            status="booking",
            selection=selection,
            lines=lines,
            totals=_totals(lines),
            lines_left=len(payable) - len(planned),
            actor=actor,
        )
        stores.payouts.put(brand_id, payout)  # first, so a booking cut short is on record
        lines = [
            _line(payee, taken) for payee, v in planned if (taken := _take(stores, brand_id, payout_id, v))
        ]
        if not lines:  # a booking that just finished took everything (stale read)
            stores.payouts.delete(brand_id, payout_id)
            raise Conflict(NOTHING_TO_PAY)
        booked = payout.model_copy(update={"status": "booked", "lines": lines, "totals": _totals(lines)})
        stores.payouts.finish(brand_id, booked)
        return booked
    finally:
        stores.payouts.unlock(brand_id, payout_id)


def csv_export(stores: Stores, brand_id: str, payout_id: str) -> str:
    payout = stores.payouts.require(brand_id, payout_id)
    if payout.status != "booked":
        raise Conflict("the payout is still being booked; its CSV is ready once it is booked")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "payout_id",
            "creator_id",
            "creator_name",
            "creator_email",
            "campaign_ids",
            "currency",
            "amount",
            "amount_minor",
            "gross_minor",
            "clawback_minor",
            "entries",
        ]
    )
    for line in payout.lines:
        creator = stores.creators.get(brand_id, line.creator_id)
        name, email = (creator.name, creator.email) if creator is not None else ("", "")
        digits = exponent(line.currency)
        amount = f"{line.amount / 10**digits:.{digits}f}" if digits else str(line.amount)
        writer.writerow(
            [
                payout.id,
                line.creator_id,
                _safe(name),
                email,
                ";".join(line.campaign_ids),
                line.currency,
                amount,
                line.amount,
                line.gross,
                line.clawback,
                line.entries,
            ]
        )
    return out.getvalue()


def _safe(cell: str) -> str:
    """Neutralises spreadsheet formulas in text cells (CSV injection)."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell
