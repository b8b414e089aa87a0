"""What routes need per invocation besides the stores: the caller's principal."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from roster.errors import Unauthorized
from roster.models.auth import Principal


def principal(router: Router) -> Principal:
    value = router.context.get("principal")
    if not isinstance(value, Principal):
        raise Unauthorized("missing or invalid API key")
    return value
