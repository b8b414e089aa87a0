"""The creator's whole journey in a phone browser (390×844; once more at desktop size), the issue's
"done when": against the local stack (real state machines, the local outbox, the local front of
S3), a creator opens the invitation from their email, counters, accepts the brand's revised offer,
reads and signs the contract, uploads a draft image, is asked for changes, uploads again, is
approved, submits the live post with its caption, sees the earning of a store order placed with
their promo code, then signs in to creator home by the emailed link and sees the collaboration and
the earning there too.

The brand's side is the API, as a brand's team or its tools would drive it. Every state of every
page fits the screen, passes axe (nothing serious or critical) and stays ≤ 100 KB;
ROSTER_SCREENSHOTS=1 saves each at phone size as docs/screenshots/portal-journey-<step>.png.

The applicant's journey (apply → confirm by email → approved in the console → a collaboration
starts) is tests/browser/test_portal_apply.py's: not repeated here."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.conftest import EXTRA_MEMBERS, assert_fits_width, axe, screenshot
from tests.browser.data import SENDER, SLOW, png
from tests.browser.test_console import store_order
from tests.e2e.test_outbox import outbox_for
from tests.e2e.test_workflows import TERMS, Flow, call, until
from tests.stack import RunningStack, start_stack

MAX_PAGE_BYTES = 100_000
MAX_UPLOAD_BYTES = 2_000_000
CAPTION = "#ad Trail day in my new boots with @peakgear"
# One reel: its post is the last deliverable, so the fee is booked when it is verified.
ONE_REEL = TERMS | {"deliverables": [{"platform": "instagram", "format": "reel", "count": 1}]}
# A platform's post page is slow to answer (seconds, as Instagram's often is): longer than the page
# waits for the workflow after a form (`collaboration.SETTLE_SECONDS`), shorter than Roster's fetch
# timeout. So the page the creator gets after submitting the post is always the one that says the
# collaboration is moving on, and refreshes itself: that state is checked like every other.
POST_PAGE_SECONDS = 3.5


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    """This module's stack, with a small upload limit (as the drafts' tests run it)."""
    running = start_stack(
        {"ROSTER_LOCAL_EXTRA_MEMBERS": EXTRA_MEMBERS, "MAX_UPLOAD_BYTES": str(MAX_UPLOAD_BYTES)}
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def post_page() -> Iterator[str]:
    """Where the creator's live post is published (Roster reads its caption for the disclosure):
    any path answers, after POST_PAGE_SECONDS, a page whose description is CAPTION."""

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            time.sleep(POST_PAGE_SECONDS)
            body = f'<html><head><meta property="og:description" content="{CAPTION}"></head></html>'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's signature)
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=server.serve_forever, name="post-page", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def state(page: Page, size: str, step: str) -> None:
    """What each state of a page must pass: fits the screen's width, axe finds nothing serious or
    critical, ≤ 100 KB of HTML; at phone size (the docs' target), its screenshot
    docs/screenshots/portal-journey-<step>.png."""
    html = len(page.content().encode())
    assert html <= MAX_PAGE_BYTES, f"{step}: {html} bytes at {page.url}"
    assert_fits_width(page)
    axe(page)
    if size == "phone":
        screenshot(page, f"portal-journey-{step}")


def goto(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert len(response.body()) <= MAX_PAGE_BYTES


def email(
    stack: RunningStack, address: str, subject: str, known: set[str], part: str
) -> tuple[dict[str, Any], str]:
    """The newest email to `address` whose subject starts with `subject` and that is not in
    `known`, and its link containing `part`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for m in outbox_for(stack, address, count=0, timeout=0):
            if m["id"] not in known and m["subject"].startswith(subject):
                links = [u for u in m["links"] if part in u]
                assert links, (m["subject"], m["links"])
                return m, str(links[0])
        time.sleep(0.3)
    seen = [m["subject"] for m in outbox_for(stack, address, count=0, timeout=0)]
    raise AssertionError(f"no email {subject!r} to {address}; the outbox has {seen}")


def reload_until(page: Page, text: str, timeout: float = 30) -> None:
    """The stack's workers book what happened (an order, a post's check) on their own: the page is
    reloaded, as a person would, until it shows `text`."""
    deadline = time.monotonic() + timeout
    while text not in page.content() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()


def upload(page: Page, name: str, data: bytes) -> None:
    content = page.locator("#content")
    content.get_by_label("Add an image or video").set_input_files(
        FilePayload(name=name, mimeType="image/png", buffer=data)
    )
    content.get_by_role("button", name="Upload file").click()
    expect(page.get_by_text("Your file was uploaded.")).to_be_visible()
    img = page.get_by_role("img", name=f"Draft file {name}").first
    expect(img).to_be_visible()
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle(), timeout=10_000)


def submit_draft(page: Page, caption: str) -> None:
    content = page.locator("#content")
    content.get_by_label("Caption").fill(caption)
    content.get_by_role("button", name="Submit draft for review").click()
    expect(page.get_by_text("Your draft was sent to the brand for review.")).to_be_visible()


@pytest.fixture
def brand(stack: RunningStack, size: str) -> dict[str, Any]:
    """The brand's set-up, through its API: a sender, an orders integration, a running campaign
    with default terms (a fee), a landing page, a 10 % commission plan, no invite steps (the
    collaboration's own invitation email goes out), timers long enough for a person."""
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    secret = "portal_journey_browser_0123456789"
    status, integration = call(stack, "PUT", "/v1/integrations/orders", {"secret": secret})
    assert status == 200, integration
    webhook = integration["webhook_url"].replace("https://", "http://", 1)
    today = datetime.now(UTC).date()
    flow = Flow(
        stack,
        SLOW | {"content_rounds": 2},
        name=f"Journey trail boots {size}",
        default_terms=ONE_REEL,
        start_date=(today - timedelta(days=7)).isoformat(),
        end_date=(today + timedelta(days=60)).isoformat(),
        kpis=[{"metric": "conversions", "target": 10, "by": (today + timedelta(days=60)).isoformat()}],
        commission={"plan": {"percent_bps": 1000}},
    )
    assert not flow.campaign["workflow"].get("invite_steps"), flow.campaign["workflow"]
    return {
        "flow": flow,
        "secret": secret,
        "webhook": webhook,
        "brand_id": webhook.rstrip("/").rsplit("/", 1)[1],
    }


def test_a_creator_goes_from_invitation_to_earning(
    page: Page, size: str, stack: RunningStack, post_page: str, brand: dict[str, Any]
) -> None:
    """At phone size (390×844, touch), the target; and at desktop size (it costs half a minute)."""
    flow: Flow = brand["flow"]
    campaign = flow.campaign["name"]
    cid = flow.creators("Juno")["Juno"]
    address = f"juno.{flow.campaign['id'][-6:].lower()}@wf.example"

    # 1. The invitation arrives by email; its link opens the collaboration page.
    invite, url = email(stack, address, f"Demo Brand invites you to {campaign}", set(), "/c/")
    assert "Fee: USD 250.00 per post" in invite["text"], invite["text"]
    assert url == flow.waiting(cid, "accept")["creator_url"]
    goto(page, url)
    expect(page.get_by_role("heading", level=1, name=campaign)).to_be_visible()
    expect(page.get_by_text("Invitation: waiting for your answer")).to_be_visible()
    expect(page.get_by_text("USD 250.00 per deliverable").first).to_be_visible()
    expect(page.get_by_text("Be yourself. Mention @peakgear. No competitor gear.")).to_be_visible()
    state(page, size, "invite")
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_text("You accepted the invitation.")).to_be_visible()

    # 2. The creator counters: a higher fee, with a note.
    expect(page.get_by_role("button", name="Send counter-offer")).to_be_visible(timeout=20_000)
    state(page, size, "negotiate")
    page.get_by_label("Fee per deliverable").fill("320")
    page.get_by_label("Note to the brand").fill("A reel like this takes me a full day of shooting.")
    page.get_by_role("button", name="Send counter-offer").click()
    expect(page.get_by_text("Your counter-offer was sent to the brand.")).to_be_visible()
    expect(page.get_by_text(re.compile("Waiting for the brand.*to answer your offer"))).to_be_visible(
        timeout=20_000
    )
    offers = flow.get(cid)["offers"]
    assert [o["by"] for o in offers] == ["brand", "creator"]
    assert offers[-1]["terms"]["fee_per_deliverable"] == {"amount": 32_000, "currency": "USD"}
    assert offers[-1]["note"] == "A reel like this takes me a full day of shooting."
    state(page, size, "countered")

    # 3. The brand counters back (API); the creator sees the revised offer and accepts it.
    back = offers[-1]["terms"] | {"fee_per_deliverable": {"amount": 28_500, "currency": "USD"}}
    flow.brand(cid, "counter", {"terms": back, "note": "We can do 285 for one reel."})
    flow.waiting(cid, "accept-terms")
    page.reload()
    history = page.locator("#history")
    expect(history.get_by_text("Offer 3")).to_be_visible()
    expect(history.get_by_text("We can do 285 for one reel.")).to_be_visible()
    expect(page.locator("#offer").get_by_text("USD 285.00 per deliverable")).to_be_visible()
    state(page, size, "revised-offer")
    page.get_by_role("button", name="Accept these terms").click()
    expect(page.get_by_text("You accepted the brand's offer: the contract comes next.")).to_be_visible()

    # 4. The contract: read in full, signed with a typed name and explicit consent.
    page.get_by_role("link", name="Read and sign the contract").click(timeout=20_000)
    expect(page.get_by_role("heading", level=1, name="Contract")).to_be_visible()
    contract = flow.get(cid)["contract"]
    assert contract["terms"]["fee_per_deliverable"]["amount"] == 28_500
    expect(page.get_by_text(contract["document_hash"]).first).to_be_visible()
    state(page, size, "contract")
    page.get_by_label("Your full name").fill("Juno Flow")
    page.get_by_label("I have read this contract and agree to sign it electronically.").check()
    page.get_by_role("button", name="Sign the contract").click()
    expect(page.get_by_text("You signed the contract.")).to_be_visible()
    signature = flow.get(cid)["contract"]["signature"]
    assert signature["name"] == "Juno Flow" and signature["document_hash"] == contract["document_hash"]

    # 5. Drafts: upload, submit; the brand asks for changes; upload again, round 2; approved.
    flow.waiting(cid, "submit-content")
    goto(page, url)
    content = page.locator("#content")
    expect(content.get_by_label("Add an image or video")).to_be_visible()
    state(page, size, "draft-empty")
    upload(page, "boots-on-trail.png", png(320, 200, (40, 120, 80)))
    state(page, size, "draft-uploaded")
    submit_draft(page, "#ad First run in the new boots with @peakgear")
    flow.brand(cid, "request-changes", {"comments": "Lovely! Please show the sole grip up close."})
    flow.waiting(cid, "submit-content")
    goto(page, url)
    round1 = content.locator("#round-1")
    expect(content.get_by_text("The brand asked for changes to round 1")).to_be_visible()
    expect(round1.get_by_text("Please show the sole grip up close.")).to_be_visible()
    state(page, size, "changes-requested")
    upload(page, "sole-grip.png", png(200, 320, (150, 90, 30)))
    submit_draft(page, "#ad The sole grip up close, with @peakgear")
    flow.brand(cid, "approve-content")
    approved = flow.waiting(cid, "submit-post")
    assert [p["decision"] for p in approved["proposals"]] == ["changes_requested", "approved"]
    assert [len(p["media"]) for p in approved["proposals"]] == [1, 1]
    goto(page, url)
    expect(content.locator("#round-2").get_by_text("Approved", exact=True)).to_be_visible()

    # 6. The live post, with its caption: submitted, and its disclosure verified (the fee booked).
    expect(page.get_by_role("heading", name="Submit your post")).to_be_visible()
    state(page, size, "post")
    reel = f"{post_page}/p/juno-reel-{size}"
    page.get_by_label("Post URL").fill(reel)
    expect(page.get_by_label("Platform")).to_have_count(0)  # one platform due: no need to ask
    page.get_by_label("Caption, as posted").fill(CAPTION)
    page.get_by_role("button", name="Submit post").click()
    expect(page.get_by_text("Your post was submitted.")).to_be_visible()
    # Roster is still reading the post: the page says so, and refreshes itself until it is done.
    expect(page.get_by_text("Roster is moving your collaboration on to its next step.")).to_be_visible()
    state(page, size, "posting")
    posted = until(lambda: flow.get(cid), lambda c: c["deliverables"][0]["state"] == "booked")
    assert posted["deliverables"][0]["post_url"] == reel
    assert posted["deliverables"][0]["verified_by"] == "disclosure"
    expect(page.locator("#deliverables [data-state='booked']")).to_have_count(1, timeout=20_000)
    expect(page.get_by_text("Roster is moving your collaboration on to its next step.")).to_have_count(0)
    state(page, size, "posted")

    # 7. A store order with the creator's promo code: the page shows its earning, pending.
    code = page.get_by_label("Your promo code").input_value()
    assert code
    order = f"ORD-J{flow.campaign['id'][-6:]}"
    store_order(
        stack,
        brand["webhook"],
        brand["secret"],
        order_id=order,
        code=code,
        subtotal=12_000,
        email="shopper@journey.example",
    )
    earned = page.locator("#earnings")
    reload_until(page, ">12.00<")
    # USD: 12.00 pending (10 % of the order, in the return window), the 285.00 fee approved.
    expect(earned.get_by_role("row", name="USD 12.00 285.00 0.00")).to_be_visible()
    assert "shopper@" not in page.content()
    state(page, size, "earning")

    # 8. Creator home: signed in by the emailed one-time link, the same collaboration and earning.
    home = f"{stack.base_url}/h/{brand['brand_id']}"
    goto(page, home)
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    known = {m["id"] for m in outbox_for(stack, address, count=0, timeout=0)}
    page.get_by_label("Your email address").fill(address)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")
    state(page, size, "home-link-sent")
    _, link = email(stack, address, "Your sign-in link", known, "/link?t=")
    assert link.startswith(home + "/link?t=")
    goto(page, link)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="Your creator home")).to_be_visible()
    collaborations = page.get_by_role("region", name="Collaborations")
    expect(collaborations.get_by_role("heading", name=campaign)).to_be_visible()
    page_link = collaborations.get_by_role("link", name=f"Open the {campaign} page")
    assert page_link.get_attribute("href") == url
    links = page.get_by_role("region", name="Your links and codes")
    expect(links.get_by_label(f"Promo code: {campaign}")).to_have_value(code)
    earnings = page.get_by_role("region", name="Earnings")
    expect(earnings.get_by_role("row", name="USD 12.00 285.00 0.00").first).to_be_visible()
    earnings.get_by_text(re.compile(r"^\w+ \d{4}: USD 297\.00$")).click()  # the month opens its lines
    expect(earnings.get_by_text(f"Sale #…{order[-4:]}")).to_be_visible()
    expect(earnings.get_by_text("Fee", exact=True)).to_be_visible()
    assert "shopper@" not in page.content() and order not in page.content()
    state(page, size, "home")
