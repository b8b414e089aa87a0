from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from stripe import WebhookSignature

from roster.conversions.webhook_signatures import SignatureInvalid, sign, verify
from roster.models.webhooks import Provider

SECRET = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH"
BODY = json.dumps({"id": 820982911946154508, "email": "jon@example.com", "total_price": "403.00"}).encode()
NOW = 1_800_000_000


def b64(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.mark.parametrize("provider", [Provider.SHOPIFY, Provider.WOOCOMMERCE])
def test_base64_hmac_schemes(provider: Provider) -> None:
    verify(provider, SECRET, BODY, b64(SECRET, BODY))
    for header, reason in [
        (None, "missing"),
        ("", "missing"),
        ("not base64!", "not base64"),
        (b64(SECRET, BODY + b" "), "does not match"),
        (b64("other-secret", BODY), "does not match"),
    ]:
        with pytest.raises(SignatureInvalid, match=reason):
            verify(provider, SECRET, BODY, header)


def test_stripe_headers_from_the_official_library_verify() -> None:
    header = WebhookSignature.generate_signature_header(BODY.decode(), SECRET, timestamp=NOW)
    verify(Provider.STRIPE, SECRET, BODY, header, now=NOW + 299)
    with pytest.raises(SignatureInvalid, match="tolerance"):
        verify(Provider.STRIPE, SECRET, BODY, header, now=NOW + 301)
    with pytest.raises(SignatureInvalid, match="tolerance"):
        verify(Provider.STRIPE, SECRET, BODY, header, now=NOW - 301)
    with pytest.raises(SignatureInvalid, match="matches"):
        verify(Provider.STRIPE, SECRET, BODY.replace(b"403", b"4030"), header, now=NOW)


def test_stripe_rotation_sends_several_v1() -> None:
    old = WebhookSignature.generate_signature_header(BODY.decode(), "whsec_old", timestamp=NOW)
    new = WebhookSignature.generate_signature_header(BODY.decode(), SECRET, timestamp=NOW)
    header = f"{old},v1={new.split('v1=')[1]},v0=ignored"
    verify(Provider.STRIPE, SECRET, BODY, header, now=NOW)
    verify(Provider.STRIPE, "whsec_old", BODY, header, now=NOW)


@pytest.mark.parametrize("header", [None, "t=abc,v1=00", "v1=00", f"t={NOW}", "garbage", f"t={NOW},v1="])
def test_malformed_stripe_headers(header: str | None) -> None:
    with pytest.raises(SignatureInvalid):
        verify(Provider.STRIPE, SECRET, BODY, header, now=NOW)


def test_roster_scheme_signs_and_verifies_like_stripe() -> None:
    header = sign(SECRET, BODY, NOW)
    verify(Provider.ORDERS, SECRET, BODY, header, now=NOW)
    # Byte-for-byte the Stripe scheme, so any Stripe-compatible signer can call the generic webhook.
    assert header == WebhookSignature.generate_signature_header(BODY.decode(), SECRET, timestamp=NOW)
    with pytest.raises(SignatureInvalid):
        verify(Provider.ORDERS, "wrong", BODY, header, now=NOW)
