"""Creator home's sign-in: one-time emailed links and the sessions they start.

Only hashes are stored. A link's token is random (32 bytes), kept as its SHA-256 for 15 minutes
and spent by exactly one post (`PortalStore.take_once`); a session id is random too, kept as its
SHA-256 for 12 hours under the brand's partition, so a session of one brand can never read
another's (the brand is in the key, and the cookie's path is the brand's home). The subjects of
the rate limits (an email address, an IP) are keyed hashes (HMAC with the signing key): a plain
SHA-256 of an IP address or a known email is reversed by trying them all."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from roster import clock
from roster.portal import http
from roster.store.portal import PortalStore

COOKIE = "roster_session"
LINK_KIND = "signin"
LINK_SECONDS = 15 * 60
SESSION_SECONDS = 12 * 3600
# Links asked for per address, and per IP (a household or office shares one), per window.
WINDOW = 15 * 60
PER_ADDRESS = 3
PER_IP = 20
MAX_TOKEN = 100  # a token we issue is 43 characters; anything much longer is not ours


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def subject(key: str, kind: str, value: str) -> str:
    """A rate limit's subject: keyed, so the stored counter names no one."""
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def allowed(store: PortalStore, key: str, brand_id: str, email: str, ip: str) -> bool:
    """Counts one request for a link; False once the IP or the address asked too often. Counted
    the same whether the address is on the roster or not (the limit says nothing about who is)."""
    if not store.hit(
        brand_id, "signin-ip", subject(key, "ip", http.network(ip)), window=WINDOW, limit=PER_IP
    ):
        return False
    return store.hit(
        brand_id,
        "signin-email",
        subject(key, "email", email.strip().lower()),
        window=WINDOW,
        limit=PER_ADDRESS,
    )


def issue_link(store: PortalStore, brand_id: str, creator_id: str) -> str:
    """A new single-use sign-in token for the creator (the email carries it; we keep its hash)."""
    token = secrets.token_urlsafe(32)
    store.put_once(brand_id, LINK_KIND, digest(token), {"creator_id": creator_id}, LINK_SECONDS)
    return token


def _usable(token: str | None) -> str | None:
    return token if token and len(token) <= MAX_TOKEN else None


def peek_link(store: PortalStore, brand_id: str, token: str | None) -> str | None:
    """The creator a link signs in, without spending it (None: unknown, used or expired)."""
    if not (usable := _usable(token)):
        return None
    data = store.peek_once(brand_id, LINK_KIND, digest(usable))
    return str(data["creator_id"]) if data and data.get("creator_id") else None


def take_link(store: PortalStore, brand_id: str, token: str | None) -> str | None:
    """Spends the link: the creator for exactly one caller, however many race."""
    if not (usable := _usable(token)):
        return None
    data = store.take_once(brand_id, LINK_KIND, digest(usable))
    return str(data["creator_id"]) if data and data.get("creator_id") else None


def home_path(brand_id: str) -> str:
    return f"/h/{brand_id}"


def start(store: PortalStore, brand_id: str, creator_id: str) -> str:
    """A new session for the creator; returns its Set-Cookie value."""
    session = secrets.token_urlsafe(32)
    store.put_session(
        brand_id, digest(session), {"creator_id": creator_id, "created_at": clock.now_iso()}, SESSION_SECONDS
    )
    return http.cookie(COOKIE, session, max_age=SESSION_SECONDS, path=home_path(brand_id))


def current(store: PortalStore, req: http.Request, brand_id: str) -> str | None:
    """The signed-in creator of this brand's home (None: no session, or it expired)."""
    session = _usable(req.cookies.get(COOKIE))
    if not session:
        return None
    data: dict[str, Any] | None = store.get_session(brand_id, digest(session))
    return str(data["creator_id"]) if data and data.get("creator_id") else None


def had_session(req: http.Request) -> bool:
    """The browser sent a session cookie (expired or not): the page says it ended."""
    return bool(req.cookies.get(COOKIE))


def end(store: PortalStore, req: http.Request, brand_id: str) -> str:
    """Drops the session (if any); returns the Set-Cookie value that clears the cookie."""
    if session := _usable(req.cookies.get(COOKIE)):
        store.drop_session(brand_id, digest(session))
    return http.clear_cookie(COOKIE, path=home_path(brand_id))
