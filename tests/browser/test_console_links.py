"""A campaign's links & codes (#/campaigns/{id}/links) and content (#/campaigns/{id}/content) in
the console. Links: created for a creator (a destination off the allowed domains is the API's 422,
shown under the field), copied, changed (destination, expiry set and cleared), disabled and
enabled again, their clicks per day on demand; a promo code registered, mapped to a Stripe
promotion code (its 422 under the field) and retired. Content: a
post whose page cannot be read is a 422 under its URL; one submitted with a caption without a
disclosure shows its verdict, a recheck reads its page again (now
disclosed), the verdict filter is kept in the hash; "Check feeds now" starts a monitor run that
shows its failing feed. At desktop and phone size, checked by axe, no console error or CSP
violation."""

from __future__ import annotations

import contextlib
import re
import time
import urllib.error
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_fits_width, axe, looks_right
from tests.browser.test_console import Member, Watch, member, open_console, sign_in, signed_in, watch  # noqa: F401
from tests.e2e.test_workflows import call
from tests.feedserver import FeedServer, feed_server
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack, request

UNDISCLOSED = "Ten miles in my new trail shoes"  # no #ad, no @acme
DISCLOSED_PAGE = (
    '<html><head><title>Trail diary</title><meta property="og:description" '
    'content="#ad Ten miles in my new trail shoes with @acme"></head><body>hi</body></html>'
)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with feed_server() as server:
        yield server


def _campaign(stack: RunningStack, name: str, **extra: Any) -> dict[str, Any]:
    status, campaign = call(
        stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": name, "status": "active"} | extra
    )
    assert status == 201, campaign
    return dict(campaign)


def _creator(stack: RunningStack, name: str, email: str, **extra: Any) -> dict[str, Any]:
    status, creator = call(stack, "POST", "/v1/creators", {"name": name, "email": email} | extra)
    assert status == 201, creator
    return dict(creator)


def _open(page: Page, stack: RunningStack, member: Member, hash_path: str, heading: str) -> None:  # noqa: F811
    signed_in(page, stack, member)
    page.goto(f"{stack.base_url}/console/#{hash_path}")
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def test_a_member_manages_links_and_promo_codes(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    campaign = _campaign(stack, f"Links page {size}")
    creator = _creator(stack, f"Lena Links {size}", f"lena-{size}@links.example")
    _open(page, stack, member, f"/campaigns/{campaign['id']}/links", campaign["name"])
    tabs = page.get_by_role("navigation", name="Campaign")
    expect(tabs.get_by_role("link", name="Links & codes")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No tracking link yet")).to_be_visible()
    expect(page.get_by_text("No promo code yet")).to_be_visible()
    looks_right(page, f"console-links-empty-{size}")

    # A destination off the campaign's allowed domains: the API's 422 under the field.
    form = page.get_by_role("form", name="New tracking link")
    form.get_by_label("Creator").select_option(label=creator["name"])
    destination = form.get_by_label("Destination")
    destination.fill("https://elsewhere.example.org/boots")
    form.get_by_role("button", name="Create link").click()
    expect(destination).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{destination.get_attribute('id')}-error")
    expect(error).to_contain_text("allowed domains")
    expect(destination).to_be_focused()
    looks_right(page, f"console-link-error-{size}")

    # Fixed: the link is created and listed with its tracking URL.
    destination.fill("https://shop.example.com/boots")
    form.get_by_label("Custom code (optional)").fill(f"lena-{size}")
    form.get_by_role("button", name="Create link").click()
    code = f"lena-{size}"
    card = page.get_by_role("list", name="Tracking links").get_by_role("article", name=re.compile(code))
    expect(card).to_contain_text("Enabled")
    expect(card).to_contain_text("https://shop.example.com/boots")
    expect(card.get_by_role("link", name=re.compile(rf"\/r\/{code}$"))).to_be_visible()
    expect(destination).not_to_have_attribute("aria-invalid", "true")

    # Copy: the tracking URL lands on the clipboard.
    card.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_attached()
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/r/{code}")

    # Change the destination and set an expiry; then clear the expiry.
    card.get_by_role("button", name="Change").click()
    edit = page.get_by_role("form", name=f"Change link {code}")
    expect(edit.get_by_label("Destination")).to_be_focused()
    edit.get_by_label("Destination").fill("https://shop.example.com/boots/trail")
    edit.get_by_label("Expires").fill("2030-06-30T18:00")
    looks_right(page, f"console-link-edit-{size}")
    edit.get_by_role("button", name="Save link").click()
    expect(page.get_by_role("status").filter(has_text=f"Link {code} saved.")).to_be_attached()
    expect(card).to_contain_text("https://shop.example.com/boots/trail")
    expect(card).to_contain_text("2030")
    saved = call(stack, "GET", f"/v1/links/{code}")[1]
    assert saved["destination"] == "https://shop.example.com/boots/trail" and saved["expires_at"]
    card.get_by_role("button", name="Change").click()
    edit.get_by_label("Expires").fill("")
    edit.get_by_role("button", name="Save link").click()
    # Exact: the edit form's hint ("empty: never expires") matches "Never" before the save lands.
    expect(card.get_by_text("Never", exact=True)).to_be_visible()
    assert call(stack, "GET", f"/v1/links/{code}")[1]["expires_at"] is None

    # Disable, then enable again.
    card.get_by_role("button", name="Disable").click()
    expect(card).to_contain_text("Disabled")
    expect(page.get_by_role("status").filter(has_text=f"Link {code} disabled.")).to_be_attached()
    assert call(stack, "GET", f"/v1/links/{code}")[1]["enabled"] is False
    card.get_by_role("button", name="Enable").click()
    expect(card).to_contain_text("Enabled")
    assert call(stack, "GET", f"/v1/links/{code}")[1]["enabled"] is True

    # Its clicks per day, on demand (two people follow the link first).
    for n in range(2):
        agent = f"Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.{n}"
        with contextlib.suppress(urllib.error.URLError):  # counted, then redirected to the shop
            request(stack.base_url, "GET", f"/r/{code}", headers={"User-Agent": agent})
    deadline = time.monotonic() + 30  # the click stream is aggregated in the background
    while (
        call(stack, "GET", f"/v1/links/{code}/stats")[1]["totals"]["clicks"] < 2
        and time.monotonic() < deadline
    ):
        time.sleep(0.3)
    card.get_by_role("button", name="Clicks per day").click()
    expect(
        card.get_by_role("img", name=re.compile(rf"^Clicks per day, {code}: 30 days .*total 2"))
    ).to_be_visible()
    looks_right(page, f"console-links-{size}")

    # A promo code: registered, then retired.
    promo = f"LENA{size.upper()}"
    codes = page.get_by_role("form", name="Register a promo code")
    codes.get_by_label("Creator").select_option(label=creator["name"])
    codes.get_by_label("Code", exact=True).fill(promo)
    codes.get_by_role("button", name="Register code").click()
    row = page.get_by_role("table", name="Promo codes").get_by_role("row").filter(has_text=promo)
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(creator["name"])
    # Its Stripe promotion code: a malformed id is the API's 422 under the field; then saved.
    row.get_by_role("button", name=f"Change the Stripe promotion code of {promo}").click()
    stripe = row.get_by_label(f"Stripe promotion code of {promo}")
    expect(stripe).to_be_focused()
    stripe.fill("not-a-promo")
    row.get_by_role("button", name="Save").click()
    expect(stripe).to_have_attribute("aria-invalid", "true")
    stripe.fill(f"promo_Lena{size}")
    row.get_by_role("button", name="Save").click()
    expect(row).to_contain_text(f"promo_Lena{size}")
    expect(row.get_by_role("button", name=f"Change the Stripe promotion code of {promo}")).to_be_focused()
    row.get_by_role("button", name=f"Retire {promo}").click()
    expect(row).to_contain_text("Retired")
    expect(row.get_by_role("button", name=f"Reactivate {promo}")).to_be_focused()
    expect(page.get_by_role("status").filter(has_text=f"Promo code {promo} retired")).to_be_attached()
    (on_server,) = [
        p
        for p in call(stack, "GET", f"/v1/promo-codes?campaign_id={campaign['id']}")[1]["items"]
        if p["code"] == promo
    ]
    assert (on_server["status"], on_server["stripe_promotion_code"]) == ("retired", f"promo_Lena{size}")
    looks_right(page, f"console-promo-codes-{size}")
    watch.check()


def test_a_member_checks_content_and_runs_the_monitor(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
    feeds: FeedServer,
) -> None:
    watch.expected = (422,)
    campaign = _campaign(stack, f"Content page {size}", content={"mandatory_mentions": ["@acme"]})
    # Her feed answers 404: the monitor run reports it as a failing feed.
    creator = _creator(
        stack,
        f"Cora Content {size}",
        f"cora-{size}@content.example",
        platforms={"mastodon": {"handle": f"cora{size}", "feed_url": feeds.base + f"/cora-{size}.rss"}},
    )
    ids = {"campaign_id": campaign["id"], "creator_id": creator["id"]}
    assert call(stack, "POST", "/v1/links", ids | {"destination": "https://shop.example.com/x"})[0] == 201
    _open(page, stack, member, f"/campaigns/{campaign['id']}/content", campaign["name"])
    expect(
        page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Content")
    ).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No post yet")).to_be_visible()
    expect(page.get_by_text("No run yet")).to_be_visible()
    looks_right(page, f"console-content-empty-{size}")

    # Without a caption Roster reads the page; one it cannot read (a 404) is a 422 under the URL.
    form = page.get_by_role("form", name="Submit a post")
    url = feeds.base + f"/cora-{size}/trail"
    form.get_by_label("Creator").select_option(label=creator["name"])
    form.get_by_label("Platform").select_option(label="Blog")
    form.get_by_label("Post URL").fill(url)
    form.get_by_role("button", name="Submit post").click()
    expect(form.get_by_label("Post URL")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_text(re.compile(r"Roster could not read this post .*404"))).to_be_visible()
    expect(form.get_by_label("Post URL")).to_be_focused()
    looks_right(page, f"console-post-error-{size}")

    # A post without a disclosure, submitted with its caption: the verdict and the broken rule.
    form.get_by_label("Caption (optional)").fill(UNDISCLOSED)
    form.get_by_role("button", name="Submit post").click()
    expect(form.get_by_text(re.compile(r"^Post checked: No disclosure\."))).to_be_visible()
    posts = page.get_by_role("list", name="Posts")
    card = posts.get_by_role("article").filter(has_text=url)
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading")).to_contain_text("No disclosure")
    expect(card).to_contain_text("no disclosure found")
    expect(card).to_contain_text("missing the mandatory mention @acme")
    expect(card).to_contain_text("caption your team sent")
    looks_right(page, f"console-content-{size}")

    # A second one, disclosed; then the verdict filter (kept in the hash) shows only the first.
    form.get_by_label("Creator").select_option(label=creator["name"])
    form.get_by_label("Platform").select_option(label="Blog")
    form.get_by_label("Post URL").fill(url + "-2")
    form.get_by_label("Caption (optional)").fill("#ad " + UNDISCLOSED + " with @acme")
    form.get_by_role("button", name="Submit post").click()
    expect(form.get_by_text(re.compile(r"^Post checked: Disclosed\."))).to_be_visible()
    expect(posts.get_by_role("article")).to_have_count(2)
    page.get_by_label("Disclosure", exact=True).select_option(label="No disclosure")
    expect(posts.get_by_role("article")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"#/campaigns/[^/]+/content\?disclosure=missing$"))
    page.reload()
    expect(page.get_by_label("Disclosure", exact=True)).to_have_value("missing")
    expect(posts.get_by_role("article")).to_have_count(1)
    expect(card).to_have_count(1)

    # The creator added #ad to the post: Recheck reads its page, and the verdict is now Disclosed.
    feeds.serve(f"/cora-{size}/trail", DISCLOSED_PAGE.encode(), "text/html")
    card.get_by_role("button", name="Recheck").click()
    expect(card.get_by_role("heading")).to_contain_text("Disclosed")
    expect(card).to_contain_text("Brand rules met")
    expect(card).to_contain_text("Read by Roster from the post's page")
    expect(page.get_by_role("status").filter(has_text="Rechecked: Disclosed.")).to_be_attached()
    assert feeds.hits(f"/cora-{size}/trail")
    page.get_by_label("Disclosure", exact=True).select_option(label="Disclosed")
    expect(posts.get_by_role("article")).to_have_count(2)

    # A post that arrives meanwhile (through the API) shows without a reload: the page refreshes.
    posted = {
        "creator_id": creator["id"],
        "url": url + "-3",
        "platform": "blog",
        "text": "#ad Trail day with @acme",
    }
    assert call(stack, "POST", f"/v1/campaigns/{campaign['id']}/posts", posted)[0] == 200
    expect(posts.get_by_role("article")).to_have_count(3, timeout=15_000)

    # Check feeds now: a run starts; the page refreshes itself until it completes, with the 404.
    page.get_by_role("button", name="Check feeds now").click()
    expect(page.get_by_text("Feed check started for 1 creator")).to_be_visible()
    runs = page.get_by_role("list", name="Latest monitor runs")
    run = runs.get_by_role("article").first
    expect(run.get_by_role("heading")).to_contain_text("Completed", timeout=30_000)
    expect(run.get_by_role("heading")).to_contain_text("started by hand")
    failing = run.get_by_role("list", name="Failing feeds")
    expect(failing).to_contain_text(creator["name"])
    expect(failing).to_contain_text("Mastodon")
    expect(failing).to_contain_text("404")
    assert_fits_width(page)
    axe(page)
    looks_right(page, f"console-monitor-{size}")
    watch.check()


def test_a_plain_member_works_here_and_another_brand_sees_nothing(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: Member,
    other_member: Member,
    watch: Watch,  # noqa: F811
) -> None:
    """Links, codes and feed checks are members' work (no admin needed); another brand's admin
    opening this campaign's pages finds no such campaign."""
    campaign = _campaign(stack, f"Member links {size}")
    creator = _creator(stack, f"Mo Member {size}", f"mo-{size}@links.example")
    _open(page, stack, plain_member, f"/campaigns/{campaign['id']}/links", campaign["name"])
    expect(page.locator("header").get_by_text("(member)")).to_be_visible()
    form = page.get_by_role("form", name="New tracking link")
    form.get_by_label("Creator").select_option(label=creator["name"])
    form.get_by_label("Destination").fill("https://shop.example.com/member")
    form.get_by_role("button", name="Create link").click()
    links = page.get_by_role("list", name="Tracking links")
    expect(links.get_by_role("article").filter(has_text=creator["name"])).to_have_count(1)
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Content").click()
    expect(page.get_by_role("heading", level=2, name="Monitoring")).to_be_visible()
    page.get_by_role("button", name="Check feeds now").click()
    expect(page.get_by_text("Feed check started for 1 creator")).to_be_visible()
    looks_right(page, f"console-content-member-{size}")
    watch.check()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()
    sign_in(page, other_member)
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    for tab in ("links", "content"):
        page.goto(f"{stack.base_url}/console/#/campaigns/{campaign['id']}/{tab}")
        expect(page.get_by_role("heading", level=1, name="Campaign not found")).to_be_visible()
        expect(page.get_by_text(creator["name"])).to_have_count(0)
