"""Every operation of the brand API fuzzed from its OpenAPI document (schemathesis), in-process
through the same gateway emulation as the local stack, as a brand whose campaign, creator, link,
promo code, template and collaboration the generated ids sometimes hit. Whatever is sent, the
answer is never a 5xx and always one the document describes (status, content type, body)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local.gateway import Gateway
from local.openapi import document
from tests.integration.conftest import CAMPAIGN, CREATOR, Client

SCHEMA = schemathesis.openapi.from_dict(json.loads(document()), config=schemathesis.Config())


def operations() -> list[APIOperation[Any, Any, Any, Any]]:
    found = []
    for result in SCHEMA.get_all_operations():
        if not isinstance(result, Ok):
            raise result.err()  # the document itself is broken: say so rather than skip it
        found.append(result.ok())
    return found


OPERATIONS = operations()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation; `ROSTER_FUZZ_EXAMPLES=400 pytest tests/integration/test_schemathesis.py` digs deeper.
EXAMPLES = int(os.environ.get("ROSTER_FUZZ_EXAMPLES", "40"))

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def as_wsgi(gateway: Gateway) -> WSGIApp:
    """The gateway as a WSGI app, so schemathesis serialises each case as it would on the wire."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        status, out, payload = gateway.handle(environ["REQUEST_METHOD"], environ["RAW_URI"], headers, body)
        start_response(f"{status} {HTTPStatus(status).phrase}", list(out.items()))
        return [payload]

    return app


def seed(brand: Client) -> dict[str, str]:
    """Real ids of the brand's resources, by the path parameter names that take them."""
    campaign = brand.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    creator = brand.call("POST", "/v1/creators", CREATOR)[1]
    link = brand.call(
        "POST",
        "/v1/links",
        {
            "campaign_id": campaign["id"],
            "creator_id": creator["id"],
            "destination": "https://shop.example.com/",
        },
    )[1]
    code = {"campaign_id": campaign["id"], "creator_id": creator["id"], "code": "MAYA10"}
    brand.call("POST", "/v1/promo-codes", code)
    template = brand.call(
        "POST",
        "/v1/email-templates",
        {"name": "Invite", "subject": "Join {{ campaign.name }}", "html": "<p>Hi</p>", "text": "Hi"},
    )[1]
    status, started = brand.call(
        "POST", f"/v1/campaigns/{campaign['id']}/collaborations", {"creator_ids": [creator["id"]]}
    )
    key = brand.call("POST", "/v1/api-keys", {"name": "spare"})[1]
    return {
        "campaign_id": campaign["id"],
        "creator_id": creator["id"],
        "code": link["code"],
        "template_id": template["id"],
        "collaboration_id": started["items"][0]["id"] if status == 202 else "",
        "key_id": key["id"],
        "provider": "shopify",
    }


def fuzz(strategy: st.SearchStrategy[schemathesis.Case[Any]], app: WSGIApp, examples: int) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,  # the same cases on every run and machine
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case[Any]) -> None:
        response = case.call(app=app)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_operation_never_fails_and_keeps_its_documented_schema(
    operation: Any, brand_a: Client, gateway: Gateway
) -> None:
    ids = seed(brand_a)
    app = as_wsgi(gateway)
    auth = {"Authorization": f"Bearer {brand_a.key}"}
    real = {p.name: ids[p.name] for p in operation.path_parameters if ids.get(p.name)}
    strategies = [operation.as_strategy(mode, headers=auth) for mode in GenerationMode]
    if real:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, headers=auth, path_parameters=real))
    fuzz(st.one_of(strategies), app, EXAMPLES)
    # No Authorization header (API Gateway's 401) or a generated one (Roster's 401).
    fuzz(operation.as_strategy(GenerationMode.POSITIVE), app, 4)


@pytest.mark.parametrize(
    "headers, body",
    [
        ({}, {"message": "Unauthorized"}),
        ({"Authorization": "Bearer rk_live_unknown"}, None),
    ],
)
def test_both_401_shapes_are_the_documented_ones(
    brand_a: Client, gateway: Gateway, headers: dict[str, str], body: dict[str, str] | None
) -> None:
    """Without an Authorization header API Gateway answers itself (decisions.md, "Authentication and keys"); an unknown key gets
    Roster's error body. The OpenAPI describes both, so clients and fuzzers can rely on it."""
    case = SCHEMA["/v1/campaigns"]["GET"].Case(headers=headers)
    response = case.call(app=as_wsgi(gateway))
    assert response.status_code == 401
    roster = {
        "error": {
            "code": "unauthorized",
            "message": "missing or invalid API key or sign-in token",
            "details": [],
        }
    }
    assert response.json() == (body or roster)
    case.validate_response(response, checks=CHECKS)
