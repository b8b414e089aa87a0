"""The attribution decision: which creator and campaign an order belongs to, and why."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Attribution(BaseModel):
    """Which creator (if any) an order belongs to: decided once, on the order's first delivery."""

    provider: str
    order_id: str
    method: Literal["promo_code", "click", "none"]
    creator_id: str | None = None
    campaign_id: str | None = None
    code: str | None = Field(default=None, description="The promo code that matched")
    click_id: str | None = Field(default=None, description="The click that matched")
    self_purchase: bool = Field(default=False, description="The buyer's email is the creator's own")
    not_commissionable: str | None = Field(
        default=None,
        description="Why the order earns no commission although attributed (e.g. it came after the "
        "campaign ended or was cancelled, or its promo code was retired); null when it earns",
    )
    new_customer: bool | None = None
    occurred_at: str
    currency: str
    subtotal: int
    decided_at: str
