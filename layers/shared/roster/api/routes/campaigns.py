from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster.adapters.events import event_publisher
from roster.adapters.workflows import workflows
from roster.api.deps import WRITE_ERRORS, Cursor, FromDay, Limit, ToDay, day_range, principal, responses
from roster.links import click_stats
from roster.models.campaigns import Campaign, CampaignCreate, CampaignList, CampaignPatch, CampaignStatus
from roster.models.reports import Report
from roster.models.stats import ClickStats
from roster.observability import MetricUnit, logger, metrics
from roster.program import campaigns
from roster.reporting import reports
from roster.settings import get_settings
from roster.store.registry import stores
from roster.workflows import collaborations


def build_router() -> Router:
    """Routes are built per resolver: a Router shares its context with the app that includes it, so
    one module-level Router included in two apps (handler and OpenAPI generator) would mix them up."""
    router = Router()

    @router.post(
        "/v1/campaigns",
        tags=["campaigns"],
        summary="Create a campaign",
        status_code=201,
        responses=responses(201, Campaign, *WRITE_ERRORS),
    )
    def create_campaign(body: CampaignCreate) -> Campaign:
        created = campaigns.create(stores().campaigns, principal(router).brand_id, body)
        metrics.add_metric(name="CampaignCreated", unit=MetricUnit.Count, value=1)
        logger.info("campaign created", extra={"campaign_id": created.id})
        return created

    @router.get(
        "/v1/campaigns",
        tags=["campaigns"],
        summary="List campaigns, oldest first",
        responses=responses(200, CampaignList, H.BAD_REQUEST, H.UNPROCESSABLE_ENTITY),
    )
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

    @router.get(
        "/v1/campaigns/<campaign_id>",
        tags=["campaigns"],
        summary="Get a campaign",
        responses=responses(200, Campaign, H.NOT_FOUND),
    )
    def get_campaign(campaign_id: str) -> Campaign:
        return stores().campaigns.get(principal(router).brand_id, campaign_id)

    @router.patch(
        "/v1/campaigns/<campaign_id>",
        tags=["campaigns"],
        summary="Change a campaign (only the fields sent)",
        responses=responses(200, Campaign, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def patch_campaign(campaign_id: str, body: CampaignPatch) -> Campaign:
        brand_id = principal(router).brand_id
        updated = campaigns.update(stores().campaigns, brand_id, campaign_id, body)
        if body.status == CampaignStatus.CANCELLED:  # reaches every open collaboration
            collaborations.cancel_campaign(stores(), workflows(), event_publisher(), brand_id, campaign_id)
        return updated

    @router.get(
        "/v1/campaigns/<campaign_id>/stats",
        tags=["campaigns"],
        summary="Click counts of all the campaign's links: totals, by day, country and device",
        responses=responses(200, ClickStats, H.NOT_FOUND),
    )
    def campaign_stats(campaign_id: str, first: FromDay = None, last: ToDay = None) -> ClickStats:
        brand_id = principal(router).brand_id
        stores().campaigns.get(brand_id, campaign_id)  # 404 unless it is this brand's campaign
        return click_stats.read(stores().stats, brand_id, "campaign", campaign_id, *day_range(first, last))

    @router.get(
        "/v1/campaigns/<campaign_id>/report",
        tags=["reports"],
        summary="Clicks, orders, conversion, revenue, AOV, new customers, commissions, EPC, CPA, KPIs",
        responses=responses(200, Report, H.NOT_FOUND),
    )
    def campaign_report(campaign_id: str) -> Report:
        brand_id = principal(router).brand_id
        campaign = stores().campaigns.get(brand_id, campaign_id)
        return reports.build(stores(), brand_id, "campaign", campaign_id, campaign)

    return router
