"""The ledger entry: one append-only commission, reversal or fixed fee, with its derived status."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EntryKind = Literal["commission", "reversal", "adjustment", "fixed_fee"]


class LedgerEntry(BaseModel):
    """Append-only. Status is derived: paid once in a payout, else approved after `hold_until`,
    else pending."""

    entry_id: str = Field(description="<provider>:<order id>:<sequence>")
    creator_id: str
    campaign_id: str
    provider: str
    order_id: str
    seq: int
    kind: EntryKind
    amount: int = Field(description="Signed, minor units")
    currency: str
    occurred_at: str = Field(description="When the order was placed")
    hold_until: str
    created_at: str
    payout_id: str | None = None

    def status(self, now_iso: str) -> Literal["pending", "approved", "paid"]:
        if self.payout_id:
            return "paid"
        return "approved" if now_iso >= self.hold_until else "pending"
