"""The overview (#/overview) as it refreshes itself: a signed store webhook order arrives and the
chosen campaign's orders, revenue and commissions charts (its report's per-day series) show it
within a few seconds, without a reload; a refresh between the slow ones costs four /v1 requests
whatever the number of campaigns; a collaboration whose draft waits for the brand's approval is in
"Needs attention" with a link to its campaign's board. At desktop and phone size, checked by axe,
with no console error or CSP violation."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import looks_right
from tests.browser.data import SLOW
from tests.browser.test_console import (  # noqa: F401
    Member,
    Watch,
    _signed_order,
    member,
    open_console,
    sign_in,
    signed_in,
    store_order,
    watch,
)
from tests.e2e.test_workflows import Flow, call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack

LIVE = 15_000  # ms: the page refreshes every 5 s
# The orders integration's secret is one per brand: the same one test_console.py sets, so that
# whichever module runs first, the others' signed orders still verify.
SECRET = "console_browser_0123456789abcdef"


@pytest.fixture
def live(stack: RunningStack, size: str) -> dict[str, Any]:
    """Per size: an active campaign with a USD budget, a 10 % plan and a creator's promo code; no
    order yet. The store's webhook URL to post orders to."""
    today = datetime.now(UTC).date()
    status, campaign = call(
        stack,
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | {
            "name": f"Overview live {size}",
            "status": "active",
            "start_date": (today - timedelta(days=5)).isoformat(),
            "end_date": (today + timedelta(days=60)).isoformat(),
            "budget": {"amount": 100_000, "currency": "USD"},
            "commission": {"plan": {"percent_bps": 1000}},
        },
    )
    assert status == 201, campaign
    email = f"ola-{size}@overview.example"
    status, creator = call(stack, "POST", "/v1/creators", {"name": f"Ola Live {size}", "email": email})
    assert status == 201, creator
    code = f"OLA{size.upper()}"
    ids = {"campaign_id": campaign["id"], "creator_id": creator["id"]}
    assert call(stack, "POST", "/v1/promo-codes", ids | {"code": code})[0] == 201
    status, integration = call(stack, "PUT", "/v1/integrations/orders", {"secret": SECRET})
    assert status == 200, integration
    url = integration["webhook_url"].replace("https://", "http://", 1)
    return {"campaign": campaign, "code": code, "url": url}


def _order(stack: RunningStack, live: dict[str, Any], n: int, subtotal: int) -> None:
    store_order(
        stack,
        live["url"],
        SECRET,
        order_id=f"ORD-{live['code']}-{n}",
        code=live["code"],
        subtotal=subtotal,
        email=f"buyer{n}@overview.example",
        event_id=f"evt_{live['code']}_{n}",
    )


def _chart(page: Page, title: str, total: str) -> Any:
    return page.get_by_role("img", name=re.compile(rf"^{re.escape(title)}: 30 days .*total {total}(,|$)"))


def test_a_webhook_order_shows_in_the_charts_without_a_reload(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    live: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    name = live["campaign"]["name"]
    signed_in(page, stack, member)
    expect(page.locator("main[data-loaded=true]")).to_have_count(1)
    assert page.evaluate("performance.getEntriesByName('overview-ready').length") == 1

    # Between the slow refreshes (campaign list, cards, approvals: every 30 s), a refresh is four
    # requests: the chosen campaign's report, open alerts, failed and processing deliveries.
    seen: list[str] = []

    def count(request: Request) -> None:
        if "/v1/" in request.url:
            seen.append(request.url.split("/v1/", 1)[1])

    updated = page.locator("#overview-updated")
    before = updated.text_content()
    page.on("request", count)
    expect(updated).not_to_have_text(before or "", timeout=LIVE)
    page.remove_listener("request", count)
    assert len(seen) == 4, seen
    assert sorted(s.split("?")[0].split("/")[0] for s in seen) == [
        "alerts",
        "campaigns",
        "webhook-events",
        "webhook-events",
    ], seen

    page.get_by_label("Campaign", exact=True).select_option(label=name)
    assert page.url.endswith(f"#/overview?campaign={live['campaign']['id']}")
    expect(_chart(page, "Orders", "0")).to_be_visible()
    expect(_chart(page, "Commissions (USD)", r"\D*0\.00")).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    _order(stack, live, 1, 8_000)
    _order(stack, live, 2, 4_000)
    expect(_chart(page, "Orders", "2")).to_be_visible(timeout=LIVE)
    expect(_chart(page, "Revenue (USD)", r"\D*120\.00")).to_be_visible(timeout=LIVE)
    expect(_chart(page, "Commissions (USD)", r"\D*12\.00")).to_be_visible(timeout=LIVE)
    assert page.evaluate("window.__sameDocument === true")  # no reload
    today = datetime.now(UTC).date().isoformat()
    orders = page.get_by_role("figure").filter(has_text="Orders")
    orders.get_by_text("Show the numbers").click()
    row = orders.get_by_role("row", name=re.compile(rf"^{today}"))
    expect(row.get_by_role("cell")).to_have_text("2")
    looks_right(page, f"console-overview-charts-{size}")

    # A reload keeps the chosen campaign (it is in the hash).
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    expect(page.get_by_label("Campaign", exact=True)).to_have_value(live["campaign"]["id"])
    expect(_chart(page, "Commissions (USD)", r"\D*12\.00")).to_be_visible(timeout=LIVE)
    watch.check()


@pytest.fixture
def awaiting(stack: RunningStack, size: str) -> dict[str, Any]:
    """Per size: a collaboration whose draft waits for the brand (approve or request changes)."""
    flow = Flow(stack, SLOW, name=f"Overview approvals {size}")
    cid = flow.creators(f"Pia{size.capitalize()}")[f"Pia{size.capitalize()}"]
    flow.creator(cid, "accept")
    flow.creator(cid, "accept-terms")
    flow.creator(cid, "sign", {"name": "Pia Flow"})
    flow.creator(cid, "submit-content", {"text": "Draft: trail reel with @peakgear"})
    flow.waiting(cid, "approve-content")
    return dict(flow.campaign)


def test_content_awaiting_approval_links_to_its_board(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    awaiting: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    signed_in(page, stack, member)
    needs = page.get_by_role("list", name="Needs attention")
    item = needs.get_by_role("listitem").filter(has_text="Content awaiting approval").first
    link = item.get_by_role("link", name=f"{awaiting['name']}: 1")
    expect(link).to_be_visible(timeout=LIVE)
    expect(needs.get_by_role("link", name="Open alerts")).to_have_attribute("href", "#/alerts?status=open")
    expect(needs.get_by_role("link", name="Failed webhooks")).to_have_attribute("href", "#/settings")
    looks_right(page, f"console-overview-attention-{size}")
    started = time.monotonic()
    link.click()
    page.wait_for_url(re.compile(rf"#/campaigns/{awaiting['id']}/board$"))
    assert time.monotonic() - started < 10
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    watch.check()
