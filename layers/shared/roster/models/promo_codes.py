"""Promo codes: the create and patch bodies, retired periods, and the code as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from roster import clock
from roster.models.common import PatchModel, RequestModel, ResponseModel

CODE_PATTERN = r"^[A-Za-z0-9_-]{3,32}$"
PromoStatus = Literal["active", "retired"]
StripePromotionCode = Annotated[
    str,
    Field(
        pattern=r"^promo_[A-Za-z0-9]{1,64}$",
        description="The id of the Stripe promotion code that is this code in Stripe (`promo_…`): Stripe's "
        "events name applied promotion codes by id, so orders that used it are attributed to this code",
    ),
]


class PromoCodeCreate(RequestModel):
    """Give either `code` or `pattern`, not both and not neither (422 otherwise)."""

    campaign_id: str = Field(min_length=1, max_length=64)
    creator_id: str = Field(min_length=1, max_length=64)
    code: str | None = Field(default=None, pattern=CODE_PATTERN, description="The code, e.g. MAYA10")
    pattern: str | None = Field(
        default=None,
        max_length=40,
        description="Generate the code: {HANDLE} (creator's handle), {NAME} (first name), {N} (the "
        "first free number from 1), {RAND} (4 random characters); e.g. {HANDLE}{N}",
    )
    stripe_promotion_code: StripePromotionCode | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.code is None) == (self.pattern is None):
            raise ValueError("give either code or pattern")
        return self


class PromoCodePatch(PatchModel):
    """Only the fields sent change; `stripe_promotion_code: null` removes the mapping."""

    NULLABLE = frozenset({"stripe_promotion_code"})

    status: PromoStatus | None = Field(
        default=None,
        description="`retired`: orders placed from now on are still attributed to the code but earn "
        "nothing; `active` again: they earn again (the retired period stays without commission)",
    )
    stripe_promotion_code: StripePromotionCode | None = None


class RetiredPeriod(BaseModel):
    start: str
    end: str


class PromoCode(ResponseModel):
    code: str = Field(description="As registered; matching is case-insensitive")
    campaign_id: str
    creator_id: str
    status: PromoStatus = "active"
    retired_at: str | None = Field(default=None, description="Retired since (null while active)")
    retired_periods: list[RetiredPeriod] = Field(
        default=[], description="Earlier retirements, ended by reactivation: orders placed then earn nothing"
    )
    stripe_promotion_code: str | None = Field(default=None, description="The Stripe promotion code it is")
    created_at: str
    updated_at: str | None = None
    version: int = 1

    def retired_when(self, ordered_at: datetime) -> str | None:
        """The start of the retirement an order placed at `ordered_at` falls in (None: none)."""
        if self.retired_at and ordered_at >= clock.parse(self.retired_at):
            return self.retired_at
        for period in self.retired_periods:
            if clock.parse(period.start) <= ordered_at < clock.parse(period.end):
                return period.start
        return None


class PromoCodeList(ResponseModel):
    items: list[PromoCode]
    next_cursor: str | None
