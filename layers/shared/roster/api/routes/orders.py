"""The route listing orders with their attribution decisions."""

from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster.api.deps import Cursor, Limit, page_size, principal, responses
from roster.deps import deps
from roster.models.orders import OrderList


def build_router() -> Router:
    """The orders stores sent, as Roster attributed them: who earns each and, if nobody, why not."""
    router = Router()

    @router.get(
        "/v1/orders",
        tags=["orders"],
        summary="Orders and their attribution (creator, signal, self-purchase, not_commissionable), by "
        "campaign and/or creator newest first, else all",
        responses=responses(200, OrderList, H.BAD_REQUEST),
    )
    def list_orders(
        campaign_id: Annotated[str | None, Query(max_length=64)] = None,
        creator_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> OrderList:
        items, next_cursor = deps().stores.attributions.page(
            principal(router).brand_id,
            campaign_id=campaign_id,
            creator_id=creator_id,
            limit=page_size(limit),
            cursor=cursor,
        )
        return OrderList(items=items, next_cursor=next_cursor)

    return router
