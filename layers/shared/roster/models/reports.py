from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class CommissionTotals(BaseModel):
    pending: int = 0
    approved: int = 0
    paid: int = 0


class CurrencyFigures(BaseModel):
    revenue: int = Field(description="Net item revenue of attributed orders, minor units")
    average_order_value: int
    commissions: CommissionTotals
    earnings_per_click: float | None = Field(description="Commissions (all statuses) per click, minor units")
    cost_per_acquisition: int | None = Field(description="Commissions per attributed order, minor units")


class KpiProgress(BaseModel):
    metric: str
    target: int
    by: date
    actual: int | None = Field(description="Null where Roster does not measure the metric yet")
    progress: float | None = Field(description="actual / target")


class Report(BaseModel):
    scope: str
    id: str
    clicks: int
    unique_clicks: int
    orders: int = Field(description="Attributed orders (self-purchases included, flagged in the ledger)")
    conversion_rate: float | None = Field(description="orders / clicks")
    new_customer_share: float | None = Field(
        description="Share of orders known to be from first-time customers"
    )
    currencies: dict[str, CurrencyFigures]
    kpis: list[KpiProgress] = []
