from __future__ import annotations

from http import HTTPStatus as H

from aws_lambda_powertools.event_handler.api_gateway import Router

from roster import email_templates, links
from roster.api.deps import WRITE_ERRORS, Cursor, Limit, principal, public_base_url, responses
from roster.models.outreach import (
    EmailTemplate,
    EmailTemplateCreate,
    EmailTemplateList,
    EmailTemplatePatch,
    PreviewRequest,
    RenderedEmail,
)
from roster.settings import get_settings
from roster.store.registry import stores


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
        template = email_templates.create(body)
        stores().outreach.create_template(principal(router).brand_id, template)
        return template

    @router.get(
        "/v1/email-templates",
        tags=["outreach"],
        summary="List email templates",
        responses=responses(200, EmailTemplateList, H.BAD_REQUEST),
    )
    def list_templates(limit: Limit = None, cursor: Cursor = None) -> EmailTemplateList:
        items, next_cursor = stores().outreach.list_templates(
            principal(router).brand_id, limit or get_settings().default_page_size, cursor
        )
        return EmailTemplateList(items=items, next_cursor=next_cursor)

    @router.get(
        "/v1/email-templates/<template_id>",
        tags=["outreach"],
        summary="Get an email template",
        responses=responses(200, EmailTemplate, H.NOT_FOUND),
    )
    def get_template(template_id: str) -> EmailTemplate:
        return stores().outreach.get_template(principal(router).brand_id, template_id)

    @router.patch(
        "/v1/email-templates/<template_id>",
        tags=["outreach"],
        summary="Change an email template (only the fields sent; checked again)",
        responses=responses(200, EmailTemplate, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def patch_template(template_id: str, body: EmailTemplatePatch) -> EmailTemplate:
        brand_id = principal(router).brand_id
        current = stores().outreach.get_template(brand_id, template_id)
        if not body.changes():
            return current
        updated = email_templates.patched(current, body)
        stores().outreach.replace_template(brand_id, updated, expected_version=current.version)
        return updated

    @router.post(
        "/v1/email-templates/<template_id>/preview",
        tags=["outreach"],
        summary="Render the template for one creator (and campaign), exactly as it would be sent",
        responses=responses(200, RenderedEmail, H.NOT_FOUND, *WRITE_ERRORS),
    )
    def preview(template_id: str, body: PreviewRequest) -> RenderedEmail:
        brand_id = principal(router).brand_id
        s = stores()
        template = s.outreach.get_template(brand_id, template_id)
        creator = s.creators.get(brand_id, body.creator_id)
        brand = s.brands.get_brand(brand_id)
        campaign_name = link = promo = None
        if body.campaign_id:
            campaign_name = s.campaigns.get(brand_id, body.campaign_id).name
            found, _ = s.links.list(
                brand_id, campaign_id=body.campaign_id, creator_id=creator.id, limit=1, cursor=None
            )
            link = links.with_url(found[0], public_base_url(router)).url if found else None
            codes, _ = s.promo_codes.list(
                brand_id, campaign_id=body.campaign_id, creator_id=creator.id, limit=1, cursor=None
            )
            promo = codes[0].code if codes else None
        values = email_templates.Personalization(
            creator=creator,
            brand_name=brand.name if brand else "",
            campaign_name=campaign_name,
            offer=body.offer,
            link=link,
            promo_code=promo,
            sender_name=body.sender_name,
            signature=body.signature,
        )
        return email_templates.render(template, values)

    return router
