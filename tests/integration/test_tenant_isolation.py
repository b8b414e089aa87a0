"""Brand B against brand A's data, on every route of the brand API, once with B's API key and once
as B's signed-in (admin) member: B never sees, finds or changes anything of A's. The route list is
checked against the OpenAPI document, so a new route without a case here fails the suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from local.openapi import document
from tests.integration.conftest import CAMPAIGN, CREATOR, PASSWORD, Client, member_of, table_snapshot
from tests.integration.test_email_templates import owned_template
from tests.integration.test_payouts import a_payable_balance, clock_at, order

Case = Callable[[Client, Client, dict[str, Any]], None]
CASES: dict[tuple[str, str], Case] = {}


def case(method: str, path: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[(method, path)] = fn
        return fn

    return register


def _brand_a_owns(a: Client) -> dict[str, Any]:
    campaign = a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    creator = a.call("POST", "/v1/creators", CREATOR)[1]
    link = a.call(
        "POST",
        "/v1/links",
        {
            "campaign_id": campaign["id"],
            "creator_id": creator["id"],
            "destination": "https://shop.example.com/trail",
        },
    )[1]
    return {"campaign": campaign, "creator": creator, "link": link}


@case("post", "/v1/campaigns")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    status, mine = b.call("POST", "/v1/campaigns", CAMPAIGN)
    assert status == 201 and mine["id"] != owned["campaign"]["id"]
    assert [c["id"] for c in a.call("GET", "/v1/campaigns")[1]["items"]] == [owned["campaign"]["id"]]


@case("get", "/v1/campaigns")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    for query in ({}, {"status": "active"}):
        assert b.call("GET", "/v1/campaigns", query=query)[1]["items"] == []
    # A's cursor does not open A's partition to B.
    a.call("POST", "/v1/campaigns", CAMPAIGN)
    cursor = a.call("GET", "/v1/campaigns", query={"limit": "1"})[1]["next_cursor"]
    assert cursor
    status, body = b.call("GET", "/v1/campaigns", query={"limit": "1", "cursor": cursor})
    assert status == 400 and body["error"]["message"] == "invalid cursor"


@case("get", "/v1/campaigns/{campaign_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    status, body = b.call("GET", f"/v1/campaigns/{owned['campaign']['id']}")
    assert status == 404 and body["error"]["code"] == "not_found"
    assert owned["campaign"]["name"] not in json.dumps(body)


@case("patch", "/v1/campaigns/{campaign_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    before = table_snapshot()
    status, _ = b.call(
        "PATCH", f"/v1/campaigns/{owned['campaign']['id']}", {"name": "hijacked", "status": "paused"}
    )
    assert status == 404
    assert table_snapshot() == before


@case("post", "/v1/creators")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    # The same email is a different creator in another brand's roster: no 409 leaks that A has it.
    status, mine = b.call("POST", "/v1/creators", CREATOR)
    assert status == 201 and mine["id"] != owned["creator"]["id"]
    assert a.call("GET", f"/v1/creators/{owned['creator']['id']}")[1] == owned["creator"]
    # A's member cannot own B's creator: it is not a member of B (422, as for an unknown id).
    a_member = member_of(a, A_MEMBER).call("GET", "/v1/me")[1]["member_id"]
    other = CREATOR | {"email": "owned@example.com", "owner_id": a_member}
    status, body = b.call("POST", "/v1/creators", other)
    assert status == 422 and body["error"]["details"][0]["field"] == "owner_id"
    status, body = b.call("PATCH", f"/v1/creators/{mine['id']}", {"owner_id": a_member})
    assert status == 422 and body["error"]["details"][0]["field"] == "owner_id"
    assert b.call("GET", f"/v1/creators/{mine['id']}")[1] == mine


@case("get", "/v1/creators")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a_member = member_of(a, A_MEMBER).call("GET", "/v1/me")[1]["member_id"]
    assert a.call("PATCH", f"/v1/creators/{owned['creator']['id']}", {"owner_id": a_member})[0] == 200
    queries: tuple[dict[str, str], ...] = (
        {},
        {"tier": "micro"},
        {"country": "US"},
        {"tag": "trail"},
        {"status": "prospect"},
    )
    for query in (*queries, {"owner_id": a_member}):
        assert b.call("GET", "/v1/creators", query=query)[1]["items"] == [], query


@case("post", "/v1/creators:import")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    csv_text = f"name,email,notes\nB's copy,{CREATOR['email']},mine now\n"
    status, result = b.call("POST", "/v1/creators:import", csv_text, headers={"content-type": "text/csv"})
    assert status == 200 and result["summary"] == {"created": 1, "updated": 0, "errors": 0}
    assert result["rows"][0]["creator_id"] != owned["creator"]["id"]
    assert a.call("GET", f"/v1/creators/{owned['creator']['id']}")[1] == owned["creator"]


@case("get", "/v1/creators/{creator_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    status, body = b.call("GET", f"/v1/creators/{owned['creator']['id']}")
    assert status == 404 and str(CREATOR["email"]) not in json.dumps(body)


@case("patch", "/v1/creators/{creator_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    before = table_snapshot()
    status, _ = b.call("PATCH", f"/v1/creators/{owned['creator']['id']}", {"notes": "hijacked"})
    assert status == 404
    assert table_snapshot() == before


@case("post", "/v1/api-keys")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    status, created = b.call("POST", "/v1/api-keys", {"name": "b's second key"})
    assert status == 201
    assert [k["name"] for k in a.call("GET", "/v1/api-keys")[1]["items"]] == ["default"]
    status, body = Client(b.gateway, created["key"]).call("GET", f"/v1/campaigns/{owned['campaign']['id']}")
    assert status == 404


@case("get", "/v1/api-keys")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a_ids = {k["id"] for k in a.call("GET", "/v1/api-keys")[1]["items"]}
    b_ids = {k["id"] for k in b.call("GET", "/v1/api-keys")[1]["items"]}
    assert len(b_ids) == 1 and not a_ids & b_ids


@case("delete", "/v1/api-keys/{key_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    (a_key,) = a.call("GET", "/v1/api-keys")[1]["items"]
    before = table_snapshot()
    assert b.call("DELETE", f"/v1/api-keys/{a_key['id']}")[0] == 404
    assert table_snapshot() == before
    assert a.call("GET", "/v1/campaigns")[0] == 200


@case("post", "/v1/links")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    before = table_snapshot()
    body = {
        "campaign_id": owned["campaign"]["id"],
        "creator_id": owned["creator"]["id"],
        "destination": "https://shop.example.com/x",
    }
    status, resp = b.call("POST", "/v1/links", body)
    assert status == 422 and {d["field"] for d in resp["error"]["details"]} == {"campaign_id", "creator_id"}
    # Codes are unique per deployment: B learns only that the code is taken, nothing of A's link.
    b_campaign = b.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    b_creator = b.call("POST", "/v1/creators", CREATOR)[1]
    status, resp = b.call(
        "POST",
        "/v1/links",
        body
        | {"campaign_id": b_campaign["id"], "creator_id": b_creator["id"], "code": owned["link"]["code"]},
    )
    assert status == 409 and owned["link"]["destination"] not in json.dumps(resp)
    assert a.call("GET", f"/v1/links/{owned['link']['code']}")[1] == owned["link"]
    added = [i for i in table_snapshot() if i not in before]
    assert {i["PK"]["S"] for i in added} == {f"BRAND#{b.brand_id}"}
    assert sorted(i["entity"]["S"] for i in added) == ["campaign", "creator", "creator_email"]


@case("get", "/v1/links")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    for query in ({}, {"campaign_id": owned["campaign"]["id"]}, {"creator_id": owned["creator"]["id"]}):
        assert b.call("GET", "/v1/links", query=query)[1]["items"] == [], query


@case("get", "/v1/links/{code}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    status, body = b.call("GET", f"/v1/links/{owned['link']['code']}")
    assert status == 404 and "shop.example.com" not in json.dumps(body)


@case("patch", "/v1/links/{code}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    before = table_snapshot()
    status, _ = b.call("PATCH", f"/v1/links/{owned['link']['code']}", {"enabled": False})
    assert status == 404
    assert table_snapshot() == before


@case("get", "/v1/links/{code}/stats")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    assert b.call("GET", f"/v1/links/{owned['link']['code']}/stats")[0] == 404


@case("get", "/v1/campaigns/{campaign_id}/stats")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    assert b.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/stats")[0] == 404
    assert a.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/stats")[0] == 200


def _a_secret() -> str | None:
    params = boto3.client("ssm").describe_parameters()["Parameters"]
    return next((p["Name"] for p in params if "/webhooks/stripe" in p["Name"]), None)


@case("put", "/v1/integrations/{provider}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call("PUT", "/v1/integrations/stripe", {"secret": "whsec_brand_a_secret_value"})
    a_param = _a_secret()
    assert a_param and a.brand_id in a_param
    assert b.call("PUT", "/v1/integrations/stripe", {"secret": "whsec_brand_b_secret_value"})[0] == 200
    assert (
        boto3.client("ssm").get_parameter(Name=a_param, WithDecryption=True)["Parameter"]["Value"]
        == "whsec_brand_a_secret_value"
    )
    assert a_param and a.brand_id in a_param


@case("get", "/v1/integrations")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call("PUT", "/v1/integrations/stripe", {"secret": "whsec_brand_a_secret_value"})
    assert not any(i["configured"] for i in b.call("GET", "/v1/integrations")[1]["items"])
    assert all(b.brand_id in i["webhook_url"] for i in b.call("GET", "/v1/integrations")[1]["items"])


@case("delete", "/v1/integrations/{provider}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call("PUT", "/v1/integrations/stripe", {"secret": "whsec_brand_a_secret_value"})
    assert b.call("DELETE", "/v1/integrations/stripe")[0] == 200
    assert _a_secret() is not None
    assert [
        i["configured"] for i in a.call("GET", "/v1/integrations")[1]["items"] if i["provider"] == "stripe"
    ] == [True]


def _a_failed_event(a: Client) -> str:
    """A failed (unparseable but authentic) delivery to brand A."""
    from roster.conversions.webhook_signatures import sign

    secret = "whsec_brand_a_orders_secret"
    a.call("PUT", "/v1/integrations/orders", {"secret": secret})
    body = b'{"id": "evt_a_1", "type": "order.created", "order": {"id": "x"}}'
    headers = {"roster-signature": sign(secret, body), "content-type": "application/json"}
    status, _, raw = a.gateway.handle("POST", f"/webhooks/orders/{a.brand_id}", headers, body)
    assert status == 200, raw
    return "orders:evt_a_1"


@case("get", "/v1/webhook-events")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    _a_failed_event(a)
    assert [e["status"] for e in a.call("GET", "/v1/webhook-events")[1]["items"]] == ["failed"]
    for query in ({}, {"status": "failed"}):
        assert b.call("GET", "/v1/webhook-events", query=query)[1]["items"] == []


@case("post", "/v1/webhook-events/{event_id}/replay")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    event_id = _a_failed_event(a)
    before = table_snapshot()
    assert b.call("POST", f"/v1/webhook-events/{event_id}/replay")[0] == 404
    assert table_snapshot() == before


@case("post", "/v1/promo-codes")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    body = {"campaign_id": owned["campaign"]["id"], "creator_id": owned["creator"]["id"], "code": "MAYA10"}
    assert a.call("POST", "/v1/promo-codes", body)[0] == 201
    status, resp = b.call("POST", "/v1/promo-codes", body)
    assert status == 422 and {d["field"] for d in resp["error"]["details"]} == {"campaign_id", "creator_id"}
    # The same code string is free in another brand: codes are unique per brand, not globally.
    b_campaign = b.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    b_creator = b.call("POST", "/v1/creators", CREATOR)[1]
    assert (
        b.call(
            "POST", "/v1/promo-codes", body | {"campaign_id": b_campaign["id"], "creator_id": b_creator["id"]}
        )[0]
        == 201
    )


@case("get", "/v1/promo-codes")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call(
        "POST",
        "/v1/promo-codes",
        {"campaign_id": owned["campaign"]["id"], "creator_id": owned["creator"]["id"], "code": "MAYA10"},
    )
    assert b.call("GET", "/v1/promo-codes")[1]["items"] == []
    assert b.call("GET", "/v1/promo-codes", query={"campaign_id": owned["campaign"]["id"]})[1]["items"] == []


@case("patch", "/v1/promo-codes/{code}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    body = {"campaign_id": owned["campaign"]["id"], "creator_id": owned["creator"]["id"], "code": "MAYA10"}
    a.call("POST", "/v1/promo-codes", body | {"stripe_promotion_code": "promo_A1"})
    before = table_snapshot()
    assert b.call("PATCH", "/v1/promo-codes/MAYA10", {"status": "retired"})[0] == 404
    assert b.call("PATCH", "/v1/promo-codes/maya10", {"stripe_promotion_code": None})[0] == 404
    assert table_snapshot() == before
    # B's own MAYA10 may map the same Stripe id: Stripe accounts are per brand, so are the guards.
    b_campaign = b.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    b_creator = b.call("POST", "/v1/creators", CREATOR)[1]
    b.call("POST", "/v1/promo-codes", body | {"campaign_id": b_campaign["id"], "creator_id": b_creator["id"]})
    assert b.call("PATCH", "/v1/promo-codes/MAYA10", {"stripe_promotion_code": "promo_A1"})[0] == 200
    (mine,) = a.call("GET", "/v1/promo-codes")[1]["items"]
    assert (mine["status"], mine["stripe_promotion_code"]) == ("active", "promo_A1")


@case("get", "/v1/orders")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    from roster.conversions.webhook_signatures import sign

    a.call(
        "POST",
        "/v1/promo-codes",
        {"campaign_id": owned["campaign"]["id"], "creator_id": owned["creator"]["id"], "code": "MAYA10"},
    )
    secret = "whsec_brand_a_orders_secret"
    a.call("PUT", "/v1/integrations/orders", {"secret": secret})
    for n in (1, 2):
        order = {"id": f"O-{n}", "currency": "USD", "created_at": "2027-01-10T12:00:00Z", "subtotal": 100}
        order |= {"total": 100, "discount_codes": ["MAYA10"]}
        body = json.dumps({"id": f"evt_{n}", "type": "order.created", "order": order}).encode()
        headers = {"roster-signature": sign(secret, body), "content-type": "application/json"}
        assert a.gateway.handle("POST", f"/webhooks/orders/{a.brand_id}", headers, body)[0] == 200
    queries = [{}, {"campaign_id": owned["campaign"]["id"]}, {"creator_id": owned["creator"]["id"]}]
    for query in queries:
        assert len(a.call("GET", "/v1/orders", query=query)[1]["items"]) == 2
        assert b.call("GET", "/v1/orders", query=query)[1]["items"] == []
        cursor = a.call("GET", "/v1/orders", query=query | {"limit": "1"})[1]["next_cursor"]
        status, resp = b.call("GET", "/v1/orders", query=query | {"limit": "1", "cursor": cursor})
        assert status == 400 and resp["error"]["message"] == "invalid cursor"


def _a_payout(a: Client) -> dict[str, Any]:
    a_payable_balance(a)
    with clock_at():
        status, payout = a.call("POST", "/v1/payouts")
    assert status == 201 and payout["totals"] == {"USD": 1000}
    return dict(payout)


@case("get", "/v1/payouts/preview")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    ids = a_payable_balance(a)
    with clock_at():
        assert a.call("GET", "/v1/payouts/preview")[1]["totals"] == {"USD": 1000}
        for query in ({}, {"creator_ids": ids["creator"]}, {"campaign_ids": ids["campaign"]}):
            assert b.call("GET", "/v1/payouts/preview", query=query)[1] == {
                "lines": [],
                "totals": {},
                "carried_forward": [],
            }


@case("post", "/v1/payouts")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    ids = a_payable_balance(a)
    before = table_snapshot()
    with clock_at():
        assert b.call("POST", "/v1/payouts")[0] == 409
        assert b.call("POST", "/v1/payouts", {"creator_ids": [ids["creator"]]})[0] == 409
    assert table_snapshot() == before
    with clock_at():
        payout = a.call("POST", "/v1/payouts")[1]
    assert b.call("GET", f"/v1/payouts/{payout['id']}")[0] == 404


@case("get", "/v1/payouts")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    _a_payout(a)
    order(a, "ORD-SECOND", "PAYABLE10", 5_000)
    with clock_at():
        assert a.call("POST", "/v1/payouts")[0] == 201
    assert b.call("GET", "/v1/payouts")[1] == {"items": [], "next_cursor": None}
    cursor = a.call("GET", "/v1/payouts", query={"limit": "1"})[1]["next_cursor"]
    assert cursor
    status, body = b.call("GET", "/v1/payouts", query={"limit": "1", "cursor": cursor})
    assert status == 400 and body["error"]["message"] == "invalid cursor"


@case("get", "/v1/payouts/{payout_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    payout = _a_payout(a)
    status, body = b.call("GET", f"/v1/payouts/{payout['id']}")
    assert status == 404 and payout["lines"][0]["creator_id"] not in json.dumps(body)
    assert a.call("GET", f"/v1/payouts/{payout['id']}")[1] == payout


@case("get", "/v1/payouts/{payout_id}.csv")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    payout = _a_payout(a)
    status, _, raw = b.gateway.handle(
        "GET", f"/v1/payouts/{payout['id']}.csv", {"authorization": f"Bearer {b.key}"}, b""
    )
    assert status == 404 and payout["id"].encode() not in raw.replace(b"payout", b"")


@case("get", "/v1/campaigns/{campaign_id}/report")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    assert b.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/report")[0] == 404
    assert a.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/report")[0] == 200


@case("get", "/v1/creators/{creator_id}/report")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    assert b.call("GET", f"/v1/creators/{owned['creator']['id']}/report")[0] == 404
    assert a.call("GET", f"/v1/creators/{owned['creator']['id']}/report")[0] == 200


POST_BODY = {"url": "https://www.instagram.com/p/C1a2b3/", "platform": "instagram", "text": "new shoes #spon"}


@case("post", "/v1/campaigns/{campaign_id}/posts")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    before = table_snapshot()
    status, _ = b.call(
        "POST",
        f"/v1/campaigns/{owned['campaign']['id']}/posts",
        POST_BODY | {"creator_id": owned["creator"]["id"]},
    )
    assert status == 404
    assert table_snapshot() == before


@case("get", "/v1/campaigns/{campaign_id}/posts")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call(
        "POST",
        f"/v1/campaigns/{owned['campaign']['id']}/posts",
        POST_BODY | {"creator_id": owned["creator"]["id"]},
    )
    assert b.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/posts")[0] == 404


@case("get", "/v1/alerts")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call(
        "POST",
        f"/v1/campaigns/{owned['campaign']['id']}/posts",
        POST_BODY | {"creator_id": owned["creator"]["id"]},
    )
    assert len(a.call("GET", "/v1/alerts")[1]["items"]) == 1
    assert (
        b.call("GET", "/v1/alerts")[1]["items"] == []
        and b.call("GET", "/v1/alerts", query={"status": "open"})[1]["items"] == []
    )
    for query in ({"campaign_id": owned["campaign"]["id"]}, {"creator_id": owned["creator"]["id"]}):
        assert b.call("GET", "/v1/alerts", query=query | {"status": "open"})[1]["items"] == []


@case("post", "/v1/alerts/{alert_id}/resolve")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call(
        "POST",
        f"/v1/campaigns/{owned['campaign']['id']}/posts",
        POST_BODY | {"creator_id": owned["creator"]["id"]},
    )
    (alert,) = a.call("GET", "/v1/alerts")[1]["items"]
    before = table_snapshot()
    assert b.call("POST", f"/v1/alerts/{alert['id']}/resolve", {"note": "not yours"})[0] == 404
    assert table_snapshot() == before
    assert a.call("POST", f"/v1/alerts/{alert['id']}/resolve")[1]["status"] == "resolved"


@case("post", "/v1/campaigns/{campaign_id}/posts/{post_id}/recheck")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    post = a.call(
        "POST",
        f"/v1/campaigns/{owned['campaign']['id']}/posts",
        POST_BODY | {"creator_id": owned["creator"]["id"]},
    )[1]
    before = table_snapshot()
    assert b.call("POST", f"/v1/campaigns/{owned['campaign']['id']}/posts/{post['id']}/recheck")[0] == 404
    assert table_snapshot() == before


@case("post", "/v1/campaigns/{campaign_id}/monitor")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    before = table_snapshot()
    assert b.call("POST", f"/v1/campaigns/{owned['campaign']['id']}/monitor")[0] == 404
    assert table_snapshot() == before


@case("get", "/v1/campaigns/{campaign_id}/monitor")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    assert a.call("POST", f"/v1/campaigns/{owned['campaign']['id']}/monitor")[0] == 202
    assert len(a.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/monitor")[1]["runs"]) == 1
    assert b.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/monitor")[0] == 404


@case("post", "/v1/email-templates")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    t = owned_template(a)
    assert all(i["id"] != t["id"] for i in b.call("GET", "/v1/email-templates")[1]["items"])


@case("get", "/v1/email-templates")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    owned_template(a)
    assert b.call("GET", "/v1/email-templates")[1]["items"] == []


@case("get", "/v1/email-templates/{template_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    assert b.call("GET", f"/v1/email-templates/{owned_template(a)['id']}")[0] == 404


@case("patch", "/v1/email-templates/{template_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    t = owned_template(a)
    before = table_snapshot()
    assert b.call("PATCH", f"/v1/email-templates/{t['id']}", {"name": "mine"})[0] == 404
    assert table_snapshot() == before


@case("post", "/v1/email-templates/{template_id}/preview")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    t = owned_template(a)
    assert (
        b.call("POST", f"/v1/email-templates/{t['id']}/preview", {"creator_id": owned["creator"]["id"]})[0]
        == 404
    )
    # b's own template cannot render a's creator either.
    mine = owned_template(b)
    assert (
        b.call("POST", f"/v1/email-templates/{mine['id']}/preview", {"creator_id": owned["creator"]["id"]})[0]
        == 404
    )


@case("post", "/v1/email-templates/preview")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    draft = {"subject": "Hi {{ creator.first_name }}", "html": "<p>Hi</p>", "text": "Hi"}
    ask = draft | {"creator_id": owned["creator"]["id"]}
    assert a.call("POST", "/v1/email-templates/preview", ask)[0] == 200
    theirs = b.call("POST", "/v1/creators", CREATOR | {"email": "draft-preview@example.com"})[1]
    before = table_snapshot()
    assert b.call("POST", "/v1/email-templates/preview", ask)[0] == 404
    # Nor b's own creator in a's campaign (their link and code there).
    in_a = draft | {"creator_id": theirs["id"], "campaign_id": owned["campaign"]["id"]}
    assert b.call("POST", "/v1/email-templates/preview", in_a)[0] == 404
    assert table_snapshot() == before


OUTREACH_SENDER = {
    "from_email": "team@mail.roster.example",
    "from_name": "A team",
    "postal_address": "1 Main Street, Springfield",
}


def _outreach(a: Client, owned: dict[str, Any]) -> str:
    assert a.call("PUT", "/v1/outreach/settings", OUTREACH_SENDER)[0] == 200
    t = owned_template(a)
    body = {"steps": [{"template_id": t["id"]}], "audience": {"creator_ids": [owned["creator"]["id"]]}}
    assert a.call("POST", f"/v1/campaigns/{owned['campaign']['id']}/outreach", body)[0] == 202
    return f"/v1/campaigns/{owned['campaign']['id']}/outreach"


@case("put", "/v1/outreach/settings")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    assert a.call("PUT", "/v1/outreach/settings", OUTREACH_SENDER)[0] == 200
    assert b.call("GET", "/v1/outreach/settings")[0] == 404


@case("get", "/v1/outreach/settings")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call("PUT", "/v1/outreach/settings", OUTREACH_SENDER)
    assert a.call("GET", "/v1/outreach/settings")[0] == 200
    assert b.call("GET", "/v1/outreach/settings")[0] == 404


@case("post", "/v1/campaigns/{campaign_id}/outreach")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    b.call("PUT", "/v1/outreach/settings", OUTREACH_SENDER)
    mine = owned_template(b)
    before = table_snapshot()
    body = {"steps": [{"template_id": mine["id"]}], "audience": {"creator_ids": [owned["creator"]["id"]]}}
    assert b.call("POST", f"/v1/campaigns/{owned['campaign']['id']}/outreach", body)[0] == 404
    # b's own campaign cannot reach a's creator or a's template either.
    campaign = b.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    status, sequence = b.call("POST", f"/v1/campaigns/{campaign['id']}/outreach", body)
    assert status == 202 and sequence["enrolled"] == 0
    t = owned_template(a)
    body_a = {"steps": [{"template_id": t["id"]}], "audience": {"tag": "x"}}
    assert b.call("POST", f"/v1/campaigns/{campaign['id']}/outreach", body_a)[0] == 404
    assert len(table_snapshot()) > len(before)  # b wrote only its own things


@case("get", "/v1/campaigns/{campaign_id}/outreach")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    path = _outreach(a, owned)
    assert a.call("GET", path)[1]["funnel"]["targeted"] == 1
    assert b.call("GET", path)[0] == 404


@case("get", "/v1/campaigns/{campaign_id}/outreach/messages")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    path = _outreach(a, owned)
    assert b.call("GET", f"{path}/messages")[0] == 404


@case("post", "/v1/campaigns/{campaign_id}/outreach/{creator_id}/stop")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    path = _outreach(a, owned)
    before = table_snapshot()
    assert b.call("POST", f"{path}/{owned['creator']['id']}/stop", {"reason": "declined"})[0] == 404
    assert table_snapshot() == before


def _collaboration(a: Client, owned: dict[str, Any]) -> str:
    status, started = a.call(
        "POST",
        f"/v1/campaigns/{owned['campaign']['id']}/collaborations",
        {"creator_ids": [owned["creator"]["id"]]},
    )
    assert status == 202, started
    return str(started["items"][0]["id"])


@case("post", "/v1/campaigns/{campaign_id}/collaborations")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    before = table_snapshot()
    body = {"creator_ids": [owned["creator"]["id"]]}
    assert b.call("POST", f"/v1/campaigns/{owned['campaign']['id']}/collaborations", body)[0] == 404
    mine = b.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    assert b.call("POST", f"/v1/campaigns/{mine['id']}/collaborations", body)[0] == 404  # a's creator
    assert len(table_snapshot()) == len(before) + 1  # only b's own campaign


@case("get", "/v1/campaigns/{campaign_id}/collaborations")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    _collaboration(a, owned)
    assert len(a.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/collaborations")[1]["items"]) == 1
    assert b.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/collaborations")[0] == 404


@case("get", "/v1/campaigns/{campaign_id}/workflow")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    _collaboration(a, owned)
    assert a.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/workflow")[0] == 200
    assert b.call("GET", f"/v1/campaigns/{owned['campaign']['id']}/workflow")[0] == 404


@case("get", "/v1/creators/{creator_id}/collaborations")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    _collaboration(a, owned)
    assert len(a.call("GET", f"/v1/creators/{owned['creator']['id']}/collaborations")[1]["items"]) == 1
    assert b.call("GET", f"/v1/creators/{owned['creator']['id']}/collaborations")[0] == 404


@case("get", "/v1/collaborations/{collaboration_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    cid = _collaboration(a, owned)
    assert a.call("GET", f"/v1/collaborations/{cid}")[0] == 200
    assert b.call("GET", f"/v1/collaborations/{cid}")[0] == 404


@case("post", "/v1/collaborations/{collaboration_id}/actions/{action}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    cid = _collaboration(a, owned)
    before = table_snapshot()
    assert b.call("POST", f"/v1/collaborations/{cid}/actions/cancel", {})[0] == 404
    assert table_snapshot() == before


@case("post", "/v1/collaborations/{collaboration_id}/posts/{post_id}/accept")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    from roster.deps import deps
    from roster.models.collaborations import DeliverableUnit

    cid = _collaboration(a, owned)
    posted = DeliverableUnit(
        deliverable=0,
        unit=0,
        platform="instagram",
        format="reel",
        state="posted",
        milestone_id=f"{cid}:0:0",
        post_id="p" * 24,
    )
    deps().stores.collaborations.mutate(a.brand_id, cid, lambda c, p: setattr(c, "deliverables", [posted]))
    before = table_snapshot()
    assert b.call("POST", f"/v1/collaborations/{cid}/posts/{'p' * 24}/accept", {})[0] == 404
    assert table_snapshot() == before
    accepted = a.call("POST", f"/v1/collaborations/{cid}/posts/{'p' * 24}/accept", {})[1]
    assert accepted["deliverables"][0]["state"] == "verified"


A_MEMBER = "ana@brand-a.example"


@case("get", "/v1/me")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    member_of(a, A_MEMBER)
    me = b.call("GET", "/v1/me")[1]
    assert me["brand_id"] == b.brand_id and me["brand_name"] == "Brand B"
    assert A_MEMBER not in json.dumps(me)


@case("get", "/v1/members")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    member_of(a, A_MEMBER)
    assert [m["email"] for m in a.call("GET", "/v1/members")[1]["items"]] == [A_MEMBER]
    assert A_MEMBER not in json.dumps(b.call("GET", "/v1/members")[1])


@case("post", "/v1/members")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    status, invited = b.call("POST", "/v1/members", {"email": "bo@brand-b.example", "name": "Bo"})
    assert status == 201
    assert a.call("GET", "/v1/members")[1]["items"] == []
    assert a.call("PATCH", f"/v1/members/{invited['id']}", {"role": "admin"})[0] == 404


@case("patch", "/v1/members/{member_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    member_of(a, A_MEMBER)
    (mine,) = a.call("GET", "/v1/members")[1]["items"]
    before = table_snapshot()
    assert b.call("PATCH", f"/v1/members/{mine['id']}", {"role": "admin", "name": "hijacked"})[0] == 404
    assert table_snapshot() == before


@case("delete", "/v1/members/{member_id}")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    member = member_of(a, A_MEMBER)
    (mine,) = a.call("GET", "/v1/members")[1]["items"]
    before = table_snapshot()
    assert b.call("DELETE", f"/v1/members/{mine['id']}")[0] == 404
    assert table_snapshot() == before
    assert member.call("GET", "/v1/me")[1]["member_id"] == mine["id"]
    signed_in = Client(a.gateway, None).call(
        "POST", "/auth/sign-in", {"email": A_MEMBER, "password": PASSWORD}
    )
    assert signed_in[0] == 200


# ---- the application page and its applications (issue 15)


def _a_pending_application(a: Client) -> dict[str, Any]:
    """A confirmed application to brand A, made in-process as its confirmation would."""
    from roster.deps import deps
    from roster.models.applications import ApplicationForm, ApplicationPagePut
    from roster.program import applications

    stores = deps().stores
    applications.save_page(stores, a.brand_id, ApplicationPagePut(slug="brand-a-apply"))
    form = ApplicationForm.model_validate(
        {
            "name": "Ada Apply",
            "email": "ada@apply.example",
            "handles": [{"platform": "tiktok", "handle": "ada"}],
        }
    )
    app = applications.submit(stores, a.brand_id, form, None)
    return applications.confirm(stores, a.brand_id, app.id).model_dump(mode="json")


@case("get", "/v1/application-page")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    _a_pending_application(a)
    status, body = b.call("GET", "/v1/application-page")
    assert status == 404 and "brand-a-apply" not in json.dumps(body)


@case("put", "/v1/application-page")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    _a_pending_application(a)
    before = table_snapshot()
    assert b.call("PUT", "/v1/application-page", {"slug": "brand-a-apply"})[0] == 409
    assert table_snapshot() == before
    assert b.call("PUT", "/v1/application-page", {"slug": "brand-b-apply"})[0] == 200
    assert a.call("GET", "/v1/application-page")[1]["slug"] == "brand-a-apply"


@case("get", "/v1/applications")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    app = _a_pending_application(a)
    assert [x["id"] for x in a.call("GET", "/v1/applications")[1]["items"]] == [app["id"]]
    for status in ("pending", "approved", "declined"):
        assert b.call("GET", "/v1/applications", query={"status": status})[1]["items"] == []


@case("post", "/v1/applications/{application_id}/approve")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    app = _a_pending_application(a)
    before = table_snapshot()
    assert b.call("POST", f"/v1/applications/{app['id']}/approve", {})[0] == 404
    assert table_snapshot() == before


@case("post", "/v1/applications/{application_id}/decline")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    app = _a_pending_application(a)
    before = table_snapshot()
    assert b.call("POST", f"/v1/applications/{app['id']}/decline", {})[0] == 404
    assert table_snapshot() == before


# ---- discovery (issue 17)

A_SECRET_POST = "Brand A's creator: a private-looking post about Rivalco trail shoes"


def _a_enriched_creator(a: Client, owned: dict[str, Any]) -> str:
    """A's creator on Bluesky, with a snapshot kept for it (written in-process, as an enrichment
    would keep it: no platform is called here)."""
    from roster import clock
    from roster.deps import deps
    from roster.discovery.profiles import RecentPost, Snapshot, to_dict
    from roster.models.creators import Platform

    creator = owned["creator"]
    platforms = creator["platforms"] | {"bluesky": {"handle": "maya-a.bsky.social"}}
    status, _ = a.call(
        "PATCH",
        f"/v1/creators/{creator['id']}",
        {"platforms": platforms},
        headers={"if-match": str(creator["version"])},
    )
    assert status == 200
    posts = tuple(
        RecentPost(f"https://bsky.app/profile/a/post/{i}", clock.now(), f"{A_SECRET_POST} #{i}", likes=3)
        for i in range(6)
    )
    snapshot = Snapshot(Platform.BLUESKY, "maya-a.bsky.social", clock.now(), 5000, recent_posts=posts)
    deps().stores.snapshots.record(a.brand_id, creator["id"], to_dict(snapshot))
    return str(creator["id"])


@case("get", "/v1/creators/{creator_id}/quality")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    creator_id = _a_enriched_creator(a, owned)
    assert a.call("GET", f"/v1/creators/{creator_id}/quality")[1]["platforms"][0]["platform"] == "bluesky"
    status, body = b.call("GET", f"/v1/creators/{creator_id}/quality")
    assert status == 404 and body["error"]["code"] == "not_found"
    assert "maya-a" not in json.dumps(body) and "Rivalco" not in json.dumps(body)


@case("post", "/v1/creators/{creator_id}/enrichment")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    creator_id = _a_enriched_creator(a, owned)
    before = table_snapshot()
    status, body = b.call("POST", f"/v1/creators/{creator_id}/enrichment")
    assert status == 404 and body["error"]["code"] == "not_found"
    assert table_snapshot() == before  # nothing fetched, nothing kept, no guard moved
    # A's own refresh is not held back by B's attempt (only by A's kept snapshot: a 429).
    assert a.call("POST", f"/v1/creators/{creator_id}/enrichment")[0] == 429


@case("get", "/v1/creators/{creator_id}/screening")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    creator_id = _a_enriched_creator(a, owned)
    a.call("PUT", "/v1/discovery/settings", {"competitors": [{"name": "Rivalco"}]})
    a_campaign = owned["campaign"]["id"]
    b_campaign = b.call("POST", "/v1/campaigns", CAMPAIGN | {"content": {"keywords": ["trail"]}})[1]["id"]
    b_creator = b.call("POST", "/v1/creators", CREATOR)[1]["id"]
    screened = a.call("GET", f"/v1/creators/{creator_id}/screening", query={"campaign_id": a_campaign})[1]
    assert screened["posts_read"] == 6 and screened["screening"]["competitors"][0]["name"] == "Rivalco"
    # B's campaign cannot screen A's creator, and B's creator cannot be screened with A's campaign.
    for creator, campaign in ((creator_id, b_campaign), (b_creator, a_campaign), (creator_id, a_campaign)):
        status, body = b.call("GET", f"/v1/creators/{creator}/screening", query={"campaign_id": campaign})
        assert status == 404 and body["error"]["code"] == "not_found", (creator, campaign)
        assert "Rivalco" not in json.dumps(body)
    # B's own creator and campaign: screened with B's competitors (none), never A's.
    mine = b.call("GET", f"/v1/creators/{b_creator}/screening", query={"campaign_id": b_campaign})[1]
    assert mine["posts_read"] == 0 and mine["screening"]["competitors"] == []


@case("get", "/v1/discovery/settings")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    a.call("PUT", "/v1/discovery/settings", {"competitors": [{"name": "Rivalco", "handles": ["rivalco"]}]})
    assert b.call("GET", "/v1/discovery/settings") == (200, {"competitors": [], "updated_at": None})


@case("put", "/v1/discovery/settings")
def _(a: Client, b: Client, owned: dict[str, Any]) -> None:
    stored = a.call("PUT", "/v1/discovery/settings", {"competitors": [{"name": "Rivalco"}]})[1]
    assert b.call("PUT", "/v1/discovery/settings", {"competitors": [{"name": "Other"}]})[0] == 200
    assert a.call("GET", "/v1/discovery/settings")[1] == stored
    assert b.call("GET", "/v1/discovery/settings")[1]["competitors"] == [{"name": "Other", "handles": []}]


def test_every_brand_route_has_an_isolation_case() -> None:
    spec = json.loads(document())
    routes = {(m, p) for p, ops in spec["paths"].items() for m in ops if p.startswith("/v1/")}
    assert routes == set(CASES)


@pytest.fixture(params=["api key", "member"])
def second_brand(request: pytest.FixtureRequest, brand_b: Client) -> Client:
    """Brand B as its API key, or as its signed-in admin member (the admin routes included)."""
    if request.param == "api key":
        return brand_b
    return member_of(brand_b, "admin@brand-b.example", "admin", name="B admin")


@pytest.mark.parametrize("route", sorted(CASES), ids=lambda r: f"{r[0].upper()} {r[1]}")
def test_second_brand_cannot_reach_first_brands_data(
    route: tuple[str, str], brand_a: Client, second_brand: Client
) -> None:
    owned = _brand_a_owns(brand_a)
    CASES[route](brand_a, second_brand, owned)
