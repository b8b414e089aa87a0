"""The collaboration page `/c/{token}` through the creator pages' function (moto, the workflow's
tasks called directly as in test_collaborations.py): each creator action by its form (CSRF cookie +
token) changes the record once and ends in a 303 to the new state; a form without a valid token,
a forged or expired link, a refused value or a step that moved on changes nothing and says why."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from roster import clock
from roster.deps import deps
from roster.outreach import mail
from roster.portal import collaboration
from roster.workflows import collaborations
from tests.conftest import TEST_ENV
from tests.integration.conftest import Client, table_snapshot
from tests.integration.test_collaborations import NEGOTIATE, act, record, task, world

__all__ = ["world"]  # the fixture, shared with test_collaborations

FORM = "application/x-www-form-urlencoded"
KEY = TEST_ENV["OUTREACH_SIGNING_KEY"]


@pytest.fixture(autouse=True)
def _no_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake workflow never moves on by itself: no waiting for it after each form."""
    monkeypatch.setattr(collaboration, "SETTLE_SECONDS", 0.0)


class Browser:
    """One creator's browser on one collaboration page: keeps the CSRF cookie, reads forms' tokens."""

    def __init__(self, client: Client, w: dict[str, Any]) -> None:
        self.gateway = client.gateway
        self.w = w
        self.path = "/c/" + mail.collaboration_token(KEY, w["brand"], w["id"])
        self.cookie = ""

    def get(self, suffix: str = "", query: str = "") -> tuple[int, dict[str, str], str]:
        headers = {"cookie": self.cookie} if self.cookie else {}
        status, out, body = self.gateway.handle("GET", self.path + suffix + query, headers, b"")
        for line in out.get("set-cookie", "").split("\n"):
            if line.startswith("roster_csrf="):
                self.cookie = line.split(";", 1)[0]
        return status, out, body.decode()

    def token(self, suffix: str = "") -> str:
        _, _, text = self.get(suffix)
        found = re.search(r'name="csrf" value="([^"]+)"', text)
        assert found, text[:3000]
        return found.group(1)

    def post(
        self, action: str, fields: dict[str, str], *, csrf: str | None = "auto", cookie: bool = True
    ) -> tuple[int, dict[str, str], str]:
        if csrf == "auto":
            csrf = self.token("/contract" if action == "sign" else "")
        body = dict(fields) | ({"csrf": csrf} if csrf is not None else {})
        headers = {"content-type": FORM} | ({"cookie": self.cookie} if cookie and self.cookie else {})
        status, out, raw = self.gateway.handle(
            "POST", f"{self.path}/{action}", headers, urlencode(body).encode()
        )
        return status, out, raw.decode()


@pytest.fixture
def creator(brand_a: Client, world: dict[str, Any]) -> Browser:
    return Browser(brand_a, world)


def invite(w: dict[str, Any], token: str = "i1") -> None:
    task(w, task="wait", stage="invite", actions=["accept", "decline", "cancel"], token=token, seconds=3600)


def negotiate(w: dict[str, Any], token: str) -> None:
    task(w, task="wait", stage="negotiate", actions=NEGOTIATE, token=token, seconds=3600)


def types(w: dict[str, Any]) -> list[str]:
    return [e.type for e in record(w).timeline]


def test_the_invitation_page_shows_the_offer_the_brief_the_deadline_and_both_answers(
    creator: Browser, world: dict[str, Any]
) -> None:
    invite(world)
    status, headers, text = creator.get()
    assert status == 200 and headers["referrer-policy"] == "no-referrer"
    assert "Spring trail launch" in text and "Brand A" in text
    assert "Invitation: waiting for your answer" in text and "invite</b>" not in text
    assert "If you don't answer by then, the invitation expires." in text
    assert "1 × instagram reel" in text and "10 Jan 2027 to 10 Feb 2027" in text
    assert f'action="{creator.path}/accept"' in text and f'action="{creator.path}/decline"' in text
    assert "Accept these terms" not in text  # not until the invitation is accepted
    assert "Offer 1</strong>, from the brand" in text  # the negotiation history
    assert len(text.encode()) < 100_000
    assert creator.cookie.startswith("roster_csrf=")


def test_accepting_by_the_form_changes_the_record_once_and_redirects_to_the_new_state(
    creator: Browser, world: dict[str, Any]
) -> None:
    invite(world)
    status, headers, _ = creator.post("accept", {})
    assert status == 303 and headers["location"] == f"{creator.path}?done=accept"
    c = record(world)
    assert c.waiting_for is None and types(world).count("accept") == 1
    status, _, text = creator.get(query="?done=accept")
    assert status == 200 and "You accepted the invitation." in text
    assert 'data-refresh="2"' in text and "moving your collaboration on" in text and "http-equiv" not in text
    negotiate(world, "n1")
    _, _, text = creator.get(query="?done=accept")
    assert "http-equiv" not in text and "Accept these terms" in text


@pytest.mark.parametrize("how", ["no token", "wrong token", "no cookie", "other page's token"])
def test_a_form_without_a_valid_csrf_token_is_a_403_and_changes_nothing(
    creator: Browser, world: dict[str, Any], brand_a: Client, how: str
) -> None:
    invite(world)
    good = creator.token()
    other = Browser(brand_a, world | {"id": "another-collaboration"})
    other.cookie = creator.cookie
    before = table_snapshot()
    if how == "no token":
        status, _, text = creator.post("accept", {}, csrf=None)
    elif how == "wrong token":
        status, _, text = creator.post("accept", {}, csrf=good[:-2] + "xx")
    elif how == "no cookie":
        status, _, text = creator.post("accept", {}, csrf=good, cookie=False)
    else:  # a token for another collaboration's page (scope `c:<id>`) does not work here
        from roster.portal import csrf, http

        req = http.Request("GET", "", {}, {}, {}, {"roster_csrf": creator.cookie.split("=", 1)[1]}, "")
        status, _, text = creator.post("accept", {}, csrf=csrf.issue(req, KEY, "c:another")[0])
    assert status == 403 and "nothing was changed" in text and "Form expired" in text
    assert table_snapshot() == before


def test_declining_keeps_the_reason(creator: Browser, world: dict[str, Any]) -> None:
    invite(world)
    status, _, _ = creator.post("decline", {"reason": "Booked <b>solid</b> until March"})
    assert status == 303
    (event,) = [e for e in record(world).timeline if e.type == "decline"]
    assert event.detail["reason"] == "Booked <b>solid</b> until March" and event.by == "creator"


def test_a_counter_offer_by_the_form_becomes_the_next_offer(creator: Browser, world: dict[str, Any]) -> None:
    negotiate(world, "n1")
    form = {
        "fee": "1,250.50",
        "currency": "usd",
        "platform_0": "instagram",
        "format_0": "reel",
        "count_0": "2",
        "platform_1": "tiktok",
        "format_1": "video",
        "count_1": "1",
        "platform_2": "",
        "format_2": "",
        "count_2": "",
        "posting_window_start": "2027-01-15",
        "posting_window_end": "2027-02-20",
        "content_due": "2027-01-08",
        "note": "Two reels <and> a TikTok",
    }
    status, headers, _ = creator.post("counter", form)
    assert status == 303 and headers["location"].endswith("?done=counter")
    c = record(world)
    assert [o.by for o in c.offers] == ["brand", "creator"]
    t = c.offers[-1].terms
    assert t.fee_per_deliverable is not None and (
        t.fee_per_deliverable.amount,
        t.fee_per_deliverable.currency,
    ) == (
        125_050,
        "USD",
    )
    assert [(d.platform, d.format, d.count) for d in t.deliverables] == [
        ("instagram", "reel", 2),
        ("tiktok", "video", 1),
    ]
    assert str(t.posting_window_start) == "2027-01-15" and str(t.content_due) == "2027-01-08"
    assert t.usage_rights == c.offers[0].terms.usage_rights  # what the form does not show stays
    negotiate(world, "n2")
    _, _, text = creator.get()
    assert "Offer 2</strong>, from you" in text and "Two reels &lt;and&gt; a TikTok" in text
    assert "USD 1,250.50 per deliverable; USD 3,751.50 in total for 3 deliverables" in text
    assert "Waiting for the brand" in text and "Accept these terms" not in text  # never its own offer


def test_a_bad_counter_offer_comes_back_with_the_values_and_a_message_under_each_field(
    creator: Browser, world: dict[str, Any]
) -> None:
    negotiate(world, "n1")
    before = table_snapshot()
    form = {
        "fee": "12,5",
        "currency": "USD",
        "platform_0": "",
        "format_0": "reel",
        "count_0": "500",
        "posting_window_start": "2027-02-20",
        "posting_window_end": "2027-02-01",
        "note": "my <script>note</script>",
    }
    status, _, text = creator.post("counter", form)
    assert status == 422 and table_snapshot() == before
    assert "Please correct the fields marked below: nothing was changed." in text
    assert "Write the amount with a dot for decimals" in text
    assert "Choose the platform." in text and "Enter a whole number from 1 to 100." in text
    assert "The posting window must end on or after the day it starts." in text
    assert 'value="12,5"' in text and 'value="500"' in text and "my &lt;script&gt;note&lt;/script&gt;" in text
    assert 'id="counter-fee" name="fee" aria-describedby="counter-fee-hint counter-fee-error"' in text
    status, _, text = creator.post("counter", {"posting_window_start": "2027-01-01"})
    assert status == 422 and "Add at least one deliverable" in text and "Choose a date." in text


@pytest.mark.parametrize(
    "odd", [{"count_x": "1"}, {"count_0": "²"}, {"count_999": "1"}], ids=["count_x", "superscript", "row 999"]
)
def test_odd_field_names_and_digits_in_a_counter_offer_are_a_422_never_a_500(
    creator: Browser, world: dict[str, Any], odd: dict[str, str]
) -> None:
    """The form is rebuilt from what was posted: a made-up row name, or a digit `int()` refuses
    ("²" passes `str.isdigit`), comes back as a message, nothing changed."""
    negotiate(world, "n1")
    before = table_snapshot()
    status, _, text = creator.post("counter", {"platform_0": "instagram", "format_0": "reel"} | odd)
    assert status == 422 and "nothing was changed" in text
    assert table_snapshot() == before


def test_a_csrf_cookie_roster_did_not_sign_is_replaced_not_adopted(
    creator: Browser, world: dict[str, Any]
) -> None:
    """Someone who can plant a cookie (a sibling subdomain of a custom domain) must not know the
    tokens that go with it: a nonce Roster did not sign is never used, and a new cookie is set."""
    from roster.portal import csrf, http

    invite(world)
    planted = "n" * 32
    creator.cookie = f"roster_csrf={planted}"
    req = http.Request("GET", "", {}, {}, {}, {"roster_csrf": planted}, "")
    token, cookies = csrf.issue(req, KEY, f"c:{world['id']}")
    assert cookies and not cookies[0].startswith(f"roster_csrf={planted};")
    before = table_snapshot()
    status, _, _ = creator.post("accept", {}, csrf=token)
    assert status == 403 and table_snapshot() == before


def test_accepting_the_brands_offer_by_the_form(creator: Browser, world: dict[str, Any]) -> None:
    negotiate(world, "n1")
    status, _, _ = creator.post("accept-terms", {})
    assert status == 303 and record(world).offers[-1].accepted_by == "creator"


def _contract(w: dict[str, Any]) -> None:
    task(w, task="contract")
    task(w, task="wait", stage="contract", actions=["sign", "cancel"], token="s1", seconds=3600)


def test_the_contract_page_shows_the_terms_and_signs_only_with_consent(
    creator: Browser, world: dict[str, Any]
) -> None:
    _contract(world)
    _, _, page = creator.get()
    assert f'href="{creator.path}/contract"' in page and "read and sign the contract by" in page
    status, _, text = creator.get("/contract")
    c = record(world)
    assert status == 200 and c.contract is not None and c.contract.document_hash in text
    assert "Either side may cancel before content is approved" in text  # the cancellation clause
    assert "organic reposting on the brand&#x27;s own channels, for 90 days" in text
    assert 'name="consent"' in text and "required" in text
    before = table_snapshot()
    status, _, text = creator.post("sign", {"name": "Maya Lopez"})  # no consent ticked
    assert status == 422 and table_snapshot() == before
    assert "Tick the box to agree to sign electronically: nothing is signed without it." in text
    assert 'value="Maya Lopez"' in text and "<h1>Contract</h1>" in text
    status, _, text = creator.post("sign", {"name": "  ", "consent": "yes"})
    assert status == 422 and "Type your full name to sign." in text and table_snapshot() == before
    status, headers, _ = creator.post("sign", {"name": "Maya  Lopez", "consent": "yes"})
    assert status == 303 and headers["location"].endswith("?done=sign")
    c = record(world)
    assert c.contract is not None and c.contract.signature is not None
    assert c.contract.signature.name == "Maya Lopez"
    (event,) = [e for e in c.timeline if e.type == "sign"]
    assert event.detail["consent"] is True
    _, _, text = creator.get("/contract")
    assert "Signed by <strong>Maya Lopez</strong>" in text and 'name="consent"' not in text
    assert c.contract.document_hash in text and "the same as above" in text


def test_confirming_delivery_of_the_shipment(creator: Browser, world: dict[str, Any]) -> None:
    _contract(world)
    act(world, "sign", by="creator", name="Maya Lopez")
    task(world, task="wait", stage="seeding", actions=["record-shipment", "cancel"], token="h1", seconds=3600)
    _, _, text = creator.get()
    assert "Waiting for the brand</strong> to ship your product" in text
    act(world, "record-shipment", carrier="UPS", tracking_number="1Z999")
    task(
        world, task="wait", stage="seeding", actions=["confirm-delivery", "cancel"], token="h2", seconds=3600
    )
    _, _, text = creator.get()
    assert "UPS" in text and "1Z999" in text and "I received the product" in text
    status, _, _ = creator.post("confirm-delivery", {})
    shipment = record(world).shipment
    assert status == 303 and shipment is not None and shipment.confirmed_by == "creator"


def _live(w: dict[str, Any]) -> None:
    _contract(w)
    act(w, "sign", by="creator", name="Maya Lopez")
    task(w, task="wait", stage="live", actions=["submit-post", "cancel"], token="p1", seconds=3600)


def test_submitting_the_post_with_its_caption(creator: Browser, world: dict[str, Any]) -> None:
    _live(world)
    _, _, text = creator.get()
    assert "Still due: instagram reel 1" in text and 'data-state="due"' in text
    before = table_snapshot()
    status, _, text = creator.post("submit-post", {"url": "not a link", "text": "#ad My reel"})
    assert status == 422 and "Enter the whole link to the post" in text and table_snapshot() == before
    assert "#ad My reel" in text  # the caption is kept
    status, _, _ = creator.post(
        "submit-post", {"url": "https://www.instagram.com/p/abc/", "text": "#ad My reel"}
    )
    assert status == 303
    c = record(world)
    assert c.deliverables[0].state == "posted" and c.post_url == "https://www.instagram.com/p/abc/"
    (event,) = [e for e in c.timeline if e.type == "submit-post"]
    assert event.detail["text"] == "#ad My reel"


def test_two_clicks_at_once_take_the_action_once(creator: Browser, world: dict[str, Any]) -> None:
    invite(world)
    token = creator.token()
    results: list[tuple[int, str]] = []
    barrier = threading.Barrier(2)

    def click() -> None:
        barrier.wait()
        status, _, text = creator.post("accept", {}, csrf=token)
        results.append((status, text))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for s, _ in results) == [303, 409]
    (refused,) = [text for s, text in results if s == 409]
    assert "Nothing was changed" in refused and "moved on" in refused
    assert types(world).count("accept") == 1


def test_an_action_the_step_does_not_wait_for_is_a_409_page_with_the_current_state(
    creator: Browser, world: dict[str, Any]
) -> None:
    negotiate(world, "n1")
    before = table_snapshot()
    status, _, text = creator.post("accept", {})
    assert status == 409 and table_snapshot() == before
    assert "accepting the invitation is not possible now" in text and "Agreeing the terms" in text


def test_an_unknown_action_is_a_404_page(creator: Browser, world: dict[str, Any]) -> None:
    invite(world)
    status, _, text = creator.post("approve-content", {})
    assert status == 404 and "Page not found" in text
    status, _, text = creator.get("/nothing-here")
    assert status == 404 and "Back to your collaboration" in text


def test_a_forged_link_is_a_404_page(brand_a: Client, world: dict[str, Any]) -> None:
    real = mail.collaboration_token(KEY, world["brand"], world["id"])
    for token in ("bm90LWEtdG9rZW4.c2lnbmF0dXJl", real[:-1] + ("A" if real[-1] != "A" else "B")):
        status, headers, body = brand_a.gateway.handle("GET", f"/c/{token}", {}, b"")
        assert status == 404 and headers["content-type"].startswith("text/html")
        assert b"This collaboration link is not valid" in body
    ghost = mail.collaboration_token(KEY, world["brand"], "no-such-collaboration")
    assert brand_a.gateway.handle("GET", f"/c/{ghost}", {}, b"")[0] == 404


def test_a_closed_collaborations_link_expires_after_the_configured_days(
    creator: Browser, world: dict[str, Any]
) -> None:
    store = deps().stores.collaborations
    store.mutate(world["brand"], world["id"], lambda c, p: collaborations.close(c, p, "declined", "creator"))
    status, _, text = creator.get()
    assert status == 200 and "You declined this invitation." in text and "This page stays open until" in text
    days = deps().settings.creator_link_days

    def age(c: Any, p: dict[str, Any]) -> None:
        c.timeline[-1].at = clock.iso(clock.now() - timedelta(days=days, minutes=1))

    store.mutate(world["brand"], world["id"], age)
    status, _, text = creator.get()
    assert status == 410 and "This link has expired" in text and f'href="/h/{world["brand"]}"' in text
    status, _, text = creator.post("accept", {}, csrf="x")
    assert status == 410


def test_machines_posting_json_get_the_json_answers(
    brand_a: Client, world: dict[str, Any], creator: Browser
) -> None:
    invite(world)
    json_headers = {"content-type": "application/json"}
    status, _, body = brand_a.gateway.handle("POST", f"{creator.path}/sign", json_headers, b'{"name": "M"}')
    assert status == 409 and b'"code": "conflict"' in body or b'"code":"conflict"' in body
    status, _, body = brand_a.gateway.handle("POST", f"{creator.path}/accept", json_headers, b"{}")
    assert status == 200 and body.replace(b" ", b"") == b'{"stage":"invite","status":"open"}'
    # A JSON post that brings the page's cookie is a browser's: it needs the page's token.
    negotiate(world, "n1")
    creator.token()
    cookie = {"cookie": creator.cookie} | json_headers
    before = table_snapshot()
    status, _, body = brand_a.gateway.handle("POST", f"{creator.path}/accept-terms", cookie, b"{}")
    assert status == 403 and table_snapshot() == before
    status, _, body = brand_a.gateway.handle("GET", f"{creator.path}/x", {"accept": "application/json"}, b"")
    assert status == 404
    forged = brand_a.gateway.handle("POST", "/c/bm90LWEtdG9rZW4.c2lnbmF0dXJl/accept", json_headers, b"{}")
    assert forged[0] == 404 and b'"not_found"' in forged[2]
