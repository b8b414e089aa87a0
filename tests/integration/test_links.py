from __future__ import annotations

from typing import Any

import pytest

from roster.deps import deps
from roster.store import keys
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot


@pytest.fixture
def setup(brand_a: Client) -> dict[str, Any]:
    campaign = brand_a.call(
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | {
            "name": "Spring Trail Launch",
            "allowed_domains": ["shop.example.com", "*.example.org"],
            "click_id_param": "ref",
        },
    )[1]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    return {
        "campaign": campaign,
        "creator": creator,
        "body": {
            "campaign_id": campaign["id"],
            "creator_id": creator["id"],
            "destination": "https://shop.example.com/trail?size=9",
        },
    }


def test_create_get_list_patch(brand_a: Client, setup: dict[str, Any]) -> None:
    status, link = brand_a.call("POST", "/v1/links", setup["body"])
    assert status == 201, link
    assert len(link["code"]) == 8 and link["code"].isalnum()
    assert (link["utm_source"], link["utm_campaign"], link["click_id_param"]) == (
        "maya.runs",
        "spring-trail-launch",
        "ref",
    )
    assert link["url"] == f"https://127.0.0.1/r/{link['code']}"
    assert brand_a.call("GET", f"/v1/links/{link['code']}")[1] == link
    assert [
        x["code"]
        for x in brand_a.call("GET", "/v1/links", query={"campaign_id": setup["campaign"]["id"]})[1]["items"]
    ] == [link["code"]]
    assert [
        x["code"]
        for x in brand_a.call("GET", "/v1/links", query={"creator_id": setup["creator"]["id"]})[1]["items"]
    ] == [link["code"]]
    assert brand_a.call("GET", "/v1/links", query={"campaign_id": "nope"})[1]["items"] == []

    status, patched = brand_a.call(
        "PATCH",
        f"/v1/links/{link['code']}",
        {
            "enabled": False,
            "expires_at": "2027-04-01T00:00:00Z",
            "expired_url": "https://www.example.org/over",
        },
    )
    assert status == 200 and patched["enabled"] is False and patched["version"] == 2
    redirect = deps().stores.links.table.get(keys.redirect_pk(link["code"]), keys.redirect_sk())
    assert redirect is not None
    assert (redirect["enabled"], redirect["expires_epoch"], redirect["expired_url"], redirect["version"]) == (
        False,
        1806537600,
        "https://www.example.org/over",
        2,
    )
    assert redirect["brand_id"] == brand_a.brand_id and redirect["click_id_param"] == "ref"
    cleared = brand_a.call("PATCH", f"/v1/links/{link['code']}", {"expires_at": None, "expired_url": None})[1]
    assert cleared["expires_at"] is None and cleared["expired_url"] is None
    assert brand_a.call("GET", f"/v1/links/{link['code']}")[1] == cleared  # stored, not only answered


def test_custom_codes_are_unique_per_deployment(
    brand_a: Client, brand_b: Client, setup: dict[str, Any]
) -> None:
    assert brand_a.call("POST", "/v1/links", setup["body"] | {"code": "maya-spring"})[0] == 201
    before = table_snapshot()
    status, body = brand_a.call("POST", "/v1/links", setup["body"] | {"code": "maya-spring"})
    assert status == 409 and body["error"]["details"][0]["field"] == "code"
    assert table_snapshot() == before
    for bad in ("ab", "has space", "émoji", "x" * 65, "semi;colon"):
        assert brand_a.call("POST", "/v1/links", setup["body"] | {"code": bad})[0] == 422, bad


@pytest.mark.parametrize(
    "destination, reason",
    [
        ("javascript:alert(1)", "scheme"),
        ("data:text/html,<script>alert(1)</script>", "scheme"),
        ("http://shop.example.com/x", "scheme must be https"),
        ("ftp://shop.example.com/x", "scheme"),
        ("https://evil.example.net/x", "allowed domains"),
        ("https://shop.example.com.evil.net/x", "allowed domains"),
        ("https://shop.example.com@evil.net/x", "user information"),
        ("https://evil.net\\@shop.example.com/", "backslashes"),
        ("https://shop.example.com:8443/x", "default ports"),
        ("https:///x", "allowed domains"),
        ("https://notexample.org/x", "allowed domains"),
        ("https://shop.example.com/\nx", "control characters"),
    ],
)
def test_destinations_that_could_redirect_anywhere_are_refused(
    brand_a: Client, setup: dict[str, Any], destination: str, reason: str
) -> None:
    before = table_snapshot()
    status, body = brand_a.call("POST", "/v1/links", setup["body"] | {"destination": destination})
    assert status == 422, body
    assert reason in body["error"]["details"][0]["message"]
    assert table_snapshot() == before


def test_allowed_variants(brand_a: Client, setup: dict[str, Any]) -> None:
    for destination in (
        "https://SHOP.example.com/x",
        "https://www.example.org/x",
        "https://example.org/",
        "https://deep.sub.example.org/p?q=1#f",
    ):
        assert brand_a.call("POST", "/v1/links", setup["body"] | {"destination": destination})[0] == 201, (
            destination
        )
    campaign_id = setup["campaign"]["id"]
    assert brand_a.call("PATCH", f"/v1/campaigns/{campaign_id}", {"allow_http": True})[0] == 200
    assert (
        brand_a.call("POST", "/v1/links", setup["body"] | {"destination": "http://shop.example.com/x"})[0]
        == 201
    )


def test_patch_rules(brand_a: Client, setup: dict[str, Any]) -> None:
    link = brand_a.call("POST", "/v1/links", setup["body"])[1]
    before = table_snapshot()
    for patch in (
        {"destination": "https://evil.net/"},
        {"expired_url": "javascript:x"},
        {"enabled": None},
        {"code": "new"},
    ):
        assert brand_a.call("PATCH", f"/v1/links/{link['code']}", patch)[0] == 422, patch
    assert table_snapshot() == before
    moved = brand_a.call(
        "PATCH", f"/v1/links/{link['code']}", {"destination": "https://shop.example.com/new"}
    )[1]
    assert moved["destination"] == "https://shop.example.com/new"


def test_unknown_references_and_finished_campaigns(brand_a: Client, setup: dict[str, Any]) -> None:
    status, body = brand_a.call(
        "POST", "/v1/links", setup["body"] | {"campaign_id": "nope", "creator_id": "nope"}
    )
    assert status == 422 and {d["field"] for d in body["error"]["details"]} == {"campaign_id", "creator_id"}
    brand_a.call("PATCH", f"/v1/campaigns/{setup['campaign']['id']}", {"status": "cancelled"})
    assert brand_a.call("POST", "/v1/links", setup["body"])[0] == 409
