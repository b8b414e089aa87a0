"""Tenant isolation as people see it: the admin of a second brand signs in to the same console and
sees nothing of the demo brand — not its campaigns, creators, alerts or orders, not even by typing a
campaign's or a creator's id into the address bar (the API answers 404, the page says "not found").
And a plain member of the demo brand signs in as themselves: their name and role in the header."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Member, looks_right
from tests.browser.test_console import Watch, open_console, sign_in, signed_in, watch  # noqa: F401
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack


def _demo_brand_data(stack: RunningStack, size: str) -> dict[str, Any]:
    campaign = call(
        stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": f"Demo secret plan {size}", "status": "active"}
    )[1]
    creator = call(
        stack,
        "POST",
        "/v1/creators",
        {"name": f"Demo Only Creator {size}", "email": f"only-{size}@demo.example"},
    )[1]
    return {"campaign": campaign, "creator": creator}


def test_a_second_brand_sees_nothing_of_the_first(
    page: Page,
    size: str,
    stack: RunningStack,
    other_member: Member,
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (404,)
    demo = _demo_brand_data(stack, size)
    signed_in(page, stack, other_member)
    header = page.locator("header")
    expect(header.get_by_text("(admin)")).to_be_visible()
    expect(header.get_by_text("Other Brand")).to_be_visible()
    expect(page.get_by_text(re.compile("Demo secret plan"))).to_have_count(0)

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_visible()
    expect(page.get_by_text("No campaign yet.")).to_be_visible()
    expect(page.get_by_text(re.compile("Demo secret plan"))).to_have_count(0)

    page.goto(f"{stack.base_url}/console/#/campaigns/{demo['campaign']['id']}")
    expect(page.get_by_role("heading", level=1, name="Campaign not found")).to_be_visible()
    looks_right(page, f"console-other-brand-{size}")

    page.goto(f"{stack.base_url}/console/#/creators")
    expect(page.get_by_role("heading", level=1, name="Creators")).to_be_visible()
    expect(page.get_by_text(re.compile("Demo Only Creator"))).to_have_count(0)

    page.goto(f"{stack.base_url}/console/#/alerts")
    expect(page.get_by_role("heading", level=1, name="Alerts")).to_be_visible()
    expect(page.get_by_text(re.compile("Demo secret plan"))).to_have_count(0)
    watch.check()


def test_a_plain_member_signs_in_as_themselves(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: Member,
    watch: Watch,  # noqa: F811
) -> None:
    signed_in(page, stack, plain_member)
    header = page.locator("header")
    expect(header.get_by_text("Sam Plain")).to_be_visible()
    expect(header.get_by_text("(member)")).to_be_visible()
    expect(header.get_by_text("Demo Brand")).to_be_visible()
    watch.check()
