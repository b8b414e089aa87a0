"""Bodies built to break a parser, on every JSON route of the brand API and on the creator pages:
each is a 400 that says what is wrong, never a 500, and changes nothing."""

from __future__ import annotations

import json
import re

import pytest

from local.openapi import document
from roster.outreach import mail
from tests.conftest import TEST_ENV
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot

HOSTILE: dict[str, tuple[bytes, str]] = {
    "latin-1": ('{"name": "Café"}'.encode("latin-1"), "not UTF-8"),
    "utf-16 with BOM": ('{"name": "x"}'.encode("utf-16"), "not UTF-8 (this looks like UTF-16)"),
    "100,000-deep array": (b"[" * 100_000 + b"]" * 100_000, "nested more than 32 levels"),
    "40-deep object": (b'{"a":' * 40 + b"1" + b"}" * 40, "nested more than 32 levels"),
    "5,000-digit integer": (b'{"name": ' + b"9" * 5_000 + b"}", "integer with more than 38 digits"),
    "NaN": (b'{"name": NaN}', "NaN is not a JSON value"),
    "1e999": (b'{"name": 1e999}', "number out of range"),
    "truncated": (b'{"name": ', "Expecting value"),
}


def json_routes() -> list[tuple[str, str]]:
    spec = json.loads(document())
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if "application/json" in (op.get("requestBody") or {}).get("content", {})
    ]


@pytest.mark.parametrize("name", HOSTILE)
def test_every_json_route_answers_a_hostile_body_with_400(brand_a: Client, name: str) -> None:
    raw, reason = HOSTILE[name]
    routes = json_routes()
    assert len(routes) >= 20
    before = table_snapshot()
    for method, path in routes:
        headers = {"authorization": f"Bearer {brand_a.key}", "content-type": "application/json"}
        status, _, payload = brand_a.gateway.handle(method, path, headers, raw)
        body = json.loads(payload)
        assert (status, body["error"]["code"]) == (400, "malformed_json"), (method, path, body)
        assert body["error"]["message"].startswith("the request body is not valid JSON")
        assert reason in body["error"]["message"], (method, path, body)
    assert table_snapshot() == before


def test_a_utf8_bom_before_json_is_ignored(brand_a: Client) -> None:
    raw = "\ufeff".encode() + json.dumps({"name": "spare"}).encode()
    headers = {"authorization": f"Bearer {brand_a.key}", "content-type": "application/json"}
    status, _, payload = brand_a.gateway.handle("POST", "/v1/api-keys", headers, raw)
    assert status == 201, payload


def test_a_5000_digit_integer_in_a_query_is_422(brand_a: Client) -> None:
    status, body = brand_a.call("GET", "/v1/creators", query={"limit": "9" * 5_000})
    assert (status, body["error"]["code"]) == (422, "validation_error")


def _collaboration(brand: Client) -> str:
    terms = {
        "deliverables": [{"platform": "instagram", "format": "reel", "count": 1}],
        "posting_window_start": "2027-01-10",
        "posting_window_end": "2027-02-10",
    }
    campaign = brand.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "default_terms": terms})[1]
    creator = brand.call("POST", "/v1/creators", CREATOR)[1]
    status, started = brand.call(
        "POST", f"/v1/campaigns/{campaign['id']}/collaborations", {"creator_ids": [creator["id"]]}
    )
    assert status == 202, started
    return str(started["items"][0]["id"])


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("content_type", ["application/json", "application/octet-stream"])
def test_creator_pages_answer_a_hostile_body_with_400(brand_a: Client, name: str, content_type: str) -> None:
    token = mail.collaboration_token(
        TEST_ENV["OUTREACH_SIGNING_KEY"], brand_a.brand_id, _collaboration(brand_a)
    )
    raw, reason = HOSTILE[name]
    status, _, payload = brand_a.gateway.handle(
        "POST", f"/c/{token}/accept", {"content-type": content_type}, raw
    )
    body = json.loads(payload)
    assert (status, body["error"]["code"]) == (400, "malformed_json"), body
    assert reason in body["error"]["message"]


@pytest.mark.parametrize("name", HOSTILE)
def test_the_unsubscribe_page_ignores_any_body(brand_a: Client, name: str) -> None:
    creator = brand_a.call("POST", "/v1/creators", {"name": "Maya", "email": "maya@example.com"})[1]
    token = mail.unsubscribe_token(TEST_ENV["OUTREACH_SIGNING_KEY"], brand_a.brand_id, creator["id"])
    raw, _ = HOSTILE[name]
    for content_type in ("application/x-www-form-urlencoded", "application/json", "text/plain"):
        status, _, page = brand_a.gateway.handle("POST", f"/u/{token}", {"content-type": content_type}, raw)
        assert status == 200 and b"unsubscribed" in page
