"""Routes for posts and alerts: submit and recheck posts, monitor runs, the content library, alerts."""

from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from roster.api.deps import WRITE_ERRORS, Cursor, Limit, page_size, principal, public_base_url, responses
from roster.deps import deps
from roster.errors import ValidationFailed
from roster.models.monitoring import MonitorRun, MonitorStatus
from roster.models.posts import (
    Alert,
    AlertKind,
    AlertList,
    AlertResolve,
    AlertStatus,
    DisclosureVerdict,
    Post,
    PostList,
    PostSubmit,
)

Id = Annotated[str | None, Query(max_length=64)]


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
        from roster.monitoring import posts, sources
        from roster.web.fetch import FetchError
        from roster.workflows import collaborations

        d = deps()
        ctx = posts.context(
            d.stores,
            principal(router).brand_id,
            campaign_id,
            body.creator_id,
            link_base_url=public_base_url(router),
        )
        url = str(body.url)
        if body.text is None:  # read the post itself, the way the monitor reads feeds
            try:
                item = posts.read_page(d, url, body.platform)
            except FetchError as exc:
                raise ValidationFailed(
                    f"could not read the post at `url`: {exc}; send its `text`",
                    details=[
                        {
                            "field": "url",
                            "message": f"Roster could not read this post ({exc}): send its caption as `text`",
                        }
                    ],
                ) from exc
            item = posts.with_details(item, body.published_at, body.metrics)
            recorded = posts.record(d, ctx, item, source="manual")
        else:  # the brand's own copy of the caption: checked and shown, not proof
            item = sources.SourceItem(url, body.platform, body.text, body.published_at, body.metrics)
            recorded = posts.record(d, ctx, item, source="manual", text_from="brand")
        assert recorded.post is not None  # manual submissions are always kept
        if body.text is None:  # Roster read the post itself: now compliant, its deliverable books
            collaborations.recheck(d.stores, ctx.brand_id, recorded.post)
        return recorded.post

    @router.post(
        "/v1/campaigns/<campaign_id>/posts/<post_id>/recheck",
        tags=["content"],
        summary="Read a post's page again and check it: alerts whose cause is gone resolve, a "
        "deliverable it now proves is verified and its fee booked. An unreadable page keeps the last "
        "reading (or `unknown`) with `page_error`",
        responses=responses(200, Post, H.NOT_FOUND),
    )
    def recheck_post(campaign_id: str, post_id: str) -> Post:
        from roster.monitoring import posts
        from roster.workflows import collaborations

        d = deps()
        brand_id = principal(router).brand_id
        found = d.stores.posts.require(brand_id, campaign_id, post_id)
        ctx = posts.context(
            d.stores, brand_id, campaign_id, found.creator_id, link_base_url=public_base_url(router)
        )
        checked = posts.check_page(d, ctx, found.url, found.platform).post
        assert checked is not None  # a re-check keeps the post
        collaborations.recheck(d.stores, brand_id, checked)  # the same settlement as a resubmission
        return checked

    @router.post(
        "/v1/campaigns/<campaign_id>/monitor",
        status_code=202,
        tags=["content"],
        summary="Check the campaign creators' feeds now (runs in the background; see GET)",
        responses=responses(202, MonitorRun, H.NOT_FOUND, *WRITE_ERRORS),
    )
    def run_monitor(campaign_id: str) -> MonitorRun:
        from roster.monitoring import monitor

        brand_id = principal(router).brand_id
        campaign = deps().stores.campaigns.require(brand_id, campaign_id)
        return monitor.start(deps(), brand_id, campaign, "api")

    @router.get(
        "/v1/campaigns/<campaign_id>/monitor",
        tags=["content"],
        summary="Monitoring settings and the latest runs, with every failing feed and its error",
        responses=responses(200, MonitorStatus, H.NOT_FOUND, H.BAD_REQUEST),
    )
    def monitor_status(campaign_id: str, limit: Annotated[int, Query(ge=1, le=50)] = 10) -> MonitorStatus:
        brand_id = principal(router).brand_id
        campaign = deps().stores.campaigns.require(brand_id, campaign_id)
        return MonitorStatus(
            campaign_id=campaign.id,
            settings=campaign.monitoring,
            scheduled=campaign.monitored,
            runs=deps().stores.monitor.runs(brand_id, campaign_id, limit),
        )

    @router.get(
        "/v1/campaigns/<campaign_id>/posts",
        tags=["content"],
        summary="The campaign's content library: every post with its checks and metrics",
        responses=responses(200, PostList, H.NOT_FOUND, H.BAD_REQUEST),
    )
    def list_posts(
        campaign_id: str,
        creator_id: Annotated[str | None, Query(max_length=64)] = None,
        disclosure: Annotated[DisclosureVerdict | None, Query()] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> PostList:
        brand_id = principal(router).brand_id
        deps().stores.campaigns.require(brand_id, campaign_id)
        items, next_cursor = deps().stores.posts.library(
            brand_id,
            campaign_id,
            creator_id=creator_id,
            disclosure=disclosure,
            limit=page_size(limit),
            cursor=cursor,
        )
        return PostList(items=items, next_cursor=next_cursor)

    @router.get(
        "/v1/alerts",
        tags=["content"],
        summary="Problems Roster found (posts: disclosure, brand rules, unreadable; missing posts; "
        "deadlines, stalls, underperformance; budget), open or resolved",
        description="Filters combine. With `status`, the alerts in that status, in the order they got "
        "there (raised or re-opened, resolved); without it, every alert",
        responses=responses(200, AlertList, H.BAD_REQUEST),
    )
    def list_alerts(
        status: Annotated[AlertStatus | None, Query()] = None,
        kind: Annotated[AlertKind | None, Query()] = None,
        campaign_id: Id = None,
        collaboration_id: Id = None,
        creator_id: Id = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> AlertList:
        items, next_cursor = deps().stores.posts.alerts(
            principal(router).brand_id,
            status,
            page_size(limit),
            cursor,
            kind=kind,
            campaign_id=campaign_id,
            collaboration_id=collaboration_id,
            creator_id=creator_id,
        )
        return AlertList(items=items, next_cursor=next_cursor)

    @router.post(
        "/v1/alerts/<alert_id>/resolve",
        tags=["content"],
        summary="Resolve an alert, with an optional note; the API key and time are kept. Resolving it "
        "again returns it unchanged (the first resolution stands)",
        responses=responses(200, Alert, H.NOT_FOUND, *WRITE_ERRORS),
    )
    def resolve_alert(alert_id: str, body: Annotated[AlertResolve | None, Body()] = None) -> Alert:
        from roster.program import alerts

        who = principal(router)
        return alerts.resolve(
            deps(),
            who.brand_id,
            alert_id,
            by=who.actor_id,
            actor=who.actor,
            note=body.note if body else None,
        )

    return router
