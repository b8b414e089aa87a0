"""Routes for the creator roster: create, import (CSV), list, read, change, and a creator's report."""

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
from roster.errors import BadRequest, UnsupportedMediaType
from roster.models.common import CountryCode, Tag
from roster.models.creators import (
    Creator,
    CreatorCreate,
    CreatorList,
    CreatorPatch,
    CreatorStatus,
    ImportResult,
    Tier,
)
from roster.models.reports import Report
from roster.observability import MetricUnit, logger, metrics


def build_router() -> Router:
    from roster.program import creator_import

    router = Router()

    @router.post(
        "/v1/creators",
        tags=["creators"],
        summary="Add a creator to the roster",
        status_code=201,
        responses=responses(201, Creator, H.CONFLICT, *WRITE_ERRORS),
    )
    def create_creator(body: CreatorCreate) -> Creator:
        from roster.program import creators

        stores = deps().stores
        created = creators.create(stores.creators, principal(router).brand_id, body, members=stores.members)
        metrics.add_metric(name="CreatorCreated", unit=MetricUnit.Count, value=1)
        logger.info("creator created", extra={"creator_id": created.id})
        return created

    @router.get(
        "/v1/creators",
        tags=["creators"],
        summary="List creators, oldest first, with filters",
        responses=responses(200, CreatorList, H.BAD_REQUEST, H.UNPROCESSABLE_ENTITY),
    )
    def list_creators(
        status: Annotated[CreatorStatus | None, Query()] = None,
        tier: Annotated[Tier | None, Query()] = None,
        tag: Annotated[Tag | None, Query()] = None,
        country: Annotated[CountryCode | None, Query()] = None,
        owner_id: Annotated[
            str | None, Query(min_length=1, max_length=64, description="Only the creators this member owns")
        ] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> CreatorList:
        items, next_cursor = deps().stores.creators.list(
            principal(router).brand_id,
            status=status,
            tier=tier,
            tag=tag,
            country=country,
            owner_id=owner_id,
            limit=page_size(limit),
            cursor=cursor,
        )
        return CreatorList(items=items, next_cursor=next_cursor)

    @router.post(
        "/v1/creators:import",
        tags=["creators"],
        summary="Create or update creators from CSV (text/csv), matched by email",
        description=creator_import.__doc__,
        responses=responses(200, ImportResult, H.UNSUPPORTED_MEDIA_TYPE, *WRITE_ERRORS),
        openapi_extensions={"requestBody": creator_import.REQUEST_BODY},
    )
    def import_creators() -> ImportResult:
        event = router.current_event
        content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type not in ("text/csv", "application/csv"):
            raise UnsupportedMediaType("send the file as text/csv")
        try:
            text = event.decoded_body or ""  # creator_import.parse strips a BOM
        except UnicodeDecodeError as exc:
            raise BadRequest("the CSV must be UTF-8 (in Excel: Save As, CSV UTF-8)") from exc
        result = creator_import.import_rows(
            deps().stores.creators, principal(router).brand_id, text, max_rows=deps().settings.max_import_rows
        )
        for name, value in result.summary.model_dump().items():
            metrics.add_metric(name=f"CreatorImport{name.capitalize()}", unit=MetricUnit.Count, value=value)
        logger.info("creator import", extra={"import_summary": result.summary.model_dump()})
        return result

    @router.get(
        "/v1/creators/<creator_id>",
        tags=["creators"],
        summary="Get a creator",
        responses=responses(200, Creator, H.NOT_FOUND),
    )
    def get_creator(creator_id: str) -> Creator:
        return deps().stores.creators.require(principal(router).brand_id, creator_id)

    @router.patch(
        "/v1/creators/<creator_id>",
        tags=["creators"],
        summary="Change a creator (only the fields sent)",
        responses=responses(200, Creator, H.NOT_FOUND, H.CONFLICT, *WRITE_ERRORS),
    )
    def patch_creator(creator_id: str, body: CreatorPatch) -> Creator:
        from roster.program import creators

        stores = deps().stores
        return creators.update(
            stores.creators, principal(router).brand_id, creator_id, body, members=stores.members
        )

    @router.get(
        "/v1/creators/<creator_id>/report",
        tags=["reports"],
        summary="A creator's clicks, orders, conversion, revenue, commissions across campaigns",
        responses=responses(200, Report, H.NOT_FOUND),
    )
    def creator_report(creator_id: str, first: FromDay = None, last: ToDay = None) -> Report:
        from roster.reporting import reports

        brand_id = principal(router).brand_id
        deps().stores.creators.require(brand_id, creator_id)  # 404 unless it is this brand's creator
        days = day_range(first, last)
        return reports.build(deps().stores, brand_id, "creator", creator_id, days=days)

    return router
