"""Over HTTP and the real webhook path: refunds in each store's terms, bounds on configured money
(422 with the field path), the end of earning and Stripe promotion codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from stripe import WebhookSignature

from roster import clock
from tests.conftest import load_json
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot
from tests.integration.test_attribution import put_click
from tests.integration.test_ledger import entries, generic
from tests.integration.test_webhooks import SECRETS, b64hmac, deliver, shopify
from tests.unit.test_store_terms import (
    shopify_order,
    shopify_refund,
    stripe_refund,
    stripe_session,
    woo_order,
)


@pytest.fixture
def setup(brand_a: Client) -> dict[str, Any]:
    for provider, secret in SECRETS.items():
        brand_a.call("PUT", f"/v1/integrations/{provider}", {"secret": secret})
    plan = {"plan": {"percent_bps": 1000}}
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "commission": plan})[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    for code in ("MAYA10", "LEO15", "leo5"):
        body = {"campaign_id": campaign["id"], "creator_id": maya["id"], "code": code}
        assert brand_a.call("POST", "/v1/promo-codes", body)[0] == 201
    return {"campaign": campaign, "maya": maya}


def stripe(client: Client, event: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(event).encode()
    header = WebhookSignature.generate_signature_header(body.decode(), SECRETS["stripe"])
    status, resp = deliver(client, "stripe", body, {"stripe-signature": header})
    assert status == 200
    return resp


def woocommerce(client: Client, order: dict[str, Any], delivery: str) -> dict[str, Any]:
    body = json.dumps(order).encode()
    headers = {
        "x-wc-webhook-topic": "order.updated",
        "x-wc-webhook-signature": b64hmac(SECRETS["woocommerce"], body),
        "x-wc-webhook-delivery-id": delivery,
    }
    status, resp = deliver(client, "woocommerce", body, headers)
    assert status == 200
    return resp


def booked(order_id: str) -> list[int]:
    return [e["amount"] for e in entries() if e["order"] == order_id]


def test_half_refunds_reverse_half_the_commission_in_every_store(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    """A 10 % plan, a charge of 10,800 (10,000 of items, 800 of tax and shipping), half refunded."""
    shopify(brand_a, "orders/create", shopify_order(), "o1")
    shopify(brand_a, "refunds/create", shopify_refund("50.00", tax="1.50"), "r1")
    assert booked("820982911946154508") == [1000, -500]

    assert stripe(brand_a, stripe_session())["status"] == "processed"
    assert stripe(brand_a, stripe_refund(5_400))["status"] == "processed"
    assert booked("pi_3QxA2bC3d4E5f6G7") == [1000, -500]

    woocommerce(brand_a, woo_order(), "w1")
    woocommerce(brand_a, woo_order("-54.00"), "w2")
    assert booked("727") == [1000, -500]


def test_a_refund_in_another_currency_is_recorded_failed(brand_a: Client, setup: dict[str, Any]) -> None:
    stripe(brand_a, stripe_session())
    resp = stripe(brand_a, stripe_refund(5_400, currency="usd"))
    assert resp["status"] == "failed"
    (failed,) = brand_a.call("GET", "/v1/webhook-events", query={"status": "failed"})[1]["items"]
    assert "refund re_0 is in USD but its order in EUR" in failed["error"]
    assert booked("pi_3QxA2bC3d4E5f6G7") == [1000]


def test_shipping_only_refund_reverses_nothing(brand_a: Client, setup: dict[str, Any]) -> None:
    shopify(brand_a, "orders/create", shopify_order(), "o1")
    status, resp = shopify(brand_a, "refunds/create", load_json("shopify_refund_shipping.json"), "r1")
    assert (status, resp["status"]) == (200, "processed")
    assert booked("820982911946154508") == [1000]


# -- Bounds ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        (
            {"commission": {"plan": {"sku_rates_bps": {"TRAIL-9": 1_000_000}}}},
            "commission.plan.sku_rates_bps.TRAIL-9",
        ),
        ({"commission": {"plan": {"percent_bps": -1}}}, "commission.plan.percent_bps"),
        ({"commission": {"creator_overrides": {"k1": {"cpa": -5}}}}, "commission.creator_overrides.k1.cpa"),
        ({"commission": {"accept_orders_days_after_end": -1}}, "commission.accept_orders_days_after_end"),
        ({"budget": {"amount": 10**12 + 1, "currency": "USD"}}, "budget.amount"),
        ({"budget": {"amount": 100, "currency": "XYZ"}}, "budget.currency"),
    ],
)
def test_out_of_bounds_money_is_422_with_the_field_path(
    brand_a: Client, change: dict[str, Any], field: str
) -> None:
    before = table_snapshot()
    status, body = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | change)
    assert status == 422 and [d["field"] for d in body["error"]["details"]] == [field], body
    assert table_snapshot() == before
    created = brand_a.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    status, body = brand_a.call("PATCH", f"/v1/campaigns/{created['id']}", change)
    assert status == 422 and [d["field"] for d in body["error"]["details"]] == [field], body


def test_a_contract_fee_is_bounded_too(brand_a: Client) -> None:
    terms = {
        "deliverables": [{"platform": "instagram", "format": "reel", "count": 1}],
        "posting_window_start": "2027-01-10",
        "posting_window_end": "2027-01-20",
        "fee_per_deliverable": {"amount": -65_000, "currency": "USD"},
    }
    status, body = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"default_terms": terms})
    assert status == 422 and [d["field"] for d in body["error"]["details"]] == [
        "default_terms.fee_per_deliverable.amount"
    ]


# -- End of earning ----------------------------------------------------------------------------------


def order_at(when: str, order_id: str, code: str = "MAYA10") -> dict[str, Any]:
    event: dict[str, Any] = load_json("orders_generic_created.json")
    event["id"] = f"evt_{order_id}"
    event["order"] |= {"id": order_id, "created_at": when, "discount_codes": [code], "line_items": []}
    event["order"]["customer"] = {"email": f"{order_id.lower()}@example.com"}
    return event


def orders(client: Client, **query: str) -> dict[str, dict[str, Any]]:
    return {o["order_id"]: o for o in client.call("GET", "/v1/orders", query=query)[1]["items"]}


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    moment = datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_orders_after_the_end_date_and_its_grace_earn_nothing(brand_a: Client, setup: dict[str, Any]) -> None:
    cid = setup["campaign"]["id"]
    for when, order_id in [("2027-03-31T23:59:00Z", "LAST"), ("2027-04-01T00:00:00Z", "LATE")]:
        assert generic(brand_a, order_at(when, order_id))[1]["status"] == "processed"
    brand_a.call(
        "PATCH",
        f"/v1/campaigns/{cid}",
        {"commission": {"plan": {"percent_bps": 1000}, "accept_orders_days_after_end": 2}},
    )
    generic(brand_a, order_at("2027-04-02T10:00:00Z", "GRACED"))
    generic(brand_a, order_at("2027-04-03T00:00:00Z", "AFTER-GRACE"))
    listed = orders(brand_a, campaign_id=cid)
    assert {k: o["not_commissionable"] for k, o in listed.items()} == {
        "LAST": None,
        "LATE": "ordered after the campaign ended on 2027-03-31",  # decided before the grace was set
        "GRACED": None,
        "AFTER-GRACE": "ordered after the campaign ended on 2027-03-31 and its 2-day grace",
    }
    assert all(o["creator_id"] == setup["maya"]["id"] for o in listed.values())  # still attributed
    assert {e["order"] for e in entries()} == {"LAST", "GRACED"}


def test_cancellation_stops_earning_from_its_moment(
    brand_a: Client, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = setup["campaign"]["id"]
    with monkeypatch.context() as m:
        at(m, "2027-02-01T12:00:00Z")
        status, cancelled = brand_a.call("PATCH", f"/v1/campaigns/{cid}", {"status": "cancelled"})
    assert (status, cancelled["cancelled_at"], cancelled["completed_at"]) == (
        200,
        "2027-02-01T12:00:00.000Z",
        None,
    )
    generic(brand_a, order_at("2027-02-01T11:00:00Z", "BEFORE"))  # delivered late: it still earns
    generic(brand_a, order_at("2027-02-01T12:30:00Z", "AFTER"))
    listed = orders(brand_a, creator_id=setup["maya"]["id"])
    assert listed["BEFORE"]["not_commissionable"] is None
    assert (
        listed["AFTER"]["not_commissionable"]
        == "ordered after the campaign was cancelled at 2027-02-01T12:00:00Z"
    )
    assert {e["order"] for e in entries()} == {"BEFORE"}


def test_completion_is_recorded(brand_a: Client, setup: dict[str, Any]) -> None:
    status, done = brand_a.call("PATCH", f"/v1/campaigns/{setup['campaign']['id']}", {"status": "completed"})
    assert status == 200 and done["completed_at"] and done["cancelled_at"] is None


def test_a_retired_code_stops_earning_and_can_be_reactivated(
    brand_a: Client, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        at(m, "2027-02-01T00:00:00Z")
        status, retired = brand_a.call("PATCH", "/v1/promo-codes/maya10", {"status": "retired"})
    assert status == 200
    assert (retired["code"], retired["status"], retired["retired_at"]) == (
        "MAYA10",
        "retired",
        "2027-02-01T00:00:00.000Z",
    )
    assert brand_a.call("PATCH", "/v1/promo-codes/MAYA10", {"status": "retired"})[1] == retired  # no change
    generic(brand_a, order_at("2027-01-31T23:00:00Z", "OLD"))
    generic(brand_a, order_at("2027-02-05T10:00:00Z", "RETIRED"))
    with monkeypatch.context() as m:
        at(m, "2027-02-10T00:00:00Z")
        status, active = brand_a.call("PATCH", "/v1/promo-codes/MAYA10", {"status": "active"})
    assert (status, active["status"], active["retired_at"]) == (200, "active", None)
    assert active["retired_periods"] == [
        {"start": "2027-02-01T00:00:00.000Z", "end": "2027-02-10T00:00:00.000Z"}
    ]
    generic(brand_a, order_at("2027-02-11T10:00:00Z", "AGAIN"))
    generic(brand_a, order_at("2027-02-06T10:00:00Z", "LATE-IN-RETIREMENT"))
    listed = orders(brand_a)
    reason = "ordered after promo code MAYA10 was retired at 2027-02-01T00:00:00.000Z"
    assert {k: o["not_commissionable"] for k, o in listed.items()} == {
        "OLD": None,
        "RETIRED": reason,
        "AGAIN": None,
        "LATE-IN-RETIREMENT": reason,
    }
    assert {e["order"] for e in entries()} == {"OLD", "AGAIN"}
    assert brand_a.call("PATCH", "/v1/promo-codes/NOPE1", {"status": "retired"})[0] == 404
    status, body = brand_a.call("PATCH", "/v1/promo-codes/MAYA10", {"status": "paused"})
    assert status == 422 and body["error"]["details"][0]["field"] == "status"


def test_a_retired_code_does_not_block_a_click_that_earns(brand_a: Client, setup: dict[str, Any]) -> None:
    other = brand_a.call("POST", "/v1/creators", CREATOR | {"email": "leo@example.com", "name": "Leo"})[1]
    status, retired = brand_a.call("PATCH", "/v1/promo-codes/MAYA10", {"status": "retired"})
    assert (status, retired["status"]) == (200, "retired"), retired
    order: dict[str, Any] = load_json("shopify_order_create.json")
    click_id = order["note_attributes"][0]["value"]
    put_click(brand_a.brand_id, click_id, setup["campaign"]["id"], other["id"], "2027-01-09T10:00:00Z")
    shopify(brand_a, "orders/create", order, "o1")
    (decided,) = orders(brand_a).values()
    assert (decided["method"], decided["creator_id"], decided["not_commissionable"]) == (
        "click",
        other["id"],
        None,
    )


# -- Stripe promotion codes --------------------------------------------------------------------------


def test_stripe_promotion_codes_map_to_a_creators_code(brand_a: Client, setup: dict[str, Any]) -> None:
    body = {"campaign_id": setup["campaign"]["id"], "creator_id": setup["maya"]["id"]}
    status, code = brand_a.call(
        "POST", "/v1/promo-codes", body | {"code": "ANA20", "stripe_promotion_code": "promo_1Ana"}
    )
    assert (status, code["stripe_promotion_code"]) == (201, "promo_1Ana")
    status, taken = brand_a.call(
        "POST", "/v1/promo-codes", body | {"code": "ANA21", "stripe_promotion_code": "promo_1Ana"}
    )
    assert status == 409 and taken["error"]["details"] == [
        {"field": "stripe_promotion_code", "message": "promo_1Ana is code 'ANA20'"}
    ]
    assert (
        brand_a.call("GET", "/v1/promo-codes", query={"creator_id": setup["maya"]["id"]})[1]["items"][-1][
            "code"
        ]
        != "ANA21"
    )
    generated = body | {"pattern": "{HANDLE}{N}", "stripe_promotion_code": "promo_1Ana"}
    assert brand_a.call("POST", "/v1/promo-codes", generated)[0] == 409  # at once, not after 999 codes
    status, bad = brand_a.call("PATCH", "/v1/promo-codes/ANA20", {"stripe_promotion_code": "ANA20"})
    assert status == 422 and bad["error"]["details"][0]["field"] == "stripe_promotion_code"

    session = stripe_session()
    session["data"]["object"] |= {
        "metadata": {},
        "discounts": [{"coupon": None, "promotion_code": "promo_1Ana"}],
    }
    assert stripe(brand_a, session)["status"] == "processed"
    (decided,) = orders(brand_a).values()
    assert (decided["method"], decided["code"], decided["creator_id"]) == (
        "promo_code",
        "ANA20",
        setup["maya"]["id"],
    )
    assert booked("pi_3QxA2bC3d4E5f6G7") == [1000]

    # The mapping moves: the old id is free again, the new one finds the code.
    assert brand_a.call("PATCH", "/v1/promo-codes/ANA20", {"stripe_promotion_code": "promo_2Ana"})[0] == 200
    assert (
        brand_a.call(
            "POST", "/v1/promo-codes", body | {"code": "ANA21", "stripe_promotion_code": "promo_1Ana"}
        )[0]
        == 201
    )
    invoice = load_json("stripe_invoice_paid.json")
    invoice["data"]["object"]["discount"]["promotion_code"] = "promo_2Ana"
    assert stripe(brand_a, invoice)["status"] == "processed"
    assert orders(brand_a)["pi_3QxC4dE5f6G7h8I9"]["code"] == "ANA20"
    status, cleared = brand_a.call("PATCH", "/v1/promo-codes/ANA20", {"stripe_promotion_code": None})
    assert (status, cleared["stripe_promotion_code"]) == (200, None)
