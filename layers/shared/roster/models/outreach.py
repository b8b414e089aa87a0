"""Outreach: email templates and previews, sender settings, sequences, enrollments, messages, the funnel."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from roster.models.common import CountryCode, PatchModel, RequestModel, ResponseModel
from roster.models.creators import Tier

Name = Annotated[str, Field(min_length=1, max_length=200)]
Subject = Annotated[str, Field(min_length=1, max_length=300)]
Body = Annotated[str, Field(min_length=1, max_length=100_000)]


class EmailTemplateCreate(RequestModel):
    """Subject, HTML and text bodies with personalization fields (Jinja2 syntax, e.g.
    `Hi {{ creator.first_name }}`); unknown fields and syntax errors are refused here (422)."""

    name: Name
    subject: Subject
    html: Body
    text: Body


class EmailTemplatePatch(PatchModel):
    name: Name | None = None
    subject: Subject | None = None
    html: Body | None = None
    text: Body | None = None


class EmailTemplate(ResponseModel):
    id: str
    name: str
    subject: str
    html: str
    text: str
    fields: list[str] = Field(description="Personalization fields the template uses")
    created_at: str
    updated_at: str
    version: int


class EmailTemplateList(ResponseModel):
    items: list[EmailTemplate]
    next_cursor: str | None


class PreviewRequest(RequestModel):
    """Whom to preview for. The sender, signature and postal address are the brand's saved ones
    (`PUT /v1/outreach/settings`), as in a send."""

    creator_id: str = Field(min_length=1, max_length=64)
    campaign_id: str | None = Field(
        default=None, max_length=64, description="The campaign: the creator's link, code and page in it"
    )
    offer: str | None = Field(
        default=None, max_length=2000, description="The text of `{{ offer }}` (given when outreach starts)"
    )


class DraftPreviewRequest(PreviewRequest):
    """An unsaved template (what is being typed) previewed for one creator, exactly as a saved one
    would be: its fields are checked as a save checks them (422 naming `subject`, `html` or `text`)."""

    subject: Subject
    html: Body
    text: Body


class RenderedEmail(ResponseModel):
    subject: str
    html: str
    text: str


class EmailPreview(ResponseModel):
    """The message as it would be sent: built by the send worker's own builder and read back."""

    subject: str
    html: str = Field(description="The HTML part: the template, then the footer (postal address, link)")
    text: str = Field(description="The text part: the template, then the footer")
    headers: dict[str, str] = Field(
        description="From, To, Subject, Reply-To, List-Unsubscribe, List-Unsubscribe-Post as sent"
    )
    samples: list[str] = Field(
        description="What is shown with a marked sample value because it does not exist yet: template "
        "fields (`link` → …/r/SAMPLE-LINK, `promo_code` → SAMPLE-CODE, `page_url`, `offer`, `signature`, "
        "`campaign.name`, `sender.name`), `from` and `postal_address` when no sender is set, and always "
        "`reply_to` (each message gets its own reply token; the preview's is answered by nobody). A send "
        "refuses a creator who still lacks a field the template uses unguarded."
    )
    refused: str | None = Field(
        default=None, description="Why this creator would get no email now (suppressed, role address)"
    )


class OutreachSettingsPut(RequestModel):
    """The brand's sender: a From address on an SES-verified identity, and the postal address
    CAN-SPAM requires in every message's footer."""

    from_email: EmailStr
    from_name: Annotated[str, Field(min_length=1, max_length=100)]
    postal_address: Annotated[str, Field(min_length=10, max_length=500)]
    signature: Annotated[str, Field(max_length=2000)] | None = None


class OutreachSettings(ResponseModel):
    from_email: str
    from_name: str
    postal_address: str
    signature: str | None = None
    updated_at: str


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template_id: str = Field(min_length=1, max_length=64)
    delay_days: float = Field(
        default=0, ge=0, le=60, description="After the previous step (0 for the first); 3 = three days later"
    )


class Audience(BaseModel):
    """Who to message: listed creators (`creator_ids`) or a roster filter (`tier`, `tag`,
    `country`; all given filters apply). Give one of the two kinds, not both (422 otherwise)."""

    model_config = ConfigDict(extra="forbid")

    creator_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=1000
    )
    tier: Tier | None = None
    tag: Annotated[str, Field(max_length=50)] | None = None
    country: CountryCode | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        has_filter = any(v is not None for v in (self.tier, self.tag, self.country))
        if (self.creator_ids is None) == (not has_filter):
            raise ValueError("give either creator_ids or a filter (tier, tag, country)")
        return self


class OutreachStart(RequestModel):
    steps: list[Step] = Field(min_length=1, max_length=6, description="First message, then follow-ups")
    audience: Audience
    offer: Annotated[str, Field(max_length=2000)] | None = None


class Sequence(ResponseModel):
    id: str
    campaign_id: str
    steps: list[Step]
    offer: str | None = None
    targeted: int
    enrolled: int
    skipped: list[dict[str, str]] = Field(default=[], description="Creators not enrolled, with the reason")
    created_at: str


StopReason = Literal["replied", "accepted", "declined", "unsubscribed", "bounced", "complained", "refused"]


class Enrollment(ResponseModel):
    """One creator in a campaign's outreach: where their sequence is and what they did."""

    campaign_id: str
    creator_id: str
    sequence_id: str
    status: Literal["active", "completed", "stopped"]
    stop_reason: StopReason | None = None
    step: int = Field(description="The next step to send (== number of steps when all were sent)")
    next_send_at: str | None = None
    sent: int = 0
    delivered: bool = False
    opened: bool = False
    clicked: bool = False
    replied: bool = False
    bounced: bool = False
    complained: bool = False
    unsubscribed: bool = False
    accepted: bool = False
    declined: bool = False
    reply_excerpt: str | None = None
    updated_at: str


class MessageEvent(BaseModel):
    type: str
    at: str
    detail: str | None = None


class OutreachMessage(ResponseModel):
    id: str
    campaign_id: str
    creator_id: str
    sequence_id: str
    step: int
    to_hash: str = Field(description="SHA-256 of the recipient address (the address itself is not kept here)")
    subject: str
    status: Literal["sending", "sent", "delivered", "bounced", "complained", "refused", "failed"]
    reason: str | None = None
    ses_message_id: str | None = None
    events: list[MessageEvent] = []
    created_at: str


class Funnel(BaseModel):
    targeted: int = 0
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    accepted: int = 0
    declined: int = 0
    bounced: int = 0
    unsubscribed: int = 0
    complained: int = 0


class Pipeline(ResponseModel):
    campaign_id: str
    funnel: Funnel
    creators: list[Enrollment]
    next_cursor: str | None


class MessageList(ResponseModel):
    items: list[OutreachMessage]
    next_cursor: str | None


class StopRequest(RequestModel):
    reason: Literal["accepted", "declined"]
