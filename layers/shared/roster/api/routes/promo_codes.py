"""Routes for promo codes: create, list, change."""

from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster.api.deps import WRITE_ERRORS, Cursor, Limit, page_size, principal, responses
from roster.deps import deps
from roster.models.promo_codes import PromoCode, PromoCodeCreate, PromoCodeList, PromoCodePatch


def build_router() -> Router:
    router = Router()

    @router.post(
        "/v1/promo-codes",
        tags=["promo-codes"],
        summary="Register a creator's promo code for a campaign (or generate one from a pattern)",
        status_code=201,
        responses=responses(201, PromoCode, H.CONFLICT, *WRITE_ERRORS),
    )
    def create_promo_code(body: PromoCodeCreate) -> PromoCode:
        from roster.links import promo_codes

        return promo_codes.create(deps().stores, principal(router).brand_id, body)

    @router.get(
        "/v1/promo-codes",
        tags=["promo-codes"],
        summary="List promo codes, by campaign and/or creator",
        responses=responses(200, PromoCodeList, H.BAD_REQUEST),
    )
    def list_promo_codes(
        campaign_id: Annotated[str | None, Query(max_length=64)] = None,
        creator_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> PromoCodeList:
        items, next_cursor = deps().stores.promo_codes.list(
            principal(router).brand_id,
            campaign_id=campaign_id,
            creator_id=creator_id,
            limit=page_size(limit),
            cursor=cursor,
        )
        return PromoCodeList(items=items, next_cursor=next_cursor)

    @router.patch(
        "/v1/promo-codes/<code>",
        tags=["promo-codes"],
        summary="Retire a code (orders from now on earn nothing), reactivate it, or map it to a Stripe "
        "promotion code",
        responses=responses(200, PromoCode, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def patch_promo_code(code: str, body: PromoCodePatch) -> PromoCode:
        from roster.links import promo_codes

        return promo_codes.update(deps().stores, principal(router).brand_id, code, body)

    return router
