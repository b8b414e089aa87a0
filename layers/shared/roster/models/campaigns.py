"""Campaigns: objectives, KPIs, status, and the create, patch and response bodies."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from roster.models.collaborations import Terms, WorkflowSettings
from roster.models.commissions import CommissionSettings
from roster.models.common import Domain, Money, PatchModel, RequestModel, ResponseModel, unique
from roster.models.monitoring import MonitoringSettings
from roster.models.posts import ContentRules
from roster.money import MAX_AMOUNT


class Objective(StrEnum):
    AWARENESS = "awareness"
    TRIAL = "trial"
    CONVERSIONS = "conversions"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class KpiMetric(StrEnum):
    CLICKS = "clicks"
    UNIQUE_CLICKS = "unique_clicks"
    CONVERSIONS = "conversions"
    REVENUE = "revenue"
    POSTS = "posts"
    REACH = "reach"
    ENGAGEMENTS = "engagements"
    CREATORS_SIGNED = "creators_signed"


class Kpi(BaseModel):
    """A target with a time box, e.g. 500 conversions by 2027-03-31 (revenue targets are minor units)."""

    model_config = ConfigDict(extra="forbid")

    metric: KpiMetric
    target: int = Field(gt=0, le=MAX_AMOUNT)
    by: date


def _unique_kpis(kpis: list[Kpi]) -> list[Kpi]:
    seen = [(k.metric, k.by) for k in kpis]
    if len(seen) != len(set(seen)):
        raise ValueError("each (metric, by) pair may appear only once")
    return kpis


Kpis = Annotated[list[Kpi], Field(max_length=20), AfterValidator(_unique_kpis)]
Domains = Annotated[list[Domain], Field(max_length=50), AfterValidator(unique)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
ClickIdParam = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValueError("end_date must be on or after start_date")


class CampaignCreate(RequestModel):
    """A new campaign. Between fields: `end_date` is on or after `start_date`, and `status` is
    `draft` or `active` (422 otherwise)."""

    name: Name
    objective: Objective
    kpis: Kpis = []
    budget: Money | None = None
    start_date: date
    end_date: date
    allowed_domains: Domains = Field(
        default=[], description="Hosts tracking links may point to; `*.example.com` covers subdomains"
    )
    status: CampaignStatus = Field(
        default=CampaignStatus.DRAFT, description="A new campaign starts as draft (or active)"
    )
    slug: Slug | None = Field(
        default=None, description="utm_campaign value; derived from the name if not set"
    )
    click_id_param: ClickIdParam = Field(
        default="rid", description="Query parameter carrying the click id to the store"
    )
    allow_http: bool = Field(
        default=False, description="Allow http:// link destinations (https is always allowed)"
    )
    attribution_window_days: int = Field(
        default=30, ge=1, le=365, description="How long after a click an order still counts for the creator"
    )
    attribution_priority: Literal["promo_code", "click"] = Field(
        default="promo_code", description="Which signal wins when an order has both a code and a click"
    )
    content: ContentRules = Field(
        default=ContentRules(), description="Hashtags, mentions and rules for posts"
    )
    commission: CommissionSettings = Field(
        default=CommissionSettings(), description="What creators earn on attributed orders"
    )
    monitoring: MonitoringSettings = Field(
        default=MonitoringSettings(), description="Post monitoring schedule and due date"
    )
    workflow: WorkflowSettings = Field(
        default=WorkflowSettings(), description="Collaboration timers (seconds), seeding, content rounds"
    )
    default_terms: Terms | None = Field(default=None, description="The brand's opening offer to each creator")
    brief: Annotated[str, Field(max_length=20_000)] | None = Field(
        default=None,
        description="Emailed at onboarding: voice, do's and don'ts, mandatory mentions, examples",
    )
    landing_url: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None, description="Where onboarding's tracking links point (an allowed domain)"
    )

    @model_validator(mode="after")
    def _dates(self) -> Self:
        _check_dates(self.start_date, self.end_date)
        if self.status not in (CampaignStatus.DRAFT, CampaignStatus.ACTIVE):
            raise ValueError("a new campaign's status must be draft or active")
        return self


class CampaignPatch(PatchModel):
    """Only the fields sent are changed; `budget: null` removes the budget. The merged campaign
    must still end on or after its start (422 otherwise)."""

    NULLABLE = frozenset({"budget", "default_terms", "brief", "landing_url"})

    name: Name | None = None
    objective: Objective | None = None
    kpis: Kpis | None = None
    budget: Money | None = None
    start_date: date | None = None
    end_date: date | None = None
    allowed_domains: Domains | None = None
    status: CampaignStatus | None = None
    slug: Slug | None = None
    click_id_param: ClickIdParam | None = None
    allow_http: bool | None = None
    attribution_window_days: int | None = Field(default=None, ge=1, le=365)
    attribution_priority: Literal["promo_code", "click"] | None = None
    content: ContentRules | None = None
    commission: CommissionSettings | None = None
    monitoring: MonitoringSettings | None = None
    workflow: WorkflowSettings | None = None
    default_terms: Terms | None = None
    brief: Annotated[str, Field(max_length=20_000)] | None = None
    landing_url: Annotated[str, Field(max_length=2000)] | None = None


class Campaign(ResponseModel):
    id: str
    name: str
    objective: Objective
    kpis: list[Kpi] = []
    budget: Money | None = None
    start_date: date
    end_date: date
    allowed_domains: list[str] = []
    status: CampaignStatus
    slug: str = ""
    click_id_param: str = "rid"
    allow_http: bool = False
    attribution_window_days: int = 30
    attribution_priority: Literal["promo_code", "click"] = "promo_code"
    content: ContentRules = ContentRules()
    commission: CommissionSettings = CommissionSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    default_terms: Terms | None = None
    brief: str | None = None
    landing_url: str | None = None
    cancelled_at: str | None = Field(
        default=None, description="When it was cancelled: orders placed after it earn nothing"
    )
    completed_at: str | None = Field(default=None, description="When it was marked completed")
    created_at: str
    updated_at: str
    version: int

    @property
    def monitored(self) -> bool:
        """Checked on a schedule: active, with monitoring on."""
        return self.status == CampaignStatus.ACTIVE and self.monitoring.enabled

    @model_validator(mode="after")
    def _dates(self) -> Self:
        _check_dates(self.start_date, self.end_date)
        return self


class CampaignList(ResponseModel):
    items: list[Campaign]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last")
