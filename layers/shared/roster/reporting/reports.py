"""Campaign and creator reports, from the click counters, attributions, order events and the ledger.

What counts: an attributed order is a conversion while it stands (not cancelled, not refunded in
full); its revenue is its net item subtotal less what was refunded. Self-purchases are left out of
every figure and shown apart. Orders that earn nothing (`not_commissionable`) are real sales: they
count, and are listed apart too. Spend is what the ledger holds for the scope, fees and commissions
in every status, against the campaign's budget in the budget's currency."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any, Literal

from roster import clock
from roster.conversions.commissions import counted_refunds, refunded_items
from roster.models.attribution import Attribution
from roster.models.campaigns import Campaign, KpiMetric
from roster.models.common import Money
from roster.models.ledger import LedgerEntry
from roster.models.orders import OrderEvent
from roster.models.reports import (
    CommissionTotals,
    CurrencyFigures,
    DayFigures,
    KpiProgress,
    OrdersApart,
    Report,
    Returns,
)
from roster.reporting import budget
from roster.store.registry import Stores

# One Query per attributed order for its events, this many at a time: botocore's connection pool
# holds 10 (see docs/decisions.md).
EVENT_READERS = 10

Fate = Literal["kept", "partially_refunded", "fully_refunded", "cancelled"]


@dataclass(frozen=True)
class Outcome:
    """What became of one order: its subtotal as placed, split into refunded, cancelled and kept."""

    gross: int
    refunded: int
    cancelled: int
    fate: Fate

    @property
    def net(self) -> int:
        return self.gross - self.refunded - self.cancelled

    @property
    def stands(self) -> bool:
        return self.fate in ("kept", "partially_refunded")


def outcome(subtotal: int, events: Iterable[OrderEvent]) -> Outcome:
    """Refunds are read exactly as the ledger reads them (`commissions.refunded_items`: in the
    store's terms, in the order's currency, never more than the subtotal), rounded up to the minor
    unit as reversals are. A cancellation takes what is left. An order of 0 with a refund counts as
    refunded in full. `subtotal` (the attribution's) stands in until the order event is read."""
    events = list(events)
    placed = sorted((e for e in events if e.kind == "order"), key=lambda e: e.event_key)
    if not placed:
        return Outcome(subtotal, 0, 0, "kept")
    order = placed[0]
    gross = order.subtotal
    refunded = min(math.ceil(refunded_items(order, events)), max(gross, 0))
    if any(e.kind == "cancellation" for e in events):
        return Outcome(gross, refunded, gross - refunded, "cancelled")
    asked = any(e.refund_amount > 0 for e in counted_refunds(order, events))
    if asked and refunded == max(gross, 0):
        return Outcome(gross, refunded, 0, "fully_refunded")
    return Outcome(gross, refunded, 0, "partially_refunded" if refunded else "kept")


def outcomes(stores: Stores, brand_id: str, orders: list[Attribution]) -> list[Outcome]:
    """Each order's events are one Query under the brand (`ORDER#<provider>#<order>#`); read a few
    at a time, so a campaign of thousands of orders answers in about a second."""

    def read(a: Attribution) -> Outcome:
        return outcome(a.subtotal, stores.orders.for_order(brand_id, a.provider, a.order_id))

    if not orders:
        return []
    with ThreadPoolExecutor(max_workers=min(EVENT_READERS, len(orders))) as pool:
        return list(pool.map(read, orders))


@dataclass
class Tally:
    """The orders' figures per currency, and those kept apart."""

    gross: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    refunded: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    cancelled: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    revenue: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    count: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    returns: dict[str, int] = field(
        default_factory=lambda: {"cancelled": 0, "fully_refunded": 0, "partially_refunded": 0}
    )
    own: OrdersApart = field(default_factory=lambda: OrdersApart(orders=0, revenue={}))
    unpaid: dict[str, OrdersApart] = field(default_factory=dict)
    converted: list[Attribution] = field(default_factory=list)

    def add(self, order: Attribution, fate: Outcome) -> None:
        currency = order.currency
        if order.self_purchase:  # outside every figure, shown apart
            if fate.stands:
                _add(self.own, currency, fate.net)
            return
        self.gross[currency] += fate.gross
        self.refunded[currency] += fate.refunded
        self.cancelled[currency] += fate.cancelled
        if fate.fate != "kept":
            self.returns[fate.fate] += 1
        if not fate.stands:
            return
        self.converted.append(order)
        self.revenue[currency] += fate.net
        self.count[currency] += 1
        if order.not_commissionable:  # a sale all the same: counted, and listed by reason
            bucket = self.unpaid.setdefault(order.not_commissionable, OrdersApart(orders=0, revenue={}))
            _add(bucket, currency, fate.net)


def build(
    stores: Stores,
    brand_id: str,
    scope: str,
    scope_id: str,
    campaign: Campaign | None = None,
    days: tuple[str, str] | None = None,
) -> Report:
    """The report over all time; with `days` (first and last UTC day, ISO), also its `daily`
    series over them, split from the very figures read for the totals (no further read)."""
    counters = stores.stats.days(brand_id, scope, scope_id, "0000-00-00", "9999-99-99")
    clicks = sum(int(i.get("clicks", 0)) for i in counters)
    unique = sum(int(i.get("unique_clicks", 0)) for i in counters)
    orders = stores.attributions.for_scope(brand_id, scope, scope_id)
    entries = (
        stores.ledger.for_campaign(brand_id, scope_id)
        if scope == "campaign"
        else stores.ledger.for_creator(brand_id, scope_id)
    )
    tally = Tally()
    fates = outcomes(stores, brand_id, orders)
    for order, fate in zip(orders, fates, strict=True):
        tally.add(order, fate)

    now = clock.now_iso()
    commissions: dict[str, CommissionTotals] = defaultdict(CommissionTotals)
    for e in entries:
        if e.kind in budget.COMMISSION_KINDS:
            totals = commissions[e.currency]
            status = e.status(now)
            setattr(totals, status, getattr(totals, status) + e.amount)
    limit = campaign.budget if campaign else None
    currencies = {}
    for currency, cost in budget.spend(entries, limit, currencies=set(tally.gross)).items():
        c = commissions[currency]
        earned = c.pending + c.approved + c.paid
        n = tally.count[currency]
        currencies[currency] = CurrencyFigures(
            gross_revenue=tally.gross[currency],
            refunded=tally.refunded[currency],
            cancelled=tally.cancelled[currency],
            revenue=tally.revenue[currency],
            average_order_value=tally.revenue[currency] // n if n else 0,
            commissions=c,
            spend=cost,
            earnings_per_click=round(earned / clicks, 4) if clicks else None,
            cost_per_acquisition=cost.total // n if n else None,
        )
    converted = tally.converted
    by_click = sum(o.method == "click" for o in converted)
    known = [o.new_customer for o in converted if o.new_customer is not None]
    report = Report(
        scope=scope,
        id=scope_id,
        clicks=clicks,
        unique_clicks=unique,
        orders=len(converted),
        conversion_rate=round(by_click / clicks, 4) if clicks else None,
        new_customer_share=round(sum(known) / len(known), 4) if known else None,
        currencies=currencies,
        returns=Returns(**tally.returns),
        self_purchases=tally.own,
        not_commissionable=dict(sorted(tally.unpaid.items())),
    )
    if campaign:
        report.kpis = [_kpi(k.metric, k.target, k.by, report, limit) for k in campaign.kpis]
    if days:
        report.daily = _daily(days, counters, zip(orders, fates, strict=True), entries)
    return report


def _utc_day(*texts: str) -> str | None:
    """The UTC day of the first of `texts` that is a timestamp (a store's own format is kept as
    sent on the order; the decision's time stands in when it cannot be read)."""
    for text in texts:
        try:
            return clock.parse(text).astimezone(UTC).date().isoformat()
        except (ValueError, OverflowError):
            continue
    return None


def _daily(
    days: tuple[str, str],
    counters: list[dict[str, Any]],
    orders: Iterable[tuple[Attribution, Outcome]],
    entries: Iterable[LedgerEntry],
) -> list[DayFigures]:
    """Each day's clicks (the day counters), conversions and their revenue (the order's day, net of
    what came back since, exactly as the totals count them) and commission entries (the order's
    day: a reversal takes off the day the order was placed, as the ledger dates it)."""
    clicks: Counter[str] = Counter()
    for item in counters:
        clicks[str(item.get("day"))] += int(item.get("clicks", 0))
    count: Counter[str] = Counter()
    revenue: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for order, fate in orders:
        if order.self_purchase or not fate.stands:  # as Tally.add: not a conversion
            continue
        day = _utc_day(order.occurred_at, order.decided_at)
        if day:
            count[day] += 1
            revenue[day][order.currency] += fate.net
    commissions: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for e in entries:
        day = _utc_day(e.occurred_at, e.created_at)
        if e.kind in budget.COMMISSION_KINDS and day:
            commissions[day][e.currency] += e.amount
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[1])
    out = []
    for n in range((last - first).days + 1):
        day = (first + timedelta(days=n)).isoformat()
        out.append(
            DayFigures(
                date=date.fromisoformat(day),
                clicks=clicks[day],
                orders=count[day],
                revenue=dict(sorted(revenue[day].items())),
                commissions=dict(sorted(commissions[day].items())),
            )
        )
    return out


def _add(bucket: OrdersApart, currency: str, amount: int) -> None:
    bucket.orders += 1
    bucket.revenue[currency] = bucket.revenue.get(currency, 0) + amount


def _kpi(metric: KpiMetric, target: int, by: object, report: Report, limit: Money | None) -> KpiProgress:
    currency = limit.currency if limit else next(iter(report.currencies), None)
    figures = report.currencies.get(currency) if currency else None
    actual = {
        KpiMetric.CLICKS: report.clicks,
        KpiMetric.UNIQUE_CLICKS: report.unique_clicks,
        KpiMetric.CONVERSIONS: report.orders,
        KpiMetric.REVENUE: figures.revenue if figures else 0,
    }.get(metric)
    return KpiProgress.model_validate(
        {
            "metric": metric.value,
            "target": target,
            "by": by,
            "actual": actual,
            "progress": round(actual / target, 4) if actual is not None else None,
        }
    )
