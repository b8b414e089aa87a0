"""Builds the brand API resolver and fronts it with the checks that must run before any parsing."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from roster import idempotency
from roster.api import errors, json_body
from roster.api.routes import (
    api_keys,
    applications,
    campaigns,
    collaborations,
    creators,
    integrations,
    links,
    members,
    orders,
    outreach,
    payouts,
    posts,
    promo_codes,
    sign_in,
    webhook_events,
)
from roster.deps import deps
from roster.errors import RosterError
from roster.models.auth import Principal
from roster.observability import logger
from roster.web import edge

TITLE = "Roster brand API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Campaigns, the creator roster and API keys of one brand, chosen by the caller: an API key "
    "(`Authorization: Bearer rk_live_…`, acts as admin) or a team member's ID token from `POST "
    "/auth/sign-in` (`Authorization: Bearer <id_token>`, with the member's role). A member gets 403 "
    "`forbidden` on the admin-only routes (API keys, integrations, sender settings, booking payouts, "
    "members). Errors are "
    '`{"error": {"code", "message", "details": [{"field", "message"}]}}`, with one exception: a '
    "request without an `Authorization` header is refused by API Gateway before Roster runs, with "
    '401 `{"message": "Unauthorized"}`. Bodies are UTF-8 JSON (a BOM is ignored), nested at most 32 '
    "levels, integers at most 38 digits; anything else is a 400 `malformed_json` that says why. Rules "
    "between fields (either this or that, end on or after start) are in each model's description; "
    "breaking one is a 422. Lists page with `limit` and the opaque `next_cursor`. Any POST may carry "
    "an `Idempotency-Key` header (1-255 visible ASCII characters, kept 24 h per brand): a retry "
    "with the same key and body gets the first response again (`Idempotent-Replayed: true`), the "
    "same key with another body gets 422, and a key whose first request is still running gets 409."
)


ROUTES = (
    campaigns,
    creators,
    api_keys,
    links,
    integrations,
    webhook_events,
    promo_codes,
    orders,
    payouts,
    posts,
    outreach,
    collaborations,
    members,
    applications,
    sign_in,
)


PUBLIC_PREFIX = "/auth/"


class Health(BaseModel):
    status: str


def build_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=json_body.loads)
    app.configure_openapi(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes={
            "apiKey": HTTPBearer(
                description="`Authorization: Bearer rk_live_…` (one brand per key, acts as admin) or "
                "`Authorization: Bearer <id_token>` (a team member, from POST /auth/sign-in)"
            )
        },
        security=[{"apiKey": []}],
    )
    errors.register(app)
    # In this order, as before: the resolver tries the routes (static ones first) in the order added.
    for routes in ROUTES:
        app.include_router(routes.build_router())

    @app.get(
        "/health",
        tags=["ops"],
        summary="Liveness check (no auth)",
        security=[{}],
        responses={200: {"description": "Alive", "content": {"application/json": {"model": Health}}}},
    )
    def health() -> Health:
        return Health(status="ok")

    return app


def body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return len(body) * 3 // 4
    return len(body.encode())


def principal_from(event: dict[str, Any]) -> Principal | None:
    """The authorizer's verdict, passed by API Gateway in the request context: an API key's (acts as
    admin) or a member's (with its role)."""
    ctx = (event.get("requestContext") or {}).get("authorizer", {}).get("lambda") or {}
    if not ctx.get("brand_id"):
        return None
    name = str(ctx.get("name") or "")
    if ctx.get("member_id"):
        role = "admin" if ctx.get("role") == "admin" else "member"
        return Principal(brand_id=str(ctx["brand_id"]), member_id=str(ctx["member_id"]), name=name, role=role)
    if ctx.get("key_id"):
        return Principal(brand_id=str(ctx["brand_id"]), key_id=str(ctx["key_id"]), name=name, role="admin")
    return None


def handle(app: APIGatewayHttpResolver, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Size and auth are checked before the resolver parses anything, so a rejected request costs
    nothing and changes nothing. POSTs with an Idempotency-Key run at most once."""
    settings = deps().settings
    path = event.get("rawPath") or ""
    is_import = path.endswith(":import")
    limit = settings.max_import_body_bytes if is_import else settings.max_json_body_bytes
    if body_size(event) > limit:
        return edge.error_answer(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", f"body over {limit} bytes"
        )
    public = path.startswith(PUBLIC_PREFIX)  # sign-in: no authorizer, no principal
    if not path.startswith("/v1/") and not public:
        return app.resolve(event, context)
    principal = None if public else principal_from(event)
    if principal is None and not public:
        return edge.error_answer(
            HTTPStatus.UNAUTHORIZED, "unauthorized", "missing or invalid API key or sign-in token"
        )
    if principal is not None:
        app.append_context(principal=principal)
        logger.append_keys(
            brand_id=principal.brand_id, key_id=principal.key_id, member_id=principal.member_id
        )
    if event.get("body") and not is_import:
        # The API speaks only JSON: a body sent as form data (curl -d's default) is read as JSON,
        # and handed to the resolver as text, so bytes that are not UTF-8 are a 400 here and
        # never a decoding error inside it.
        try:
            text = json_body.decode(edge.raw_body(event))
        except json.JSONDecodeError as exc:
            return edge.error_answer(
                HTTPStatus.BAD_REQUEST, "malformed_json", edge.malformed_json_message(exc.msg)
            )
        headers = (event.get("headers") or {}) | {"content-type": "application/json"}
        event = event | {"headers": headers, "body": text, "isBase64Encoded": False}
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "")
    key = (event.get("headers") or {}).get(idempotency.HEADER)
    if method != "POST" or key is None or principal is None:
        return app.resolve(event, context)
    request_hash = idempotency.fingerprint(
        method, path, event.get("rawQueryString") or "", edge.raw_body(event)
    )
    try:
        return idempotency.run(
            deps().stores.idempotency,
            principal.brand_id,
            key,
            request_hash,
            lambda: app.resolve(event, context),
        )
    except RosterError as exc:  # the key's own refusals (reused with another body, still running)
        return edge.error_answer(edge.status_for(exc), exc.code, exc.message)
