from __future__ import annotations

import pytest

from roster.deps import deps
from roster.errors import Conflict
from tests.integration.conftest import CAMPAIGN, Client, table_snapshot


def test_create_get_list_patch(brand_a: Client) -> None:
    status, created = brand_a.call("POST", "/v1/campaigns", CAMPAIGN)
    assert status == 201
    assert created["status"] == "draft" and created["version"] == 1
    assert created["budget"] == {"amount": 1_500_000, "currency": "USD"}

    status, got = brand_a.call("GET", f"/v1/campaigns/{created['id']}")
    assert (status, got) == (200, created)

    status, listed = brand_a.call("GET", "/v1/campaigns")
    assert status == 200 and [c["id"] for c in listed["items"]] == [created["id"]]
    assert listed["next_cursor"] is None

    status, patched = brand_a.call(
        "PATCH", f"/v1/campaigns/{created['id']}", {"status": "active", "budget": None}
    )
    assert status == 200
    assert patched["status"] == "active" and patched["budget"] is None and patched["version"] == 2
    assert brand_a.call("GET", f"/v1/campaigns/{created['id']}")[1] == patched


def test_pagination_walks_every_item_once(brand_a: Client) -> None:
    ids = [brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"name": f"c{i}"})[1]["id"] for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": "3"} | ({"cursor": cursor} if cursor else {})
        status, page = brand_a.call("GET", "/v1/campaigns", query=query)
        assert status == 200 and len(page["items"]) <= 3
        seen += [c["id"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids and pages == 3


def test_status_filter_uses_the_index(brand_a: Client) -> None:
    first = brand_a.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})
    brand_a.call("PATCH", f"/v1/campaigns/{first['id']}", {"status": "cancelled"})
    assert [
        c["status"] for c in brand_a.call("GET", "/v1/campaigns", query={"status": "active"})[1]["items"]
    ] == ["active"]
    cancelled = brand_a.call("GET", "/v1/campaigns", query={"status": "cancelled"})[1]["items"]
    assert [c["id"] for c in cancelled] == [first["id"]]
    assert brand_a.call("GET", "/v1/campaigns", query={"status": "draft"})[1]["items"] == []


@pytest.mark.parametrize(
    "patch, status, code",
    [
        ({"status": "completed"}, 409, "conflict"),
        ({"end_date": "2026-01-01"}, 422, "validation_error"),
        ({"name": None}, 422, "validation_error"),
        ({"budget": {"amount": 5}}, 422, "validation_error"),
        ({"colour": "red"}, 422, "validation_error"),
    ],
)
def test_bad_patches_change_nothing(
    brand_a: Client, patch: dict[str, object], status: int, code: str
) -> None:
    created = brand_a.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    before = table_snapshot()
    got_status, body = brand_a.call("PATCH", f"/v1/campaigns/{created['id']}", patch)
    assert (got_status, body["error"]["code"]) == (status, code)
    assert table_snapshot() == before


def test_finished_campaigns_are_frozen(brand_a: Client) -> None:
    created = brand_a.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    brand_a.call("PATCH", f"/v1/campaigns/{created['id']}", {"status": "cancelled"})
    status, body = brand_a.call("PATCH", f"/v1/campaigns/{created['id']}", {"name": "again"})
    assert status == 409 and "cannot be changed" in body["error"]["message"]


def test_concurrent_update_loses_cleanly(brand_a: Client) -> None:
    created = brand_a.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    store = deps().stores.campaigns
    stale = store.require(brand_a.brand_id, created["id"])
    brand_a.call("PATCH", f"/v1/campaigns/{created['id']}", {"name": "winner"})
    loser = stale.model_copy(update={"name": "loser", "version": stale.version + 1})
    with pytest.raises(Conflict, match="changed by another request"):
        store.replace(brand_a.brand_id, loser, expected_version=stale.version)
    assert brand_a.call("GET", f"/v1/campaigns/{created['id']}")[1]["name"] == "winner"


@pytest.mark.parametrize(
    "body, headers, status, code",
    [
        ("{not json", {}, 400, "malformed_json"),
        ("[1, 2]", {}, 422, "validation_error"),
        ({"name": "x"}, {}, 422, "validation_error"),
        ({**CAMPAIGN, "name": "x" * 300_000}, {}, 413, "payload_too_large"),
    ],
)
def test_bad_creates_change_nothing(
    brand_a: Client, body: object, headers: dict[str, str], status: int, code: str
) -> None:
    before = table_snapshot()
    got_status, resp = brand_a.call("POST", "/v1/campaigns", body, headers=headers)
    assert (got_status, resp["error"]["code"]) == (status, code)
    assert table_snapshot() == before


def test_unknown_routes_and_ids(brand_a: Client) -> None:
    assert brand_a.call("GET", "/v1/campaigns/does-not-exist")[0] == 404
    assert brand_a.call("GET", "/v1/nothing-here")[0] == 404
    assert brand_a.call("DELETE", "/v1/campaigns")[0] == 404
    assert brand_a.call("GET", "/nothing")[0] == 404
