"""Routes for campaigns: create, list, read, change, and their click stats and report."""

from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster.api.deps import (
    WRITE_ERRORS,
    Cursor,
    FromDay,
    Limit,
    ToDay,
    day_range,
    page_size,
    principal,
    responses,
)
from roster.deps import deps
from roster.models.campaigns import Campaign, CampaignCreate, CampaignList, CampaignPatch, CampaignStatus
from roster.models.reports import Report
from roster.models.stats import ClickStats
from roster.observability import MetricUnit, logger, metrics


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
        from roster.program import campaigns

        created = campaigns.create(deps().stores.campaigns, principal(router).brand_id, body)
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
        items, next_cursor = deps().stores.campaigns.list(
            principal(router).brand_id,
            status=status,
            limit=page_size(limit),
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
        return deps().stores.campaigns.require(principal(router).brand_id, campaign_id)

    @router.patch(
        "/v1/campaigns/<campaign_id>",
        tags=["campaigns"],
        summary="Change a campaign (only the fields sent)",
        responses=responses(200, Campaign, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def patch_campaign(campaign_id: str, body: CampaignPatch) -> Campaign:
        from roster.workflows import collaborations

        brand_id = principal(router).brand_id
        return collaborations.update_campaign(deps(), brand_id, campaign_id, body)

    @router.get(
        "/v1/campaigns/<campaign_id>/stats",
        tags=["campaigns"],
        summary="Click counts of all the campaign's links: totals, by day, country and device",
        responses=responses(200, ClickStats, H.NOT_FOUND),
    )
    def campaign_stats(campaign_id: str, first: FromDay = None, last: ToDay = None) -> ClickStats:
        from roster.links import click_stats

        brand_id = principal(router).brand_id
        deps().stores.campaigns.require(brand_id, campaign_id)  # 404 unless it is this brand's campaign
        return click_stats.read(
            deps().stores.stats, brand_id, "campaign", campaign_id, *day_range(first, last)
        )

    @router.get(
        "/v1/campaigns/<campaign_id>/report",
        tags=["reports"],
        summary="Clicks, orders, conversion, revenue, AOV, new customers, commissions, EPC, CPA, KPIs; "
        "per day over `from`..`to`",
        responses=responses(200, Report, H.NOT_FOUND),
    )
    def campaign_report(campaign_id: str, first: FromDay = None, last: ToDay = None) -> Report:
        from roster.reporting import reports

        brand_id = principal(router).brand_id
        campaign = deps().stores.campaigns.require(brand_id, campaign_id)
        days = day_range(first, last)
        return reports.build(deps().stores, brand_id, "campaign", campaign_id, campaign, days)

    return router
