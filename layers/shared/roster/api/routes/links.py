"""Routes for tracking links: create, list, read, change, and a link's click stats."""

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
    public_base_url,
    responses,
)
from roster.deps import deps
from roster.models.links import Link, LinkCreate, LinkList, LinkPatch
from roster.models.stats import ClickStats


def build_router() -> Router:
    router = Router()

    def base_url() -> str:
        return public_base_url(router)

    @router.post(
        "/v1/links",
        tags=["links"],
        summary="Create a tracking link for a creator in a campaign",
        status_code=201,
        responses=responses(201, Link, H.CONFLICT, *WRITE_ERRORS),
    )
    def create_link(body: LinkCreate) -> Link:
        from roster.links import links

        return links.with_url(links.create(deps().stores, principal(router).brand_id, body), base_url())

    @router.get(
        "/v1/links",
        tags=["links"],
        summary="List links, oldest first, by campaign and/or creator",
        responses=responses(200, LinkList, H.BAD_REQUEST),
    )
    def list_links(
        campaign_id: Annotated[str | None, Query(max_length=64)] = None,
        creator_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> LinkList:
        from roster.links import links

        items, next_cursor = deps().stores.links.list(
            principal(router).brand_id,
            campaign_id=campaign_id,
            creator_id=creator_id,
            limit=page_size(limit),
            cursor=cursor,
        )
        url = base_url()
        return LinkList(items=[links.with_url(i, url) for i in items], next_cursor=next_cursor)

    @router.get(
        "/v1/links/<code>",
        tags=["links"],
        summary="Get a link",
        responses=responses(200, Link, H.NOT_FOUND),
    )
    def get_link(code: str) -> Link:
        from roster.links import links

        return links.with_url(deps().stores.links.require(principal(router).brand_id, code), base_url())

    @router.patch(
        "/v1/links/<code>",
        tags=["links"],
        summary="Change a link's destination, enable/disable it, set or clear its expiry",
        responses=responses(200, Link, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def patch_link(code: str, body: LinkPatch) -> Link:
        from roster.links import links

        return links.with_url(links.update(deps().stores, principal(router).brand_id, code, body), base_url())

    @router.get(
        "/v1/links/<code>/stats",
        tags=["links"],
        summary="Click counts of a link: totals, by day, country and device",
        responses=responses(200, ClickStats, H.NOT_FOUND),
    )
    def link_stats(code: str, first: FromDay = None, last: ToDay = None) -> ClickStats:
        from roster.links import click_stats

        brand_id = principal(router).brand_id
        deps().stores.links.require(brand_id, code)  # 404 unless it is this brand's link
        return click_stats.read(deps().stores.stats, brand_id, "link", code, *day_range(first, last))

    return router
