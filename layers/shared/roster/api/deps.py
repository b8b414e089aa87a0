"""What every route needs: the caller's principal and the shared paging parameters."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster.errors import Unauthorized
from roster.models.auth import Principal

Limit = Annotated[int | None, Query(ge=1, le=100, description="Page size (default 50)")]
Cursor = Annotated[str | None, Query(max_length=2048, description="`next_cursor` of the previous page")]


def principal(router: Router) -> Principal:
    value = router.context.get("principal")
    if not isinstance(value, Principal):
        raise Unauthorized("missing or invalid API key")
    return value
