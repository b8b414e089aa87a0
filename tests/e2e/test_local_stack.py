from __future__ import annotations

import json
import time
from typing import Any

import boto3

from tests.integration.conftest import CAMPAIGN as BASE_CAMPAIGN
from tests.stack import API_KEY, ROOT, RunningStack, request, start_stack

AUTH = {"Authorization": f"Bearer {API_KEY}"}
# Lower-case currency on purpose: the API upper-cases it.
CAMPAIGN = BASE_CAMPAIGN | {"budget": {"amount": 1500000, "currency": "usd"}}


def test_startup_prints_key_and_routes(stack: RunningStack) -> None:
    text = "\n".join(stack.output)
    assert f"Demo brand API key: {API_KEY}" in text
    assert "ANY    /v1/{proxy+}" in text and "GET    /health" in text


def test_health(stack: RunningStack) -> None:
    assert request(stack.base_url, "GET", "/health")[::2] == (200, {"status": "ok"})


def test_curl_style_create_then_list(stack: RunningStack) -> None:
    # What `curl -H "Authorization: Bearer $KEY" -d '{...}'` sends: a form content type.
    headers = AUTH | {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, created = request(
        stack.base_url, "POST", "/v1/campaigns", body=json.dumps(CAMPAIGN).encode(), headers=headers
    )
    assert status == 201, created
    assert created["budget"] == {"amount": 1500000, "currency": "USD"}
    status, _, listed = request(stack.base_url, "GET", "/v1/campaigns", headers=AUTH)
    assert status == 200 and created["id"] in [c["id"] for c in listed["items"]]
    status, _, got = request(stack.base_url, "GET", f"/v1/campaigns/{created['id']}", headers=AUTH)
    assert (status, got) == (200, created)


def test_auth_errors_over_http(stack: RunningStack) -> None:
    assert request(stack.base_url, "GET", "/v1/campaigns")[::2] == (401, {"message": "Unauthorized"})
    status, _, body = request(
        stack.base_url, "GET", "/v1/campaigns", headers={"Authorization": "Bearer nope"}
    )
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert request(stack.base_url, "GET", "/elsewhere")[0] == 404


def test_creators_import_and_filter_over_http(stack: RunningStack) -> None:
    csv_text = (
        "name,email,country,tiktok,tiktok_followers,tags\nMaya,maya@e2e.example,us,mayaruns,120000,trail\n"
    )
    status, _, result = request(
        stack.base_url,
        "POST",
        "/v1/creators:import",
        body=csv_text.encode(),
        headers=AUTH | {"Content-Type": "text/csv"},
    )
    assert status == 200 and result["summary"]["created"] == 1, result
    status, _, page = request(stack.base_url, "GET", "/v1/creators?tier=mid&country=US", headers=AUTH)
    assert status == 200 and [c["email"] for c in page["items"]] == ["maya@e2e.example"]


def test_ctrl_c_stops_cleanly() -> None:
    running = start_stack()
    assert request(running.base_url, "GET", "/health")[0] == 200
    assert running.stop() == 0
    assert running.output[-1] == "stopped"


def test_state_machines_run_real_handlers_in_process() -> None:
    running = start_stack({"ROSTER_TEMPLATE": str(ROOT / "tests" / "fixtures" / "template-sfn.yaml")})
    try:
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=f"http://127.0.0.1:{running.moto_port}",
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        (machine,) = sfn.list_state_machines()["stateMachines"]
        assert machine["name"] == "roster-local-EchoStateMachine"
        results = {}
        for name, payload in (("ok", {"hello": "world"}), ("boom", {"fail": True})):
            arn = sfn.start_execution(
                stateMachineArn=machine["stateMachineArn"], name=name, input=json.dumps(payload)
            )["executionArn"]
            deadline = time.monotonic() + 30
            while (desc := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
                assert time.monotonic() < deadline, "execution did not finish"
                time.sleep(0.2)
            results[name] = desc
        assert results["ok"]["status"] == "SUCCEEDED"
        output = json.loads(results["ok"]["output"])
        assert output == {
            "echo": {"hello": "world"},
            "function": "roster-local-EchoFunction",
            "table": "roster-local-Table",
        }
        assert results["boom"]["status"] == "FAILED"
    finally:
        running.stop()


def test_link_click_stats_over_http(stack: RunningStack) -> None:
    campaign = request(
        stack.base_url,
        "POST",
        "/v1/campaigns",
        body=json.dumps(CAMPAIGN | {"status": "active"}).encode(),
        headers=AUTH,
    )[2]
    creator = request(
        stack.base_url,
        "POST",
        "/v1/creators",
        body=json.dumps(
            {"name": "Leo", "email": "leo@e2e.example", "platforms": {"youtube": {"handle": "leoruns"}}}
        ).encode(),
        headers=AUTH,
    )[2]
    status, _, link = request(
        stack.base_url,
        "POST",
        "/v1/links",
        headers=AUTH,
        body=json.dumps(
            {
                "campaign_id": campaign["id"],
                "creator_id": creator["id"],
                "destination": "https://shop.example.com/shoes",
            }
        ).encode(),
    )
    assert status == 201, link
    assert link["url"] == f"{stack.base_url}/r/{link['code']}"

    import urllib.request

    class NoFollow(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoFollow)
    req = urllib.request.Request(
        link["url"],
        headers={
            "User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0",
            "CloudFront-Viewer-Country": "GB",
        },
    )
    try:
        opener.open(req, timeout=10)
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as err:
        assert err.code == 302 and err.headers["Location"].startswith("https://shop.example.com/shoes?")
        assert "utm_source=leoruns" in err.headers["Location"] and "rid=" in err.headers["Location"]

    deadline = time.monotonic() + 20
    while True:
        status, _, stats = request(stack.base_url, "GET", f"/v1/links/{link['code']}/stats", headers=AUTH)
        if (status == 200 and stats["totals"]["clicks"]) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert status == 200, stats
    assert stats["totals"] == {
        "clicks": 1,
        "unique_clicks": 1,
        "countries": {"GB": 1},
        "devices": {"desktop": 1},
    }
    assert request(stack.base_url, "GET", "/r/unknown-code")[0] == 404


def test_code_order_commission_refund_over_http(stack: RunningStack) -> None:
    """Register a code → a signed Shopify order with it → pending commission → refund → reversed;
    a Stripe checkout and a WooCommerce order likewise; tampering changes nothing."""
    import base64
    import hashlib
    import hmac

    from stripe import WebhookSignature

    from tests.conftest import load_json

    def call(
        method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        status, _, resp = request(stack.base_url, method, path, body=raw, headers=headers or AUTH)
        return status, resp

    secrets = {
        "shopify": "shpss_e2e_0123456789abcdef",
        "stripe": "whsec_e2e_0123456789abcdef",
        "woocommerce": "wc_e2e_0123456789abcdef",
    }
    urls = {}
    for provider, secret in secrets.items():
        status, integration = call("PUT", f"/v1/integrations/{provider}", {"secret": secret})
        assert status == 200
        urls[provider] = integration["webhook_url"].replace("https://", "http://", 1)
    brand_id = urls["shopify"].rsplit("/", 1)[1]
    campaign = call(
        "POST",
        "/v1/campaigns",
        CAMPAIGN | {"status": "active", "commission": {"plan": {"percent_bps": 1000}}},
    )[1]
    creator = call("POST", "/v1/creators", {"name": "Ana", "email": "ana-e2e@example.com"})[1]
    for code in ("MAYA10", "LEO15", "leo5"):
        assert (
            call(
                "POST",
                "/v1/promo-codes",
                {"campaign_id": campaign["id"], "creator_id": creator["id"], "code": code},
            )[0]
            == 201
        )

    def webhook(provider: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        path = urls[provider].split(stack.base_url.split("//")[1], 1)[1]
        return call("POST", path, body, {"Content-Type": "application/json", **headers})

    def b64(secret: str, body: bytes) -> str:
        return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()

    def balance() -> int:
        time.sleep(0.1)
        return sum(line["amount"] for line in call("GET", "/v1/payouts/preview")[1]["lines"])

    order = json.dumps(load_json("shopify_order_create.json")).encode()
    shop = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": "e2e-1",
        "X-Shopify-Hmac-Sha256": b64(secrets["shopify"], order),
    }
    assert webhook("shopify", order.replace(b"398.00", b"3.98"), shop)[0] == 401  # tampered
    assert webhook("shopify", order, shop)[1]["status"] == "processed"
    assert webhook("shopify", order, shop)[1]["duplicate"] is True
    refund = json.dumps(load_json("shopify_refund_create.json")).encode()
    assert (
        webhook(
            "shopify",
            refund,
            {
                "X-Shopify-Topic": "refunds/create",
                "X-Shopify-Event-Id": "e2e-2",
                "X-Shopify-Hmac-Sha256": b64(secrets["shopify"], refund),
            },
        )[0]
        == 200
    )

    session = json.dumps(load_json("stripe_checkout_session_completed.json")).encode()
    stale = WebhookSignature.generate_signature_header(
        session.decode(), secrets["stripe"], timestamp=int(time.time()) - 600
    )
    assert webhook("stripe", session, {"Stripe-Signature": stale})[0] == 401
    fresh = WebhookSignature.generate_signature_header(session.decode(), secrets["stripe"])
    assert webhook("stripe", session, {"Stripe-Signature": fresh})[1]["status"] == "processed"

    woo = json.dumps(load_json("woocommerce_order_updated.json")).encode()
    assert (
        webhook("woocommerce", b"webhook_id=7", {"Content-Type": "application/x-www-form-urlencoded"})[1][
            "ping"
        ]
        is True
    )
    woo_headers = {
        "X-WC-Webhook-Topic": "order.updated",
        "X-WC-Webhook-Delivery-ID": "e2e-w1",
        "X-WC-Webhook-Signature": b64(secrets["woocommerce"], woo),
    }
    assert webhook("woocommerce", woo, woo_headers)[1]["status"] == "processed"

    events = call("GET", "/v1/webhook-events")[1]["items"]
    assert {e["status"] for e in events} == {"processed"} and len(events) == 4
    assert brand_id and all(brand_id in u for u in urls.values())
    # 10% of the net item subtotal, refunds reversed in proportion, all pending (30-day hold).
    # WooCommerce refunds are gross: 12.50 of the 48.95 order total reverses 450 × 1250/4895 → 115.
    report = call("GET", f"/v1/campaigns/{campaign['id']}/report")[1]
    pending = {cur: figures["commissions"]["pending"] for cur, figures in report["currencies"].items()}
    assert pending == {"USD": 3980 - 1890, "EUR": 1100, "GBP": 450 - 115}
    assert report["orders"] == 3
    assert balance() == 0  # nothing approved yet, so nothing payable


def test_post_monitoring_over_http(stack: RunningStack) -> None:
    """Add a creator with a feed → run the monitor → the post is found, checked, and alerted on."""
    from tests.feedserver import FIXTURES, feed_server

    def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        status, _, out = request(stack.base_url, method, path, body=data, headers=AUTH)
        return status, out

    campaign = call(
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | {"name": "Monitored", "status": "active", "start_date": "2026-11-01", "end_date": "2026-12-31"},
    )[1]
    with feed_server() as feeds:
        feed_url = feeds.base + "/@samclimbs.rss"
        sam = call(
            "POST",
            "/v1/creators",
            {
                "name": "Sam",
                "email": "sam@e2e.example",
                "platforms": {"mastodon": {"handle": "sam", "feed_url": feed_url}},
            },
        )[1]
        status, link = call(
            "POST",
            "/v1/links",
            {
                "campaign_id": campaign["id"],
                "creator_id": sam["id"],
                "destination": "https://shop.example.com/chalk",
            },
        )
        assert status == 201, link
        toots = (FIXTURES / "feeds" / "mastodon.rss").read_bytes()
        feeds.serve(
            "/@samclimbs.rss", toots.replace(b"https://go.roster.test/r/SAMPEAK01", link["url"].encode())
        )

        status, run = call("POST", f"/v1/campaigns/{campaign['id']}/monitor")
        assert status == 202 and run["creators_queued"] == 1, run
        deadline = time.monotonic() + 30
        while True:
            state = call("GET", f"/v1/campaigns/{campaign['id']}/monitor")[1]
            if state["runs"][0]["status"] == "completed" or time.monotonic() > deadline:
                break
            time.sleep(0.3)
    assert state["runs"][0] | {"started_at": None} == run | {
        "started_at": None,
        "status": "completed",
        "creators_done": 1,
        "feeds_checked": 1,
        "items_read": 2,
        "posts_found": 1,
        "alerts_raised": 1,
    }
    (post,) = call("GET", f"/v1/campaigns/{campaign['id']}/posts")[1]["items"]
    assert post["url"] == "https://mastodon.example/@samclimbs/113512345678901234"
    assert post["signals"] == {"link": [link["code"]]}
    assert post["disclosure"]["result"] == "buried"
    alerts = call("GET", "/v1/alerts", None)[1]["items"]
    assert [(a["kind"], a["post_id"]) for a in alerts if a["campaign_id"] == campaign["id"]] == [
        ("disclosure", post["id"])
    ]


def test_outreach_sequence_over_http(stack: RunningStack) -> None:
    """A sequence to three creators on the local stack: sent through (moto's) SES by the queue
    worker; one creator accepts; the messages and the funnel show it all."""

    def call(method: str, path: str, body: Any = None, query: str = "") -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        status, _, out = request(stack.base_url, method, path + query, body=data, headers=AUTH)
        return status, out

    sender = {
        "from_email": "team@mail.roster.example",
        "from_name": "Demo Partnerships",
        "postal_address": "Demo Brand, 1 Main Street, Springfield",
    }
    assert call("PUT", "/v1/outreach/settings", sender)[0] == 200
    campaign = call("POST", "/v1/campaigns", CAMPAIGN | {"name": "Outreach e2e", "status": "active"})[1]
    template = call(
        "POST",
        "/v1/email-templates",
        {
            "name": "Hello",
            "subject": "{{ campaign.name }}: hi {{ creator.first_name }}",
            "html": "<p>Hi {{ creator.first_name }}! {{ offer }}</p>",
            "text": "Hi {{ creator.first_name }}! {{ offer }}",
        },
    )[1]
    ids = [
        call("POST", "/v1/creators", {"name": f"{n} E2e", "email": f"{n.lower()}@outreach.example"})[1]["id"]
        for n in ("Ana", "Ben", "Cy")
    ]
    body = {
        "steps": [{"template_id": template["id"]}, {"template_id": template["id"], "delay_days": 7}],
        "audience": {"creator_ids": ids},
        "offer": "Free boots.",
    }
    status, sequence = call("POST", f"/v1/campaigns/{campaign['id']}/outreach", body)
    assert status == 202 and sequence["enrolled"] == 3, sequence

    deadline = time.monotonic() + 30
    while True:
        messages = call("GET", f"/v1/campaigns/{campaign['id']}/outreach/messages")[1]["items"]
        if sum(m["status"] == "sent" for m in messages) == 3 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert sorted((m["step"], m["status"]) for m in messages) == [(0, "sent")] * 3
    assert {m["subject"] for m in messages} == {f"Outreach e2e: hi {n}" for n in ("Ana", "Ben", "Cy")}

    # Ben accepts: his sequence stops; the unsubscribe page refuses a token Roster did not sign.
    status, ben = call(
        "POST", f"/v1/campaigns/{campaign['id']}/outreach/{ids[1]}/stop", {"reason": "accepted"}
    )
    assert status == 200 and (ben["status"], ben["stop_reason"]) == ("stopped", "accepted")
    status, _, page = request(stack.base_url, "POST", "/u/bm90LWEtdG9rZW4.c2lnbmF0dXJl")
    assert status == 404 and "not valid" in page

    funnel = call("GET", f"/v1/campaigns/{campaign['id']}/outreach")[1]
    f = funnel["funnel"]
    assert (f["targeted"], f["sent"], f["accepted"], f["replied"], f["bounced"]) == (3, 3, 1, 0, 0)
    states = {c["creator_id"]: c["status"] for c in funnel["creators"]}
    assert states == {ids[0]: "active", ids[1]: "stopped", ids[2]: "active"}
    assert all(c["next_send_at"] for c in funnel["creators"] if c["status"] == "active")  # waits 7 days
