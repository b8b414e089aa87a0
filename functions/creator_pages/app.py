"""The creator portal's one function: the collaboration pages (`/c/{token}`), creator home
(`/h/{brand_id}`) and the brand's application page (`/apply/{slug}`), each a module of
`roster.portal`. Every page is server-rendered and works without JavaScript; every form post
carries a CSRF token (`roster.portal.csrf`); a bad input ends on a clear page and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from roster.deps import Deps, deps
from roster.observability import logger, metrics
from roster.portal import apply, collaboration, home, http, page
from roster.web import edge

type Handler = Callable[[Deps, http.Request], dict[str, Any]]

ROUTES: dict[str, Handler] = {
    "GET /c/{token}": collaboration.page,
    "GET /c/{token}/{action}": collaboration.view,
    "POST /c/{token}/{action}": collaboration.act,
    "GET /h/{brand}": home.page,
    "GET /h/{brand}/{action}": home.view,
    "POST /h/{brand}/{action}": home.act,
    "GET /apply/{slug}": apply.page,
    "POST /apply/{slug}": apply.submit,
    "GET /apply/{slug}/{action}": apply.view,
    "POST /apply/{slug}/{action}": apply.act,
}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    req = http.Request.from_event(event)
    handler = ROUTES.get(req.route)
    if handler is None:
        return page.problem(404, "Page not found", "There is no page at this address.")
    try:
        return handler(deps(), req)
    except http.BadForm as exc:
        if req.wants_json:
            return edge.error_answer(400, "bad_request", f"{exc}; nothing was changed")
        return page.problem(400, "That form could not be read", f"{exc}. Nothing was changed.")
