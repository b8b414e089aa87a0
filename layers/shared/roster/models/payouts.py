from __future__ import annotations

from pydantic import BaseModel, Field


class PayoutLine(BaseModel):
    creator_id: str
    campaign_id: str
    currency: str
    amount: int = Field(description="Approved, unpaid balance in minor units")
    entries: int


class PayoutPreview(BaseModel):
    """What a payout booked now would hold: approved balances at or above the campaign's minimum."""

    lines: list[PayoutLine]
    totals: dict[str, int] = Field(description="Currency → total")


class Payout(BaseModel):
    id: str
    created_at: str
    lines: list[PayoutLine]
    totals: dict[str, int]
    note: str = Field(
        default="Roster records payouts; it does not move money. Pay the lines, e.g. from the CSV export.",
    )
