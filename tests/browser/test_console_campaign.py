"""A campaign's settings (#/campaigns/new, #/campaigns/{id}) and its report (#/campaigns/{id}/report).

Settings: a member creates a campaign with a full commission plan (a tier, a SKU rate, a
new-customer bonus), workflow timers in days and hours, content rules, monitoring and an opening
offer, all through the form; the API's 422 on a tier's rate shows under that very field; fixed,
saved, and after a reload every value reads back as typed (and the API holds them in bps, minor
units and seconds).

Report: a live campaign with clicks, orders from a signed store webhook and a started
collaboration shows its figures, KPI progress, charts per day, a per-creator table and the campaign
workflow; a new order shows without a reload; **Download CSV** saves the days as a CSV whose header
and today's row are checked. At desktop and phone size, checked by axe, with no console error or
CSP violation."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import urllib.error
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

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
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack, request

LIVE = 15_000  # ms: the report polls every 5 s
SECRET = "console_browser_0123456789abcdef"  # the same store secret the other console tests set


def _go_to_campaigns(page: Page) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_visible()


def test_a_member_sets_a_full_campaign_up(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    signed_in(page, stack, member)
    _go_to_campaigns(page)
    page.get_by_role("link", name="New campaign").click()
    expect(page.get_by_role("heading", level=1, name="New campaign")).to_be_visible()

    name = f"Full plan {size}"
    page.get_by_label("Name").fill(name)
    page.get_by_label("Start date").fill("2027-09-01")
    page.get_by_label("End date").fill("2027-10-31")
    page.get_by_label("Budget").fill("2500.00")
    page.get_by_label("Allowed domains").fill("shop.example.com")
    page.get_by_label("Brief").fill("Warm, outdoorsy; show the boots on a trail.")

    plan = page.get_by_role("group", name="Commission plan")
    plan.get_by_label("Base commission rate (%)").fill("10")
    plan.get_by_label("New-customer bonus").fill("2.50")
    plan.get_by_label("Cap per creator").fill("400")
    plan.get_by_role("button", name="Add a tier").click()
    tier = plan.get_by_role("group", name="Tier 1")
    expect(tier.get_by_label("From orders")).to_be_focused()
    tier.get_by_label("From orders").fill("5")
    tier.get_by_label("Rate (%)").fill("150")  # over 100 %: the API says so, under this field
    plan.get_by_role("button", name="Add a tier").click()
    plan.get_by_role("group", name="Tier 2").get_by_label("From orders").fill("50")
    plan.get_by_role("group", name="Tier 2").get_by_label("Rate (%)").fill("20")
    plan.get_by_role("button", name="Remove tier 2").click()  # changed our mind
    expect(plan.get_by_role("group", name="Tier 2")).to_have_count(0)
    plan.get_by_role("button", name="Add a SKU rate").click()
    sku = plan.get_by_role("group", name="SKU rate 1")
    sku.get_by_label("SKU", exact=True).fill("BOOT")
    sku.get_by_label("Rate (%)").fill("20")

    timers = page.get_by_role("group", name="Workflow timers")
    timers.get_by_label("Invitation: wait for an answer", exact=True).fill("3")
    timers.get_by_label("Review: the team answers within", exact=True).fill("12")
    timers.get_by_label("Review: the team answers within (unit)").select_option(label="hours")
    timers.get_by_label("Content rounds").fill("2")
    timers.get_by_label("Ship product before content (seeding)").check()

    offer = page.get_by_role("group", name="Opening offer")
    offer.get_by_label("Open each collaboration with this offer").check()
    deliverable = offer.get_by_role("group", name="Deliverable 1")
    deliverable.get_by_label("Platform").select_option("tiktok")
    deliverable.get_by_label("Format").fill("video")
    deliverable.get_by_label("Count").fill("2")
    offer.get_by_label("Posting window start").fill("2027-09-05")
    offer.get_by_label("Posting window end").fill("2027-10-20")
    offer.get_by_label("Fee per deliverable").fill("150")

    rules = page.get_by_role("group", name="Content rules")
    rules.get_by_label("Hashtags").fill("#acmeboots")
    rules.get_by_label("Mandatory mentions").fill("@acme")
    rules.get_by_label("Banned terms").fill("cheap\nfree")
    page.get_by_role("group", name="Monitoring").get_by_label("Check every (hours)").fill("12")
    page.get_by_role("button", name="Create campaign").click()

    rate = tier.get_by_label("Rate (%)")
    expect(rate).to_have_attribute("aria-invalid", "true")
    expect(rate).to_be_focused()
    described = (rate.get_attribute("aria-describedby") or "").split()
    message = page.locator(f"[id='{described[-1]}']")
    expect(message).to_have_text(re.compile(r"less than or equal to 10000"))
    expect(message).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    assert sku.get_by_label("Rate (%)").get_attribute("aria-invalid") is None
    looks_right(page, f"console-campaign-tier-error-{size}")

    rate.fill("15")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=f"Campaign “{name}” created.")).to_be_visible()

    # What the API holds: bps, minor units, seconds.
    saved = next(c for c in call(stack, "GET", "/v1/campaigns?limit=100")[1]["items"] if c["name"] == name)
    stored_plan = saved["commission"]["plan"]
    assert stored_plan["percent_bps"] == 1000
    assert stored_plan["tiers"] == [{"min_orders": 5, "min_revenue": 0, "percent_bps": 1500}]
    assert stored_plan["sku_rates_bps"] == {"BOOT": 2000}
    assert stored_plan["new_customer_bonus"] == 250
    assert stored_plan["cap_per_creator"] == 40000
    assert saved["workflow"]["answer_seconds"] == 3 * 86400
    assert saved["workflow"]["review_seconds"] == 12 * 3600
    assert saved["workflow"]["content_rounds"] == 2 and saved["workflow"]["seeding"] is True
    assert saved["content"]["mandatory_mentions"] == ["@acme"]
    assert saved["content"]["banned_terms"] == ["cheap", "free"]
    assert saved["monitoring"]["every_hours"] == 12
    assert saved["default_terms"]["deliverables"] == [{"platform": "tiktok", "format": "video", "count": 2}]
    assert saved["default_terms"]["fee_per_deliverable"] == {"amount": 15000, "currency": "USD"}
    assert saved["brief"] == "Warm, outdoorsy; show the boots on a trail."

    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    plan = page.get_by_role("group", name="Commission plan")
    expect(plan.get_by_label("Base commission rate (%)")).to_have_value("10")
    expect(plan.get_by_label("New-customer bonus")).to_have_value("2.50")
    expect(plan.get_by_label("Cap per creator")).to_have_value("400.00")
    tier = plan.get_by_role("group", name="Tier 1")
    expect(tier.get_by_label("From orders")).to_have_value("5")
    expect(tier.get_by_label("Rate (%)")).to_have_value("15")
    expect(plan.get_by_role("group", name="Tier 2")).to_have_count(0)
    sku = plan.get_by_role("group", name="SKU rate 1")
    expect(sku.get_by_label("SKU", exact=True)).to_have_value("BOOT")
    expect(sku.get_by_label("Rate (%)")).to_have_value("20")
    timers = page.get_by_role("group", name="Workflow timers")
    expect(timers.get_by_label("Invitation: wait for an answer", exact=True)).to_have_value("3")
    expect(timers.get_by_label("Invitation: wait for an answer (unit)")).to_have_value("86400")
    expect(timers.get_by_label("Review: the team answers within", exact=True)).to_have_value("12")
    expect(timers.get_by_label("Review: the team answers within (unit)")).to_have_value("3600")
    expect(timers.get_by_label("Ship product before content (seeding)")).to_be_checked()
    offer = page.get_by_role("group", name="Opening offer")
    expect(offer.get_by_label("Open each collaboration with this offer")).to_be_checked()
    expect(offer.get_by_role("group", name="Deliverable 1").get_by_label("Format")).to_have_value("video")
    expect(offer.get_by_label("Fee per deliverable")).to_have_value("150.00")
    rules = page.get_by_role("group", name="Content rules")
    expect(rules.get_by_label("Mandatory mentions")).to_have_value("@acme")
    expect(rules.get_by_label("Banned terms")).to_have_value("cheap\nfree")
    expect(page.get_by_label("Check every (hours)")).to_have_value("12")

    # A change on the settings page: drop the SKU rate, turn the offer off; saved and shown.
    plan.get_by_role("button", name="Remove SKU rate 1").click()
    offer.get_by_label("Open each collaboration with this offer").uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(re.compile("^Saved at"))).to_be_visible()
    again = call(stack, "GET", f"/v1/campaigns/{saved['id']}")[1]
    assert again["commission"]["plan"]["sku_rates_bps"] == {}
    assert again["default_terms"] is None
    assert again["commission"]["plan"]["tiers"] == stored_plan["tiers"]
    looks_right(page, f"console-campaign-settings-{size}")
    watch.check()


@pytest.fixture(scope="module")
def report_campaign(stack: RunningStack) -> dict[str, Any]:
    """An active campaign (slow timers) with clicks, two orders today through a signed store
    webhook with the creator's code, and a started collaboration (its campaign workflow runs)."""
    today = datetime.now(UTC).date()
    tag = uuid.uuid4().hex[:6]
    status, campaign = call(
        stack,
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | {
            "name": f"Report {tag}",
            "status": "active",
            "start_date": (today - timedelta(days=10)).isoformat(),
            "end_date": (today + timedelta(days=50)).isoformat(),
            "kpis": [{"metric": "conversions", "target": 10, "by": (today + timedelta(days=50)).isoformat()}],
            "budget": {"amount": 100_000, "currency": "USD"},
            "commission": {"plan": {"percent_bps": 1000}},
            "workflow": SLOW,
        },
    )
    assert status == 201, campaign
    creator = call(
        stack, "POST", "/v1/creators", {"name": f"Rita Report {tag}", "email": f"rita-{tag}@report.example"}
    )[1]
    ids = {"campaign_id": campaign["id"], "creator_id": creator["id"]}
    link = call(stack, "POST", "/v1/links", ids | {"destination": "https://shop.example.com/r"})[1]
    for n in range(2):
        with contextlib.suppress(urllib.error.URLError):  # counted, then redirected to the shop
            request(
                stack.base_url,
                "GET",
                f"/r/{link['code']}",
                headers={"User-Agent": f"Mozilla/5.0 (X11; Linux) Chrome/130.0.{n}"},
            )
    code = f"RITA{tag.upper()}"
    assert call(stack, "POST", "/v1/promo-codes", ids | {"code": code})[0] == 201
    url = call(stack, "PUT", "/v1/integrations/orders", {"secret": SECRET})[1]["webhook_url"]
    campaign_ = {"campaign": campaign, "creator": creator, "code": code, "tag": tag}
    campaign_["webhook_url"] = url.replace("https://", "http://", 1)
    for n, subtotal in ((1, 8000), (2, 4500)):
        _order(stack, campaign_, f"{n}", subtotal)
    status, started = call(
        stack, "POST", f"/v1/campaigns/{campaign['id']}/collaborations", {"creator_ids": [creator["id"]]}
    )
    assert status == 202, started
    return campaign_


def _order(stack: RunningStack, ctx: dict[str, Any], n: str, subtotal: int) -> None:
    store_order(
        stack,
        ctx["webhook_url"],
        SECRET,
        order_id=f"ORD-R{ctx['tag']}-{n}",
        code=ctx["code"],
        subtotal=subtotal,
        email=f"buyer{n}-{ctx['tag']}@report.example",
        event_id=f"evt_r{ctx['tag']}_{n}",
    )


def _figure(page: Page, label: str) -> Locator:
    return page.locator(".report-general > div").filter(has=page.get_by_text(label, exact=True)).locator("dd")


def test_the_report_shows_figures_charts_the_workflow_and_downloads_a_csv(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    report_campaign: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (404,)  # a campaign workflow not yet launched is a 404 the page explains
    campaign, creator = report_campaign["campaign"], report_campaign["creator"]
    before = call(stack, "GET", f"/v1/campaigns/{campaign['id']}/report")[1]
    signed_in(page, stack, member)
    _go_to_campaigns(page)
    page.get_by_role("link", name=campaign["name"]).click()
    expect(page.get_by_role("heading", level=1, name=campaign["name"])).to_be_visible()
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", level=1, name=campaign["name"])).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Report")
    ).to_have_attribute("aria-current", "page")
    orders = before["orders"]
    expect(_figure(page, "Orders")).to_have_text(str(orders))
    usd = page.locator(".report-figures[data-currency='USD']")
    revenue = before["currencies"]["USD"]["revenue"]
    expect(usd.locator("div").filter(has=page.get_by_text("Revenue", exact=True)).locator("dd")).to_have_text(
        re.compile(re.escape(f"{revenue / 100:,.2f}"))
    )
    expect(usd.get_by_text("Earnings per click (EPC)")).to_be_visible()
    expect(page.get_by_role("list", name="KPI progress")).to_contain_text(f"{orders} of 10")
    expect(page.get_by_role("img", name=re.compile(rf"^Orders: 30 days.*total {orders}"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Clicks: 30 days"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Commissions \(USD\): 30 days"))).to_be_visible()
    row = page.get_by_role("table", name="Orders per creator").get_by_role(
        "row", name=re.compile(creator["name"])
    )
    expect(row).to_contain_text(str(orders))
    flow = page.get_by_role("region", name="Campaign workflow")
    expect(flow).to_contain_text("active")
    expect(flow).to_contain_text(re.compile(r"Waits forThe campaign's end"))
    looks_right(page, f"console-report-{size}")

    # A store order arrives: the report shows it without a reload.
    _order(stack, report_campaign, f"live-{size}", 2000)
    expect(_figure(page, "Orders")).to_have_text(str(orders + 1), timeout=LIVE)
    expect(page.get_by_role("img", name=re.compile(rf"^Orders: 30 days.*total {orders + 1}"))).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert re.fullmatch(
        r"[a-z0-9-]+-daily-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename
    )
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["date", "clicks", "unique_clicks", "orders", "revenue_USD", "commissions_USD"]
    assert len(rows) == 31, rows  # the header and 30 days
    today = datetime.now(UTC).date().isoformat()
    (last,) = [r for r in rows[1:] if r[0] == today]
    figures = call(stack, "GET", f"/v1/campaigns/{campaign['id']}/report")[1]
    usd_now = figures["currencies"]["USD"]
    assert last[3] == str(orders + 1)
    assert last[4] == f"{usd_now['revenue'] / 100:.2f}"
    commissions = usd_now["commissions"]
    assert last[5] == f"{(commissions['pending'] + commissions['approved'] + commissions['paid']) / 100:.2f}"
    expect(page.get_by_role("status").filter(has_text="Downloaded 30 days as CSV.")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("button", name="Download creators CSV").click()
    people = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert people[0] == [
        "creator_id",
        "creator",
        "orders",
        "revenue_as_ordered",
        "currency",
        "not_commissionable",
    ]
    assert [creator["id"], creator["name"], str(orders + 1)] == people[1][:3]

    page.get_by_label("Period").select_option("7")
    expect(page.get_by_role("img", name=re.compile(r"^Orders: 7 days"))).to_be_visible()
    assert page.url.endswith("/report?days=7")
    looks_right(page, f"console-report-week-{size}")
    watch.check()
