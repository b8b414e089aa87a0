"""What every route needs: the caller's principal and the shared paging parameters (and their default)."""

from __future__ import annotations

from datetime import date, timedelta
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field, RootModel

from roster import clock
from roster.deps import deps
from roster.errors import Forbidden, Unauthorized, ValidationFailed
from roster.models.auth import Principal
from roster.models.common import ErrorResponse

MAX_DAYS = 400
FromDay = Annotated[
    date | None,
    Query(
        alias="from",
        description=f"First UTC day (default: 29 days before `to`). Must be on or before `to` and fewer "
        f"than {MAX_DAYS} days before it, else 422",
    ),
]
ToDay = Annotated[date | None, Query(alias="to", description="Last UTC day (default: today)")]
Limit = Annotated[int | None, Query(ge=1, le=100, description="Page size (default 50)")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=2048,
        description="Opaque: the `next_cursor` of the previous page, passed back unchanged with the same "
        "filters. Not meant to be built or read; a cursor Roster did not hand out for this list is a 400",
    ),
]


class GatewayMessage(BaseModel):
    """API Gateway's own answer, given before Roster runs: a request without an `Authorization`
    header gets 401 `{"message": "Unauthorized"}` (the authorizer's identity source is required, so
    its results can be cached by key)."""

    message: str = Field(examples=["Unauthorized"])


class UnauthorizedResponse(RootModel[ErrorResponse | GatewayMessage]):
    """401: Roster's error body for an unknown or revoked key; API Gateway's `{"message"}` when the
    `Authorization` header is missing."""


def public_base_url(router: Router) -> str:
    """LINK_BASE_URL when set (a custom domain), else the API's own host: the base of the links and
    webhook URLs Roster hands out."""
    settings = deps().settings
    if settings.link_base_url:
        return settings.link_base_url
    domain = router.current_event.raw_event.get("requestContext", {}).get("domainName", "localhost")
    return f"{'http' if settings.stage == 'local' else 'https'}://{domain}"


def state_machines() -> tuple[str, str]:
    """The collaboration and campaign state machines the routes that start collaborations use."""
    s = deps().settings
    if not (s.collaboration_state_machine_arn and s.campaign_state_machine_arn):
        raise RuntimeError("COLLABORATION_STATE_MACHINE_ARN and CAMPAIGN_STATE_MACHINE_ARN must be set")
    return s.collaboration_state_machine_arn, s.campaign_state_machine_arn


def page_size(limit: int | None) -> int:
    """What a list route asks its store for: the caller's `limit`, else the deployment's default."""
    return limit or deps().settings.default_page_size


def principal(router: Router) -> Principal:
    value = router.context.get("principal")
    if not isinstance(value, Principal):
        raise Unauthorized("missing or invalid API key or sign-in token")
    return value


def admin(router: Router) -> Principal:
    """The principal of an admin-only route: an API key or an admin member; a member gets 403."""
    who = principal(router)
    if who.role != "admin":
        raise Forbidden("only an admin of this brand may do this")
    return who


ERROR_MEANINGS = {
    HTTPStatus.BAD_REQUEST: "Malformed JSON body, CSV or cursor",
    HTTPStatus.UNAUTHORIZED: "Missing or invalid API key or ID token (no `Authorization` header: API "
    "Gateway's body)",
    HTTPStatus.FORBIDDEN: "An admin-only route called by a member (`forbidden`)",
    HTTPStatus.NOT_FOUND: "No such resource for this brand",
    HTTPStatus.CONFLICT: "Conflicts with current state (duplicate, stale version, status change)",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "Body (or CSV rows) over the limit",
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: "Wrong Content-Type",
    HTTPStatus.UNPROCESSABLE_ENTITY: "Schema or rule violation, with field-level details",
    HTTPStatus.SERVICE_UNAVAILABLE: "Busy or throttled; retry with backoff",
}

PUBLIC_401 = "Wrong email or password, or an expired session or refresh token (`invalid_credentials`)"

# What any route that takes a body can answer besides success.
WRITE_ERRORS = (HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNPROCESSABLE_ENTITY)


def responses(
    status: int, model: type[BaseModel] | None, *errors: HTTPStatus, public: bool = False
) -> dict[int, Any]:
    """OpenAPI responses for a route: its success body (none: `model` None) and Roster's error body
    for each error. 401, 422 (bad path/query parameters) and 503 apply to every brand route and are
    always included. A `public` route (sign-in) has no authorizer: its 401 is always Roster's."""
    # No model: no body (an empty `content`, or Powertools would document the return annotation).
    content = {"application/json": {"model": model}} if model is not None else {}
    success: dict[str, Any] = {"description": "Success", "content": content}
    documented: dict[int, Any] = {status: success}
    always = {HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY, HTTPStatus.SERVICE_UNAVAILABLE}
    for code in sorted(always | set(errors)):
        gateway = code == HTTPStatus.UNAUTHORIZED and not public
        body = UnauthorizedResponse if gateway else ErrorResponse
        meaning = PUBLIC_401 if code == HTTPStatus.UNAUTHORIZED and public else ERROR_MEANINGS[code]
        documented[int(code)] = {
            "description": meaning,
            "content": {"application/json": {"model": body}},
        }
    return documented


def day_range(first: date | None, last: date | None, max_days: int = MAX_DAYS) -> tuple[str, str]:
    last = last or clock.now().date()
    first = first or last - timedelta(days=29)
    if first > last or (last - first).days >= max_days:
        raise ValidationFailed(f"`from` must be on or before `to`, at most {max_days} days apart")
    return first.isoformat(), last.isoformat()
