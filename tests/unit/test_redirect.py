"""The redirect's rules, against an in-memory store with the ClickStore interface (the real store
is exercised on moto in tests/integration/test_redirect.py)."""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from roster.links.redirect import (
    CODE,
    NOT_FOUND_PAGE,
    Redirector,
    RedirectSettings,
    click_id,
    is_bot,
    tagged,
    visitor,
)
from roster.store import keys
from roster.store.clicks import ClickStore
from tests.conftest import load_json

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
IPHONE_INSTAGRAM = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 312.0"
RECORD = load_json("redirect_record.json")  # a redirect record as the links API writes it


class FakeStore:
    def __init__(self, records: dict[str, dict[str, Any]]) -> None:
        self.records = records
        self.visits: dict[str, dict[str, Any]] = {}
        self.reads = self.writes = 0
        self.fail_reads = self.fail_writes = False

    def redirect_record(self, code: str) -> dict[str, Any] | None:
        self.reads += 1
        if self.fail_reads:
            raise ConnectionError("table unreachable")
        record = self.records.get(code)
        return dict(record) if record else None  # a fresh copy, as a real read returns

    def record_visit(
        self, click: dict[str, Any], *, epoch: int, day: str, visitor: str, ttl: int, window: int
    ) -> str | None:
        self.writes += 1
        if self.fail_writes:
            raise ConnectionError("throttled")
        key = f"{click['code']}#{visitor}#{day}"
        old = self.visits.get(key)
        if old and old["last_epoch"] >= epoch - window:
            return str(old["click_id"])
        self.visits[key] = {"click_id": click["click_id"], "last_epoch": epoch, "click": click}
        return None


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def env() -> tuple[Redirector, FakeStore, Clock]:
    store, clock = FakeStore({"maya1": dict(RECORD)}), Clock()
    settings = RedirectSettings("t", b"salt", cache_seconds=60)
    return Redirector(cast(ClickStore, store), settings, clock=clock), store, clock


DAY = "2027-01-15"  # Clock's day (1,800,000,000 s after the epoch, UTC)


def rid(ip: str = "198.51.100.7", ua: str = CHROME, *, code: str = "maya1", day: str = DAY) -> str:
    """The click id the redirect derives for this visitor on this link and day."""
    return click_id(b"salt", RECORD["brand_id"], code, visitor(b"salt", ip, ua), day)


def request(
    code: str = "maya1",
    *,
    method: str = "GET",
    ua: str = CHROME,
    ip: str = "198.51.100.7",
    headers: dict[str, str] | None = None,
    query: str = "",
) -> dict[str, Any]:
    return {
        "rawPath": f"/r/{code}",
        "rawQueryString": query,
        "pathParameters": {"code": code},
        "headers": {"user-agent": ua, **(headers or {})},
        "requestContext": {"http": {"method": method, "sourceIp": ip, "path": f"/r/{code}"}},
    }


def location(resp: dict[str, Any]) -> dict[str, list[str]]:
    assert resp["statusCode"] == 302 and resp["headers"]["Cache-Control"] == "no-store"
    return parse_qs(urlsplit(resp["headers"]["Location"]).query)


def test_counted_click_is_one_write_and_no_read_when_warm(env) -> None:
    r, store, _ = env
    r.handle(request(ip="203.0.113.1"))  # warms the cache: 1 read
    store.reads = store.writes = 0
    resp = r.handle(request(ip="203.0.113.2"))
    assert (store.reads, store.writes) == (0, 1)
    q = location(resp)
    assert q == {
        "size": ["9"],
        "utm_source": ["maya.runs"],
        "utm_medium": ["influencer"],
        "utm_campaign": ["spring"],
        "utm_content": ["maya1"],
        "rid": [rid("203.0.113.2")],
    }


def test_repeat_within_the_hour_keeps_the_first_click_id_and_is_not_counted(env) -> None:
    r, store, clock = env
    first = location(r.handle(request()))["rid"]
    clock.now += 3599
    again = location(r.handle(request()))["rid"]
    assert again == first and len(store.visits) == 1
    clock.now += 2  # more than an hour after the counted click: counted again, same record, same id
    later = location(r.handle(request()))["rid"]
    assert later == first == [rid()] and len(store.visits) == 1
    assert store.visits[next(iter(store.visits))]["last_epoch"] == int(clock.now)
    # Another visitor (other IP or other browser) is counted at once.
    location(r.handle(request(ip="198.51.100.8")))
    location(r.handle(request(ua=IPHONE_INSTAGRAM)))
    assert len(store.visits) == 3


@pytest.mark.parametrize(
    "ua",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Wget/1.21",
        "Go-http-client/2.0",
        "",
        "   ",
    ],
)
def test_bots_and_previews_are_redirected_but_never_counted(env, ua: str) -> None:
    r, store, _ = env
    assert "rid" in location(r.handle(request(ua=ua)))
    assert store.writes == 0


@pytest.mark.parametrize(
    "ua",
    [
        CHROME,
        IPHONE_INSTAGRAM,
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36 [FBAN/EMA;FBLC/en_US]",
    ],
)
def test_people_including_in_app_browsers_are_counted(ua: str) -> None:
    assert not is_bot(ua)


def test_head_redirects_without_counting(env) -> None:
    r, store, _ = env
    location(r.handle(request(method="HEAD")))
    assert store.writes == 0


@pytest.mark.parametrize("code", ["no", "x" * 65, "bad;code", "a/b", "../etc", "%2e%2e", "codé"])
def test_malformed_codes_never_reach_the_table(env, code: str) -> None:
    r, store, _ = env
    resp = r.handle(request(code=code))
    assert resp["statusCode"] == 404 and resp["body"] == NOT_FOUND_PAGE and store.reads == 0
    assert not CODE.match(code)


def test_unknown_and_disabled_links_get_the_404_page_never_a_redirect(env) -> None:
    r, store, clock = env
    assert r.handle(request(code="nobody"))["statusCode"] == 404
    r.handle(request(code="nobody"))
    assert store.reads == 1  # unknown codes are cached too
    assert r.handle(request())["statusCode"] == 302
    store.records["maya1"]["enabled"] = False
    assert r.handle(request())["statusCode"] == 302  # still cached: a disable takes up to a minute
    clock.now += 60
    resp = r.handle(request())
    assert resp["statusCode"] == 404 and "Location" not in resp["headers"]


def test_expired_links(env) -> None:
    r, store, clock = env
    store.records["maya1"]["expires_epoch"] = int(clock.now) + 10
    assert r.handle(request())["statusCode"] == 302
    clock.now += 10
    assert r.handle(request())["statusCode"] == 404
    store.records["maya2"] = RECORD | {
        "code": "maya2",
        "expires_epoch": 1,
        "expired_url": "https://shop.example.com/over",
    }
    resp = r.handle(request(code="maya2"))
    assert resp["statusCode"] == 302 and resp["headers"]["Location"] == "https://shop.example.com/over"
    assert store.writes == 1  # only the first, unexpired click


def test_query_strings_on_the_link_never_change_the_target(env) -> None:
    r, _, _ = env
    resp = r.handle(request(query="url=https://evil.example&destination=https://evil.example&rid=forged"))
    assert urlsplit(resp["headers"]["Location"]).netloc == "shop.example.com"
    assert location(resp)["rid"] == [rid()]


def test_fail_open_when_the_write_fails(env, capsys) -> None:
    r, store, _ = env
    store.fail_writes = True
    resp = r.handle(
        request(headers={"cloudfront-viewer-country": "de", "referer": "https://www.instagram.com/p/xyz"})
    )
    assert location(resp)["rid"] == [rid()]  # the id the replayed write records
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["message"] == "click not recorded"
    replay = line["replay"]
    assert replay["click"] | {} == replay["click"] and replay["click"]["country"] == "DE"
    assert replay["click"]["referrer_host"] == "www.instagram.com"
    assert "198.51.100.7" not in json.dumps(line)


def test_lookup_failure_is_503_unless_cached(env) -> None:
    r, store, clock = env
    store.fail_reads = True
    resp = r.handle(request())
    assert resp["statusCode"] == 503 and resp["headers"]["Retry-After"] == "30"
    store.fail_reads = False
    r.handle(request())
    store.fail_reads = True
    clock.now += 120  # stale, and the table is down: the stale link still works
    assert r.handle(request())["statusCode"] == 302


def test_tagging_keeps_the_destinations_own_utm_and_replaces_a_forged_click_id() -> None:
    record = RECORD | {
        "destination": "https://shop.example.com/p?utm_source=newsletter&rid=old#reviews",
        "click_id_param": "rid",
    }
    url = tagged(record, "c1")
    parts = urlsplit(url)
    q = parse_qs(parts.query)
    assert q["utm_source"] == ["newsletter"] and q["rid"] == ["c1"] and q["utm_medium"] == ["influencer"]
    assert parts.fragment == "reviews" and parts.netloc == "shop.example.com"


def test_visitor_hash_is_salted_and_stable() -> None:
    a = visitor(b"s1", "198.51.100.7", CHROME)
    assert a == visitor(b"s1", "198.51.100.7", CHROME) != visitor(b"s2", "198.51.100.7", CHROME)
    assert "198" not in a and len(a) == 32


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="VISITOR_SALT"):
        RedirectSettings.from_env({"TABLE_NAME": "t"})
    with pytest.raises(ValueError, match="0-60"):
        RedirectSettings.from_env({"TABLE_NAME": "t", "VISITOR_SALT": "s", "LINK_CACHE_SECONDS": "300"})


def test_the_click_id_names_one_visit_and_cannot_be_made_without_the_salt() -> None:
    """Deterministic per (brand, link, visitor, UTC day), URL-safe, 24 characters of the visit
    form; any other brand, link, visitor, day or salt gives another id."""
    v = visitor(b"salt", "198.51.100.7", CHROME)
    one = click_id(b"salt", "B1", "maya1", v, DAY)
    assert one == click_id(b"salt", "B1", "maya1", v, DAY) and keys.VISIT_CLICK_ID.match(one)
    assert len(one) == 24 and quote(one, safe="") == one
    others = {
        click_id(b"salt", "B2", "maya1", v, DAY),
        click_id(b"salt", "B1", "maya2", v, DAY),
        click_id(b"salt", "B1", "maya1", visitor(b"salt", "198.51.100.8", CHROME), DAY),
        click_id(b"salt", "B1", "maya1", v, "2027-01-16"),
        click_id(b"other salt", "B1", "maya1", v, DAY),
    }
    assert one not in others and len(others) == 5


def test_bots_and_head_carry_the_visits_id_but_write_nothing(env) -> None:
    r, store, _ = env
    r.handle(request(ip="203.0.113.1"))  # warms the cache
    store.writes = 0
    assert location(r.handle(request(method="HEAD")))["rid"] == [rid()]
    assert location(r.handle(request(ua="curl/8.5.0")))["rid"] == [rid(ua="curl/8.5.0")]
    assert store.writes == 0
