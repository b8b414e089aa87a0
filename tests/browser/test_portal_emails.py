"""The step emails as a creator gets them: read in the local outbox, their link opens the creator's
own page. Phone-size screenshots of two of them go to docs/screenshots/portal-emails-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_fits_width, axe, screenshot
from tests.browser.data import SENDER, SLOW
from tests.e2e.test_outbox import outbox_for
from tests.e2e.test_workflows import Flow, call
from tests.stack import RunningStack


@pytest.fixture(scope="module")
def emails(stack: RunningStack) -> dict[str, dict[str, Any]]:
    """The invitation to one creator and the contract email to another, as the outbox has them."""
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    flow = Flow(stack, SLOW, name="Browser step emails")
    ids = flow.creators("Pia", "Rex")
    flow.creator(ids["Rex"], "accept")
    flow.creator(ids["Rex"], "accept-terms")
    flow.waiting(ids["Rex"], "sign")
    found: dict[str, dict[str, Any]] = {}
    for name, subject in (
        ("Pia", "Demo Brand invites you to Browser step emails"),
        ("Rex", "Your contract with Demo Brand is ready to sign"),
    ):
        address = f"{name.lower()}.{flow.campaign['id'][-6:].lower()}@wf.example"
        items = outbox_for(stack, address, count=2 if name == "Rex" else 1)
        (message,) = [m for m in items if m["subject"] == subject]
        found[name] = message | {"page": flow.get(ids[name])["creator_url"]}
    return found


@pytest.mark.parametrize(
    ("who", "what", "label"),
    [("Pia", "invite", "See the invitation"), ("Rex", "contract", "Read and sign the contract")],
)
def test_a_step_email_reads_well_and_its_link_opens_the_creators_page(
    page: Page,
    size: str,
    stack: RunningStack,
    emails: dict[str, dict[str, Any]],
    who: str,
    what: str,
    label: str,
) -> None:
    message = emails[who]
    response = page.goto(stack.base_url + message["url"])
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1, name=message["subject"])).to_be_visible()
    assert message["page"] in message["links"]
    # The HTML part a mail app shows: the link is a button-like sentence, not a raw URL.
    html = page.frame_locator("iframe[title='HTML part']")
    expect(html.get_by_role("link", name=label)).to_have_attribute("href", message["page"])
    assert_fits_width(page)
    axe(page)
    page.get_by_role("link", name=message["page"]).click()
    page.wait_for_load_state()
    assert page.url == message["page"]
    expect(page.get_by_text("Demo Brand").first).to_be_visible()
    if size == "phone":  # the email as a mail app shows it (the outbox's frame is not captured)
        page.set_content(f'<meta name="viewport" content="width=device-width">{message["html"]}')
        expect(page.get_by_role("link", name=label)).to_be_visible()
        screenshot(page, f"portal-emails-{what}")
