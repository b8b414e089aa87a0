from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Bps = int  # basis points: 1000 = 10 %


class CommissionPlan(BaseModel):
    """How a campaign pays creators for attributed orders. Amounts are minor units of the order's
    currency; rates are basis points of the net item subtotal (excl. tax, shipping, discounts)."""

    model_config = ConfigDict(extra="forbid")

    cpa: int = Field(default=0, ge=0, description="Flat amount per attributed order")
    percent_bps: Bps = Field(
        default=0, ge=0, le=10_000, description="Rate on the net item subtotal, e.g. 1000 = 10%"
    )
    sku_rates_bps: dict[str, Bps] = Field(
        default={}, description="Per-SKU rate replacing percent_bps for that line"
    )
    category_rates_bps: dict[str, Bps] = Field(
        default={}, description="Per-category rate for a line without a SKU rate"
    )
    new_customer_bonus: int = Field(
        default=0, ge=0, description="Extra flat amount for a first-time customer"
    )
    hold_days: int = Field(
        default=30, ge=0, le=365, description="Pending until the order is this old, then approved"
    )
    min_payout: int = Field(default=0, ge=0, description="Smallest approved balance a payout includes")
    pay_self_purchases: bool = Field(default=False, description="Pay commission on the creator's own orders")


class CommissionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: CommissionPlan = CommissionPlan()
    creator_overrides: dict[str, CommissionPlan] = Field(
        default={}, description="Creator id → their own plan"
    )

    def for_creator(self, creator_id: str) -> CommissionPlan:
        return self.creator_overrides.get(creator_id, self.plan)
