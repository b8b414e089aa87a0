"""The brand's application page in a browser (phone and desktop): an applicant applies, confirms by
the link in the local outbox, an admin approves the application in the console choosing a
campaign, and the collaboration shows on the board. axe on each page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Member, looks_right
from tests.browser.data import SENDER
from tests.browser.test_console import member, signed_in  # noqa: F401
from tests.e2e.test_outbox import outbox_for
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack


@pytest.fixture
def setup(stack: RunningStack, size: str) -> dict[str, Any]:
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    status, campaign = call(
        stack,
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | {
            "name": f"Trail crew {size}",
            "slug": f"trail-crew-{size}",
            "status": "active",
            "brief": "Three trail reels in spring. Tag the brand.",
        },
    )
    assert status == 201, campaign
    status, page = call(
        stack,
        "PUT",
        "/v1/application-page",
        {"slug": f"demo-{size}", "intro": "We look for trail runners.", "campaign_ids": [campaign["id"]]},
    )
    assert status == 200, page
    return {
        "campaign": campaign,
        "page": page,
        "email": f"nia.{size}@apply.example",
        "name": f"Nia Apply {size}",
    }


def test_an_applicant_applies_confirms_and_is_approved_into_a_campaign(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    setup: dict[str, Any],
) -> None:
    campaign, slug = setup["campaign"], setup["page"]["slug"]
    response = page.goto(f"{stack.base_url}/apply/{slug}?campaign={campaign['slug']}")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1, name="Apply to work with Demo Brand")).to_be_visible()
    expect(page.get_by_role("heading", name=f"You are applying for {campaign['name']}")).to_be_visible()
    looks_right(page, f"portal-apply-form-{size}")

    # A mistake first: the form comes back with the values kept and the reason at the field.
    form = page.get_by_role("region", name="Your application")
    form.get_by_label("Your name").fill(setup["name"])
    form.get_by_label("Email").fill("nia-at-example")
    account = form.get_by_role("group", name="Account 1")
    account.get_by_label("Platform").select_option("tiktok")
    account.get_by_label("Handle").fill("@nia.trails")
    account.get_by_label("Followers").fill("18,500")
    form.get_by_label("Country").fill("gb")
    form.get_by_label("A note to the brand").fill("Fell running in the Lakes.")
    form.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the marked fields")
    email = page.get_by_role("textbox", name="Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        re.compile(r"Enter an email address like name@example\.com\.")
    )
    expect(page.get_by_role("link", name="Enter an email address like name@example.com.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Your name")).to_have_value(setup["name"])
    looks_right(page, f"portal-apply-errors-{size}")

    email.fill(setup["email"])
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", level=1, name="Almost done")).to_be_visible()
    expect(page.get_by_text("Check your email.")).to_be_visible()
    looks_right(page, f"portal-apply-sent-{size}")

    # The confirmation email, in the local outbox: its link asks before it confirms.
    (mail,) = outbox_for(stack, setup["email"])
    assert mail["subject"] == "Confirm your application to Demo Brand"
    (link,) = [u for u in mail["links"] if "/confirm?t=" in u]
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Confirm your application")).to_be_visible()
    looks_right(page, f"portal-apply-confirm-{size}")
    page.get_by_role("button", name="Confirm my application").click()
    expect(page.get_by_role("heading", level=1, name="Thank you")).to_be_visible()
    looks_right(page, f"portal-apply-done-{size}")
    # The link worked once.
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="This link does not work")).to_be_visible()

    # The admin approves it in the console, into the campaign.
    signed_in(page, stack, member)
    page.goto(f"{stack.base_url}/console/#/applications")
    expect(page.get_by_role("heading", level=1, name="Applications")).to_be_visible()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=setup["name"]))
    expect(card).to_contain_text(setup["email"])
    expect(card).to_contain_text("tiktok: @nia.trails · 18,500 followers")
    expect(card).to_contain_text("Fell running in the Lakes.")
    approve = card.get_by_role("form", name=f"Approve {setup['name']}")
    expect(approve.get_by_label("Start a collaboration in")).to_have_value(
        campaign["id"]
    )  # the one applied to
    looks_right(page, f"portal-apply-console-{size}")
    approve.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").filter(has_text="is approved")).to_have_text(
        f"{setup['name']} is approved; a collaboration started in {campaign['name']}."
    )
    expect(page.get_by_role("heading", name=setup["name"])).to_have_count(0)

    # The collaboration is on the campaign's board, invited.
    page.goto(f"{stack.base_url}/console/#/campaigns/{campaign['id']}/board")
    invited = page.get_by_role("list", name="Invited")
    expect(invited.get_by_role("article", name=setup["name"])).to_be_visible(timeout=20_000)


def test_the_application_page_settings_tab(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    setup: dict[str, Any],
) -> None:
    signed_in(page, stack, member)
    page.goto(f"{stack.base_url}/console/#/settings?tab=apply")
    expect(page.get_by_role("heading", level=2, name="Application page")).to_be_visible()
    share = f"{stack.base_url}/apply/{setup['page']['slug']}"
    expect(page.get_by_role("link", name=share)).to_be_visible()
    page.get_by_label("Address (slug)").fill("Not A Slug")
    page.get_by_role("button", name="Save application page").click()
    expect(page.get_by_label("Address (slug)")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Address (slug)").fill(f"demo-{size}-2")
    page.get_by_label("Intro").fill("Trail runners and hikers, any size.")
    page.get_by_role("button", name="Save application page").click()
    expect(page.get_by_role("status").filter(has_text="saved")).to_have_text("The application page is saved.")
    expect(page.get_by_role("link", name=f"{stack.base_url}/apply/demo-{size}-2")).to_be_visible()
    looks_right(page, f"portal-apply-settings-{size}")
