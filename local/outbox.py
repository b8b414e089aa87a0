"""The local outbox: every email the stack sent, readable in a browser, links clickable.

moto's SES keeps each message it accepted (`sent_messages`, in this process), so everything Roster
sends through SES is here, outreach and workflow emails alike, without a line of app code:

    GET /_local/outbox               index, newest first
    GET /_local/outbox.json          the same as JSON (`?to=<address>` filters): scripts and tests
    GET /_local/outbox/{id}          one message: headers, every link, the HTML part, the text part
    GET /_local/outbox/{id}.eml      the raw message, for a mail client

The links in the messages point at this server (the stack sets LINK_BASE_URL to itself), so a
creator page (`/c/…`), an unsubscribe page (`/u/…`) or a tracking link (`/r/…`) opens from here.
Local only: `local.stack` adds these routes; template.yaml never has them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any

from local.gateway import Route
from local.template import ACCOUNT, REGION
from roster.outreach import mail
from roster.web import edge

PATH = "/_local/outbox"
URL = re.compile(r"""https?://[^\s<>"')]+""")


@dataclass(frozen=True)
class Sent:
    id: str
    number: int  # 1 for the first message since the stack started
    source: str
    to: list[str]
    raw: bytes
    parts: mail.Parts

    @property
    def links(self) -> list[str]:
        """Every http(s) link in the message, in order: the text part, the HTML part, the headers."""
        found = URL.findall(self.parts.text) + [html.unescape(u) for u in URL.findall(self.parts.html)]
        found += URL.findall(self.parts.headers.get("List-Unsubscribe", ""))
        return list(dict.fromkeys(found))

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "from": self.source,
            "to": self.to,
            "subject": self.parts.headers.get("Subject", ""),
            "headers": self.parts.headers,
            "text": self.parts.text,
            "html": self.parts.html,
            "links": self.links,
            "url": f"{PATH}/{self.id}",
        }


def messages() -> list[Sent]:
    """Every raw message moto's SES accepted (all Roster sends are raw), newest first."""
    from moto.ses.models import ses_backends

    out = []
    for number, m in enumerate(list(ses_backends[ACCOUNT][REGION].sent_messages), start=1):
        raw_data = getattr(m, "raw_data", None)
        if raw_data is None:
            continue
        raw = raw_data.encode()
        # moto adds the To header's addresses to the envelope's: each recipient once.
        to = list(dict.fromkeys(address.lower() for _, address in getaddresses(m.destinations) if address))
        out.append(Sent(m.id, number, m.source, to, raw, mail.read(raw)))
    return out[::-1]


def _page(title: str, body: str, status: int = 200) -> dict[str, Any]:
    doc = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>body{{font-family:system-ui,sans-serif;margin:2rem}}"
        # Addresses, header values and links are long unbroken words: wrapped, not scrolled.
        "td,th{text-align:left;padding:.2rem .6rem;vertical-align:top}td,li,pre{overflow-wrap:anywhere}"
        "iframe{width:100%;height:28rem;border:1px solid #ccc}pre{white-space:pre-wrap}</style>"
        f"</head><body><main>{body}</main></body></html>"
    )
    return edge.html_answer(status, doc)


def index(event: dict[str, Any], context: Any) -> dict[str, Any]:
    rows = "".join(
        f"<tr><td>{m.number}</td><td>{html.escape(', '.join(m.to))}</td><td>{html.escape(m.source)}</td>"
        f'<td><a href="{PATH}/{html.escape(m.id)}">{html.escape(m.parts.headers.get("Subject", ""))}</a>'
        f"</td><td>{len(m.links)}</td></tr>"
        for m in messages()
    )
    table = (
        f"<table><tr><th>#</th><th>To</th><th>From</th><th>Subject</th><th>Links</th></tr>{rows}</table>"
        if rows
        else "<p>Nothing sent yet.</p>"
    )
    note = f'<p>Every email this local stack sent, newest first (<a href="{PATH}.json">JSON</a>).</p>'
    return _page("Local outbox", f"<h1>Local outbox</h1>{note}{table}")


def as_json(event: dict[str, Any], context: Any) -> dict[str, Any]:
    to = ((event.get("queryStringParameters") or {}).get("to") or "").lower()
    items = [m.summary() for m in messages() if not to or to in m.to]
    return edge.json_answer(200, {"items": items})


def message(event: dict[str, Any], context: Any) -> dict[str, Any]:
    wanted = (event.get("pathParameters") or {}).get("message", "")
    raw_wanted = wanted.endswith(".eml")
    found = next((m for m in messages() if m.id == wanted.removesuffix(".eml")), None)
    if found is None:
        return _page("Not in the outbox", f'<p>No such message. <a href="{PATH}">The outbox</a></p>', 404)
    if raw_wanted:
        return edge.answer(
            200,
            found.raw.decode(),
            {
                "Content-Type": "message/rfc822",
                "Content-Disposition": f'attachment; filename="{found.id}.eml"',
            },
        )
    headers = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in found.parts.headers.items()
    )
    links = "".join(f'<li><a href="{html.escape(u)}">{html.escape(u)}</a></li>' for u in found.links)
    # The HTML part as a mail client shows it; its links open in this window, not the frame.
    frame = html.escape('<base target="_top">' + found.parts.html)
    body = (
        f'<p><a href="{PATH}">← outbox</a> · <a href="{PATH}/{html.escape(found.id)}.eml">raw .eml</a></p>'
        f"<h1>{html.escape(found.parts.headers.get('Subject', ''))}</h1><table>{headers}</table>"
        f"<h2>Links</h2><ul>{links}</ul><h2>HTML part</h2>"
        f'<iframe title="HTML part" sandbox="allow-top-navigation-by-user-activation allow-popups" '
        f'srcdoc="{frame}"></iframe><h2>Text part</h2><pre>{html.escape(found.parts.text)}</pre>'
    )
    return _page(found.parts.headers.get("Subject", "message"), body)


def routes() -> list[Route]:
    return [
        Route("GET", PATH, "local-outbox", index, needs_auth=False),
        Route("GET", f"{PATH}.json", "local-outbox", as_json, needs_auth=False),
        Route("GET", f"{PATH}/{{message}}", "local-outbox", message, needs_auth=False),
    ]
