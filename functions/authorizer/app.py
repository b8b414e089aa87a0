"""HTTP API Lambda authorizer (payload 2.0, simple responses): an API key or a team member's Cognito
ID token (`Authorization: Bearer <JWT>`) → brand and role.

HTTP APIs answer an authorizer's deny with a fixed `403 {"message":"Forbidden"}` that cannot be
customised, while the brand API promises `401` with its own error JSON for a bad key. So an unknown
key is let through *without a principal* and the API's single gate (`roster.api.app.handle`) answers
401 before any route runs. A known key passes `brand_id` and `key_id`, a member `brand_id`,
`member_id`, `name` and `role`; the brand scopes every query, the role the admin-only routes.

Lean on purpose, like the redirect: no Powertools, no pydantic (`roster.auth.Authenticator`), so a
brand's first request after a quiet spell waits for little more than boto3's cold start (measured
in docs/performance.md). Its one metric is an EMF line written here; its logs go through the
standard library to the Lambda runtime's handler.
"""

from __future__ import annotations

import json
import logging
import os
import time
from functools import lru_cache
from typing import Any

from roster.auth import Authenticator, AuthSettings

# The level the other functions take from Powertools (`LogLevel` in template.yaml).
logging.getLogger("roster.auth").setLevel((os.environ.get("POWERTOOLS_LOG_LEVEL") or "INFO").upper())


@lru_cache(maxsize=1)
def authenticator(settings: AuthSettings) -> Authenticator:
    """Built once per cold start (its DynamoDB client and the pool's keys are reused). Keyed by the
    settings, so an environment that changes (tests deploy a new user pool per test) builds anew."""
    return Authenticator.from_settings(settings)


def count(metric: str) -> None:
    """One CloudWatch metric as an Embedded Metric Format line, as Powertools' `Metrics` writes it
    (its namespace and `service` dimension), without importing Powertools."""
    service = os.environ.get("POWERTOOLS_SERVICE_NAME") or "service_undefined"
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Roster"
    directive = {
        "Namespace": namespace,
        "Dimensions": [["service"]],
        "Metrics": [{"Name": metric, "Unit": "Count"}],
    }
    line = {"_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [directive]}}
    print(json.dumps({**line, "service": service, metric: [1.0]}, separators=(",", ":")))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    headers = event.get("headers") or {}
    caller = authenticator(AuthSettings.from_env(os.environ)).authenticate(headers.get("authorization"))
    if caller is None:
        count("ApiKeyRejected")
        return {"isAuthorized": True, "context": {"anonymous": True}}
    return {"isAuthorized": True, "context": caller.context()}
