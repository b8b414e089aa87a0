"""Store payloads → OrderEvent. Each parser reads the provider's documented shape; anything else
raises UnknownShape, which records the event as failed (archived, visible, replayable)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError

from roster import ids
from roster.errors import ValidationFailed
from roster.models.orders import GenericWebhook, LineItem, OrderEvent
from roster.models.webhooks import Provider
from roster.money import to_minor
from roster.store import keys

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # a click id before issue 16 (case-insensitive)


class UnknownShape(ValidationFailed):
    """The body is not a payload of this provider and topic that Roster can read (a 422)."""

    code = "unknown_shape"


def customer_hash(email: str | None) -> str | None:
    """An order's customer email as a creator's is hashed (None when there is no address)."""
    return ids.email_hash(email) if email and "@" in email else None


def _click_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if keys.VISIT_CLICK_ID.match(text):  # base64url: case matters
        return text
    return text.upper() if ULID.match(text.upper()) else None


def click_ids(*values: Any) -> list[str]:
    """Every value that looks like a Roster click id (the visit form `v1…`, or an older ULID), in
    the order found, once."""
    found = [c for v in values if (c := _click_id(v))]
    return list(dict.fromkeys(found))


def _query_values(url: str | None) -> list[str]:
    if not url:
        return []
    try:
        return [v for _, v in parse_qsl(urlsplit(url).query, keep_blank_values=False)]
    except ValueError:
        return []


def parse(provider: Provider, topic: str, payload: Any) -> list[OrderEvent]:
    """Zero or more events (zero for topics that carry nothing for commissions)."""
    if not isinstance(payload, dict):
        raise UnknownShape("the body is not a JSON object")
    try:
        return PARSERS[provider](topic, payload)
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise UnknownShape(f"{provider} {topic or 'event'}: {type(exc).__name__}: {exc}"[:500]) from exc


def _generic(topic: str, p: dict[str, Any]) -> list[OrderEvent]:
    hook = GenericWebhook.model_validate(p)
    o = hook.order
    base = {
        "provider": Provider.ORDERS,
        "order_id": o.id,
        "currency": o.currency,
        "subtotal": o.subtotal,
        "total": o.total,
        "discount_codes": o.discount_codes,
        "click_ids": click_ids(o.click_id),
        "customer_email_hash": customer_hash(o.customer.email),
        "new_customer": o.customer.new_customer,
        "line_items": o.line_items,
    }
    if hook.type == "order.created":
        return [OrderEvent(kind="order", event_key=o.id, occurred_at=o.created_at, **base)]
    if hook.type == "order.cancelled":
        return [OrderEvent(kind="cancellation", event_key=o.id, occurred_at=o.created_at, **base)]
    if hook.refund is None:
        raise ValueError("order.refunded needs a refund object")
    r = hook.refund
    _same_currency(r.currency or o.currency, o.currency, f"refund {r.id}")
    return [
        OrderEvent(
            kind="refund",
            event_key=r.id,
            occurred_at=r.created_at,
            refund_amount=r.amount,
            refund_basis=r.basis,
            **base,
        )
    ]


def _same_currency(refund: str, order: str, what: str) -> None:
    """A refund is compared with what was sold: in another currency it cannot be, so it is refused
    (the event is recorded as failed, with this reason)."""
    if refund.upper() != order.upper():
        raise ValueError(f"{what} is in {refund.upper()} but its order in {order.upper()}: not comparable")


def _shopify_order(p: dict[str, Any]) -> dict[str, Any]:
    currency = str(p["currency"]).upper()
    notes = [a.get("value") for a in p.get("note_attributes") or [] if isinstance(a, dict)]
    customer = p.get("customer") or {}
    orders_count = customer.get("orders_count")
    return {
        "provider": Provider.SHOPIFY,
        "order_id": str(p["id"]),
        "currency": currency,
        "subtotal": to_minor(p.get("current_subtotal_price", p.get("subtotal_price")), currency),
        "total": to_minor(p.get("current_total_price", p.get("total_price")), currency),
        "discount_codes": [str(d["code"]) for d in p.get("discount_codes") or []],
        "click_ids": click_ids(*_query_values(p.get("landing_site")), *notes),
        "customer_email_hash": customer_hash(p.get("email") or customer.get("email")),
        "new_customer": orders_count == 1 if isinstance(orders_count, int) else None,
        "line_items": [
            LineItem(
                line_id=str(li["id"]) if li.get("id") else None,
                sku=li.get("sku") or None,
                product_id=str(li["product_id"]) if li.get("product_id") else None,
                quantity=int(li.get("quantity", 0)),
                amount=to_minor(li.get("price"), currency) * int(li.get("quantity", 0))
                - sum(to_minor(d.get("amount"), currency) for d in li.get("discount_allocations") or []),
            )
            for li in p.get("line_items") or []
        ],
    }


def _shopify(topic: str, p: dict[str, Any]) -> list[OrderEvent]:
    if topic in ("orders/create", "orders/paid"):
        order = _shopify_order(p)
        return [
            OrderEvent(kind="order", event_key=order["order_id"], occurred_at=str(p["created_at"]), **order)
        ]
    if topic == "orders/cancelled":
        order = _shopify_order(p)
        when = str(p.get("cancelled_at") or p["updated_at"])
        return [OrderEvent(kind="cancellation", event_key=order["order_id"], occurred_at=when, **order)]
    if topic == "refunds/create":
        return _shopify_refund(p)
    return []  # other topics carry nothing for commissions


def _shop_money(value: Any) -> dict[str, Any]:
    """`{"shop_money": {...}, "presentment_money": {...}}` → the shop's side (the order's currency)."""
    money = value.get("shop_money") if isinstance(value, dict) else None
    return money if isinstance(money, dict) else {}


def _shopify_refund(p: dict[str, Any]) -> list[OrderEvent]:
    """What a refund covers is its refund line items: each line's net subtotal (after discounts,
    before tax) in the shop's currency, the order's. Refunded shipping (`refund_shipping_lines`,
    `order_adjustments` of kind shipping_refund) and tax-only refunds cover no items: their
    refund is stored with an amount of 0 and reverses nothing."""
    lines = p.get("refund_line_items") or []
    currencies = {
        str(_shop_money(li.get("subtotal_set")).get("currency_code") or "").upper() for li in lines
    } - {""}
    if len(currencies) > 1:
        raise ValueError(f"refund lines in several currencies ({', '.join(sorted(currencies))})")
    fallback = [
        *(_shop_money(a.get("amount_set")).get("currency_code") for a in p.get("order_adjustments") or []),
        *(
            _shop_money(s.get("subtotal_amount_set")).get("currency_code")
            for s in p.get("refund_shipping_lines") or []
        ),
        *(t.get("currency") for t in p.get("transactions") or []),
    ]
    currency = next(iter(currencies), None) or next((str(c).upper() for c in fallback if c), None)
    if currency is None:
        return []  # no money and no lines: nothing for commissions

    def amount(li: dict[str, Any]) -> int:
        money = _shop_money(li.get("subtotal_set"))
        return to_minor(money["amount"] if "amount" in money else li.get("subtotal"), currency)

    refunded = [
        LineItem(
            line_id=str(li["line_item_id"]) if li.get("line_item_id") else None,
            sku=(li.get("line_item") or {}).get("sku") or None,
            product_id=str((li.get("line_item") or {}).get("product_id") or "") or None,
            quantity=int(li.get("quantity", 0)),
            amount=amount(li),
        )
        for li in lines
    ]
    return [
        OrderEvent(
            kind="refund",
            provider=Provider.SHOPIFY,
            order_id=str(p["order_id"]),
            event_key=str(p["id"]),
            occurred_at=str(p["created_at"]),
            currency=currency,
            refund_amount=sum(li.amount for li in refunded),
            refund_basis="items",
            refund_lines=refunded,
        )
    ]


def _woocommerce(topic: str, p: dict[str, Any]) -> list[OrderEvent]:
    currency = str(p["currency"]).upper()
    lines = p.get("line_items") or []
    meta = [m.get("value") for m in p.get("meta_data") or [] if isinstance(m, dict)]
    base = {
        "provider": Provider.WOOCOMMERCE,
        "order_id": str(p["id"]),
        "currency": currency,
        "subtotal": sum(to_minor(li.get("total"), currency) for li in lines),
        "total": to_minor(p.get("total"), currency),
        "discount_codes": [str(c["code"]) for c in p.get("coupon_lines") or []],
        "click_ids": click_ids(*meta),
        "customer_email_hash": customer_hash((p.get("billing") or {}).get("email")),
        "line_items": [
            LineItem(
                line_id=str(li["id"]) if li.get("id") else None,
                sku=li.get("sku") or None,
                product_id=str(li.get("product_id") or "") or None,
                quantity=int(li.get("quantity", 0)),
                amount=to_minor(li.get("total"), currency),
            )
            for li in lines
        ],
    }
    created = str(p.get("date_created_gmt") or p["date_created"])
    events = []
    if topic in ("order.created", "order.updated") and p.get("status") in (
        "processing",
        "completed",
        "on-hold",
        "refunded",
    ):
        events.append(OrderEvent(kind="order", event_key=base["order_id"], occurred_at=created, **base))
    # Refunds ride along on order.updated as {id, reason, total}: money given back, tax and shipping
    # included, without the lines it covers (those are only in the order refunds API).
    for refund in p.get("refunds") or []:
        events.append(
            OrderEvent(
                kind="refund",
                event_key=str(refund["id"]),
                occurred_at=str(p.get("date_modified_gmt") or created),
                refund_amount=abs(to_minor(refund.get("total"), currency)),
                refund_basis="gross",
                **base,
            )
        )
    if p.get("status") == "cancelled":
        events.append(
            OrderEvent(kind="cancellation", event_key=base["order_id"], occurred_at=created, **base)
        )
    return events


def _stripe_promotions(obj: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(code texts, promotion code ids) of the Stripe promotion codes applied to a Checkout Session
    (`discounts[].promotion_code`) or an invoice (`discount`, and `discounts[]` when expanded).
    Webhooks send `promotion_code` as an id (`promo_…`); an expanded object also gives its code.
    An invoice's unexpanded `discounts` are Discount ids (`di_…`), which name no promotion code."""
    found: list[Any] = [*(obj.get("discounts") or []), obj.get("discount")]
    breakdown = (obj.get("total_details") or {}).get("breakdown") or {}
    found += [d.get("discount") for d in breakdown.get("discounts") or [] if isinstance(d, dict)]
    codes, ids = [], []
    for discount in found:
        promo = discount.get("promotion_code") if isinstance(discount, dict) else None
        if isinstance(promo, dict):
            ids.append(str(promo.get("id") or ""))
            codes.append(str(promo.get("code") or ""))
        elif isinstance(promo, str):
            ids.append(promo)
    return [c for c in dict.fromkeys(codes) if c], [i for i in dict.fromkeys(ids) if i]


def _stripe(topic: str, p: dict[str, Any]) -> list[OrderEvent]:
    kind = str(p["type"])
    obj = p["data"]["object"]
    currency = str(obj.get("currency", "")).upper()
    metadata = obj.get("metadata") or {}
    when = str(p.get("created") or obj.get("created"))
    order_id = str(obj.get("payment_intent") or obj["id"])  # the payment intent ties orders to refunds

    def order(subtotal: int, total: int, email: str | None, *refs: Any) -> list[OrderEvent]:
        codes, promotion_ids = _stripe_promotions(obj)
        if metadata.get("promo_code"):
            codes.insert(0, str(metadata["promo_code"]))
        return [
            OrderEvent(
                kind="order",
                provider=Provider.STRIPE,
                order_id=order_id,
                event_key=order_id,
                occurred_at=when,
                currency=currency,
                subtotal=subtotal,
                total=total,
                discount_codes=list(dict.fromkeys(codes)),
                promotion_ids=promotion_ids,
                click_ids=click_ids(*refs, *metadata.values()),
                customer_email_hash=customer_hash(email),
            )
        ]

    if kind == "checkout.session.completed":
        discount = int((obj.get("total_details") or {}).get("amount_discount") or 0)
        email = (obj.get("customer_details") or {}).get("email")
        subtotal = int(obj.get("amount_subtotal") or 0) - discount
        return order(subtotal, int(obj.get("amount_total") or 0), email, obj.get("client_reference_id"))
    if kind == "invoice.paid":
        discounts = sum(int(d.get("amount") or 0) for d in obj.get("total_discount_amounts") or [])
        subtotal = int(obj.get("subtotal") or 0) - discounts
        return order(subtotal, int(obj.get("amount_paid") or 0), obj.get("customer_email"))
    if kind == "charge.refunded":
        # Refunds are money given back on the charge: tax and shipping are in them ("gross").
        refunds = (obj.get("refunds") or {}).get("data") or []
        for r in refunds:
            _same_currency(str(r.get("currency") or currency), currency, f"refund {r['id']}")
        if refunds:  # one event per refund object: deliveries of the same refund dedupe on its id
            return [
                OrderEvent(
                    kind="refund",
                    provider=Provider.STRIPE,
                    order_id=order_id,
                    event_key=str(r["id"]),
                    occurred_at=str(r.get("created") or when),
                    currency=currency,
                    refund_amount=int(r.get("amount") or 0),
                    refund_basis="gross",
                )
                for r in refunds
            ]
        return [
            OrderEvent(
                kind="refund",
                provider=Provider.STRIPE,
                order_id=order_id,
                event_key=f"{obj['id']}:{obj.get('amount_refunded')}",
                occurred_at=when,
                currency=currency,
                refund_amount=int(obj.get("amount_refunded") or 0),
                refund_basis="gross",
                cumulative=True,
            )
        ]
    return []


PARSERS = {
    Provider.ORDERS: _generic,
    Provider.SHOPIFY: _shopify,
    Provider.WOOCOMMERCE: _woocommerce,
    Provider.STRIPE: _stripe,
}
