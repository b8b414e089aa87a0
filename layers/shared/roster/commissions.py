"""Commissions as a pure function of what is known about an order, and a ledger that converges.

`target()` says what a creator should have earned on an order given every event stored for it
(order, refunds, cancellation) and the campaign's plan. `reconcile()` turns the gap between that
target and the entries already booked into one new append-only entry. Because the target depends
only on the *set* of events, any arrival order, duplication or retry ends at the same balance:
a refund that comes before its order books nothing until the order arrives; a cancellation
reverses what is left; partial refunds reverse in proportion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from roster.models.commissions import CommissionPlan
from roster.models.orders import OrderEvent


@dataclass(frozen=True)
class Target:
    gross: int  # commission earned by the order itself
    net: int  # after refunds and cancellation
    currency: str
    occurred_at: str


def gross_commission(order: OrderEvent, plan: CommissionPlan, base_bps: int | None = None) -> int:
    """CPA + rate on the net items (+ new-customer bonus). `base_bps` is a tier's rate, if any."""
    base = plan.percent_bps if base_bps is None else base_bps
    if order.line_items and (plan.sku_rates_bps or plan.category_rates_bps):
        variable = 0
        for line in order.line_items:
            rate = plan.sku_rates_bps.get(
                line.sku or "", plan.category_rates_bps.get(line.category or "", base)
            )
            variable += line.amount * rate // 10_000
    else:
        variable = order.subtotal * base // 10_000
    bonus = plan.new_customer_bonus if order.new_customer else 0
    return plan.cpa + variable + bonus


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
    gross = gross_commission(order, plan, plan.rate_bps(prior_orders, prior_revenue) if plan.tiers else None)
    if any(e.kind == "cancellation" for e in events):
        return Target(gross, 0, order.currency, order.occurred_at)
    net = _net(order, events, gross)
    if cap_left is not None:
        net = min(net, max(cap_left, 0))
    return Target(gross, net, order.currency, order.occurred_at)


def _net(order: OrderEvent, events: list[OrderEvent], gross: int) -> int:
    refunds = [e for e in events if e.kind == "refund"]
    cumulative = max((e.refund_amount for e in refunds if e.cumulative), default=0)
    refunded = max(cumulative, sum(e.refund_amount for e in refunds if not e.cumulative))
    if order.subtotal <= 0:
        return 0 if refunded else gross
    refunded = min(refunded, order.subtotal)
    return max(gross - (gross * refunded + order.subtotal - 1) // order.subtotal, 0)  # reverse, rounding up


def reconcile(booked: Iterable[int], goal: Target | None) -> int:
    """The amount of the one entry that brings the booked sum to the goal (0: nothing to book)."""
    return (goal.net if goal else 0) - sum(booked)
