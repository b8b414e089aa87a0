from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from roster.models.common import RequestModel, ResponseModel

CODE_PATTERN = r"^[A-Za-z0-9_-]{3,32}$"


class PromoCodeCreate(RequestModel):
    campaign_id: str = Field(min_length=1, max_length=64)
    creator_id: str = Field(min_length=1, max_length=64)
    code: str | None = Field(default=None, pattern=CODE_PATTERN, description="The code, e.g. MAYA10")
    pattern: str | None = Field(
        default=None,
        max_length=40,
        description="Generate the code: {HANDLE} (creator's handle), {NAME} (first name), {N} (the "
        "first free number from 1), {RAND} (4 random characters); e.g. {HANDLE}{N}",
    )

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.code is None) == (self.pattern is None):
            raise ValueError("give either code or pattern")
        return self


class PromoCode(ResponseModel):
    code: str = Field(description="As registered; matching is case-insensitive")
    campaign_id: str
    creator_id: str
    created_at: str


class PromoCodeList(ResponseModel):
    items: list[PromoCode]
    next_cursor: str | None
