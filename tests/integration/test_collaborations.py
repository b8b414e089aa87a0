"""Collaboration actions against the step the workflow waits for, with the workflow's Lambda tasks
called directly (the e2e suite runs the real state machines)."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from roster import collaborations, workflow_tasks
from roster.adapters.events import EventPublisher
from roster.adapters.workflows import StepGone, Workflows
from roster.errors import Conflict, ValidationFailed
from roster.fetch import Fetcher
from roster.models.collaborations import ActionBody
from roster.store.registry import stores
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot

TERMS = {
    "deliverables": [{"platform": "instagram", "format": "reel", "count": 1}],
    "posting_window_start": "2027-01-10",
    "posting_window_end": "2027-02-10",
}


class FakeWorkflows(Workflows):
    def __init__(self) -> None:
        self.resumed: list[tuple[str, dict[str, Any]]] = []
        self.gone: set[str] = set()
        self.started: list[tuple[str, dict[str, Any]]] = []
        self.fail_next = False

    def start(self, machine_arn: str, name: str, payload: dict[str, Any]) -> str:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("Step Functions unavailable")
        self.started.append((name, payload))
        return f"{machine_arn}:{name}"

    def resume(self, token: str, output: dict[str, Any]) -> None:
        if token in self.gone:
            raise StepGone("timed out")
        self.resumed.append((token, output))

    def stop(self, execution_arn: str, cause: str) -> None:
        pass


class Quiet(EventPublisher):
    def __init__(self) -> None:
        pass

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        pass


@pytest.fixture
def world(brand_a: Client) -> dict[str, Any]:
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "default_terms": TERMS})[
        1
    ]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    wf = FakeWorkflows()
    (c,) = collaborations.start(
        stores(),
        wf,
        brand_a.brand_id,
        campaign["id"],
        [creator["id"]],
        collaboration_machine="arn:aws:states:us-east-1:123456789012:stateMachine:c",
        campaign_machine="arn:aws:states:us-east-1:123456789012:stateMachine:k",
    )
    deps = workflow_tasks.Deps(stores(), wf, Quiet(), None, Fetcher(), None, None, None)
    return {
        "campaign": campaign,
        "creator": creator,
        "id": c.id,
        "wf": wf,
        "deps": deps,
        "brand": brand_a.brand_id,
    }


def task(w: dict[str, Any], **event: Any) -> dict[str, Any]:
    return workflow_tasks.run(w["deps"], {"brand_id": w["brand"], "collaboration_id": w["id"], **event})


def act(w: dict[str, Any], action: str, by: Literal["brand", "creator"] = "brand", **body: Any) -> Any:
    return collaborations.act(
        stores(),
        w["wf"],
        Quiet(),
        w["brand"],
        w["id"],
        action,
        ActionBody.model_validate(body),
        by=by,
        ip="203.0.113.9",
    )


def test_an_action_the_step_does_not_take_is_a_409_with_the_stage(world: dict[str, Any]) -> None:
    task(world, task="enter", stage="invite")
    with pytest.raises(Conflict) as nothing_yet:
        act(world, "accept", by="creator")
    assert "waits for: nothing yet" in nothing_yet.value.message
    task(world, task="wait", stage="invite", actions=["accept", "decline", "cancel"], token="t1", seconds=60)
    before = table_snapshot()
    with pytest.raises(Conflict) as wrong:
        act(world, "sign", by="creator", name="Maya")
    assert wrong.value.details[0]["message"] == "invite" and "accept, decline, cancel" in wrong.value.message
    with pytest.raises(Conflict, match="only the creator"):
        act(world, "accept", by="brand")
    assert table_snapshot() == before

    act(world, "accept", by="creator")
    assert world["wf"].resumed == [("t1", {"action": "accept"})]
    c = stores().collaborations.get(world["brand"], world["id"])
    assert c.waiting_for is None and c.timeline[-1].type == "accept" and c.timeline[-1].by == "creator"
    with pytest.raises(Conflict):  # the token is spent: a second accept cannot resume anything
        act(world, "accept", by="creator")


def test_contract_signature_keeps_name_time_ip_hash_and_document_hash(world: dict[str, Any]) -> None:
    timers = task(world, task="contract")
    assert timers["remind"] >= 1 and timers["grace"] >= 1
    task(world, task="wait", stage="contract", actions=["sign", "cancel"], token="t2", seconds=60)
    with pytest.raises(ValidationFailed, match="`name` is required"):
        act(world, "sign", by="creator")
    act(world, "sign", by="creator", name="Maya Lopez")
    contract = stores().collaborations.get(world["brand"], world["id"]).contract
    assert contract is not None and contract.signature is not None
    assert contract.signature.document_hash == contract.document_hash
    assert contract.signature.ip_hash != "203.0.113.9" and len(contract.signature.ip_hash) == 64


def test_a_step_that_timed_out_meanwhile_is_a_409(world: dict[str, Any]) -> None:
    task(world, task="wait", stage="invite", actions=["accept"], token="old", seconds=60)
    world["wf"].gone.add("old")
    with pytest.raises(Conflict, match="timed out"):
        act(world, "accept", by="creator")


def test_paused_campaigns_take_no_actions(world: dict[str, Any], brand_a: Client) -> None:
    task(world, task="wait", stage="invite", actions=["accept"], token="t3", seconds=60)
    assert brand_a.call("PATCH", f"/v1/campaigns/{world['campaign']['id']}", {"status": "paused"})[0] == 200
    with pytest.raises(Conflict, match="paused"):
        act(world, "accept", by="creator")


def test_content_rounds_are_bounded_by_the_campaign(world: dict[str, Any]) -> None:
    for n in range(1, 4):
        task(world, task="wait", stage="content", actions=["submit-content"], token=f"s{n}", seconds=60)
        act(world, "submit-content", by="creator", text=f"draft {n}")
        task(world, task="wait", stage="content", actions=["request-changes"], token=f"r{n}", seconds=60)
        act(world, "request-changes", comments="again")
        more = task(world, task="revise")["more"]
        assert more is (n < 3)  # the default campaign allows 3 proposals


def test_brand_api_shows_stage_waiting_and_timeline(world: dict[str, Any], brand_a: Client) -> None:
    task(world, task="enter", stage="invite")
    task(
        world, task="wait", stage="invite", actions=["accept", "decline", "cancel"], token="t4", seconds=3600
    )
    status, c = brand_a.call("GET", f"/v1/collaborations/{world['id']}")
    assert status == 200
    assert c["stage"] == "invite" and c["waiting_for"]["actions"] == ["accept", "decline", "cancel"]
    assert c["waiting_for"]["until"] > c["waiting_for"]["since"]
    assert "task_token" not in c and "execution_arn" not in c
    assert c["creator_url"].startswith("http") and "/c/" in c["creator_url"]
    assert [e["type"] for e in c["timeline"]] == ["created", "stage: invite"]
    status, err = brand_a.call("POST", f"/v1/collaborations/{world['id']}/actions/approve-content", {})
    assert status == 409 and err["error"]["details"][0]["message"] == "invite"
    assert brand_a.call("POST", f"/v1/collaborations/{world['id']}/actions/fly", {})[0] == 404


def test_a_post_found_by_monitoring_completes_the_live_step(world: dict[str, Any], brand_a: Client) -> None:
    from roster import posts, sources
    from roster.models.creators import Platform

    def found(url: str) -> Any:
        ctx = posts.context(
            stores(), world["brand"], world["campaign"]["id"], world["creator"]["id"], link_base_url=None
        )
        post = posts.record(
            stores(), Quiet(), ctx, sources.SourceItem(url, Platform.INSTAGRAM, "#ad"), source="manual"
        ).post
        assert post is not None
        collaborations.post_found(stores(), world["wf"], Quiet(), world["brand"], post)

    task(world, task="wait", stage="live", actions=["submit-post", "cancel"], token="live-1", seconds=60)
    found("https://www.instagram.com/p/Found1/")
    assert world["wf"].resumed == [("live-1", {"action": "submit-post"})]
    c = brand_a.call("GET", f"/v1/collaborations/{world['id']}")[1]
    assert c["post_url"] == "https://www.instagram.com/p/Found1/" and c["timeline"][-1]["by"] == "roster"
    # Not waiting for a post: nothing happens.
    found("https://x.example/2")
    assert len(world["wf"].resumed) == 1


def test_the_invitation_is_an_outreach_sequence_that_the_answer_stops(
    world: dict[str, Any], brand_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roster.adapters.queue import outreach_queue

    monkeypatch.setenv("LINK_BASE_URL", "https://go.roster.test")
    sender = {
        "from_email": "team@mail.roster.example",
        "from_name": "Team",
        "postal_address": "1 Main Street, Springfield",
    }
    assert brand_a.call("PUT", "/v1/outreach/settings", sender)[0] == 200
    template = brand_a.call(
        "POST",
        "/v1/email-templates",
        {
            "name": "Invite",
            "subject": "Join {{ campaign.name }}",
            "html": "<a href='{{ page_url }}'>Answer</a>",
            "text": "{{ page_url }}",
        },
    )[1]
    version = brand_a.call("GET", f"/v1/campaigns/{world['campaign']['id']}")[1]["version"]
    patch = {"workflow": {"invite_steps": [{"template_id": template["id"]}]}}
    assert (
        brand_a.call(
            "PATCH", f"/v1/campaigns/{world['campaign']['id']}", patch, headers={"if-match": str(version)}
        )[0]
        == 200
    )
    deps = workflow_tasks.Deps(
        stores(), world["wf"], Quiet(), None, Fetcher(), None, None, None, queue=outreach_queue()
    )
    workflow_tasks.run(
        deps,
        {"brand_id": world["brand"], "collaboration_id": world["id"], "task": "enter", "stage": "invite"},
    )
    pipeline = brand_a.call("GET", f"/v1/campaigns/{world['campaign']['id']}/outreach")[1]
    assert [e["status"] for e in pipeline["creators"]] == ["active"]
    task(world, task="wait", stage="invite", actions=["accept", "decline", "cancel"], token="inv", seconds=60)
    act(world, "decline", by="creator")
    pipeline = brand_a.call("GET", f"/v1/campaigns/{world['campaign']['id']}/outreach")[1]
    assert [(e["status"], e["stop_reason"]) for e in pipeline["creators"]] == [("stopped", "declined")]
    invitation = next(
        e for e in stores().collaborations.get(world["brand"], world["id"]).timeline if e.type == "invitation"
    )
    assert invitation.detail["enrolled"] == 1


def test_a_paused_campaign_holds_reminders_and_alerts(world: dict[str, Any], brand_a: Client) -> None:
    assert brand_a.call("PATCH", f"/v1/campaigns/{world['campaign']['id']}", {"status": "paused"})[0] == 200
    task(world, task="remind", stage="contract")
    task(world, task="missed", stage="contract")
    assert brand_a.call("GET", "/v1/alerts")[1]["items"] == []
    kinds = [e.type for e in stores().collaborations.get(world["brand"], world["id"]).timeline]
    assert kinds[-2:] == ["remind held: campaign paused", "missed held: campaign paused"]
    assert brand_a.call("PATCH", f"/v1/campaigns/{world['campaign']['id']}", {"status": "active"})[0] == 200
    task(world, task="missed", stage="contract")
    assert [a["kind"] for a in brand_a.call("GET", "/v1/alerts")[1]["items"]] == ["deadline"]


def test_measure_alerts_when_far_below_the_campaign_median(world: dict[str, Any], brand_a: Client) -> None:
    from collections import Counter

    campaign_id = world["campaign"]["id"]
    peers = []
    for i in range(3):
        other = brand_a.call("POST", "/v1/creators", {"name": f"Peer {i}", "email": f"peer{i}@example.com"})[
            1
        ]
        collaborations.start(
            stores(),
            world["wf"],
            world["brand"],
            campaign_id,
            [other["id"]],
            collaboration_machine="arn:aws:states:us-east-1:123456789012:stateMachine:c",
            campaign_machine="arn:aws:states:us-east-1:123456789012:stateMachine:k",
        )
        peers.append(other["id"])
    for who, clicks in [(world["creator"]["id"], 3), *((p, 100) for p in peers)]:
        link = brand_a.call(
            "POST",
            "/v1/links",
            {"campaign_id": campaign_id, "creator_id": who, "destination": "https://shop.example.com/x"},
        )[1]
        stores().stats.add_counters(
            world["brand"], "link", link["code"], "2027-01-12", Counter(clicks=clicks)
        )
    for raw in stores().collaborations.all_raw(world["brand"], campaign_id):
        if raw["creator_id"] in peers:
            stores().collaborations.mutate(
                world["brand"], raw["id"], lambda c, p: setattr(c, "stage", "live")
            )
    task(world, task="measure")
    c = stores().collaborations.get(world["brand"], world["id"])
    assert c.stage == "measure" and c.timeline[-1].detail == {
        "clicks": 3,
        "campaign_median": 100,
        "underperforming": True,
    }
    (alert,) = brand_a.call("GET", "/v1/alerts")[1]["items"]
    assert alert["kind"] == "underperforming" and alert["creator_id"] == world["creator"]["id"]


def test_a_failed_launch_is_healed_by_retrying_the_same_start(brand_a: Client) -> None:
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "default_terms": TERMS})[
        1
    ]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    wf = FakeWorkflows()
    machines = {
        "collaboration_machine": "arn:aws:states:us-east-1:123456789012:stateMachine:c",
        "campaign_machine": "arn:aws:states:us-east-1:123456789012:stateMachine:k",
    }
    wf.fail_next = True
    with pytest.raises(RuntimeError):
        collaborations.start(stores(), wf, brand_a.brand_id, campaign["id"], [creator["id"]], **machines)
    assert wf.started == []
    assert (
        collaborations.start(stores(), wf, brand_a.brand_id, campaign["id"], [creator["id"]], **machines)
        == []
    )
    ((name, payload),) = wf.started  # the retry launched the campaign, with the existing collaboration
    cid = collaborations.collaboration_id(brand_a.brand_id, campaign["id"], creator["id"])
    assert name == f"campaign-{campaign['id']}" and payload["collaboration_ids"] == [cid]
