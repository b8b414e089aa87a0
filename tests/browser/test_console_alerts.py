"""The console's alerts inbox (#/alerts): alerts raised through the public API (a post submitted
without an FTC disclosure), listed with their campaign and creator, filtered (the filters kept in
the hash, so a reload shows the same list), resolved with a note from the keyboard and shown
resolved without a reload; an empty state and an API error in the page alert. At desktop and
phone size, checked by axe, with no console error or CSP violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_fits_width, axe, looks_right
from tests.browser.test_console import Member, Watch, member, open_console, sign_in, signed_in, watch  # noqa: F401
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack

UNDISCLOSED = "Ten miles in my new trail shoes with @acme"  # no #ad
NOTE = "Nia added #ad in a pinned comment"


def _post(stack: RunningStack, campaign: dict[str, Any], creator: dict[str, Any], n: int, text: str) -> None:
    post = {
        "creator_id": creator["id"],
        "url": f"https://www.tiktok.com/@nia/video/{n}",
        "platform": "tiktok",
        "text": text,  # the brand's copy of the caption: checked without fetching the page
    }
    status, saved = call(stack, "POST", f"/v1/campaigns/{campaign['id']}/posts", post)
    assert status == 200, saved


@pytest.fixture
def alerts(stack: RunningStack, size: str) -> dict[str, Any]:
    """Per size (each run resolves one): a campaign with content rules whose post raises a
    disclosure and a brand-rules alert, and a second campaign with a disclosure alert."""
    rules = {"mandatory_mentions": ["@acme"], "banned_terms": ["cheap"]}
    inbox = call(
        stack,
        "POST",
        "/v1/campaigns",
        CAMPAIGN | {"name": f"Alerts inbox {size}", "status": "active", "content": rules},
    )[1]
    other = call(
        stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": f"Alerts other {size}", "status": "active"}
    )[1]
    creator = call(
        stack, "POST", "/v1/creators", {"name": f"Nia Trails {size}", "email": f"nia-{size}@alerts.example"}
    )[1]
    _post(stack, inbox, creator, 1, f"{UNDISCLOSED}, and cheap")
    _post(stack, other, creator, 2, UNDISCLOSED)
    mine = [
        a for a in call(stack, "GET", "/v1/alerts?status=open")[1]["items"] if a["campaign_id"] == inbox["id"]
    ]
    assert sorted(a["kind"] for a in mine) == ["brand_rules", "disclosure"], mine
    return {"inbox": inbox, "other": other, "creator": creator, "alerts": mine}


def test_a_member_filters_and_resolves_alerts(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    alerts: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (503,)
    inbox, creator = alerts["inbox"], alerts["creator"]
    signed_in(page, stack, member)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Alerts", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Alerts")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Alerts", exact=True)
    ).to_have_attribute("aria-current", "page")
    cards = page.get_by_role("list", name="Alerts").get_by_role("article")
    expect(cards.filter(has_text=f"Alerts other {size}")).to_have_count(1)
    looks_right(page, f"console-alerts-{size}")

    # Filters: campaign, then kind and status; each one kept in the hash, and a reload keeps them.
    page.get_by_label("Campaign", exact=True).select_option(label=inbox["name"])
    expect(cards).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"#/alerts\?campaign_id={inbox['id']}$"))
    page.get_by_label("Kind").select_option(label="Disclosure")
    page.get_by_label("Status").select_option(label="Open")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card).to_contain_text(inbox["name"])
    expect(card).to_contain_text(creator["name"])
    expect(card).to_contain_text("Open")
    expect(page).to_have_url(re.compile(r"status=open&kind=disclosure&campaign_id="))
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Alerts")).to_be_visible()
    expect(page.get_by_label("Kind")).to_have_value("disclosure")
    expect(page.get_by_label("Status")).to_have_value("open")
    expect(page.get_by_label("Campaign", exact=True)).to_have_value(inbox["id"])
    expect(cards).to_have_count(1)

    # Resolve with a note, from the keyboard: the form opens on the note, Tab to the button, Enter.
    card = cards.first
    card.get_by_role("button", name="Resolve").focus()
    page.keyboard.press("Enter")
    note = card.get_by_label("Note (optional)")
    expect(note).to_be_focused()
    page.keyboard.type(NOTE)
    looks_right(page, f"console-alert-resolve-{size}")
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Resolve alert")).to_be_focused()
    page.keyboard.press("Enter")
    resolved = page.get_by_role("article", name="Disclosure · Resolved")
    expect(resolved).to_contain_text(NOTE)
    expect(resolved).to_contain_text("by Demo Admin")
    expect(resolved.get_by_role("button", name="Resolve")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Disclosure alert resolved.")).to_be_attached()
    assert_fits_width(page)
    axe(page)
    (disclosure,) = [a for a in alerts["alerts"] if a["kind"] == "disclosure"]
    on_server = [
        a for a in call(stack, "GET", "/v1/alerts?status=resolved")[1]["items"] if a["id"] == disclosure["id"]
    ]
    assert [(a["resolution"]["reason"], a["resolution"]["actor"]["type"]) for a in on_server] == [
        (NOTE, "member")
    ]

    # Now the open list of that filter is empty, and the resolved one holds it.
    page.get_by_label("Status").select_option(label="Open")
    expect(page.get_by_text("No alert matches these filters.")).to_be_visible()
    axe(page)
    page.get_by_label("Status").select_option(label="Resolved")
    expect(page.get_by_role("article", name="Disclosure · Resolved")).to_contain_text(NOTE)

    # An API error shows in the page alert.
    page.route(
        re.compile(r"/v1/alerts\?"),
        lambda route: route.fulfill(
            status=503, json={"error": {"code": "busy", "message": "Roster is busy; try again"}}
        ),
    )
    page.get_by_role("button", name="Refresh").click()
    expect(page.get_by_role("alert")).to_have_text("Roster is busy; try again")
    assert_fits_width(page)
    axe(page)
    watch.check()


def test_a_new_alert_shows_without_a_reload(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
) -> None:
    campaign = call(
        stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": f"Alerts live {size}", "status": "active"}
    )[1]
    creator = call(
        stack, "POST", "/v1/creators", {"name": f"Lio Live {size}", "email": f"lio-{size}@alerts.example"}
    )[1]
    signed_in(page, stack, member)
    page.goto(f"{stack.base_url}/console/#/alerts?campaign_id={campaign['id']}")
    expect(page.get_by_text("No alert matches these filters.")).to_be_visible()
    _post(stack, campaign, creator, 3, UNDISCLOSED)  # a monitoring finding, as a store or a run would
    cards = page.get_by_role("list", name="Alerts").get_by_role("article")
    expect(cards).to_have_count(1, timeout=15_000)
    expect(cards.first).to_contain_text(creator["name"])
    expect(page.get_by_role("status").filter(has_text="The alerts have changed.")).to_be_attached()
    watch.check()
