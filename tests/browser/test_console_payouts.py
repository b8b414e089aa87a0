"""The console's payouts (#/payouts, #/payouts/{id}): commissions made payable through the public
API (signed store webhooks on a plan with no hold), previewed per creator with a clawback carried
forward, a creator left out (the totals change, the selection kept in the hash), booked as an admin
after a confirmation, the payout's page (lines, who booked it) and its CSV downloaded, the history;
a plain member sees the preview but no Book button. At desktop and phone size, checked by axe, with
no console error or CSP violation."""

from __future__ import annotations

import csv
import io
import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Member, assert_fits_width, axe, looks_right
from tests.browser.test_console import (  # noqa: F401
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
from tests.stack import RunningStack

SECRET = "console_browser_0123456789abcdef"  # the orders integration's secret in every browser test
_RUNS = itertools.count(1)  # each test's names are its own: every browser suite shares one brand


def _order(
    stack: RunningStack, url: str, event: str, kind: str, order_id: str, code: str, subtotal: int
) -> None:
    store_order(
        stack,
        url,
        SECRET,
        order_id=order_id,
        code=code,
        subtotal=subtotal,
        email=f"{order_id.lower()}@payouts.example",
        event_id=event,
        kind=kind,
        created_at=datetime.now(UTC) - timedelta(hours=1),
    )


def _until(what: str, check: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}", pytrace=False)


@pytest.fixture
def payable(stack: RunningStack, size: str) -> dict[str, Any]:
    """A campaign (10 %, no hold: approved at once) with three creators: Pia owes 10.00 and Quinn
    5.00; Rex was paid 4.00, then that order was cancelled and a new one earns 1.00, so he owes a
    3.00 clawback that is carried forward."""
    tag = f"{size} {next(_RUNS)}"
    url = call(stack, "PUT", "/v1/integrations/orders", {"secret": SECRET})[1]["webhook_url"]
    url = url.replace("https://", "http://", 1)
    status, campaign = call(
        stack,
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | {
            "name": f"Payouts {tag}",
            "status": "active",
            "commission": {"plan": {"percent_bps": 1000, "hold_days": 0}},
        },
    )
    assert status == 201, campaign
    people = {}
    for first, subtotal in (("Pia", 10_000), ("Quinn", 5_000), ("Rex", 4_000)):
        who = call(
            stack,
            "POST",
            "/v1/creators",
            {
                "name": f"{first} Payee {tag}",
                "email": f"{first.lower()}-{tag.replace(' ', '-')}@payouts.example",
            },
        )[1]
        code = f"{first}{tag}".upper().replace(" ", "")
        body = {"campaign_id": campaign["id"], "creator_id": who["id"], "code": code}
        assert call(stack, "POST", "/v1/promo-codes", body)[0] == 201
        _order(stack, url, f"evt_pay_{code}", "order.created", f"ORD-PAY-{code}", code, subtotal)
        people[first] = who | {"code": code}

    def preview() -> dict[str, Any]:
        return dict(call(stack, "GET", f"/v1/payouts/preview?campaign_ids={campaign['id']}")[1])

    _until("three payable lines", lambda: len(preview()["lines"]) == 3)
    rex = people["Rex"]
    status, paid = call(stack, "POST", "/v1/payouts", {"creator_ids": [rex["id"]]})
    assert status == 201 and paid["totals"] == {"USD": 400}, paid
    code = rex["code"]
    _order(stack, url, f"evt_cancel_{code}", "order.cancelled", f"ORD-PAY-{code}", code, 4_000)
    _order(stack, url, f"evt_pay2_{code}", "order.created", f"ORD-PAY2-{code}", code, 1_000)
    _until(
        "Rex's clawback",
        lambda: [c["amount"] for c in preview()["carried_forward"] if c["creator_id"] == rex["id"]] == [-300],
    )
    return {"campaign": campaign, **people}


def _to_payouts(page: Page) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Payouts").click()
    expect(page.get_by_role("heading", level=1, name="Payouts")).to_be_visible()


def test_an_admin_previews_selects_books_and_downloads(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    payable: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    campaign, pia, quinn, rex = payable["campaign"], payable["Pia"], payable["Quinn"], payable["Rex"]
    signed_in(page, stack, member)
    _to_payouts(page)

    # The campaign's preview: Pia and Quinn to pay, Rex's clawback carried forward.
    page.get_by_label("Campaign", exact=True).select_option(label=campaign["name"])
    expect(page).to_have_url(re.compile(rf"#/payouts\?campaign_id={campaign['id']}$"))
    totals = page.get_by_label("This payout")
    expect(totals).to_contain_text("$15.00")
    lines = page.get_by_role("table", name=re.compile(r"^USD: 2 creators"))
    expect(lines.get_by_role("row", name=re.compile(pia["name"]))).to_contain_text("$10.00")
    expect(lines.get_by_role("row", name=re.compile(quinn["name"]))).to_contain_text("$5.00")
    carried = page.get_by_role("table", name="USD: left for later")
    rex_row = carried.get_by_role("row", name=re.compile(rex["name"]))
    expect(rex_row).to_contain_text("-$3.00")
    expect(rex_row).to_contain_text("Clawback owed")
    looks_right(page, f"console-payouts-{size}")

    # Leave Quinn out: the totals follow, the selection is in the hash and survives a reload.
    page.get_by_label(f"Pay {quinn['name']} (USD)").uncheck()
    expect(totals).to_contain_text("$10.00")
    expect(page.get_by_role("status").filter(has_text=f"{quinn['name']} left out")).to_be_attached()
    expect(page).to_have_url(re.compile(rf"exclude={quinn['id']}$"))
    page.reload()
    expect(page.get_by_label(f"Pay {quinn['name']} (USD)")).not_to_be_checked()
    expect(page.get_by_label(f"Pay {pia['name']} (USD)")).to_be_checked()
    expect(totals).to_contain_text("$10.00")

    # Book, after a confirmation that says what is paid.
    page.get_by_role("button", name="Book payout").click()
    confirm = page.get_by_role("form", name="Confirm the payout")
    expect(confirm).to_contain_text("$10.00")
    expect(confirm).to_contain_text(f"{pia['name']}: $10.00")
    expect(confirm).to_contain_text(f"Left out: {quinn['name']}")
    looks_right(page, f"console-payouts-confirm-{size}")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    page.get_by_role("button", name="Book payout").click()
    page.get_by_role("button", name="Confirm and book").click()

    # The new payout: its line, who booked it, and its CSV.
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Payout of "))).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Payout booked: $10.00 in 1 line.")
    booked_by = page.get_by_role("main").get_by_text("Booked by", exact=True)
    expect(booked_by.locator("xpath=following-sibling::dd")).to_have_text("Demo Admin")
    booked = page.get_by_role("table", name="USD: 1 line")
    expect(booked.get_by_role("row", name=re.compile(pia["name"]))).to_contain_text("$10.00")
    expect(booked).not_to_contain_text(quinn["name"])
    payout_id = page.url.rsplit("/", 1)[1]
    looks_right(page, f"console-payout-{size}")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == f"payout-{payout_id}.csv"
    text = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.startswith("payout_id,creator_id,creator_name,creator_email,campaign_ids,currency,amount")
    assert [(r["creator_name"], r["amount"], r["amount_minor"]) for r in rows] == [
        (pia["name"], "10.00", "1000")
    ]
    expect(page.get_by_role("status")).to_have_text(f"Downloaded payout-{payout_id}.csv.")

    # The history lists it; Quinn is still to pay.
    page.get_by_role("link", name="← All payouts").click()
    expect(page.get_by_role("heading", level=1, name="Payouts")).to_be_visible()
    history = page.get_by_role("table", name="Payouts booked, newest first")
    first = history.locator("tbody tr").first
    expect(first).to_contain_text("$10.00")
    expect(first).to_contain_text("Demo Admin")
    expect(first.get_by_role("link")).to_have_attribute("href", f"#/payouts/{payout_id}")
    page.get_by_label("Campaign", exact=True).select_option(label=campaign["name"])
    expect(page.get_by_label("This payout")).to_contain_text("$5.00")
    assert_fits_width(page)
    axe(page)
    watch.check()


def test_a_member_sees_the_preview_but_cannot_book(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: Member,
    payable: dict[str, Any],
    watch: Watch,  # noqa: F811
) -> None:
    signed_in(page, stack, plain_member)
    _to_payouts(page)
    page.get_by_label("Campaign", exact=True).select_option(label=payable["campaign"]["name"])
    expect(page.get_by_label("This payout")).to_contain_text("$15.00")
    expect(page.get_by_text("Only an admin can book a payout.")).to_be_visible()
    expect(page.get_by_role("button", name="Book payout")).to_have_count(0)
    looks_right(page, f"console-payouts-member-{size}")
    watch.check()
