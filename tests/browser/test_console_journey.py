"""One journey through the brand console, as a brand team would run a campaign, all in the UI:
sign in; create a campaign (KPI, budget, a percent commission with a tier and no hold, slow
workflow timers, an opening offer); import two creators from a CSV file; start collaborations with
them from the board; run one through the whole workflow on its collaboration page (the brand's
counter-offer, the contract, changes requested on the first draft, the second approved, the post
checked, rated and closed); register a promo code for that creator; a store order with the code
arrives and the overview's chart and the campaign's report show it without a reload; book the
creator's payout and download its CSV; sign out.

The creator's side and the store are this test posting to the API as a creator's page and a store
would (tests/e2e/test_workflows.py, the signed webhook of test_console.py). The page tests check
each page in detail; this one checks that they work together, end to end."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.conftest import looks_right
from tests.browser.data import SLOW
from tests.browser.test_console import (  # noqa: F401
    Member,
    Watch,
    _signed_order,
    member,
    open_console,
    sign_in,
    signed_in,
    store_order,
    watch,
)
from tests.e2e.test_workflows import Flow, call
from tests.feedserver import FeedServer, feed_server
from tests.stack import RunningStack

LIVE = 15_000  # ms: the board, the collaboration, the overview and the report poll every 5 s
SECRET = "console_browser_0123456789abcdef"  # the orders integration's secret in every browser test
# The timers the form sets, as labelled there: SLOW's (15 minutes: nothing times out while the
# test looks), and a one-second measurement window so that the rating comes right after the post.
SLOW_LABELS = {
    "answer_seconds": "Invitation: wait for an answer",
    "negotiate_seconds": "Negotiation: quiet this long",
    "sign_due_seconds": "Contract: signature due within",
    "content_due_seconds": "Content: proposal due within",
    "review_seconds": "Review: the team answers within",
    "post_due_seconds": "Post: due within",
}
assert set(SLOW_LABELS) == set(SLOW) and set(SLOW.values()) == {900}


@pytest.fixture(scope="module")
def posts() -> Iterator[FeedServer]:
    with feed_server() as srv:
        yield srv


def _nav(page: Page, name: str, heading: str) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def _tab(page: Page, name: str) -> None:
    tab = page.get_by_role("navigation", name="Campaign").get_by_role("link", name=name)
    tab.click()
    expect(tab).to_have_attribute("aria-current", "page")


def _until(what: str, check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}", pytrace=False)


def _store_order(stack: RunningStack, code: str, n: int, subtotal: int) -> None:
    """A paid order with the creator's promo code, as the store's signed webhook sends it."""
    url = call(stack, "PUT", "/v1/integrations/orders", {"secret": SECRET})[1]["webhook_url"]
    store_order(
        stack,
        url.replace("https://", "http://", 1),
        SECRET,
        order_id=f"ORD-{code}-{n}",
        code=code,
        subtotal=subtotal,
        email=f"buyer{n}.{code.lower()}@journey.example",
        event_id=f"evt_{code}_{n}",
    )


def _chart(page: Page, title: str, total: int | str) -> Any:
    return page.get_by_role("img", name=re.compile(rf"^{re.escape(title)}: 30 days .*total {total}(,|$)"))


# Desktop and phone both run the whole journey: under a minute each (most of it the workflow's
# steps and the pages' 5 s polls), well within what a browser test may take.
def test_a_brand_team_runs_a_campaign_from_start_to_payout(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    posts: FeedServer,
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (404,)  # the report asks for a campaign workflow before it is launched
    token = uuid.uuid4().hex[:6]
    name = f"Journey {size} {token}"
    jo, kim = f"Jo Journey {token}", f"Kim Journey {token}"
    today = datetime.now(UTC).date()

    # Sign in.
    signed_in(page, stack, member)

    # A campaign: dates around today, a budget, a KPI, 10 % with a tier, no hold, slow timers.
    _nav(page, "Campaigns", "Campaigns")
    page.get_by_role("link", name="New campaign").click()
    expect(page.get_by_role("heading", level=1, name="New campaign")).to_be_visible()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Start date").fill((today - timedelta(days=5)).isoformat())
    page.get_by_label("End date").fill((today + timedelta(days=60)).isoformat())
    page.get_by_label("Allowed domains").fill("shop.example.com")
    page.get_by_label("Landing page").fill("https://shop.example.com/journey")
    page.get_by_label("Budget").fill("1000.00")
    page.get_by_role("button", name="Add a KPI").click()
    page.get_by_role("group", name="KPI 1").get_by_label("Target").fill("10")
    plan = page.get_by_role("group", name="Commission plan")
    plan.get_by_label("Base commission rate (%)").fill("10")
    plan.get_by_label("Hold (days)").fill("0")
    plan.get_by_role("button", name="Add a tier").click()
    tier = plan.get_by_role("group", name="Tier 1")
    tier.get_by_label("From orders").fill("5")
    tier.get_by_label("Rate (%)").fill("15")
    timers = page.get_by_role("group", name="Workflow timers")
    for label in SLOW_LABELS.values():
        timers.get_by_label(label, exact=True).fill("15")
        timers.get_by_label(f"{label} (unit)").select_option(label="minutes")
    timers.get_by_label("Measurement window", exact=True).fill("1")
    timers.get_by_label("Measurement window (unit)").select_option(label="seconds")
    offer = page.get_by_role("group", name="Opening offer")
    offer.get_by_label("Open each collaboration with this offer").check()
    deliverable = offer.get_by_role("group", name="Deliverable 1")
    deliverable.get_by_label("Platform").select_option("instagram")
    deliverable.get_by_label("Format").fill("reel")
    deliverable.get_by_label("Count").fill("1")
    offer.get_by_label("Posting window start").fill(today.isoformat())
    offer.get_by_label("Posting window end").fill((today + timedelta(days=30)).isoformat())
    offer.get_by_label("Fee per deliverable").fill("200")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("status").filter(has_text=f"Campaign “{name}” created.")).to_be_visible()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    campaign_id = page.url.rsplit("/", 1)[1]
    saved = call(stack, "GET", f"/v1/campaigns/{campaign_id}")[1]
    assert {k: saved["workflow"][k] for k in SLOW} == SLOW
    assert saved["workflow"]["performance_seconds"] == 1
    assert saved["commission"]["plan"]["hold_days"] == 0
    assert saved["commission"]["plan"]["tiers"] == [{"min_orders": 5, "min_revenue": 0, "percent_bps": 1500}]
    assert saved["kpis"][0]["metric"] == "conversions" and saved["status"] == "active"

    # Two creators from a CSV file.
    _nav(page, "Creators", "Creators")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", level=1, name="Import creators")).to_be_visible()
    rows = "name,email,country,instagram,instagram_followers\n" + "".join(
        f"{who},{who.split()[0].lower()}.{token}@journey.example,US,{who.split()[0].lower()}.{token},12000\n"
        for who in (jo, kim)
    )
    page.get_by_label("CSV file").set_input_files(
        files=FilePayload(name="creators.csv", mimeType="text/csv", buffer=rows.encode())
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").filter(has_text="2 created, 0 updated, 0 with errors")).to_be_visible()

    # Collaborations with both, started from the board.
    _nav(page, "Campaigns", "Campaigns")
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    _tab(page, "Collaborations")
    start = page.get_by_role("form", name="Start collaborations")
    start.get_by_label("Search creators").fill(token)
    start.get_by_label(jo).check()
    start.get_by_label(kim).check()
    start.get_by_role("button", name="Start collaborations").click()
    expect(start.get_by_role("status")).to_have_text(re.compile(r"^Started 2 collaborations: "))
    expect(page.get_by_role("list", name="Invited").get_by_role("article")).to_have_count(2)

    # The creators answer on their pages (Kim declines); the board follows without a reload.
    creator_side = object.__new__(Flow)  # Flow's creator-side calls, on the console's campaign
    creator_side.stack = stack
    started = call(stack, "GET", f"/v1/campaigns/{campaign_id}/collaborations")[1]["items"]
    by_name = {call(stack, "GET", f"/v1/creators/{c['creator_id']}")[1]["name"]: c for c in started}
    jo_id, jo_creator = by_name[jo]["id"], by_name[jo]["creator_id"]
    creator_side.creator(by_name[kim]["id"], "decline")
    creator_side.creator(jo_id, "accept")
    card = page.get_by_role("list", name="Negotiating").get_by_role("article", name=jo)
    expect(card).to_contain_text("Waits for the creator", timeout=LIVE)
    looks_right(page, f"console-journey-board-{size}")

    # Negotiation: the brand raises its own opening offer; the creator accepts it, then signs.
    card.get_by_role("link", name=f"Open collaboration with {jo}").click()
    expect(page.get_by_role("heading", level=1, name=f"Collaboration with {jo}")).to_be_visible()
    status = page.locator("main > .board-status")
    counter = page.get_by_role("form", name="Counter-offer")
    expect(counter.get_by_label("Fee per deliverable")).to_have_value("200.00")
    counter.get_by_label("Fee per deliverable").fill("250")
    counter.get_by_label("Note to the creator (optional)").fill("A little more for the reel")
    counter.get_by_role("button", name="Send the counter-offer").click()
    expect(status).to_contain_text(f"Done: counter-offer. Waits for the creator ({jo})", timeout=LIVE)
    history = page.get_by_role("region", name="Negotiation")
    expect(history.get_by_role("heading", name=re.compile(r"^Offer 2 · by the brand"))).to_be_visible()
    creator_side.creator(jo_id, "accept-terms")
    creator_side.creator(jo_id, "sign", {"name": jo})
    contract = page.get_by_role("region", name="Contract")
    expect(contract).to_contain_text(f"by {jo}", timeout=LIVE)
    expect(contract).to_contain_text("offer 2")

    # Content: changes requested on the first draft, the second approved.
    creator_side.creator(jo_id, "submit-content", {"text": "Draft: trail reel"})
    changes = page.get_by_role("form", name="Request changes")
    expect(changes).to_be_visible(timeout=LIVE)
    content = page.get_by_role("region", name="Content")
    expect(content.get_by_text("Draft: trail reel")).to_be_visible()
    changes.get_by_label("What to change").fill("Say it is an ad, show the boots")
    changes.get_by_role("button", name="Request changes").click()
    expect(status).to_contain_text("Done: request changes. Waits for the creator", timeout=LIVE)
    expect(content).to_contain_text("Brand's comments: Say it is an ad, show the boots")
    creator_side.creator(jo_id, "submit-content", {"text": "Draft 2: #ad trail reel, boots on"})
    approve = page.get_by_role("form", name="Approve the content")
    expect(approve).to_be_visible(timeout=LIVE)
    looks_right(page, f"console-journey-review-{size}")
    approve.get_by_role("button", name="Approve the content").click()
    expect(status).to_contain_text("Done: approve the content. Waits for the creator", timeout=LIVE)

    # The post, disclosed: checked and verified, measured, then rated and closed by the brand.
    url = posts.serve(
        f"/p/jo-{token}",
        b'<html><head><meta property="og:description" content="#ad Trail day in my boots"></head></html>',
        "text/html",
    )
    creator_side.creator(jo_id, "submit-post", {"url": url, "platform": "instagram"})
    rate = page.get_by_role("form", name="Rate and close")
    expect(rate).to_be_visible(timeout=LIVE)
    deliverables = page.get_by_role("region", name="Deliverables and posts")
    unit = deliverables.get_by_role("row", name=re.compile(r"^instagram reel 1"))
    expect(unit).to_contain_text("booked")
    expect(unit).to_contain_text("$250.00")
    expect(unit).to_contain_text("compliant")
    expect(unit.get_by_role("link", name="View post")).to_have_attribute("href", url)
    rate.get_by_label("Score").select_option("4")
    rate.get_by_role("button", name="Rate and close").click()
    expect(status).to_contain_text("Done: rate. Closed: completed.", timeout=LIVE)

    # A promo code for Jo, on the campaign's Links & codes tab.
    page.get_by_role("link", name=f"← {name}: all collaborations").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    _tab(page, "Links & codes")
    code = f"JO{token.upper()}"
    codes = page.get_by_role("form", name="Register a promo code")
    codes.get_by_label("Creator").select_option(label=jo)
    codes.get_by_label("Code", exact=True).fill(code)
    codes.get_by_role("button", name="Register code").click()
    # Exactly this code: the workflow may have given Jo a code of its own from the handle (JO…1).
    row = page.get_by_role("table", name="Promo codes").get_by_role("row", name=re.compile(rf"^{code} "))
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(jo)

    # A store order with the code: the overview's chart shows it without a reload...
    _nav(page, "Overview", "Overview")
    page.get_by_label("Campaign", exact=True).select_option(label=name)
    expect(_chart(page, "Orders", 0)).to_be_visible(timeout=LIVE)
    page.evaluate("window.__sameDocument = true")
    _store_order(stack, code, 1, 10_000)
    expect(_chart(page, "Orders", 1)).to_be_visible(timeout=LIVE)
    expect(_chart(page, "Revenue (USD)", r"\D*100\.00")).to_be_visible(timeout=LIVE)
    expect(_chart(page, "Commissions (USD)", r"\D*10\.00")).to_be_visible(timeout=LIVE)
    looks_right(page, f"console-journey-overview-{size}")

    # ... and so does the campaign's report, on the next order.
    _nav(page, "Campaigns", "Campaigns")
    page.get_by_role("link", name=name).click()
    _tab(page, "Report")
    expect(_chart(page, "Orders", 1)).to_be_visible(timeout=LIVE)
    _store_order(stack, code, 2, 5_000)
    expect(_chart(page, "Orders", 2)).to_be_visible(timeout=LIVE)
    per_creator = page.get_by_role("table", name="Orders per creator")
    expect(per_creator.get_by_role("row", name=re.compile(jo))).to_be_visible(timeout=LIVE)
    assert page.evaluate("window.__sameDocument === true")  # no reload since the overview

    # The payout: Jo's commissions (10 % of 150.00) and the reel's fee, booked; its CSV.
    def jo_line() -> dict[str, Any] | None:
        preview = call(stack, "GET", f"/v1/payouts/preview?campaign_ids={campaign_id}")[1]
        lines = [x for x in preview["lines"] if x["creator_id"] == jo_creator]
        return lines[0] if lines and lines[0]["amount"] >= 1_500 + 25_000 else None

    line = _until("Jo's payable commissions and fee", jo_line)
    assert line["amount"] == 1_500 + 25_000, line  # 10 % of 100.00 + 50.00, and the 250.00 fee
    due = f"{line['amount'] / 100:,.2f}"
    _nav(page, "Payouts", "Payouts")
    page.get_by_label("Campaign", exact=True).select_option(label=name)
    lines = page.get_by_role("table", name=re.compile(r"^USD: 1 creator"))
    expect(lines.get_by_role("row", name=re.compile(jo))).to_contain_text(f"${due}")
    page.get_by_role("button", name="Book payout").click()
    confirm = page.get_by_role("form", name="Confirm the payout")
    expect(confirm).to_contain_text(f"{jo}: ${due}")
    page.get_by_role("button", name="Confirm and book").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Payout of "))).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(f"Payout booked: ${due} in 1 line.")
    payout_id = page.url.rsplit("/", 1)[1]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == f"payout-{payout_id}.csv"
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("payout_id,creator_id,creator_name,creator_email,campaign_ids,currency,amount")
    (paid,) = csv.DictReader(io.StringIO(text))
    assert (paid["creator_name"], paid["currency"], paid["amount"], paid["amount_minor"]) == (
        jo,
        "USD",
        f"{line['amount'] / 100:.2f}",
        str(line["amount"]),
    )
    assert paid["campaign_ids"] == campaign_id

    # Sign out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    watch.check()
