"""Collaborations (one creator in one campaign): actions, terms, offers, contracts, deliverables,
the waiting step and timeline, workflow settings and the task names the state machines call."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from roster.models.auth import Actor
from roster.models.common import Money, RequestModel, ResponseModel
from roster.models.creators import Platform
from roster.models.outreach import Step

DAY = 86_400
Seconds = Annotated[int, Field(ge=1, le=400 * DAY)]

Stage = Literal[
    "invite", "negotiate", "contract", "onboard", "seeding", "content", "live", "measure", "close", "closed"
]
Outcome = Literal["completed", "declined", "no_answer", "cancelled", "failed"]
BRAND_ACTIONS = frozenset(
    {
        "accept-terms",
        "approve-content",
        "request-changes",
        "record-shipment",
        "cancel",
        "extend",
        "rate",
        "counter",
        "confirm-delivery",
        "grant-round",
    }
)
# `accept-terms` is either side's: each accepts the other side's latest offer, never its own.
CREATOR_ACTIONS = frozenset(
    {
        "accept",
        "decline",
        "counter",
        "accept-terms",
        "sign",
        "submit-content",
        "submit-post",
        "confirm-delivery",
    }
)


class Task(StrEnum):
    """The Lambda tasks the state machines call, by the `task` of their payload:
    `tools/workflows.py` writes these into the definitions and `roster.workflows.tasks.TASKS` runs
    them, so a name cannot drift between the two."""

    WAIT = "wait"
    LATE = "late"
    ENTER = "enter"
    CONTRACT = "contract"
    EXTEND = "extend"
    REMIND = "remind"
    MISSED = "missed"
    STALLED = "stalled"
    EXHAUSTED = "exhausted"
    ONBOARD = "onboard"
    REVISE = "revise"
    CHECK_POST = "check_post"
    MEASURE = "measure"
    FINISH = "finish"
    LAUNCH = "launch"
    REPORT = "report"
    WRAP_UP = "wrap_up"


class WorkflowSettings(BaseModel):
    """Timers of the campaign's collaborations, in seconds (tests compress days into seconds)."""

    model_config = ConfigDict(extra="forbid")

    answer_seconds: Seconds = Field(default=14 * DAY, description="Invitation: wait this long for an answer")
    negotiate_seconds: Seconds = Field(
        default=7 * DAY, description="Negotiation quiet this long → brand alerted"
    )
    sign_due_seconds: Seconds = Field(
        default=7 * DAY, description="Contract due this long after it is issued"
    )
    shipment_seconds: Seconds = 7 * DAY
    delivery_seconds: Seconds = 14 * DAY
    content_due_seconds: Seconds = Field(
        default=14 * DAY, description="Content proposal due after onboarding"
    )
    review_seconds: Seconds = Field(
        default=3 * DAY, description="Brand review of a proposal before a reminder"
    )
    post_due_seconds: Seconds = Field(default=7 * DAY, description="Post due after content approval")
    reminder_seconds: Seconds = Field(default=2 * DAY, description="Reminder this long before a due date")
    grace_seconds: Seconds = Field(default=2 * DAY, description="Grace period after a due date")
    decision_seconds: Seconds = Field(
        default=3 * DAY, description="After a missed deadline, re-alert the brand"
    )
    performance_seconds: Seconds = Field(default=7 * DAY, description="Measurement window after the post")
    rating_seconds: Seconds = 14 * DAY
    report_seconds: Seconds = Field(default=7 * DAY, description="Campaign report period (weekly)")
    seeding: bool = Field(default=False, description="Ship product before content")
    content_rounds: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Proposals the creator may submit; changes requested on the last one leave the brand "
        "to decide: approve it, grant one more round (`grant-round`) or cancel",
    )
    invite_steps: list[Step] = Field(
        default=[],
        max_length=6,
        description="Outreach sequence that invites each creator (use `{{ page_url }}` for accept/decline); "
        "empty: the brand shares the creator page itself",
    )
    underperform_ratio: float = Field(
        default=0.5, gt=0, le=1, description="Alert when clicks fall below this share of the campaign median"
    )


class Deliverable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Platform
    format: Annotated[str, Field(min_length=1, max_length=50, description="e.g. reel, story, video, post")]
    count: int = Field(ge=1, le=100)


class Terms(BaseModel):
    """What both sides agree: the contract is these terms, frozen. `posting_window_end` is on or
    after `posting_window_start` (422 otherwise)."""

    model_config = ConfigDict(extra="forbid")

    deliverables: list[Deliverable] = Field(min_length=1, max_length=20)
    posting_window_start: date
    posting_window_end: date
    content_due: date | None = None
    fee_per_deliverable: Money | None = Field(
        default=None,
        description="Fixed fee of each deliverable (each unit of each count), booked once when its "
        "post is verified: FTC disclosure compliant, or accepted by the brand despite the verdict",
    )
    product_seeding: Annotated[str, Field(max_length=500)] | None = None
    commission: bool = Field(default=True, description="The campaign's commission plan applies")
    usage_rights: Annotated[str, Field(max_length=1000)] = "organic reposting on the brand's own channels"
    usage_rights_days: int = Field(default=90, ge=0, le=3650)
    disclosure_required: bool = True
    cancellation_clause: Annotated[str, Field(max_length=2000)] = (
        "Either side may cancel before content is approved; approved, posted deliverables are paid."
    )

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.posting_window_end < self.posting_window_start:
            raise ValueError("posting_window_end must be on or after posting_window_start")
        return self


class Offer(BaseModel):
    by: Literal["brand", "creator"]
    at: str
    terms: Terms
    note: str | None = None
    accepted_by: Literal["brand", "creator"] | None = Field(
        default=None, description="The other side, when it accepted this offer (`accept-terms`)"
    )
    accepted_at: str | None = None


class Signature(BaseModel):
    name: str
    at: str
    ip_hash: str
    document_hash: str


class Contract(BaseModel):
    terms: Terms
    offer: int | None = Field(
        default=None,
        description="Which offer the contract freezes (1 = the first of `offers`): the one the other side "
        "accepted",
    )
    document_hash: str = Field(description="SHA-256 of the canonical terms JSON: what was signed")
    issued_at: str
    signature: Signature | None = None


class Shipment(BaseModel):
    carrier: str
    tracking_number: str
    shipped_at: str
    delivered_at: str | None = None
    confirmed_by: Literal["brand", "creator"] | None = None


class MediaFile(BaseModel):
    """A draft file the creator uploaded (image or video), kept privately in the uploads bucket."""

    key: str = Field(description="Object key in the uploads bucket (`drafts/<brand>/<collaboration>/…`)")
    name: str = Field(description="The file's name on the creator's device")
    content_type: str = Field(description="Sniffed from the file's first bytes, not taken from the name")
    size: int = Field(description="Bytes")
    uploaded_at: str
    url: str | None = Field(
        default=None, description="A signed URL to view it (15 minutes), filled only in answers"
    )


class Proposal(BaseModel):
    round: int
    text: str = Field(description="The caption the creator proposes")
    note: str | None = Field(default=None, description="The creator's note to the brand with this round")
    media_urls: list[str] = Field(default=[], description="Links an API client gave with the proposal")
    media: list[MediaFile] = Field(default=[], description="Files the creator uploaded with the proposal")
    submitted_at: str
    decision: Literal["approved", "changes_requested"] | None = None
    comments: str | None = None
    decided_at: str | None = None


class Waiting(BaseModel):
    actions: list[str]
    since: str
    until: str
    due: str | None = None


class TimelineEvent(BaseModel):
    at: str
    type: str
    by: Literal["brand", "creator", "roster"]
    actor: Actor | None = Field(
        default=None,
        description="Who acted for the brand (a member or an API key); null when the brand did not act "
        "or the event predates members",
    )
    detail: dict[str, Any] = {}


class Rating(BaseModel):
    """The brand's rating at the close, kept in the creator's history."""

    score: int = Field(description="1 (poor) to 5 (excellent), whole numbers")
    notes: str | None = None


DeliverableState = Literal["due", "posted", "verified", "booked"]
Verdict = Literal["compliant", "missing", "insufficient", "buried", "unknown"]  # unknown: unreadable


class PostAcceptance(BaseModel):
    """The brand took a post as proof despite its disclosure verdict."""

    by: str = Field(description="Who accepted: the id of the member or API key that made the call")
    actor: Actor | None = Field(
        default=None, description="Who accepted (null on records from before members)"
    )
    at: str
    disclosure: Verdict | None = Field(
        default=None, description="The verdict at the time (null: not checked yet)"
    )
    note: str | None = None


class DeliverableUnit(BaseModel):
    """One unit of a contract deliverable (two stories are two units) and its proof of post."""

    deliverable: int = Field(description="Index in the contract's `deliverables`")
    unit: int = Field(description="Which of that deliverable's `count`, from 0")
    platform: Platform
    format: str
    state: DeliverableState = Field(
        description="due: no post yet; posted: a post is matched to it but not verified (disclosure not "
        "compliant, or not checked yet); verified: disclosure compliant or accepted by the brand; "
        "booked: its fixed fee is in the ledger (a unit without a fee stays verified)"
    )
    milestone_id: str = Field(
        description="Ledger milestone of its fixed fee: `<collaboration>:<deliverable>:<unit>`"
    )
    fee: Money | None = None
    post_id: str | None = None
    post_url: str | None = None
    posted_at: str | None = None
    disclosure: Verdict | None = Field(default=None, description="The post's last disclosure verdict")
    verified_at: str | None = None
    verified_by: Literal["disclosure", "brand", "contract"] | None = Field(
        default=None,
        description="disclosure: compliant; brand: accepted (see `acceptance`); contract: the contract "
        "does not require disclosure",
    )
    acceptance: PostAcceptance | None = None
    booked_at: str | None = None


class Collaboration(ResponseModel):
    id: str
    campaign_id: str
    creator_id: str
    stage: Stage
    status: Literal["open", "closed"]
    outcome: Outcome | None = None
    waiting_for: Waiting | None = Field(
        default=None, description="What the workflow waits for, and until when"
    )
    offers: list[Offer] = []
    contract: Contract | None = None
    shipment: Shipment | None = None
    proposals: list[Proposal] = []
    extra_rounds: int = Field(
        default=0, description="Content rounds the brand granted beyond the campaign's `content_rounds`"
    )
    post_url: str | None = Field(default=None, description="The last post submitted (or found)")
    post_id: str | None = None
    deliverables: list[DeliverableUnit] = Field(
        default=[], description="Each unit of the contract's deliverables with its post and fee state"
    )
    rating: Rating | None = None
    timeline: list[TimelineEvent] = []
    creator_url: str | None = Field(
        default=None,
        description="The creator's own page for this collaboration (signed link; share it with them)",
    )
    created_at: str
    updated_at: str


class CollaborationList(ResponseModel):
    items: list[Collaboration]
    next_cursor: str | None


class CollaborationsStart(RequestModel):
    creator_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=500
    )


class ActionBody(RequestModel):
    """Fields used by some actions: `terms` (counter; `accept-terms` takes none: it accepts the other
    side's latest offer as it stands), `comments` (request-changes), `carrier` and
    `tracking_number` (record-shipment), `seconds` (extend), `score`/`notes` (rate), `reason`
    (cancel, or decline: why), `name` and `consent` (sign), `text`/`media_urls` (submit-content),
    `url`, `platform` and `text` (submit-post: one post per call; the platform, else the URL's host,
    picks the deliverable; `text` is the caption, checked when Roster cannot read the post's page)."""

    terms: Terms | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    comments: Annotated[str, Field(max_length=5000)] | None = None
    carrier: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    tracking_number: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    seconds: Seconds | None = None
    score: int | None = Field(default=None, ge=1, le=5, description="rate: 1 (poor) to 5 (excellent)")
    notes: Annotated[str, Field(max_length=5000)] | None = None
    reason: Annotated[str, Field(max_length=1000)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    consent: bool | None = Field(
        default=None,
        description="sign: the signer ticked that they agree to sign electronically (the creator page "
        "requires it; kept on the timeline)",
    )
    text: Annotated[str, Field(min_length=1, max_length=20_000)] | None = None
    media_urls: list[HttpUrl] = Field(default=[], max_length=20)
    url: HttpUrl | None = None
    platform: Platform | None = Field(
        default=None, description="submit-post: the post's platform (default: from the URL's host)"
    )


class PostAccept(RequestModel):
    note: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None, description="Why the brand accepts the post despite its disclosure verdict"
    )
