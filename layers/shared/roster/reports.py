"""Campaign and creator reports, from the click counters, attributions and the ledger."""

from __future__ import annotations

from collections import defaultdict

from roster import clock
from roster.models.campaigns import Campaign, KpiMetric
from roster.models.reports import CommissionTotals, CurrencyFigures, KpiProgress, Report
from roster.store.registry import Stores


def build(
    stores: Stores, brand_id: str, scope: str, scope_id: str, campaign: Campaign | None = None
) -> Report:
    counters = stores.stats.days(brand_id, scope, scope_id, "0000-00-00", "9999-99-99")
    clicks = sum(int(i.get("clicks", 0)) for i in counters)
    unique = sum(int(i.get("unique_clicks", 0)) for i in counters)
    orders = stores.attributions.for_scope(brand_id, scope, scope_id)
    entries = (
        stores.ledger.for_campaign(brand_id, scope_id)
        if scope == "campaign"
        else stores.ledger.for_creator(brand_id, scope_id)
    )

    revenue: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for o in orders:
        revenue[o.currency] += o.subtotal
        count[o.currency] += 1
    now = clock.now_iso()
    commissions: dict[str, CommissionTotals] = defaultdict(CommissionTotals)
    for e in entries:
        totals = commissions[e.currency]
        status = e.status(now)
        setattr(totals, status, getattr(totals, status) + e.amount)
    currencies = {}
    for currency in sorted(set(revenue) | set(commissions)):
        c = commissions[currency]
        earned = c.pending + c.approved + c.paid
        n = count.get(currency, 0)
        currencies[currency] = CurrencyFigures(
            revenue=revenue.get(currency, 0),
            average_order_value=revenue.get(currency, 0) // n if n else 0,
            commissions=c,
            earnings_per_click=round(earned / clicks, 4) if clicks else None,
            cost_per_acquisition=earned // n if n else None,
        )
    known = [o.new_customer for o in orders if o.new_customer is not None]
    report = Report(
        scope=scope,
        id=scope_id,
        clicks=clicks,
        unique_clicks=unique,
        orders=len(orders),
        conversion_rate=round(len(orders) / clicks, 4) if clicks else None,
        new_customer_share=round(sum(known) / len(known), 4) if known else None,
        currencies=currencies,
    )
    if campaign:
        report.kpis = [_kpi(k.metric, k.target, k.by, report, campaign) for k in campaign.kpis]
    return report


def _kpi(metric: KpiMetric, target: int, by: object, report: Report, campaign: Campaign) -> KpiProgress:
    currency = campaign.budget.currency if campaign.budget else next(iter(report.currencies), None)
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
