"""The local outbox (`/_local/outbox`): every email the stack sent, with links that work against it,
and a brand's own sender domain working locally."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import quote, urlsplit

from tests.e2e.test_workflows import Flow
from tests.integration.conftest import CAMPAIGN
from tests.stack import API_KEY, RunningStack, request

AUTH = {"Authorization": f"Bearer {API_KEY}"}
# Not @mail.roster.example: the local stack verifies the domain a brand sets as its sender.
SENDER = {
    "from_email": "partnerships@peakgear.example",
    "from_name": "Peak Gear Partnerships",
    "postal_address": "Peak Gear Inc., 12 Ridge Road, Boulder, CO 80302, USA",
    "signature": "Jo at Peak Gear",
}


def call(stack: RunningStack, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    status, _, out = request(stack.base_url, method, path, body=data, headers=AUTH)
    return status, out


def outbox_for(
    stack: RunningStack, address: str, count: int = 1, timeout: float = 30
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = request(stack.base_url, "GET", f"/_local/outbox.json?to={quote(address)}")
        assert status == 200, body
        if len(body["items"]) >= count or time.monotonic() > deadline:
            return list(body["items"])
        time.sleep(0.3)


def no_follow(url: str, method: str = "GET") -> tuple[int, dict[str, str]]:
    """One request, redirects not followed (a tracking link answers 302 to the shop)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.request(method, parts.path, headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile"})
        resp = conn.getresponse()
        resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def test_outreach_lands_in_the_outbox_and_its_links_work(stack: RunningStack) -> None:
    status, settings = call(stack, "PUT", "/v1/outreach/settings", SENDER)
    assert status == 200, settings
    assert any("/_local/outbox" in line for line in stack.output)  # `make run` says where
    campaign = call(stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": "Outbox e2e", "status": "active"})[1]
    email = f"maya.{campaign['id'][-6:].lower()}@outbox.example"
    maya = call(stack, "POST", "/v1/creators", {"name": "Maya Outbox", "email": email})[1]
    link = call(
        stack,
        "POST",
        "/v1/links",
        {
            "campaign_id": campaign["id"],
            "creator_id": maya["id"],
            "destination": "https://shop.example.com/x",
        },
    )[1]
    template = call(
        stack,
        "POST",
        "/v1/email-templates",
        {
            "name": "Outbox",
            "subject": "{{ campaign.name }}: hi {{ creator.first_name }}",
            "html": '<p>{{ offer }}</p><p><a href="{{ link }}">Shop</a> with {{ promo_code }}</p>',
            "text": "{{ offer }}\nShop: {{ link }} with {{ promo_code }}\n{{ signature }}",
        },
    )[1]
    ask = {"creator_id": maya["id"], "campaign_id": campaign["id"], "offer": "Free boots."}
    status, preview = call(stack, "POST", f"/v1/email-templates/{template['id']}/preview", ask)
    assert status == 200 and preview["samples"] == ["promo_code", "reply_to"], preview  # no code yet
    call(
        stack,
        "POST",
        "/v1/promo-codes",
        {"campaign_id": campaign["id"], "creator_id": maya["id"], "code": "MAYAOUT"},
    )
    preview = call(stack, "POST", f"/v1/email-templates/{template['id']}/preview", ask)[1]
    assert preview["samples"] == ["reply_to"]

    body = {
        "steps": [{"template_id": template["id"]}, {"template_id": template["id"], "delay_days": 7}],
        "audience": {"creator_ids": [maya["id"]]},
        "offer": "Free boots.",
    }
    assert call(stack, "POST", f"/v1/campaigns/{campaign['id']}/outreach", body)[0] == 202
    (sent,) = outbox_for(stack, email)
    assert sent["from"] == SENDER["from_email"] and sent["to"] == [email]
    assert (sent["subject"], sent["text"], sent["html"]) == (
        preview["subject"],
        preview["text"],
        preview["html"],
    )
    assert f"Shop: {link['url']} with MAYAOUT\nJo at Peak Gear\n" in sent["text"]

    # The links point at this stack: the tracking link redirects to the shop...
    assert link["url"] in sent["links"] and link["url"].startswith(stack.base_url)
    status, headers = no_follow(link["url"])
    assert status == 302 and headers["location"].startswith("https://shop.example.com/x")
    # ...and the unsubscribe link (footer and List-Unsubscribe) shows its page, then unsubscribes.
    (unsubscribe,) = [u for u in sent["links"] if u.startswith(f"{stack.base_url}/u/")]
    assert f"<{unsubscribe}>" in sent["headers"]["List-Unsubscribe"]
    status, _, page = request(stack.base_url, "GET", urlsplit(unsubscribe).path)
    assert status == 200 and "Unsubscribe from Demo Brand?" in page and '<form method="post"' in page
    status, _, page = request(stack.base_url, "POST", urlsplit(unsubscribe).path)
    assert status == 200 and "You are unsubscribed" in page
    funnel = call(stack, "GET", f"/v1/campaigns/{campaign['id']}/outreach")[1]
    (state,) = funnel["creators"]  # the follow-up a week later is not sent
    assert (state["status"], state["stop_reason"], funnel["funnel"]["unsubscribed"]) == (
        "stopped",
        "unsubscribed",
        1,
    )

    # The pages a person reads: the index links each message; a message shows its links clickable.
    status, _, index = request(stack.base_url, "GET", "/_local/outbox")
    assert status == 200 and f'href="{sent["url"]}"' in index and "Outbox e2e: hi Maya" in index
    status, _, one = request(stack.base_url, "GET", sent["url"])
    assert status == 200 and f'<a href="{unsubscribe}">' in one and "srcdoc=" in one
    status, _, raw = request(stack.base_url, "GET", sent["url"] + ".eml")
    assert status == 200 and "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    assert request(stack.base_url, "GET", "/_local/outbox/nope")[0] == 404


def test_an_invitation_lands_in_the_outbox_with_a_working_creator_page(stack: RunningStack) -> None:
    """A workflow's email (the invitation sequence) is in the outbox too; its page link opens."""
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    invite = call(
        stack,
        "POST",
        "/v1/email-templates",
        {
            "name": "Invite",
            "subject": "{{ campaign.name }}: an invitation",
            "html": '<p>Hi {{ creator.first_name }}, <a href="{{ page_url }}">see the offer</a></p>',
            "text": "Hi {{ creator.first_name }}, see the offer: {{ page_url }}",
        },
    )[1]
    flow = Flow(stack, {"invite_steps": [{"template_id": invite["id"]}]}, name="Invite outbox e2e")
    flow.creators("Ivy")
    (sent,) = outbox_for(stack, f"ivy.{flow.campaign['id'][-6:].lower()}@wf.example")
    assert sent["subject"] == "Invite outbox e2e: an invitation"
    (page,) = [u for u in sent["links"] if u.startswith(f"{stack.base_url}/c/")]
    status, _, html = request(stack.base_url, "GET", urlsplit(page).path)
    assert status == 200 and "Demo Brand" in html and "Stage:" in html, html
