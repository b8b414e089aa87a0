"""The local outbox (`/_local/outbox`), the pages a developer reads every email the stack sent on."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import looks_right
from tests.browser.data import sent_email
from tests.stack import RunningStack


@pytest.fixture(scope="module")
def sent(stack: RunningStack) -> dict[str, Any]:
    return sent_email(stack, "Olive")


def test_outbox_lists_what_was_sent(page: Page, size: str, stack: RunningStack, sent: dict[str, Any]) -> None:
    response = page.goto(f"{stack.base_url}/_local/outbox")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1, name="Local outbox")).to_be_visible()
    expect(page.get_by_role("link", name=sent["subject"])).to_be_visible()
    expect(page.get_by_role("cell", name=sent["to"][0])).to_be_visible()
    looks_right(page, f"outbox-{size}")


def test_outbox_shows_one_message(page: Page, size: str, stack: RunningStack, sent: dict[str, Any]) -> None:
    response = page.goto(stack.base_url + sent["url"])
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1, name=sent["subject"])).to_be_visible()
    expect(page.get_by_role("heading", name="Links")).to_be_visible()
    for url in sent["links"]:
        expect(page.get_by_role("link", name=url)).to_be_visible()
    expect(page.locator("iframe[title='HTML part']")).to_be_visible()
    expect(page.get_by_role("heading", name="Text part")).to_be_visible()
    looks_right(page, f"outbox-message-{size}")
