"""Store webhooks end to end on moto: real payload shapes, real signature schemes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import boto3
import pytest
from stripe import WebhookSignature

from roster.conversions.webhook_signatures import sign
from roster.models.webhooks import Provider
from tests.conftest import TEST_ENV, load_json
from tests.integration.conftest import Client, table_snapshot

SECRETS = {
    "shopify": "shpss_brand_a_0123456789abcdef",
    "woocommerce": "wc_brand_a_0123456789abcdef",
    "stripe": "whsec_brand_a_0123456789abcdef",
    "orders": "roster_brand_a_0123456789abcdef",
}


@pytest.fixture
def brand(brand_a: Client) -> Client:
    for provider, secret in SECRETS.items():
        assert brand_a.call("PUT", f"/v1/integrations/{provider}", {"secret": secret})[0] == 200
    return brand_a


def b64hmac(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def deliver(
    client: Client, provider: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    status, _, raw = client.gateway.handle(
        "POST",
        f"/webhooks/{provider}/{client.brand_id}",
        {"content-type": "application/json", **headers},
        body,
    )
    return status, json.loads(raw)


def shopify(
    client: Client, topic: str, payload: dict[str, Any], event_id: str, secret: str | None = None
) -> tuple[int, dict[str, Any]]:
    body = json.dumps(payload).encode()
    return deliver(
        client,
        "shopify",
        body,
        {
            "x-shopify-topic": topic,
            "x-shopify-hmac-sha256": b64hmac(secret or SECRETS["shopify"], body),
            "x-shopify-event-id": event_id,
            "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            "x-shopify-shop-domain": "trail-co.myshopify.com",
        },
    )


def order_events() -> list[dict[str, Any]]:
    return [i for i in table_snapshot() if i.get("entity", {}).get("S") == "order_event"]


def archived() -> list[str]:
    resp = boto3.client("s3").list_objects_v2(Bucket=TEST_ENV["ARCHIVE_BUCKET"])
    return [o["Key"] for o in resp.get("Contents", [])]


def test_shopify_order_refund_and_duplicates(brand: Client) -> None:
    order = load_json("shopify_order_create.json")
    status, body = shopify(brand, "orders/create", order, "evt-order-1")
    assert (status, body["status"]) == (200, "processed")
    (event,) = order_events()
    assert event["kind"]["S"] == "order" and event["order_id"]["S"] == "820982911946154508"
    assert int(event["subtotal"]["N"]) == 39800 and int(event["total"]["N"]) == 40300
    assert [c["S"] for c in event["discount_codes"]["L"]] == ["MAYA10"]
    assert len(event["click_ids"]["L"]) == 2 and event["new_customer"]["BOOL"] is True
    assert event["customer_email_hash"]["S"] == hashlib.sha256(b"jon@example.com").hexdigest()
    assert "jon@example.com" not in json.dumps(table_snapshot())
    assert len(archived()) == 1

    # Shopify retries the same event: 200, nothing new. orders/paid for the same order: no new event.
    assert shopify(brand, "orders/create", order, "evt-order-1")[1]["duplicate"] is True
    assert shopify(brand, "orders/paid", order, "evt-order-2")[0] == 200
    assert len(order_events()) == 1

    status, body = shopify(brand, "refunds/create", load_json("shopify_refund_create.json"), "evt-refund-1")
    assert (status, body["status"]) == (200, "processed")
    refund = next(e for e in order_events() if e["kind"]["S"] == "refund")
    assert int(refund["refund_amount"]["N"]) == 18900 and refund["order_id"]["S"] == "820982911946154508"

    cancelled = order | {"cancelled_at": "2027-01-13T10:00:00-04:00", "cancel_reason": "customer"}
    assert shopify(brand, "orders/cancelled", cancelled, "evt-cancel-1")[0] == 200
    assert sorted(e["kind"]["S"] for e in order_events()) == ["cancellation", "order", "refund"]
    statuses = {e["id"]: e["status"] for e in brand.call("GET", "/v1/webhook-events")[1]["items"]}
    assert statuses == {
        "shopify:evt-order-1": "processed",
        "shopify:evt-order-2": "processed",
        "shopify:evt-refund-1": "processed",
        "shopify:evt-cancel-1": "processed",
    }


def test_bad_signatures_store_nothing(brand: Client, brand_b: Client) -> None:
    order = load_json("shopify_order_create.json")
    body = json.dumps(order).encode()
    before = table_snapshot()
    good = b64hmac(SECRETS["shopify"], body)
    cases = [
        (body.replace(b"398.00", b"1.00"), good),  # tampered body
        (body, b64hmac("someone-elses-secret", body)),
        (body, ""),
    ]
    for payload, signature in cases:
        status, resp = deliver(
            brand,
            "shopify",
            payload,
            {
                "x-shopify-topic": "orders/create",
                "x-shopify-hmac-sha256": signature,
                "x-shopify-event-id": "e",
            },
        )
        assert status == 401 and resp["error"]["code"] == "invalid_signature"
    # Brand B has no Shopify secret: a correctly signed body for A is refused for B.
    status, _, _ = brand_b.gateway.handle(
        "POST",
        f"/webhooks/shopify/{brand_b.brand_id}",
        {"x-shopify-hmac-sha256": good, "x-shopify-topic": "orders/create"},
        body,
    )
    assert status == 401
    assert table_snapshot() == before and archived() == []
    assert brand.gateway.handle("POST", f"/webhooks/magento/{brand.brand_id}", {}, body)[0] == 404
    assert brand.gateway.handle("POST", "/webhooks/shopify/not-a-brand", {}, body)[0] == 404


def test_stripe_with_official_signatures_and_tolerance(brand: Client) -> None:
    session = load_json("stripe_checkout_session_completed.json")
    body = json.dumps(session).encode()
    header = WebhookSignature.generate_signature_header(body.decode(), SECRETS["stripe"])
    status, resp = deliver(brand, "stripe", body, {"stripe-signature": header})
    assert (status, resp["event_id"]) == (200, "stripe:evt_1QxA2bC3d4E5f6G7h8I9j0K1")
    (order,) = order_events()
    assert order["order_id"]["S"] == "pi_3QxA2bC3d4E5f6G7" and order["currency"]["S"] == "EUR"
    assert int(order["subtotal"]["N"]) == 11000 and [c["S"] for c in order["discount_codes"]["L"]] == [
        "LEO15"
    ]

    stale = WebhookSignature.generate_signature_header(
        body.decode(), SECRETS["stripe"], timestamp=int(time.time()) - 301
    )
    assert deliver(brand, "stripe", body, {"stripe-signature": stale})[0] == 401

    refund = json.dumps(load_json("stripe_charge_refunded.json")).encode()
    status, _ = deliver(
        brand,
        "stripe",
        refund,
        {"stripe-signature": WebhookSignature.generate_signature_header(refund.decode(), SECRETS["stripe"])},
    )
    assert status == 200
    r = next(e for e in order_events() if e["kind"]["S"] == "refund")
    assert (r["event_key"]["S"], int(r["refund_amount"]["N"])) == ("re_3QxA2bC3d4E5f6G7", 5000)


def test_woocommerce_ping_order_and_refunds(brand: Client) -> None:
    before = table_snapshot()
    status, _, raw = brand.gateway.handle(
        "POST",
        f"/webhooks/woocommerce/{brand.brand_id}",
        {"content-type": "application/x-www-form-urlencoded"},
        b"webhook_id=15",
    )
    assert status == 200 and json.loads(raw)["ping"] is True and table_snapshot() == before
    body = json.dumps(load_json("woocommerce_order_updated.json")).encode()
    status, resp = deliver(
        brand,
        "woocommerce",
        body,
        {
            "x-wc-webhook-topic": "order.updated",
            "x-wc-webhook-signature": b64hmac(SECRETS["woocommerce"], body),
            "x-wc-webhook-delivery-id": "9a1f3c",
            "x-wc-webhook-source": "https://trail.example/",
        },
    )
    assert status == 200 and resp["status"] == "processed"
    kinds = {e["kind"]["S"]: e for e in order_events()}
    assert set(kinds) == {"order", "refund"}
    assert int(kinds["order"]["subtotal"]["N"]) == 4500 and int(kinds["refund"]["refund_amount"]["N"]) == 1250
    assert [c["S"] for c in kinds["order"]["discount_codes"]["L"]] == ["leo5"]


def test_generic_schema_and_failed_events_replay(brand: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    created = json.dumps(load_json("orders_generic_created.json")).encode()
    assert (
        deliver(brand, "orders", created, {"roster-signature": sign(SECRETS["orders"], created)})[1]["status"]
        == "processed"
    )

    broken = json.dumps({"id": "evt_broken", "type": "order.created", "order": {"id": "ORD-2"}}).encode()
    status, resp = deliver(brand, "orders", broken, {"roster-signature": sign(SECRETS["orders"], broken)})
    assert (status, resp["status"]) == (200, "failed")  # 200: the store must not disable the webhook
    (failed,) = brand.call("GET", "/v1/webhook-events", query={"status": "failed"})[1]["items"]
    assert failed["id"] == "orders:evt_broken" and "currency" in failed["error"]
    not_json = b"<xml>not json</xml>"
    assert (
        deliver(brand, "orders", not_json, {"roster-signature": sign(SECRETS["orders"], not_json)})[1][
            "status"
        ]
        == "failed"
    )

    # "After a fix": pretend the parser learned to default the missing fields, then replay.
    from roster.conversions import order_parsers
    from roster.models.orders import OrderEvent

    original = order_parsers.PARSERS[Provider.ORDERS]

    def lenient(topic: str, p: dict[str, Any]) -> list[OrderEvent]:
        p["order"] |= {"currency": "USD", "created_at": "2027-01-10T12:00:00Z", "subtotal": 100, "total": 100}
        return original(topic, p)

    monkeypatch.setitem(order_parsers.PARSERS, Provider.ORDERS, lenient)
    status, replayed = brand.call("POST", "/v1/webhook-events/orders:evt_broken/replay")
    assert (status, replayed["status"]) == (200, "processed")
    assert (
        brand.call("GET", "/v1/webhook-events", query={"status": "failed"})[1]["items"][0]["id"]
        != "orders:evt_broken"
    )
    assert brand.call("POST", "/v1/webhook-events/orders:nope/replay")[0] == 404
    assert {e["order_id"]["S"] for e in order_events()} == {"ORD-1001", "ORD-2"}


def test_internal_failure_is_5xx_and_the_retry_succeeds(
    brand: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from roster.store.orders import OrderStore

    def throttled(*args: object, **kwargs: object) -> bool:
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "PutItem"
        )

    created = json.dumps(load_json("orders_generic_created.json")).encode()
    headers = {"roster-signature": sign(SECRETS["orders"], created)}
    with monkeypatch.context() as m:
        m.setattr(OrderStore, "add", throttled)
        status, resp = deliver(brand, "orders", created, headers)
        assert status == 503 and resp["error"]["code"] == "unavailable"
    assert len(archived()) == 1 and order_events() == []
    assert deliver(brand, "orders", created, headers)[1]["status"] == "processed"
    assert len(order_events()) == 1


def test_api_gateway_base64_bodies(brand: Client, lambda_context: Any) -> None:
    from local import template as tpl
    from local.lambdas import load_handler
    from tests.integration.conftest import NAMES

    template = tpl.load()
    spec = next(s for s in tpl.functions(template, NAMES, {}) if s.logical_id == "WebhooksFunction")
    body = json.dumps(load_json("orders_generic_created.json")).encode()
    event = {
        "pathParameters": {"provider": "orders", "brand_id": brand.brand_id},
        "headers": {"roster-signature": sign(SECRETS["orders"], body)},
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
        "requestContext": {"http": {"method": "POST"}},
    }
    resp = load_handler(spec)(event, lambda_context)
    assert resp["statusCode"] == 200 and json.loads(resp["body"])["status"] == "processed"


def test_each_integration_shows_its_newest_delivery_as_it_stands(
    brand: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def last() -> dict[str, Any]:
        items = brand.call("GET", "/v1/integrations")[1]["items"]
        return {i["provider"]: i["last_delivery"] for i in items}

    assert set(last().values()) == {None}
    created = json.dumps(load_json("orders_generic_created.json")).encode()
    deliver(brand, "orders", created, {"roster-signature": sign(SECRETS["orders"], created)})
    assert last()["orders"]["status"] == "processed"

    broken = json.dumps({"id": "evt_late", "type": "order.created", "order": {"id": "ORD-3"}}).encode()
    deliver(brand, "orders", broken, {"roster-signature": sign(SECRETS["orders"], broken)})
    newest = last()
    assert (newest["orders"]["id"], newest["orders"]["status"]) == ("orders:evt_late", "failed")
    assert newest["orders"]["error"] and newest["shopify"] is None

    # Kept when the secret is rotated; a replay shows in it.
    rotated = brand.call("PUT", "/v1/integrations/orders", {"secret": SECRETS["orders"]})[1]
    assert rotated["last_delivery"]["id"] == "orders:evt_late"
    from roster.conversions import order_parsers
    from roster.models.orders import OrderEvent

    original = order_parsers.PARSERS[Provider.ORDERS]

    def lenient(topic: str, p: dict[str, Any]) -> list[OrderEvent]:
        p["order"] |= {"currency": "USD", "created_at": "2027-01-10T12:00:00Z", "subtotal": 100, "total": 100}
        return original(topic, p)

    monkeypatch.setitem(order_parsers.PARSERS, Provider.ORDERS, lenient)
    assert brand.call("POST", "/v1/webhook-events/orders:evt_late/replay")[1]["status"] == "processed"
    assert last()["orders"]["status"] == "processed"
    # A duplicate of an older delivery changes nothing.
    deliver(brand, "orders", created, {"roster-signature": sign(SECRETS["orders"], created)})
    assert last()["orders"]["id"] == "orders:evt_late"


def test_a_failed_delivery_note_changes_nothing_for_the_order(
    brand: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last-delivery note is written after processing and best effort: when its write raises
    (a throttle, or a write that applied and then reported failure), the store still gets its 200,
    the order is booked once, and a retry is a duplicate."""
    from roster.store.integrations import IntegrationStore

    applied: list[str] = []
    real = IntegrationStore.delivered

    def flaky(self: IntegrationStore, brand_id: str, provider: str, event_id: str, at: str) -> None:
        real(self, brand_id, provider, event_id, at)  # applied …
        applied.append(event_id)
        raise RuntimeError("connection reset after the write")  # … then reported as failed

    monkeypatch.setattr(IntegrationStore, "delivered", flaky)
    created = json.dumps(load_json("orders_generic_created.json")).encode()
    headers = {"roster-signature": sign(SECRETS["orders"], created)}
    status, body = deliver(brand, "orders", created, headers)
    assert status == 200 and body["status"] == "processed", body
    again = deliver(brand, "orders", created, {"roster-signature": sign(SECRETS["orders"], created)})
    assert again[0] == 200 and again[1]["duplicate"] is True
    assert len(applied) == 1
    orders = brand.call("GET", "/v1/orders")[1]["items"]
    assert len(orders) == 1
