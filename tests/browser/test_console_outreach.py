"""The console's outreach pages: an email template written with its live preview for a chosen
creator (the preview follows the typing; an unknown field is shown under its field, the focus left
where it was), created and changed; a campaign's outreach tab: a one-step sequence started to two
creators, their emails listed with the SES events (a Delivery and an Open, handed to the stack's
own SES-events function as EventBridge would), the funnel, an answer recorded, the messages
filtered by creator; and the sentence shown when no sender is set. At desktop and phone size,
checked by axe, with no console error or CSP violation."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from playwright.sync_api import Page, expect

from local.template import REGION
from tests.browser.conftest import Member, looks_right
from tests.browser.data import SENDER
from tests.browser.test_console import Watch, member, open_console, sign_in, signed_in, watch  # noqa: F401
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack

EVENTS_FUNCTION = "roster-local-OutreachEventsFunction"


@pytest.fixture
def outreach(stack: RunningStack, size: str) -> dict[str, Any]:
    """Per size: the sender, an active campaign, two creators and a template, through the API."""
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200
    status, campaign = call(
        stack, "POST", "/v1/campaigns", CAMPAIGN | {"name": f"Outreach tab {size}", "status": "active"}
    )
    assert status == 201, campaign
    tag = campaign["id"][-6:].lower()
    creators = {}
    for first in ("Ada", "Ben"):
        body = {"name": f"{first} Reach {size} {tag}", "email": f"{first.lower()}.{tag}@outreach.example"}
        status, creators[first] = call(stack, "POST", "/v1/creators", body)
        assert status == 201, creators[first]
    status, template = call(
        stack,
        "POST",
        "/v1/email-templates",
        {
            "name": f"Invite {size} {tag}",
            "subject": "{{ campaign.name }}: hi {{ creator.first_name }}",
            "html": "<p>Hi {{ creator.first_name }}! {{ offer }}</p>",
            "text": "Hi {{ creator.first_name }}! {{ offer }}",
        },
    )
    assert status == 201, template
    return {"campaign": campaign, "creators": creators, "template": template, "tag": tag}


def ses_event(stack: RunningStack, brand_id: str, message_id: str, kind: str) -> None:
    """One SES event for a message, handed to the stack's SES-events function the way the
    EventBridge rule of template.yaml hands it over (moto's SES publishes none)."""
    client = boto3.client(
        "lambda",
        endpoint_url=f"http://127.0.0.1:{stack.moto_port}",
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    key = kind[:1].lower() + kind[1:]
    detail = {
        "eventType": kind,
        "mail": {"tags": {"brand": [brand_id], "message": [message_id]}},
        key: {"timestamp": datetime.now(UTC).isoformat()},
    }
    event = {"source": "aws.ses", "detail-type": f"Email {kind}", "detail": detail}
    answer = client.invoke(FunctionName=EVENTS_FUNCTION, Payload=json.dumps(event).encode())
    assert json.loads(answer["Payload"].read()) == {"applied": kind}


def test_a_member_writes_a_template_with_a_live_preview(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    outreach: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    ada = outreach["creators"]["Ada"]
    name = f"Hello {size} {outreach['tag']}"
    signed_in(page, stack, member)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Outreach").click()
    expect(page.get_by_role("heading", level=1, name="Outreach")).to_be_visible()
    templates = page.get_by_role("table", name="Email templates")
    expect(templates.get_by_role("link", name=outreach["template"]["name"])).to_be_visible()
    expect(page.get_by_role("link", name=f"Outreach tab {size}: outreach").first).to_be_visible()
    looks_right(page, f"console-outreach-{size}")

    page.get_by_role("link", name="New template").click()
    expect(page.get_by_role("heading", level=1, name="New email template")).to_be_visible()
    expect(page.get_by_text("{{ creator.first_name }}").first).to_be_visible()  # the fields listed
    page.get_by_label("Name").fill(name)
    page.get_by_label("Subject").fill("Hi {{ creator.first_name }}")
    page.get_by_label("HTML body").fill(
        '<style>p { color: #333 }</style><p style="font-size:16px">Hello <b>{{ creator.name }}</b>, {{ offer }}</p>'
    )
    page.get_by_label("Text body").fill("Hello {{ creator.name }}, {{ offer }}")
    page.get_by_label("Preview for creator").select_option(label=ada["name"])
    page.get_by_label("Offer (optional)").fill("Free boots and a fee")
    head = page.locator(".email-head")
    expect(head).to_contain_text("Hi Ada")
    expect(head).to_contain_text(ada["email"])
    expect(page.get_by_label("Text part")).to_contain_text(f"Hello {ada['name']}, Free boots and a fee")
    expect(page.get_by_label("Text part")).to_contain_text("Demo Brand, 1 Main Street")  # the footer
    frame = page.frame_locator("iframe[title='HTML part of the preview']")
    expect(frame.get_by_text(ada["name"])).to_be_visible()
    expect(
        page.get_by_text("Inline styles, style sheets and remote images are left out here")
    ).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=f"Preview for {ada['name']} updated")).to_be_attached()
    # Scrolled to: Chromium paints no frame outside the viewport, so a screenshot would miss it.
    page.locator("iframe").scroll_into_view_if_needed()
    looks_right(page, f"console-outreach-template-{size}")

    # An unknown field, while typing: under the HTML field, the focus left in it; fixed, it goes.
    html = page.get_by_label("HTML body")
    html.fill("<p>Hello {{ creator.nick }}</p>")
    expect(html).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Unknown field `creator.nick`")).to_be_visible()
    expect(html).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("The template has an error")
    looks_right(page, f"console-outreach-template-error-{size}")
    html.fill("<p>Hello <b>{{ creator.name }}</b>, {{ offer }}</p>")
    expect(html).not_to_have_attribute("aria-invalid", "true")
    expect(frame.get_by_text(ada["name"])).to_be_visible()

    page.get_by_role("button", name="Create template").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(page.get_by_text(f"Template “{name}” created.")).to_be_visible()
    saved = [t for t in call(stack, "GET", "/v1/email-templates?limit=100")[1]["items"] if t["name"] == name]
    assert [t["fields"] for t in saved] == [["creator.first_name", "creator.name", "offer"]]
    # The saved template previews too, and a change is saved as its next version.
    page.get_by_label("Preview for creator").select_option(label=ada["name"])
    expect(page.locator(".email-head")).to_contain_text("Hi Ada")
    page.get_by_label("Subject").fill("Hi {{ creator.first_name }}, from {{ brand.name }}")
    expect(page.locator(".email-head")).to_contain_text("Hi Ada, from")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(re.compile(r"Saved at .* \(version 2\)\."))).to_be_visible()
    watch.check()


def test_a_member_messages_creators_and_records_an_answer(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    outreach: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    campaign, template = outreach["campaign"], outreach["template"]
    ada, ben = outreach["creators"]["Ada"], outreach["creators"]["Ben"]
    signed_in(page, stack, member)
    page.goto(f"{stack.base_url}/console/#/campaigns/{campaign['id']}")
    expect(page.get_by_role("heading", level=1, name=campaign["name"])).to_be_visible()
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Outreach").click()
    expect(page.get_by_role("heading", level=1, name=campaign["name"])).to_be_visible()
    expect(page.get_by_text("Sent from Demo Partnerships")).to_be_visible()
    expect(page.get_by_text("Nobody messaged yet")).to_be_visible()

    form = page.get_by_role("form", name="Message creators")
    form.get_by_label("Template").select_option(label=template["name"])
    form.get_by_label("Find creators").fill(outreach["tag"])
    form.get_by_label(ada["name"]).check()
    form.get_by_label(ben["name"]).check()
    expect(form.get_by_text("2 creators chosen.")).to_be_visible()
    form.get_by_label("Offer", exact=True).fill("Trail boots and 200 USD")
    looks_right(page, f"console-outreach-start-{size}")
    form.get_by_role("button", name="Start outreach").click()
    expect(
        page.get_by_role("status").filter(has_text="Outreach started: 2 of 2 creators enrolled")
    ).to_be_visible()

    # The send worker sends both (the stack's queue); the tab shows them on its next refresh.
    messages = page.get_by_role("list", name="Messages").get_by_role("article")
    expect(messages).to_have_count(2, timeout=20_000)
    expect(messages.filter(has_text=f"{campaign['name']}: hi Ada")).to_contain_text("sent")

    brand_id = call(stack, "GET", "/v1/me")[1]["brand_id"]
    listed = call(stack, "GET", f"/v1/campaigns/{campaign['id']}/outreach/messages")[1]["items"]
    (to_ada,) = [m for m in listed if m["creator_id"] == ada["id"]]
    ses_event(stack, brand_id, to_ada["id"], "Delivery")
    ses_event(stack, brand_id, to_ada["id"], "Open")
    card = messages.filter(has_text=f"{campaign['name']}: hi Ada")
    timeline = card.get_by_role("list", name=f"Events of the email to {ada['name']}")
    expect(timeline).to_contain_text("Delivered", timeout=15_000)
    expect(timeline).to_contain_text("Opened")
    expect(card.locator(".message-status")).to_have_text("delivered")
    funnel = page.get_by_label("Funnel")
    expect(funnel.locator("div").filter(has_text="Delivered")).to_contain_text("1")
    expect(funnel.locator("div").filter(has_text="Sent")).to_contain_text("2")
    row = page.get_by_role("row").filter(has_text=ada["name"])
    expect(row).to_contain_text("delivered, opened")
    looks_right(page, f"console-outreach-campaign-{size}")

    # Ada said yes on a call: recorded, her sequence stops, the funnel counts it.
    row.get_by_role("button", name="Accepted").click()
    expect(page.get_by_role("status").filter(has_text=f"{ada['name']}: accepted recorded")).to_be_attached()
    expect(row.get_by_role("cell").last).to_have_text("Accepted")
    expect(row).to_contain_text("delivered, opened, accepted")  # one step: already completed
    expect(row.get_by_role("button", name="Accepted")).to_have_count(0)
    expect(funnel.locator("div").filter(has_text="Accepted")).to_contain_text("1")
    pipe = call(stack, "GET", f"/v1/campaigns/{campaign['id']}/outreach")[1]
    assert [e["accepted"] for e in pipe["creators"] if e["creator_id"] == ada["id"]] == [True]

    # The messages of one creator; the filter is kept in the hash.
    page.get_by_label("Creator", exact=True).select_option(label=ben["name"])
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text(f"{campaign['name']}: hi Ben")
    expect(page).to_have_url(re.compile(rf"/outreach\?creator_id={ben['id']}$"))
    watch.check()


def test_without_a_sender_the_tab_says_where_to_set_one(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    outreach: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (404,)
    campaign = outreach["campaign"]
    signed_in(page, stack, member)
    # The brand has a sender (the fixture set it): this browser is told it has none.
    page.route(
        re.compile(r"/v1/outreach/settings$"),
        lambda route: route.fulfill(
            status=404,
            json={"error": {"code": "not_found", "message": "no sender set yet: PUT /v1/outreach/settings"}},
        ),
    )
    page.goto(f"{stack.base_url}/console/#/campaigns/{campaign['id']}/outreach")
    expect(page.get_by_role("heading", level=1, name=campaign["name"])).to_be_visible()
    note = page.get_by_text("No sender is set")
    expect(note).to_be_visible()
    expect(note.get_by_role("link", name="Settings")).to_have_attribute("href", "#/settings")
    looks_right(page, f"console-outreach-no-sender-{size}")
    watch.check()
