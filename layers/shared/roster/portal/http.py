"""Requests and answers of the creator pages (API Gateway payload 2.0): a parsed request (form,
query, cookies, whether JSON is wanted), pages, redirects after a post (303: post/redirect/get),
cookies and the one error page every bad input ends on."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from roster.api import json_body
from roster.web import edge

MAX_FORM_BYTES = 64 * 1024  # every form here is a few fields of text; uploads go straight to S3


class BadForm(ValueError):
    """A body that is not a form (or JSON) we can read: a 400 page, nothing changed."""


@dataclass
class Request:
    method: str
    route: str  # the route key, e.g. "GET /c/{token}"
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    cookies: dict[str, str]
    ip: str
    raw: bytes = b""
    _form: dict[str, str] | None = field(default=None, repr=False)

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Request:
        ctx = event.get("requestContext") or {}
        http = ctx.get("http") or {}
        cookies: dict[str, str] = {}
        for part in event.get("cookies") or []:
            name, _, value = part.strip().partition("=")
            if name and name not in cookies:
                cookies[name] = value
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        return cls(
            method=(http.get("method") or "GET").upper(),
            route=event.get("routeKey") or "",
            params=dict(event.get("pathParameters") or {}),
            query=dict(event.get("queryStringParameters") or {}),
            headers=headers,
            cookies=cookies,
            ip=http.get("sourceIp") or "",
            raw=edge.raw_body(event),
        )

    @property
    def wants_json(self) -> bool:
        """Only a client that asks for JSON (`Accept: application/json`, or sends JSON) gets JSON;
        a browser gets pages."""
        accept = self.headers.get("accept", "")
        ctype = self.headers.get("content-type", "")
        return "application/json" in accept or ctype.startswith("application/json")

    def form(self) -> dict[str, str]:
        """The posted fields (urlencoded form, or a JSON object from a machine), first value of each."""
        if self._form is None:
            if len(self.raw) > MAX_FORM_BYTES:
                raise BadForm("the form is too large")
            try:
                text = json_body.decode(self.raw)
            except ValueError as exc:
                raise BadForm(str(exc)) from exc
            ctype = self.headers.get("content-type", "")
            if ctype.startswith("application/json"):
                try:
                    loaded = json_body.loads(text) if text.strip() else {}
                except (json.JSONDecodeError, ValueError) as exc:
                    raise BadForm("the request body is not valid JSON") from exc
                if not isinstance(loaded, dict):
                    raise BadForm("the request body must be a JSON object")
                self._form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in loaded.items()}
                self._json = loaded
            else:
                self._form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
        return self._form

    def json(self) -> dict[str, Any]:
        """The JSON object a machine posted (after `form()`), else the form's fields."""
        self.form()
        return getattr(self, "_json", None) or dict(self._form or {})


def network(ip: str) -> str:
    """What a rate limit counts per visitor: an IPv4 address, or an IPv6 address's /64 (one
    household or phone holds a whole /64, so counting single addresses would not limit anyone)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def cookie(name: str, value: str, *, max_age: int | None, path: str = "/", http_only: bool = True) -> str:
    """A Set-Cookie value: always Secure and SameSite=Lax (a link from an email is a top-level
    navigation, so the cookie still comes along; a cross-site form post does not get it)."""
    parts = [f"{name}={value}", f"Path={path}", "Secure", "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def clear_cookie(name: str, path: str = "/") -> str:
    return cookie(name, "", max_age=0, path=path)


def html(
    status: int, text: str, *, cookies: list[str] | None = None, csp: str | None = None
) -> dict[str, Any]:
    extra = {"Content-Security-Policy": csp} if csp else {}
    extra |= {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",  # the page's URL carries its token
        "X-Frame-Options": "DENY",
    }
    out = edge.html_answer(status, text, extra)
    if cookies:
        out["cookies"] = cookies
    return out


def redirect(location: str, *, cookies: list[str] | None = None) -> dict[str, Any]:
    """303 See Other: after a form post the browser GETs the new state (a reload never re-posts)."""
    out = edge.answer(303, "", {"Location": location, "Cache-Control": "no-store"})
    if cookies:
        out["cookies"] = cookies
    return out


def json_answer(status: int, body: Any) -> dict[str, Any]:
    return edge.json_answer(status, body)
