"""The redirect's pure logic: which codes are valid, which clicks count, where people are sent.

Deliberately free of pydantic and Powertools: the redirect function's cold start is measured
against a module that only imports boto3 (see docs/performance.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from roster.clock import from_epoch
from roster.redaction import redact
from roster.store.clicks import VISIT_TTL_SECONDS, Click, ClickStore, RedirectRecord, UnrecordedClick
from roster.web.edge import answer, html_answer

CODE = re.compile(r"^[A-Za-z0-9_-]{3,64}$")
BOT_LIST = Path(__file__).parent / "data" / "bot_user_agents.txt"
MAX_UA = 512
DEDUPE_SECONDS = 3600
PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def load_bot_pattern(path: Path = BOT_LIST) -> re.Pattern[str]:
    lines = (line.split(" #")[0].strip() for line in path.read_text().splitlines())
    fragments = [line for line in lines if line and not line.startswith("#")]
    return re.compile("|".join(f"(?:{f})" for f in fragments), re.IGNORECASE)


BOTS = load_bot_pattern()


def is_bot(user_agent: str) -> bool:
    """No user agent at all is a script, not a person."""
    return not user_agent.strip() or BOTS.search(user_agent) is not None


def visitor(salt: bytes, ip: str, user_agent: str) -> str:
    """Salted hash of IP + user agent: stable for one visitor, useless for finding the IP."""
    return hmac.new(salt, f"{ip}\n{user_agent}".encode(), hashlib.sha256).hexdigest()[:32]


def click_id(salt: bytes, brand_id: str, code: str, visitor_id: str, day: str) -> str:
    """The click id a visitor carries to the store: "v1" and a 128-bit HMAC-SHA256 (keyed by the
    visitor salt) of brand, link, visitor and UTC day, in base64url (24 characters). The visit
    record's key is built from it (roster.store.keys.visit_pk_of), so attribution reads the visit
    with one GetItem and needs no secret: an id nobody was given (forged, altered, another brand's)
    names no record. The same visitor on the same link gets the same id all day, so a click whose
    write failed carries the id its replayed write will record."""
    mac = hmac.new(salt, f"click\n{brand_id}\n{code}\n{visitor_id}\n{day}".encode(), hashlib.sha256)
    return "v1" + base64.urlsafe_b64encode(mac.digest()[:16]).decode().rstrip("=")


def referrer_host(referer: str) -> str | None:
    try:
        host = urlsplit(referer).hostname
    except ValueError:
        return None
    return host[:253] if host else None


def tagged(record: RedirectRecord, click_id: str) -> str:
    """The destination with UTM parameters (unless it sets them itself) and the click id."""
    parts = urlsplit(record["destination"])
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    param = str(record.get("click_id_param") or "rid")
    utm = {
        "utm_source": record.get("utm_source") or "",
        "utm_medium": "influencer",
        "utm_campaign": record.get("utm_campaign") or "",
        "utm_content": record["code"],
    }
    query = [(k, v) for k, v in query if k != param]
    query += [(k, v) for k, v in utm.items() if k not in present and v]
    query.append((param, click_id))
    return str(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment)))


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:20vh auto;max-width:28em;padding:0 1em}}</style>
</head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"""
NOT_FOUND_PAGE = PAGE.format(title="Link not found", text="This link does not exist or is no longer active.")
UNAVAILABLE_PAGE = PAGE.format(title="Try again in a moment", text="We could not open this link just now.")


@dataclass(frozen=True)
class ClientBudget:
    """How long one DynamoDB call may hold a customer: botocore's connect and read timeouts (s) and
    its total attempts, the first included (`retries={"total_max_attempts": ...}`)."""

    connect_timeout: float
    read_timeout: float
    attempts: int


# The click write never waits on retries: one attempt, so a throttled write (DynamoDB answers
# ProvisionedThroughputExceededException or ThrottlingException at once) goes straight to the
# replay log instead of sleeping through the SDK's backoff (up to 1 s, then 2 s, per retry). It is
# idempotent to replay: the same conditional write (roster.store.clicks.ClickStore.record_visit).
# The read timeout bounds a slow answer on a kept-alive connection, which is every click but a
# container's first: 40 ms is under the 50 ms the issue allows a failing click beyond a healthy
# one, and several times DynamoDB's in-region p99 for a one-item write, so a healthy write rarely
# trips it (and one that does is replayed; if it had applied, the replay is a no-op). The connect
# timeout covers TCP and TLS on a fresh connection (once per container, and after a timeout),
# which takes longer on a 256 MB function's share of a CPU.
CLICK_WRITE = ClientBudget(connect_timeout=0.1, read_timeout=0.04, attempts=1)
# The link read (a cache miss: once per link per container per minute) fails open less gently:
# with nothing cached the customer gets the 503 page, not their destination. So it keeps one
# retry (standard mode's backoff: a random 0-1 s after throttling, 0-25 ms after a timeout or a
# 5xx) and timeouts far above DynamoDB's tail.
LINK_READ = ClientBudget(connect_timeout=0.25, read_timeout=0.25, attempts=2)
# The local stack (STAGE=local) keeps one attempt but waits up to a second: its table is moto,
# served over loopback HTTP by the same process that runs every function, and measured there
# 3% of sequential clicks and most clicks of an 8-thread burst took longer than 40 ms. With the
# production budget most local clicks would go uncounted and the suites that count them would
# flake; the budget itself is proved against a loopback DynamoDB endpoint (bench/redirect.py).
LOCAL_CLICK_WRITE = ClientBudget(connect_timeout=1.0, read_timeout=1.0, attempts=1)


@dataclass(frozen=True)
class RedirectSettings:
    table_name: str
    salt: bytes
    cache_seconds: int = 60
    dedupe_seconds: int = DEDUPE_SECONDS
    click_write: ClientBudget = CLICK_WRITE
    link_read: ClientBudget = LINK_READ

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RedirectSettings:
        problems = [name for name in ("TABLE_NAME", "VISITOR_SALT") if not env.get(name)]
        if problems:
            raise ValueError(f"redirect settings missing: {', '.join(problems)}")
        cache = int(env.get("LINK_CACHE_SECONDS", "60"))
        if not 0 <= cache <= 60:
            raise ValueError("LINK_CACHE_SECONDS must be 0-60 (a disabled link must stop within a minute)")
        write = LOCAL_CLICK_WRITE if env.get("STAGE") == "local" else CLICK_WRITE
        return cls(env["TABLE_NAME"], env["VISITOR_SALT"].encode(), cache, click_write=write)


class LinkCache:
    """Redirect records by code for up to `seconds` (unknown codes too, so floods of made-up codes
    cost one read per code per minute). A stale entry is still served when the table fails."""

    def __init__(self, seconds: int, max_entries: int = 20_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.entries: dict[str, tuple[float, RedirectRecord | None]] = {}

    def fresh(self, code: str, now: float) -> tuple[bool, RedirectRecord | None]:
        hit = self.entries.get(code)
        if hit and now - hit[0] < self.seconds:
            return True, hit[1]
        return False, None

    def stale(self, code: str) -> tuple[bool, RedirectRecord | None]:
        hit = self.entries.get(code)
        return (True, hit[1]) if hit else (False, None)

    def put(self, code: str, record: RedirectRecord | None, now: float) -> None:
        if len(self.entries) >= self.max_entries:
            self.entries.clear()  # crude but bounded; a full cache refills within a minute
        self.entries[code] = (now, record)


def _redirect(location: str) -> dict[str, Any]:
    # Links are stored normalised (roster.links.links.check_url); one saved before that may still hold
    # raw non-ASCII, which is percent-encoded here so the header is always ASCII.
    if not (location.isascii() and location.isprintable()) or " " in location:  # rare: a legacy link
        location = quote(location, safe=PRINTABLE_ASCII)
    headers = {"Location": location, "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    return answer(302, "", headers)


def log(level: str, message: str, **fields: Any) -> None:
    """One JSON line to stdout (CloudWatch), scrubbed like every other function's (emails and IPs
    masked): the User-Agent and referrer in a failed click's replay line are the visitor's to
    fill in. Callers never pass the visitor's IP; the visitor is hashed."""
    line = json.dumps({"level": level, "message": message, "service": "redirect", **fields}, default=str)
    print(redact(line))


def failure(exc: Exception) -> dict[str, str]:
    """What a log line says of a failed DynamoDB call: the exception's type and, for an error
    DynamoDB answered (a botocore ClientError), its code, e.g. ProvisionedThroughputExceededException."""
    code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
    return {"error": type(exc).__name__} | ({"error_code": str(code)} if code else {})


class Redirector:
    def __init__(
        self,
        store: ClickStore,
        settings: RedirectSettings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings
        self.cache = LinkCache(settings.cache_seconds)
        self.clock = clock

    def lookup(self, code: str, now: float) -> tuple[bool, RedirectRecord | None]:
        """(known, record). known is False only when the table failed and nothing is cached."""
        cached, record = self.cache.fresh(code, now)
        if cached:
            return True, record
        try:
            record = self.store.redirect_record(code)
        except Exception as exc:  # any AWS failure: fall back to a stale entry, else 503
            log("ERROR", "link lookup failed", code=code, **failure(exc))
            return self.cache.stale(code)
        self.cache.put(code, record, now)
        return True, record

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        http = (event.get("requestContext") or {}).get("http") or {}
        code = (event.get("pathParameters") or {}).get("code") or ""
        if not CODE.match(code):
            return html_answer(404, NOT_FOUND_PAGE)
        now = self.clock()
        known, record = self.lookup(code, now)
        if not known:
            return html_answer(503, UNAVAILABLE_PAGE, {"Retry-After": "30"})
        if record is None or not record.get("enabled"):
            return html_answer(404, NOT_FOUND_PAGE)
        expires = record.get("expires_epoch")
        if expires is not None and now >= expires:
            expired_url = record.get("expired_url")
            return _redirect(expired_url) if expired_url else html_answer(404, NOT_FOUND_PAGE)
        headers = event.get("headers") or {}
        user_agent = headers.get("user-agent", "")[:MAX_UA]
        epoch = int(now)
        day = time.strftime("%Y-%m-%d", time.gmtime(epoch))
        visitor_id = visitor(self.settings.salt, http.get("sourceIp", ""), user_agent)
        rid = click_id(self.settings.salt, record["brand_id"], record["code"], visitor_id, day)
        if http.get("method") == "GET" and not is_bot(user_agent):
            rid = self.count(record, rid, epoch, day, visitor_id, headers, user_agent)
        return _redirect(tagged(record, rid))

    def count(
        self,
        record: RedirectRecord,
        click_id: str,
        epoch: int,
        day: str,
        visitor_id: str,
        headers: dict[str, str],
        user_agent: str,
    ) -> str:
        """Records the click (one conditional write); returns the click id the visitor should carry:
        the visit's (a repeat's is the same, by construction). Never raises: a failed write is
        logged as a replayable line and the customer is redirected anyway, with the id the replay
        will record."""
        click: Click = {
            "click_id": click_id,
            "code": record["code"],
            "brand_id": record["brand_id"],
            "campaign_id": record["campaign_id"],
            "creator_id": record["creator_id"],
            "at": from_epoch(epoch),
            "country": (headers.get("cloudfront-viewer-country") or "").upper()[:2] or None,
            "referrer_host": referrer_host(headers.get("referer", "")),
            "user_agent": user_agent,
        }
        try:
            earlier = self.store.record_visit(
                click,
                epoch=epoch,
                day=day,
                visitor=visitor_id,
                ttl=epoch + VISIT_TTL_SECONDS,
                window=self.settings.dedupe_seconds,
            )
        except Exception as exc:  # fail open: the customer never waits on our bookkeeping
            replay: UnrecordedClick = {"click": click, "epoch": epoch, "day": day, "visitor": visitor_id}
            log("WARNING", "click not recorded", **failure(exc), replay=replay)
            return click_id
        return earlier or click_id
