"""Commissions as a pure function of what is known about an order, and a ledger that converges.

`target()` says what a creator should have earned on an order given every event stored for it
(order, refunds, cancellation) and the campaign's plan. `reconcile()` turns the gap between that
target and the entries already booked into one new append-only entry. Because the target depends
only on the *set* of events, any arrival order, duplication or retry ends at the same balance:
a refund that comes before its order books nothing until the order arrives; a cancellation
reverses what is left; partial refunds reverse in proportion to what they cover.

A refund is read in the store's terms (`OrderEvent.refund_basis`): `items` refunds (Shopify's
refund line items, the generic schema) name the net item amount refunded, line by line where the
store says which lines; `gross` refunds (Stripe, WooCommerce) are money given back with tax and
shipping in it, so they count as their share of the order's gross total applied to the net item
subtotal. A refund in another currency than its order's reverses nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from roster.models.commissions import CommissionPlan
from roster.models.orders import LineItem, OrderEvent


@dataclass(frozen=True)
class Target:
    gross: int  # commission earned by the order itself
    net: int  # after refunds and cancellation
    currency: str
    occurred_at: str


def _rate(line: LineItem, plan: CommissionPlan, base: int) -> int:
    return plan.sku_rates_bps.get(line.sku or "", plan.category_rates_bps.get(line.category or "", base))


def _per_line(order: OrderEvent, plan: CommissionPlan) -> bool:
    return bool(order.line_items and (plan.sku_rates_bps or plan.category_rates_bps))


def _parts(order: OrderEvent, plan: CommissionPlan, base: int) -> tuple[int, int]:
    """(fixed, variable): CPA + new-customer bonus, and the rate on the net items."""
    if _per_line(order, plan):
        variable = sum(line.amount * _rate(line, plan, base) // 10_000 for line in order.line_items)
    else:
        variable = order.subtotal * base // 10_000
    return plan.cpa + (plan.new_customer_bonus if order.new_customer else 0), variable


def gross_commission(order: OrderEvent, plan: CommissionPlan, base_bps: int | None = None) -> int:
    """CPA + rate on the net items (+ new-customer bonus). `base_bps` is a tier's rate, if any."""
    return sum(_parts(order, plan, plan.percent_bps if base_bps is None else base_bps))


def counted_refunds(order: OrderEvent, events: Iterable[OrderEvent]) -> list[OrderEvent]:
    """The order's refunds that count: those in its currency (another currency is not comparable
    with what was sold, so such a refund reverses nothing)."""
    return [e for e in events if e.kind == "refund" and e.currency == order.currency]


def _items(order: OrderEvent, refund: OrderEvent) -> Fraction:
    amount = max(refund.refund_amount, 0)
    if refund.refund_basis == "gross" and order.total > 0:
        return Fraction(amount * order.subtotal, order.total)  # its share of the gross, on the items
    return Fraction(amount)


def refunded_items(order: OrderEvent, events: Iterable[OrderEvent]) -> Fraction:
    """The net item amount the order's refunds cover, from 0 to the subtotal. Cumulative amounts (a
    running total) count once, at their largest; the others add up."""
    refunds = counted_refunds(order, events)
    cumulative = max((_items(order, e) for e in refunds if e.cumulative), default=Fraction(0))
    summed = sum((_items(order, e) for e in refunds if not e.cumulative), Fraction(0))
    return min(max(cumulative, summed), Fraction(max(order.subtotal, 0)))


def target(
    events: Iterable[OrderEvent],
    plan: CommissionPlan,
    *,
    prior_orders: int = 0,
    prior_revenue: int = 0,
    cap_left: int | None = None,
) -> Target | None:
    """None while the order itself has not arrived (its refunds wait for it). `prior_*` are the
    creator's earlier orders in the campaign (for tiers); `cap_left` what the cap still allows."""
    events = list(events)
    orders = sorted((e for e in events if e.kind == "order"), key=lambda e: e.event_key)
    if not orders:
        return None
    order = orders[0]
    base = plan.rate_bps(prior_orders, prior_revenue) if plan.tiers else plan.percent_bps
    fixed, variable = _parts(order, plan, base)
    gross = fixed + variable
    if any(e.kind == "cancellation" for e in events):
        return Target(gross, 0, order.currency, order.occurred_at)
    net = _net(order, events, plan, base, fixed, variable)
    if cap_left is not None:
        net = min(net, max(cap_left, 0))
    return Target(gross, net, order.currency, order.occurred_at)


def _kept(amount: int, refunded: Fraction, subtotal: int) -> int:
    """What is left of `amount` once `refunded` of `subtotal` is refunded (the reversal rounds up)."""
    return max(amount - math.ceil(amount * refunded / subtotal), 0)


def _net(
    order: OrderEvent, events: list[OrderEvent], plan: CommissionPlan, base: int, fixed: int, variable: int
) -> int:
    refunds = [e for e in counted_refunds(order, events) if e.refund_amount > 0]
    if order.subtotal <= 0:
        return 0 if refunds else fixed + variable
    refunded = refunded_items(order, events)
    by_line = _line_reversal(order, refunds, plan, base)
    if by_line is None:
        return _kept(fixed + variable, refunded, order.subtotal)
    return _kept(fixed, refunded, order.subtotal) + max(variable - by_line, 0)


def _line_reversal(
    order: OrderEvent, refunds: list[OrderEvent], plan: CommissionPlan, base: int
) -> int | None:
    """With per-SKU or per-category rates, the variable commission the refunds take back line by
    line, at each line's own rate; None unless every refund says which lines it covers."""
    if not _per_line(order, plan) or not all(
        e.refund_basis == "items" and e.refund_lines and not e.cumulative for e in refunds
    ):
        return None
    total = 0
    for line in (li for e in refunds for li in e.refund_lines):
        sold = _matching_line(order, line) or line
        total += math.ceil(Fraction(max(line.amount, 0) * _rate(sold, plan, base), 10_000))
    return total


def _matching_line(order: OrderEvent, refunded: LineItem) -> LineItem | None:
    """The order's line a refunded line is: by the store's line id, else SKU, else product."""
    for attr in ("line_id", "sku", "product_id"):
        value = getattr(refunded, attr)
        same = [li for li in order.line_items if value is not None and getattr(li, attr) == value]
        if same:
            return same[0]
    return None


def reconcile(booked: Iterable[int], goal: Target | None) -> int:
    """The amount of the one entry that brings the booked sum to the goal (0: nothing to book)."""
    return (goal.net if goal else 0) - sum(booked)
