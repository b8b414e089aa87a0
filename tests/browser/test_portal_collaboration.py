"""The collaboration page as a creator uses it, at phone and desktop size, against the local stack
(real state machines): open the invite, accept, counter, see the brand's counter, accept it, read
and sign the contract (refused without consent), confirm the product's delivery, then submit the
posts with their captions. Every state passes axe and stays under 100 KB."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_fits_width, axe, screenshot
from tests.browser.data import SLOW
from tests.e2e.test_workflows import Flow
from tests.feedserver import FeedServer, feed_server
from tests.stack import RunningStack

MAX_PAGE_BYTES = 100_000
FORGED = "bm90LWEtdG9rZW4.c2lnbmF0dXJl"


def state(page: Page, size: str, what: str) -> None:
    """What every state of the page must pass; phone-size screenshots for docs/creator-portal.md."""
    assert_fits_width(page)
    axe(page)
    size_bytes = len(page.content().encode())
    assert size_bytes <= MAX_PAGE_BYTES, f"{what}: {size_bytes} bytes"
    if size == "phone":
        screenshot(page, f"portal-collaboration-{what}")


def record(flow: Flow, cid: str) -> dict[str, Any]:
    return flow.get(cid)


@pytest.fixture(scope="module")
def posts() -> Iterator[FeedServer]:
    """The creator's published posts (Roster reads them for the disclosure check)."""
    with feed_server() as srv:
        yield srv


@pytest.fixture
def flow(stack: RunningStack, size: str) -> Flow:
    return Flow(stack, SLOW | {"seeding": True}, name=f"Portal collaboration {size}")


def test_a_creator_takes_the_collaboration_from_invite_to_posts(
    page: Page, size: str, flow: Flow, posts: FeedServer
) -> None:
    pia = flow.creators("Pia")["Pia"]
    url = flow.waiting(pia, "accept")["creator_url"]

    response = page.goto(url)
    assert response is not None and response.status == 200
    assert len(response.body()) <= MAX_PAGE_BYTES
    expect(page.get_by_role("heading", level=1, name=f"Portal collaboration {size}")).to_be_visible()
    expect(page.get_by_text("Invitation: waiting for your answer")).to_be_visible()
    expect(
        page.get_by_text(re.compile("If you don't answer by then, the invitation expires"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Current offer")).to_be_visible()
    expect(
        page.get_by_text("USD 250.00 per deliverable; USD 500.00 in total for 2 deliverables").first
    ).to_be_visible()
    expect(page.get_by_text("Be yourself. Mention @peakgear. No competitor gear.")).to_be_visible()
    state(page, size, "invite")

    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_text("You accepted the invitation.")).to_be_visible()
    # The page refreshes itself until the negotiation waits: then the offer can be answered.
    expect(page.get_by_role("button", name="Accept these terms")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Agreeing the terms")).to_be_visible()
    state(page, size, "negotiate")

    page.get_by_label("Fee per deliverable").fill("300")
    first = page.get_by_role("group", name="Deliverable 1")
    expect(first.get_by_label("Format")).to_have_value("reel")
    first.get_by_label("How many").fill("1")
    second = page.get_by_role("group", name="Deliverable 2 (optional)")
    second.get_by_label("Platform").select_option("tiktok")
    second.get_by_label("Format").fill("video")
    second.get_by_label("How many").fill("1")
    page.get_by_label("Note to the brand").fill("A reel and a TikTok instead of two reels")
    page.get_by_role("button", name="Send counter-offer").click()
    expect(page.get_by_text("Your counter-offer was sent to the brand.")).to_be_visible()
    expect(page.get_by_text(re.compile("Waiting for the brand.*to answer your offer"))).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_role("button", name="Accept these terms")).to_have_count(0)
    offers = record(flow, pia)["offers"]
    assert [o["by"] for o in offers] == ["brand", "creator"]
    assert offers[-1]["terms"]["fee_per_deliverable"] == {"amount": 30_000, "currency": "USD"}
    assert [(d["platform"], d["count"]) for d in offers[-1]["terms"]["deliverables"]] == [
        ("instagram", 1),
        ("tiktok", 1),
    ]

    # The brand counters back (API); the creator sees it and accepts it.
    back = offers[-1]["terms"] | {"fee_per_deliverable": {"amount": 27_500, "currency": "USD"}}
    flow.brand(pia, "counter", {"terms": back, "note": "Meet you in the middle"})
    flow.waiting(pia, "accept-terms")
    page.reload()
    history = page.locator("#history")
    expect(history.get_by_text("Offer 3")).to_be_visible()
    expect(history.get_by_text("Meet you in the middle")).to_be_visible()
    expect(
        page.get_by_text("USD 275.00 per deliverable; USD 550.00 in total for 2 deliverables").first
    ).to_be_visible()
    state(page, size, "counter-back")
    page.get_by_role("button", name="Accept these terms").click()
    expect(page.get_by_text("You accepted the brand's offer: the contract comes next.")).to_be_visible()

    # The contract: read it in full, sign with a typed name and explicit consent.
    page.get_by_role("link", name="Read and sign the contract").click(timeout=20_000)
    expect(page.get_by_role("heading", level=1, name="Contract")).to_be_visible()
    contract = flow.get(pia)["contract"]
    expect(page.get_by_text(contract["document_hash"]).first).to_be_visible()
    expect(page.get_by_text("Either side may cancel before content is approved")).to_be_visible()
    state(page, size, "contract")
    page.get_by_label("Your full name").fill("Pia Flow")
    page.get_by_role("button", name="Sign the contract").click()  # the browser holds it: box unticked
    expect(page.get_by_role("heading", level=1, name="Contract")).to_be_visible()
    page.evaluate(
        "document.querySelector('#sign form').noValidate = true"
    )  # as a browser that does not check
    page.get_by_role("button", name="Sign the contract").click()
    expect(
        page.get_by_text("Tick the box to agree to sign electronically: nothing is signed without it.")
    ).to_be_visible()
    expect(page.get_by_label("Your full name")).to_have_value("Pia Flow")
    assert flow.get(pia)["contract"]["signature"] is None
    state(page, size, "sign-refused")
    page.get_by_label("I have read this contract and agree to sign it electronically.").check()
    page.get_by_role("button", name="Sign the contract").click()
    expect(page.get_by_text("You signed the contract.")).to_be_visible()
    assert flow.get(pia)["contract"]["signature"]["name"] == "Pia Flow"

    # Seeding: the brand ships (API), the creator confirms the delivery.
    expect(page.get_by_text(re.compile("Waiting for the brand.*to ship your product"))).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_label("Your tracking link")).to_have_value(re.compile(r"/r/"))
    expect(page.get_by_label("Your promo code")).not_to_have_value("")
    flow.brand(pia, "record-shipment", {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
    flow.waiting(pia, "confirm-delivery")
    page.reload()
    expect(page.get_by_text("1Z999AA10123456784")).to_be_visible()
    state(page, size, "delivery")
    page.get_by_role("button", name="I received the product").click()
    expect(page.get_by_text("Thank you: the delivery is confirmed.")).to_be_visible()

    # Content (the drafts' own tests cover uploads): proposed as an API client, approved by the brand.
    flow.creator(pia, "submit-content", {"text": "Draft: trail reel with @peakgear"})
    flow.brand(pia, "approve-content")
    flow.waiting(pia, "submit-post")
    page.reload()
    expect(page.get_by_role("heading", name="Submit your post")).to_be_visible()
    state(page, size, "post")
    reel = posts.serve(
        f"/p/pia-reel-{size}",
        b'<html><head><meta property="og:description" content="#ad Trail day with @peakgear"></head></html>',
        "text/html",
    )
    page.get_by_label("Post URL").fill(reel)
    page.get_by_label("Platform").select_option("instagram")
    page.get_by_label("Caption, as posted").fill("#ad Trail day with @peakgear")
    page.get_by_role("button", name="Submit post").click()
    expect(page.get_by_text("Your post was submitted.")).to_be_visible()
    expect(page.locator("#deliverables [data-state='due']")).to_have_count(1, timeout=20_000)
    units = flow.get(pia)["deliverables"]
    assert [u["post_url"] for u in units if u["post_url"]] == [reel]
    state(page, size, "posted")


def test_a_forged_link_and_a_missing_page(page: Page, size: str, stack: RunningStack) -> None:
    response = page.goto(f"{stack.base_url}/c/{FORGED}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Link not found")).to_be_visible()
    expect(page.get_by_text("This collaboration link is not valid.")).to_be_visible()
    state(page, size, "not-found")
