"""The pages a creator or a link's visitor opens, outside any console: the collaboration page
(/c/…), the unsubscribe page (/u/…) and the redirect's page for a link that does not work."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_fits_width, axe, looks_right, screenshot
from tests.browser.data import creator_pages, sent_email
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack

# A token Roster did not sign (as in the e2e tests).
FORGED_TOKEN = "bm90LWEtdG9rZW4.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def collaboration_pages(stack: RunningStack) -> dict[str, str]:
    return creator_pages(stack)


@pytest.fixture(scope="module")
def dead_links(stack: RunningStack) -> dict[str, str]:
    """A code nobody created, a link past its expiry (without an expired_url) and a disabled one."""
    campaign = call(stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": "Browser links", "status": "active"})[
        1
    ]
    creator = call(stack, "POST", "/v1/creators", {"name": "Lin Page", "email": "lin@browser.example"})[1]
    base = {
        "campaign_id": campaign["id"],
        "creator_id": creator["id"],
        "destination": "https://shop.example.com/x",
    }
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    urls = {"unknown": f"{stack.base_url}/r/no-such-code"}
    for kind, extra in (("expired", {"expires_at": yesterday}), ("disabled", {"enabled": False})):
        status, link = call(stack, "POST", "/v1/links", base | extra)
        assert status == 201, link
        urls[kind] = link["url"]
    return urls


def test_creator_page_shows_the_brands_offer_to_accept(
    page: Page, size: str, collaboration_pages: dict[str, str]
) -> None:
    response = page.goto(collaboration_pages["offer"])
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1, name="Browser creator pages")).to_be_visible()
    expect(page.get_by_text("Agreeing the terms")).to_be_visible()
    expect(page.get_by_text(re.compile(r"accept the brand's offer or make a counter-offer"))).to_be_visible()
    expect(page.get_by_role("heading", name="Current offer")).to_be_visible()
    expect(page.locator("#offer").get_by_text(re.compile(r"^Offer 1, from the brand"))).to_be_visible()
    expect(page.get_by_role("button", name="Accept these terms")).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    looks_right(page, f"creator-offer-{size}")


def test_creator_page_asks_for_the_post(page: Page, size: str, collaboration_pages: dict[str, str]) -> None:
    response = page.goto(collaboration_pages["post"])
    assert response is not None and response.status == 200
    expect(page.get_by_text("Going live: publish and submit your posts")).to_be_visible()
    expect(page.get_by_role("heading", name="Deliverables")).to_be_visible()
    expect(page.get_by_text("due: submit its post").first).to_be_visible()
    expect(page.get_by_role("textbox", name="Post URL")).to_be_visible()
    expect(page.get_by_role("textbox", name="Caption, as posted")).to_be_visible()
    expect(page.get_by_role("button", name="Submit post")).to_be_visible()
    looks_right(page, f"creator-post-{size}")


def test_unsubscribe_page_asks_then_unsubscribes(page: Page, size: str, stack: RunningStack) -> None:
    sent = sent_email(stack, f"Una{size}")
    (url,) = [u for u in sent["links"] if u.startswith(f"{stack.base_url}/u/")]
    response = page.goto(url)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1, name="Unsubscribe from Demo Brand?")).to_be_visible()
    expect(page.get_by_text("Stop emails from Demo Brand about collaborations.")).to_be_visible()
    looks_right(page, f"unsubscribe-{size}")

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1, name="You are unsubscribed")).to_be_visible()
    expect(page.get_by_text("You will not get more emails from Demo Brand")).to_be_visible()
    assert_fits_width(page)
    axe(page)


def test_unsubscribe_page_for_a_link_roster_did_not_sign(page: Page, stack: RunningStack) -> None:
    response = page.goto(f"{stack.base_url}/u/{FORGED_TOKEN}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Link not found")).to_be_visible()
    expect(page.get_by_text("This unsubscribe link is not valid.")).to_be_visible()
    assert_fits_width(page)
    axe(page)


@pytest.mark.parametrize("kind", ["unknown", "expired", "disabled"])
def test_redirect_page_for_a_link_that_does_not_work(
    page: Page, size: str, kind: str, dead_links: dict[str, str]
) -> None:
    response = page.goto(dead_links[kind])
    assert response is not None and response.status == 404, json.dumps(dead_links)
    expect(page.get_by_role("heading", level=1, name="Link not found")).to_be_visible()
    expect(page.get_by_text("This link does not exist or is no longer active.")).to_be_visible()
    assert_fits_width(page)
    axe(page)
    if kind == "unknown":
        screenshot(page, f"link-not-found-{size}")
