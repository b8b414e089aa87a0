"""CSRF tokens of the creator pages: every form post carries one.

The browser holds a random nonce, signed by Roster, in an HttpOnly, Secure, SameSite=Lax cookie
(a cookie Roster did not sign is replaced, never adopted); each form carries
HMAC(key, scope, nonce) in a hidden `csrf` field, where the scope is the page's own token (or
brand). A post is taken only when the field matches the cookie it came with: another site can
neither read the nonce nor make the browser send it (SameSite), and a token copied from one
collaboration's page does not work on another's. A machine posting JSON (`Accept:
application/json`, no cookie) is not a browser and needs no token: its request carries no
ambient credential to abuse, only the link token in the URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from roster.portal import http

COOKIE = "roster_csrf"
MAX_AGE = 7 * 86_400


def _mac(key: str, scope: str, nonce: str) -> str:
    raw = hmac.new(key.encode(), f"csrf:{scope}:{nonce}".encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(raw).decode()


def _signed(key: str, nonce: str) -> str:
    raw = hmac.new(key.encode(), f"csrf-nonce:{nonce}".encode(), hashlib.sha256).digest()[:12]
    return f"{nonce}.{base64.urlsafe_b64encode(raw).decode()}"


def _nonce(req: http.Request, key: str) -> str | None:
    """The cookie's nonce when Roster made it: a cookie planted by someone else (a sibling
    subdomain can set cookies for a custom domain) is not adopted, so its owner cannot know the
    tokens that go with it."""
    value = req.cookies.get(COOKIE, "")
    nonce = value.split(".", 1)[0]
    if not 22 <= len(nonce) <= 64 or not hmac.compare_digest(_signed(key, nonce).encode(), value.encode()):
        return None
    return nonce


def issue(req: http.Request, key: str, scope: str) -> tuple[str, list[str]]:
    """The token for this page's forms, and the cookie to set when the browser has none yet."""
    nonce = _nonce(req, key)
    cookies: list[str] = []
    if nonce is None:
        nonce = secrets.token_urlsafe(24)
        cookies.append(http.cookie(COOKIE, _signed(key, nonce), max_age=MAX_AGE))
    return _mac(key, scope, nonce), cookies


def valid(req: http.Request, key: str, scope: str, submitted: str | None) -> bool:
    nonce = _nonce(req, key)
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(_mac(key, scope, nonce).encode(), submitted.encode("utf-8", "replace"))


def needs_token(req: http.Request) -> bool:
    """Browsers' posts (forms) need a token; a machine's JSON post without cookies does not."""
    return not (req.wants_json and not req.cookies)
