"""The application page over the real handlers (moto in-process): the brand sets its page, a
visitor applies, confirms by the emailed single-use link, and the brand approves (a collaboration
starts) or declines (an email). Spam and abuse: the honeypot, the per-IP limit under 20 concurrent
posts, CSRF-less posts, replayed, expired and concurrent confirmations (410) and forged ones (404),
deciding twice, another brand; and a JSON client's answers (Roster's error shape, 202, 200)."""

from __future__ import annotations

import email
import json
import re
import threading
import time
from email import policy
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from local.gateway import Gateway
from roster.deps import deps, reset
from roster.portal import apply
from tests.conftest import TEST_ENV
from tests.integration.conftest import CAMPAIGN, Client, member_of, table_snapshot
from tests.integration.visitor import Visitor as BaseVisitor

SENDER = {
    "from_email": "team@mail.roster.example",
    "from_name": "Brand A Partnerships",
    "postal_address": "Brand A Inc., 12 Ridge Road, Boulder, CO 80302, USA",
}
BASE = "https://go.roster.test"
SLUG = "brand-a"
FORM = {
    "name": "Maya Lopez",
    "email": "Maya@Example.com",
    "platform_1": "instagram",
    "handle_1": "@maya.runs",
    "followers_1": "42,000",
    "platform_2": "tiktok",
    "handle_2": "mayaruns",
    "followers_2": "",
    "country": "us",
    "note": "Trail running, mostly <b>mountains</b>.",
}


def sent(to: str | None = None) -> list[Any]:
    messages = list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
    return [m for m in messages if to is None or m.destinations[0] == to]


def text_of(message: Any) -> str:
    msg = email.message_from_string(message.raw_data, policy=policy.default)
    return str(msg.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]


def confirm_token(message: Any) -> str:
    found = re.search(rf"{re.escape(BASE)}/apply/{SLUG}/confirm\?t=([A-Za-z0-9_-]+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def items(entity: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    scanned = client.scan(TableName=TEST_ENV["TABLE_NAME"])["Items"]
    return [i for i in scanned if i.get("entity", {}).get("S") == entity]


def machine(
    gateway: Gateway,
    method: str,
    path: str,
    body: dict[str, Any] | bytes | None = None,
    *,
    cookie: str = "",
    ip: str = "198.51.100.77",
) -> tuple[int, dict[str, str], Any]:
    """A JSON client (`Accept: application/json`, a JSON body): its status, headers and JSON answer."""
    headers = {"accept": "application/json", "content-type": "application/json"}
    if cookie:
        headers["cookie"] = cookie
    raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    status, out, payload = gateway.handle(method, path, headers, raw, ip)
    assert out["content-type"] == "application/json", (status, payload[:200])
    return status, out, json.loads(payload)


JSON_FORM = {k: v for k, v in FORM.items() if v} | {"followers_1": 42_000}


class Visitor(BaseVisitor):
    """A visitor of the application page."""

    def __init__(self, gateway: Gateway, ip: str = "198.51.100.23") -> None:
        super().__init__(gateway, ip)

    def apply(self, fields: dict[str, str] | None = None, path: str = f"/apply/{SLUG}") -> int:
        assert self.get(path)[0] == 200
        return self.post(f"/apply/{SLUG}", fields or FORM)[0]

    def confirm(self, token: str) -> tuple[int, dict[str, str], str]:
        assert self.get(f"/apply/{SLUG}/confirm?t={token}")[0] == 200
        return self.post(f"/apply/{SLUG}/confirm", {"t": token})


@pytest.fixture
def world(brand_a: Client, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("LINK_BASE_URL", BASE)
    reset()
    assert brand_a.call("PUT", "/v1/outreach/settings", SENDER)[0] == 200
    status, campaign = brand_a.call(
        "POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "slug": "spring-trail", "brief": "Run it."}
    )
    assert status == 201, campaign
    status, page = brand_a.call(
        "PUT",
        "/v1/application-page",
        {"slug": SLUG, "intro": "We look for trail runners.", "campaign_ids": [campaign["id"]]},
    )
    assert status == 200, page
    return {"campaign": campaign, "page": page}


def applied(brand: Client, gateway: Gateway, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """One confirmed application (pending), as the brand lists it."""
    v = Visitor(gateway)
    assert v.apply(fields) == 303
    to = (fields or FORM)["email"].lower()
    assert v.confirm(confirm_token(sent(to)[-1]))[0] == 303
    listed = brand.call("GET", "/v1/applications")[1]["items"]
    return next(a for a in listed if a["email"] == to)


# ---- the page's settings


def test_the_page_settings_and_a_unique_slug(world: dict[str, Any], brand_a: Client, brand_b: Client) -> None:
    page = world["page"]
    assert page["url"] == f"{BASE}/apply/{SLUG}" and page["enabled"] is True and page["version"] == 1
    assert brand_a.call("GET", "/v1/application-page")[1] == page
    assert brand_b.call("GET", "/v1/application-page")[0] == 404
    for bad in ("ab", "-abc", "abc-", "a_b_c", "ABC", "a" * 61, "a--b"):
        status, body = brand_b.call("PUT", "/v1/application-page", {"slug": bad})
        assert status == 422, (bad, body)
    before = table_snapshot()
    status, body = brand_b.call("PUT", "/v1/application-page", {"slug": SLUG})
    assert status == 409 and body["error"]["details"][0]["field"] == "slug"
    assert table_snapshot() == before
    # Another brand's campaign is no campaign of B's: 422, nothing saved.
    status, body = brand_b.call(
        "PUT", "/v1/application-page", {"slug": "brand-b", "campaign_ids": [world["campaign"]["id"]]}
    )
    assert status == 422 and body["error"]["details"][0]["field"] == "campaign_ids.0"
    assert table_snapshot() == before
    # A moves to a new slug: the old one is free at once (one transaction), and B can take it.
    status, moved = brand_a.call("PUT", "/v1/application-page", {"slug": "brand-a-new", "intro": "New."})
    assert status == 200 and moved["version"] == 2 and moved["campaign_ids"] == []
    assert Visitor(brand_a.gateway).get(f"/apply/{SLUG}")[0] == 404
    assert brand_b.call("PUT", "/v1/application-page", {"slug": SLUG})[0] == 200
    assert "Brand B" in Visitor(brand_a.gateway).get(f"/apply/{SLUG}")[1]
    assert "Brand A" in Visitor(brand_a.gateway).get("/apply/brand-a-new")[1]


def test_only_an_admin_sets_the_page(world: dict[str, Any], brand_a: Client) -> None:
    member = member_of(brand_a, "sam@brand-a.example")
    assert member.call("GET", "/v1/application-page")[0] == 200
    status, body = member.call("PUT", "/v1/application-page", {"slug": "mine-now"})
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_unknown_or_disabled_pages_are_a_clear_404(world: dict[str, Any], brand_a: Client) -> None:
    v = Visitor(brand_a.gateway)
    for path in ("/apply/nobody-here", "/apply/x", "/apply/%3Cscript%3E"):
        status, text = v.get(path)
        assert status == 404 and "There is no application page at this address." in text
    assert brand_a.call("PUT", "/v1/application-page", {"slug": SLUG, "enabled": False})[0] == 200
    assert v.get(f"/apply/{SLUG}")[0] == 404
    assert v.request("POST", f"/apply/{SLUG}", FORM)[0] == 404


# ---- applying


def test_the_form_page(world: dict[str, Any], brand_a: Client) -> None:
    v = Visitor(brand_a.gateway)
    status, out, text = v.request("GET", f"/apply/{SLUG}")
    assert status == 200 and "Apply to work with Brand A" in text and "We look for trail runners." in text
    assert "default-src 'none'" in out["content-security-policy"]
    assert "roster_csrf" in v.cookies and 'name="csrf"' in text
    # The honeypot: off-screen, out of the tab order, hidden from screen readers.
    assert re.search(
        r'<div class="hp" aria-hidden="true">.*name="website" tabindex="-1" autocomplete="off"', text
    )
    assert "Run it." not in text  # no campaign named: the brand's general page
    text = v.get(f"/apply/{SLUG}?campaign=spring-trail")[1]
    assert "You are applying for Spring trail launch" in text and "Run it." in text
    assert "You are applying" not in v.get(f"/apply/{SLUG}?campaign=not-allowed")[1]


def test_an_applicant_applies_confirms_and_is_approved_into_a_campaign(
    world: dict[str, Any], brand_a: Client
) -> None:
    v = Visitor(brand_a.gateway)
    assert v.get(f"/apply/{SLUG}?campaign=spring-trail")[0] == 200
    status, out, _ = v.post(f"/apply/{SLUG}", FORM | {"campaign": "spring-trail"})
    assert status == 303 and out["location"] == f"/apply/{SLUG}/sent"
    assert "Check your email" in v.get(out["location"])[1]
    # Stored, but unconfirmed: the brand sees nothing yet, and no creator exists.
    (stored,) = items("application")
    assert stored["status"]["S"] == "unconfirmed" and "expires_at" in stored and "GSI1PK" not in stored
    assert "198.51.100.23" not in str(table_snapshot())  # nothing raw about the visitor
    assert brand_a.call("GET", "/v1/applications")[1]["items"] == []
    assert brand_a.call("GET", "/v1/creators")[1]["items"] == []
    (message,) = sent("maya@example.com")
    assert "Confirm your application to Brand A" in message.raw_data and "Brand A Inc." in text_of(message)
    token = confirm_token(message)
    # Opening the link (as a mail scanner does) changes nothing: it asks first.
    before = table_snapshot()
    other = Visitor(brand_a.gateway, ip="192.0.2.9")  # opened on the phone's mail app: a new browser
    status, text = other.get(f"/apply/{SLUG}/confirm?t={token}")
    assert status == 200 and "Confirm my application" in text
    assert [i for i in table_snapshot() if "#RATE#" not in i["SK"]["S"]] == before
    status, out, _ = other.post(f"/apply/{SLUG}/confirm", {"t": token})
    assert status == 303 and out["location"] == f"/apply/{SLUG}/done"
    (creator,) = brand_a.call("GET", "/v1/creators")[1]["items"]
    assert creator["status"] == "applicant" and creator["email"] == "maya@example.com"
    assert creator["country"] == "US" and creator["followers"] == 42_000
    assert creator["platforms"]["instagram"]["handle"] == "maya.runs"
    assert creator["platforms"]["tiktok"] == {
        "handle": "mayaruns",
        "profile_url": None,
        "feed_url": None,
        "followers": None,
    }
    (app,) = brand_a.call("GET", "/v1/applications")[1]["items"]
    assert app["status"] == "pending" and app["creator_id"] == creator["id"] and app["applied_at"]
    assert app["campaign_id"] == world["campaign"]["id"] and app["note"] == FORM["note"]
    assert [h["followers"] for h in app["handles"]] == [42_000, None]
    # Approved into the campaign: the creator is active and the collaboration has started.
    status, approved = brand_a.call(
        "POST", f"/v1/applications/{app['id']}/approve", {"campaign_id": world["campaign"]["id"]}
    )
    assert status == 200, approved
    assert approved["status"] == "approved" and approved["decided_by"] and approved["collaboration_id"]
    assert brand_a.call("GET", f"/v1/creators/{creator['id']}")[1]["status"] == "active"
    status, collab = brand_a.call("GET", f"/v1/collaborations/{approved['collaboration_id']}")
    assert status == 200 and collab["creator_id"] == creator["id"] and collab["stage"] == "invite"
    assert brand_a.call("GET", "/v1/applications")[1]["items"] == []
    assert [
        a["id"] for a in brand_a.call("GET", "/v1/applications", query={"status": "approved"})[1]["items"]
    ] == [app["id"]]
    # Deciding again, either way: 409, nothing changes.
    before = table_snapshot()
    assert brand_a.call("POST", f"/v1/applications/{app['id']}/approve")[0] == 409
    assert brand_a.call("POST", f"/v1/applications/{app['id']}/decline")[0] == 409
    assert table_snapshot() == before


def test_an_existing_creator_is_updated_not_duplicated(world: dict[str, Any], brand_a: Client) -> None:
    status, known = brand_a.call(
        "POST",
        "/v1/creators",
        {
            "name": "Maya L.",
            "email": "maya@example.com",
            "platforms": {
                "instagram": {"handle": "maya.runs", "profile_url": "https://instagram.com/maya.runs"}
            },
            "status": "archived",
        },
    )
    assert status == 201
    app = applied(brand_a, brand_a.gateway)
    (creator,) = brand_a.call("GET", "/v1/creators")[1]["items"]
    assert creator["id"] == known["id"] == app["creator_id"] and creator["name"] == "Maya L."
    assert creator["status"] == "applicant"  # archived → applicant again
    assert creator["platforms"]["instagram"]["profile_url"] == "https://instagram.com/maya.runs"
    assert creator["platforms"]["instagram"]["followers"] == 42_000 and "tiktok" in creator["platforms"]
    # An active creator applying again stays active.
    assert brand_a.call("PATCH", f"/v1/creators/{known['id']}", {"status": "active"})[0] == 200
    applied(brand_a, brand_a.gateway, FORM | {"platform_3": "youtube", "handle_3": "MayaRunsTV"})
    creator = brand_a.call("GET", f"/v1/creators/{known['id']}")[1]
    assert creator["status"] == "active" and creator["platforms"]["youtube"]["handle"] == "MayaRunsTV"


def test_bad_fields_re_render_the_form_with_the_values_kept(world: dict[str, Any], brand_a: Client) -> None:
    v = Visitor(brand_a.gateway)
    assert v.get(f"/apply/{SLUG}")[0] == 200
    before = table_snapshot()
    bad = FORM | {
        "email": "maya-at-example",
        "followers_1": "lots",
        "handle_2": "",
        "followers_2": "12",
        "country": "USA",
    }
    status, _, text = v.post(f"/apply/{SLUG}", bad)
    assert status == 422
    assert "Enter an email address like name@example.com." in text
    assert "Enter the number of followers as digits, e.g. 42000." in text
    assert "Enter the handle for this follower count, or clear the count." in text
    assert "Enter the two-letter country code, e.g. US, GB or DE." in text
    assert 'value="maya-at-example"' in text and 'value="Maya Lopez"' in text
    assert "Trail running, mostly &lt;b&gt;mountains&lt;/b&gt;." in text  # kept, and escaped
    assert (
        'id="f-email" name="email" required aria-describedby="f-email-hint f-email-error" aria-invalid="true"'
        in text
    )
    status, _, text = v.post(f"/apply/{SLUG}", {"name": "", "email": ""})
    assert status == 422 and "Enter your name." in text and "Add at least one account" in text
    assert table_snapshot() == before and sent() == []


def test_a_filled_honeypot_looks_like_success_but_stores_and_sends_nothing(
    world: dict[str, Any], brand_a: Client
) -> None:
    v = Visitor(brand_a.gateway)
    assert v.get(f"/apply/{SLUG}")[0] == 200
    before = table_snapshot()
    status, out, _ = v.post(f"/apply/{SLUG}", FORM | {"website": "http://spam.example"})
    assert status == 303 and out["location"] == f"/apply/{SLUG}/sent"
    assert table_snapshot() == before and sent() == []


def test_a_post_without_a_valid_csrf_token_is_refused(world: dict[str, Any], brand_a: Client) -> None:
    v = Visitor(brand_a.gateway)
    assert v.get(f"/apply/{SLUG}")[0] == 200
    token = v.csrf()
    before = table_snapshot()
    assert v.post(f"/apply/{SLUG}", FORM, csrf=False)[0] == 403
    assert v.request("POST", f"/apply/{SLUG}", FORM | {"csrf": token[:-2] + "xx"})[0] == 403
    stranger = Visitor(brand_a.gateway)  # the token without the cookie it belongs to
    status, _, text = stranger.request("POST", f"/apply/{SLUG}", FORM | {"csrf": token})
    assert status == 403 and "Nothing was sent." in text
    assert table_snapshot() == before and sent() == []


def test_the_rate_limit_holds_under_20_concurrent_posts_from_one_ip(
    world: dict[str, Any], brand_a: Client
) -> None:
    visitors = [Visitor(brand_a.gateway, ip="203.0.113.50") for _ in range(20)]
    for n, v in enumerate(visitors):
        assert v.get(f"/apply/{SLUG}")[0] == 200
        v.fields = FORM | {"email": f"spam{n}@example.com"}  # type: ignore[attr-defined]
    start = threading.Barrier(len(visitors))
    statuses: list[int] = []

    def post(v: Visitor) -> None:
        start.wait()
        statuses.append(v.post(f"/apply/{SLUG}", v.fields)[0])  # type: ignore[attr-defined]

    threads = [threading.Thread(target=post, args=(v,)) for v in visitors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303] * apply.RATE_LIMIT + [429] * (20 - apply.RATE_LIMIT)
    assert len(items("application")) == apply.RATE_LIMIT and len(sent()) == apply.RATE_LIMIT
    # The counter is keyed by a keyed hash of the address, never the address.
    (counter,) = items("rate_apply_ip")
    assert "203.0.113.50" not in str(counter)
    # Another network is not held back.
    assert Visitor(brand_a.gateway, ip="203.0.113.51").apply() == 303


# ---- confirming


def test_forged_replayed_and_concurrent_confirmations(world: dict[str, Any], brand_a: Client) -> None:
    v = Visitor(brand_a.gateway)
    for forged in ("", "nope", "A" * 43, "A" * 44):
        status, text = v.get(f"/apply/{SLUG}/confirm?t={forged}")
        assert status == 404 and "This confirmation link is not valid." in text
    assert v.apply() == 303
    token = confirm_token(sent()[-1])
    assert v.get(f"/apply/{SLUG}/confirm?t={token}")[0] == 200
    before = table_snapshot()
    assert v.post(f"/apply/{SLUG}/confirm", {"t": token}, csrf=False)[0] == 403  # no CSRF: no change
    assert v.get(f"/apply/{SLUG}/confirm?t={token}")[0] == 200
    assert v.post(f"/apply/{SLUG}/confirm", {"t": token + "x"})[0] == 404
    assert v.get(f"/apply/{SLUG}/confirm?t={token}")[0] == 200
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")  # the right length, a wrong signature
    assert v.post(f"/apply/{SLUG}/confirm", {"t": tampered})[0] == 404
    assert table_snapshot() == before
    # Ten browsers confirm at once: one wins, one creator; the others get the clear page.
    browsers = [Visitor(brand_a.gateway) for _ in range(10)]
    for b in browsers:
        assert b.get(f"/apply/{SLUG}/confirm?t={token}")[0] == 200
    start = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def confirm(b: Visitor) -> None:
        start.wait()
        statuses.append(b.post(f"/apply/{SLUG}/confirm", {"t": token})[0])

    threads = [threading.Thread(target=confirm, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303] + [410] * 9
    assert len(brand_a.call("GET", "/v1/creators")[1]["items"]) == 1
    assert len(brand_a.call("GET", "/v1/applications")[1]["items"]) == 1
    # Replayed later: the clear page (410: the link was good once), nothing changes.
    before = table_snapshot()
    status, text = v.get(f"/apply/{SLUG}/confirm?t={token}")
    assert status == 410 and "This confirmation link has expired or was already used." in text
    assert v.get(f"/apply/{SLUG}/not-me?t={token}")[0] == 410
    status, _, text = Visitor(brand_a.gateway).request("POST", f"/apply/{SLUG}/confirm", raw=b"")
    assert status == 403
    assert table_snapshot() == before


def test_two_applications_from_one_address_confirmed_at_once_make_one_creator(
    world: dict[str, Any], brand_a: Client
) -> None:
    v = Visitor(brand_a.gateway)
    assert v.apply() == 303 and v.apply(FORM | {"handle_1": "maya.trails"}) == 303
    tokens = [confirm_token(m) for m in sent("maya@example.com")]
    browsers = [Visitor(brand_a.gateway) for _ in tokens]
    for b, t in zip(browsers, tokens, strict=True):
        assert b.get(f"/apply/{SLUG}/confirm?t={t}")[0] == 200
    start = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def confirm(b: Visitor, t: str) -> None:
        start.wait()
        statuses.append(b.post(f"/apply/{SLUG}/confirm", {"t": t})[0])

    threads = [threading.Thread(target=confirm, args=pair) for pair in zip(browsers, tokens, strict=True)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert statuses == [303, 303]
    (creator,) = brand_a.call("GET", "/v1/creators")[1]["items"]
    apps = brand_a.call("GET", "/v1/applications")[1]["items"]
    assert [a["creator_id"] for a in apps] == [creator["id"]] * 2


def test_not_me_discards_the_application_and_stops_mail(world: dict[str, Any], brand_a: Client) -> None:
    v = Visitor(brand_a.gateway)
    assert v.apply() == 303
    message = sent()[-1]
    raw = email.message_from_string(message.raw_data, policy=policy.default)
    unsubscribe = re.search(r"<(https://[^>]+)>", str(raw["List-Unsubscribe"]))
    assert unsubscribe and "/not-me?t=" in unsubscribe.group(1)
    path = unsubscribe.group(1).removeprefix(BASE)
    # RFC 8058 one-click: the mail client posts without cookies.
    status, _, text = Visitor(brand_a.gateway).request("POST", path, raw=b"List-Unsubscribe=One-Click")
    assert status == 200 and "The application is deleted" in text
    assert items("application") == []
    assert v.get(f"/apply/{SLUG}/confirm?t={confirm_token(message)}")[0] == 410
    assert v.apply() == 303 and len(sent()) == 1  # the address is suppressed for this brand


def test_an_expired_link_is_410_and_another_brands_token_404(
    world: dict[str, Any], brand_a: Client, brand_b: Client
) -> None:
    v = Visitor(brand_a.gateway)
    assert v.apply() == 303 and v.apply(FORM | {"email": "lena@example.com"}) == 303
    token, live = confirm_token(sent("maya@example.com")[-1]), confirm_token(sent("lena@example.com")[-1])
    # Maya's link outlives its 24 hours (DynamoDB's TTL deletion lags: the item is still there).
    client = boto3.client("dynamodb")
    (link,) = [i for i in items("once_apply") if i["SK"]["S"].endswith(apply._token_hash(token))]
    client.update_item(
        TableName=TEST_ENV["TABLE_NAME"],
        Key={"PK": link["PK"], "SK": link["SK"]},
        UpdateExpression="SET #ttl = :past",
        ExpressionAttributeNames={"#ttl": "expires_at"},
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    before = table_snapshot()
    status, text = v.get(f"/apply/{SLUG}/confirm?t={token}")
    assert status == 410 and "This confirmation link has expired or was already used." in text
    assert v.get(f"/apply/{SLUG}")[0] == 200
    assert v.post(f"/apply/{SLUG}/confirm", {"t": token})[0] == 410
    assert machine(brand_a.gateway, "POST", f"/apply/{SLUG}/confirm", {"t": token})[0] == 410
    # Lena's live link at another brand's page: not that brand's link, so 404, and nothing changes.
    assert brand_b.call("PUT", "/v1/application-page", {"slug": "brand-b"})[0] == 200
    before = table_snapshot()
    status, text = v.get(f"/apply/brand-b/confirm?t={live}")
    assert status == 404 and "This confirmation link is not valid." in text
    assert v.get("/apply/brand-b")[0] == 200
    assert v.post("/apply/brand-b/confirm", {"t": live})[0] == 404
    assert table_snapshot() == before
    assert brand_a.call("GET", "/v1/applications")[1]["items"] == []
    assert v.confirm(live)[0] == 303  # at its own brand's page it still works
    assert [a["email"] for a in brand_a.call("GET", "/v1/applications")[1]["items"]] == ["lena@example.com"]


# ---- a JSON client


def test_a_json_client_applies_confirms_and_says_not_me(world: dict[str, Any], brand_a: Client) -> None:
    gw = brand_a.gateway
    # A machine without cookies needs no CSRF token (no ambient credential); an application is
    # accepted (202), not yet created: the brand sees nothing until the email is confirmed.
    status, _, body = machine(gw, "POST", f"/apply/{SLUG}", JSON_FORM | {"campaign": "spring-trail"})
    assert (status, body) == (202, {"status": "check_email"})
    assert brand_a.call("GET", "/v1/applications")[1]["items"] == []
    token = confirm_token(sent("maya@example.com")[-1])
    assert machine(gw, "POST", f"/apply/{SLUG}/confirm", {"t": token})[::2] == (200, {"status": "pending"})
    (app,) = brand_a.call("GET", "/v1/applications")[1]["items"]
    assert app["status"] == "pending" and app["handles"][0]["followers"] == 42_000
    assert app["campaign_id"] == world["campaign"]["id"]
    # Replayed: 410 gone; forged: 404 not found; an unknown page: 404; Roster's error shape each time.
    before = table_snapshot()
    status, _, body = machine(gw, "POST", f"/apply/{SLUG}/confirm", {"t": token})
    assert status == 410 and body == {
        "error": {"code": "gone", "message": "this link was already used or has expired", "details": []}
    }
    status, _, body = machine(gw, "GET", f"/apply/{SLUG}/not-me?t={token}")
    assert status == 410 and body["error"]["code"] == "gone"
    for path in (f"/apply/{SLUG}/confirm?t=nope", f"/apply/{SLUG}/not-me?t={'A' * 44}"):
        status, _, body = machine(gw, "GET", path)
        assert status == 404 and body["error"]["code"] == "not_found", path
    status, _, body = machine(gw, "POST", "/apply/nobody-here", JSON_FORM)
    assert status == 404 and body["error"]["code"] == "not_found"
    # A filled honeypot: the same 202, nothing stored or sent.
    status, _, body = machine(gw, "POST", f"/apply/{SLUG}", JSON_FORM | {"website": "http://spam.example"})
    assert (status, body) == (202, {"status": "check_email"})
    assert table_snapshot() == before and len(sent()) == 1
    # "Not me" for a second application: 200 discarded, the address suppressed for the brand.
    lena = JSON_FORM | {"name": "Lena Park", "email": "lena@example.com"}
    assert machine(gw, "POST", f"/apply/{SLUG}", lena)[0] == 202
    other = confirm_token(sent("lena@example.com")[-1])
    assert machine(gw, "POST", f"/apply/{SLUG}/not-me", {"t": other})[::2] == (200, {"status": "discarded"})
    assert [i["email"]["S"] for i in items("application")] == ["maya@example.com"]
    assert machine(gw, "POST", f"/apply/{SLUG}", lena)[0] == 202 and len(sent("lena@example.com")) == 1


def test_a_json_client_gets_json_errors_and_nothing_changes(world: dict[str, Any], brand_a: Client) -> None:
    gw = brand_a.gateway
    before = table_snapshot()
    # 422: every wrong field named by its form name, with the reason.
    bad = JSON_FORM | {
        "email": "maya-at-example",
        "followers_1": "lots",
        "country": "USA",
        "handle_2": "",
        "followers_2": "12",
    }
    status, _, body = machine(gw, "POST", f"/apply/{SLUG}", bad)
    assert status == 422 and body["error"]["code"] == "validation_error"
    assert {d["field"]: d["message"] for d in body["error"]["details"]} == {
        "email": "Enter an email address like name@example.com.",
        "followers_1": "Enter the number of followers as digits, e.g. 42000.",
        "handle_2": "Enter the handle for this follower count, or clear the count.",
        "country": "Enter the two-letter country code, e.g. US, GB or DE.",
    }
    status, _, body = machine(gw, "POST", f"/apply/{SLUG}", {})
    assert status == 422 and {d["field"] for d in body["error"]["details"]} == {"name", "email", "handle_1"}
    # 400: a body that is not a JSON object.
    for raw in (b"{nope", b"[1, 2]", b"\xff\xfe"):
        status, _, body = machine(gw, "POST", f"/apply/{SLUG}", raw)
        assert status == 400 and body["error"]["code"] == "bad_request", raw
    # 403: a browser's script (it sends the page's cookie) without the page's token, or a wrong one.
    v = Visitor(gw)
    assert v.get(f"/apply/{SLUG}")[0] == 200
    cookie = f"roster_csrf={v.cookies['roster_csrf']}"
    for fields in (JSON_FORM, JSON_FORM | {"csrf": v.csrf()[:-2] + "xx"}):
        status, _, body = machine(gw, "POST", f"/apply/{SLUG}", fields, cookie=cookie)
        assert status == 403 and body["error"]["code"] == "forbidden" and body["error"]["details"] == []
    assert table_snapshot() == before and sent() == []
    # With the page's token the same request is taken: the 403 was the token's.
    status, _, body = machine(gw, "POST", f"/apply/{SLUG}", JSON_FORM | {"csrf": v.csrf()}, cookie=cookie)
    assert (status, body) == (202, {"status": "check_email"})
    token = confirm_token(sent()[-1])
    before = table_snapshot()
    for action in ("confirm", "not-me"):
        status, _, body = machine(gw, "POST", f"/apply/{SLUG}/{action}", {"t": token}, cookie=cookie)
        assert status == 403 and body["error"]["code"] == "forbidden", action
    assert table_snapshot() == before
    assert brand_a.call("GET", "/v1/applications")[1]["items"] == []


def test_a_json_client_over_the_limit_gets_429_under_concurrent_posts(
    world: dict[str, Any], brand_a: Client
) -> None:
    start = threading.Barrier(8)
    answers: list[tuple[int, dict[str, str], Any]] = []

    def post(n: int) -> None:
        start.wait()
        fields = JSON_FORM | {"email": f"spam{n}@example.com"}
        answers.append(machine(brand_a.gateway, "POST", f"/apply/{SLUG}", fields, ip="203.0.113.60"))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a[0] for a in answers) == [202] * apply.RATE_LIMIT + [429] * (8 - apply.RATE_LIMIT)
    for status, out, body in answers:
        if status == 429:
            assert body["error"]["code"] == "rate_limited" and body["error"]["details"] == []
            assert 0 < int(out["retry-after"]) <= apply.RATE_WINDOW
    assert len(items("application")) == apply.RATE_LIMIT and len(sent()) == apply.RATE_LIMIT
    # A browser over the limit gets the page, with the same Retry-After.
    v = Visitor(brand_a.gateway, ip="203.0.113.60")
    assert v.get(f"/apply/{SLUG}")[0] == 200
    status, out, text = v.post(f"/apply/{SLUG}", FORM)
    assert status == 429 and "Too many applications" in text and 0 < int(out["retry-after"]) <= 3600


# ---- deciding


def test_decline_with_the_brands_template_or_a_kind_default(world: dict[str, Any], brand_a: Client) -> None:
    status, template = brand_a.call(
        "POST",
        "/v1/email-templates",
        {
            "name": "Decline",
            "subject": "{{ brand.name }}: thank you, {{ creator.first_name }}",
            "html": "<p>Not this time, {{ creator.first_name }}.</p>",
            "text": "Not this time, {{ creator.first_name }}.",
        },
    )
    assert status == 201
    maya = applied(brand_a, brand_a.gateway)
    lena = applied(brand_a, brand_a.gateway, FORM | {"name": "Lena Park", "email": "lena@example.com"})
    status, declined = brand_a.call(
        "POST", f"/v1/applications/{maya['id']}/decline", {"template_id": template["id"]}
    )
    assert status == 200 and declined["status"] == "declined"
    assert brand_a.call("GET", f"/v1/creators/{maya['creator_id']}")[1]["status"] == "archived"
    (mail,) = [m for m in sent("maya@example.com") if "thank you" in m.raw_data]
    assert "Brand A: thank you, Maya" in mail.raw_data and "Not this time, Maya." in text_of(mail)
    assert brand_a.call("POST", f"/v1/applications/{lena['id']}/decline")[0] == 200
    (mail,) = [m for m in sent("lena@example.com") if "Your application to Brand A" in m.raw_data]
    assert "Hi Lena," in text_of(mail) and "Unsubscribe:" in text_of(mail)
    assert brand_a.call("POST", f"/v1/applications/{lena['id']}/decline")[0] == 409
    assert brand_a.call("POST", f"/v1/applications/{lena['id']}/approve")[0] == 409
    declined_ids = [
        a["id"] for a in brand_a.call("GET", "/v1/applications", query={"status": "declined"})[1]["items"]
    ]
    assert declined_ids == [lena["id"], maya["id"]]  # newest decision first


def test_bad_decisions_change_nothing(world: dict[str, Any], brand_a: Client) -> None:
    app = applied(brand_a, brand_a.gateway)
    before = table_snapshot()
    assert brand_a.call("POST", f"/v1/applications/{app['id']}/approve", {"campaign_id": "nope"})[0] == 404
    assert brand_a.call("POST", f"/v1/applications/{app['id']}/decline", {"template_id": "nope"})[0] == 404
    assert brand_a.call("POST", "/v1/applications/nope/approve")[0] == 404
    assert brand_a.call("POST", f"/v1/applications/{app['id']}/approve", {"extra": 1})[0] == 422
    assert brand_a.call("GET", "/v1/applications", query={"status": "maybe"})[0] == 422
    assert table_snapshot() == before


def test_concurrent_approvals_decide_once(world: dict[str, Any], brand_a: Client) -> None:
    app = applied(brand_a, brand_a.gateway)
    start = threading.Barrier(6)
    statuses: list[int] = []

    def approve() -> None:
        start.wait()
        statuses.append(brand_a.call("POST", f"/v1/applications/{app['id']}/approve")[0])

    threads = [threading.Thread(target=approve) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 5


def test_another_brand_cannot_list_or_decide(world: dict[str, Any], brand_a: Client, brand_b: Client) -> None:
    app = applied(brand_a, brand_a.gateway)
    b_admin = member_of(brand_b, "admin@brand-b.example", "admin", name="B admin")
    before = table_snapshot()
    for b in (brand_b, b_admin):
        for status in ("pending", "approved", "declined"):
            assert b.call("GET", "/v1/applications", query={"status": status})[1]["items"] == []
        assert b.call("POST", f"/v1/applications/{app['id']}/approve")[0] == 404
        assert b.call("POST", f"/v1/applications/{app['id']}/decline")[0] == 404
    assert table_snapshot() == before
    assert deps().stores.applications.get(brand_a.brand_id, app["id"]) is not None


def test_odd_digits_and_empty_handles_are_refused_at_the_form_not_later(
    world: dict[str, Any], brand_a: Client
) -> None:
    """ "²" passes `str.isdigit` but not int(); "@ @" is a handle of nothing once "@" is stripped:
    each is a message under its field (422), never a 500, and nothing is stored or sent."""
    v = Visitor(brand_a.gateway)
    assert v.get(f"/apply/{SLUG}")[0] == 200
    before = table_snapshot()
    status, _, text = v.post(f"/apply/{SLUG}", FORM | {"followers_1": "4²"})
    assert status == 422 and "Enter the number of followers as digits" in text
    status, _, text = v.post(f"/apply/{SLUG}", FORM | {"handle_1": "@ @", "handle_2": ""})
    assert status == 422 and 'aria-invalid="true"' in text
    assert table_snapshot() == before and sent() == []


def test_a_decision_never_demotes_a_creator_the_brand_already_had(
    world: dict[str, Any], brand_a: Client
) -> None:
    """Declining archives an applicant; a creator the brand had (active here) keeps its status.
    Approving makes an applicant active."""
    status, known = brand_a.call(
        "POST", "/v1/creators", {"name": "Maya L.", "email": "maya@example.com", "status": "active"}
    )
    assert status == 201
    app = applied(brand_a, brand_a.gateway)
    assert brand_a.call("POST", f"/v1/applications/{app['id']}/decline")[0] == 200
    assert brand_a.call("GET", f"/v1/creators/{known['id']}")[1]["status"] == "active"
    lena = applied(brand_a, brand_a.gateway, FORM | {"name": "Lena Park", "email": "lena@example.com"})
    assert brand_a.call("GET", f"/v1/creators/{lena['creator_id']}")[1]["status"] == "applicant"
    assert brand_a.call("POST", f"/v1/applications/{lena['id']}/approve")[0] == 200
    assert brand_a.call("GET", f"/v1/creators/{lena['creator_id']}")[1]["status"] == "active"
