"""Applications: the brand's public application page (its settings) and what applicants send
through it, from unconfirmed (email not confirmed yet) to pending, approved or declined."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from roster.models.common import CountryCode, RequestModel, ResponseModel, unique
from roster.models.creators import Handle, Platform

# Lowercase letters, digits and dashes, 3-60 long, no leading, trailing or doubled dash.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"  # with min/max length below
MAX_HANDLES = 4
MAX_CAMPAIGNS = 20

PageSlug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        min_length=3,
        max_length=60,
        description="Lowercase letters, digits and dashes (3-60); unique across Roster: "
        "the page is at /apply/<slug>",
        examples=["peak-gear"],
    ),
]
CampaignIds = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=64)]],
    Field(max_length=MAX_CAMPAIGNS),
    AfterValidator(unique),
]


class ApplicationStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"  # the applicant has not confirmed their email: the brand does not see it
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class ApplicationPagePut(RequestModel):
    """The brand's application page. Changing the slug frees the old one at once (a link to it
    then shows "not found")."""

    slug: PageSlug
    enabled: bool = True
    intro: Annotated[str, Field(max_length=4000)] = Field(
        default="", description="Shown above the form: who you look for, what you offer"
    )
    campaign_ids: CampaignIds = Field(
        default=[],
        description="Campaigns one may apply to, by their slug: /apply/<slug>?campaign=<campaign slug>",
    )


class ApplicationPage(ResponseModel):
    slug: str
    enabled: bool
    intro: str = ""
    campaign_ids: list[str] = []
    url: str | None = Field(default=None, description="The public page to share")
    updated_at: str
    version: int


class ApplicationHandle(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: Platform
    handle: Handle  # as a creator's: "@" and spaces around it stripped, never empty
    followers: Annotated[int, Field(ge=0, le=10**11)] | None = None


class ApplicationForm(RequestModel):
    """What an applicant sends (the page's form, checked as one)."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: EmailStr
    handles: Annotated[list[ApplicationHandle], Field(max_length=MAX_HANDLES)] = []
    country: CountryCode | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class Application(ResponseModel):
    id: str
    status: ApplicationStatus
    name: str
    email: str
    handles: list[ApplicationHandle] = []
    country: str | None = None
    note: str | None = None
    campaign_id: str | None = Field(default=None, description="The campaign applied to, if any")
    creator_id: str | None = Field(default=None, description="Set once the email is confirmed")
    created_at: str
    applied_at: str | None = Field(default=None, description="When the email was confirmed")
    decided_at: str | None = None
    decided_by: str | None = Field(default=None, description="The member (or API key) that decided")
    collaboration_id: str | None = Field(default=None, description="Started when approved into a campaign")
    version: int


class ApplicationList(ResponseModel):
    items: list[Application]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last")


class ApproveBody(RequestModel):
    campaign_id: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="Start a collaboration with the creator in this campaign"
    )


class DeclineBody(RequestModel):
    template_id: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="The email template to decline with; default: a short kind note"
    )
