"""Routes for payouts: preview, book, list, read, and a payout's CSV."""

from __future__ import annotations

from http import HTTPStatus as H
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import ValidationError

from roster.api.deps import WRITE_ERRORS, Cursor, Limit, admin, page_size, principal, responses
from roster.deps import deps
from roster.errors import ValidationFailed
from roster.models.payouts import Payout, PayoutList, PayoutPreview, PayoutSelection, PayoutSummary

IdsParam = Annotated[list[str] | None, Query(description="Comma-separated (or repeated) ids, at most 100")]


def _selection(**given: Any) -> PayoutSelection:
    """The preview's query parameters, checked by the same model as the booking's body."""
    try:
        return PayoutSelection.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or None, "message": e["msg"]} for e in exc.errors()
        ]
        raise ValidationFailed("the selection is not valid", details=details) from exc


def build_router() -> Router:
    """Approved commissions → payout batches. Roster books them; it does not move money.
    Static paths are registered before `<payout_id>` so `preview` and `….csv` are not ids."""
    router = Router()

    @router.get(
        "/v1/payouts/preview",
        tags=["payouts"],
        summary="What a payout booked now would pay, and what it would carry forward",
        description="Takes the selection of `POST /v1/payouts` as query parameters. `carried_forward` "
        "lists approved balances left for later: clawbacks still owed (netted against the creator's "
        "next earnings) and balances under the campaign's `min_payout`.",
        responses=responses(200, PayoutPreview),
    )
    def preview_payout(
        creator_ids: IdsParam = None,
        campaign_ids: IdsParam = None,
        currency: Annotated[str | None, Query(description="ISO 4217 code")] = None,
        exclude_creator_ids: IdsParam = None,
        exclude_campaign_ids: IdsParam = None,
    ) -> PayoutPreview:
        from roster.conversions import payouts

        selection = _selection(
            creator_ids=creator_ids,
            campaign_ids=campaign_ids,
            currency=currency,
            exclude_creator_ids=exclude_creator_ids,
            exclude_campaign_ids=exclude_campaign_ids,
        )
        return payouts.preview(deps().stores, principal(router).brand_id, selection)

    @router.post(
        "/v1/payouts",
        tags=["payouts"],
        summary="Book a payout (admin only): its entries become paid (Roster does not move the money)",
        description="The optional body selects creators, campaigns or a currency and excludes "
        "creators or campaigns; no body pays everything eligible. One line per creator and currency, "
        "clawbacks netted, never negative. 409 when nothing in the selection is payable (no payout is "
        "booked) or while another payout of the brand is being booked.",
        status_code=201,
        responses=responses(201, Payout, H.FORBIDDEN, H.CONFLICT, *WRITE_ERRORS),
    )
    def book_payout(body: Annotated[PayoutSelection | None, Body()] = None) -> Payout:
        from roster.conversions import payouts
        from roster.workflows import notify

        who = admin(router)
        d = deps()
        booked = payouts.book(d.stores, who.brand_id, body, who.actor)
        # Each paid creator is told once the booking is durable and its lock released: best effort,
        # an email never holds up or undoes a payout.
        notify.payout_booked(d, who.brand_id, booked)
        return booked

    @router.get(
        "/v1/payouts",
        tags=["payouts"],
        summary="List payouts, newest first",
        responses=responses(200, PayoutList, H.BAD_REQUEST),
    )
    def list_payouts(limit: Limit = None, cursor: Cursor = None) -> PayoutList:
        items, next_cursor = deps().stores.payouts.list(principal(router).brand_id, page_size(limit), cursor)
        return PayoutList(items=[PayoutSummary.of(p) for p in items], next_cursor=next_cursor)

    @router.get(
        "/v1/payouts/<payout_id>.csv",
        tags=["payouts"],
        summary="A booked payout as CSV, for the bank or payment provider",
        responses={
            **responses(200, Payout, H.NOT_FOUND, H.CONFLICT),
            200: {
                "description": "CSV: one line per creator and currency",
                "content": {"text/csv": {}},
            },
        },
    )
    def payout_csv(payout_id: str) -> Response[Any]:
        from roster.conversions import payouts

        body = payouts.csv_export(deps().stores, principal(router).brand_id, payout_id)
        return Response(
            status_code=200,
            content_type="text/csv; charset=utf-8",
            body=body,
            headers={"Content-Disposition": f'attachment; filename="payout-{payout_id}.csv"'},
        )

    @router.get(
        "/v1/payouts/<payout_id>",
        tags=["payouts"],
        summary="Get a payout with its lines",
        responses=responses(200, Payout, H.NOT_FOUND),
    )
    def get_payout(payout_id: str) -> Payout:
        return deps().stores.payouts.require(principal(router).brand_id, payout_id)

    return router
