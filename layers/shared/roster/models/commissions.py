"""Commission plans (CPA, percentage, tiers, caps, holds) and a campaign's commission settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from roster.models.common import Amount

# Basis points: 1000 = 10 %. Bounded wherever it is used, dict values included: a rate above 100 %
# would pay more than the line was sold for.
Bps = Annotated[int, Field(ge=0, le=10_000)]
Key = Annotated[str, Field(min_length=1, max_length=128)]


class Tier(BaseModel):
    """From this many earlier orders (or this much earlier revenue) in the campaign, this rate."""

    model_config = ConfigDict(extra="forbid")

    min_orders: int = Field(default=0, ge=0, le=10**9)
    min_revenue: Amount = Field(default=0, description="Net item revenue of earlier orders, minor units")
    percent_bps: Bps


class CommissionPlan(BaseModel):
    """How a campaign pays creators for attributed orders. Amounts are minor units of the order's
    currency; rates are basis points of the net item subtotal (excl. tax, shipping, discounts)."""

    model_config = ConfigDict(extra="forbid")

    cpa: Amount = Field(default=0, description="Flat amount per attributed order")
    percent_bps: Bps = Field(default=0, description="Rate on the net item subtotal, e.g. 1000 = 10%")
    sku_rates_bps: dict[Key, Bps] = Field(
        default={}, max_length=1000, description="Per-SKU rate replacing percent_bps for that line"
    )
    category_rates_bps: dict[Key, Bps] = Field(
        default={}, max_length=1000, description="Per-category rate for a line without a SKU rate"
    )
    new_customer_bonus: Amount = Field(default=0, description="Extra flat amount for a first-time customer")
    hold_days: int = Field(
        default=30, ge=0, le=365, description="Pending until the order is this old, then approved"
    )
    min_payout: Amount = Field(default=0, description="Smallest approved balance a payout includes")
    pay_self_purchases: bool = Field(default=False, description="Pay commission on the creator's own orders")
    tiers: list[Tier] = Field(
        default=[],
        max_length=20,
        description="Replace percent_bps by the highest tier the creator's earlier orders reach; 10% up "
        "to 50 orders then 15%: [{min_orders: 0, percent_bps: 1000}, {min_orders: 50, percent_bps: 1500}]",
    )
    cap_per_creator: Amount | None = Field(
        default=None, description="Most a creator can earn in the campaign"
    )

    def rate_bps(self, prior_orders: int, prior_revenue: int) -> Bps:
        reached = [t for t in self.tiers if prior_orders >= t.min_orders and prior_revenue >= t.min_revenue]
        return (
            max(reached, key=lambda t: (t.min_orders, t.min_revenue)).percent_bps
            if reached
            else self.percent_bps
        )

    @property
    def depends_on_other_orders(self) -> bool:
        return bool(self.tiers) or self.cap_per_creator is not None


class CommissionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: CommissionPlan = CommissionPlan()
    creator_overrides: dict[Key, CommissionPlan] = Field(
        default={}, max_length=1000, description="Creator id → their own plan"
    )
    accept_orders_days_after_end: int = Field(
        default=0,
        ge=0,
        le=365,
        description="Orders placed up to this many days after the campaign's end_date (or its completion, "
        "if earlier) still earn; later ones are stored and attributed but not commissionable. A "
        "cancelled campaign stops earning at the moment it is cancelled, without grace",
    )

    def for_creator(self, creator_id: str) -> CommissionPlan:
        return self.creator_overrides.get(creator_id, self.plan)
