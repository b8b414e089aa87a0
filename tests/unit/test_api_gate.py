"""The checks that run before the resolver: size, auth, JSON-only. No AWS is reached by any of them
(sockets are blocked in unit tests, so a store call would fail the test)."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from local.lambdas import FakeLambdaContext
from roster.api.app import build_app, handle
from tests.conftest import http_event

PRINCIPAL = {"brand_id": "b1", "key_id": "k1"}


@pytest.fixture(scope="module")
def app():
    return build_app()


def _call(app, event):
    resp = handle(app, event, cast(Any, FakeLambdaContext()))
    return resp["statusCode"], json.loads(resp["body"])


def test_missing_principal_is_401_for_every_v1_route(app) -> None:
    for method, path in [("GET", "/v1/campaigns"), ("POST", "/v1/creators"), ("GET", "/v1/nowhere")]:
        status, body = _call(app, http_event(method, path, body={}))
        assert status == 401 and body["error"]["code"] == "unauthorized"


def test_oversize_bodies_are_413(app, monkeypatch) -> None:
    monkeypatch.setenv("MAX_JSON_BODY_BYTES", "100")
    from roster.deps import reset

    reset()
    status, body = _call(
        app, http_event("POST", "/v1/campaigns", body={"name": "x" * 200}, principal=PRINCIPAL)
    )
    assert status == 413 and body["error"]["code"] == "payload_too_large"
    event = http_event("POST", "/v1/campaigns", body="QUFB" * 40, principal=PRINCIPAL)
    event["isBase64Encoded"] = True
    assert _call(app, event)[0] == 413


def test_malformed_json_is_400_even_when_sent_as_form(app) -> None:
    event = http_event(
        "POST",
        "/v1/campaigns",
        body="{oops",
        principal=PRINCIPAL,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    status, body = _call(app, event)
    assert status == 400 and body["error"]["code"] == "malformed_json"


def test_schema_errors_are_422_with_field_paths(app) -> None:
    status, body = _call(
        app,
        http_event(
            "POST",
            "/v1/campaigns",
            principal=PRINCIPAL,
            body={
                "name": "x",
                "objective": "conversions",
                "start_date": "2027-01-01",
                "end_date": "2027-02-01",
                "budget": {"amount": "lots", "currency": "USD"},
            },
        ),
    )
    assert status == 422
    assert {
        "field": "budget.amount",
        "message": "Input should be a valid integer, unable to parse string as an integer",
    } in body["error"]["details"]


def test_unknown_route_is_404_json(app) -> None:
    status, body = _call(app, http_event("GET", "/v1/nowhere", principal=PRINCIPAL))
    assert status == 404 and body["error"]["code"] == "not_found"


def test_import_requires_csv(app) -> None:
    status, body = _call(
        app, http_event("POST", "/v1/creators:import", body="name,email\n", principal=PRINCIPAL)
    )
    assert status == 415 and body["error"]["code"] == "unsupported_media_type"


def test_recorded_api_gateway_event_with_base64_body_reaches_validation(app) -> None:
    from tests.conftest import load_json

    # `{}` sent by curl -d as a form, base64-encoded by API Gateway: parsed as JSON, then 422.
    status, body = _call(app, load_json("api_request_v2.json"))
    assert status == 422
    assert {d["field"] for d in body["error"]["details"]} >= {"name", "objective", "start_date", "end_date"}
