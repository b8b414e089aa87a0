"""Which creator earned an order: a creator's promo code in the order wins (unless the code's
campaign sets `attribution_priority: click`); otherwise a Roster click id found in the order,
if the click is within the campaign's attribution window (default 30 days). One order, at most
one creator; orders with neither are stored as unattributed. A purchase with the creator's own
email is flagged as a self-purchase."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from roster import clock
from roster.errors import NotFound
from roster.models.attribution import Attribution
from roster.models.orders import OrderEvent
from roster.store.creators import email_hash
from roster.store.registry import Stores


def _when(text: str) -> datetime | None:
    try:
        return clock.parse(text)
    except ValueError:
        return None


def decide(stores: Stores, brand_id: str, order: OrderEvent) -> Attribution:
    base: dict[str, Any] = {
        "provider": order.provider.value,
        "order_id": order.order_id,
        "occurred_at": order.occurred_at,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "decided_at": clock.now_iso(),
        "new_customer": order.new_customer,
    }
    promo_match: dict[str, Any] | None = None
    for code in order.discount_codes:
        promo = stores.promo_codes.get(brand_id, code)
        if promo:
            promo_match = base | {
                "method": "promo_code",
                "code": promo.code,
                "creator_id": promo.creator_id,
                "campaign_id": promo.campaign_id,
            }
            break
    click_match: dict[str, Any] | None = None
    ordered_at = _when(order.occurred_at) or clock.now()
    for click_id in order.click_ids:
        click = stores.stats.click(brand_id, click_id)
        if not click:
            continue
        try:
            campaign = stores.campaigns.get(brand_id, str(click["campaign_id"]))
        except NotFound:
            continue
        clicked_at = _when(str(click["at"]))
        if (
            clicked_at
            and clicked_at <= ordered_at + timedelta(minutes=5)
            and (ordered_at - clicked_at <= timedelta(days=campaign.attribution_window_days))
        ):
            click_match = base | {
                "method": "click",
                "click_id": click_id,
                "creator_id": str(click["creator_id"]),
                "campaign_id": campaign.id,
            }
            break
    if promo_match and click_match:
        try:
            priority = stores.campaigns.get(brand_id, promo_match["campaign_id"]).attribution_priority
        except NotFound:
            priority = "promo_code"
        return _with_creator(stores, brand_id, order, click_match if priority == "click" else promo_match)
    if promo_match or click_match:
        return _with_creator(stores, brand_id, order, promo_match or click_match or {})
    return Attribution(method="none", **base)


def _with_creator(stores: Stores, brand_id: str, order: OrderEvent, data: dict[str, Any]) -> Attribution:
    try:
        creator = stores.creators.get(brand_id, str(data["creator_id"]))
    except NotFound:
        return Attribution.model_validate(data)
    own = order.customer_email_hash is not None and order.customer_email_hash == email_hash(creator.email)
    return Attribution.model_validate(data | {"self_purchase": own})


def attribute(stores: Stores, brand_id: str, order: OrderEvent) -> Attribution:
    """Decides and stores the attribution once; a later delivery gets the stored decision."""
    existing = stores.attributions.get(brand_id, order.provider, order.order_id)
    if existing:
        return existing
    decision = decide(stores, brand_id, order)
    return stores.attributions.put_once(brand_id, decision)
