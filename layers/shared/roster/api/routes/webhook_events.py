"""Routes for store webhook deliveries: list them (by status) and replay one."""

from __future__ import annotations

import time
from http import HTTPStatus as H
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster.api.deps import Cursor, Limit, page_size, principal, responses
from roster.deps import deps
from roster.models.webhooks import WebhookEvent, WebhookEventList, WebhookStatus


def build_router() -> Router:
    """What stores sent: every authentic delivery, failed ones first of all, and replay after a fix."""
    router = Router()

    @router.get(
        "/v1/webhook-events",
        tags=["webhooks"],
        summary="Store webhook deliveries, filterable by status (failed, or processing: stale ones "
        "need a replay)",
        responses=responses(200, WebhookEventList, H.BAD_REQUEST),
    )
    def list_webhook_events(
        status: Annotated[WebhookStatus | None, Query()] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> WebhookEventList:
        from roster.conversions import webhooks

        items, next_cursor = deps().stores.webhook_events.list(
            principal(router).brand_id, status, page_size(limit), cursor
        )
        now = time.time()
        return WebhookEventList(
            items=[webhooks.view(i, now) for i in items],
            next_cursor=next_cursor,
        )

    @router.post(
        "/v1/webhook-events/<event_id>/replay",
        tags=["webhooks"],
        summary="Process an archived delivery again (after a fix, or one left stale by a failed run)",
        responses=responses(200, WebhookEvent, H.NOT_FOUND, H.CONFLICT),
    )
    def replay_webhook_event(event_id: str) -> WebhookEvent:
        from roster.conversions import webhooks

        record = webhooks.replay(deps(), principal(router).brand_id, event_id)
        return webhooks.view(record, time.time())

    return router
