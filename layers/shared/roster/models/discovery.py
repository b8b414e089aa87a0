"""Discovery: a creator's audience quality per platform, brand fit and screening against a campaign,
and the brand's competitors. The answers mirror `roster.discovery`'s `to_dict()` shapes field for
field (docs/discovery.md explains every number); these models only document and check them."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from roster.models.common import RequestModel, ResponseModel
from roster.models.creators import Tier

ReadPlatform = Literal["youtube", "bluesky", "mastodon"]
Moment = Annotated[str, Field(description="UTC, milliseconds, `Z` (e.g. `2026-11-22T12:00:00.000Z`)")]


# --- audience quality -----------------------------------------------------------------------------


class QualityEvidence(ResponseModel):
    """One thing a person can check. Accounts are only ever counted, never named."""

    kind: Literal["post", "comment", "growth", "count"]
    detail: str = Field(description="What this shows, in a sentence")
    url: str | None = Field(default=None, description="The post, where the evidence is one")
    text: str | None = Field(
        default=None, description="A quoted comment: cut to 80 characters, @mentions and emails masked"
    )
    count: int | None = None
    value: float | None = Field(default=None, description="Rounded to four decimals")
    at: Moment | None = None


class QualitySignal(ResponseModel):
    name: Literal[
        "engagement_rate", "follower_growth", "comment_quality", "reach_consistency", "follower_audit"
    ]
    value: float | None = Field(description="In `unit`; null without enough data")
    unit: str
    score: int | None = Field(description="0-100; null without enough data or where it does not apply")
    verdict: str = Field(
        description="healthy, low, high, suspicious, mixed, uneven, `not enough data` or `not applicable`"
    )
    benchmark: str = Field(description="The band the value was compared with, in words")
    sample_size: int = Field(description="Items the value was read on")
    needed: int = Field(description="Items needed for a score")
    enough_data: bool
    evidence: list[QualityEvidence]
    explanation: str


class QualityAssessment(ResponseModel):
    """Five signals of one snapshot and an overall score only when at least 3 have enough data."""

    platform: ReadPlatform
    handle: str
    at: Moment = Field(description="When the snapshot was taken: the counts are as of then")
    assessed_at: Moment
    tier: Tier | None = Field(description="From the snapshot's follower count; null without one")
    overall: int | None = Field(
        description="0-100, the weighted mean of the scored signals; null: not enough data"
    )
    verdict: Literal["healthy", "mixed", "poor", "not enough data"]
    explanation: str = Field(description="The arithmetic of the overall, and what was not scored")
    signals: list[QualitySignal]
    missing: list[str] = Field(description="Signals without enough data, or not applicable here")
    flags: list[str] = Field(description="Signals with enough data whose verdict is not healthy")
    notes: list[str] = Field(description="What the source sampled, and a warning when the snapshot is stale")
    source: str = Field(description="Where the bands come from")


class SnapshotPost(ResponseModel):
    url: str
    published_at: Moment | None = None
    text: str = Field(description="Caption, or title and description; cut to 1,000 characters")
    views: int | None = Field(
        default=None, description="null where the platform reports none (Bluesky, Mastodon)"
    )
    likes: int | None = None
    comments: int | None = Field(default=None, description="Replies on Bluesky and Mastodon")
    shares: int | None = Field(default=None, description="Reposts, boosts")


class ProfileSnapshot(ResponseModel):
    """What the platform said about the creator at `at`. The audience samples are only counted
    here: a commenter's text and a follower's facts stay in the table, read by the signals."""

    platform: ReadPlatform
    handle: str
    at: Moment
    followers: int | None = Field(description="null where the platform hides the count")
    following: int | None = None
    posts_count: int | None = None
    display_name: str | None = None
    bio: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, where the platform states it")
    topics: list[str] = Field(description="Topic labels the platform assigns (YouTube)")
    external_id: str | None = Field(default=None, description="The platform's own id (channel id, DID)")
    recent_posts: list[SnapshotPost] = Field(description="Newest first")
    comments_sampled: int = Field(description="Comments in the sample the comment signal read")
    followers_sampled: int = Field(description="Followers in the sample the follower audit read")
    notes: list[str] = Field(description="What the sampling covered")


class PlatformQuality(ResponseModel):
    platform: ReadPlatform
    handle: str = Field(
        description="The account's handle as the platform gives it; for a failure, what it was asked for "
        "(a YouTube channel id where the profile names one)"
    )
    snapshot: ProfileSnapshot | None = Field(description="null: this platform failed (see `failure`)")
    quality: QualityAssessment | None
    failure: str | None = Field(description="Why there is no snapshot, safe to show (no URL, no key)")


class CreatorQuality(ResponseModel):
    creator_id: str
    refreshed_at: Moment | None = Field(description="Time of the newest kept snapshot; null: never enriched")
    platforms: list[PlatformQuality] = Field(description="One per platform; [] when never enriched")


# --- brand fit and screening ----------------------------------------------------------------------


class FitPost(ResponseModel):
    url: str
    published_at: Moment | None
    rank: float | None = Field(description="SQLite FTS5 bm25(): lower is more relevant; compares posts only")
    snippet: str = Field(description="About 16 words around the match, `…` where cut; plain text, never HTML")
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) character spans of the matches in `snippet`"
    )
    terms: list[str] = Field(description="The terms this post matched")


class BrandFit(ResponseModel):
    score: int | None = Field(
        description="0-100: 70% of the share of matching posts (full at 50%) + 30% of the terms found; "
        "null below 5 posts with text"
    )
    verdict: Literal["strong", "moderate", "weak", "none", "not enough data"]
    matched_terms: dict[str, int] = Field(description="Every searched term: the posts containing it")
    posts: list[FitPost] = Field(description="The 5 best-ranked matching posts, best first")
    sample_size: int = Field(description="Posts searched (with text, one per URL)")
    matching_posts: int
    share: float | None = Field(description="matching_posts / sample_size")
    coverage: float | None = Field(description="Share of the terms found, counted up to 5 terms")
    explanation: str
    ignored_terms: list[str] = Field(description="Terms with no letter or digit, not searched")


class BannedUse(ResponseModel):
    url: str
    published_at: Moment | None
    term: str
    excerpt: str = Field(description="About 60 characters either side of the term")


class CompetitorMentions(ResponseModel):
    name: str
    posts: int = Field(description="Posts naming the competitor")
    recent_posts: int = Field(description="Of those, within the last 90 days (an undated post counts)")
    last_at: Moment | None = Field(description="The most recent dated one")
    examples: list[str] = Field(description="Up to 3 post URLs, newest first")
    matched: list[str] = Field(description='How it was named: "Nike", "#Nike", "@nike"')


class DisclosureExample(ResponseModel):
    url: str
    published_at: Moment | None
    verdict: Literal["buried", "insufficient", "missing"]
    reason: str
    signals: list[str] = Field(description="Why the post looked sponsored")


class DisclosureRecord(ResponseModel):
    sponsored_posts: int = Field(description="Posts that look sponsored")
    compliant: int
    share: float | None = Field(
        description="compliant / sponsored_posts; null below 3 sponsored-looking posts"
    )
    by_verdict: dict[str, int] = Field(description="compliant, buried, insufficient, missing: posts each")
    standing: Literal["good", "mixed", "poor", "not enough data"]
    non_compliant: list[DisclosureExample] = Field(description="Up to 3, newest first")
    explanation: str


class Screening(ResponseModel):
    passed: bool | None = Field(
        description="false on a banned term, a competitor named in the last 90 days or a poor disclosure "
        "record; null when nothing failed but fewer than 5 posts with text were read"
    )
    flags: list[str] = Field(description="One line per finding")
    notes: list[str] = Field(description="What could not be judged")
    banned: list[BannedUse]
    competitors: list[CompetitorMentions] = Field(description="Only competitors mentioned, most posts first")
    disclosure: DisclosureRecord
    sample_size: int = Field(description="Posts read (with text, one per URL)")


class CreatorScreening(ResponseModel):
    """Brand fit and screening of the kept recent posts of every platform, against one campaign."""

    creator_id: str
    campaign_id: str
    checked_at: Moment
    posts_read: int = Field(description="Recent posts kept at the last enrichment, all platforms")
    terms: list[str] = Field(
        description="The campaign's keywords, hashtags (`#`) and mentions (`@`) searched"
    )
    fit: BrandFit
    screening: Screening


# --- the brand's discovery settings ---------------------------------------------------------------

MAX_COMPETITORS = 50
MAX_HANDLES = 10
_HANDLE = re.compile(r"[a-z0-9_][a-z0-9_.-]*(@[a-z0-9.-]+)?")


def _handle(value: str) -> str:
    handle = value.strip().lstrip("@").lower()
    if not _HANDLE.fullmatch(handle):
        raise ValueError(
            "a handle is letters, digits, '_', '.' or '-' (a Mastodon handle may end in @instance), "
            "without spaces"
        )
    return handle


def _name(value: str) -> str:
    if not any(ch.isalnum() for ch in value):
        raise ValueError("a competitor's name needs a letter or digit")
    return value


Handle = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_handle)]


class Competitor(BaseModel):
    """A competitor as screening finds it: its name as words and as a hashtag, its handles as
    `@handle`. Handles are stored without the `@`, lowercase, each once."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_name)]
    handles: list[Handle] = Field(default=[], max_length=MAX_HANDLES)

    @model_validator(mode="after")
    def _once(self) -> Self:
        self.handles = list(dict.fromkeys(self.handles))
        return self


class DiscoverySettingsPut(RequestModel):
    """Every competitor of the brand (the list replaces the last one). Names are unique, ignoring
    case: a name given twice is a 422."""

    competitors: list[Competitor] = Field(max_length=MAX_COMPETITORS)

    @field_validator("competitors")
    @classmethod
    def _unique_names(cls, competitors: list[Competitor]) -> list[Competitor]:
        seen: set[str] = set()
        for competitor in competitors:
            key = competitor.name.casefold()
            if key in seen:
                raise ValueError(f"competitor {competitor.name!r} is listed twice")
            seen.add(key)
        return competitors


class DiscoverySettings(ResponseModel):
    competitors: list[Competitor] = Field(description="What screening looks for in creators' posts")
    updated_at: Moment | None = Field(description="null: never set")
