from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl

from roster.models.common import RequestModel, ResponseModel
from roster.models.creators import Platform


class ContentRules(BaseModel):
    """What a campaign's posts should carry, and must not."""

    model_config = ConfigDict(extra="forbid")

    hashtags: list[str] = Field(
        default=[], max_length=50, description="Campaign hashtags that identify its posts"
    )
    mentions: list[str] = Field(default=[], max_length=50, description="Handles that identify its posts")
    keywords: list[str] = Field(default=[], max_length=50)
    mandatory_mentions: list[str] = Field(default=[], max_length=50, description="Must appear in every post")
    banned_terms: list[str] = Field(default=[], max_length=200, description="Must never appear")


class PostMetrics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    views: int | None = Field(default=None, ge=0)
    likes: int | None = Field(default=None, ge=0)
    comments: int | None = Field(default=None, ge=0)


class PostSubmit(RequestModel):
    creator_id: str = Field(min_length=1, max_length=64)
    url: HttpUrl
    platform: Platform
    text: str | None = Field(
        default=None,
        max_length=20_000,
        description="Caption or description as published; left out, Roster reads it from the post's page",
    )
    published_at: AwareDatetime | None = None
    metrics: PostMetrics | None = None


class DisclosureResult(BaseModel):
    result: Literal["compliant", "missing", "insufficient", "buried"]
    reason: str
    matched: str | None = None


class RuleResult(BaseModel):
    ok: bool
    missing_mentions: list[str] = []
    banned_terms: list[str] = []


class MetricsSample(PostMetrics):
    at: str


class Post(ResponseModel):
    id: str
    campaign_id: str
    creator_id: str
    url: str
    platform: Platform
    source: Literal["manual", "feed"]
    published_at: str | None = None
    text: str
    matched: bool
    signals: dict[str, list[str]] = Field(description="Which signals tied the post to the campaign")
    disclosure: DisclosureResult
    brand_rules: RuleResult
    metrics: list[MetricsSample] = []
    first_seen_at: str
    checked_at: str


class PostList(ResponseModel):
    items: list[Post]
    next_cursor: str | None


AlertKind = Literal["disclosure", "brand_rules", "missing_post", "deadline", "stalled", "underperforming"]


class Alert(ResponseModel):
    id: str
    kind: AlertKind
    campaign_id: str
    creator_id: str
    post_id: str | None = None
    message: str
    status: Literal["open", "resolved"]
    created_at: str


class AlertList(ResponseModel):
    items: list[Alert]
    next_cursor: str | None
