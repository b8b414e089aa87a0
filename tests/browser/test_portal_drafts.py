"""Content drafts on the collaboration page at phone size (390×844), on the local stack: the
creator uploads an image straight to (the local front of) S3, sees it, submits it with a caption;
the brand asks for changes (API); the creator reads the comments of round 1, uploads again and
submits round 2; the brand approves; the page says so and asks for the post. Files too large or of
the wrong type are refused with a clear message (before the upload by the page's script, after it
by the server's check of the file's first bytes). axe on each state; each page ≤ 100 KB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.conftest import EXTRA_MEMBERS, looks_right
from tests.browser.data import SLOW, png
from tests.e2e.test_workflows import Flow
from tests.stack import RunningStack, start_stack

MAX_BYTES = 64 * 1024  # the stack's upload limit here, so a too-large file is small to make
PHONE = pytest.mark.parametrize("size", ["phone"], indirect=True)


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    running = start_stack({"ROSTER_LOCAL_EXTRA_MEMBERS": EXTRA_MEMBERS, "MAX_UPLOAD_BYTES": str(MAX_BYTES)})
    yield running
    running.stop()


def at_content(stack: RunningStack, name: str) -> tuple[Flow, str, str]:
    """A collaboration whose step waits for the creator's draft: its id and page URL."""
    flow = Flow(stack, SLOW | {"content_rounds": 3}, name=f"Drafts {name}")
    cid = flow.creators(name)[name]
    flow.creator(cid, "accept")
    flow.creator(cid, "accept-terms")
    flow.creator(cid, "sign", {"name": f"{name} Flow"})
    return flow, cid, flow.waiting(cid, "submit-content")["creator_url"]


def open_page(page: Page, url: str) -> int:
    """Opens the page; its size in bytes as sent (images aside)."""
    response = page.goto(url)
    assert response is not None and response.status == 200, response and response.status
    return len(response.body())


def upload(page: Page, name: str, data: bytes, mime: str) -> None:
    content = page.locator("#content")
    content.get_by_label("Add an image or video").set_input_files(
        FilePayload(name=name, mimeType=mime, buffer=data)
    )
    content.get_by_role("button", name="Upload file").click()


def submit(page: Page, caption: str) -> None:
    content = page.locator("#content")
    content.get_by_label("Caption").fill(caption)
    content.get_by_role("button", name="Submit draft for review").click()
    expect(page.get_by_text("Your draft was sent to the brand for review.")).to_be_visible()


def shows_image(page: Page, name: str) -> None:
    img = page.get_by_role("img", name=f"Draft file {name}").first
    expect(img).to_be_visible()
    # decoded, through a signed URL of the S3 front that the page's CSP allows
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle(), timeout=10_000)


@PHONE
def test_drafts_back_and_forth_until_approved(page: Page, stack: RunningStack) -> None:
    flow, cid, url = at_content(stack, "Dana")
    assert open_page(page, url) <= 100_000
    content = page.locator("#content")
    expect(content.get_by_role("heading", name="Content")).to_be_visible()
    looks_right(page, "portal-drafts-empty")

    upload(page, "trail-look.png", png(320, 200, (40, 120, 80)), "image/png")
    expect(page.get_by_text("Your file was uploaded.")).to_be_visible()
    assert "#content" in page.url
    shows_image(page, "trail-look.png")
    expect(content.get_by_role("button", name="Remove trail-look.png")).to_be_visible()
    looks_right(page, "portal-drafts-uploaded")
    submit(page, "Trail day with @peakgear #ad")

    flow.brand(cid, "request-changes", {"comments": "Show the sole grip, please."})
    flow.waiting(cid, "submit-content")
    assert open_page(page, url) <= 100_000
    expect(content.get_by_text("The brand asked for changes to round 1")).to_be_visible()
    round1 = content.locator("#round-1")
    expect(round1.get_by_text("Show the sole grip, please.")).to_be_visible()
    expect(round1.get_by_text("Changes requested")).to_be_visible()
    shows_image(page, "trail-look.png")
    expect(content.get_by_text("2 rounds left")).to_be_visible()
    looks_right(page, "portal-drafts-changes-requested")

    upload(page, "sole-grip.png", png(200, 320, (150, 90, 30)), "image/png")
    expect(page.get_by_text("Your file was uploaded.")).to_be_visible()
    submit(page, "Round two: the sole grip up close #ad")

    flow.brand(cid, "approve-content")
    c = flow.waiting(cid, "submit-post")
    assert [len(p["media"]) for p in c["proposals"]] == [1, 1]
    assert c["proposals"][0]["media"][0]["url"].startswith(stack.base_url + "/_local/s3/")
    assert open_page(page, url) <= 100_000
    round2 = content.locator("#round-2")
    expect(round2.get_by_text("Approved", exact=True)).to_be_visible()
    expect(round2.get_by_text("submit the live post's link")).to_be_visible()
    expect(content.get_by_label("Add an image or video")).to_have_count(0)  # no more drafts
    looks_right(page, "portal-drafts-approved")


@PHONE
def test_too_large_or_wrong_type_is_refused_with_a_clear_message(page: Page, stack: RunningStack) -> None:
    flow, cid, url = at_content(stack, "Eli")
    open_page(page, url)
    content = page.locator("#content")
    # Before the upload, the page's script: too large, and a type the bucket does not take.
    upload(page, "huge.png", png(8, 8, (1, 2, 3)) + bytes(MAX_BYTES), "image/png")
    alert = content.locator("#upload-error")
    expect(alert).to_have_text("That file is too large: the limit is 64 KB.")
    upload(page, "notes.txt", b"hello", "text/plain")
    expect(alert).to_contain_text("That type of file cannot be uploaded: use JPEG, PNG")
    assert page.url == url  # nothing left the phone
    looks_right(page, "portal-drafts-refused-before")

    # After it, the server's check of the first bytes: text named like a PNG.
    upload(page, "fake.png", b"not an image at all, only text" * 10, "image/png")
    expect(page.get_by_role("heading", level=1, name="File not added")).to_be_visible()
    expect(page.get_by_text("is not a photo or video we can take")).to_be_visible()
    expect(page.get_by_text("Nothing was added to your draft.")).to_be_visible()
    looks_right(page, "portal-drafts-refused-after")
    page.get_by_role("link", name="Back to your collaboration").click()
    expect(content.get_by_role("button", name="Submit draft for review")).to_be_visible()
    assert content.locator(".drafts-media li").count() == 0
    assert flow.get(cid)["proposals"] == []
