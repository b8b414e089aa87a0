"""The emails a creator gets when a step waits for them, and when a payout pays them: sent through
the outreach path (moto SES), once per step, never failing the step. The workflow's tasks are
called directly, in the order the state machine runs them (the e2e suite runs the real one)."""

from __future__ import annotations

import email
import json
import threading
from email import policy
from email.message import EmailMessage
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from local import queues as local_queues
from roster import ids
from roster.adapters.mailer import Throttled
from roster.deps import deps, reset
from roster.outreach import mail
from roster.web.fetch import Fetcher
from roster.workflows import collaborations, notify
from tests.integration import test_payouts as pay
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, Worker, fakes, table_snapshot
from tests.integration.test_collaborations import FakeWorkflows, Quiet, act, task

BASE = "https://go.roster.test"
KEY = "test-outreach-signing-key-0123456789"  # TEST_ENV's OUTREACH_SIGNING_KEY
SENDER = {
    "from_email": "team@mail.roster.example",
    "from_name": "Peak Gear Partnerships",
    "postal_address": "Peak Gear Inc., 12 Ridge Road, Boulder, CO 80302, USA",
}
TERMS = {
    "deliverables": [{"platform": "instagram", "format": "reel", "count": 1}],
    "posting_window_start": "2027-01-10",
    "posting_window_end": "2027-02-10",
    "fee_per_deliverable": {"amount": 25000, "currency": "USD"},
}
INVITE = ["accept", "decline", "cancel"]
NEGOTIATE = ["counter", "accept-terms", "cancel"]


def sent() -> list[EmailMessage]:
    return [
        email.message_from_string(m.raw_data, policy=policy.default)
        for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    ]


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def world(brand_a: Client, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("LINK_BASE_URL", BASE)
    reset()
    assert brand_a.call("PUT", "/v1/outreach/settings", SENDER)[0] == 200
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
    return {
        "campaign": campaign,
        "creator": creator,
        "id": c.id,
        "wf": wf,
        "deps": fakes(workflows=wf, events=Quiet(), fetcher=Fetcher()),
        "brand": brand_a.brand_id,
        "page": mail.collaboration_url(BASE, KEY, brand_a.brand_id, c.id),
    }


def wait(w: dict[str, Any], stage: str, actions: list[str], token: str) -> dict[str, Any]:
    return task(w, task="wait", stage=stage, actions=actions, token=token, seconds=3600)


def emailed(w: dict[str, Any]) -> list[dict[str, Any]]:
    c = deps().stores.collaborations.require(w["brand"], w["id"])
    return [e.detail for e in c.timeline if e.type == "emailed"]


def test_each_step_that_needs_the_creator_emails_their_page_link_once(world: dict[str, Any]) -> None:
    w = world
    task(w, task="enter", stage="invite")
    wait(w, "invite", INVITE, "t-invite")
    wait(w, "invite", INVITE, "t-invite")  # Step Functions retried the task
    act(w, "accept", by="creator")
    task(w, task="enter", stage="negotiate")
    wait(w, "negotiate", NEGOTIATE, "t-neg1")  # the opening offer: the invitation showed it
    act(
        w,
        "counter",
        by="creator",
        terms=TERMS | {"fee_per_deliverable": {"amount": 40000, "currency": "USD"}},
    )
    wait(w, "negotiate", NEGOTIATE, "t-neg2")  # the creator's offer: the brand's turn
    act(w, "counter", by="brand", terms=TERMS | {"fee_per_deliverable": {"amount": 30000, "currency": "USD"}})
    wait(w, "negotiate", NEGOTIATE, "t-neg3")
    act(w, "accept-terms", by="creator")
    task(w, task="contract")
    wait(w, "contract", ["sign", "cancel"], "t-sign")
    wait(w, "contract", ["sign", "cancel"], "t-sign-grace")  # after the reminder: the same step
    act(w, "sign", by="creator", name="Maya Lopez")
    task(w, task="enter", stage="seeding")
    wait(w, "seeding", ["record-shipment", "cancel"], "t-ship")  # the brand's turn
    act(w, "record-shipment", carrier="UPS", tracking_number="1Z999AA10123456784")
    wait(w, "seeding", ["confirm-delivery", "cancel"], "t-delivery")
    act(w, "confirm-delivery", by="creator")
    task(w, task="enter", stage="content", due_seconds=86400)
    wait(w, "content", ["submit-content", "cancel"], "t-draft1")  # the first draft: the brief asked
    act(w, "submit-content", by="creator", text="Draft one")
    wait(w, "content", ["approve-content", "request-changes", "cancel"], "t-review1")
    act(w, "request-changes", comments="Show the logo in the first 3 seconds")
    assert task(w, task="revise") == {"more": True}
    task(w, task="enter", stage="content", due_seconds=86400)
    wait(w, "content", ["submit-content", "cancel"], "t-draft2")
    wait(w, "content", ["submit-content", "cancel"], "t-draft2")  # retried
    act(w, "submit-content", by="creator", text="Draft two")
    wait(w, "content", ["approve-content", "request-changes", "cancel"], "t-review2")
    act(w, "approve-content")
    task(w, task="enter", stage="live", due_seconds=86400)
    wait(w, "live", ["submit-post", "cancel"], "t-post")
    wait(w, "live", ["submit-post", "cancel"], "t-post-grace")

    messages = sent()
    assert [m["Subject"] for m in messages] == [
        "Brand A invites you to Spring trail launch",
        "New offer from Brand A",
        "Your contract with Brand A is ready to sign",
        "Brand A sent your package",
        "Brand A asked for changes to your draft",
        "Brand A approved your content",
    ]
    for m in messages:
        assert (
            m["To"] == "maya@example.com" and m["From"] == "Peak Gear Partnerships <team@mail.roster.example>"
        )
        assert text_of(m).startswith("Hi Maya,") and w["page"] in text_of(m)  # their own page
        assert "List-Unsubscribe" in m and "12 Ridge Road" in text_of(m)  # the outreach footer
    texts = [text_of(m) for m in messages]
    assert "Fee: USD 250.00 per post" in texts[0]
    assert "Fee: USD 300.00 per post" in texts[1]  # the brand's counter, not the creator's 400
    assert "Tracking number: 1Z999AA10123456784" in texts[3]
    assert "Show the logo in the first 3 seconds" in texts[4]
    assert "Post between 10 Jan 2027 and 10 Feb 2027." in texts[5]
    assert [(e["notice"].split(":")[0], e["sent"]) for e in emailed(w)] == [
        ("invite", True),
        ("counter", True),
        ("contract", True),
        ("shipment", True),
        ("revision", True),
        ("approved", True),
    ]


def test_no_invitation_email_when_the_campaigns_outreach_sequence_invites(
    world: dict[str, Any], brand_a: Client
) -> None:
    template = brand_a.call(
        "POST",
        "/v1/email-templates",
        {"name": "Invite", "subject": "Join", "html": "<p>Hi</p>", "text": "Hi"},
    )[1]
    campaign = brand_a.call("GET", f"/v1/campaigns/{world['campaign']['id']}")[1]
    patch = {"workflow": {"invite_steps": [{"template_id": template["id"]}]}}
    headers = {"if-match": str(campaign["version"])}
    assert brand_a.call("PATCH", f"/v1/campaigns/{campaign['id']}", patch, headers=headers)[0] == 200
    wait(world, "invite", INVITE, "t1")
    assert sent() == [] and emailed(world) == []


def test_waits_retried_at_the_same_moment_send_one_email(world: dict[str, Any]) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)  # Step Functions retries one task: a few runs at most

    def run() -> None:
        try:
            start.wait()
            wait(world, "invite", INVITE, "t-same")
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [m["Subject"] for m in sent()] == ["Brand A invites you to Spring trail launch"]
    assert emailed(world) == [{"notice": "invite", "sent": True}]


def test_a_suppressed_creator_gets_no_email_and_the_step_still_waits(world: dict[str, Any]) -> None:
    deps().stores.outreach.suppress(world["brand"], ids.email_hash("maya@example.com"), "complaint")
    assert wait(world, "invite", INVITE, "t1") == {}
    assert sent() == []
    c = deps().stores.collaborations.require(world["brand"], world["id"])
    assert c.waiting_for is not None and c.waiting_for.actions == INVITE
    assert emailed(world) == [{"notice": "invite", "sent": False}]
    act(world, "accept", by="creator")  # the step goes on
    assert world["wf"].resumed == [("t1", {"action": "accept"})]


class Boom:
    """A mailer that fails in a way notices does not expect."""

    configuration_set = "roster-test-OutreachConfigurationSet"

    def send(self, from_email: str, to: str, raw: bytes, tags: dict[str, str]) -> str:
        raise RuntimeError("connection reset by peer")


def test_a_mailer_that_raises_does_not_fail_the_task(world: dict[str, Any]) -> None:
    broken = fakes(workflows=world["wf"], events=Quiet(), mailer=Boom())
    event = {"brand_id": world["brand"], "collaboration_id": world["id"], "task": "wait", "stage": "invite"}
    from roster.workflows import tasks

    assert tasks.run(broken, event | {"actions": INVITE, "token": "t1", "seconds": 60}) == {}
    c = deps().stores.collaborations.require(world["brand"], world["id"])
    assert c.waiting_for is not None  # the token is stored: the creator can still answer
    assert emailed(world) == [{"notice": "invite", "sent": False}]
    act(world, "accept", by="creator")
    assert world["wf"].resumed == [("t1", {"action": "accept"})]


def test_an_email_held_while_the_campaign_is_paused_goes_when_the_step_waits_again(
    world: dict[str, Any], brand_a: Client
) -> None:
    cid = world["campaign"]["id"]
    assert brand_a.call("PATCH", f"/v1/campaigns/{cid}", {"status": "paused"})[0] == 200
    wait(world, "invite", INVITE, "t1")
    assert sent() == [] and emailed(world) == []
    assert brand_a.call("PATCH", f"/v1/campaigns/{cid}", {"status": "active"})[0] == 200
    wait(world, "invite", INVITE, "t1")
    assert [m["Subject"] for m in sent()] == ["Brand A invites you to Spring trail launch"]


def test_a_wait_answered_at_once_by_a_late_action_sends_nothing(world: dict[str, Any]) -> None:
    wait(world, "invite", INVITE, "t1")
    world["wf"].gone.add("t1")  # Step Functions timed the step out before the resume reached it
    act(world, "accept", by="creator")
    before = len(sent())
    task(world, task="enter", stage="negotiate", answer={"id": "older"})
    event = {"task": "wait", "stage": "negotiate", "actions": NEGOTIATE, "token": "t2", "seconds": 60}
    task(world, **event, answer={"id": "older"})  # the accept is taken here; the step moves on
    assert len(sent()) == before


def test_no_email_for_a_step_the_creator_answered_before_it_went(world: dict[str, Any]) -> None:
    wait(world, "invite", INVITE, "t1")
    (invitation,) = sent()
    stale = deps().stores.collaborations.require(world["brand"], world["id"])
    act(world, "accept", by="creator")
    task(world, task="enter", stage="negotiate")
    wait(world, "negotiate", NEGOTIATE, "t2")
    act(world, "counter", by="brand", terms=TERMS | {"usage_rights_days": 30})
    # The wait's email runs late, on the record as that wait stored it: the step was answered since.
    late = stale.model_copy(update={"stage": "negotiate", "offers": [*stale.offers, stale.offers[0]]})
    late.offers[-1] = late.offers[-1].model_copy(update={"at": "2026-12-02T00:00:00.000Z"})
    event = {"stage": "negotiate", "actions": NEGOTIATE}
    assert notify.step(world["deps"], world["brand"], late, event) is None
    assert len(sent()) == 1 and invitation["Subject"].startswith("Brand A invites you")


def test_a_round_granted_after_the_last_changes_asks_for_the_revision(world: dict[str, Any]) -> None:
    deps().stores.collaborations.mutate(
        world["brand"], world["id"], lambda c, p: setattr(c, "stage", "content")
    )
    wait(world, "content", ["submit-content", "cancel"], "t1")
    act(world, "submit-content", by="creator", text="Draft one")
    wait(world, "content", ["approve-content", "request-changes", "cancel"], "t2")
    act(world, "request-changes", comments="Brighter, please")
    wait(world, "content", ["approve-content", "grant-round", "cancel"], "t3")  # no rounds left
    assert sent() == []  # the brand decides first
    act(world, "grant-round")
    task(world, task="enter", stage="content", due_seconds=86400)
    wait(world, "content", ["submit-content", "cancel"], "t4")
    (revision,) = sent()
    assert revision["Subject"] == "Brand A asked for changes to your draft"
    assert "Brighter, please" in text_of(revision) and world["page"] in text_of(revision)


# --- payout emails: queued by the booking, sent by the outreach worker --------------------------


def queued() -> list[dict[str, Any]]:
    """The jobs waiting on the outreach queue, left there (received, then made visible again)."""
    sqs, url = boto3.client("sqs"), str(deps().settings.outreach_queue_url)
    handles, bodies = [], []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        handles += [m["ReceiptHandle"] for m in batch]
        bodies += [json.loads(m["Body"]) for m in batch]
    for handle in handles:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    return bodies


def requeue(jobs: list[dict[str, Any]]) -> None:
    """Delivers the jobs again: SQS's at-least-once delivery, a message handed out twice."""
    deps().outreach_queue.send(jobs)


def worker() -> Worker:
    return Worker("OutreachSendFunction")


@pytest.fixture
def paying(brand_a: Client, monkeypatch: pytest.MonkeyPatch) -> Client:
    """Brand A with a sender and an order integration, its payouts' emails linking to BASE."""
    monkeypatch.setenv("LINK_BASE_URL", BASE)
    reset()
    assert brand_a.call("PUT", "/v1/outreach/settings", SENDER)[0] == 200
    pay.program(brand_a)
    return brand_a


def earners(brand: Client, names: list[str], subtotal: int = 50_000) -> dict[str, str]:
    """Creators (name → id) with one approved order each, earning 10 % of `subtotal`."""
    spring = pay.campaign(brand)
    out = {}
    for n, name in enumerate(names):
        out[name] = pay.creator(brand, name)
        pay.order(brand, f"O{n}", pay.code(brand, spring, out[name], f"{name.upper()}10"), subtotal)
    return out


def book(brand: Client) -> dict[str, Any]:
    with pay.clock_at():
        status, payout = brand.call("POST", "/v1/payouts")
    assert status == 201 and payout["status"] == "booked", payout
    return dict(payout)


def claims() -> list[dict[str, Any]]:
    return [i for i in table_snapshot() if i["SK"]["S"].startswith("ONCE#notice#")]


def test_booking_a_payout_queues_one_job_per_paid_creator_and_the_worker_emails_each_once(
    paying: Client,
) -> None:
    maya, lena, sam = earners(paying, ["maya", "lena", "sam"]).values()
    deps().stores.outreach.suppress(paying.brand_id, ids.email_hash("sam@example.com"), "bounce")
    payout = book(paying)
    assert {line["creator_id"] for line in payout["lines"]} == {maya, lena, sam}  # sam is paid
    assert sent() == []  # nothing is sent in the booking request
    jobs = queued()
    assert sorted(jobs, key=lambda j: j["creator_id"]) == [
        {
            "kind": "notice",
            "notice": "payout",
            "brand_id": paying.brand_id,
            "payout_id": payout["id"],
            "creator_id": c,
        }
        for c in sorted([maya, lena, sam])
    ]  # ids only: no address, no text
    assert worker().drain() == 3
    messages = {m["To"]: m for m in sent()}
    assert set(messages) == {"maya@example.com", "lena@example.com"}  # suppressed: not emailed
    assert messages["maya@example.com"]["Subject"] == "Brand A paid you USD 50.00"
    for m in messages.values():
        assert f"{BASE}/h/{paying.brand_id}" in text_of(m) and "List-Unsubscribe" in m
    with pay.clock_at():
        assert paying.call("POST", "/v1/payouts")[0] == 409  # nothing left: no second payout, no job
    assert queued() == []
    # Every job delivered again (SQS's at-least-once): each finds its claim, no second email.
    requeue(jobs)
    assert worker().drain() == 3 and len(sent()) == 2
    assert len(claims()) == 3 and all(i["data"] == {"M": {}} for i in claims())


def test_a_payout_to_thirty_creators_emails_all_thirty(paying: Client) -> None:
    names = [f"c{n:02d}" for n in range(30)]
    earners(paying, names, subtotal=10_000)
    payout = book(paying)
    assert len(payout["lines"]) == 30
    assert len(queued()) == 30 and sent() == []
    assert worker().drain() == 30
    assert sorted(m["To"] for m in sent()) == [f"{n}@example.com" for n in names]


def test_one_job_delivered_to_racing_workers_sends_one_email(paying: Client) -> None:
    (maya,) = earners(paying, ["maya"]).values()
    book(paying)
    (job,) = queued()
    outcomes: list[str] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(6)

    def run() -> None:
        gate.wait()
        try:
            outcomes.append(notify.send_payout(deps(), job))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(outcomes) == ["duplicate"] * 5 + ["sent"]
    assert [m["To"] for m in sent()] == ["maya@example.com"] and job["creator_id"] == maya


def test_a_throttled_send_is_retried_by_the_queue_and_sent_once(
    paying: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    earners(paying, ["maya"])
    book(paying)
    mailer, real = deps().mailer, deps().mailer.send
    calls: list[str] = []

    def throttled_once(from_email: str, to: str, raw: bytes, tags: dict[str, str]) -> str:
        calls.append(to)
        if len(calls) == 1:
            raise Throttled("SES still throttling after 6 attempts")
        return real(from_email, to, raw, tags)

    monkeypatch.setattr(mailer, "send", throttled_once)
    monkeypatch.setattr(local_queues, "RETRY_AFTER_SECONDS", 0)
    w = worker()
    assert w.drain() == 0  # the job failed: left on the queue for its retry
    assert sent() == [] and claims() == []  # its claim was given back
    assert w.drain() == 1
    assert [m["To"] for m in sent()] == ["maya@example.com"] and calls == ["maya@example.com"] * 2
    assert w.drain() == 0 and len(claims()) == 1


def test_a_mailer_failing_unexpectedly_leaves_the_job_for_its_retry(
    paying: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    earners(paying, ["maya"])
    monkeypatch.setattr(deps(), "mailer", Boom())
    payout = book(paying)  # the booking never waits for, or fails over, its emails
    assert deps().stores.payouts.require(paying.brand_id, payout["id"]).status == "booked"
    monkeypatch.setattr(local_queues, "RETRY_AFTER_SECONDS", 0)
    assert worker().drain() == 0 and sent() == [] and claims() == []
    assert len(queued()) == 1  # retried until SQS parks it in the dead-letter queue


class NoQueue:
    def send(self, messages: Any) -> None:
        raise RuntimeError("SQS refused 3 messages")


def test_a_payout_is_booked_even_when_its_emails_cannot_be_queued(
    paying: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    earners(paying, ["maya", "lena"])
    monkeypatch.setattr(deps(), "outreach_queue", NoQueue())
    payout = book(paying)
    assert deps().stores.payouts.require(paying.brand_id, payout["id"]).status == "booked"
    (line,) = [r for r in caplog.records if r.getMessage() == "payout emails not queued"]
    assert line.levelname == "WARNING" and "example.com" not in repr(line.__dict__)
    assert queued() == [] and sent() == []  # (`queued` reads the queue itself, not `outreach_queue`)


def test_no_jobs_for_a_brand_without_a_sender(brand_a: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINK_BASE_URL", BASE)
    reset()
    pay.program(brand_a)
    earners(brand_a, ["maya"])
    book(brand_a)
    assert queued() == []


def test_two_bookings_at_once_book_once_and_email_each_creator_once(paying: Client) -> None:
    """Two admins book at the same moment: one payout, and each paid creator's email queued and
    sent once (the losing booking queues nothing)."""
    maya, lena = earners(paying, ["maya", "lena"]).values()
    answers: list[int] = []
    start = threading.Barrier(2)

    def booking() -> None:
        start.wait()
        answers.append(paying.call("POST", "/v1/payouts")[0])

    # Patched once, around both threads: `mock.patch` entered in two threads at once restores
    # in the wrong order and leaves the fixed clock behind for every later test.
    with pay.clock_at():
        threads = [threading.Thread(target=booking) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(answers)[0] == 201 and answers.count(201) == 1, answers
    jobs = queued()
    assert sorted(j["creator_id"] for j in jobs) == sorted([maya, lena])
    assert worker().drain() == 2
    assert sorted(m["To"] for m in sent()) == ["lena@example.com", "maya@example.com"]
