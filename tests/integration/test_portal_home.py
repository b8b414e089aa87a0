"""Creator home over the real handler (moto in-process): the emailed one-time sign-in link, its
rate limits and races, sessions, CSRF, the profile form, and earnings grouped as a creator reads
them."""

from __future__ import annotations

import email
import json
import re
import threading
import time
from email import policy
from types import SimpleNamespace
from typing import Any

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from local import queues as local_queues
from local.gateway import Gateway
from roster.adapters.mailer import Throttled
from roster.deps import deps, reset
from roster.models.collaborations import Collaboration, Waiting
from roster.models.ledger import LedgerEntry
from roster.models.payouts import Payout, PayoutLine
from roster.portal import earnings, sessions
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, Worker, table_snapshot
from tests.integration.test_step_emails import queued
from tests.integration.visitor import Visitor

SENDER = {
    "from_email": "team@mail.roster.example",
    "from_name": "Brand A Partnerships",
    "postal_address": "Brand A Inc., 12 Ridge Road, Boulder, CO 80302, USA",
}
BASE = "https://go.roster.test"


def sent(to: str | None = None) -> list[Any]:
    """The emails sent, `to` one address: the queued notice jobs (sign-in links) are delivered to the
    real outreach send worker first, as Lambda's SQS event source does."""
    Worker("OutreachSendFunction").drain()
    messages = list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
    return [m for m in messages if to is None or m.destinations[0] == to]


def link_in(message: Any, brand_id: str) -> str:
    msg = email.message_from_string(message.raw_data, policy=policy.default)
    text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(rf"{re.escape(BASE)}/h/{brand_id}/link\?t=([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def links() -> list[dict[str, Any]]:
    """The sign-in links stored (their hashes)."""
    return [i for i in table_snapshot() if i["SK"]["S"].startswith("ONCE#signin#")]


@pytest.fixture
def world(brand_a: Client, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("LINK_BASE_URL", BASE)
    reset()
    assert brand_a.call("PUT", "/v1/outreach/settings", SENDER)[0] == 200
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    creator = brand_a.call(
        "POST",
        "/v1/creators",
        CREATOR | {"platforms": {"instagram": {"handle": "maya.runs", "followers": 42_000}}},
    )[1]
    other = brand_a.call("POST", "/v1/creators", {"name": "Lena Park", "email": "lena@example.com"})[1]
    return {"brand": brand_a.brand_id, "campaign": campaign, "creator": creator, "other": other}


def signed_in(gateway: Gateway, w: dict[str, Any], address: str = "maya@example.com") -> Visitor:
    """A visitor who asked for a link and used it: a session of brand A's home."""
    v = Visitor(gateway)
    home = f"/h/{w['brand']}"
    assert v.get(home)[0] == 200
    before = len(sent(address))
    assert v.post(f"{home}/sign-in", {"email": address})[0] == 202
    token = link_in(sent(address)[before], w["brand"])
    assert v.get(f"{home}/link?t={token}")[0] == 200
    status, headers, _ = v.post(f"{home}/link", {"t": token})
    assert status == 303 and headers["location"] == home
    return v


def test_sign_in_by_the_emailed_link_end_to_end(gateway: Gateway, world: dict[str, Any]) -> None:
    brand, home = world["brand"], f"/h/{world['brand']}"
    v = Visitor(gateway)
    status, page = v.get(home)
    assert status == 200 and "Email me a sign-in link" in page and 'name="csrf"' in page
    status, _, page = v.post(f"{home}/sign-in", {"email": "Maya@Example.com "})
    assert status == 202 and "a sign-in link is on its way. It works once, within 15 minutes." in page
    (message,) = sent("maya@example.com")
    token = link_in(message, brand)
    raw = email.message_from_string(message.raw_data, policy=policy.default)
    assert raw["Subject"] == "Your sign-in link for Brand A" and raw["List-Unsubscribe"]

    # Opening the link (twice: a mail scanner, then the person) spends nothing.
    for _ in range(2):
        status, page = v.get(f"{home}/link?t={token}")
        assert status == 200 and "Continue as Maya Lopez" in page
    status, headers, _ = v.post(f"{home}/link", {"t": token})
    assert status == 303 and headers["location"] == home
    (session_cookie,) = [c for c in headers["set-cookie"].split("\n") if c.startswith("roster_session=")]
    for part in ("HttpOnly", "Secure", "SameSite=Lax", f"Path=/h/{brand}", "Max-Age=43200"):
        assert part in session_cookie.split("; "), session_cookie
    session = v.cookies["roster_session"]

    status, page = v.get(home)
    assert status == 200 and "Your creator home" in page and "Maya Lopez" in page
    # Only hashes are stored: neither the link's token nor the session id is in the table.
    everything = repr(table_snapshot())
    assert token not in everything and session not in everything
    assert sessions.digest(session) in everything

    # The link works once.
    fresh = Visitor(gateway)
    fresh.get(f"{home}/link?t={token}")
    assert fresh.last.count("does not work any more") == 1
    assert fresh.post(f"{home}/link", {"t": token})[0] == 410

    # Signing out ends the session server-side: the old cookie, sent again, is no session.
    v.get(home)
    status, headers, _ = v.post(f"{home}/sign-out", {})
    assert status == 303 and headers["location"] == f"{home}?done=signed-out"
    assert "roster_session" not in v.cookies
    assert "You are signed out." in v.get(headers["location"])[1]
    v.cookies["roster_session"] = session
    status, page = v.get(home)
    assert status == 200 and "Email me a sign-in link" in page and "Your session has ended" in page


def test_the_answer_is_the_same_for_addresses_not_on_the_roster(
    gateway: Gateway, world: dict[str, Any]
) -> None:
    home = f"/h/{world['brand']}"
    answers: list[tuple[int, str]] = []
    for address in ("nobody@example.com", "maya@example.com"):
        v = Visitor(gateway, ip=f"198.51.100.{len(answers) + 1}")
        v.get(home)
        status, _, page = v.post(f"{home}/sign-in", {"email": address})
        notice = re.search(r'<div class="notice ok" role="status"><p>(.*?)</p>', page)
        assert notice, page
        answers.append((status, notice.group(1)))
    assert answers[0] == answers[1] and answers[0][0] == 202
    # The same work in the request: one job each (ids only), no email sent in it, known or not.
    assert queued() == [
        {"kind": "notice", "notice": "signin", "brand_id": world["brand"], "creator_id": creator_id}
        for creator_id in (None, world["creator"]["id"])
    ]
    assert ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages == []
    # The worker emails the known creator their link and drops the job without a creator.
    assert sent("nobody@example.com") == [] and len(sent("maya@example.com")) == 1
    assert len(links()) == 1
    # Another brand's creator is not this brand's: brand B's address gets nothing from brand A.
    assert "a sign-in link is on its way" in answers[0][1]


def test_a_throttled_link_is_retried_by_the_queue_and_the_link_sent_works(
    gateway: Gateway, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = f"/h/{world['brand']}"
    mailer, real = deps().mailer, deps().mailer.send
    calls: list[str] = []

    def throttled_once(from_email: str, to: str, raw: bytes, tags: dict[str, str]) -> str:
        calls.append(to)
        if len(calls) == 1:
            raise Throttled("SES still throttling after 6 attempts")
        return real(from_email, to, raw, tags)

    monkeypatch.setattr(mailer, "send", throttled_once)
    monkeypatch.setattr(local_queues, "RETRY_AFTER_SECONDS", 0)
    v = Visitor(gateway)
    v.get(home)
    assert v.post(f"{home}/sign-in", {"email": "maya@example.com"})[0] == 202
    worker = Worker("OutreachSendFunction")
    assert worker.drain() == 0 and links() == []  # not taken by SES: the link it made is dropped
    assert worker.drain() == 1 and len(links()) == 1 and calls == ["maya@example.com"] * 2
    (message,) = sent("maya@example.com")
    token = link_in(message, world["brand"])
    status, headers, _ = v.post(f"{home}/link", {"t": token})
    assert status == 303 and headers["location"] == home and links() == []


class NoQueue:
    def send(self, messages: Any) -> None:
        raise RuntimeError("SQS is unreachable")


def test_a_link_that_cannot_be_queued_says_so_the_same_way_for_every_address(
    gateway: Gateway, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = f"/h/{world['brand']}"
    monkeypatch.setattr(deps(), "outreach_queue", NoQueue())
    answers: list[tuple[int, str]] = []
    for address in ("nobody@example.com", "maya@example.com"):
        v = Visitor(gateway, ip=f"198.51.100.{len(answers) + 1}")
        v.get(home)
        status, _, page = v.post(f"{home}/sign-in", {"email": address})
        notice = re.search(r'<div class="notice error" role="alert"><p>(.*?)</p>', page)
        assert notice, page
        answers.append((status, notice.group(1)))
    assert answers[0] == answers[1] and answers[0][0] == 503 and "try again" in answers[0][1]
    assert sent() == []


def test_links_are_rate_limited_per_address_and_per_ip(gateway: Gateway, world: dict[str, Any]) -> None:
    home = f"/h/{world['brand']}"
    for n in range(3):
        v = Visitor(gateway, ip=f"198.51.100.{n + 1}")  # a new IP each time: the address's limit
        v.get(home)
        assert v.post(f"{home}/sign-in", {"email": "maya@example.com"})[0] == 202
    v = Visitor(gateway, ip="198.51.100.99")
    v.get(home)
    status, _, page = v.post(f"{home}/sign-in", {"email": "MAYA@example.com"})
    assert status == 429 and "Wait 15 minutes" in page
    assert len(sent("maya@example.com")) == 3
    # The limit counts unknown addresses the same way (it tells nothing about who is on the roster).
    for _ in range(3):
        v.get(home)
        assert v.post(f"{home}/sign-in", {"email": "nobody@example.com"})[0] == 202
    assert v.post(f"{home}/sign-in", {"email": "nobody@example.com"})[0] == 429

    # One IP: at most 20 requests per window, whichever addresses.
    crowd = Visitor(gateway, ip="192.0.2.50")
    crowd.get(home)
    statuses = [crowd.post(f"{home}/sign-in", {"email": f"p{n}@example.com"})[0] for n in range(21)]
    assert statuses == [202] * 20 + [429]
    # Nothing raw about the visitor is stored: no IP, no address in a counter's key.
    counters = [i for i in table_snapshot() if i["SK"]["S"].startswith("RATE#")]
    assert counters and "192.0.2.50" not in repr(counters) and "example.com" not in repr(counters)


def test_forged_expired_and_foreign_links_are_refused(
    gateway: Gateway, world: dict[str, Any], brand_b: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    brand, home = world["brand"], f"/h/{world['brand']}"
    v = Visitor(gateway)
    for bad in ("forged-token", "x" * 500, ""):
        status, page = v.get(f"{home}/link?t={bad}")
        assert status == 410 and "does not work any more" in page and "Email me a sign-in link" in page
        assert v.post(f"{home}/link", {"t": bad})[0] == 410
    assert v.get(f"{home}/link")[0] == 410

    token = sessions.issue_link(deps().stores.portal, brand, world["creator"]["id"])
    # Brand A's link is nothing at brand B's home.
    b = Visitor(gateway)
    assert b.get(f"/h/{brand_b.brand_id}/link?t={token}")[0] == 410
    assert b.post(f"/h/{brand_b.brand_id}/link", {"t": token})[0] == 410
    # 15 minutes later it has expired (TTL deletion lags: the store checks the time itself).
    v.get(f"{home}/link?t={token}")
    assert "Continue as Maya Lopez" in v.last
    later = time.time() + sessions.LINK_SECONDS + 1
    monkeypatch.setattr("roster.store.portal.time", SimpleNamespace(time=lambda: later))
    before = table_snapshot()
    assert v.post(f"{home}/link", {"t": token})[0] == 410
    assert v.get(f"{home}/link?t={token}")[0] == 410
    assert "roster_session" not in v.cookies and table_snapshot() == before

    # Unknown brands are a 404 page, on every route.
    assert v.get("/h/01NOSUCHBRAND")[0] == 404
    assert v.get("/h/not a brand!")[0] == 404
    assert v.get(f"{home}/nothing-here")[0] == 404


def test_ten_racing_posts_of_one_link_start_one_session(gateway: Gateway, world: dict[str, Any]) -> None:
    brand, home = world["brand"], f"/h/{world['brand']}"
    token = sessions.issue_link(deps().stores.portal, brand, world["creator"]["id"])
    visitors = [Visitor(gateway, ip=f"198.51.100.{n}") for n in range(10)]
    for v in visitors:
        v.get(f"{home}/link?t={token}")
    barrier = threading.Barrier(len(visitors))
    results: list[int] = []

    def race(v: Visitor) -> None:
        barrier.wait()
        results.append(v.post(f"{home}/link", {"t": token})[0])

    threads = [threading.Thread(target=race, args=(v,)) for v in visitors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [303] + [410] * 9
    winners = [v for v in visitors if "roster_session" in v.cookies]
    assert len(winners) == 1
    stored = [i for i in table_snapshot() if i["SK"]["S"].startswith("CSESSION#")]
    assert len(stored) == 1


def test_posts_without_a_valid_csrf_token_change_nothing(
    gateway: Gateway, world: dict[str, Any], brand_b: Client
) -> None:
    home = f"/h/{world['brand']}"
    v = signed_in(gateway, world)
    v.get(home)
    before = table_snapshot()
    messages = len(sent())
    for action, fields in (
        ("profile", {"name": "Hacked", "payout_email": "evil@example.com"}),
        ("delete-address", {}),
        ("sign-out", {}),
        ("sign-in", {"email": "maya@example.com"}),
    ):
        status, _, page = v.post(f"{home}/{action}", fields, csrf=False)
        assert status == 403 and "Nothing was changed" in page, action
        status, _, _ = v.post(f"{home}/{action}", fields | {"csrf": "forged"}, csrf=False)
        assert status == 403, action
    # A token of another brand's home (its own scope) does not work here.
    other = Visitor(gateway)
    other.cookies = dict(v.cookies)
    other.get(f"/h/{brand_b.brand_id}")
    foreign = other.csrf()
    assert v.post(f"{home}/profile", {"csrf": foreign, "name": "Hacked"}, csrf=False)[0] == 403
    assert table_snapshot() == before and len(sent()) == messages


def test_profile_is_validated_saved_and_the_address_deleted(gateway: Gateway, world: dict[str, Any]) -> None:
    brand, home = world["brand"], f"/h/{world['brand']}"
    creator_id = world["creator"]["id"]
    v = signed_in(gateway, world)
    v.get(home)
    before = table_snapshot()
    bad = {
        "name": "",
        "payout_email": "not-an-email",
        "handle_instagram": "maya.runs",
        "address_name": "Maya Lopez",
        "address_line1": "12 Trail Way",
        "address_city": "",
        "address_postal_code": "80302",
        "address_country": "USA",
    }
    status, _, page = v.post(f"{home}/profile", bad)
    assert status == 422 and "Nothing was saved" in page
    for name in ("name", "payout_email", "address_city", "address_country"):
        assert re.search(rf'id="profile-{name}"[^>]*aria-invalid="true"', page), name
        assert f'id="profile-{name}-error"' in page, name
    assert 'value="12 Trail Way"' in page  # what was typed stays in the form
    assert table_snapshot() == before

    status, _, page = v.post(
        f"{home}/profile", {"name": "Maya L", "new_platform": "myspace", "new_handle": "m"}
    )
    assert status == 422 and 'id="profile-new_platform-error"' in page and table_snapshot() == before

    good = bad | {
        "name": "Maya L. Lopez",
        "payout_email": "pay.maya@example.com",
        "handle_instagram": "@maya.trails",
        "new_platform": "tiktok",
        "new_handle": "mayaruns",
        "address_city": "Boulder",
        "address_country": "us",
    }
    v.get(home)
    status, headers, _ = v.post(f"{home}/profile", good)
    assert status == 303 and headers["location"] == f"{home}?done=profile#profile"
    saved = deps().stores.creators.require(brand, creator_id)
    assert saved.name == "Maya L. Lopez" and saved.payout_email == "pay.maya@example.com"
    assert saved.email == "maya@example.com"  # the sign-in address is not the creator's to change here
    assert {p.value: s.handle for p, s in saved.platforms.items()} == {
        "instagram": "maya.trails",
        "tiktok": "mayaruns",
    }
    assert saved.platforms[next(iter(saved.platforms))].followers == 42_000  # the rest of a profile is kept
    assert saved.shipping_address is not None and saved.shipping_address.country == "US"
    assert saved.shipping_address.city == "Boulder" and saved.shipping_address.line2 is None
    page = v.get(headers["location"])[1]
    assert "Your profile is saved." in page and "Delete my shipping address" in page

    status, headers, _ = v.post(f"{home}/delete-address", {})
    assert status == 303 and headers["location"] == f"{home}?done=address#profile"
    gone = deps().stores.creators.require(brand, creator_id)
    assert gone.shipping_address is None and gone.payout_email == "pay.maya@example.com"
    page = v.get(headers["location"])[1]
    assert "Your shipping address is deleted." in page and "Delete my shipping address" not in page
    # The other creator of the brand is untouched.
    lena = deps().stores.creators.require(brand, world["other"]["id"])
    assert lena.name == "Lena Park" and lena.version == 1


def test_an_expired_session_asks_to_sign_in_and_changes_nothing(
    gateway: Gateway, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = f"/h/{world['brand']}"
    v = signed_in(gateway, world)
    v.get(home)
    before = table_snapshot()
    later = time.time() + sessions.SESSION_SECONDS + 1
    monkeypatch.setattr("roster.store.portal.time", SimpleNamespace(time=lambda: later))
    status, headers, page = v.post(f"{home}/profile", {"name": "Too late"})
    assert status == 401 and "Your session has ended" in page and "Email me a sign-in link" in page
    assert "roster_session=;" in headers["set-cookie"]
    # Nothing changed but the ended session's item, which is dropped with the cookie.
    assert table_snapshot() == [i for i in before if not i["SK"]["S"].startswith("CSESSION#")]
    assert v.post(f"{home}/delete-address", {})[0] == 401


def test_a_session_is_one_brand_and_one_creator(
    gateway: Gateway, world: dict[str, Any], brand_b: Client
) -> None:
    brand, home = world["brand"], f"/h/{world['brand']}"
    v = signed_in(gateway, world)
    # Brand B has a creator with the same address; brand A's session is nothing there.
    status, b_maya = brand_b.call("POST", "/v1/creators", CREATOR | {"name": "Maya at B"})
    assert status == 201
    elsewhere = Visitor(gateway)  # a browser would not even send it (the cookie's path is brand A's)
    elsewhere.cookies = dict(v.cookies)
    status, page = elsewhere.get(f"/h/{brand_b.brand_id}")
    assert status == 200 and "Email me a sign-in link" in page and "Maya at B" not in page
    # Lena's earnings and collaborations are not Maya's.
    campaign = world["campaign"]["id"]
    _entry(brand, world["other"]["id"], campaign, "order-lena-9999", 777, at="2026-11-02T10:00:00.000Z")
    _collaboration(brand, world["other"]["id"], campaign, "01LENACOLLAB00000000000000")
    page = v.get(home)[1]
    assert "#…9999" not in page and "USD 7.77" not in page and "01LENACOLLAB" not in page
    assert "No collaborations with Brand A yet." in page


def _entry(
    brand: str,
    creator: str,
    campaign: str,
    order: str,
    amount: int,
    *,
    seq: int = 0,
    at: str,
    hold: str | None = None,
    currency: str = "USD",
    kind: str | None = None,
) -> LedgerEntry:
    entry = LedgerEntry(
        entry_id=f"shop:{order}:{seq}",
        creator_id=creator,
        campaign_id=campaign,
        provider="shop",
        order_id=order,
        seq=seq,
        kind=kind or ("commission" if seq == 0 else "reversal" if amount < 0 else "adjustment"),
        amount=amount,
        currency=currency,
        occurred_at=at,
        hold_until=hold or at,
        created_at=at,
    )
    assert deps().stores.ledger.append(brand, entry)
    return entry


def _collaboration(brand: str, creator: str, campaign: str, cid: str, **fields: Any) -> Collaboration:
    c = Collaboration(
        id=cid,
        campaign_id=campaign,
        creator_id=creator,
        stage=fields.pop("stage", "invite"),
        status=fields.pop("status", "open"),
        created_at="2026-11-01T09:00:00.000Z",
        updated_at="2026-11-01T09:00:00.000Z",
        **fields,
    )
    assert deps().stores.collaborations.create(
        brand, c, "arn:aws:states:us-east-1:123456789012:execution:x:y"
    )
    return c


NOW = "2026-12-10T12:00:00.000Z"


def test_earnings_group_by_month_status_and_currency(world: dict[str, Any]) -> None:
    brand, maya, campaign = world["brand"], world["creator"]["id"], world["campaign"]["id"]
    stores = deps().stores
    # November: a paid order, later partly refunded (a clawback); an approved order fully refunded.
    paid = _entry(brand, maya, campaign, "1001-maya@example.com", 5000, at="2026-11-03T10:00:00.000Z")
    assert stores.ledger.mark_paid(brand, paid, "01PAYOUT")
    _entry(brand, maya, campaign, "1001-maya@example.com", -2000, seq=1, at="2026-11-03T10:00:00.000Z")
    _entry(brand, maya, campaign, "gid://shopify/Order/55501002", 1200, at="2026-11-20T10:00:00.000Z")
    _entry(brand, maya, campaign, "gid://shopify/Order/55501002", -1200, seq=1, at="2026-11-20T10:00:00.000Z")
    # December: a pending USD order with an adjustment, a pending EUR order, an approved fixed fee.
    _entry(
        brand, maya, campaign, "A-2003", 1000, at="2026-12-05T10:00:00.000Z", hold="2027-01-04T10:00:00.000Z"
    )
    _entry(
        brand,
        maya,
        campaign,
        "A-2003",
        250,
        seq=1,
        at="2026-12-05T10:00:00.000Z",
        hold="2027-01-04T10:00:00.000Z",
    )
    _entry(
        brand,
        maya,
        campaign,
        "E-7",
        900,
        at="2026-12-06T10:00:00.000Z",
        hold="2027-01-05T10:00:00.000Z",
        currency="EUR",
    )
    fee = LedgerEntry(
        entry_id="fixed_fee:01COLLAB:0:0:0", creator_id=maya, campaign_id=campaign, provider="fixed_fee",
        order_id="01COLLAB:0:0", seq=0, kind="fixed_fee", amount=30000, currency="USD",
        occurred_at="2026-12-08T10:00:00.000Z", hold_until="2026-12-08T10:00:00.000Z",
        created_at="2026-12-08T10:00:00.000Z",
    )  # fmt: skip
    assert stores.ledger.append(brand, fee)
    # Lena's order is not Maya's.
    _entry(brand, world["other"]["id"], campaign, "L-1", 999, at="2026-12-01T10:00:00.000Z")

    e = earnings.for_creator(stores, brand, maya, now_iso=NOW)
    assert e.totals == [
        earnings.Money3("EUR", pending=900, approved=0, paid=0),
        earnings.Money3("USD", pending=1250, approved=30000 - 2000 + 0, paid=5000),
    ]
    assert [m.month for m in e.months] == ["2026-12", "2026-11"]
    december, november = e.months
    assert [(x.kind, x.order_ref, x.amount, x.currency, x.status) for x in december.lines] == [
        ("fixed_fee", "", 30000, "USD", "approved"),
        ("commission", "#…-7", 900, "EUR", "pending"),  # a short id: its last 2
        ("commission", "#…2003", 1250, "USD", "pending"),
    ]
    assert december.totals == [
        earnings.Money3("EUR", 900, 0, 0),
        earnings.Money3("USD", pending=1250, approved=30000, paid=0),
    ]
    # The refund nets against its order; the clawback of a paid order is its own negative line.
    assert sorted((x.kind, x.order_ref, x.amount, x.status) for x in november.lines) == [
        ("commission", "#…", 5000, "paid"),
        ("reversal", "#…", -2000, "approved"),
        ("reversal", "#…1002", 0, "approved"),
    ]
    assert november.totals == [earnings.Money3("USD", pending=0, approved=-2000, paid=5000)]
    everything = repr(e)
    assert "maya@example.com" not in everything and "55501002" not in everything
    assert earnings.for_creator(stores, brand, maya, campaign_id="other", now_iso=NOW).totals == []

    html = earnings.render_totals(e.totals)
    assert re.search(r'<th scope="row">EUR</th><td class="num">9\.00</td><td class="num">0\.00</td>', html)
    assert '<th scope="row">USD</th><td class="num">12.50</td><td class="num">280.00</td>' in html
    assert "50.00" in html and "Pending: inside the return window" in html
    assert "Pending: inside" not in earnings.render_totals(e.totals, explain=False)
    assert (
        earnings.amount_text(-1500, "JPY") == "JPY -1,500" and earnings.amount_text(5, "KWD") == "KWD 0.005"
    )


def test_home_shows_collaborations_links_codes_earnings_and_payouts(
    gateway: Gateway, world: dict[str, Any], brand_a: Client
) -> None:
    brand, home = world["brand"], f"/h/{world['brand']}"
    maya, campaign = world["creator"]["id"], world["campaign"]
    waiting = Waiting(actions=["accept", "decline"], since=NOW, until="2026-12-20T09:00:00.000Z")
    _collaboration(brand, maya, campaign["id"], "01MAYACOLLAB00000000000000", waiting_for=waiting)
    _collaboration(
        brand,
        maya,
        campaign["id"],
        "01MAYAOLDCOLLAB00000000000",
        stage="closed",
        status="closed",
        outcome="completed",
    )
    link = brand_a.call(
        "POST",
        "/v1/links",
        {"campaign_id": campaign["id"], "creator_id": maya, "destination": "https://shop.example.com/trail"},
    )[1]
    code = brand_a.call(
        "POST", "/v1/promo-codes", {"campaign_id": campaign["id"], "creator_id": maya, "code": "MAYA10"}
    )
    assert code[0] == 201
    at = "2026-11-03T10:00:00.000Z"
    paid = _entry(brand, maya, campaign["id"], "1001", 5000, at=at)
    assert deps().stores.ledger.mark_paid(brand, paid, "01PAYOUTMAYA0000000000000")
    line = PayoutLine(
        creator_id=maya,
        currency="USD",
        campaign_ids=[campaign["id"]],
        gross=5000,
        clawback=0,
        amount=5000,
        entries=1,
    )
    lena = PayoutLine(
        creator_id=world["other"]["id"],
        currency="USD",
        campaign_ids=[campaign["id"]],
        gross=111,
        clawback=0,
        amount=111,
        entries=1,
    )
    deps().stores.payouts.put(
        brand,
        Payout(
            id="01PAYOUTMAYA0000000000000",
            created_at="2026-11-30T10:00:00.000Z",
            lines=[line, lena],
            totals={"USD": 5111},
        ),
    )

    v = signed_in(gateway, world)
    status, page = v.get(home)
    assert status == 200
    assert page.count("Spring trail launch") >= 3  # two collaborations, the link, the code, the lines
    assert "Invited" in page and "Closed: completed" in page
    assert "Waiting for you:</strong> accept or decline the invitation, by 2026-12-20 09:00 UTC" in page
    from roster.outreach import mail

    key = deps().settings.outreach_signing_key or ""
    assert mail.collaboration_url(BASE, key, brand, "01MAYACOLLAB00000000000000") in page
    assert page.index("Invited") < page.index("Closed: completed")  # open ones first
    assert f'value="{BASE}/r/{link["code"]}"' in page and 'value="MAYA10"' in page
    assert 'data-copy="code-MAYA10"' in page
    assert "USD 50.00" in page and "November 2026" in page and "Sale #…01" in page
    assert "01PAYOUTMAYA0000000000000" in page and "USD 1.11" not in page and "USD 51.11" not in page


def test_a_json_client_may_ask_for_a_link_without_a_token(gateway: Gateway, world: dict[str, Any]) -> None:
    """A machine posting JSON without cookies carries no ambient credential: no CSRF token needed,
    the same answer, as JSON. With a cookie it is a browser again, and needs the token."""
    home = f"/h/{world['brand']}"
    headers = {"content-type": "application/json", "accept": "application/json"}
    for address in ("maya@example.com", "nobody@example.com"):
        status, _, body = gateway.handle(
            "POST", f"{home}/sign-in", headers, f'{{"email": "{address}"}}'.encode()
        )
        assert status == 202 and b"a sign-in link is on its way" in body and body.startswith(b"{")
    assert len(sent("maya@example.com")) == 1 and sent("nobody@example.com") == []
    status, _, _ = gateway.handle(
        "POST",
        f"{home}/sign-in",
        headers | {"cookie": "roster_csrf=" + "n" * 32},
        b'{"email": "maya@example.com"}',
    )
    assert status == 403 and len(sent("maya@example.com")) == 1
    status, _, body = gateway.handle("POST", f"{home}/sign-in", headers, b'{"email": "not an address"}')
    assert status == 422 and json.loads(body) == {  # Roster's error shape, as every function answers
        "error": {
            "code": "validation_error",
            "message": "enter an email address",
            "details": [{"field": "email", "message": "enter an email address"}],
        }
    }
