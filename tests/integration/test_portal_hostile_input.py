"""Garbage posted to creator home and the application page (non-UTF-8, JSON nested 5,000 deep, a
2 MB field, a JSON array), by a browser or a JSON client: a 4xx every time, and nothing stored."""

from __future__ import annotations

import json

from tests.integration.conftest import Client, table_snapshot

DEEP = b'{"a":' * 5000 + b"1" + b"}" * 5000
BODIES = {
    "non-UTF-8 form": (b"\xff\xfe\xfa", "application/x-www-form-urlencoded"),
    "non-UTF-8 JSON": (b"\xff\xfe\xfa", "application/json"),
    "JSON nested 5,000 deep": (DEEP, "application/json"),
    "a 2 MB form field": (b"name=" + b"x" * 2_000_000, "application/x-www-form-urlencoded"),
    "a 2 MB JSON field": (json.dumps({"name": "x" * 2_000_000}).encode(), "application/json"),
    "a JSON array": (b"[1,2]", "application/json"),
}


def test_garbage_to_the_portals_forms_is_a_4xx_and_changes_nothing(brand_a: Client) -> None:
    assert brand_a.call("PUT", "/v1/application-page", {"slug": "brand-a", "enabled": True})[0] == 200
    home = f"/h/{brand_a.brand_id}"
    paths = [
        "/apply/brand-a",
        "/apply/brand-a/confirm",
        "/apply/brand-a/not-me",
        "/apply/brand-a/nonsense",
        f"{home}/sign-in",
        f"{home}/link",
        f"{home}/profile",
        f"{home}/nonsense",
    ]
    before = table_snapshot()
    for path in paths:
        for name, (body, ctype) in BODIES.items():
            for accept in ("text/html", "application/json"):
                headers = {"content-type": ctype, "accept": accept}
                status, _, out = brand_a.gateway.handle("POST", path, headers, body)
                assert status in (400, 404, 413), (path, name, accept, status, out[:300])
    assert table_snapshot() == before
