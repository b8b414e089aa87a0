from __future__ import annotations

from typing import Annotated

from pydantic import Field

from roster.models.common import PatchModel, RequestModel, ResponseModel

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
    creator_id: str = Field(min_length=1, max_length=64)
    campaign_id: str | None = Field(default=None, max_length=64)
    offer: str | None = Field(default=None, max_length=2000, description="The offer text for `{{ offer }}`")
    sender_name: str | None = Field(default=None, max_length=200)
    signature: str | None = Field(default=None, max_length=2000)


class RenderedEmail(ResponseModel):
    subject: str
    html: str
    text: str
