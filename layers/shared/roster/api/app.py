"""Builds the brand API resolver and fronts it with the checks that must run before any parsing."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from roster import idempotency
from roster.api import errors, json_body
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
    "members, discovery competitors). Errors are "
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


# The route groups (modules of roster.api.routes), in the order the resolver adds them, each with the
# paths of its routes: the handler imports a group on the first request one of its paths matches
# (LazyApi), so a cold start pays for the models of one group, not all. test_route_groups holds each
# list to the paths its module's router declares.
ROUTE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "campaigns",
        (
            "/v1/campaigns",
            "/v1/campaigns/<campaign_id>",
            "/v1/campaigns/<campaign_id>/report",
            "/v1/campaigns/<campaign_id>/stats",
        ),
    ),
    (
        "creators",
        (
            "/v1/creators",
            "/v1/creators/<creator_id>",
            "/v1/creators/<creator_id>/report",
            "/v1/creators:import",
        ),
    ),
    ("api_keys", ("/v1/api-keys", "/v1/api-keys/<key_id>")),
    ("links", ("/v1/links", "/v1/links/<code>", "/v1/links/<code>/stats")),
    ("integrations", ("/v1/integrations", "/v1/integrations/<provider>")),
    ("webhook_events", ("/v1/webhook-events", "/v1/webhook-events/<event_id>/replay")),
    ("promo_codes", ("/v1/promo-codes", "/v1/promo-codes/<code>")),
    ("orders", ("/v1/orders",)),
    (
        "payouts",
        ("/v1/payouts", "/v1/payouts/<payout_id>", "/v1/payouts/<payout_id>.csv", "/v1/payouts/preview"),
    ),
    (
        "posts",
        (
            "/v1/alerts",
            "/v1/alerts/<alert_id>/resolve",
            "/v1/campaigns/<campaign_id>/monitor",
            "/v1/campaigns/<campaign_id>/posts",
            "/v1/campaigns/<campaign_id>/posts/<post_id>/recheck",
        ),
    ),
    (
        "outreach",
        (
            "/v1/campaigns/<campaign_id>/outreach",
            "/v1/campaigns/<campaign_id>/outreach/<creator_id>/stop",
            "/v1/campaigns/<campaign_id>/outreach/messages",
            "/v1/email-templates",
            "/v1/email-templates/<template_id>",
            "/v1/email-templates/<template_id>/preview",
            "/v1/email-templates/preview",
            "/v1/outreach/settings",
        ),
    ),
    (
        "collaborations",
        (
            "/v1/campaigns/<campaign_id>/collaborations",
            "/v1/campaigns/<campaign_id>/workflow",
            "/v1/collaborations/<collaboration_id>",
            "/v1/collaborations/<collaboration_id>/actions/<action>",
            "/v1/collaborations/<collaboration_id>/posts/<post_id>/accept",
            "/v1/creators/<creator_id>/collaborations",
        ),
    ),
    (
        "discovery",
        (
            "/v1/creators/<creator_id>/enrichment",
            "/v1/creators/<creator_id>/quality",
            "/v1/creators/<creator_id>/screening",
            "/v1/discovery/settings",
        ),
    ),
    ("members", ("/v1/me", "/v1/members", "/v1/members/<member_id>")),
    (
        "applications",
        (
            "/v1/application-page",
            "/v1/applications",
            "/v1/applications/<application_id>/approve",
            "/v1/applications/<application_id>/decline",
        ),
    ),
    (
        "sign_in",
        (
            "/auth/forgot-password",
            "/auth/new-password",
            "/auth/refresh",
            "/auth/reset-password",
            "/auth/sign-in",
            "/auth/sign-out",
        ),
    ),
)
GROUPS = tuple(name for name, _ in ROUTE_GROUPS)
# What the routes import inside the handlers that use it, and what first use loads besides (the
# stores, Jinja2, feedparser). An init no caller waits on imports all of it (INIT_AHEAD), so a
# SnapStart snapshot holds it. test_route_groups holds the roster modules here to the routes' imports.
DEFERRED = (
    "roster.adapters.uploads",
    "roster.conversions.integrations",
    "roster.conversions.payouts",
    "roster.conversions.webhooks",
    "roster.discovery.enrich",
    "roster.discovery.fit",
    "roster.discovery.profiles",
    "roster.discovery.schedule",
    "roster.discovery.screening",
    "roster.links.click_stats",
    "roster.links.links",
    "roster.links.promo_codes",
    "roster.monitoring.monitor",
    "roster.monitoring.posts",
    "roster.monitoring.sources",
    "roster.outreach.email_templates",
    "roster.outreach.mail",
    "roster.outreach.notices",
    "roster.outreach.sequences",
    "roster.program.alerts",
    "roster.program.applications",
    "roster.program.campaigns",
    "roster.program.creator_import",
    "roster.program.creators",
    "roster.program.members",
    "roster.reporting.reports",
    "roster.web.fetch",
    "roster.workflows.collaborations",
    "roster.workflows.deliverables",
    "roster.workflows.notify",
    "roster.store.registry",  # deps().stores, whose store modules load on first use:
    "roster.store.applications",
    "roster.store.attributions",
    "roster.store.brands",
    "roster.store.campaigns",
    "roster.store.collaborations",
    "roster.store.creators",
    "roster.store.discovery",
    "roster.store.enrichment",
    "roster.store.integrations",
    "roster.store.ledger",
    "roster.store.links",
    "roster.store.members",
    "roster.store.monitoring",
    "roster.store.orders",
    "roster.store.outreach",
    "roster.store.payouts",
    "roster.store.portal",
    "roster.store.posts",
    "roster.store.promo_codes",
    "roster.store.snapshots",
    "roster.store.stats",
    "roster.store.webhooks",
    "jinja2.sandbox",  # outreach.email_templates, on the first template checked or rendered
    "feedparser",  # monitoring.sources, on the first feed parsed
)


PUBLIC_PREFIX = "/auth/"


class Health(BaseModel):
    status: str


def build_app(groups: Iterable[str] = GROUPS, *, document: bool = True) -> APIGatewayHttpResolver:
    """The resolver with the named route groups (all by default: the OpenAPI document, tests), always
    added in ROUTE_GROUPS order, whatever order they are named in. `document=False` leaves out what
    only the OpenAPI document reads (its title, description and security schemes): the handler's
    resolver then never imports Powertools' OpenAPI models."""
    wanted = set(groups)
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=json_body.loads)
    if document:
        from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

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
    for name in GROUPS:
        if name in wanted:
            app.include_router(importlib.import_module(f"roster.api.routes.{name}").build_router())

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


def _path_rule(path: str) -> re.Pattern[str]:
    """A route path as a pattern matching at least every request path Powertools' own rule for it
    matches: a `<name>` part is any one path segment (Powertools takes a subset of the characters
    other than `/`); the rest is read as Powertools reads it, as a regular expression."""
    return re.compile("^" + re.sub(r"<\w+>", "[^/]+", path) + "$")


class LazyApi:
    """The handler's resolver, holding only the route groups this container's requests have needed.

    A request whose path one of a group's routes could match loads that group first; the resolver is
    then rebuilt with every group loaded so far, in ROUTE_GROUPS order. Every route that could match
    the path is therefore in it, in the full resolver's order (static routes first, then the dynamic
    ones as added), so the route it picks, and a 404 when none matches, are the full resolver's.
    `eager=True` loads every group, and what their handlers import, at once (where init runs before
    any caller waits)."""

    def __init__(self, *, eager: bool = False) -> None:
        self._rules = [(name, [_path_rule(p) for p in paths]) for name, paths in ROUTE_GROUPS]
        self.loaded: frozenset[str] = frozenset(GROUPS if eager else ())
        self._app = build_app(self.loaded, document=False)
        for module in DEFERRED if eager else ():
            importlib.import_module(module)

    def resolver_for(self, event: dict[str, Any]) -> APIGatewayHttpResolver:
        path = APIGatewayProxyEventV2(event).path  # the path the resolver matches (stage removed)
        needed = {name for name, rules in self._rules if any(rule.match(path) for rule in rules)}
        if not needed <= self.loaded:
            self.loaded |= needed
            self._app = build_app(self.loaded, document=False)
        return self._app


# Lambda's AWS_LAMBDA_INITIALIZATION_TYPE for an init no caller waits on: SnapStart takes its
# snapshot after init, at publish time; provisioned concurrency runs init ahead of traffic. There the
# handler loads every group and DEFERRED at init, so a restored or provisioned environment's first
# request imports nothing; on an on-demand init (the caller waits) each loads on first use.
INIT_AHEAD = frozenset({"snap-start", "provisioned-concurrency"})


def handler_api(environ: Mapping[str, str]) -> LazyApi:
    return LazyApi(eager=environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") in INIT_AHEAD)


def resolver(app: APIGatewayHttpResolver | LazyApi, event: dict[str, Any]) -> APIGatewayHttpResolver:
    return app.resolver_for(event) if isinstance(app, LazyApi) else app


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


def handle(
    api: APIGatewayHttpResolver | LazyApi, event: dict[str, Any], context: LambdaContext
) -> dict[str, Any]:
    """Size and auth are checked before the resolver parses anything (or a route group loads), so a
    rejected request costs nothing and changes nothing. POSTs with an Idempotency-Key run at most once."""
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
        return resolver(api, event).resolve(event, context)
    principal = None if public else principal_from(event)
    if principal is None and not public:
        return edge.error_answer(
            HTTPStatus.UNAUTHORIZED, "unauthorized", "missing or invalid API key or sign-in token"
        )
    app = resolver(api, event)
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
