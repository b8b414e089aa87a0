from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster import campaigns
from roster.api.deps import principal
from roster.models.campaigns import Campaign, CampaignCreate, CampaignList, CampaignPatch, CampaignStatus
from roster.settings import get_settings
from roster.store import stores

router = Router()
Limit = Annotated[int | None, Query(ge=1, le=100, description="Page size (default 50)")]
Cursor = Annotated[str | None, Query(max_length=2048, description="`next_cursor` of the previous page")]


@router.post("/v1/campaigns", tags=["campaigns"], summary="Create a campaign")
def create_campaign(body: CampaignCreate) -> Response[Campaign]:
    created = campaigns.create(stores().campaigns, principal(router).brand_id, body)
    return Response(HTTPStatus.CREATED, content_types.APPLICATION_JSON, created)


@router.get("/v1/campaigns", tags=["campaigns"], summary="List campaigns, oldest first")
def list_campaigns(
    status: Annotated[CampaignStatus | None, Query()] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> CampaignList:
    items, next_cursor = stores().campaigns.list(
        principal(router).brand_id,
        status=status,
        limit=limit or get_settings().default_page_size,
        cursor=cursor,
    )
    return CampaignList(items=items, next_cursor=next_cursor)


@router.get("/v1/campaigns/<campaign_id>", tags=["campaigns"], summary="Get a campaign")
def get_campaign(campaign_id: str) -> Campaign:
    return stores().campaigns.get(principal(router).brand_id, campaign_id)


@router.patch("/v1/campaigns/<campaign_id>", tags=["campaigns"], summary="Change a campaign")
def patch_campaign(campaign_id: str, body: CampaignPatch) -> Campaign:
    return campaigns.update(stores().campaigns, principal(router).brand_id, campaign_id, body)
