from __future__ import annotations

from http import HTTPStatus as H
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from roster import payouts
from roster.api.deps import principal, responses
from roster.models.payouts import Payout, PayoutPreview
from roster.store.registry import stores


def build_router() -> Router:
    """Approved commissions → payout batches. Roster books them; it does not move money."""
    router = Router()

    @router.get(
        "/v1/payouts/preview",
        tags=["payouts"],
        summary="Approved, unpaid balances per creator at or above the campaign's minimum payout",
        responses=responses(200, PayoutPreview),
    )
    def preview_payout() -> PayoutPreview:
        return payouts.preview(stores(), principal(router).brand_id)

    @router.post(
        "/v1/payouts",
        tags=["payouts"],
        summary="Book a payout batch: its entries become paid (Roster does not move the money)",
        status_code=201,
        responses=responses(201, Payout),
    )
    def book_payout() -> Payout:
        return payouts.book(stores(), principal(router).brand_id)

    @router.get(
        "/v1/payouts/<payout_id>.csv",
        tags=["payouts"],
        summary="A booked payout as CSV, for the bank or payment provider",
        responses={
            **responses(200, Payout, H.NOT_FOUND),
            200: {
                "description": "CSV: one line per creator, campaign and currency",
                "content": {"text/csv": {}},
            },
        },
    )
    def payout_csv(payout_id: str) -> Response[Any]:
        body = payouts.csv_export(stores(), principal(router).brand_id, payout_id)
        return Response(
            status_code=200,
            content_type="text/csv; charset=utf-8",
            body=body,
            headers={"Content-Disposition": f'attachment; filename="payout-{payout_id}.csv"'},
        )

    return router
