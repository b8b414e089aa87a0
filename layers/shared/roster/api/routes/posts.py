from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated, Literal
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster import posts
from roster.adapters.events import event_publisher
from roster.api.deps import WRITE_ERRORS, Cursor, Limit, principal, public_base_url, responses
from roster.models.posts import AlertList, Post, PostList, PostSubmit
from roster.settings import get_settings
from roster.store.registry import stores


def build_router() -> Router:
    """Proof of post, the campaign's content library, and the alerts posts raise."""
    router = Router()

    @router.post(
        "/v1/campaigns/<campaign_id>/posts",
        tags=["content"],
        summary="Submit a creator's post: matched, checked for FTC disclosure and brand rules, kept",
        responses=responses(200, Post, H.NOT_FOUND, *WRITE_ERRORS),
    )
    def submit_post(campaign_id: str, body: PostSubmit) -> Post:
        host = urlsplit(public_base_url(router)).hostname or ""
        post, _ = posts.record(
            stores(), event_publisher(), principal(router).brand_id, campaign_id, body, link_host=host
        )
        return post

    @router.get(
        "/v1/campaigns/<campaign_id>/posts",
        tags=["content"],
        summary="The campaign's content library: every post with its checks and metrics",
        responses=responses(200, PostList, H.NOT_FOUND, H.BAD_REQUEST),
    )
    def list_posts(
        campaign_id: str,
        creator_id: Annotated[str | None, Query(max_length=64)] = None,
        disclosure: Annotated[
            Literal["compliant", "missing", "insufficient", "buried"] | None, Query()
        ] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> PostList:
        brand_id = principal(router).brand_id
        stores().campaigns.get(brand_id, campaign_id)
        items, next_cursor = stores().posts.library(
            brand_id,
            campaign_id,
            creator_id=creator_id,
            disclosure=disclosure,
            limit=limit or get_settings().default_page_size,
            cursor=cursor,
        )
        return PostList(items=items, next_cursor=next_cursor)

    @router.get(
        "/v1/alerts",
        tags=["content"],
        summary="Problems found in creators' posts (disclosure, brand rules)",
        responses=responses(200, AlertList, H.BAD_REQUEST),
    )
    def list_alerts(
        status: Annotated[Literal["open", "resolved"] | None, Query()] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> AlertList:
        items, next_cursor = stores().posts.alerts(
            principal(router).brand_id, status, limit or get_settings().default_page_size, cursor
        )
        return AlertList(items=items, next_cursor=next_cursor)

    return router
