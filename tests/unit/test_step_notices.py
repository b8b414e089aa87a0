"""What each step's email says (`roster.workflows.notify.notice_for`), decided from the record alone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from roster.models.campaigns import Campaign
from roster.models.collaborations import Collaboration
from roster.models.payouts import Payout
from roster.workflows import notify

CREATED = "2026-12-01T09:00:00.000Z"
TERMS: dict[str, Any] = {
    "deliverables": [
        {"platform": "instagram", "format": "reel", "count": 2},
        {"platform": "tiktok", "format": "video", "count": 1},
    ],
    "posting_window_start": "2027-01-10",
    "posting_window_end": "2027-02-10",
    "content_due": "2027-01-05",
    "fee_per_deliverable": {"amount": 25000, "currency": "USD"},
    "product_seeding": "Trail shoes, size of your choice",
}
# Words a creator should never have to decode: stage and action ids, internal field names.
INTERNAL = re.compile(
    r"\b(negotiate|seeding|accept-terms|submit-content|submit-post|confirm-delivery|changes_requested"
    r"|waiting_for|stage)\b"
)


def campaign(**workflow: Any) -> Campaign:
    return Campaign.model_validate(
        {
            "id": "cmp1",
            "name": "Spring trail launch",
            "objective": "conversions",
            "start_date": "2027-01-01",
            "end_date": "2027-03-31",
            "status": "active",
            "workflow": workflow,
            "created_at": CREATED,
            "updated_at": CREATED,
            "version": 1,
        }
    )


def collab(stage: str, actions: list[str], **fields: Any) -> Collaboration:
    return Collaboration.model_validate(
        {
            "id": "col1",
            "campaign_id": "cmp1",
            "creator_id": "cr1",
            "stage": stage,
            "status": "open",
            "offers": [{"by": "brand", "at": CREATED, "terms": TERMS}],
            "waiting_for": {
                "actions": actions,
                "since": "2026-12-02T10:00:00.000Z",
                "until": "2026-12-16T10:00:00.000Z",
                "due": fields.pop("due", None),
            },
            "created_at": CREATED,
            "updated_at": CREATED,
            **fields,
        }
    )


def notice(c: Collaboration, k: Campaign | None = None) -> notify.Notice | None:
    assert c.waiting_for is not None
    return notify.notice_for(c, k or campaign(), c.stage, c.waiting_for.actions, brand="Peak Gear")


def readable(n: notify.Notice | None) -> notify.Notice:
    assert n is not None
    assert not INTERNAL.search(n.subject + "\n" + n.text), n.text
    return n


def test_the_invitation_names_brand_and_campaign_and_sums_up_the_offer_with_its_deadline() -> None:
    n = readable(notice(collab("invite", ["accept", "decline", "cancel"])))
    assert n.key == "invite" and n.subject == "Peak Gear invites you to Spring trail launch"
    assert "What to post: 2 × Instagram reel, 1 × TikTok video" in n.text
    assert "Fee: USD 250.00 per post, USD 750.00 in all" in n.text
    assert "Posting window: 10 Jan 2027 to 10 Feb 2027" in n.text and "Drafts due: 5 Jan 2027" in n.text
    assert "Product: Trail shoes" in n.text
    assert "Please answer by 16 Dec 2026, 10:00 UTC. After that the invitation expires." in n.text


def test_no_invitation_email_when_an_outreach_sequence_invites() -> None:
    steps = [{"template_id": "tpl1"}]
    assert notice(collab("invite", ["accept", "decline", "cancel"]), campaign(invite_steps=steps)) is None


def test_an_invitation_without_an_opening_offer_says_the_offer_follows() -> None:
    n = readable(notice(collab("invite", ["accept", "decline", "cancel"], offers=[])))
    assert "The offer follows once you accept." in n.text


def test_negotiation_emails_only_a_new_offer_from_the_brand() -> None:
    actions = ["counter", "accept-terms", "cancel"]
    assert notice(collab("negotiate", actions)) is None  # the opening offer: the invitation showed it
    mine = {"by": "creator", "at": "2026-12-03T10:00:00.000Z", "terms": TERMS}
    assert (
        notice(collab("negotiate", actions, offers=[{"by": "brand", "at": CREATED, "terms": TERMS}, mine]))
        is None
    )
    theirs = {"by": "brand", "at": "2026-12-04T10:00:00.000Z", "terms": TERMS, "note": "We can do 300"}
    n = readable(
        notice(
            collab(
                "negotiate", actions, offers=[{"by": "brand", "at": CREATED, "terms": TERMS}, mine, theirs]
            )
        )
    )
    assert (n.key, n.subject) == ("counter:3", "New offer from Peak Gear")
    assert "“We can do 300”" in n.text and "Please reply by 16 Dec 2026" in n.text
    # No opening offer: the brand's first one, made during the negotiation, is news too.
    first = readable(notice(collab("negotiate", actions, offers=[theirs])))
    assert first.key == "counter:1"


def test_the_contract_email_asks_for_a_signature_by_the_due_date() -> None:
    contract = {"terms": TERMS, "offer": 1, "document_hash": "ab" * 32, "issued_at": CREATED}
    c = collab("contract", ["sign", "cancel"], contract=contract, due="2026-12-09T09:00:00.000Z")
    n = readable(notice(c))
    assert n.key == "contract:" + "ab" * 8 and n.subject == "Your contract with Peak Gear is ready to sign"
    assert "Please sign by 9 Dec 2026, 09:00 UTC." in n.text and n.label == "Read and sign the contract"
    signed = {**contract, "signature": {"name": "M", "at": CREATED, "ip_hash": "x", "document_hash": "ab"}}
    assert notice(collab("contract", ["sign", "cancel"], contract=signed)) is None


def test_the_shipment_email_has_carrier_and_tracking_number() -> None:
    assert notice(collab("seeding", ["record-shipment", "cancel"])) is None  # the brand's turn
    shipment = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "shipped_at": CREATED}
    n = readable(notice(collab("seeding", ["confirm-delivery", "cancel"], shipment=shipment)))
    assert n.key == f"shipment:{CREATED}" and n.subject == "Peak Gear sent your package"
    assert "Carrier: UPS\nTracking number: 1Z999AA10123456784" in n.text and "Please confirm by" in n.text


def proposal(round_: int, decision: str | None, comments: str | None = None) -> dict[str, Any]:
    return {
        "round": round_,
        "text": "draft",
        "submitted_at": CREATED,
        "decision": decision,
        "comments": comments,
    }


def test_a_revision_request_carries_the_brands_comments_and_the_new_due_date() -> None:
    actions = ["submit-content", "cancel"]
    assert notice(collab("content", actions)) is None  # the first draft: the brief asked for it
    c = collab(
        "content",
        actions,
        proposals=[proposal(1, "changes_requested", "Show the logo in the first 3 seconds")],
        due="2026-12-20T12:00:00.000Z",
    )
    n = readable(notice(c))
    assert n.key == "revision:1" and n.subject == "Peak Gear asked for changes to your draft"
    assert "Their comments:\nShow the logo in the first 3 seconds" in n.text
    assert "Please send it by 20 Dec 2026, 12:00 UTC." in n.text
    assert notice(collab("content", ["approve-content", "request-changes", "cancel"])) is None  # brand's turn


def test_approval_gives_the_posting_window_and_asks_for_the_post() -> None:
    contract = {"terms": TERMS, "offer": 1, "document_hash": "ab" * 32, "issued_at": CREATED}
    c = collab(
        "live",
        ["submit-post", "cancel"],
        contract=contract,
        proposals=[proposal(1, "approved")],
        due="2027-02-10T00:00:00.000Z",
    )
    n = readable(notice(c))
    assert n.key == "approved" and n.subject == "Peak Gear approved your content"
    assert "Post between 10 Jan 2027 and 10 Feb 2027." in n.text and "#ad" in n.text
    assert "Please post by 10 Feb 2027, 00:00 UTC." in n.text


@pytest.mark.parametrize(
    ("stage", "actions"),
    [
        ("close", ["rate"]),
        ("content", ["approve-content", "grant-round", "cancel"]),
        ("contract", ["sign", "cancel"]),  # no contract issued: nothing to sign
        ("seeding", ["confirm-delivery", "cancel"]),  # nothing shipped
    ],
)
def test_steps_that_need_nothing_from_the_creator_send_nothing(stage: str, actions: list[str]) -> None:
    assert notice(collab(stage, actions)) is None


def line(creator_id: str, currency: str, amount: int) -> dict[str, Any]:
    return {
        "creator_id": creator_id,
        "currency": currency,
        "campaign_ids": ["cmp1"],
        "gross": amount,
        "clawback": 0,
        "amount": amount,
        "entries": 1,
    }


def test_a_payout_email_says_who_paid_how_much_in_each_currency() -> None:
    payout = Payout.model_validate(
        {
            "id": "p1",
            "created_at": "2027-03-01T08:30:00.000Z",
            "lines": [line("cr1", "JPY", 150000), line("cr2", "USD", 5000), line("cr1", "EUR", 2050)],
            "totals": {"JPY": 150000, "USD": 5000, "EUR": 2050},
        }
    )
    n = readable(notify.payout_notice(payout, "cr1", brand="Peak Gear"))
    assert n.subject == "Peak Gear paid you JPY 150,000 and EUR 20.50" and n.key == "payout:p1"
    assert "1 Mar 2027, 08:30 UTC" in n.text and n.label == "Open your creator home"
    assert (
        readable(notify.payout_notice(payout, "cr2", brand="Peak Gear")).subject
        == "Peak Gear paid you USD 50.00"
    )
    assert notify.payout_notice(payout, "cr3", brand="Peak Gear") is None


def test_amounts_are_exact_in_the_currencys_minor_units() -> None:
    assert notify.amount_text(39800, "USD") == "USD 398.00"
    assert notify.amount_text(1500, "KWD") == "KWD 1.500"
    assert notify.amount_text(123456789, "USD") == "USD 1,234,567.89"
