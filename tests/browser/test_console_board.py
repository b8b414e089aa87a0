"""The collaboration board (#/campaigns/{id}/board) and a collaboration's page (#/collaborations/{id}):
the brand starts collaborations from the board, then runs one through the whole workflow in the
console: counter-offer (a 422 under the field first, a 409 while the campaign is paused), record
the shipment, request changes on a draft, approve the next one, accept a post despite its
disclosure verdict, rate and close. The creator's side is played through the creator page's API
(as in tests/e2e/test_workflows.py); the pages show each creator action without a reload. At
desktop and phone size, checked by axe, with no console error or CSP violation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser import conftest
from tests.browser.conftest import assert_fits_width, axe, looks_right
from tests.browser.data import SLOW
from tests.browser.test_console import Member, Watch, member, open_console, sign_in, signed_in, watch  # noqa: F401
from tests.e2e.test_workflows import Flow, call
from tests.feedserver import FeedServer, feed_server
from tests.stack import RunningStack

LIVE = 15_000  # ms: the pages poll every 5 s; a creator's action shows within one or two polls
TERMS = {
    "deliverables": [{"platform": "instagram", "format": "reel", "count": 1}],
    "posting_window_start": "2027-01-10",
    "posting_window_end": "2027-02-10",
    "fee_per_deliverable": {"amount": 25000, "currency": "USD"},
}
TIMERS = SLOW | {
    "seeding": True,
    "shipment_seconds": 900,
    "delivery_seconds": 900,
    "decision_seconds": 900,
    "rating_seconds": 900,
    "performance_seconds": 1,
    "content_rounds": 2,
}


@pytest.fixture(scope="module")
def posts() -> Iterator[FeedServer]:
    with feed_server() as srv:
        yield srv


@pytest.fixture
def board(stack: RunningStack, size: str) -> dict[str, Any]:
    """Per size: a seeding campaign with slow timers and one-reel default terms, and two new
    creators (the first owned by the demo admin), with no collaboration yet."""
    flow = Flow(stack, TIMERS, name=f"Board {size}", default_terms=TERMS)
    members = call(stack, "GET", "/v1/members")[1]["items"]
    owner = next(m for m in members if m["name"] == "Demo Admin")
    creators = {}
    for first in ("Ava", "Bo"):
        body: dict[str, Any] = {
            "name": f"{first} Board {size}",
            "email": f"{first.lower()}.{flow.campaign['id'][-6:].lower()}@board.example",
            "platforms": {"instagram": {"handle": f"{first.lower()}board{size}"}},
        }
        if first == "Ava":
            body["owner_id"] = owner["id"]
        status, creator = call(stack, "POST", "/v1/creators", body)
        assert status == 201, creator
        creators[first] = creator
    return {"flow": flow, "campaign": flow.campaign, "creators": creators, "owner": owner}


def _collaboration_ids(stack: RunningStack, campaign_id: str) -> dict[str, str]:
    items = call(stack, "GET", f"/v1/campaigns/{campaign_id}/collaborations")[1]["items"]
    return {c["creator_id"]: c["id"] for c in items}


def test_the_brand_runs_a_collaboration_from_the_board(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    board: dict[str, Any],
    posts: FeedServer,
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (409, 422)
    flow, campaign = board["flow"], board["campaign"]
    ava, bo = board["creators"]["Ava"], board["creators"]["Bo"]
    signed_in(page, stack, member)
    page.goto(f"{stack.base_url}/console/#/campaigns/{campaign['id']}/board")
    expect(page.get_by_role("heading", level=1, name=campaign["name"])).to_be_visible()
    expect(page.get_by_role("link", name="Collaborations")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No collaboration yet: start collaborations")).to_be_visible()

    # Start collaborations: search, pick both creators, start; the board shows them invited.
    start = page.get_by_role("form", name="Start collaborations")
    start.get_by_label("Search creators").fill(f"Board {size}")
    start.get_by_label(ava["name"]).check()
    start.get_by_label(bo["name"]).check()
    expect(start.get_by_text("2 selected.")).to_be_visible()
    start.get_by_role("button", name="Start collaborations").click()
    expect(start.get_by_role("status")).to_have_text(
        f"Started 2 collaborations: {ava['name']}, {bo['name']}."
    )
    invited = page.get_by_role("list", name="Invited").get_by_role("article")
    expect(invited).to_have_count(2)
    ava_card = page.get_by_role("article", name=ava["name"])
    expect(ava_card).to_contain_text("Waits for the creator: accept the invitation or decline.", timeout=LIVE)
    expect(ava_card).to_contain_text("Owner")
    expect(ava_card).to_contain_text("Demo Admin")
    expect(ava_card.get_by_role("link", name=ava["name"], exact=True)).to_have_attribute(
        "href", f"#/creators/{ava['id']}"
    )
    # Starting one again says it is already there.
    start.get_by_label(re.compile(rf"^{ava['name']}")).check()
    start.get_by_role("button", name="Start collaborations").click()
    expect(start.get_by_role("status")).to_have_text(f"Already on the board: {ava['name']}.")

    # The creators answer on their page: the board follows without a reload.
    ids = _collaboration_ids(stack, campaign["id"])
    ava_id, bo_id = ids[ava["id"]], ids[bo["id"]]
    flow.creator(bo_id, "decline")
    flow.creator(ava_id, "accept")
    flow.creator(
        ava_id,
        "counter",
        {
            "terms": TERMS | {"fee_per_deliverable": {"amount": 40000, "currency": "USD"}},
            "note": "A reel is a day",
        },
    )
    negotiating = page.get_by_role("list", name="Negotiating").get_by_role("article", name=ava["name"])
    expect(negotiating).to_contain_text(
        "Waits for the brand (you): counter-offer or accept the terms.", timeout=LIVE
    )
    expect(negotiating.get_by_text(re.compile(r"^in \d+ minutes \("))).to_be_visible()
    expect(page.get_by_role("list", name="Invited")).to_have_count(0, timeout=LIVE)
    page.get_by_label("Show closed collaborations (1)").check()
    expect(page).to_have_url(re.compile(r"/board\?closed=1$"))
    closed = page.get_by_role("list", name="Closed").get_by_role("article", name=bo["name"])
    expect(closed).to_contain_text("Closed: declined.")
    looks_right(page, f"console-board-{size}")

    # The collaboration: the creator's counter-offer in the history, the brand's forms.
    negotiating.get_by_role("link", name=f"Open collaboration with {ava['name']}").click()
    expect(page.get_by_role("heading", level=1, name=f"Collaboration with {ava['name']}")).to_be_visible()
    history = page.get_by_role("region", name="Negotiation")
    expect(history.get_by_role("heading", name=re.compile(rf"^Offer 2 · by {ava['name']}"))).to_be_visible()
    expect(history).to_contain_text("A reel is a day")
    expect(history).to_contain_text("$400.00")
    counter = page.get_by_role("form", name="Counter-offer")
    expect(page.get_by_role("form", name="Accept the terms")).to_be_visible()
    expect(page.get_by_role("form", name="Cancel the collaboration")).to_be_visible()
    expect(counter.get_by_label("Fee per deliverable")).to_have_value("400.00")

    # A 422 under the field it names; fixed, the counter-offer goes and the page waits for the move.
    end = counter.get_by_label("Posting window end")
    end.fill("2027-01-01")
    counter.get_by_role("button", name="Send the counter-offer").click()
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(counter.get_by_text("Posting_window_end must be on or after posting_window_start")).to_be_visible()
    looks_right(page, f"console-collaboration-counter-{size}")
    end.fill("2027-02-10")
    counter.get_by_label("Fee per deliverable").fill("350")
    counter.get_by_label("Note to the creator (optional)").fill("Meet in the middle?")
    counter.get_by_role("button", name="Send the counter-offer").click()
    status = page.locator("main > .board-status")
    expect(status).to_contain_text(
        f"Done: counter-offer. Waits for the creator ({ava['name']})", timeout=LIVE
    )
    expect(history.get_by_role("heading", name=re.compile(r"^Offer 3 · by the brand"))).to_be_visible()
    expect(page.get_by_role("form", name="Accept the terms")).to_have_count(0)  # its own offer

    # A 409: the campaign is paused meanwhile; the API's message shows in the page alert.
    assert call(stack, "PATCH", f"/v1/campaigns/{campaign['id']}", {"status": "paused"})[0] == 200
    page.get_by_role("form", name="Counter-offer").get_by_role(
        "button", name="Send the counter-offer"
    ).click()
    expect(page.get_by_role("alert")).to_have_text("the campaign is paused")
    assert call(stack, "PATCH", f"/v1/campaigns/{campaign['id']}", {"status": "active"})[0] == 200

    # The creator accepts and signs; seeding: the brand records the shipment.
    flow.creator(ava_id, "accept-terms")
    flow.creator(ava_id, "sign", {"name": ava["name"]})
    shipment = page.get_by_role("form", name="Record the shipment")
    expect(shipment).to_be_visible(timeout=LIVE)
    contract = page.get_by_role("region", name="Contract")
    expect(contract).to_contain_text(f"by {ava['name']}")
    expect(contract).to_contain_text("offer 3")
    shipment.get_by_label("Carrier").fill("UPS")
    shipment.get_by_label("Tracking number").fill("1Z999AA10123456784")
    looks_right(page, f"console-collaboration-shipment-{size}")
    shipment.get_by_role("button", name="Record the shipment").click()
    expect(status).to_contain_text("Done: record the shipment. Waits for the creator", timeout=LIVE)
    expect(page.get_by_role("region", name="Shipment")).to_contain_text("1Z999AA10123456784")

    # Content: the draft is shown; the brand requests changes, then approves the next round.
    flow.creator(ava_id, "confirm-delivery")
    flow.creator(
        ava_id,
        "submit-content",
        {"text": "Draft: trail reel with @peakgear", "media_urls": ["https://cdn.example/a.mp4"]},
    )
    changes = page.get_by_role("form", name="Request changes")
    expect(changes).to_be_visible(timeout=LIVE)
    content = page.get_by_role("region", name="Content")
    expect(content.get_by_text("Draft: trail reel with @peakgear")).to_be_visible()
    expect(content.get_by_role("link", name="Media 1: https://cdn.example/a.mp4")).to_be_visible()
    expect(content).to_contain_text("Awaiting your decision")
    changes.get_by_label("What to change").fill("Show the sole grip")
    looks_right(page, f"console-collaboration-review-{size}")
    changes.get_by_role("button", name="Request changes").click()
    expect(status).to_contain_text("Done: request changes. Waits for the creator", timeout=LIVE)
    expect(content).to_contain_text("Changes requested")
    expect(content).to_contain_text("Brand's comments: Show the sole grip")
    flow.creator(ava_id, "submit-content", {"text": "Draft 2: now with the sole"})
    approve = page.get_by_role("form", name="Approve the content")
    expect(approve).to_be_visible(timeout=LIVE)
    expect(content.get_by_role("heading", name=re.compile(r"^Round 2"))).to_be_visible()
    approve.get_by_role("button", name="Approve the content").click()
    expect(status).to_contain_text("Done: approve the content. Waits for the creator", timeout=LIVE)
    expect(status).to_contain_text("submit a post")

    # The post has no #ad: the brand accepts it anyway, then rates and closes.
    url = posts.serve(
        f"/p/ava-{size}",
        b'<html><head><meta property="og:description" content="Trail day with @peakgear"></head></html>',
        "text/html",
    )
    flow.creator(ava_id, "submit-post", {"url": url, "platform": "instagram"})
    rate = page.get_by_role("form", name="Rate and close")
    expect(rate).to_be_visible(timeout=LIVE)  # checked, measured: the step waits for the rating
    expect(page.get_by_role("region", name="Deliverables and posts")).to_contain_text("disclosure missing")
    accept = page.get_by_role("form", name="Accept the post for instagram reel 1")
    accept.get_by_label("Why you accept it (optional)").fill("Said in the video")
    accept.get_by_role("button", name="Accept the post").click()
    expect(page.get_by_role("region", name="Deliverables and posts")).to_contain_text("Said in the video")
    rate.get_by_label("Score").select_option("5")
    rate.get_by_label("Notes (optional)").fill("Great to work with")
    rate.get_by_role("button", name="Rate and close").click()
    expect(status).to_contain_text("Done: rate. Closed: completed.", timeout=LIVE)
    expect(page.get_by_role("region", name="Rating")).to_contain_text("5 of 5 — Great to work with")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("request-changes · Demo Admin")
    expect(timeline).to_contain_text("closed: completed")
    assert flow.get(ava_id)["rating"] == {"score": 5, "notes": "Great to work with"}

    # The creator's page link, copied.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text(re.compile(r"^(Link copied\.|The link is selected)"))).to_be_visible()
    assert_fits_width(page)
    axe(page)

    # Back on the board, both are closed.
    page.get_by_role("link", name=f"← {campaign['name']}: all collaborations").click()
    page.get_by_label("Show closed collaborations (2)").check()
    expect(page.get_by_role("list", name="Closed").get_by_role("article")).to_have_count(2)
    watch.check()


def test_a_member_acts_and_another_brand_sees_nothing(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: conftest.Member,
    other_member: conftest.Member,
    watch: Watch,  # noqa: F811
) -> None:
    """Acting on collaborations is every member's job (only names of owners need an admin: a
    member sees none); a second brand's admin finds neither the campaign nor the collaboration."""
    watch.expected = (404,)
    flow = Flow(stack, SLOW, name=f"Board member {size}", default_terms=TERMS)
    members = call(stack, "GET", "/v1/members")[1]["items"]
    owner = next(m for m in members if m["name"] == "Demo Admin")
    plain = next(m for m in members if m["email"] == plain_member.email)
    status, cy = call(
        stack,
        "POST",
        "/v1/creators",
        {
            "name": f"Cy Member {size}",
            "email": f"cy.{flow.campaign['id'][-6:].lower()}@board.example",
            "owner_id": owner["id"],
        },
    )
    assert status == 201, cy
    status, started = call(
        stack, "POST", f"/v1/campaigns/{flow.campaign['id']}/collaborations", {"creator_ids": [cy["id"]]}
    )
    assert status == 202, started
    cid = started["items"][0]["id"]
    flow.creator(cid, "accept")
    flow.creator(cid, "counter", {"terms": TERMS | {"usage_rights_days": 30}})

    signed_in(page, stack, plain_member)
    page.goto(f"{stack.base_url}/console/#/campaigns/{flow.campaign['id']}/board")
    card = page.get_by_role("article", name=cy["name"])
    expect(card).to_contain_text("Waits for the brand (you): counter-offer or accept the terms.")
    expect(card).not_to_contain_text("Owner")
    card.get_by_role("link", name=f"Open collaboration with {cy['name']}").click()
    expect(page.get_by_role("heading", level=1, name=f"Collaboration with {cy['name']}")).to_be_visible()
    page.get_by_role("form", name="Accept the terms").get_by_role("button", name="Accept offer 2").click()
    expect(page.locator("main > .board-status")).to_contain_text(
        f"Done: accept the terms. Waits for the creator ({cy['name']}): sign the contract.", timeout=LIVE
    )
    expect(page.get_by_role("region", name="Timeline")).to_contain_text(f"accept-terms · {plain['name']}")
    looks_right(page, f"console-collaboration-member-{size}")
    collaboration_url = page.url

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()
    sign_in(page, other_member)
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    page.goto(collaboration_url)
    expect(page.get_by_role("heading", level=1, name="Collaboration not found")).to_be_visible()
    page.goto(f"{stack.base_url}/console/#/campaigns/{flow.campaign['id']}/board")
    expect(page.get_by_role("heading", level=1, name="Campaign not found")).to_be_visible()
    assert_fits_width(page)
    axe(page)
    watch.check()
