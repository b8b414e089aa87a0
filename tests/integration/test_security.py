"""Issue 12's security items end to end: a trickling server against the fetcher's deadline, link
destinations normalised over HTTP, non-canonical token spellings answered like forgeries, and
an unrecorded click replayed from a scrubbed log line."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from local.gateway import Gateway
from roster.deps import deps
from roster.links.click_stats import device
from roster.links.redirect import Redirector, RedirectSettings
from roster.outreach import mail
from roster.store.clicks import ClickStore
from roster.store.table import Table
from roster.web.fetch import Fetcher, FetchError
from tests.conftest import TEST_ENV
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot

TRICKLE_SECONDS = 0.2  # between bytes: well under the read timeout, so no single wait times out
SERVER_GIVES_UP = 12.0  # the old fetcher waited this long; a fixed one gives up near its deadline
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)

# --- The fetcher's deadline -------------------------------------------------------------------

PAD = b"X-Pad: " + b"a" * 200 + b"\r\n"
ANSWERS = {
    # (sent at once, then trickled one byte at a time)
    "headers": (b"", b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + PAD + b"\r\n"),
    "body": (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"x" * 1000),
    "chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"3e8\r\n" + b"x" * 1000),
}


@contextmanager
def trickler(mode: str) -> Iterator[str]:
    """A server on 127.0.0.1 that answers one byte every TRICKLE_SECONDS, for at most
    SERVER_GIVES_UP seconds per connection; stops when the test ends."""
    head, trickled = ANSWERS[mode]
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            try:
                conn.recv(65536)  # the request
                conn.sendall(head)
                give_up = time.monotonic() + SERVER_GIVES_UP
                for byte in trickled:
                    if stop.wait(TRICKLE_SECONDS) or time.monotonic() > give_up:
                        return
                    conn.sendall(bytes([byte]))
            except OSError:  # the client hung up: what a fixed fetcher does
                return

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/feed.xml"
    finally:
        stop.set()
        thread.join(5)
        server.close()


@pytest.mark.parametrize("mode", ANSWERS)
def test_a_trickling_server_cannot_hold_a_fetch_past_its_deadline(mode: str) -> None:
    fetcher = Fetcher(timeout=0.5, allow_loopback=True)  # each wait ≤ 0.5 s; the whole fetch ≤ 1.5 s
    deadline = fetcher.timeout * 3
    with trickler(mode) as url:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out fetching 127\.0\.0\.1: no complete answer"):
            fetcher.get(url)
        elapsed = time.monotonic() - started
    assert deadline - 0.3 < elapsed < deadline + 1.5, elapsed


def test_the_deadline_covers_every_redirect_hop() -> None:
    """Each hop answers in time; together they must not exceed the one deadline."""
    hops = {"n": 0}
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()
    port = server.getsockname()[1]

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                try:
                    conn.recv(65536)
                    hops["n"] += 1
                    stop.wait(0.4)  # under the 0.5 s read timeout
                    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out"):
            Fetcher(timeout=0.5, allow_loopback=True).get(f"http://127.0.0.1:{port}/start")
        assert time.monotonic() - started < 1.5 + 1.5
        assert hops["n"] <= 4  # 5 redirects would be allowed; the deadline stopped it first
    finally:
        stop.set()
        thread.join(5)
        server.close()


# --- Link destinations ------------------------------------------------------------------------


@pytest.fixture
def world(brand_a: Client) -> dict[str, Any]:
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    return {"campaign": campaign, "creator": creator}


def new_link(brand: Client, world: dict[str, Any], destination: str, **extra: Any) -> tuple[int, Any]:
    body = {"campaign_id": world["campaign"]["id"], "creator_id": world["creator"]["id"]}
    return brand.call("POST", "/v1/links", body | {"destination": destination, **extra})


def location(gateway: Gateway, code: str) -> str:
    status, headers, _ = gateway.handle("GET", f"/r/{code}", {"user-agent": CHROME}, b"")
    assert status == 302
    return {k.lower(): v for k, v in headers.items()}["location"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://shop\u3002example\u3002com/trail", "https://shop.example.com/trail"),  # ideographic
        ("https://shop\uff0eexample\uff0ecom/trail", "https://shop.example.com/trail"),  # full-width
        ("https://shop\uff61example\uff61com/trail", "https://shop.example.com/trail"),  # half-width
        ("https://ｓｈｏｐ.example.com/trail", "https://shop.example.com/trail"),  # full-width letters
        ("HTTPS://Shop.Example.COM./trail", "https://shop.example.com/trail"),
        (
            "https://shop.example.com/größe?farbe=grün#oben",
            "https://shop.example.com/gr%C3%B6%C3%9Fe?farbe=gr%C3%BCn#oben",
        ),
        ("https://shop.example.com/trail%20x?q=a%2Fb", "https://shop.example.com/trail%20x?q=a%2Fb"),
    ],
)
def test_destinations_are_normalised_and_location_is_ascii(
    brand_a: Client, gateway: Gateway, world: dict[str, Any], given: str, stored: str
) -> None:
    status, link = new_link(brand_a, world, given, expired_url=given)
    assert status == 201, link
    assert (link["destination"], link["expired_url"]) == (stored, stored)
    sent = location(gateway, link["code"])
    assert sent.isascii() and sent.startswith(stored.split("#")[0])


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("https://shop.example.com/trail\u200b", "U+200B ZERO WIDTH SPACE"),
        ("https://shop.example.com/trail\u2028Location: https://evil.example", "U+2028 LINE SEPARATOR"),
        ("https://shop.example.com/\u202egnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("https://shop.example.com/?q=\u2066x\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("https://shop\u200b.example.com/", "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_invisible_characters_are_a_clear_422(
    brand_a: Client, world: dict[str, Any], given: str, named: str
) -> None:
    before = table_snapshot()
    status, body = new_link(brand_a, world, given)
    assert status == 422, body
    assert body["error"]["details"][0]["field"] == "destination"
    assert named in body["error"]["details"][0]["message"]
    assert table_snapshot() == before
    code = new_link(brand_a, world, "https://shop.example.com/ok")[1]["code"]
    status, body = brand_a.call("PATCH", f"/v1/links/{code}", {"destination": given})
    assert status == 422 and named in body["error"]["details"][0]["message"]
    status, body = brand_a.call("PATCH", f"/v1/links/{code}", {"expired_url": given})
    assert status == 422 and body["error"]["details"][0]["field"] == "expired_url"


def test_a_full_width_host_is_checked_as_what_it_is(brand_a: Client, world: dict[str, Any]) -> None:
    status, body = new_link(brand_a, world, "https://evil\u3002example\u3002org/")
    assert status == 422
    assert "'evil.example.org' is not one of the campaign's allowed domains" in str(body)


@pytest.mark.parametrize("domain", ["*.co.uk", "*.github.io", "*.myshopify.com", "*.amazonaws.com", "co.uk"])
def test_public_suffixes_are_refused_as_allowed_domains(
    brand_a: Client, world: dict[str, Any], domain: str
) -> None:
    status, body = brand_a.call(
        "POST", "/v1/campaigns", CAMPAIGN | {"allowed_domains": ["shop.example.com", domain]}
    )
    assert status == 422, body
    assert "public suffix" in str(body) and domain in str(body)
    campaign = world["campaign"]
    status, body = brand_a.call("PATCH", f"/v1/campaigns/{campaign['id']}", {"allowed_domains": [domain]})
    assert status == 422 and "public suffix" in str(body)
    ok = ["peak-gear.myshopify.com", "*.peak-gear.co.uk", "peak-assets.s3.amazonaws.com"]
    status, body = brand_a.call("PATCH", f"/v1/campaigns/{campaign['id']}", {"allowed_domains": ok})
    assert status == 200 and body["allowed_domains"] == ok


def test_a_public_suffix_saved_before_the_rule_no_longer_counts(
    brand_a: Client, world: dict[str, Any]
) -> None:
    campaigns = deps().stores.campaigns
    old = campaigns.require(brand_a.brand_id, world["campaign"]["id"])
    legacy = old.model_copy(update={"allowed_domains": ["shop.example.com", "*.myshopify.com"]})
    campaigns.replace(brand_a.brand_id, legacy, expected_version=old.version)
    status, body = new_link(brand_a, world, "https://anyones-shop.myshopify.com/")
    assert status == 422
    assert "allowed domains (shop.example.com)" in str(body)
    assert new_link(brand_a, world, "https://shop.example.com/trail")[0] == 201


# --- Tokens -----------------------------------------------------------------------------------


def test_a_non_canonical_token_is_the_same_404_as_a_forged_one(brand_a: Client, gateway: Gateway) -> None:
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    key = TEST_ENV["OUTREACH_SIGNING_KEY"]
    token = mail.unsubscribe_token(key, brand_a.brand_id, creator["id"])
    data, sig = token.split(".")

    def page(t: str) -> tuple[int, bytes]:
        status, _, body = gateway.handle("GET", f"/u/{t}", {}, b"")
        return status, body

    assert page(token)[0] == 200
    forged = page(f"{data}.{'A' * 22}")
    assert forged[0] == 404
    for variant in (
        f"{data}=.{sig}",
        f"{data}==.{sig}",
        f"{data}.{sig}=",
        f"{data}%21.{sig}",
        f"{data}!.{sig}",
    ):
        assert page(variant) == forged, variant


# --- The redirect's failure line --------------------------------------------------------------


def test_a_scrubbed_failure_line_still_replays_the_click(
    brand_a: Client, world: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    from tools.replay_clicks import main

    code = new_link(brand_a, world, "https://shop.example.com/trail", code="maya-safe")[1]["code"]
    client = boto3.client("dynamodb")
    client.meta.events.register(
        "before-call.dynamodb.UpdateItem", lambda **_: (_ for _ in ()).throw(ConnectionError("down"))
    )
    redirector = Redirector(
        ClickStore(Table(TEST_ENV["TABLE_NAME"], client)), RedirectSettings(TEST_ENV["TABLE_NAME"], b"salt")
    )
    ua = f"{CHROME} maya.lopez@example.com/203.0.113.9"
    event = {
        "pathParameters": {"code": code},
        "headers": {"user-agent": ua, "referer": "https://198.51.100.23/p?who=maya.lopez@example.com"},
        "requestContext": {"http": {"method": "GET", "sourceIp": "198.51.100.7"}},
    }
    capsys.readouterr()
    assert redirector.handle(event)["statusCode"] == 302
    logged = capsys.readouterr().out
    assert "click not recorded" in logged
    for secret in ("maya.lopez", "example.com", "203.0.113.9", "198.51.100.23", "198.51.100.7"):
        assert secret not in logged, secret
    log = tmp_path / "clicks.log"
    log.write_text(logged)
    assert main(["--file", str(log), "--table", TEST_ENV["TABLE_NAME"]]) == 0
    assert "1 unrecorded click(s) found: 1 recorded" in capsys.readouterr().out
    (visit,) = [i for i in table_snapshot() if i.get("entity", {}).get("S") == "visit"]
    assert visit["code"]["S"] == code and visit["referrer_host"]["S"] == "[ip]"
    assert visit["user_agent"]["S"] == f"{CHROME} [email]/[ip]"
    assert device(visit["user_agent"]["S"]) == ("desktop", "Windows", "Chrome")
