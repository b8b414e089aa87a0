"""Rendering the creator pages: one layout (mobile first, readable without CSS, no JavaScript
needed), a few components, and the page's Content-Security-Policy.

The style sheet and the one script (copy buttons; the pages work without it) are inline, allowed
by their SHA-256 in the CSP, so a page is one request. `esc` every value that is not ours."""

from __future__ import annotations

import base64
import hashlib
import html as _html
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from roster.portal import http

DATA = Path(__file__).parent / "data"
CSS = (DATA / "portal.css").read_text()

# Copy buttons (`data-copy` names the input to copy) and upload checks before a file leaves the
# phone (`data-max-bytes`, `accept`): the server and S3 check again, so a page without it works.
SCRIPT = (DATA / "portal.js").read_text()


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def csp(upload_origin: str | None = None, media_origin: str | None = None) -> str:
    """Nothing but our own inline style and script; forms post here (or, for uploads, to S3);
    images and videos come only from the uploads bucket's signed URLs."""
    media = " ".join(o for o in ("'self'", media_origin) if o)
    forms = " ".join(o for o in ("'self'", upload_origin) if o)
    return (
        f"default-src 'none'; style-src {_hash(CSS)}; script-src {_hash(SCRIPT)}; img-src {media} data:; "
        f"media-src {media}; form-action {forms}; base-uri 'none'; frame-ancestors 'none'"
    )


def esc(value: Any) -> str:
    return _html.escape("" if value is None else str(value), quote=True)


def layout(
    title: str,
    body: str,
    *,
    brand: str = "",
    nav: Iterable[tuple[str, str]] = (),
    lang: str = "en",
) -> str:
    """A whole page: `title` is the tab's and the h1's; `body` is trusted HTML (built with `esc`)."""
    links = "".join(f'<a href="{esc(href)}">{esc(text)}</a>' for href, text in nav)
    top = (
        f'<header class="top"><div class="brand">{esc(brand)}</div>'
        + (f'<nav aria-label="Pages">{links}</nav>' if links else "")
        + "</header>"
        if brand or links
        else ""
    )
    return (
        f'<!doctype html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}{' · ' + esc(brand) if brand else ''}</title><style>{CSS}</style></head>"
        f'<body>{top}<main id="main"><h1>{esc(title)}</h1>{body}</main>'
        f"<footer>Powered by Roster</footer><script>{SCRIPT}</script></body></html>"
    )


def render(
    status: int,
    title: str,
    body: str,
    *,
    brand: str = "",
    nav: Iterable[tuple[str, str]] = (),
    cookies: list[str] | None = None,
    upload_origin: str | None = None,
    media_origin: str | None = None,
) -> dict[str, Any]:
    return http.html(
        status,
        layout(title, body, brand=brand, nav=nav),
        cookies=cookies,
        csp=csp(upload_origin, media_origin),
    )


def problem(
    status: int,
    title: str,
    message: str,
    *,
    brand: str = "",
    next_href: str | None = None,
    next_text: str = "Back",
) -> dict[str, Any]:
    """The clear page every refused request ends on: what went wrong, and where to go."""
    body = f'<div class="notice error" role="alert"><p>{esc(message)}</p></div>'
    if next_href:
        body += f'<p><a class="button secondary" href="{esc(next_href)}">{esc(next_text)}</a></p>'
    return render(status, title, body, brand=brand)


def notice(message: str, kind: str = "ok") -> str:
    """A banner: ok (done), error (refused; nothing changed), info (moving on)."""
    role = "alert" if kind == "error" else "status"
    return f'<div class="notice {esc(kind)}" role="{role}"><p>{esc(message)}</p></div>'


def card(heading: str, inner: str, *, id: str | None = None) -> str:
    ident = f' id="{esc(id)}"' if id else ""
    hid = f"h-{id}" if id else None
    labelled = f' aria-labelledby="{esc(hid)}"' if hid else ""
    hattr = f' id="{esc(hid)}"' if hid else ""
    return f'<section class="card"{ident}{labelled}><h2{hattr}>{esc(heading)}</h2>{inner}</section>'


def definitions(rows: Iterable[tuple[str, str]]) -> str:
    """A <dl> of (term, trusted HTML) pairs."""
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def field(
    label: str,
    name: str,
    *,
    kind: str = "text",
    value: str | None = None,
    error: str | None = None,
    hint: str | None = None,
    required: bool = False,
    attrs: str = "",
    form_id: str = "",
) -> str:
    """A labelled input (`kind` "textarea" or "select:<a>=<A>|<b>=<B>" too), its hint and its error,
    wired with aria-describedby / aria-invalid."""
    fid = f"{form_id}-{name}" if form_id else f"f-{name}"
    described = []
    extra = ""
    if hint:
        described.append(f"{fid}-hint")
        extra += f'<span class="hint" id="{fid}-hint">{esc(hint)}</span>'
    err = ""
    if error:
        described.append(f"{fid}-error")
        err = f'<p class="field-error" id="{fid}-error">{esc(error)}</p>'
    common = f'id="{fid}" name="{esc(name)}"' + (" required" if required else "")
    if described:
        common += f' aria-describedby="{" ".join(described)}"'
    if error:
        common += ' aria-invalid="true"'
    if attrs:
        common += " " + attrs
    if kind == "textarea":
        control = f"<textarea {common}>{esc(value or '')}</textarea>"
    elif kind.startswith("select:"):
        options = []
        for pair in kind[7:].split("|"):
            opt, _, text = pair.partition("=")
            selected = " selected" if value is not None and opt == value else ""
            options.append(f'<option value="{esc(opt)}"{selected}>{esc(text or opt)}</option>')
        control = f"<select {common}>{''.join(options)}</select>"
    else:
        val = f' value="{esc(value)}"' if value is not None else ""
        control = f'<input type="{esc(kind)}" {common}{val}>'
    return f'<label for="{fid}">{esc(label)}{extra}</label>{control}{err}'


def checkbox(
    label: str,
    name: str,
    *,
    checked: bool = False,
    error: str | None = None,
    form_id: str = "",
    required: bool = False,
) -> str:
    fid = f"{form_id}-{name}" if form_id else f"f-{name}"
    attrs = (" checked" if checked else "") + (" required" if required else "")
    err = ""
    if error:
        attrs += f' aria-invalid="true" aria-describedby="{fid}-error"'
        err = f'<p class="field-error" id="{fid}-error">{esc(error)}</p>'
    return (
        f'<label class="check" for="{fid}"><input type="checkbox" id="{fid}" name="{esc(name)}" value="yes"'
        f"{attrs}><span>{esc(label)}</span></label>{err}"
    )


def form(
    action: str,
    csrf_token: str,
    inner: str,
    button: str,
    *,
    danger: bool = False,
    secondary: bool = False,
    attrs: str = "",
) -> str:
    """A POST form with its CSRF token; `inner` is trusted HTML (fields)."""
    cls = ' class="danger"' if danger else ' class="secondary"' if secondary else ""
    return (
        f'<form method="post" action="{esc(action)}"{(" " + attrs) if attrs else ""}>'
        f'<input type="hidden" name="csrf" value="{esc(csrf_token)}">{inner}'
        f'<button type="submit"{cls}>{esc(button)}</button></form>'
    )


def copy_field(label: str, value: str, ident: str) -> str:
    """A read-only value with a Copy button (shown only where the script runs; without it the text
    is selectable)."""
    return (
        f'<label for="{esc(ident)}">{esc(label)}</label><div class="copy">'
        f'<input id="{esc(ident)}" readonly value="{esc(value)}">'
        f'<button type="button" class="secondary" data-copy="{esc(ident)}" hidden>Copy</button></div>'
    )
