"""The step emails on the local stack: the real state machine runs the waits, and each step that
needs the creator lands once in the local outbox with a link to their page that opens."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.e2e.test_outbox import SENDER, call, outbox_for
from tests.e2e.test_workflows import TERMS, Flow
from tests.stack import RunningStack, request

STEPS = [
    "Demo Brand invites you to Step emails e2e",
    "New offer from Demo Brand",
    "Your contract with Demo Brand is ready to sign",
    "Demo Brand sent your package",
    "Demo Brand asked for changes to your draft",
    "Demo Brand approved your content",
]


def test_each_step_lands_once_in_the_outbox_with_the_page_link(stack: RunningStack) -> None:
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    flow = Flow(stack, {"seeding": True}, name="Step emails e2e")
    maya = flow.creators("Maya")["Maya"]
    address = f"maya.{flow.campaign['id'][-6:].lower()}@wf.example"

    flow.creator(maya, "accept")
    flow.creator(
        maya, "counter", {"terms": TERMS | {"fee_per_deliverable": {"amount": 40000, "currency": "USD"}}}
    )
    flow.brand(
        maya, "counter", {"terms": TERMS | {"fee_per_deliverable": {"amount": 30000, "currency": "USD"}}}
    )
    flow.creator(maya, "accept-terms")
    flow.creator(maya, "sign", {"name": "Maya Flow"})
    flow.brand(maya, "record-shipment", {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
    flow.creator(maya, "confirm-delivery")
    flow.creator(maya, "submit-content", {"text": "Draft one"})
    flow.brand(maya, "request-changes", {"comments": "Show the sole grip"})
    flow.creator(maya, "submit-content", {"text": "Draft two"})
    flow.brand(maya, "approve-content")
    page = flow.waiting(maya, "submit-post")["creator_url"]

    items = outbox_for(stack, address, count=len(STEPS) + 1)  # and the brief, at onboarding
    subjects = [m["subject"] for m in reversed(items)]  # the outbox lists the newest first
    assert [s for s in subjects if s in STEPS] == STEPS, subjects
    by_subject = {m["subject"]: m for m in items}
    for subject in STEPS:
        assert page in by_subject[subject]["links"], by_subject[subject]["links"]
    assert "Fee: USD 300.00 per post" in by_subject[STEPS[1]]["text"]
    assert "Tracking number: 1Z999AA10123456784" in by_subject[STEPS[3]]["text"]
    assert "Show the sole grip" in by_subject[STEPS[4]]["text"]
    status, _, body = request(stack.base_url, "GET", urlsplit(page).path)
    assert status == 200 and "Demo Brand" in body
