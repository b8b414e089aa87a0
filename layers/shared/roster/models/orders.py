"""Orders: the normalized order event every store's payload becomes, and the generic webhook body."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from roster.models.attribution import Attribution
from roster.models.common import CurrencyCode, ResponseModel
from roster.models.webhooks import Provider

RefundBasis = Literal["items", "gross"]


class LineItem(BaseModel):
    line_id: str | None = Field(default=None, description="The store's id of the line (refunds name it)")
    sku: str | None = None
    product_id: str | None = None
    category: str | None = None
    quantity: int = Field(ge=0)
    amount: int = Field(
        description="Net line subtotal in minor units: after discounts, before tax and shipping"
    )


class OrderEvent(BaseModel):
    """One store event, normalized: what attribution and the commission ledger work from."""

    kind: Literal["order", "refund", "cancellation"]
    provider: Provider
    order_id: str
    event_key: str = Field(description="Unique per order and kind: the order id, or the refund's id")
    occurred_at: str
    currency: str
    subtotal: int = Field(
        default=0, description="Net item subtotal (minor units): excl. tax, shipping, discounts"
    )
    total: int = 0
    refund_amount: int = Field(default=0, description="Amount refunded by this event (refunds), minor units")
    refund_basis: RefundBasis = Field(
        default="items",
        description="What refund_amount measures: `items`, the net item amount refunded (the store says "
        "which lines); `gross`, money given back with tax and shipping in it (only the total is known)",
    )
    refund_lines: list[LineItem] = Field(
        default=[], description="The lines a refund covers, with their net refunded amounts (if said)"
    )
    cumulative: bool = Field(
        default=False,
        description="refund_amount is the total refunded so far (a Stripe charge without its refund list)",
    )
    discount_codes: list[str] = []
    promotion_ids: list[str] = Field(
        default=[], description="The store's own promotion code ids found in the order (Stripe `promo_…`)"
    )
    click_ids: list[str] = Field(default=[], description="Candidate click ids found in the order")
    customer_email_hash: str | None = None
    new_customer: bool | None = None
    line_items: list[LineItem] = []


class GenericCustomer(BaseModel):
    email: str | None = None
    new_customer: bool | None = None


class GenericOrder(BaseModel):
    id: str = Field(min_length=1, max_length=128)
    currency: CurrencyCode
    created_at: str
    subtotal: int = Field(
        ge=0, description="Net item subtotal in minor units (after discounts, excl. tax/shipping)"
    )
    total: int = Field(ge=0)
    discount_codes: list[str] = []
    click_id: str | None = None
    customer: GenericCustomer = GenericCustomer()
    line_items: list[LineItem] = []


class GenericRefund(BaseModel):
    id: str = Field(min_length=1, max_length=128)
    amount: int = Field(gt=0, description="Amount refunded, minor units (what it measures: `basis`)")
    created_at: str
    basis: RefundBasis = Field(
        default="items",
        description="`items`: amount is the net item amount refunded (after discounts, excl. tax and "
        "shipping); `gross`: amount is the money given back, tax and shipping included",
    )
    currency: CurrencyCode | None = Field(
        default=None, description="The refund's currency if you send it: it must be the order's"
    )


class GenericWebhook(BaseModel):
    """Roster's documented orders webhook for any store. Sign the raw body with `Roster-Signature`
    (the Stripe scheme, see roster.conversions.webhook_signatures.sign)."""

    id: str = Field(
        min_length=1, max_length=128, description="Unique event id: deliveries are deduplicated on it"
    )
    type: Literal["order.created", "order.refunded", "order.cancelled"]
    order: GenericOrder
    refund: GenericRefund | None = None


class OrderList(ResponseModel):
    items: list[Attribution] = Field(
        description="Each order's attribution: who earned it, by which signal, and `not_commissionable` "
        "(why it earns nothing although attributed; null when it earns)"
    )
    next_cursor: str | None
