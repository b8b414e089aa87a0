"""The brand console (/console/): a member signs in, sees the overview, creates a campaign (the
API's 422 shown next to the field, fixed, saved, listed), edits it and signs out; a wrong password
and an ended session say so. Every page at desktop and phone size, checked by axe, with its CSP
header and no console error or CSP violation."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from tests.browser.conftest import Member as Member
from tests.browser.conftest import looks_right
from tests.e2e.test_workflows import call
from tests.integration.conftest import CAMPAIGN
from tests.stack import RunningStack, request


def console_csp(stack: RunningStack) -> str:
    """The console's CSP on the local stack: draft images and videos come from its S3 front."""
    media = f"'self' {stack.base_url}"
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {media} data:; media-src {media}; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


EXPIRED = "Your session has expired; sign in again"
# Records CSP violations in the page; init scripts run outside the page's CSP.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@dataclass
class Watch:
    """What the page logged: errors, uncaught exceptions; `expected` statuses of failed requests
    (a 422 the test provokes) are not errors of the console."""

    page: Page
    errors: list[str] = field(default_factory=list)
    expected: tuple[int, ...] = ()
    failed: list[str] = field(default_factory=list)  # "422 POST /v1/…": which request, for the message

    def on_response(self, response: Any) -> None:
        if response.status >= 400:
            path = response.url.split("?", 1)[0].split("//", 1)[-1].split("/", 1)[-1]
            self.failed.append(f"{response.status} {response.request.method} /{path}")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        m = re.search(r"status of (\d{3})", text)
        if m and int(m.group(1)) in self.expected:
            return
        self.errors.append(text)

    def on_error(self, error: Error) -> None:
        self.errors.append(f"pageerror: {error}")

    def check(self) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        assert not violations, f"CSP violations: {violations}"
        assert not self.errors, f"console errors: {self.errors}; failed requests: {self.failed}"


@pytest.fixture(scope="module")
def member(stack: RunningStack) -> Member:
    """The demo member `make run` prints (ROSTER_LOCAL_USER_EMAIL/PASSWORD choose them)."""
    for line in stack.output:
        if m := re.search(r"Demo member \(\w+\): (\S+)\s+password: (\S+)", line):
            return Member(m.group(1), m.group(2))
    email, password = os.environ.get("ROSTER_LOCAL_USER_EMAIL"), os.environ.get("ROSTER_LOCAL_USER_PASSWORD")
    if not (email and password):
        pytest.fail("the local stack printed no demo member (the sign-in backend is missing)", pytrace=False)
    return Member(email, password)


def _signed_order(stack: RunningStack, url: str, secret: str, payload: dict[str, Any]) -> int:
    body = json.dumps(payload).encode()
    t = int(time.time())
    signature = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    path = url.split(stack.base_url.split("//")[1], 1)[1]
    headers = {"Roster-Signature": f"t={t},v1={signature}", "Content-Type": "application/json"}
    return request(stack.base_url, "POST", path, body=body, headers=headers)[0]


def store_order(
    stack: RunningStack,
    url: str,
    secret: str,
    *,
    order_id: str,
    code: str,
    subtotal: int,
    email: str,
    event_id: str | None = None,
    kind: str = "order.created",
    created_at: datetime | None = None,
) -> None:
    """An order with a creator's promo code (one BOOT line), as the store's signed webhook sends it."""
    order = {
        "id": order_id,
        "currency": "USD",
        "created_at": (created_at or datetime.now(UTC)).isoformat(),
        "subtotal": subtotal,
        "total": subtotal,
        "discount_codes": [code],
        "customer": {"email": email},
        "line_items": [{"sku": "BOOT", "quantity": 1, "amount": subtotal}],
    }
    event = {"id": event_id or f"evt_{order_id}", "type": kind, "order": order}
    assert _signed_order(stack, url, secret, event) == 200


@pytest.fixture(scope="module")
def active_campaign(stack: RunningStack) -> dict[str, Any]:
    """An active campaign with KPIs, a budget and a 10 % plan that has clicks and two orders today
    (a store webhook with the creator's code), and a store delivery that failed."""
    today = datetime.now(UTC).date()
    status, campaign = call(
        stack,
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | {
            "name": "Console overview",
            "status": "active",
            "start_date": (today - timedelta(days=20)).isoformat(),
            "end_date": (today + timedelta(days=60)).isoformat(),
            "kpis": [
                {"metric": "conversions", "target": 10, "by": (today + timedelta(days=60)).isoformat()},
                {"metric": "clicks", "target": 40, "by": (today + timedelta(days=60)).isoformat()},
            ],
            "budget": {"amount": 50_000, "currency": "USD"},
            "commission": {"plan": {"percent_bps": 1000}},
        },
    )
    assert status == 201, campaign
    creator = call(stack, "POST", "/v1/creators", {"name": "Oda View", "email": "oda@console.example"})[1]
    ids = {"campaign_id": campaign["id"], "creator_id": creator["id"]}
    link = call(stack, "POST", "/v1/links", ids | {"destination": "https://shop.example.com/x"})[1]
    for n in range(3):
        agent = f"Mozilla/5.0 (Windows NT 10.0) Chrome/131.0.{n}"
        with contextlib.suppress(urllib.error.URLError):  # counted, then redirected to the shop
            request(stack.base_url, "GET", f"/r/{link['code']}", headers={"User-Agent": agent})
    assert call(stack, "POST", "/v1/promo-codes", ids | {"code": "ODA10"})[0] == 201
    secret = "console_browser_0123456789abcdef"
    url = call(stack, "PUT", "/v1/integrations/orders", {"secret": secret})[1]["webhook_url"]
    url = url.replace("https://", "http://", 1)
    for n, subtotal in ((1, 8000), (2, 4500)):
        store_order(
            stack,
            url,
            secret,
            order_id=f"ORD-C{n}",
            code="ODA10",
            subtotal=subtotal,
            email=f"buyer{n}@console.example",
            event_id=f"evt_c{n}",
        )
    assert _signed_order(stack, url, secret, {"id": "evt_bad", "type": "order.created"}) == 200  # failed
    return dict(campaign)


@pytest.fixture
def watch(page: Page) -> Iterator[Watch]:
    page.add_init_script(WATCH_CSP)
    w = Watch(page)
    page.on("console", w.on_console)
    page.on("pageerror", w.on_error)
    page.on("response", w.on_response)
    yield w


def open_console(page: Page, stack: RunningStack) -> None:
    response = page.goto(f"{stack.base_url}/console/")
    assert response is not None and response.status == 200
    headers = response.headers
    assert headers.get("content-security-policy") == console_csp(stack)
    assert headers.get("x-content-type-options") == "nosniff"
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()


def sign_in(page: Page, member: Member, password: str | None = None) -> None:
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(password or member.password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(page: Page, stack: RunningStack, member: Member) -> None:
    """Opens the console and signs in as `member`, up to the overview."""
    open_console(page, stack)
    sign_in(page, member)
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()


def test_a_member_runs_the_campaign_pages(
    page: Page, size: str, stack: RunningStack, member: Member, active_campaign: dict[str, Any], watch: Watch
) -> None:
    watch.expected = (422,)
    open_console(page, stack)
    looks_right(page, f"console-sign-in-{size}")

    sign_in(page, member)
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    header = page.locator("header")
    expect(header.get_by_text("Demo Admin")).to_be_visible()
    expect(header.get_by_text("(admin)")).to_be_visible()
    card = page.get_by_role("article", name="Console overview")
    expect(card).to_be_visible()
    expect(card.get_by_text(re.compile(r"^Conversions by"))).to_be_visible()
    expect(card.get_by_text("2 of 10 (20 %)")).to_be_visible()
    expect(card.get_by_text(re.compile(r"12\.50 of .*500\.00 \(2\.5 %\)"))).to_be_visible()
    expect(card.get_by_text("Spend against budget")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Clicks: 30 days"))).to_be_visible()
    expect(page.get_by_text("Open alerts")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Failed webhooks")).to_contain_text("1")
    # The charts show one campaign: this one, whichever other suites' campaigns exist already.
    page.get_by_label("Campaign", exact=True).select_option(label="Console overview")
    expect(page.get_by_role("img", name=re.compile(r"^Orders: 30 days.*total 2"))).to_be_visible()
    looks_right(page, f"console-overview-{size}")
    # Tokens live in sessionStorage only, never in the URL or localStorage.
    assert "token" not in page.url
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("Object.keys(sessionStorage)").count("roster.session") == 1

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_visible()
    page.get_by_role("link", name="New campaign").click()
    expect(page.get_by_role("heading", level=1, name="New campaign")).to_be_visible()
    name = f"Autumn boots {size}"
    page.get_by_label("Name").fill(name)
    page.get_by_label("Start date").fill("2027-09-01")
    page.get_by_label("End date").fill("2027-10-31")
    page.get_by_label("Budget").fill("2500.00")
    page.get_by_label("Base commission rate (%)").fill("12.5")
    domains = page.get_by_label("Allowed domains")
    domains.fill("https://shop.example.com/boots")  # not a bare domain: the API says so
    page.get_by_role("button", name="Add a KPI").click()
    page.get_by_label("Target").fill("300")
    page.get_by_role("button", name="Create campaign").click()

    expect(domains).to_have_attribute("aria-invalid", "true")
    described = domains.get_attribute("aria-describedby") or ""
    message = page.locator(f"[id='{described.split()[-1]}']")
    expect(message).to_have_text(re.compile(r"^Must be a bare domain such as shop\.example\.com"))
    expect(message).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    expect(domains).to_be_focused()
    assert page.get_by_label("Name").get_attribute("aria-invalid") is None
    looks_right(page, f"console-campaign-errors-{size}")

    domains.fill("shop.example.com")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=f"Campaign “{name}” created.")).to_be_visible()
    link = page.get_by_role("link", name=name)
    expect(link).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile(name)).get_by_text(re.compile(r"2,500\.00"))
    ).to_be_visible()
    looks_right(page, f"console-campaigns-{size}")

    link.click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(page.get_by_label("Base commission rate (%)")).to_have_value("12.5")
    expect(page.get_by_label("Allowed domains")).to_have_value("shop.example.com")
    page.get_by_label("Name").fill(f"{name} (edited)")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1, name=f"{name} (edited)")).to_be_visible()
    expect(page.get_by_text(re.compile("^Saved at"))).to_be_visible()
    looks_right(page, f"console-campaign-{size}")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('roster.session')") is None
    watch.check()


def test_a_wrong_password_says_so(
    page: Page, size: str, stack: RunningStack, member: Member, watch: Watch
) -> None:
    watch.expected = (401,)
    open_console(page, stack)
    sign_in(page, member, password="not-the-password-1")
    expect(page.get_by_role("alert")).to_have_text("The email or password is not right.")
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('roster.session')") is None
    looks_right(page, f"console-wrong-password-{size}")
    watch.check()


def test_an_ended_session_goes_back_to_sign_in(
    page: Page, size: str, stack: RunningStack, member: Member, watch: Watch
) -> None:
    watch.expected = (401,)
    signed_in(page, stack, member)
    # Both tokens unusable: the ID token is refused, and so is the refresh.
    page.evaluate(
        """() => {
          const s = JSON.parse(sessionStorage.getItem('roster.session'));
          s.id_token = 'x' + s.id_token.slice(1, -4) + 'abcd';
          s.refresh_token = 'not-a-refresh-token';
          sessionStorage.setItem('roster.session', JSON.stringify(s));
        }"""
    )
    # To another page, by its address: the page's own refresh may already have found the session
    # ended and shown the sign-in page, where the navigation (and a link to click) is gone.
    page.evaluate("location.hash = '#/campaigns'")
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(EXPIRED)
    assert page.evaluate("sessionStorage.getItem('roster.session')") is None
    looks_right(page, f"console-session-expired-{size}")
    watch.check()


def test_a_page_without_a_session_asks_to_sign_in(page: Page, stack: RunningStack, watch: Watch) -> None:
    page.goto(f"{stack.base_url}/console/#/campaigns/new")
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()
    assert page.url.endswith("#/sign-in")
    watch.check()


def test_the_new_password_step(
    page: Page, size: str, stack: RunningStack, member: Member, watch: Watch
) -> None:
    """An invited member's first sign-in answers NEW_PASSWORD_REQUIRED. The local stack cannot
    show a temporary password, so the two /auth answers are played here (Playwright routes): the
    challenge, then the real tokens of a real sign-in; what the console sends is checked."""
    status, _, tokens = request(
        stack.base_url,
        "POST",
        "/auth/sign-in",
        body=json.dumps({"email": member.email, "password": member.password}).encode(),
        headers={"content-type": "application/json"},
    )
    assert status == 200 and "id_token" in tokens, tokens
    sent: list[dict[str, Any]] = []

    def challenge(route: Any) -> None:
        route.fulfill(json={"challenge": "NEW_PASSWORD_REQUIRED", "session": "challenge-session-1"})

    def new_password(route: Any) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        route.fulfill(json=tokens)

    page.route("**/auth/sign-in", challenge)
    page.route("**/auth/new-password", new_password)
    open_console(page, stack)
    sign_in(page, member, password="Temporary-Pass-1")
    expect(page.get_by_role("heading", level=1, name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("A-long-new-password-1")
    page.get_by_label("New password again").fill("A-long-new-password-2")
    page.get_by_role("button", name="Set password and sign in").click()
    again = page.get_by_label("New password again")
    expect(again).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("The two passwords differ.")).to_be_visible()
    looks_right(page, f"console-new-password-{size}")
    again.fill("A-long-new-password-1")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    assert sent == [
        {"email": member.email, "session": "challenge-session-1", "password": "A-long-new-password-1"}
    ]
    watch.check()


def test_a_refused_id_token_is_refreshed_once(
    page: Page, stack: RunningStack, member: Member, watch: Watch
) -> None:
    """An ID token the API refuses, with a good refresh token: the console refreshes and the member
    stays signed in."""
    watch.expected = (401,)
    signed_in(page, stack, member)
    page.evaluate(
        """() => {
          const s = JSON.parse(sessionStorage.getItem('roster.session'));
          s.id_token = 'not-a-token';
          sessionStorage.setItem('roster.session', JSON.stringify(s));
        }"""
    )
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_visible()
    # The rows are drawn once the call, refreshed and retried, has answered.
    expect(page.get_by_role("table", name="Campaigns").locator("tbody tr").first).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.evaluate("JSON.parse(sessionStorage.getItem('roster.session')).id_token") != "not-a-token"
    watch.check()


def test_the_console_works_from_the_keyboard(
    page: Page, stack: RunningStack, member: Member, watch: Watch
) -> None:
    assert f"Brand console: {stack.base_url}/console/" in stack.output
    open_console(page, stack)
    page.get_by_label("Email").focus()
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(member.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_focused()
    campaigns = page.get_by_role("navigation", name="Console").get_by_role("link", name="Campaigns")
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if campaigns.evaluate("el => el === document.activeElement"):
            break
    expect(campaigns).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_focused()
    new = page.get_by_role("link", name="New campaign")
    for _ in range(10):
        page.keyboard.press("Tab")
        if new.evaluate("el => el === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="New campaign")).to_be_visible()
    watch.check()
