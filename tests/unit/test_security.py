"""Issue 12's security items that need no network: IPv4 hidden in IPv6 (SSRF), canonical token
spelling, public suffixes as allowed domains, invisible characters in destinations, and the
redirect's failure log line (emails and IPs scrubbed, replay kept)."""

from __future__ import annotations

import base64
import json
from ipaddress import IPv4Address, IPv6Address
from typing import Any, cast

import pytest
from pydantic import TypeAdapter, ValidationError

from roster.links.click_stats import device
from roster.links.links import _hidden
from roster.links.redirect import Redirector, RedirectSettings
from roster.models.common import Domain
from roster.outreach import mail
from roster.redaction import redact
from roster.store.clicks import ClickStore
from roster.web.fetch import _Deadline, _PinnedHTTP, _PinnedHTTPS, address_allowed, embedded_ipv4
from tests.unit.test_redirect import RECORD, FakeStore, request

KEY = "unit-test-signing-key-0123456789"
# What Chrome sends since the User-Agent reduction: its version is shaped like an IPv4 address.
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

# --- SSRF: every way an IPv6 address can lead to an IPv4 one -------------------------------


@pytest.mark.parametrize(
    "ip",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64 well-known prefix → 169.254.169.254 (instance metadata)
        "64:ff9b::7f00:1",  # NAT64 → 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 → 10.0.0.1
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 (RFC 8215): refused whole
        "64:ff9b:1:abcd::808:808",
        "::127.0.0.1",  # IPv4-compatible (::/96)
        "::a9fe:a9fe",
        "::10.1.2.3",
        "::ffff:0:a9fe:a9fe",  # IPv4-translated (::ffff:0:0:0/96)
        "::ffff:0:7f00:1",
        "::ffff:169.254.169.254",  # IPv4-mapped, as before
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:808:808::1",  # 6to4 of a public address: the 6to4 range itself is not global
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo, client 192.0.2.45 (documentation)
        "::",
    ],
)
def test_ipv4_embedded_in_ipv6_is_judged_by_the_ipv4(ip: str) -> None:
    assert not address_allowed(ip)


@pytest.mark.parametrize(
    "ip", ["64:ff9b::808:808", "::ffff:8.8.8.8", "::ffff:0:808:808", "2606:4700:4700::1111"]
)
def test_translations_of_public_ipv4_addresses_are_allowed(ip: str) -> None:
    assert address_allowed(ip)


def test_embedded_loopback_follows_the_loopback_setting() -> None:
    assert address_allowed("64:ff9b::7f00:1", allow_loopback=True)
    assert address_allowed("::1", allow_loopback=True)
    assert not address_allowed("64:ff9b::a9fe:a9fe", allow_loopback=True)


@pytest.mark.parametrize(
    ("ip", "inner"),
    [
        ("64:ff9b::a9fe:a9fe", ["169.254.169.254"]),
        ("::127.0.0.1", ["127.0.0.1"]),
        ("::ffff:0:a9fe:a9fe", ["169.254.169.254"]),
        ("::ffff:10.0.0.1", ["10.0.0.1"]),
        ("2002:a9fe:a9fe::1", ["169.254.169.254"]),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", ["65.54.227.120", "10.0.0.1"]),
        ("2606:4700:4700::1111", []),
    ],
)
def test_embedded_ipv4_reads_every_form(ip: str, inner: list[str]) -> None:
    assert embedded_ipv4(IPv6Address(ip)) == [IPv4Address(a) for a in inner]


def test_pinned_connections_name_the_host_as_a_browser_would() -> None:
    """The deadline-bound HTTPS connection is an HTTPConnection underneath: its Host header must
    still leave out the default port (some servers route `host:443` elsewhere)."""
    for cls, port, host in ((_PinnedHTTPS, 443, b"shop.example.com"), (_PinnedHTTP, 80, b"shop.example.com")):
        sent: list[bytes] = []
        conn = cls("shop.example.com", port, "93.184.215.14", _Deadline(1, 3))
        conn.send = sent.append  # type: ignore[method-assign,assignment]
        conn.sock = object()  # "connected": nothing may touch the network
        conn.putrequest("GET", "/")
        conn.endheaders()
        assert b"\r\nHost: " + host + b"\r\n" in sent[0]


# --- Signed tokens: one spelling only ---------------------------------------------------------


def _variants(token: str) -> list[str]:
    """Spellings of `token` a lenient base64 decoder reads as the same bytes."""
    data, sig = token.split(".")
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    out = [
        f"{data}=.{sig}",  # padding
        f"{data}==.{sig}",
        f"{data}.{sig}=",
        f"{data}!.{sig}",  # a character the lenient decoder skips
        f"{data.translate(str.maketrans('-_', '+/'))}.{sig}",  # the standard alphabet
        f"{base64.b64encode(raw).decode()}.{sig}",  # standard base64 with its padding
        f" {token}",
        f"{token}\n",
    ]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for ch in alphabet:  # the same bytes with other (non-zero) unused trailing bits
        other = data[:-1] + ch
        if other != data and base64.urlsafe_b64decode(other + "=" * (-len(other) % 4)) == raw:
            out.append(f"{other}.{sig}")
    return [v for v in out if v != token]


@pytest.mark.parametrize(
    ("make", "read"),
    [
        (mail.unsubscribe_token, mail.read_unsubscribe_token),
        (mail.collaboration_token, mail.read_collaboration_token),
    ],
)
def test_tokens_accept_only_canonical_unpadded_urlsafe_base64(make: Any, read: Any) -> None:
    # "~~~" encodes with '-' in the payload, so the '+/' spelling differs from the real one.
    for brand, other in (("BRAND1", "CREATOR1"), ("~~~", "C1"), ("01JD2X7Q9R8S7T6V5W4X3Y2Z1A", "X")):
        token = make(KEY, brand, other)
        assert read(KEY, token) == (brand, other)
        variants = _variants(token)
        assert len(variants) >= 6
        for variant in variants:
            assert read(KEY, variant) is None, variant
    assert "-" in mail.unsubscribe_token(KEY, "~~~", "C1").split(".")[0]


# --- allowed_domains: no public suffixes ------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "why"),
    [
        ("*.co.uk", "public suffix"),
        ("co.uk", "public suffix"),
        ("*.github.io", "public suffix"),
        ("*.myshopify.com", "public suffix"),
        ("*.amazonaws.com", "covers public suffixes such as"),
        ("*.s3.amazonaws.com", "public suffix"),
        ("*.com", "bare domain"),  # one label: refused before the list is read
        ("*.blogspot.com", "public suffix"),
        ("*.ＣＯ。ＵＫ", "public suffix"),  # full-width, normalised by IDNA first
    ],
)
def test_public_suffixes_are_not_allowed_domains(domain: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        TypeAdapter(Domain).validate_python(domain)


@pytest.mark.parametrize(
    ("domain", "stored"),
    [
        ("shop.example.co.uk", "shop.example.co.uk"),
        ("*.example.co.uk", "*.example.co.uk"),
        ("peak-gear.myshopify.com", "peak-gear.myshopify.com"),
        ("*.peak-gear.myshopify.com", "*.peak-gear.myshopify.com"),
        ("amazonaws.com", "amazonaws.com"),
        ("peak-assets.s3.amazonaws.com", "peak-assets.s3.amazonaws.com"),
        ("maya.github.io", "maya.github.io"),
        ("*.example.org", "*.example.org"),
        ("bücher.de", "xn--bcher-kva.de"),
    ],
)
def test_own_domains_under_public_suffixes_are_allowed(domain: str, stored: str) -> None:
    assert TypeAdapter(Domain).validate_python(domain) == stored


# --- Destinations: invisible characters -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("https://shop.example.com/trail\u200b", "U+200B ZERO WIDTH SPACE at position 31"),
        ("https://shop.example.com/a\u2028b", "U+2028 LINE SEPARATOR"),
        ("https://shop.example.com/\u202eab", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("https://shop.example.com/\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("https://shop.example.com/a\u00a0b", "U+00A0 NO-BREAK SPACE"),
        ("https://shop.example.com/a b", "U+0020 SPACE"),
        ("https://shop.example.com/\x7f", "U+007F at position 26"),
        ("https://shop.example.com/\ud800", "U+D800"),  # a lone surrogate (JSON can carry one)
        ("https://shop.example.com\\@evil.example", "U+005C REVERSE SOLIDUS"),
    ],
)
def test_invisible_and_control_characters_are_found(url: str, found: str) -> None:
    assert found in (_hidden(url) or "")


def test_visible_unicode_is_not_hidden() -> None:
    assert _hidden("https://bücher.de/größe/日本?q=é#ü") is None


# --- The redirect: ASCII Location, scrubbed failure line --------------------------------------


def _redirector(store: FakeStore) -> Redirector:
    return Redirector(cast(ClickStore, store), RedirectSettings("t", b"salt"), clock=lambda: 1.8e9)


def test_a_link_saved_before_normalisation_still_redirects_in_ascii() -> None:
    legacy = dict(RECORD, destination="https://shop。example。com/trail\u2028x/größe#\u200b")
    resp = _redirector(FakeStore({"maya1": legacy})).handle(request())
    location = resp["headers"]["Location"]
    assert resp["statusCode"] == 302 and location.isascii() and "\u2028" not in location
    assert "/trail%E2%80%A8x/gr%C3%B6%C3%9Fe?" in location and location.endswith("#%E2%80%8B")


def test_failure_line_scrubs_emails_and_ips_from_user_agent_and_referrer(capsys: Any) -> None:
    store = FakeStore({"maya1": dict(RECORD)})
    store.fail_writes = True
    ua = f"{CHROME} (contact maya.lopez@example.com; via 203.0.113.9; 2001:db8::7)"
    referer = "http://198.51.100.23/landing?email=maya.lopez@example.com&ip=192.0.2.7"
    resp = _redirector(store).handle(request(ua=ua, ip="198.51.100.7", headers={"referer": referer}))
    assert resp["statusCode"] == 302
    out = capsys.readouterr().out
    for secret in ("maya.lopez", "example.com", "203.0.113.9", "2001:db8::7", "198.51.100", "192.0.2.7"):
        assert secret not in out, secret
    line = json.loads(out.strip().splitlines()[-1])
    click = line["replay"]["click"]
    assert click["referrer_host"] == "[ip]"  # only ever the host: the query string is never kept
    assert "[email]" in click["user_agent"] and "[ip]" in click["user_agent"]
    # The replayed click still reads as the same browser: Chrome's reduced version is kept.
    assert "Chrome/131.0.0.0" in click["user_agent"]
    assert device(click["user_agent"]) == device(CHROME)


def test_scrubber_keeps_reduced_browser_versions_only() -> None:
    assert redact("Chrome/131.0.0.0 from 10.0.0.1") == "Chrome/131.0.0.0 from [ip]"
    assert redact("x/203.0.113.9 y/10.0.0.0") == "x/[ip] y/10.0.0.0"
