"""The console's settings (#/settings?tab=…): as the admin, invite a member (the API's 422 for a
bad email next to the field), change their role, remove them, and see the last-admin refusal;
create an API key (shown once: gone after a reload; it works as a key), revoke it; set a store's
signing secret and see its webhook URL; a signed but unusable store delivery shows as failed
without a reload, and its replay shows the outcome; set the sender (an error shown next to the
field, fixed). As a plain member, every admin-only control is replaced by "Only an admin can …".
The sign-in page's reset-password flow. At desktop and phone size, checked by axe, with no console
error or CSP violation."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Member, looks_right
from tests.browser.data import SENDER
from tests.browser.test_console import Watch, member, open_console, sign_in, signed_in, watch  # noqa: F401
from tests.e2e.test_workflows import call
from tests.stack import API_KEY, RunningStack, request

SENDER_EMAIL = SENDER["from_email"]


def _settings(page: Page, tab: str) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name=tab, exact=True).click()
    expect(
        page.get_by_role("navigation", name="Settings").get_by_role("link", name=tab, exact=True)
    ).to_have_attribute("aria-current", "page")


def _stripe_delivery(stack: RunningStack, url: str, secret: str, payload: dict[str, Any]) -> int:
    """A delivery signed as Stripe signs (Stripe-Signature: t=…,v1=hex HMAC of "t.body")."""
    body = json.dumps(payload).encode()
    t = int(time.time())
    signature = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    path = "/webhooks/" + url.split("/webhooks/", 1)[1]
    headers = {"Stripe-Signature": f"t={t},v1={signature}", "Content-Type": "application/json"}
    return request(stack.base_url, "POST", path, body=body, headers=headers)[0]


def test_an_admin_manages_members(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (409, 422)
    signed_in(page, stack, member)
    _settings(page, "Members")
    me = page.get_by_role("row").filter(has_text="(you)")
    expect(me).to_contain_text(member.email)
    expect(me).to_contain_text("Admin")
    looks_right(page, f"console-settings-members-{size}")

    # The last admin can be neither demoted nor removed: the API's refusal is shown.
    admins = [m for m in call(stack, "GET", "/v1/members")[1]["items"] if m["role"] == "admin"]
    if len(admins) == 1:
        me.get_by_role("button", name="Make member").click()
        expect(page.get_by_role("alert")).to_contain_text("last admin")
        expect(me).to_contain_text("Admin")

    name = f"Tess Mate {size}"
    email = page.get_by_label("Email")
    email.fill("tess-at-nowhere")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Send invitation").click()
    expect(email).to_have_attribute("aria-invalid", "true")
    described = (email.get_attribute("aria-describedby") or "").split()[-1]
    expect(page.locator(f"[id='{described}']")).to_contain_text("email")
    expect(email).to_be_focused()
    looks_right(page, f"console-settings-invite-error-{size}")

    address = f"tess.{size}.{secrets.token_hex(3)}@settings.example"
    email.fill(address)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").filter(has_text=f"Invitation sent to {address}")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=address)
    expect(row).to_contain_text("Member")
    expect(row).to_contain_text("Invited")

    row.get_by_role("button", name="Make admin").click()
    expect(page.get_by_role("status")).to_contain_text(f"{name} is now an admin.")
    # (On a phone the cell reads "Role: Admin": the stacked layout labels each cell.)
    expect(row.get_by_role("cell", name=re.compile(r"^(Role: )?Admin$"))).to_be_visible()
    row.get_by_role("button", name="Make member").click()
    expect(page.get_by_role("status")).to_contain_text(f"{name} is now a member.")

    row.get_by_role("button", name="Remove").click()
    row.get_by_role("button", name=f"Remove {name}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{name} was removed.")
    expect(page.get_by_role("row").filter(has_text=address)).to_have_count(0)
    assert address not in json.dumps(call(stack, "GET", "/v1/members")[1])
    watch.check()


def test_an_admin_creates_and_revokes_an_api_key(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    signed_in(page, stack, member)
    _settings(page, "API keys")
    expect(page.get_by_role("heading", level=2, name="API keys")).to_be_visible()

    page.get_by_role("button", name="Create key").click()  # no name: the API says so
    expect(page.get_by_label("Key name")).to_have_attribute("aria-invalid", "true")

    key_name = f"ci sync {size} {secrets.token_hex(2)}"
    page.get_by_label("Key name").fill(key_name)
    page.get_by_role("button", name="Create key").click()
    shown = page.get_by_label("New API key")
    expect(shown).to_have_value(re.compile(r"^rk_live_[A-Za-z0-9]{40}$"))
    expect(shown).to_have_attribute("readonly", "")
    expect(page.get_by_role("alert")).to_contain_text("shown only this once")
    key = shown.input_value()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status")).to_contain_text("New API key")
    looks_right(page, f"console-settings-key-created-{size}")

    # The key is real: the API takes it.
    status, _, me = request(stack.base_url, "GET", "/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert status == 200 and me["key_id"], me

    page.reload()
    expect(page.get_by_role("heading", level=2, name="API keys")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=key_name)
    expect(row).to_contain_text(key[:12])
    expect(row).to_contain_text("Demo Admin")  # who created it
    expect(page.get_by_label("New API key")).to_have_count(0)
    assert key not in page.content()

    row.get_by_role("button", name="Revoke").click()
    row.get_by_role("button", name=f"Revoke {key_name}").click()
    expect(page.get_by_role("status")).to_contain_text(f"The key “{key_name}” is revoked.")
    row = page.get_by_role("row").filter(has_text=key_name)
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    looks_right(page, f"console-settings-keys-{size}")
    watch.check()


def test_an_admin_sets_a_store_secret_and_replays_a_failed_delivery(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (422,)
    signed_in(page, stack, member)
    _settings(page, "Store integrations")
    stripe = page.get_by_role("article", name="Stripe", exact=True)
    expect(stripe).to_be_visible()
    url_field = stripe.get_by_label("Stripe webhook URL")
    expect(url_field).to_have_value(re.compile(r"/webhooks/stripe/"))
    url = url_field.input_value()

    secret_field = stripe.get_by_label(re.compile(r"^(New s|S)igning secret$"))
    expect(secret_field).to_have_attribute("type", "password")
    secret_field.fill("too-short")
    stripe.get_by_role("button", name=re.compile(r"(Save|Rotate) secret")).click()
    expect(secret_field).to_have_attribute("aria-invalid", "true")

    secret = f"whsec_settings_{size}_{secrets.token_hex(8)}"
    secret_field.fill(secret)
    stripe.get_by_role("button", name=re.compile(r"(Save|Rotate) secret")).click()
    expect(page.get_by_role("status")).to_contain_text("Stripe: the signing secret is")
    stripe = page.get_by_role("article", name="Stripe", exact=True)
    expect(stripe.get_by_text(re.compile(r"^Configured"))).to_be_visible()
    expect(stripe.get_by_label("New signing secret")).to_have_value("")  # never shown back
    assert secret not in page.content()
    looks_right(page, f"console-settings-stores-{size}")

    # An authentic delivery Roster cannot use (no data.object): failed, shown without a reload.
    event_id = f"evt_settings_{size}_{secrets.token_hex(4)}"
    bad = {"id": event_id, "type": "checkout.session.completed", "data": {}}
    assert _stripe_delivery(stack, url.replace("https://", "http://", 1), secret, bad) == 200
    item = page.get_by_role("listitem").filter(has_text=f"stripe:{event_id}")
    expect(item).to_be_visible(timeout=15_000)
    expect(item).to_contain_text("Failed")
    expect(item).to_contain_text("Error:")
    expect(stripe.get_by_text("Failed")).to_be_visible()  # its last delivery

    item.get_by_role("button", name="Replay").click()
    expect(item.get_by_text(re.compile(r"^Replayed: failed again"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"stripe:{event_id}")
    looks_right(page, f"console-settings-replay-{size}")

    stripe.get_by_role("button", name="Remove Stripe").click()
    stripe.get_by_role("button", name="Remove Stripe now").click()
    expect(page.get_by_role("status")).to_contain_text("Stripe is removed.")
    stripe = page.get_by_role("article", name="Stripe", exact=True)
    expect(stripe.get_by_text(re.compile(r"^Not configured"))).to_be_visible()
    assert _stripe_delivery(stack, url.replace("https://", "http://", 1), secret, bad) == 401  # refused now
    watch.check()


def test_an_admin_sets_the_sender(
    page: Page,
    size: str,
    stack: RunningStack,
    member: Member,  # noqa: F811
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (404, 422)  # 404: no sender set yet (the first run on a fresh stack)
    signed_in(page, stack, member)
    _settings(page, "Sender")
    from_email = page.get_by_label("From email")
    postal = page.get_by_label("Postal address")
    from_email.fill("team-at-nowhere")
    page.get_by_label("From name").fill(f"Demo Partnerships {size}")
    postal.fill("Too short")
    page.get_by_role("button", name="Save sender").click()
    expect(from_email).to_have_attribute("aria-invalid", "true")
    expect(postal).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(re.compile(r"^String should have at least 10 characters"))).to_be_visible()
    looks_right(page, f"console-settings-sender-errors-{size}")

    postal.fill("Demo Brand, 1 Main Street, Springfield")
    from_email.fill(SENDER_EMAIL)
    page.get_by_role("button", name="Save sender").click()
    expect(page.get_by_role("status")).to_contain_text("The sender is saved.")
    expect(from_email).not_to_have_attribute("aria-invalid", "true")
    saved = call(stack, "GET", "/v1/outreach/settings")[1]
    assert saved["from_name"] == f"Demo Partnerships {size}" and saved["from_email"] == SENDER_EMAIL
    page.reload()
    expect(page.get_by_label("From name")).to_have_value(f"Demo Partnerships {size}")
    looks_right(page, f"console-settings-sender-{size}")
    watch.check()
    assert call(stack, "PUT", "/v1/outreach/settings", SENDER)[0] == 200  # as the other suites set it


def test_a_plain_member_sees_settings_without_admin_controls(
    page: Page,
    size: str,
    stack: RunningStack,
    plain_member: Member,
    watch: Watch,  # noqa: F811
) -> None:
    watch.expected = (404,)  # no sender set yet, when this runs first
    signed_in(page, stack, plain_member)
    _settings(page, "Members")
    expect(page.get_by_text("Only an admin can invite, change or remove members.")).to_be_visible()
    expect(page.get_by_text(plain_member.email)).to_be_visible()
    expect(page.get_by_role("button", name="Send invitation")).to_have_count(0)
    looks_right(page, f"console-settings-member-{size}")

    _settings(page, "API keys")
    expect(page.get_by_text("Only an admin can see, create or revoke API keys.")).to_be_visible()
    expect(page.get_by_role("button", name="Create key")).to_have_count(0)

    _settings(page, "Store integrations")
    expect(
        page.get_by_text(re.compile(r"^Only an admin can see or change the store integrations"))
    ).to_be_visible()
    expect(page.get_by_role("article", name="Stripe", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", level=2, name="Failed and stalled deliveries")).to_be_visible()

    _settings(page, "Sender")
    expect(page.get_by_text("Only an admin can change the sender.")).to_be_visible()
    expect(page.get_by_role("button", name="Save sender")).to_have_count(0)
    looks_right(page, f"console-settings-member-sender-{size}")
    watch.check()


def test_a_forgotten_password_is_reset(page: Page, size: str, stack: RunningStack, watch: Watch) -> None:  # noqa: F811
    """The real POST /auth/forgot-password (202 for any address); the emailed code cannot be read
    here, so POST /auth/reset-password is played (a 422 on the code, then 204); what the console
    sends is checked."""
    watch.expected = (422,)
    email = f"forgetful.{size}@settings.example"
    sent: list[dict[str, Any]] = []

    def reset(route: Any) -> None:
        body = json.loads(route.request.post_data or "{}")
        sent.append(body)
        if body.get("code") != "123456":
            detail = {"field": "code", "message": "The code is not right or has expired"}
            error = {"code": "validation_error", "message": "invalid code", "details": [detail]}
            route.fulfill(status=422, json={"error": error})
        else:
            route.fulfill(status=204)

    page.route("**/auth/reset-password", reset)
    open_console(page, stack)
    page.get_by_role("button", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1, name="Reset your password")).to_be_visible()
    page.get_by_label("Email").fill(email)
    looks_right(page, f"console-forgot-password-{size}")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", level=1, name="Choose a new password")).to_be_visible()
    expect(page.get_by_text(f"If {email} has a Roster account, a code is on its way")).to_be_visible()

    code = page.get_by_label("Code from the email")
    code.fill("999999")
    page.get_by_label("New password", exact=True).fill("A-brand-new-password-1")
    page.get_by_label("New password again").fill("A-brand-new-password-1")
    page.get_by_role("button", name="Set the new password").click()
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("The code is not right or has expired")).to_be_visible()
    looks_right(page, f"console-reset-password-{size}")

    code.fill("123456")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", level=1, name="Sign in to Roster")).to_be_visible()
    expect(page.get_by_text("Your password is changed: sign in with it.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)
    assert sent[-1] == {"email": email, "code": "123456", "password": "A-brand-new-password-1"}
    watch.check()


def test_the_api_key_fixture_is_untouched(stack: RunningStack) -> None:
    """The suites' own key still works after the settings tests revoked theirs."""
    status, _, me = request(stack.base_url, "GET", "/v1/me", headers={"Authorization": f"Bearer {API_KEY}"})
    assert status == 200, me
