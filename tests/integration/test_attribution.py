from __future__ import annotations

import json
from typing import Any

import pytest

from roster.deps import deps
from roster.store import keys
from roster.store.table import serialize
from tests.conftest import TEST_ENV, load_json
from tests.integration.conftest import CAMPAIGN, CREATOR, Client
from tests.integration.test_webhooks import SECRETS, shopify


@pytest.fixture
def setup(brand_a: Client) -> dict[str, Any]:
    for provider, secret in SECRETS.items():
        brand_a.call("PUT", f"/v1/integrations/{provider}", {"secret": secret})
    campaign = brand_a.call(
        "POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "attribution_window_days": 7}
    )[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    leo = brand_a.call(
        "POST",
        "/v1/creators",
        CREATOR | {"name": "Leo", "email": "jon@example.com", "platforms": {"tiktok": {"handle": "leo"}}},
    )[1]
    return {"campaign": campaign, "maya": maya, "leo": leo}


def attribution(client: Client, order_id: str = "820982911946154508") -> dict[str, Any]:
    item = deps().stores.attributions.get(client.brand_id, "shopify", order_id)
    assert item is not None
    return item.model_dump()


def put_click(brand_id: str, click_id: str, campaign_id: str, creator_id: str, at: str) -> None:
    deps().stores.stats.table.client.put_item(
        TableName=TEST_ENV["TABLE_NAME"],
        Item=serialize(
            {
                keys.PK: keys.click_pk(brand_id, click_id),
                keys.SK: keys.click_sk(),
                "entity": "click",
                "click_id": click_id,
                "campaign_id": campaign_id,
                "creator_id": creator_id,
                "code": "maya1",
                "at": at,
                "brand_id": brand_id,
            }
        ),
    )


def test_promo_code_wins_and_self_purchase_is_flagged(brand_a: Client, setup: dict[str, Any]) -> None:
    code = {"campaign_id": setup["campaign"]["id"], "creator_id": setup["leo"]["id"], "code": "maya10"}
    assert brand_a.call("POST", "/v1/promo-codes", code)[0] == 201
    assert brand_a.call("POST", "/v1/promo-codes", code | {"code": "MAYA10"})[0] == 409  # case-insensitive
    order = load_json("shopify_order_create.json")
    put_click(
        brand_a.brand_id,
        json.loads(json.dumps(order))["note_attributes"][0]["value"],
        setup["campaign"]["id"],
        setup["maya"]["id"],
        "2027-01-10T19:00:00Z",
    )
    status, body = shopify(brand_a, "orders/create", order, "e1")
    assert status == 200
    a = attribution(brand_a)
    assert (a["method"], a["code"], a["creator_id"]) == ("promo_code", "maya10", setup["leo"]["id"])
    assert a["self_purchase"] is True  # jon@example.com bought with his own code


def test_click_within_the_window_then_first_decision_sticks(brand_a: Client, setup: dict[str, Any]) -> None:
    order = load_json("shopify_order_create.json") | {"discount_codes": []}
    click_id = order["note_attributes"][0]["value"]
    put_click(
        brand_a.brand_id, click_id, setup["campaign"]["id"], setup["maya"]["id"], "2027-01-05T10:00:00Z"
    )
    shopify(brand_a, "orders/create", order, "e1")
    a = attribution(brand_a)
    assert (a["method"], a["click_id"], a["creator_id"], a["self_purchase"]) == (
        "click",
        click_id,
        setup["maya"]["id"],
        False,
    )
    # A later code registration and another delivery do not move the order to someone else.
    brand_a.call(
        "POST",
        "/v1/promo-codes",
        {"campaign_id": setup["campaign"]["id"], "creator_id": setup["leo"]["id"], "code": "MAYA10"},
    )
    shopify(brand_a, "orders/paid", load_json("shopify_order_create.json"), "e2")
    assert attribution(brand_a)["creator_id"] == setup["maya"]["id"]


def test_old_clicks_and_no_signal_leave_the_order_unattributed(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    order = load_json("shopify_order_create.json") | {
        "discount_codes": [{"code": "UNKNOWN", "amount": "1.00"}]
    }
    put_click(
        brand_a.brand_id,
        order["note_attributes"][0]["value"],
        setup["campaign"]["id"],
        setup["maya"]["id"],
        "2026-12-01T10:00:00Z",
    )
    shopify(brand_a, "orders/create", order, "e1")
    a = attribution(brand_a)
    assert (a["method"], a["creator_id"], a["subtotal"]) == ("none", None, 39800)


def test_generated_codes(brand_a: Client, setup: dict[str, Any]) -> None:
    body = {
        "campaign_id": setup["campaign"]["id"],
        "creator_id": setup["maya"]["id"],
        "pattern": "{HANDLE}{N}",
    }
    codes = [brand_a.call("POST", "/v1/promo-codes", body)[1]["code"] for _ in range(3)]
    assert codes == ["MAYARUNS1", "MAYARUNS2", "MAYARUNS3"]
    rand = brand_a.call("POST", "/v1/promo-codes", body | {"pattern": "{NAME}-{RAND}"})[1]["code"]
    assert rand.startswith("MAYA-") and len(rand) == 9
    assert brand_a.call("POST", "/v1/promo-codes", body | {"pattern": "{N}"})[0] == 422  # "1": too short
    assert brand_a.call("POST", "/v1/promo-codes", body | {"code": "X1Y", "pattern": "{N}"})[0] == 422
    listed = brand_a.call("GET", "/v1/promo-codes", query={"creator_id": setup["maya"]["id"]})[1]["items"]
    assert len(listed) == 4


def test_campaign_can_prefer_clicks_over_codes(brand_a: Client, setup: dict[str, Any]) -> None:
    brand_a.call("PATCH", f"/v1/campaigns/{setup['campaign']['id']}", {"attribution_priority": "click"})
    brand_a.call(
        "POST",
        "/v1/promo-codes",
        {"campaign_id": setup["campaign"]["id"], "creator_id": setup["leo"]["id"], "code": "MAYA10"},
    )
    order = load_json("shopify_order_create.json")
    click_id = order["note_attributes"][0]["value"]
    put_click(
        brand_a.brand_id, click_id, setup["campaign"]["id"], setup["maya"]["id"], "2027-01-09T10:00:00Z"
    )
    shopify(brand_a, "orders/create", order, "e1")
    a = attribution(brand_a)
    assert (a["method"], a["creator_id"]) == ("click", setup["maya"]["id"])
