"""Collaboration actions against the step the workflow waits for, with the workflow's Lambda tasks
called directly (the e2e suite runs the real state machines)."""

from __future__ import annotations

import threading
from typing import Any, Literal

import pytest

from roster import ids
from roster.adapters.events import EventPublisher
from roster.adapters.workflows import StepGone, Workflows
from roster.deps import deps
from roster.errors import Conflict, ValidationFailed
from roster.models.collaborations import ActionBody
from roster.web.fetch import Fetcher
from roster.workflows import collaborations, tasks
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, fakes, table_snapshot

TERMS = {
    "deliverables": [{"platform": "instagram", "format": "reel", "count": 1}],
    "posting_window_start": "2027-01-10",
    "posting_window_end": "2027-02-10",
}


class FakeWorkflows(Workflows):
    def __init__(self) -> None:
        self.resumed: list[tuple[str, dict[str, Any]]] = []  # without the answer's id
        self.sent: list[dict[str, Any]] = []  # what Step Functions got, as it keeps it at `$.answer`
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
        self.resumed.append((token, {k: v for k, v in output.items() if k != "id"}))
        self.sent.append(output)

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
        fakes(workflows=wf),
        brand_a.brand_id,
        campaign["id"],
        [creator["id"]],
        collaboration_machine="arn:aws:states:us-east-1:123456789012:stateMachine:c",
        campaign_machine="arn:aws:states:us-east-1:123456789012:stateMachine:k",
    )
    wired = fakes(workflows=wf, events=Quiet(), fetcher=Fetcher())
    return {
        "campaign": campaign,
        "creator": creator,
        "id": c.id,
        "wf": wf,
        "deps": wired,
        "brand": brand_a.brand_id,
    }


def task(w: dict[str, Any], **event: Any) -> dict[str, Any]:
    return tasks.run(w["deps"], {"brand_id": w["brand"], "collaboration_id": w["id"], **event})


def act(w: dict[str, Any], action: str, by: Literal["brand", "creator"] = "brand", **body: Any) -> Any:
    return collaborations.act(
        fakes(workflows=w["wf"], events=Quiet()),
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
    c = deps().stores.collaborations.require(world["brand"], world["id"])
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
    contract = deps().stores.collaborations.require(world["brand"], world["id"]).contract
    assert contract is not None and contract.signature is not None
    assert contract.signature.document_hash == contract.document_hash
    assert contract.signature.ip_hash != "203.0.113.9" and len(contract.signature.ip_hash) == 64


def record(w: dict[str, Any]) -> Any:
    return deps().stores.collaborations.require(w["brand"], w["id"])


def test_an_action_whose_step_timed_out_before_the_resume_answers_the_next_wait(
    world: dict[str, Any],
) -> None:
    got: dict[str, Any] = {}  # `$.answer`: what Step Functions got from the last wait
    task(world, task="contract", answer=got)
    task(world, task="wait", stage="contract", actions=["sign", "cancel"], token="w1", seconds=60, answer=got)
    world["wf"].gone.add("w1")  # Step Functions timed the step out between the request and the resume
    signed = act(world, "sign", by="creator", name="Maya Lopez")  # no 409: the action stands
    assert signed.contract.signature.name == "Maya Lopez" and signed.waiting_for is None
    task(world, task="remind", stage="contract", answer=got)  # the timeout branch: nobody is reminded
    assert record(world).timeline[-1].type == "remind skipped: answered"
    task(world, task="wait", stage="contract", actions=["sign", "cancel"], token="w2", seconds=60, answer=got)
    assert world["wf"].resumed == [("w2", {"action": "sign"})]  # the grace wait takes the signature
    c = record(world)
    assert c.waiting_for is None and c.timeline[-1].type == "action honoured"
    assert c.timeline[-1].detail["action"] == "sign" and c.timeline[-1].detail["received_at"]
    assert [e.type for e in c.timeline].count("sign") == 1
    got = world["wf"].sent[-1]  # routed to onboarding: the next waits know they got it
    task(
        world,
        task="wait",
        stage="content",
        actions=["submit-content", "sign"],
        token="w3",
        seconds=60,
        answer=got,
    )
    assert len(world["wf"].resumed) == 1 and record(world).waiting_for is not None  # taken once


def test_executions_of_the_old_definition_never_take_an_action_twice(world: dict[str, Any]) -> None:
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="o1", seconds=60, answer={})
    world["wf"].gone.add("o1")
    act(world, "counter", by="creator", terms=TERMS)
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="o2", seconds=60)  # no `answer`
    assert world["wf"].resumed == [] and record(world).waiting_for is not None


def test_the_next_wait_already_waiting_is_resumed_by_the_late_action(world: dict[str, Any]) -> None:
    class Racing(FakeWorkflows):
        def resume(self, token: str, output: dict[str, Any]) -> None:
            if token == "n1":  # the timeout branch runs and waits again before our resume arrives
                task(world, task="stalled", stage="negotiate", answer={})
                task(
                    world,
                    task="wait",
                    stage="negotiate",
                    actions=NEGOTIATE,
                    token="n2",
                    seconds=60,
                    answer={},
                )
                raise StepGone("timed out")
            super().resume(token, output)

    world["wf"] = Racing()
    world["deps"] = fakes(workflows=world["wf"], events=Quiet(), fetcher=Fetcher())
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="n1", seconds=60, answer={})
    act(world, "counter", by="creator", terms=TERMS | {"posting_window_end": "2027-02-20"})
    assert world["wf"].resumed == [("n2", {"action": "counter"})]
    c = record(world)
    assert [o.by for o in c.offers] == ["brand", "creator"] and c.waiting_for is None
    kinds = [e.type for e in c.timeline]
    assert "stalled skipped: answered" in kinds and "brand alerted: waiting too long" not in kinds


def test_step_functions_accepting_a_resume_after_its_timeout_loses_nothing(world: dict[str, Any]) -> None:
    """moto (the local stack) takes SendTaskSuccess for a task it already timed out, silently: the
    action is taken from the record by the wait the timeout leads to all the same."""
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="m1", seconds=60, answer={})
    act(world, "counter", by="creator", terms=TERMS)  # "resumed", but Step Functions timed m1 out
    task(world, task="stalled", stage="negotiate", answer={})
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="m2", seconds=60, answer={})
    assert [t for t, _ in world["wf"].resumed] == ["m1", "m2"] and world["wf"].sent[0] == world["wf"].sent[1]


def test_an_action_past_our_clock_but_before_step_functions_timeout_is_honoured(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from roster import clock

    task(world, task="wait", stage="invite", actions=["accept", "decline", "cancel"], token="i0", seconds=60)
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + timedelta(seconds=61))  # our `until` has passed
    act(world, "accept", by="creator")  # Step Functions still holds the token: it decides, not our clock
    assert world["wf"].resumed == [("i0", {"action": "accept"})]


def test_the_invitation_timeout_holds_then_takes_an_answer_that_came_in_time(world: dict[str, Any]) -> None:
    invite = ["accept", "decline", "cancel"]
    task(world, task="wait", stage="invite", actions=invite, token="i1", seconds=60, answer={})
    world["wf"].gone.add("i1")
    act(world, "accept", by="creator")
    answer = task(world, task="late", answer={})  # InviteHold → InviteLate → InviteRoute → Negotiate
    assert answer["action"] == "accept" and answer["id"]
    assert record(world).timeline[-1].type == "action honoured"

    # Nobody answered: the step is over, and an answer after it is refused.
    task(world, task="wait", stage="invite", actions=invite, token="i2", seconds=60, answer=answer)
    assert task(world, task="late", answer=answer) == {"action": "timeout", "id": answer["id"]}
    assert record(world).waiting_for is None
    with pytest.raises(Conflict, match="waits for: nothing"):
        act(world, "accept", by="creator")


NEGOTIATE = ["counter", "accept-terms", "cancel"]


def test_negotiation_ends_only_when_one_side_accepts_the_other_sides_latest_offer(
    world: dict[str, Any],
) -> None:
    brand_650 = TERMS | {"fee_per_deliverable": {"amount": 65000, "currency": "USD"}}
    creator_900 = TERMS | {"fee_per_deliverable": {"amount": 90000, "currency": "USD"}}
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="o1", seconds=60)
    act(world, "counter", by="creator", terms=creator_900, note="a full day of shooting")
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="o2", seconds=60)
    act(world, "counter", terms=brand_650)
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="o3", seconds=60)
    before = table_snapshot()
    with pytest.raises(Conflict, match="offer 3.*is your own: the creator accepts it or counters"):
        act(world, "accept-terms")  # the brand cannot accept its own counter-offer
    assert table_snapshot() == before
    act(world, "accept-terms", by="creator")
    task(world, task="contract")
    c = record(world)
    assert c.contract.terms.fee_per_deliverable.amount == 65000 and c.contract.offer == 3
    assert (c.offers[-1].accepted_by, c.offers[0].accepted_by) == ("creator", None)
    offers = [(e.type, e.by, e.detail.get("offer"), e.at) for e in c.timeline if "offer" in e.detail]
    assert [o[:3] for o in offers] == [
        ("offer", "brand", 1),  # the campaign's default terms, offered at the start
        ("counter", "creator", 2),
        ("counter", "brand", 3),
        ("accept-terms", "creator", 3),
        ("contract issued", "roster", 3),
    ]
    assert all(o[3] for o in offers)
    accepted = next(e for e in c.timeline if e.type == "accept-terms")
    assert accepted.detail["offered_by"] == "brand" and accepted.detail["offered_at"] == c.offers[2].at


def test_the_brand_accepts_the_creators_counter_and_the_creator_cannot_accept_its_own(
    world: dict[str, Any],
) -> None:
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="p1", seconds=60)
    act(world, "counter", by="creator", terms=TERMS | {"usage_rights_days": 30})
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="p2", seconds=60)
    with pytest.raises(Conflict, match="your own: the brand accepts it"):
        act(world, "accept-terms", by="creator")
    act(world, "accept-terms")
    task(world, task="contract")
    contract = record(world).contract
    assert contract.terms.usage_rights_days == 30 and contract.offer == 2


def test_the_creator_page_offers_to_accept_the_brands_latest_offer_only(
    world: dict[str, Any], brand_a: Client
) -> None:
    url = brand_a.call("GET", f"/v1/collaborations/{world['id']}")[1]["creator_url"]
    path = "/c/" + url.rpartition("/c/")[2]

    def page() -> str:
        status, _, body = brand_a.gateway.handle("GET", path, {}, b"")
        assert status == 200
        return body.decode()

    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="q1", seconds=60)
    shown = page()
    assert "Agreeing the terms" in shown and "Accept these terms" in shown
    assert "Offer 1</strong>, from the brand" in shown
    form = {"content-type": "application/x-www-form-urlencoded"}
    act(world, "counter", by="creator", terms=TERMS | {"usage_rights_days": 30})
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="q2", seconds=60)
    shown = page()
    assert (
        "/accept-terms" not in shown
        and "Accept these terms" not in shown
        and "Offer 2</strong>, from you" in shown
    )
    act(world, "counter", terms=TERMS | {"usage_rights_days": 60})
    task(world, task="wait", stage="negotiate", actions=NEGOTIATE, token="q3", seconds=60)
    assert "Accept these terms" in page()
    status, _, body = brand_a.gateway.handle("POST", f"{path}/accept-terms", form, b"")  # no CSRF token
    assert status == 403 and record(world).offers[-1].accepted_by is None
    json_post = {"content-type": "application/json"}  # a machine: no cookie, no token needed
    status, _, body = brand_a.gateway.handle("POST", f"{path}/accept-terms", json_post, b"{}")
    assert status == 200, body
    assert record(world).offers[-1].accepted_by == "creator"


def test_no_revision_rounds_left_the_brand_decides(world: dict[str, Any], brand_a: Client) -> None:
    campaign_id = world["campaign"]["id"]
    version = brand_a.call("GET", f"/v1/campaigns/{campaign_id}")[1]["version"]
    patch = {"workflow": {"content_rounds": 1}}
    headers = {"if-match": str(version)}
    assert brand_a.call("PATCH", f"/v1/campaigns/{campaign_id}", patch, headers=headers)[0] == 200
    task(world, task="wait", stage="content", actions=["submit-content", "cancel"], token="c1", seconds=60)
    act(world, "submit-content", by="creator", text="draft 1")
    task(world, task="wait", stage="content", actions=REVIEW, token="c2", seconds=60)
    act(world, "request-changes", comments="show the sole")
    assert task(world, task="revise") == {"more": False}
    task(world, task="exhausted", stage="content")  # RoundsExhausted → RoundsDecide
    (alert,) = brand_a.call("GET", "/v1/alerts")[1]["items"]
    assert "no revision rounds left" in alert["message"] and "grant-round" in alert["message"]
    task(world, task="wait", stage="content", actions=DECIDE, token="c3", seconds=60)
    status, err = brand_a.call("POST", f"/v1/collaborations/{world['id']}/actions/request-changes", {})
    assert status == 409 and "approve-content, grant-round, cancel" in err["error"]["message"]

    granted = act(world, "grant-round")
    assert granted.extra_rounds == 1 and world["wf"].resumed[-1] == ("c3", {"action": "grant-round"})
    task(world, task="wait", stage="content", actions=["submit-content", "cancel"], token="c4", seconds=60)
    act(world, "submit-content", by="creator", text="draft 2, with the sole")  # the creator may submit
    task(world, task="wait", stage="content", actions=REVIEW, token="c5", seconds=60)
    act(world, "request-changes", comments="one more detail")
    assert task(world, task="revise") == {"more": False}  # 2 of 1 + 1 used
    task(world, task="wait", stage="content", actions=DECIDE, token="c6", seconds=60)
    approved = act(world, "approve-content")
    assert world["wf"].resumed[-1] == ("c6", {"action": "approve-content"})
    assert [p.decision for p in approved.proposals] == ["changes_requested", "approved"]
    assert approved.timeline[-1].detail == {"round": 2, "overrides": "changes_requested"}


REVIEW = ["approve-content", "request-changes", "cancel"]
DECIDE = ["approve-content", "grant-round", "cancel"]


def test_a_review_left_with_no_rounds_by_the_old_definition_can_still_be_approved(
    world: dict[str, Any],
) -> None:
    task(world, task="wait", stage="content", actions=["submit-content"], token="d1", seconds=60)
    act(world, "submit-content", by="creator", text="draft")
    task(world, task="wait", stage="content", actions=REVIEW, token="d2", seconds=60)
    act(world, "request-changes", comments="again")
    # Executions started before this change wait on the review again once rounds run out.
    task(world, task="wait", stage="content", actions=REVIEW, token="d3", seconds=60)
    with pytest.raises(Conflict, match="no revision rounds are left: approve-content approves it"):
        act(world, "request-changes")
    act(world, "approve-content")
    assert world["wf"].resumed[-1] == ("d3", {"action": "approve-content"})


def test_cancelling_the_campaign_wraps_it_up(world: dict[str, Any], brand_a: Client) -> None:
    task(world, task="wait", stage="invite", actions=["accept", "decline", "cancel"], token="x1", seconds=60)
    campaign_id = world["campaign"]["id"]
    assert brand_a.call("PATCH", f"/v1/campaigns/{campaign_id}", {"status": "cancelled"})[0] == 200
    workflow = brand_a.call("GET", f"/v1/campaigns/{campaign_id}/workflow")[1]
    assert workflow["status"] == "cancelled" and workflow["closed_at"]
    assert workflow["final_report"] and "clicks" in workflow["final_report"]
    assert workflow["open_items"] == [
        {
            "collaboration_id": world["id"],
            "creator_id": world["creator"]["id"],
            "stage": "invite",
            "waiting_for": ["accept", "decline", "cancel"],
            "outcome": "cancelled",
        }
    ]
    assert record(world).outcome == "cancelled"
    # The campaign execution's own wrap-up, should it still run, keeps the first one.
    tasks.run(world["deps"], {"brand_id": world["brand"], "campaign_id": campaign_id, "task": "wrap_up"})
    assert brand_a.call("GET", f"/v1/campaigns/{campaign_id}/workflow")[1] == workflow


def _both_read_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forced interleaving: two wrap-ups both read the campaign's workflow record before either
    writes (each thread's first read waits for the other's)."""
    both = threading.Barrier(2, timeout=10)
    store = deps().stores.collaborations
    read = store.get_campaign_workflow
    first = threading.local()

    def read_then_wait(brand_id: str, campaign_id: str) -> Any:
        flow = read(brand_id, campaign_id)
        if not getattr(first, "done", False):
            first.done = True
            both.wait()
        return flow

    monkeypatch.setattr(store, "get_campaign_workflow", read_then_wait)


def _race(*runs: Any) -> None:
    errors: list[BaseException] = []

    def run(f: Any) -> None:
        try:
            f()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors


def test_the_executions_wrap_up_racing_a_cancellation_never_undoes_it(
    world: dict[str, Any], brand_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The campaign execution's wrap-up (it saw the campaign end) and the cancellation's, both
    reading no wrap-up first: one write lands (conditional), the campaign reads cancelled with the
    cancellation's open items, whichever thread wrote first; the report task racing them too never
    removes `closed_at`."""
    campaign_id, brand_id, d = world["campaign"]["id"], world["brand"], world["deps"]
    deps().stores.collaborations.claim_campaign_workflow(brand_id, campaign_id, {"execution_arn": "arn:x"})
    assert brand_a.call("PATCH", f"/v1/campaigns/{campaign_id}", {"status": "cancelled"})[0] == 200
    # The PATCH wrapped up already; start again from a record with no wrap-up, as in the race.
    deps().stores.collaborations.drop_campaign_workflow(brand_id, campaign_id)
    deps().stores.collaborations.claim_campaign_workflow(brand_id, campaign_id, {"execution_arn": "arn:x"})
    cut_short = [{"collaboration_id": world["id"], "outcome": "cancelled"}]
    _both_read_first(monkeypatch)
    _race(
        lambda: collaborations.wrap_up(d, brand_id, campaign_id),
        lambda: collaborations.wrap_up(d, brand_id, campaign_id, status="cancelled", open_items=cut_short),
    )
    monkeypatch.undo()
    flow = deps().stores.collaborations.get_campaign_workflow(brand_id, campaign_id)
    assert flow is not None
    assert (flow["status"], flow["open_items"]) == ("cancelled", cut_short)
    assert flow["closed_at"] and flow["final_report"] and flow["execution_arn"] == "arn:x"
    tasks.run(d, {"brand_id": brand_id, "campaign_id": campaign_id, "task": "report"})
    after = deps().stores.collaborations.get_campaign_workflow(brand_id, campaign_id)
    assert after is not None and after["closed_at"] == flow["closed_at"] and after["status"] == "cancelled"
    assert len(after["reports"]) == 1


def test_a_campaign_wrapped_up_at_its_end_then_cancelled_keeps_its_open_items(
    world: dict[str, Any], brand_a: Client
) -> None:
    campaign_id, brand_id, d = world["campaign"]["id"], world["brand"], world["deps"]
    deps().stores.collaborations.claim_campaign_workflow(brand_id, campaign_id, {"execution_arn": "arn:x"})
    task(world, task="wait", stage="invite", actions=["accept", "decline", "cancel"], token="x1", seconds=60)
    ended = collaborations.wrap_up(d, brand_id, campaign_id)
    assert [i["collaboration_id"] for i in ended] == [world["id"]] and "outcome" not in ended[0]
    assert brand_a.call("PATCH", f"/v1/campaigns/{campaign_id}", {"status": "cancelled"})[0] == 200
    flow = deps().stores.collaborations.get_campaign_workflow(brand_id, campaign_id)
    assert flow is not None and flow["status"] == "cancelled" and flow["open_items"] == ended


def test_every_collaboration_answer_carries_its_creator_url(brand_a: Client) -> None:
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "default_terms": TERMS})[
        1
    ]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    status, started = brand_a.call(
        "POST", f"/v1/campaigns/{campaign['id']}/collaborations", {"creator_ids": [creator["id"]]}
    )
    assert status == 202, started
    (c,) = started["items"]
    own = brand_a.call("GET", f"/v1/collaborations/{c['id']}")[1]["creator_url"]
    assert own and "/c/" in own and c["creator_url"] == own
    listed = brand_a.call("GET", f"/v1/campaigns/{campaign['id']}/collaborations")[1]["items"]
    history = brand_a.call("GET", f"/v1/creators/{creator['id']}/collaborations")[1]["items"]
    assert [x["creator_url"] for x in listed + history] == [own, own]
    deps().stores.collaborations.mutate(brand_a.brand_id, c["id"], _waits_for_cancel)
    status, cancelled = brand_a.call("POST", f"/v1/collaborations/{c['id']}/actions/cancel", {})
    assert status == 200 and cancelled["creator_url"] == own


def _waits_for_cancel(c: Any, private: dict[str, Any]) -> None:
    from roster.models.collaborations import Waiting

    c.waiting_for = Waiting(actions=["cancel"], since="2027-01-01T00:00:00Z", until="2099-01-01T00:00:00Z")
    private["task_token"] = "tok"


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
    assert [e["type"] for e in c["timeline"]] == ["created", "offer", "stage: invite"]
    status, err = brand_a.call("POST", f"/v1/collaborations/{world['id']}/actions/approve-content", {})
    assert status == 409 and err["error"]["details"][0]["message"] == "invite"
    assert brand_a.call("POST", f"/v1/collaborations/{world['id']}/actions/fly", {})[0] == 404


def test_a_post_found_by_monitoring_completes_the_live_step(world: dict[str, Any], brand_a: Client) -> None:
    from roster.models.creators import Platform
    from roster.monitoring import posts, sources

    def found(url: str) -> Any:
        ctx = posts.context(
            deps().stores, world["brand"], world["campaign"]["id"], world["creator"]["id"], link_base_url=None
        )
        post = posts.record(
            fakes(events=Quiet()), ctx, sources.SourceItem(url, Platform.INSTAGRAM, "#ad"), source="manual"
        ).post
        assert post is not None
        collaborations.post_found(fakes(workflows=world["wf"], events=Quiet()), world["brand"], post)

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
    wired = fakes(workflows=world["wf"], events=Quiet(), fetcher=Fetcher())
    tasks.run(
        wired,
        {"brand_id": world["brand"], "collaboration_id": world["id"], "task": "enter", "stage": "invite"},
    )
    pipeline = brand_a.call("GET", f"/v1/campaigns/{world['campaign']['id']}/outreach")[1]
    assert [e["status"] for e in pipeline["creators"]] == ["active"]
    task(world, task="wait", stage="invite", actions=["accept", "decline", "cancel"], token="inv", seconds=60)
    act(world, "decline", by="creator")
    pipeline = brand_a.call("GET", f"/v1/campaigns/{world['campaign']['id']}/outreach")[1]
    assert [(e["status"], e["stop_reason"]) for e in pipeline["creators"]] == [("stopped", "declined")]
    invitation = next(
        e
        for e in deps().stores.collaborations.require(world["brand"], world["id"]).timeline
        if e.type == "invitation"
    )
    assert invitation.detail["enrolled"] == 1


def test_a_paused_campaign_holds_reminders_and_alerts(world: dict[str, Any], brand_a: Client) -> None:
    assert brand_a.call("PATCH", f"/v1/campaigns/{world['campaign']['id']}", {"status": "paused"})[0] == 200
    task(world, task="remind", stage="contract")
    task(world, task="missed", stage="contract")
    assert brand_a.call("GET", "/v1/alerts")[1]["items"] == []
    kinds = [e.type for e in deps().stores.collaborations.require(world["brand"], world["id"]).timeline]
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
            fakes(workflows=world["wf"]),
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
        deps().stores.stats.add_counters(
            world["brand"], "link", link["code"], "2027-01-12", Counter(clicks=clicks)
        )
    for raw in deps().stores.collaborations.all_raw(world["brand"], campaign_id):
        if raw["creator_id"] in peers:
            deps().stores.collaborations.mutate(
                world["brand"], raw["id"], lambda c, p: setattr(c, "stage", "live")
            )
    task(world, task="measure")
    c = deps().stores.collaborations.require(world["brand"], world["id"])
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
        collaborations.start(
            fakes(workflows=wf), brand_a.brand_id, campaign["id"], [creator["id"]], **machines
        )
    assert wf.started == []
    assert (
        collaborations.start(
            fakes(workflows=wf), brand_a.brand_id, campaign["id"], [creator["id"]], **machines
        )
        == []
    )
    ((name, payload),) = wf.started  # the retry launched the campaign, with the existing collaboration
    cid = ids.collaboration_id(brand_a.brand_id, campaign["id"], creator["id"])
    assert name == f"campaign-{campaign['id']}" and payload["collaboration_ids"] == [cid]
