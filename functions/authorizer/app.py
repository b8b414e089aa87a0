"""HTTP API Lambda authorizer (payload 2.0, simple responses): an API key or a team member's Cognito
ID token (`Authorization: Bearer <JWT>`) → brand and role.

HTTP APIs answer an authorizer's deny with a fixed `403 {"message":"Forbidden"}` that cannot be
customised, while the brand API promises `401` with its own error JSON for a bad key. So an unknown
key is let through *without a principal* and the API's single gate (`roster.api.app.handle`) answers
401 before any route runs. A known key passes `brand_id` and `key_id`, a member `brand_id`,
`member_id`, `name` and `role`; the brand scopes every query, the role the admin-only routes.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from roster import auth
from roster.deps import deps
from roster.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    headers = event.get("headers") or {}
    principal = auth.authenticate(deps(), headers.get("authorization"))
    if principal is None:
        metrics.add_metric(name="ApiKeyRejected", unit="Count", value=1)
        return {"isAuthorized": True, "context": {"anonymous": True}}
    # Context values must be strings, numbers or booleans: absent ids are left out, not null.
    verdict = {k: v for k, v in principal.model_dump().items() if v is not None}
    logger.append_keys(brand_id=principal.brand_id, key_id=principal.key_id, member_id=principal.member_id)
    return {"isAuthorized": True, "context": verdict}
