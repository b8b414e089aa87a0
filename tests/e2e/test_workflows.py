"""The collaboration and campaign workflows on the local stack: moto executes the real
definitions, their Lambda tasks call the real handlers, timers are compressed to seconds."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.feedserver import FeedServer, feed_server
from tests.integration.conftest import CAMPAIGN
from tests.stack import API_KEY, RunningStack, request

AUTH = {"Authorization": f"Bearer {API_KEY}"}
FAST = {
    "answer_seconds": 60,
    "negotiate_seconds": 60,
    "sign_due_seconds": 60,
    "shipment_seconds": 60,
    "delivery_seconds": 60,
    "content_due_seconds": 60,
    "review_seconds": 60,
    "post_due_seconds": 60,
    "reminder_seconds": 1,
    "grace_seconds": 1,
    "decision_seconds": 60,
    "performance_seconds": 1,
    "rating_seconds": 60,
    "report_seconds": 2,
    "content_rounds": 2,
}
TERMS = {
    "deliverables": [{"platform": "instagram", "format": "reel", "count": 2}],
    "posting_window_start": "2027-01-10",
    "posting_window_end": "2027-02-10",
    "fee_per_deliverable": {"amount": 25000, "currency": "USD"},
}


def call(stack: RunningStack, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    status, _, out = request(stack.base_url, method, path, body=data, headers=AUTH)
    return status, out


def creator_call(url: str, action: str, body: Any = None) -> tuple[int, Any]:
    base, _, path = url.partition("/c/")
    status, _, out = request(
        base,
        "POST",
        f"/c/{path}/{action}",
        body=json.dumps(body or {}).encode(),
        headers={"content-type": "application/json"},
    )
    return status, out


def until(
    fetch: Callable[[], dict[str, Any]], ok: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout}s: {json.dumps(value)[:2000]}")
        time.sleep(0.25)


class Flow:
    def __init__(self, stack: RunningStack, settings: dict[str, Any], **campaign: Any) -> None:
        self.stack = stack
        body = (
            CAMPAIGN
            | {
                "name": campaign.pop("name", "Workflow e2e"),
                "status": "active",
                "workflow": FAST | settings,
                "default_terms": TERMS,
                "landing_url": "https://shop.example.com/winter",
                "brief": "Be yourself. Mention @peakgear. No competitor gear.",
            }
            | campaign
        )
        status, self.campaign = call(stack, "POST", "/v1/campaigns", body)
        assert status == 201, self.campaign

    def creators(self, *names: str) -> dict[str, str]:
        ids = {}
        for n in names:
            email = f"{n.lower()}.{self.campaign['id'][-6:].lower()}@wf.example"
            status, c = call(
                self.stack,
                "POST",
                "/v1/creators",
                {
                    "name": f"{n} Flow",
                    "email": email,
                    "platforms": {"instagram": {"handle": f"{n.lower()}{self.campaign['id'][-4:]}"}},
                },
            )
            assert status == 201, c
            ids[n] = c["id"]
        status, started = call(
            self.stack,
            "POST",
            f"/v1/campaigns/{self.campaign['id']}/collaborations",
            {"creator_ids": list(ids.values())},
        )
        assert status == 202 and len(started["items"]) == len(names), started
        by_creator = {c["creator_id"]: c["id"] for c in started["items"]}
        return {n: by_creator[cid] for n, cid in ids.items()}

    def get(self, cid: str) -> dict[str, Any]:
        status, c = call(self.stack, "GET", f"/v1/collaborations/{cid}")
        assert status == 200, c
        return dict(c)

    def waiting(self, cid: str, action: str) -> dict[str, Any]:
        return until(
            lambda: self.get(cid), lambda c: action in ((c.get("waiting_for") or {}).get("actions") or [])
        )

    def brand(self, cid: str, action: str, body: Any = None) -> dict[str, Any]:
        self.waiting(cid, action)
        status, out = call(self.stack, "POST", f"/v1/collaborations/{cid}/actions/{action}", body or {})
        assert status == 200, out
        return dict(out)

    def creator(self, cid: str, action: str, body: Any = None) -> dict[str, Any]:
        c = self.waiting(cid, action)
        status, out = creator_call(c["creator_url"], action, body)
        assert status == 200, out
        return dict(out)

    def closed(self, cid: str) -> dict[str, Any]:
        return until(lambda: self.get(cid), lambda c: c["status"] == "closed")


@pytest.fixture(scope="module")
def posts() -> Iterator[FeedServer]:
    with feed_server() as srv:
        yield srv


def test_happy_path_counter_offer_and_a_content_round(stack: RunningStack, posts: FeedServer) -> None:
    flow = Flow(stack, {})
    c = flow.creators("Maya", "Lena")
    maya, lena = c["Maya"], c["Lena"]

    # Maya: accept → she accepts the brand's opening terms → sign → content (changes once) → post → rate.
    flow.creator(maya, "accept")
    # Lena: accept → counter-offer → brand accepts her terms.
    flow.creator(lena, "accept")
    lena_terms = TERMS | {"fee_per_deliverable": {"amount": 40000, "currency": "USD"}}
    flow.creator(lena, "counter", {"terms": lena_terms, "note": "Two reels take a full day"})
    flow.brand(lena, "accept-terms")
    lena_now = flow.waiting(lena, "sign")
    assert [o["by"] for o in lena_now["offers"]] == ["brand", "creator"]
    assert lena_now["contract"]["terms"]["fee_per_deliverable"]["amount"] == 40000
    assert lena_now["contract"]["offer"] == 2

    flow.waiting(maya, "accept-terms")  # the brand cannot accept its own (opening) offer
    status, err = call(stack, "POST", f"/v1/collaborations/{maya}/actions/accept-terms", {})
    assert status == 409 and "is your own" in err["error"]["message"], err
    flow.creator(maya, "accept-terms")
    signed = flow.creator(maya, "sign", {"name": "Maya Flow"})
    assert signed["stage"] == "contract"
    flow.creator(
        maya,
        "submit-content",
        {"text": "Draft: trail reel with @peakgear", "media_urls": ["https://cdn.example/a.mp4"]},
    )
    # A brand action the step does not take is a 409 with the stage.
    status, err = call(stack, "POST", f"/v1/collaborations/{maya}/actions/rate", {"score": 5})
    assert status == 409 and err["error"]["details"][0]["message"] == "content", err
    flow.brand(maya, "request-changes", {"comments": "Show the sole grip"})
    flow.creator(maya, "submit-content", {"text": "Draft 2: now with the sole"})
    flow.brand(maya, "approve-content")
    page = posts.serve(
        "/p/maya-reel",
        b'<html><head><meta property="og:description" content="#ad Trail day with @peakgear"></head></html>',
        "text/html",
    )
    flow.creator(maya, "submit-post", {"url": page})
    # Two reels in the contract: the live step waits for the second post; this one has no disclosure.
    second = posts.serve(
        "/p/maya-reel-2",
        b'<html><head><meta property="og:description" content="Trail day 2 with @peakgear"></head></html>',
        "text/html",
    )
    flow.creator(maya, "submit-post", {"url": second})
    measured = until(lambda: flow.get(maya), lambda c: c["stage"] in ("measure", "close"))
    assert [u["state"] for u in measured["deliverables"]] == ["booked", "posted"]
    undisclosed = measured["deliverables"][1]["post_id"]
    status, accepted = call(
        stack, "POST", f"/v1/collaborations/{maya}/posts/{undisclosed}/accept", {"note": "said in the video"}
    )
    assert status == 200, accepted
    assert accepted["deliverables"][1]["state"] == "booked"
    assert accepted["deliverables"][1]["acceptance"]["note"] == "said in the video"
    flow.brand(maya, "rate", {"score": 5, "notes": "Great to work with"})
    done = flow.closed(maya)
    assert done["outcome"] == "completed" and done["rating"]["score"] == 5
    contract = done["contract"]
    assert (
        contract["signature"]["name"] == "Maya Flow"
        and contract["signature"]["document_hash"] == contract["document_hash"]
    )
    assert [p["decision"] for p in done["proposals"]] == ["changes_requested", "approved"]
    kinds = [e["type"] for e in done["timeline"]]
    for expected in (
        "stage: invite",
        "accept",
        "contract issued",
        "sign",
        "onboarded",
        "post checked",
        "measured",
        "rate",
        "closed: completed",
    ):
        assert expected in kinds, (expected, kinds)
    checked = [e["detail"] for e in done["timeline"] if e["type"] == "post checked"]
    assert checked == [
        {"disclosure": "compliant", "deliverable": "instagram reel 1", "fixed_fee_booked": 25000},
        {"disclosure": "missing", "deliverable": "instagram reel 2", "fixed_fee_booked": 0},
    ]
    assert [(u["state"], u["verified_by"]) for u in done["deliverables"]] == [
        ("booked", "disclosure"),
        ("booked", "brand"),
    ]
    onboarded = next(e for e in done["timeline"] if e["type"] == "onboarded")
    assert onboarded["detail"]["link"] and onboarded["detail"]["promo_code"]

    listed = call(stack, "GET", f"/v1/campaigns/{flow.campaign['id']}/collaborations?stage=closed")[1][
        "items"
    ]
    assert [x["id"] for x in listed] == [maya]
    history = call(stack, "GET", f"/v1/creators/{done['creator_id']}/collaborations")[1]["items"]
    assert [(h["id"], h["rating"]["notes"]) for h in history] == [(maya, "Great to work with")]
    base, _, token = done["creator_url"].rpartition("/c/")
    status, _, page = request(base, "GET", f"/c/{token}")
    assert status == 200 and "<strong>Closed</strong>: Completed." in page
    assert request(stack.base_url, "GET", "/c/forged.token")[0] == 404


def test_decline_and_silence(stack: RunningStack) -> None:
    flow = Flow(stack, {})
    ben = flow.creators("Ben")["Ben"]
    flow.creator(ben, "decline")
    assert flow.closed(ben)["outcome"] == "declined"

    quiet = Flow(stack, {"answer_seconds": 2}, name="Quiet campaign")
    cy = quiet.creators("Cy")["Cy"]
    assert quiet.closed(cy)["outcome"] == "no_answer"


def test_missed_deadline_reminds_alerts_then_waits_for_the_brand(stack: RunningStack) -> None:
    flow = Flow(stack, {"sign_due_seconds": 2, "decision_seconds": 60}, name="Deadline campaign")
    dee = flow.creators("Dee")["Dee"]
    flow.creator(dee, "accept")
    flow.creator(dee, "accept-terms")
    decided = flow.waiting(dee, "extend")  # past the due date and the grace period
    kinds = [e["type"] for e in decided["timeline"]]
    assert "reminder" in kinds and "brand alerted: deadline missed" in kinds
    assert decided["status"] == "open"  # nothing ends without the brand
    alerts = call(stack, "GET", "/v1/alerts")[1]["items"]
    assert any(a["kind"] == "deadline" and a["creator_id"] == decided["creator_id"] for a in alerts)
    flow.brand(dee, "cancel", {"reason": "missed the signing deadline"})
    assert flow.closed(dee)["outcome"] == "cancelled"


def test_cancelling_the_campaign_cancels_its_collaborations(stack: RunningStack) -> None:
    flow = Flow(stack, {}, name="Cancelled campaign")
    ids = flow.creators("Eve", "Fay")
    flow.creator(ids["Eve"], "accept")
    flow.waiting(ids["Fay"], "accept")
    status, _ = call(stack, "PATCH", f"/v1/campaigns/{flow.campaign['id']}", {"status": "cancelled"})
    assert status == 200
    for cid in ids.values():
        assert flow.closed(cid)["outcome"] == "cancelled"
    status, err = call(stack, "POST", f"/v1/collaborations/{ids['Eve']}/actions/accept-terms", {})
    assert status == 409 and "closed" in err["error"]["message"]
    workflow = call(stack, "GET", f"/v1/campaigns/{flow.campaign['id']}/workflow")[1]
    assert workflow["status"] == "cancelled" and workflow["closed_at"]  # wrapped up like an ended one
    assert "clicks" in workflow["final_report"]
    assert {(i["collaboration_id"], i["outcome"]) for i in workflow["open_items"]} == {
        (cid, "cancelled") for cid in ids.values()
    }


def test_seeding_ships_then_the_creator_confirms_delivery(stack: RunningStack) -> None:
    flow = Flow(stack, {"seeding": True}, name="Seeding campaign")
    gus = flow.creators("Gus")["Gus"]
    flow.creator(gus, "accept")
    flow.creator(gus, "accept-terms")
    flow.creator(gus, "sign", {"name": "Gus Flow"})
    status, err = call(stack, "POST", f"/v1/collaborations/{gus}/actions/approve-content", {})
    flow.brand(gus, "record-shipment", {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
    flow.creator(gus, "confirm-delivery")
    c = flow.waiting(gus, "submit-content")
    assert c["shipment"]["carrier"] == "UPS" and c["shipment"]["confirmed_by"] == "creator"
    assert status == 409  # approving content before there is any


def test_the_campaign_reports_and_wraps_up_with_open_items(stack: RunningStack) -> None:
    flow = Flow(
        stack, {"report_seconds": 1}, name="Ended campaign", start_date="2026-01-01", end_date="2026-01-31"
    )
    hal = flow.creators("Hal")["Hal"]
    workflow = until(
        lambda: call(stack, "GET", f"/v1/campaigns/{flow.campaign['id']}/workflow")[1],
        lambda w: w.get("status") == "closed",
    )
    assert len(workflow["reports"]) >= 1 and "clicks" in workflow["final_report"]
    assert [i["collaboration_id"] for i in workflow["open_items"]] == [hal]


def test_no_revision_rounds_left_the_brand_decides(stack: RunningStack) -> None:
    flow = Flow(stack, {"content_rounds": 1}, name="One round campaign")
    ida = flow.creators("Ida")["Ida"]
    flow.creator(ida, "accept")
    flow.creator(ida, "accept-terms")
    flow.creator(ida, "sign", {"name": "Ida Flow"})
    flow.creator(ida, "submit-content", {"text": "Draft 1"})
    flow.brand(ida, "request-changes", {"comments": "Brighter, please"})  # the last round: 200
    deciding = flow.waiting(ida, "grant-round")
    assert deciding["waiting_for"]["actions"] == ["approve-content", "grant-round", "cancel"]
    alerts = call(stack, "GET", "/v1/alerts")[1]["items"]
    assert any(
        "no revision rounds left" in a["message"] and a["creator_id"] == deciding["creator_id"]
        for a in alerts
    ), alerts
    flow.brand(ida, "grant-round")
    flow.creator(ida, "submit-content", {"text": "Draft 2, brighter"})
    flow.brand(ida, "approve-content")
    live = flow.waiting(ida, "submit-post")
    assert [p["decision"] for p in live["proposals"]] == ["changes_requested", "approved"]
    assert live["extra_rounds"] == 1
    flow.brand(ida, "cancel")
    assert flow.closed(ida)["outcome"] == "cancelled"


def test_actions_racing_one_second_timers_are_all_honoured(stack: RunningStack) -> None:
    """The negotiation times out every two seconds (alert, wait again). Counters sent just before
    and just after each timeout land in the record and the workflow, never as a 409.

    Two seconds, not one: on a loaded CI machine a wait task's Lambda (it stores the token and
    emails the step) could outlive a one-second timeout, and moto's interpreter then sometimes
    fails the execution with States.Runtime instead of timing the state out (an emulator fault,
    partly patched in local/moto_patches.py; AWS times the state out)."""
    from datetime import datetime, timedelta

    seconds = 2
    flow = Flow(stack, {"negotiate_seconds": seconds}, name="Racing campaign")
    jo = flow.creators("Jo")["Jo"]
    flow.creator(jo, "accept")
    for n in range(12):
        c = flow.waiting(jo, "counter")
        since = datetime.fromisoformat(c["waiting_for"]["since"].replace("Z", "+00:00"))
        at = since + timedelta(seconds=seconds + 0.03 * (n - 6))  # around Step Functions' timeout
        time.sleep(max(0.0, (at - datetime.now(since.tzinfo)).total_seconds()))
        status, out = creator_call(c["creator_url"], "counter", {"terms": TERMS | {"usage_rights_days": n}})
        assert status == 200, (n, out)
    flow.brand(jo, "accept-terms")
    contracted = flow.waiting(jo, "sign")
    assert len(contracted["offers"]) == 13 and contracted["contract"]["offer"] == 13
    assert contracted["contract"]["terms"]["usage_rights_days"] == 11
    kinds = [e["type"] for e in contracted["timeline"]]
    assert kinds.count("counter") == 12
    flow.brand(jo, "cancel")
