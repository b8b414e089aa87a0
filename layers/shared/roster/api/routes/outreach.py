"""Routes for outreach: email templates and previews, the sender settings, sequences, messages, stop."""

from __future__ import annotations

from http import HTTPStatus as H
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster.api.deps import (
    WRITE_ERRORS,
    Cursor,
    Limit,
    admin,
    page_size,
    principal,
    public_base_url,
    responses,
)
from roster.deps import deps
from roster.errors import NotFound
from roster.models.outreach import (
    DraftPreviewRequest,
    EmailPreview,
    EmailTemplate,
    EmailTemplateCreate,
    EmailTemplateList,
    EmailTemplatePatch,
    Enrollment,
    MessageList,
    OutreachSettings,
    OutreachSettingsPut,
    OutreachStart,
    Pipeline,
    PreviewRequest,
    Sequence,
    StopRequest,
)

if TYPE_CHECKING:
    from roster.outreach.sequences import MailConfig


def build_router() -> Router:
    """Outreach email templates: saved only when every field is known, previewed per creator."""
    router = Router()

    @router.post(
        "/v1/email-templates",
        status_code=201,
        tags=["outreach"],
        summary="Create an email template (syntax and fields checked now, not at send time)",
        responses=responses(201, EmailTemplate, *WRITE_ERRORS),
    )
    def create_template(body: EmailTemplateCreate) -> EmailTemplate:
        from roster.outreach import email_templates

        template = email_templates.create(body)
        deps().stores.outreach.create_template(principal(router).brand_id, template)
        return template

    @router.get(
        "/v1/email-templates",
        tags=["outreach"],
        summary="List email templates",
        responses=responses(200, EmailTemplateList, H.BAD_REQUEST),
    )
    def list_templates(limit: Limit = None, cursor: Cursor = None) -> EmailTemplateList:
        items, next_cursor = deps().stores.outreach.list_templates(
            principal(router).brand_id, page_size(limit), cursor
        )
        return EmailTemplateList(items=items, next_cursor=next_cursor)

    @router.get(
        "/v1/email-templates/<template_id>",
        tags=["outreach"],
        summary="Get an email template",
        responses=responses(200, EmailTemplate, H.NOT_FOUND),
    )
    def get_template(template_id: str) -> EmailTemplate:
        return deps().stores.outreach.require_template(principal(router).brand_id, template_id)

    @router.patch(
        "/v1/email-templates/<template_id>",
        tags=["outreach"],
        summary="Change an email template (only the fields sent; checked again)",
        responses=responses(200, EmailTemplate, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def patch_template(template_id: str, body: EmailTemplatePatch) -> EmailTemplate:
        from roster.outreach import email_templates

        brand_id = principal(router).brand_id
        current = deps().stores.outreach.require_template(brand_id, template_id)
        if not body.changes():
            return current
        updated = email_templates.patched(current, body)
        deps().stores.outreach.replace_template(brand_id, updated, expected_version=current.version)
        return updated

    @router.post(
        "/v1/email-templates/<template_id>/preview",
        tags=["outreach"],
        summary="Render the template for one creator (and campaign), exactly as it would be sent",
        description="Built by the send worker's own builder: subject, text and HTML parts with the "
        "footer (postal address, unsubscribe link) and the headers, with the creator's real link, "
        "code and page when they exist and marked sample values (listed in `samples`) when not yet.",
        responses=responses(200, EmailPreview, H.NOT_FOUND, *WRITE_ERRORS),
    )
    def preview(template_id: str, body: PreviewRequest) -> EmailPreview:
        from roster.outreach import sequences

        return sequences.preview(deps().stores, mail_config(), principal(router).brand_id, template_id, body)

    def mail_config() -> MailConfig:
        from roster.outreach import sequences

        s = deps().settings
        if not (s.outreach_signing_key and s.mail_domain):
            raise RuntimeError("OUTREACH_SIGNING_KEY and MAIL_DOMAIN must be set")
        return sequences.MailConfig(s.outreach_signing_key, s.mail_domain, public_base_url(router))

    @router.post(
        "/v1/email-templates/preview",
        tags=["outreach"],
        summary="Render a template not saved yet (the one being written) for one creator, as sent",
        description="The same answer as `POST /v1/email-templates/{template_id}/preview`, for the subject, "
        "HTML and text in the body: checked as a save checks them (422 naming `subject`, `html` or `text` "
        "for an unknown field or a syntax error), nothing stored. What an editor's live preview calls.",
        responses=responses(200, EmailPreview, H.NOT_FOUND, *WRITE_ERRORS),
    )
    def preview_draft(body: DraftPreviewRequest) -> EmailPreview:
        from roster.outreach import sequences

        return sequences.preview_draft(deps().stores, mail_config(), principal(router).brand_id, body)

    @router.put(
        "/v1/outreach/settings",
        tags=["outreach"],
        summary="Set the brand's sender (an SES-verified address or domain) and postal address (admin only)",
        responses=responses(200, OutreachSettings, H.FORBIDDEN, *WRITE_ERRORS),
    )
    def put_settings(body: OutreachSettingsPut) -> OutreachSettings:
        from roster.outreach import sequences

        return sequences.set_sender(deps(), admin(router).brand_id, body)

    @router.get(
        "/v1/outreach/settings",
        tags=["outreach"],
        summary="The brand's sender settings",
        responses=responses(200, OutreachSettings, H.NOT_FOUND),
    )
    def get_settings_route() -> OutreachSettings:
        found = deps().stores.outreach.get_settings(principal(router).brand_id)
        if found is None:
            raise NotFound("no sender set yet: PUT /v1/outreach/settings")
        return found

    @router.post(
        "/v1/campaigns/<campaign_id>/outreach",
        status_code=202,
        tags=["outreach"],
        summary="Message creators (a list or a roster filter) with a sequence: first email + follow-ups",
        responses=responses(202, Sequence, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def start_outreach(campaign_id: str, body: OutreachStart) -> Sequence:
        from roster.outreach import sequences

        return sequences.start(deps(), principal(router).brand_id, campaign_id, body)

    @router.get(
        "/v1/campaigns/<campaign_id>/outreach",
        tags=["outreach"],
        summary="The recruiting funnel (targeted → sent → … → accepted) and each creator's state",
        responses=responses(200, Pipeline, H.NOT_FOUND, H.BAD_REQUEST),
    )
    def pipeline(campaign_id: str, limit: Limit = None, cursor: Cursor = None) -> Pipeline:
        from roster.outreach import sequences

        return sequences.pipeline(
            deps().stores,
            principal(router).brand_id,
            campaign_id,
            limit=page_size(limit),
            cursor=cursor,
        )

    @router.get(
        "/v1/campaigns/<campaign_id>/outreach/messages",
        tags=["outreach"],
        summary="Every outreach message of the campaign (or one creator) with its delivery events",
        responses=responses(200, MessageList, H.NOT_FOUND, H.BAD_REQUEST),
    )
    def messages(
        campaign_id: str,
        creator_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> MessageList:
        brand_id = principal(router).brand_id
        deps().stores.campaigns.require(brand_id, campaign_id)
        items, next_cursor = deps().stores.outreach.messages(
            brand_id, campaign_id, creator_id, limit=page_size(limit), cursor=cursor
        )
        return MessageList(items=items, next_cursor=next_cursor)

    @router.post(
        "/v1/campaigns/<campaign_id>/outreach/<creator_id>/stop",
        tags=["outreach"],
        summary="Record the creator's answer (accepted / declined): their sequence stops",
        responses=responses(200, Enrollment, H.NOT_FOUND, *WRITE_ERRORS),
    )
    def stop_outreach(campaign_id: str, creator_id: str, body: StopRequest) -> Enrollment:
        from roster.outreach import sequences

        brand_id = principal(router).brand_id
        return sequences.record_answer(deps(), brand_id, campaign_id, creator_id, body.reason)

    return router
