"""Routes for the application page (its settings, admin) and the applications it brings in:
list them, approve (optionally starting a collaboration) or decline (with an email)."""

from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from roster import ids
from roster.api.deps import (
    WRITE_ERRORS,
    Cursor,
    Limit,
    admin,
    page_size,
    principal,
    public_base_url,
    responses,
    state_machines,
)
from roster.deps import Deps, deps
from roster.errors import Conflict
from roster.models.applications import (
    Application,
    ApplicationList,
    ApplicationPage,
    ApplicationPagePut,
    ApplicationStatus,
    ApproveBody,
    DeclineBody,
)
from roster.models.creators import Creator, CreatorStatus
from roster.models.outreach import EmailTemplate

DECLINE_SUBJECT = "Your application to {brand}"
DECLINE_TEXT = (
    "Hi {first},\n"
    "Thank you for applying to work with {brand}, and for the time you took to tell us about your work.\n"
    "We have read your application carefully, and we will not be moving forward with it this time.\n"
    "We wish you all the best with your content.\n"
    "{brand}"
)


def _decline_email(
    d: Deps, brand_id: str, creator: Creator, template: EmailTemplate | None
) -> tuple[str, str]:
    """(subject, text) of the decline: the brand's template personalized for the creator (a
    RenderError, 422, before anything is decided), else a short kind note."""
    from roster.outreach import email_templates, sequences

    brand = d.stores.brands.get_brand(brand_id)
    brand_name = brand.name if brand else "the brand"
    if template is None:
        first = creator.name.split()[0] if creator.name.split() else creator.name
        return DECLINE_SUBJECT.format(brand=brand_name), DECLINE_TEXT.format(first=first, brand=brand_name)
    sender = d.stores.outreach.get_settings(brand_id)
    values = sequences.personalization(
        d.stores,
        brand_id,
        creator,
        None,
        public_url=d.settings.link_base_url or "",
        offer=None,
        sender_name=sender.from_name if sender else None,
        signature=sender.signature if sender else None,
    )
    rendered = email_templates.render(template, values)
    return rendered.subject, rendered.text


def build_router() -> Router:
    """The brand's public application page and its applications."""
    router = Router()

    def shown(page: ApplicationPage) -> ApplicationPage:
        return page.model_copy(update={"url": f"{public_base_url(router)}/apply/{page.slug}"})

    @router.get(
        "/v1/application-page",
        tags=["applications"],
        summary="The brand's public application page: its address (slug), intro, campaigns one may apply to",
        responses=responses(200, ApplicationPage, H.NOT_FOUND),
    )
    def get_page() -> ApplicationPage:
        from roster.program import applications

        return shown(applications.require_page(deps().stores, principal(router).brand_id))

    @router.put(
        "/v1/application-page",
        tags=["applications"],
        summary="Set the application page (admin). The slug is unique across Roster (409 when taken); "
        "changing it frees the old address at once",
        responses=responses(200, ApplicationPage, H.CONFLICT, H.FORBIDDEN, *WRITE_ERRORS),
    )
    def put_page(body: ApplicationPagePut) -> ApplicationPage:
        from roster.program import applications

        return shown(applications.save_page(deps().stores, admin(router).brand_id, body))

    @router.get(
        "/v1/applications",
        tags=["applications"],
        summary="Applications whose email is confirmed, by status (default pending: oldest first; "
        "decided ones newest first)",
        responses=responses(200, ApplicationList, H.BAD_REQUEST),
    )
    def list_applications(
        status: Annotated[ApplicationStatus, Query()] = ApplicationStatus.PENDING,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> ApplicationList:
        brand_id = principal(router).brand_id
        if status == ApplicationStatus.UNCONFIRMED:
            return ApplicationList(items=[], next_cursor=None)  # never shown: not confirmed by the applicant
        items, next_cursor = deps().stores.applications.list(
            brand_id, status, limit=page_size(limit), cursor=cursor
        )
        return ApplicationList(items=items, next_cursor=next_cursor)

    @router.post(
        "/v1/applications/<application_id>/approve",
        tags=["applications"],
        summary="Approve: the creator becomes active; with `campaign_id`, a collaboration starts in "
        "that campaign. 409 once the application is decided",
        responses=responses(200, Application, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def approve(application_id: str, body: Annotated[ApproveBody | None, Body()] = None) -> Application:
        from roster.program import applications
        from roster.workflows import collaborations

        who, d = principal(router), deps()
        app = applications.require_pending(d.stores, who.brand_id, application_id)
        assert app.creator_id is not None  # set when confirmed
        campaign_id = body.campaign_id if body else None
        collaboration_id = None
        if campaign_id:
            campaign = d.stores.campaigns.require(who.brand_id, campaign_id)
            if campaign.status not in applications.OPEN_CAMPAIGN:
                raise Conflict(f"a {campaign.status} campaign takes no new collaborations")
            collaboration_id = ids.collaboration_id(who.brand_id, campaign_id, app.creator_id)
            machines = state_machines()  # before anything is decided: a stack without them changes nothing
        decided = applications.decide(
            d.stores,
            who.brand_id,
            app,
            ApplicationStatus.APPROVED,
            who.actor_id,
            collaboration_id=collaboration_id,
        )
        applications.set_creator_status(d.stores, who.brand_id, app.creator_id, CreatorStatus.ACTIVE)
        if campaign_id:
            collaboration_machine, campaign_machine = machines
            collaborations.start(
                d,
                who.brand_id,
                campaign_id,
                [app.creator_id],
                collaboration_machine=collaboration_machine,
                campaign_machine=campaign_machine,
            )
        return decided

    @router.post(
        "/v1/applications/<application_id>/decline",
        tags=["applications"],
        summary="Decline: the creator is archived and emailed (the brand's template when `template_id` "
        "is given, else a short kind note) through the outreach path. 409 once decided",
        responses=responses(200, Application, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def decline(application_id: str, body: Annotated[DeclineBody | None, Body()] = None) -> Application:
        from roster.outreach import notices
        from roster.program import applications

        who, d = principal(router), deps()
        app = applications.require_pending(d.stores, who.brand_id, application_id)
        assert app.creator_id is not None
        template = (
            d.stores.outreach.require_template(who.brand_id, body.template_id)
            if body and body.template_id
            else None
        )
        creator = d.stores.creators.require(who.brand_id, app.creator_id)
        subject, text = _decline_email(d, who.brand_id, creator, template)  # a template error: 422, no change
        decided = applications.decide(d.stores, who.brand_id, app, ApplicationStatus.DECLINED, who.actor_id)
        creator = applications.set_creator_status(d.stores, who.brand_id, creator.id, CreatorStatus.ARCHIVED)
        notices.send(d, who.brand_id, creator, subject, text, tags={"kind": "application-declined"})
        return decided

    return router
