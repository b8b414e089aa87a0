"""What the browser tests need on the local stack, set up through the public API as a brand would
(the same calls the e2e tests make): an outreach email in the outbox, collaborations at a step."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from tests.e2e.test_outbox import outbox_for
from tests.e2e.test_workflows import Flow, call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack

SENDER = {
    "from_email": "team@mail.roster.example",
    "from_name": "Demo Partnerships",
    "postal_address": "Demo Brand, 1 Main Street, Springfield",
}
# Long enough that no step times out while a test looks at the page.
SLOW = dict.fromkeys(
    (
        "answer_seconds",
        "negotiate_seconds",
        "sign_due_seconds",
        "content_due_seconds",
        "review_seconds",
        "post_due_seconds",
    ),
    900,
)


def sent_email(stack: RunningStack, first_name: str) -> dict[str, Any]:
    """One outreach email to a new creator, as the outbox shows it (subject, links, its page)."""
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    status, campaign = call(
        stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": "Browser", "status": "active"}
    )
    assert status == 201, campaign
    email = f"{first_name.lower()}.{campaign['id'][-6:].lower()}@browser.example"
    status, creator = call(stack, "POST", "/v1/creators", {"name": f"{first_name} Page", "email": email})
    assert status == 201, creator
    status, template = call(
        stack,
        "POST",
        "/v1/email-templates",
        {
            "name": "Browser",
            "subject": "{{ campaign.name }}: hi {{ creator.first_name }}",
            "html": "<p>Hi {{ creator.first_name }}! {{ offer }}</p>",
            "text": "Hi {{ creator.first_name }}! {{ offer }}",
        },
    )
    assert status == 201, template
    body = {"steps": [{"template_id": template["id"]}], "audience": {"creator_ids": [creator["id"]]}}
    status, out = call(stack, "POST", f"/v1/campaigns/{campaign['id']}/outreach", body | {"offer": "Boots."})
    assert status == 202, out
    (sent,) = outbox_for(stack, email)
    return sent


def creator_pages(stack: RunningStack) -> dict[str, str]:
    """Two collaborations' creator page URLs: "offer" waits for the creator to accept the brand's
    terms; "post" waits for the post's URL (contract signed, content approved)."""
    flow = Flow(stack, SLOW, name="Browser creator pages")
    ids = flow.creators("Bea", "Cal")
    offer, post = ids["Bea"], ids["Cal"]
    flow.creator(offer, "accept")
    flow.creator(post, "accept")
    flow.creator(post, "accept-terms")
    flow.creator(post, "sign", {"name": "Cal Flow"})
    flow.creator(post, "submit-content", {"text": "Draft: trail reel with @peakgear"})
    flow.brand(post, "approve-content")
    return {
        "offer": flow.waiting(offer, "accept-terms")["creator_url"],
        "post": flow.waiting(post, "submit-post")["creator_url"],
    }


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour (the browser decodes it: the thumbnail must show)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
