from __future__ import annotations

import json
import time

import boto3

from tests.e2e.conftest import API_KEY, ROOT, RunningStack, request, start_stack
from tests.integration.conftest import CAMPAIGN as BASE_CAMPAIGN

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
        stats = request(stack.base_url, "GET", f"/v1/links/{link['code']}/stats", headers=AUTH)[2]
        if stats["totals"]["clicks"] or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert stats["totals"] == {
        "clicks": 1,
        "unique_clicks": 1,
        "countries": {"GB": 1},
        "devices": {"desktop": 1},
    }
    assert request(stack.base_url, "GET", "/r/unknown-code")[0] == 404
