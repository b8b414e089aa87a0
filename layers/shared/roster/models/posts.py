"""Posts and alerts: content rules, metrics, disclosure and brand-rule results, alerts and resolutions."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl

from roster.models.auth import Actor
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
        description="Caption or description as published; left out, Roster reads it from the post's page "
        "(a page it cannot read is a 422: send the text). A caption sent here is checked and shown, but "
        "proves no deliverable: accept the post for that",
    )
    published_at: AwareDatetime | None = None
    metrics: PostMetrics | None = None


DisclosureVerdict = Literal["compliant", "missing", "insufficient", "buried", "unknown"]
# Where the checked text came from: Roster read the post's page or the creator's feed, or the brand
# or the creator sent the caption (checked and shown; it proves no deliverable by itself).
TextFrom = Literal["page", "feed", "brand", "creator"]


class DisclosureResult(BaseModel):
    result: DisclosureVerdict = Field(
        description="`unknown`: Roster could not read the post (see the post's `page_error`)"
    )
    reason: str
    matched: str | None = None


class RuleResult(BaseModel):
    ok: bool | None = Field(default=None, description="null: not checked (the post could not be read)")
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
    text_from: TextFrom | None = Field(
        default=None,
        description="Where the checked text came from: `page` or `feed` (read by Roster), `brand` or "
        "`creator` (a caption they sent: checked and shown, proof only once the brand accepts the post); "
        "null when nothing could be read, or for posts recorded before this was kept",
    )
    page_error: str | None = Field(
        default=None,
        description="Why the last reading of the post's page failed (null when it was read); the checks "
        "are then those of the last reading that worked, of the caption sent with it, or `unknown`",
    )
    metrics: list[MetricsSample] = []
    first_seen_at: str
    checked_at: str

    def proves_disclosure(self) -> bool:
        """Compliant as Roster read it itself: a caption someone sent is their word, not proof."""
        return self.disclosure.result == "compliant" and self.text_from not in ("brand", "creator")


class PostList(ResponseModel):
    items: list[Post]
    next_cursor: str | None


AlertKind = Literal[
    "disclosure",
    "brand_rules",
    "missing_post",
    "deadline",
    "stalled",
    "underperforming",
    "budget_80",  # a campaign's spend reached 80 % of its budget
    "budget_100",  # … and all of it
    "post_unreadable",  # Roster could not read a post's page, so it checked nothing on it
]
AlertStatus = Literal["open", "resolved"]


class AlertResolution(BaseModel):
    at: str
    by: str = Field(
        description="The id of the member or API key that resolved it, or `roster` when its cause went away"
    )
    actor: Actor | None = Field(
        default=None, description="The member or API key that resolved it; null when Roster did"
    )
    reason: str | None = Field(
        default=None, description="The brand's note, or what removed the cause (resolved by Roster)"
    )


class Alert(ResponseModel):
    id: str
    kind: AlertKind
    campaign_id: str
    creator_id: str
    collaboration_id: str | None = Field(
        default=None, description="The creator's collaboration in the campaign, when there is one"
    )
    post_id: str | None = None
    message: str
    status: AlertStatus
    created_at: str
    reopened_at: str | None = Field(
        default=None, description="The last time its cause came back after it was resolved"
    )
    resolution: AlertResolution | None = Field(default=None, description="Who resolved it, when and why")


class AlertResolve(RequestModel):
    note: str | None = Field(
        default=None, max_length=2000, description="Why it is resolved (kept on the alert)"
    )


class AlertList(ResponseModel):
    items: list[Alert]
    next_cursor: str | None
