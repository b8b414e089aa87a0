"""The HTTP edge's error → status table: a subclass gets the status of the nearest class the table
names (it used to be an exact-type lookup: 400 for `RenderError`, a `KeyError` in the API's gate)."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from local.lambdas import FakeLambdaContext
from roster import errors, idempotency
from roster.api.app import build_app, handle
from roster.api.errors import for_domain_error
from roster.conversions.order_parsers import UnknownShape
from roster.conversions.webhook_signatures import SignatureInvalid
from roster.outreach.email_templates import RenderError
from roster.web import edge
from tests.conftest import http_event


class StillRunning(errors.Conflict):
    code = "still_running"


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (RenderError("cannot personalize"), 422),
        (UnknownShape("not an order"), 422),
        (SignatureInvalid("no match"), 401),
        (StillRunning("busy"), 409),
        (errors.NotFound("gone"), 404),
        (errors.RosterError("no kind of its own"), 400),
    ],
)
def test_a_subclass_gets_the_status_of_its_nearest_mapped_class(exc: errors.RosterError, status: int) -> None:
    assert edge.status_for(exc) == status
    answer = edge.for_error(exc)
    assert answer["statusCode"] == status
    assert json.loads(answer["body"])["error"]["code"] == exc.code
    assert for_domain_error(exc).status_code == status


def test_the_api_gate_maps_a_subclass_raised_by_the_idempotency_check(monkeypatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise StillRunning("the first request with this key is still running")

    monkeypatch.setattr(idempotency, "run", refuse)
    event = http_event(
        "POST",
        "/v1/campaigns",
        body={},
        principal={"brand_id": "b1", "key_id": "k1"},
        headers={idempotency.HEADER: "key-1"},
    )
    resp = handle(build_app(), event, cast(Any, FakeLambdaContext()))
    assert resp["statusCode"] == 409 and json.loads(resp["body"])["error"]["code"] == "still_running"
