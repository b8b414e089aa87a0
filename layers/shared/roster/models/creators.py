"""Creators: platforms and social profiles, tiers, statuses, engagement, and the import results."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, HttpUrl

from roster.models.common import CountryCode, PatchModel, RequestModel, ResponseModel, Tag, unique


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    X = "x"
    FACEBOOK = "facebook"
    THREADS = "threads"
    TWITCH = "twitch"
    PINTEREST = "pinterest"
    SNAPCHAT = "snapchat"
    LINKEDIN = "linkedin"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    BLOG = "blog"
    PODCAST = "podcast"


class Tier(StrEnum):
    NANO = "nano"
    MICRO = "micro"
    MID = "mid"
    MACRO = "macro"


class TierSource(StrEnum):
    DERIVED = "derived"
    MANUAL = "manual"


class FollowersSource(StrEnum):
    DERIVED = "derived"
    MANUAL = "manual"


class CreatorStatus(StrEnum):
    PROSPECT = "prospect"
    APPLICANT = "applicant"  # applied through the brand's application page; the brand decides
    ACTIVE = "active"
    ARCHIVED = "archived"


def _handle(value: str) -> str:
    handle = value.strip().lstrip("@")
    if not handle:
        raise ValueError("handle must not be empty")
    return handle


Handle = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_handle)]
Count = Annotated[int, Field(ge=0, le=10**11)]


class SocialProfile(BaseModel):
    """One platform account: handle, where the profile lives and, where it has one, its feed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    handle: Handle
    profile_url: HttpUrl | None = None
    feed_url: HttpUrl | None = Field(default=None, description="RSS/Atom feed used by post monitoring")
    followers: Count | None = None


class ShippingAddress(BaseModel):
    """Where the brand ships product for seeding: the creator's to give, change and delete."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    line1: Annotated[str, Field(min_length=1, max_length=200)]
    line2: Annotated[str, Field(max_length=200)] | None = None
    city: Annotated[str, Field(min_length=1, max_length=100)]
    region: Annotated[str, Field(max_length=100)] | None = None
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]
    country: CountryCode
    phone: Annotated[str, Field(max_length=40)] | None = None


class EngagementStats(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engagement_rate: float | None = Field(
        default=None, ge=0, le=100, description="Percent of followers engaging per post, e.g. 3.2"
    )
    avg_views: Count | None = None
    avg_likes: Count | None = None
    avg_comments: Count | None = None


Tags = Annotated[list[Tag], Field(max_length=50), AfterValidator(unique)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Notes = Annotated[str, Field(max_length=10_000)]
Platforms = Annotated[dict[Platform, SocialProfile], Field(max_length=len(Platform))]
OwnerId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="The team member who owns the relationship (a member id of the brand: GET /v1/members)",
    ),
]


class CreatorCreate(RequestModel):
    name: Name
    email: EmailStr
    platforms: Platforms = {}
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. US")
    tier: Tier | None = Field(default=None, description="Set to override the tier derived from followers")
    followers: Count | None = Field(
        default=None, description="Total audience; defaults to the sum of the platforms' followers"
    )
    engagement: EngagementStats | None = None
    tags: Tags = []
    notes: Notes | None = None
    status: CreatorStatus = CreatorStatus.PROSPECT
    owner_id: OwnerId | None = None


class CreatorPatch(PatchModel):
    """Only the fields sent are changed. `tier: null` goes back to the derived tier."""

    NULLABLE = frozenset(
        {
            "country",
            "tier",
            "followers",
            "engagement",
            "notes",
            "owner_id",
            "payout_email",
            "shipping_address",
        }
    )

    name: Name | None = None
    email: EmailStr | None = None
    platforms: Platforms | None = None
    country: CountryCode | None = None
    tier: Tier | None = None
    followers: Count | None = Field(
        default=None, description="A stated total; `null` goes back to the sum of the platforms' followers"
    )
    engagement: EngagementStats | None = None
    tags: Tags | None = None
    notes: Notes | None = None
    status: CreatorStatus | None = None
    owner_id: OwnerId | None = Field(default=None, description="A member id of the brand; `null` clears it")
    payout_email: EmailStr | None = Field(default=None, description="Where payouts go; `null` clears it")
    shipping_address: ShippingAddress | None = Field(default=None, description="`null` deletes it")


class Creator(ResponseModel):
    id: str
    name: str
    email: str
    platforms: dict[Platform, SocialProfile] = {}
    country: str | None = None
    tier: Tier | None = Field(default=None, description="Effective tier: the manual one if set, else derived")
    tier_source: TierSource | None = None
    followers: int | None = Field(
        default=None,
        description="Total audience: the stated total, else the sum of the platforms' followers "
        "(null when no platform has a count)",
    )
    followers_source: FollowersSource | None = Field(
        default=None, description="`manual`: a stated total; `derived`: the platforms' sum, kept up to date"
    )
    engagement: EngagementStats | None = None
    tags: list[str] = []
    notes: str | None = None
    status: CreatorStatus
    owner_id: str | None = Field(default=None, description="The team member who owns the relationship")
    payout_email: str | None = Field(
        default=None, description="Where the creator wants payouts sent (set by them in creator home)"
    )
    shipping_address: ShippingAddress | None = Field(
        default=None, description="Where to ship product for seeding (the creator's; they can delete it)"
    )
    created_at: str
    updated_at: str
    version: int


class CreatorList(ResponseModel):
    items: list[Creator]
    next_cursor: str | None


class ImportOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    ERROR = "error"


class ImportRowResult(ResponseModel):
    row: int = Field(description="1-based line number in the CSV, header is line 1")
    status: ImportOutcome
    creator_id: str | None = None
    email: str | None = None
    errors: list[str] = []


class ImportSummary(ResponseModel):
    created: int
    updated: int
    errors: int


class ImportResult(ResponseModel):
    summary: ImportSummary
    rows: list[ImportRowResult]
