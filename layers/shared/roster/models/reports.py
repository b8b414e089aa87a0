"""Campaign and creator reports: commission totals, spend, figures per currency, KPI progress."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class CommissionTotals(BaseModel):
    """Commission entries (commissions, their adjustments and reversals) by status; fixed fees are
    in `spend`."""

    pending: int = 0
    approved: int = 0
    paid: int = 0


class Spend(BaseModel):
    fixed_fees: int = Field(description="Fixed fees booked in the ledger, every status, minor units")
    commissions: int = Field(
        description="Commissions net of adjustments and reversals: pending + approved + paid, minor units"
    )
    total: int = Field(description="fixed_fees + commissions")
    budget: int | None = Field(
        description="The campaign's budget when it is in this currency, else null (a budget applies "
        "to its own currency only; no conversion)"
    )
    remaining: int | None = Field(description="budget − total; negative when over budget")
    percent_used: float | None = Field(
        description="100 × total ÷ budget, two decimals; null without a budget or with a budget of 0"
    )


class CurrencyFigures(BaseModel):
    gross_revenue: int = Field(
        description="Net item subtotal of the attributed orders as placed (self-purchases excluded), "
        "before refunds and cancellations, minor units"
    )
    refunded: int = Field(description="What refunds took off gross_revenue (net items), minor units")
    cancelled: int = Field(description="What cancellations took off gross_revenue, minor units")
    revenue: int = Field(
        description="gross_revenue − refunded − cancelled: net item revenue of the conversions, minor units"
    )
    average_order_value: int = Field(description="revenue ÷ conversions in this currency")
    commissions: CommissionTotals
    spend: Spend
    earnings_per_click: float | None = Field(
        description="Commissions (net, every status) per click, minor units"
    )
    cost_per_acquisition: int | None = Field(
        description="Spend (fixed fees + commissions) per conversion in this currency, minor units"
    )


class OrdersApart(BaseModel):
    orders: int = Field(description="Orders still standing (not cancelled, not fully refunded)")
    revenue: dict[str, int] = Field(description="Their net revenue per currency, minor units")


class Returns(BaseModel):
    """Attributed orders (self-purchases excluded) that came back, in whole or in part."""

    cancelled: int = Field(description="Cancelled: not conversions")
    fully_refunded: int = Field(description="Refunded in full: not conversions")
    partially_refunded: int = Field(description="Still conversions, their revenue net of the refund")


class KpiProgress(BaseModel):
    metric: str
    target: int
    by: date
    actual: int | None = Field(description="Null where Roster does not measure the metric yet")
    progress: float | None = Field(description="actual / target")


class DayFigures(BaseModel):
    """One UTC day of the scope: clicks on the day, and the conversions placed that day with what
    they still bring (a later refund or cancellation takes them off their order's day)."""

    date: date
    clicks: int = Field(description="Clicks counted on this day")
    orders: int = Field(
        description="Conversions placed on this day (counted as in `orders`: net of cancellations "
        "and full refunds, self-purchases excluded)"
    )
    revenue: dict[str, int] = Field(
        description="Net item revenue of those conversions per currency, minor units (as in "
        "`currencies.*.revenue`)"
    )
    commissions: dict[str, int] = Field(
        description="Commission entries (commissions, adjustments, reversals; every status) of orders "
        "placed on this day, per currency, minor units; fixed fees are left out"
    )


class Report(BaseModel):
    scope: str
    id: str
    clicks: int
    unique_clicks: int
    orders: int = Field(
        description="Conversions: attributed orders net of cancellations and full refunds, "
        "self-purchases excluded. Orders that earn no commission (`not_commissionable`) count: "
        "they are real sales the creator drove"
    )
    conversion_rate: float | None = Field(
        description="Click-attributed conversions ÷ clicks (orders attributed by promo code are left "
        "out: they need no click). Null without clicks"
    )
    new_customer_share: float | None = Field(
        description="Share of the conversions known to be from first-time customers"
    )
    currencies: dict[str, CurrencyFigures] = Field(
        description="Per currency; a campaign's budget currency is always listed"
    )
    returns: Returns
    self_purchases: OrdersApart = Field(
        description="Orders by the creator themself: outside every figure above"
    )
    not_commissionable: dict[str, OrdersApart] = Field(
        default={},
        description="Conversions that earn no commission, by reason (e.g. placed after the campaign "
        "ended): already counted in orders and revenue, listed here too",
    )
    kpis: list[KpiProgress] = []
    daily: list[DayFigures] = Field(
        default=[],
        description="Every UTC day from `from` to `to` (default: the last 30 days), oldest first, "
        "days without activity included with zeros; the totals above cover all time",
    )
