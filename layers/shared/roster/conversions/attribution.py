"""Which creator earned an order: a creator's promo code in the order wins (unless the code's
campaign sets `attribution_priority: click`); otherwise a Roster click id found in the order,
if the click is within the campaign's attribution window (default 30 days). One order, at most
one creator; orders with neither are stored as unattributed. A purchase with the creator's own
email is flagged as a self-purchase.

An order placed after its campaign stopped earning (its end date plus the grace, its completion,
its cancellation) or while its promo code was retired is still attributed, and marked
`not_commissionable` with the reason: the ledger books nothing for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from roster import clock
from roster.ids import email_hash
from roster.models.attribution import Attribution
from roster.models.orders import OrderEvent
from roster.models.promo_codes import PromoCode
from roster.models.webhooks import Provider
from roster.program import campaigns
from roster.store.order_reads import OrderReads
from roster.store.registry import Stores


def _when(text: str) -> datetime | None:
    try:
        return clock.parse(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Match:
    data: dict[str, Any]
    not_commissionable: str | None  # why it would earn nothing (None: it earns)


def reads_for(stores: Stores, brand_id: str) -> OrderReads:
    """A fresh per-call read cache (a webhook delivery passes its own, already fetched)."""
    return OrderReads(stores.orders.table, brand_id)


def want(reads: OrderReads, order: OrderEvent) -> None:
    """Asks for what deciding `order` reads first, all known from the order itself: its stored
    decision, its promo codes (and Stripe promotion ids) and its clicks (one batch, with the rest
    of the delivery's first reads)."""
    reads.want_attribution(order.provider.value, order.order_id)
    for code in order.discount_codes:
        reads.want_promo_code(code)
    if order.provider is Provider.STRIPE:
        for promotion_id in order.promotion_ids:
            reads.want_stripe_promotion(promotion_id)
    for click_id in order.click_ids:
        reads.want_click(click_id)


def _want_context(reads: OrderReads, promo: PromoCode | None, order: OrderEvent) -> None:
    """The second batch: the campaign and creator of every signal the order carries (usually
    one), so matching, the self-purchase check and booking read each once."""
    pairs = [(promo.campaign_id, promo.creator_id)] if promo else []
    for click_id in order.click_ids:
        if click := reads.click(click_id):
            pairs.append((str(click["campaign_id"]), str(click["creator_id"])))
    for campaign_id, creator_id in pairs:
        reads.want_campaign(campaign_id)
        reads.want_creator(creator_id)
    reads.fetch()


def decide(stores: Stores, brand_id: str, order: OrderEvent, reads: OrderReads | None = None) -> Attribution:
    reads = reads or reads_for(stores, brand_id)
    base: dict[str, Any] = {
        "provider": order.provider.value,
        "order_id": order.order_id,
        "occurred_at": order.occurred_at,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "decided_at": clock.now_iso(),
        "new_customer": order.new_customer,
    }
    ordered_at = _when(order.occurred_at) or clock.now()
    promo = _find_code(reads, order)
    _want_context(reads, promo, order)
    promo_match = _by_promo_code(reads, promo, ordered_at, base)
    click_match = _by_click(reads, order, ordered_at, base)
    chosen = promo_match or click_match
    if promo_match and click_match:
        promo_campaign = reads.campaign(promo_match.data["campaign_id"])
        priority = promo_campaign.attribution_priority if promo_campaign is not None else "promo_code"
        first, other = (click_match, promo_match) if priority == "click" else (promo_match, click_match)
        # A signal that can no longer earn (retired code, ended campaign) never blocks one that can.
        chosen = other if first.not_commissionable and not other.not_commissionable else first
    if chosen is None:
        return Attribution(method="none", **base)
    return _with_creator(reads, order, chosen.data | {"not_commissionable": chosen.not_commissionable})


def _find_code(reads: OrderReads, order: OrderEvent) -> PromoCode | None:
    """The first of the order's codes that is a creator's; for Stripe, also the promotion code
    ids its discounts name (mapped with the code's `stripe_promotion_code`)."""
    for code in order.discount_codes:
        if promo := reads.promo_code(code):
            return promo
    if order.provider is Provider.STRIPE:
        for promotion_id in order.promotion_ids:
            if promo := reads.stripe_promotion(promotion_id):
                return promo
    return None


def _by_promo_code(
    reads: OrderReads, promo: PromoCode | None, ordered_at: datetime, base: dict[str, Any]
) -> _Match | None:
    if promo is None:
        return None
    campaign = reads.campaign(promo.campaign_id)
    reason = campaigns.not_earning(campaign, ordered_at) if campaign is not None else None
    if reason is None and (retired := promo.retired_when(ordered_at)):
        reason = f"ordered after promo code {promo.code} was retired at {retired}"
    data = base | {
        "method": "promo_code",
        "code": promo.code,
        "creator_id": promo.creator_id,
        "campaign_id": promo.campaign_id,
    }
    return _Match(data, reason)


def _clicked_at(click: dict[str, Any], ordered_at: datetime) -> datetime | None:
    """When the click an order came from was: the latest known click not after the order (5 minutes
    of clock skew allowed). A visit record holds its visitor's last counted click on the link that
    day (`at`) and the first (`first_at`); an order placed between the two is measured from the
    first, one placed after the last from the last (the window runs from the latest click before
    the purchase). An older click record holds one click (`at`)."""
    latest = ordered_at + timedelta(minutes=5)
    for field in ("at", "first_at"):
        when = _when(str(click.get(field) or ""))
        if when and when <= latest:
            return when
    return None


def _by_click(
    reads: OrderReads, order: OrderEvent, ordered_at: datetime, base: dict[str, Any]
) -> _Match | None:
    for click_id in order.click_ids:
        click = reads.click(click_id)
        if not click:
            continue
        campaign = reads.campaign(str(click["campaign_id"]))
        if campaign is None:
            continue
        clicked_at = _clicked_at(click, ordered_at)
        if (
            clicked_at
            and clicked_at <= ordered_at + timedelta(minutes=5)
            and (ordered_at - clicked_at <= timedelta(days=campaign.attribution_window_days))
        ):
            data = base | {
                "method": "click",
                "click_id": click_id,
                "creator_id": str(click["creator_id"]),
                "campaign_id": campaign.id,
            }
            return _Match(data, campaigns.not_earning(campaign, ordered_at))
    return None


def _with_creator(reads: OrderReads, order: OrderEvent, data: dict[str, Any]) -> Attribution:
    creator = reads.creator(str(data["creator_id"]))
    if creator is None:
        return Attribution.model_validate(data)
    own = order.customer_email_hash is not None and order.customer_email_hash == email_hash(creator.email)
    return Attribution.model_validate(data | {"self_purchase": own})


def attribute(
    stores: Stores, brand_id: str, order: OrderEvent, reads: OrderReads | None = None
) -> Attribution:
    """Decides and stores the attribution once; a later delivery gets the stored decision. With
    `reads` (a delivery's), what it fetched is used and what is read is kept for booking."""
    reads = reads or reads_for(stores, brand_id)
    existing = reads.attribution(order.provider.value, order.order_id)
    if existing:
        return existing
    decision = decide(stores, brand_id, order, reads)
    return stores.attributions.put_once(brand_id, decision)
