"""Tracking links: the create and patch bodies and the link as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field

from roster.models.common import PatchModel, RequestModel, ResponseModel

CUSTOM_CODE_PATTERN = r"^[A-Za-z0-9_-]{3,64}$"
Code = Annotated[str, Field(pattern=CUSTOM_CODE_PATTERN, description="3-64 letters, digits, '-' or '_'")]
Url = Annotated[str, Field(min_length=8, max_length=2048)]


class LinkCreate(RequestModel):
    campaign_id: str = Field(min_length=1, max_length=64)
    creator_id: str = Field(min_length=1, max_length=64)
    destination: Url = Field(description="https URL on one of the campaign's allowed domains")
    code: Code | None = Field(default=None, description="Custom code; a random 8-character one if omitted")
    enabled: bool = True
    expires_at: AwareDatetime | None = Field(
        default=None, description="After this time the link stops redirecting"
    )
    expired_url: Url | None = Field(
        default=None, description="Where an expired link sends people (else a 404 page)"
    )


class LinkPatch(PatchModel):
    NULLABLE = frozenset({"expires_at", "expired_url"})

    destination: Url | None = None
    enabled: bool | None = None
    expires_at: AwareDatetime | None = None
    expired_url: Url | None = None


class Link(ResponseModel):
    code: str
    campaign_id: str
    creator_id: str
    destination: str
    enabled: bool
    expires_at: datetime | None = None
    expired_url: str | None = None
    utm_source: str = Field(description="The creator's handle, sent as utm_source")
    utm_campaign: str = Field(description="The campaign's slug, sent as utm_campaign")
    click_id_param: str = Field(description="Query parameter that carries the click id to the store")
    url: str | None = Field(default=None, description="The tracking link to share")
    created_at: str
    updated_at: str
    version: int


class LinkList(ResponseModel):
    items: list[Link]
    next_cursor: str | None
