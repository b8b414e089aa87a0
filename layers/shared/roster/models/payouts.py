"""Payouts: the selection, lines, carried-forward balances, previews, and the booking lock."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from roster.models.auth import Actor
from roster.models.common import CurrencyCode, RequestModel, ResponseModel, unique
from roster.models.ledger import LedgerEntry

MAX_IDS = 100

Ids = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=64)]],
    Field(min_length=1, max_length=MAX_IDS),
]


class PayoutSelection(RequestModel):
    """Which approved balances a payout (or its preview) takes. Nothing given = everything
    eligible. A creator's clawbacks are netted only against what the selection takes. An id may
    not be both selected and excluded (422)."""

    creator_ids: Ids | None = Field(default=None, description="Only these creators (default: all)")
    campaign_ids: Ids | None = Field(default=None, description="Only these campaigns (default: all)")
    currency: CurrencyCode | None = Field(default=None, description="Only this currency (default: all)")
    exclude_creator_ids: Ids | None = Field(default=None, description="Leave these creators out")
    exclude_campaign_ids: Ids | None = Field(default=None, description="Leave these campaigns out")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for name in ("creator_ids", "campaign_ids", "exclude_creator_ids", "exclude_campaign_ids"):
            if (values := getattr(self, name)) is not None:
                setattr(self, name, unique(values))
        for kind in ("creator", "campaign"):
            both = set(getattr(self, f"{kind}_ids") or ()) & set(getattr(self, f"exclude_{kind}_ids") or ())
            if both:
                raise ValueError(f"{kind} ids both selected and excluded: {', '.join(sorted(both))}")
        return self

    def admits(self, entry: LedgerEntry) -> bool:
        return (
            (self.creator_ids is None or entry.creator_id in self.creator_ids)
            and (self.campaign_ids is None or entry.campaign_id in self.campaign_ids)
            and (self.currency is None or entry.currency == self.currency)
            and entry.creator_id not in (self.exclude_creator_ids or ())
            and entry.campaign_id not in (self.exclude_campaign_ids or ())
        )


class PayoutLine(ResponseModel):
    """What one creator is paid in one currency: every campaign's approved, unpaid entries of the
    selection, clawbacks netted."""

    creator_id: str
    currency: str
    campaign_ids: list[str]
    gross: int = Field(description="Orders (and fees) with a positive unpaid balance, minor units")
    clawback: int = Field(description="≤ 0: reversals of commissions already paid, netted here (minor units)")
    amount: int = Field(description="gross + clawback: what is paid, never negative (minor units)")
    entries: int = Field(description="Ledger entries this line marks paid")

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """Payouts booked before clawback netting had one campaign per line and no netting."""
        if isinstance(data, dict) and "campaign_id" in data and "campaign_ids" not in data:
            data = {**data, "campaign_ids": [data["campaign_id"]], "gross": data["amount"], "clawback": 0}
        return data


class CarriedForward(ResponseModel):
    """An approved balance a payout booked now would leave for later, and why."""

    creator_id: str
    currency: str
    campaign_ids: list[str]
    gross: int
    clawback: int = Field(description="≤ 0: reversals of commissions already paid")
    amount: int = Field(description="gross + clawback; negative while the creator owes a clawback")
    entries: int
    reason: Literal["clawback", "below_min_payout"] = Field(
        description="`clawback`: the balance is not positive, it is netted against the creator's next "
        "earnings; `below_min_payout`: under the campaign plan's `min_payout`"
    )


class PayoutPreview(ResponseModel):
    """What a payout booked now with the same selection would hold, and what it would leave."""

    lines: list[PayoutLine]
    totals: dict[str, int] = Field(description="Currency → total")
    carried_forward: list[CarriedForward] = Field(
        description="Approved balances left for a later payout: clawbacks still owed, balances under "
        "the minimum"
    )


class Payout(ResponseModel):
    id: str
    created_at: str
    status: Literal["booking", "booked"] = Field(
        default="booked",
        description="`booking` while its entries are being marked paid (a request cut short is "
        "finished by the next booking); its CSV is only served once `booked`",
    )
    selection: PayoutSelection = Field(default_factory=PayoutSelection)
    lines: list[PayoutLine]
    totals: dict[str, int] = Field(description="Currency → total")
    lines_left: int = Field(
        default=0,
        description="Payable lines left for another payout: one payout marks at most 1,000 entries "
        "(a single creator's line may go over), so it finishes within the API's time limit",
    )
    note: str = Field(
        default="Roster records payouts; it does not move money. Pay the lines, e.g. from the CSV export.",
    )
    actor: Actor | None = Field(
        default=None,
        description="Who booked it: the member or API key (null on payouts booked before members)",
    )


class PayoutSummary(ResponseModel):
    id: str
    created_at: str
    status: Literal["booking", "booked"]
    totals: dict[str, int]
    line_count: int = Field(description="Lines: one per creator and currency")
    entry_count: int = Field(description="Ledger entries marked paid")
    actor: Actor | None = Field(default=None, description="Who booked it (null before members)")

    @classmethod
    def of(cls, payout: Payout) -> PayoutSummary:
        return cls(
            id=payout.id,
            created_at=payout.created_at,
            status=payout.status,
            totals=payout.totals,
            line_count=len(payout.lines),
            entry_count=sum(line.entries for line in payout.lines),
            actor=payout.actor,
        )


class PayoutList(ResponseModel):
    items: list[PayoutSummary] = Field(description="Newest first")
    next_cursor: str | None


class BookingLock(BaseModel):
    """At most one payout is being booked per brand: netting takes a creator's entries together,
    which per-entry conditions alone cannot make atomic."""

    payout_id: str
    lease_until: str
