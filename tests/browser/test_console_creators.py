"""The console's creator pages: a CSV file imported through the file input (one bad row shown with
its error in the per-row results), the roster searched, sorted and filtered (kept in the hash),
bulk actions (a tag, an owner, added to a campaign, outreach started) with a result per creator;
a creator's profile with its collaborations across campaigns and its earnings, edited with the
API's 422 shown next to the field, and a new creator. At desktop and phone size, checked by axe,
with no console error or CSP violation."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.conftest import Member, looks_right
from tests.browser.data import SENDER
from tests.browser.test_console import (  # noqa: F401
    Watch,
    _signed_order,
    member,
    open_console,
    sign_in,
    signed_in,
    store_order,
    watch,
)
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack

SECRET = "console_browser_0123456789abcdef"  # the store secret test_console.py sets: no clash
ADMIN = "Demo Admin"


def _roster(page: Page) -> Any:
    return page.get_by_role("table", name="Creators (sortable by column)")


def _go(page: Page, stack: RunningStack, route: str) -> None:
    page.goto(f"{stack.base_url}/console/#{route}")


@pytest.fixture
def campaign(stack: RunningStack, size: str) -> dict[str, Any]:
    token = uuid.uuid4().hex[:6]
    status, made = call(
        stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": f"Roster bulk {size} {token}", "status": "active"}
    )
    assert status == 201, made
    return dict(made)


@pytest.fixture
def template(stack: RunningStack, size: str) -> dict[str, Any]:
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    body = {
        "name": f"Roster hello {size} {uuid.uuid4().hex[:4]}",
        "subject": "Hi {{ creator.first_name }}",
        "html": "<p>Hi {{ creator.first_name }}!</p>",
        "text": "Hi {{ creator.first_name }}!",
    }
    status, made = call(stack, "POST", "/v1/email-templates", body)
    assert status == 201, made
    return dict(made)


def test_import_then_search_sort_filter_and_bulk_actions(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    campaign: dict[str, Any],
    template: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    token = f"zq{uuid.uuid4().hex[:6]}"
    csv = (
        "name;email;country;tags;instagram;instagram_followers;tiktok;tiktok_followers\n"
        f"Ana {token};ana.{token}@creators.example;US;trail;ana.{token};42000;;\n"
        f"Ben {token};ben.{token}@creators.example;DE;trail|yoga;;;ben.{token};150000\n"
        f"Cy {token};cy.{token}@creators.example;US;;cy.{token};3000;;\n"
        f"Bad {token};not-an-email;US;;;;;\n"
    )
    signed_in(page, stack, member)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Creators", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Creators")).to_be_visible()
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", level=1, name="Import creators")).to_be_visible()
    expect(page.get_by_text("instagram, instagram_url, instagram_feed, instagram_followers")).to_be_visible()

    # An unusable file: the header's problems under the file input.
    page.get_by_label("CSV file").set_input_files(
        files=FilePayload(name="bad.csv", mimeType="text/csv", buffer=b"who,email\nx,y@z.example\n")
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("column names")
    expect(page.get_by_label("CSV file")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("unknown column 'who'")).to_be_visible()
    looks_right(page, f"console-creators-import-error-{size}")

    page.get_by_label("CSV file").set_input_files(
        files=FilePayload(name="creators.csv", mimeType="text/csv", buffer=csv.encode())
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Import results")).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="3 created, 0 updated, 1 with errors")).to_be_visible()
    rows = page.get_by_role("table", name="Result per row of the file").locator("tbody tr")
    expect(rows).to_have_count(4)
    bad = rows.filter(has_text="Error")
    expect(bad).to_have_count(1)
    expect(bad.get_by_role("rowheader")).to_have_text("5")
    expect(bad).to_contain_text("email")
    expect(rows.filter(has_text="Created")).to_have_count(3)
    looks_right(page, f"console-creators-import-{size}")

    # The roster: search (name, email or handle), sort, filter — each kept in the hash.
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Creators", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Creators")).to_be_visible()
    table = _roster(page)
    page.get_by_label("Search", exact=True).fill(token)
    body_rows = table.locator("tbody tr")
    expect(body_rows).to_have_count(3)
    expect(page).to_have_url(re.compile(rf"q={token}"))
    page.get_by_label("Search", exact=True).fill(f"@ben.{token}")
    expect(body_rows).to_have_count(1)
    expect(body_rows.first).to_contain_text(f"Ben {token}")
    page.get_by_label("Search", exact=True).fill(token)
    expect(body_rows).to_have_count(3)

    followers = table.get_by_role("button", name="Followers")
    followers.click()
    expect(table.get_by_role("columnheader", name="Followers")).to_have_attribute("aria-sort", "descending")
    expect(body_rows.first.get_by_role("rowheader")).to_contain_text(f"Ben {token}")
    expect(followers).to_be_focused()
    page.keyboard.press("Enter")
    expect(table.get_by_role("columnheader", name="Followers")).to_have_attribute("aria-sort", "ascending")
    expect(body_rows.first.get_by_role("rowheader")).to_contain_text(f"Cy {token}")
    expect(page).to_have_url(re.compile(r"sort=followers"))
    looks_right(page, f"console-creators-{size}")

    page.get_by_label("Tier").select_option(label="Micro")
    expect(body_rows).to_have_count(1)
    expect(body_rows.first).to_contain_text(f"Ana {token}")
    expect(page).to_have_url(re.compile(r"tier=micro"))
    page.reload()
    expect(page.get_by_label("Tier")).to_have_value("micro")
    expect(page.get_by_label("Search", exact=True)).to_have_value(token)
    expect(_roster(page).locator("tbody tr")).to_have_count(1)
    page.get_by_label("Tier").select_option(label="All")
    table = _roster(page)
    body_rows = table.locator("tbody tr")
    expect(body_rows).to_have_count(3)
    page.get_by_label("Country").fill("de")
    page.get_by_label("Country").press("Enter")
    expect(body_rows).to_have_count(1)
    page.get_by_label("Country").fill("")
    page.get_by_label("Country").press("Enter")
    expect(body_rows).to_have_count(3)

    # Bulk: select every creator shown, add a tag.
    bulk = page.get_by_role("form", name="Bulk actions")
    expect(bulk.get_by_role("button", name="Apply")).to_be_disabled()
    page.get_by_label("Select all shown creators").check()
    expect(bulk).to_contain_text("3 creators selected.")
    bulk.get_by_label("Tag", exact=True).fill(f"vip-{size}")
    bulk.get_by_role("button", name="Apply to 3 creators").click()
    expect(page.get_by_role("status").filter(has_text="Add a tag: 3 done.")).to_be_visible()
    results = bulk.get_by_role("table", name="Add a tag: result per creator")
    expect(results.locator("tbody tr")).to_have_count(3)
    expect(body_rows.filter(has_text=f"vip-{size}")).to_have_count(3)
    looks_right(page, f"console-creators-bulk-{size}")

    # Only Ana: remove the tag again (unchanged for nobody), then every one: set the owner.
    page.get_by_label("Select all shown creators").uncheck()
    page.get_by_label(f"Select Ana {token}").check()
    bulk.get_by_label("Action", exact=True).select_option(label="Remove a tag")
    bulk.get_by_label("Tag", exact=True).fill(f"vip-{size}")
    bulk.get_by_role("button", name="Apply to 1 creator").click()
    expect(page.get_by_role("status").filter(has_text="Remove a tag: 1 done.")).to_be_visible()
    expect(body_rows.filter(has_text=f"vip-{size}")).to_have_count(2)

    page.get_by_label("Select all shown creators").check()
    bulk.get_by_label("Action", exact=True).select_option(label="Set the owner")
    bulk.get_by_label("Owner").select_option(label=ADMIN)
    bulk.get_by_role("button", name="Apply to 3 creators").click()
    expect(page.get_by_role("status").filter(has_text="Set the owner: 3 done.")).to_be_visible()
    expect(body_rows.filter(has_text=ADMIN)).to_have_count(3)
    page.get_by_role("search").get_by_label("Owner").select_option(label=ADMIN)
    expect(page).to_have_url(re.compile(r"owner_id="))
    expect(body_rows).to_have_count(3)

    # Add to a campaign: each one gets a collaboration (a link to it); then outreach.
    page.get_by_label("Select all shown creators").check()
    bulk.get_by_label("Action", exact=True).select_option(label="Add to a campaign")
    bulk.get_by_label("Campaign").select_option(label=campaign["name"])
    bulk.get_by_role("button", name="Apply to 3 creators").click()
    expect(page.get_by_role("status").filter(has_text="Add to a campaign: 3 done.")).to_be_visible()
    added = bulk.get_by_role("table", name="Add to a campaign: result per creator")
    expect(added.get_by_role("link", name="Collaboration: Invited")).to_have_count(3)

    bulk.get_by_label("Action", exact=True).select_option(label="Start outreach")
    bulk.get_by_label("Email template").select_option(label=template["name"])
    bulk.get_by_role("button", name="Apply to 3 creators").click()
    expect(page.get_by_role("status").filter(has_text="Start outreach: 3 done.")).to_be_visible()
    expect(bulk.get_by_role("table", name="Start outreach: result per creator")).to_contain_text("Enrolled")
    looks_right(page, f"console-creators-bulk-campaign-{size}")
    watch.check()


@pytest.fixture
def earning(stack: RunningStack, size: str) -> dict[str, Any]:
    """A creator with two platforms, a collaboration in one campaign and an order (through its
    promo code, by a signed store webhook) in another: history and earnings on the profile."""
    token = uuid.uuid4().hex[:6]
    creator = call(
        stack,
        "POST",
        "/v1/creators",
        {
            "name": f"Eve Earns {size}",
            "email": f"eve.{token}@creators.example",
            "platforms": {"instagram": {"handle": f"eve.{token}", "followers": 12000}},
            "tags": ["trail"],
            "notes": "Met at the trail expo.",
        },
    )[1]
    today = datetime.now(UTC).date()
    dates = {
        "start_date": (today - timedelta(days=5)).isoformat(),
        "end_date": (today + timedelta(days=30)).isoformat(),
        "kpis": [],
    }
    sales = call(
        stack,
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | dates
        | {
            "name": f"Profile sales {size} {token}",
            "status": "active",
            "commission": {"plan": {"percent_bps": 1000}},
        },
    )[1]
    assert "id" in sales, sales
    other = call(
        stack,
        "POST",
        "/v1/campaigns",
        CAMPAIGN | {"name": f"Profile history {size} {token}", "status": "active"},
    )[1]
    code = f"EVE{token.upper()}"
    ids = {"campaign_id": sales["id"], "creator_id": creator["id"]}
    assert call(stack, "POST", "/v1/promo-codes", ids | {"code": code})[0] == 201
    status, started = call(
        stack, "POST", f"/v1/campaigns/{other['id']}/collaborations", {"creator_ids": [creator["id"]]}
    )
    assert status == 202, started
    url = call(stack, "PUT", "/v1/integrations/orders", {"secret": SECRET})[1]["webhook_url"]
    url = url.replace("https://", "http://", 1)
    store_order(
        stack,
        url,
        SECRET,
        order_id=f"ORD-EVE-{token}",
        code=code,
        subtotal=20000,
        email=f"buyer.{token}@creators.example",
        event_id=f"evt_eve_{token}",
    )
    return {"creator": creator, "sales": sales, "other": other, "token": token}


def test_profile_history_earnings_and_edit(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    earning: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    creator = earning["creator"]
    signed_in(page, stack, member)
    _go(page, stack, f"/creators/{creator['id']}")
    expect(page.get_by_role("heading", level=1, name=creator["name"])).to_be_visible()
    expect(page.get_by_role("table", name="Platforms")).to_contain_text(f"@eve.{earning['token']}")
    money = page.get_by_role("table", name="Revenue and earnings per currency")
    expect(money).to_contain_text("$200.00")  # revenue
    expect(money).to_contain_text("$20.00")  # 10 % commission: the earnings
    history = page.get_by_role("table", name="Collaborations across campaigns")
    expect(history.get_by_role("link", name=earning["other"]["name"], exact=True)).to_be_visible()
    expect(history).to_contain_text("Invited")
    expect(
        history.get_by_role("link", name=f"Open the collaboration in {earning['other']['name']}")
    ).to_have_attribute("href", re.compile(r"^#/collaborations/"))
    expect(page.get_by_role("region", name="Notes")).to_contain_text("Met at the trail expo.")
    looks_right(page, f"console-creator-profile-{size}")

    # Edit: a bad email is refused next to the field; then fixed, with an owner and a country.
    page.get_by_role("button", name="Edit the profile").click()
    email = page.get_by_label("Email", exact=True)
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    email.fill("eve-at-nowhere")
    page.get_by_role("button", name="Save changes").click()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    error_id = (email.get_attribute("aria-describedby") or "").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("email")
    looks_right(page, f"console-creator-edit-error-{size}")
    email.fill(creator["email"])
    page.get_by_label("Country").fill("de")
    page.get_by_label("Owner").select_option(label=ADMIN)
    page.get_by_label("Tier").select_option(label="Mid")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    profile = page.get_by_role("region", name="Profile")
    expect(profile).to_contain_text("DE")
    expect(profile).to_contain_text(ADMIN)
    expect(profile).to_contain_text("Mid (set by hand)")
    watch.check()


def test_a_new_creator_with_a_platform(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    token = uuid.uuid4().hex[:6]
    signed_in(page, stack, member)
    _go(page, stack, "/creators")
    page.get_by_role("link", name="New creator").click()
    expect(page.get_by_role("heading", level=1, name="New creator")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(f"Nova {size} {token}")
    page.get_by_label("Email", exact=True).fill(f"nova.{token}@creators.example")
    page.get_by_role("button", name="Add a platform").click()
    row = page.get_by_role("group", name="Instagram")
    expect(row.get_by_label("Platform")).to_be_focused()
    row.get_by_label("Handle").fill(f"@nova.{token}")
    row.get_by_label("Followers").fill("many")
    page.get_by_label("Tags").fill("trail, run club")
    page.get_by_role("button", name="Add creator").click()
    expect(row.get_by_label("Followers")).to_have_attribute("aria-invalid", "true")
    looks_right(page, f"console-creator-new-{size}")
    row.get_by_label("Followers").fill("250000")
    page.get_by_role("button", name="Add creator").click()
    expect(page.get_by_role("heading", level=1, name=f"Nova {size} {token}")).to_be_visible()
    expect(page.get_by_text(f"Nova {size} {token} added to the roster.")).to_be_visible()
    profile = page.get_by_role("region", name="Profile")
    expect(profile).to_contain_text("Mid")
    expect(profile).to_contain_text("trail, run club")
    watch.check()


def test_a_member_without_admin_rights_takes_a_creator(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: Member,
    watch: Watch,  # noqa: F811
) -> None:
    """Listing the team is admin-only (403 for a member), so a member picks themself or no owner."""
    watch.expected = (403,)
    token = uuid.uuid4().hex[:6]
    signed_in(page, stack, plain_member)
    _go(page, stack, "/creators/new")
    expect(page.get_by_role("heading", level=1, name="New creator")).to_be_visible()
    owner = page.get_by_label("Owner")
    expect(owner.locator("option")).to_have_count(2)
    expect(page.get_by_text("Only an admin sees the whole team")).to_be_visible()
    me = owner.locator("option").nth(1).text_content() or ""
    page.get_by_label("Name", exact=True).fill(f"Mo Member {size} {token}")
    page.get_by_label("Email", exact=True).fill(f"mo.{token}@creators.example")
    owner.select_option(index=1)
    looks_right(page, f"console-creator-new-member-{size}")
    page.get_by_role("button", name="Add creator").click()
    expect(page.get_by_role("heading", level=1, name=f"Mo Member {size} {token}")).to_be_visible()
    expect(page.get_by_role("region", name="Profile")).to_contain_text(me)
    watch.check()
