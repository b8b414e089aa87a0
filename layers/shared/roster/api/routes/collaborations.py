"""Routes for collaborations: start a campaign's, read them, act on the step each waits for."""

from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel

from roster.api.deps import (
    WRITE_ERRORS,
    Cursor,
    Limit,
    page_size,
    principal,
    public_base_url,
    responses,
    state_machines,
)
from roster.deps import deps
from roster.errors import NotFound
from roster.models.collaborations import (
    ActionBody,
    Collaboration,
    CollaborationList,
    CollaborationsStart,
    PostAccept,
    Stage,
)


class CampaignWorkflow(BaseModel):
    campaign_id: str
    status: str
    started_at: str
    reports: list[dict[str, Any]] = []
    final_report: dict[str, Any] | None = None
    open_items: list[dict[str, Any]] = []
    closed_at: str | None = None


def build_router() -> Router:
    """Collaboration workflows: start them, see where each one is, act on the step it waits for."""
    router = Router()

    def shown(brand_id: str, c: Collaboration) -> Collaboration:
        """Every collaboration answer as the brand sees it: with the creator's page link, and a
        signed URL (15 minutes) on each draft file of its proposals."""
        from roster.outreach import mail
        from roster.workflows import deliverables

        deliverables.ensure(c)  # contracted before deliverables were tracked: shown as due
        signed(c)
        key = deps().settings.outreach_signing_key
        if not key:
            return c
        url = mail.collaboration_url(public_base_url(router), key, brand_id, c.id)
        return c.model_copy(update={"creator_url": url})

    def signed(c: Collaboration) -> None:
        from roster.adapters.uploads import UploadRefused

        files = [m for p in c.proposals for m in p.media]
        uploads = deps().uploads if files else None
        if uploads is None:
            return
        for m in files:
            try:
                m.url = uploads.signed_url(m.key, content_type=m.content_type, expires=900)
            except UploadRefused:  # not signable now: the file is listed without a link
                m.url = None

    def listed(brand_id: str, items: list[Collaboration], cursor: str | None) -> CollaborationList:
        return CollaborationList(items=[shown(brand_id, c) for c in items], next_cursor=cursor)

    @router.post(
        "/v1/campaigns/<campaign_id>/collaborations",
        status_code=202,
        tags=["collaborations"],
        summary="Start collaborations with creators (the first call launches the campaign workflow)",
        responses=responses(202, CollaborationList, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def start(campaign_id: str, body: CollaborationsStart) -> CollaborationList:
        from roster.workflows import collaborations

        collaboration_machine, campaign_machine = state_machines()
        brand_id = principal(router).brand_id
        created = collaborations.start(
            deps(),
            brand_id,
            campaign_id,
            body.creator_ids,
            collaboration_machine=collaboration_machine,
            campaign_machine=campaign_machine,
        )
        return listed(brand_id, created, None)

    @router.get(
        "/v1/campaigns/<campaign_id>/collaborations",
        tags=["collaborations"],
        summary="The campaign's collaborations, optionally in one stage",
        responses=responses(200, CollaborationList, H.NOT_FOUND, H.BAD_REQUEST),
    )
    def list_collaborations(
        campaign_id: str,
        stage: Annotated[Stage | None, Query()] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> CollaborationList:
        brand_id = principal(router).brand_id
        deps().stores.campaigns.require(brand_id, campaign_id)
        items, next_cursor = deps().stores.collaborations.list(
            brand_id,
            campaign_id,
            stage=stage,
            limit=page_size(limit),
            cursor=cursor,
        )
        return listed(brand_id, items, next_cursor)

    @router.get(
        "/v1/campaigns/<campaign_id>/workflow",
        tags=["collaborations"],
        summary="The campaign workflow: periodic reports, and at wrap-up the final report and open items",
        responses=responses(200, CampaignWorkflow, H.NOT_FOUND),
    )
    def campaign_workflow(campaign_id: str) -> CampaignWorkflow:
        brand_id = principal(router).brand_id
        deps().stores.campaigns.require(brand_id, campaign_id)
        flow = deps().stores.collaborations.get_campaign_workflow(brand_id, campaign_id)
        if flow is None:
            raise NotFound("the campaign workflow has not been launched: POST …/collaborations")
        return CampaignWorkflow.model_validate({**flow, "campaign_id": campaign_id})

    @router.get(
        "/v1/creators/<creator_id>/collaborations",
        tags=["collaborations"],
        summary="The creator's history: every collaboration with its outcome, rating and notes",
        responses=responses(200, CollaborationList, H.NOT_FOUND, H.BAD_REQUEST),
    )
    def creator_history(creator_id: str, limit: Limit = None, cursor: Cursor = None) -> CollaborationList:
        brand_id = principal(router).brand_id
        deps().stores.creators.require(brand_id, creator_id)
        items, next_cursor = deps().stores.collaborations.history(
            brand_id, creator_id, limit=page_size(limit), cursor=cursor
        )
        return listed(brand_id, items, next_cursor)

    @router.get(
        "/v1/collaborations/<collaboration_id>",
        tags=["collaborations"],
        summary="A collaboration: its stage, what it waits for and until when, and its timeline",
        responses=responses(200, Collaboration, H.NOT_FOUND),
    )
    def get_collaboration(collaboration_id: str) -> Collaboration:
        brand_id = principal(router).brand_id
        return shown(brand_id, deps().stores.collaborations.require(brand_id, collaboration_id))

    @router.post(
        "/v1/collaborations/<collaboration_id>/actions/<action>",
        tags=["collaborations"],
        summary="Act on the step the collaboration waits for (counter, accept-terms: the creator's latest "
        "offer, approve-content, request-changes, grant-round, record-shipment, confirm-delivery, cancel, "
        "extend, rate); 409 with the current stage when the step does not take that action. An action the "
        "step took is honoured even when its timer ran out meanwhile",
        responses=responses(200, Collaboration, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def act(collaboration_id: str, action: str, body: ActionBody) -> Collaboration:
        from roster.workflows import collaborations

        who = principal(router)
        updated = collaborations.act(
            deps(), who.brand_id, collaboration_id, action, body, by="brand", actor=who.actor
        )
        return shown(who.brand_id, updated)

    @router.post(
        "/v1/collaborations/<collaboration_id>/posts/<post_id>/accept",
        tags=["collaborations"],
        summary="Accept a deliverable's post despite its disclosure verdict: the deliverable is verified "
        "(the API key and the time are kept) and its fixed fee booked once; accepting again changes "
        "nothing; 409 when the deliverable is already verified",
        responses=responses(200, Collaboration, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def accept_post(
        collaboration_id: str, post_id: str, body: Annotated[PostAccept | None, Body()] = None
    ) -> Collaboration:
        from roster.workflows import deliverables

        who = principal(router)
        accepted = deliverables.accept(
            deps(),
            who.brand_id,
            collaboration_id,
            post_id,
            by=who.actor_id,
            actor=who.actor,
            note=body.note if body else None,
        )
        return shown(who.brand_id, accepted)

    return router
