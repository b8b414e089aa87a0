"""Webhook signature checks, on the raw body, before anything is parsed.

- Shopify: `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(secret, body))
- WooCommerce: `X-WC-Webhook-Signature` = base64(HMAC-SHA256(secret, body))
- Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, v1 = hex(HMAC-SHA256(secret, "<t>.<body>")),
  several v1 during a secret rotation, `t` within 300 s of now
- Roster's generic orders webhook: `Roster-Signature`, the same scheme as Stripe's (see `sign`)

Every comparison is constant-time. A failure says which check failed, never the expected value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from roster.errors import Unauthorized
from roster.models.webhooks import Provider

TOLERANCE_SECONDS = 300


HEADERS = {
    Provider.SHOPIFY: "x-shopify-hmac-sha256",
    Provider.WOOCOMMERCE: "x-wc-webhook-signature",
    Provider.STRIPE: "stripe-signature",
    Provider.ORDERS: "roster-signature",
}


class SignatureInvalid(Unauthorized):
    """The signature header is missing, malformed, stale or does not match the body (a 401)."""

    code = "invalid_signature"


def _digest(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _base64_hmac(secret: str, body: bytes, header: str | None, name: str) -> None:
    if not header:
        raise SignatureInvalid(f"missing {name} header")
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except ValueError as exc:
        raise SignatureInvalid(f"{name} is not base64") from exc
    if not hmac.compare_digest(given, _digest(secret, body)):
        raise SignatureInvalid(f"{name} does not match the body")


def _timestamped(secret: str, body: bytes, header: str | None, name: str, now: float, tolerance: int) -> None:
    if not header:
        raise SignatureInvalid(f"missing {name} header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureInvalid(f"{name} needs t= and at least one v1=")
    if abs(now - timestamp) > tolerance:
        raise SignatureInvalid(f"{name} timestamp is outside the {tolerance} s tolerance")
    expected = _digest(secret, f"{timestamp}.".encode() + body).hex()
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureInvalid(f"no {name} v1 signature matches the body")


def verify(
    provider: Provider,
    secret: str,
    body: bytes,
    header: str | None,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Returns quietly for an authentic body; raises SignatureInvalid otherwise."""
    name = HEADERS[provider]
    if provider in (Provider.SHOPIFY, Provider.WOOCOMMERCE):
        _base64_hmac(secret, body, header, name)
    else:
        _timestamped(secret, body, header, name, time.time() if now is None else now, tolerance)


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The `Roster-Signature` value for a generic orders webhook body (what a store sends)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_digest(secret, f'{t}.'.encode() + body).hex()}"
