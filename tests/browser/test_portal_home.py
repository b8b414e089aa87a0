"""Creator home in the browser, at phone and desktop size: a creator asks for a sign-in link,
opens it from the local outbox, continues, sees their collaboration, link, code and the earning of
a store order with their code, edits the profile (a mistake shown under its field, then saved),
deletes the address and signs out. Every page passes axe; ROSTER_SCREENSHOTS=1 saves them."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import looks_right
from tests.browser.data import SENDER, SLOW
from tests.browser.test_console import store_order
from tests.e2e.test_outbox import outbox_for
from tests.e2e.test_workflows import Flow, call
from tests.stack import RunningStack


@pytest.fixture(scope="module")
def hana(stack: RunningStack) -> dict[str, Any]:
    """A creator invited to a 10 % campaign, with a tracking link, a promo code and one store order
    placed with the code (USD 80.00 → USD 8.00 pending)."""
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    today = datetime.now(UTC).date()
    flow = Flow(
        stack,
        SLOW,
        name="Trail season",
        start_date=(today - timedelta(days=20)).isoformat(),
        end_date=(today + timedelta(days=60)).isoformat(),
        kpis=[{"metric": "conversions", "target": 10, "by": (today + timedelta(days=60)).isoformat()}],
        commission={"plan": {"percent_bps": 1000}},
    )
    collaboration_id = flow.creators("Hana")["Hana"]
    collaboration = flow.waiting(collaboration_id, "accept")
    creator_id = collaboration["creator_id"]
    status, creator = call(stack, "GET", f"/v1/creators/{creator_id}")
    assert status == 200, creator
    ids = {"campaign_id": flow.campaign["id"], "creator_id": creator_id}
    status, link = call(stack, "POST", "/v1/links", ids | {"destination": "https://shop.example.com/x"})
    assert status == 201, link
    code = f"HANA{flow.campaign['id'][-4:]}"
    assert call(stack, "POST", "/v1/promo-codes", ids | {"code": code})[0] == 201
    secret = "portal_home_browser_0123456789abc"
    url = call(stack, "PUT", "/v1/integrations/orders", {"secret": secret})[1]["webhook_url"]
    brand_id = url.rstrip("/").rsplit("/", 1)[1]
    url = url.replace("https://", "http://", 1)
    order = f"ORD-H{flow.campaign['id'][-6:]}"
    store_order(stack, url, secret, order_id=order, code=code, subtotal=8000, email="buyer@home.example")
    return {
        "brand_id": brand_id,
        "email": creator["email"],
        "link": link,
        "code": code,
        "order": order,
        "campaign": flow.campaign["name"],
    }


def sign_in_link(stack: RunningStack, address: str, known: set[str]) -> str:
    """The newest sign-in link emailed to `address` that was not there before."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for m in outbox_for(stack, address, count=1):
            if m["id"] not in known and m["subject"].startswith("Your sign-in link"):
                return str(next(u for u in m["links"] if "/link?t=" in u))
        time.sleep(0.3)
    raise AssertionError(f"no sign-in link for {address}")


def test_a_creator_signs_in_by_email_and_keeps_their_profile(
    page: Page, size: str, stack: RunningStack, hana: dict[str, Any]
) -> None:
    home = f"{stack.base_url}/h/{hana['brand_id']}"
    response = page.goto(home)
    assert response is not None and response.status == 200
    assert "default-src 'none'" in (response.headers.get("content-security-policy") or "")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    looks_right(page, f"portal-home-sign-in-{size}")

    known = {m["id"] for m in outbox_for(stack, hana["email"], count=0, timeout=0)}
    page.get_by_label("Your email address").fill(hana["email"])
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")
    looks_right(page, f"portal-home-link-sent-{size}")

    link = sign_in_link(stack, hana["email"], known)
    assert link.startswith(home + "/link?t=")
    page.goto(link)
    expect(page.get_by_role("heading", name="Continue as Hana Flow")).to_be_visible()
    looks_right(page, f"portal-home-continue-{size}")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1, name="Your creator home")).to_be_visible()
    assert page.url == home
    collaborations = page.get_by_role("region", name="Collaborations")
    expect(collaborations.get_by_role("heading", name=hana["campaign"])).to_be_visible()
    expect(collaborations.get_by_text("Invited")).to_be_visible()
    expect(collaborations).to_contain_text("Waiting for you: accept or decline the invitation")
    page_link = collaborations.get_by_role("link", name=f"Open the {hana['campaign']} page")
    assert "/c/" in (page_link.get_attribute("href") or "")
    links = page.get_by_role("region", name="Your links and codes")
    expect(links.get_by_label(f"Tracking link: {hana['campaign']}")).to_have_value(
        f"{stack.base_url}/r/{hana['link']['code']}"
    )
    expect(links.get_by_label(f"Promo code: {hana['campaign']}")).to_have_value(hana["code"])
    # The order with the code is booked by the stack's workers: reload until its earning shows.
    earnings = page.get_by_role("region", name="Earnings")
    for _ in range(30):
        if "USD 8.00" in (earnings.text_content() or ""):
            break
        time.sleep(0.5)
        page.reload()
    expect(earnings.get_by_role("row", name="USD 8.00 0.00 0.00").first).to_be_visible()
    assert hana["order"] not in (earnings.text_content() or "") and "buyer@" not in page.content()
    earnings.get_by_text(re.compile(r"^\w+ \d{4}: USD 8\.00$")).click()  # the month opens its lines
    expect(earnings.get_by_text(f"Sale #…{hana['order'][-4:]}")).to_be_visible()
    expect(page.get_by_role("region", name="Payouts")).to_contain_text("No payouts yet")
    looks_right(page, f"portal-home-{size}")

    # A mistake is shown under its field and nothing is saved.
    profile = page.get_by_role("region", name="Profile")
    profile.get_by_label("Payout email").fill("hana.pay@home.example")
    profile.get_by_label("Name on the parcel").fill("Hana Flow")
    profile.get_by_label("Address", exact=True).fill("1 Ridge Road")
    profile.get_by_label("City").fill("Boulder")
    profile.get_by_label("Postal code").fill("80302")
    profile.get_by_label("Country").fill("U")
    profile.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved")
    country = page.get_by_role("region", name="Profile").get_by_label("Country")
    expect(country).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#profile-address_country-error")).to_be_visible()
    looks_right(page, f"portal-home-profile-error-{size}")

    country.fill("US")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status").first).to_have_text("Your profile is saved.")
    profile = page.get_by_role("region", name="Profile")
    expect(profile.get_by_label("Payout email")).to_have_value("hana.pay@home.example")
    expect(profile.get_by_label("City")).to_have_value("Boulder")

    page.get_by_role("button", name="Delete my shipping address").click()
    expect(page.get_by_role("status").first).to_have_text("Your shipping address is deleted.")
    expect(page.get_by_role("region", name="Profile").get_by_label("City")).to_have_value("")
    expect(page.get_by_role("button", name="Delete my shipping address")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status").first).to_have_text("You are signed out.")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    # The link worked once: opening it again offers a new one.
    response = page.goto(link)
    assert response is not None and response.status == 410
    expect(page.get_by_role("alert")).to_contain_text("does not work any more")
    looks_right(page, f"portal-home-link-used-{size}")
