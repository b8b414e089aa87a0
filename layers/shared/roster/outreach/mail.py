"""Email mechanics for outreach, with no AWS in it: signed tokens (reply addresses, unsubscribe
links), the MIME message SES sends (List-Unsubscribe one-click, Reply-To, footer), role-address
refusal, and reading a creator's reply down to a clean excerpt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html as html_lib
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr, getaddresses
from pathlib import Path

from roster.web.html import html_to_text

ROLE_FILE = Path(__file__).parent / "data" / "role_addresses.txt"
ROLES = frozenset(
    line.strip() for line in ROLE_FILE.read_text().splitlines() if line.strip() and not line.startswith("#")
)
REPLY = re.compile(r"^reply\+([0-9a-z]{26})\.([0-9a-f]{20})@", re.IGNORECASE)
EXCERPT_CHARS = 1000
# `<payload>.<signature>`, both unpadded urlsafe base64; the signature is 16 bytes (22 characters).
TOKEN = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})")


def role_address(address: str) -> bool:
    local = address.split("@", 1)[0].lower().split("+", 1)[0]
    return local in ROLES


def _sign(key: str, purpose: str, payload: str) -> bytes:
    return hmac.new(key.encode(), f"{purpose}:{payload}".encode(), hashlib.sha256).digest()


def reply_address(key: str, message_id: str, domain: str) -> str:
    """`reply+<message id>.<hmac>@<domain>`: 54 characters of local part at most (limit 64),
    lower case because some mail servers lower-case what they pass on."""
    mid = message_id.lower()
    return f"reply+{mid}.{_sign(key, 'reply', mid).hex()[:20]}@{domain}"


def reply_message_id(key: str, address: str) -> str | None:
    """The message id a reply address was made for, or None if it is not one of ours."""
    m = REPLY.match(address.strip())
    if not m:
        return None
    mid = m.group(1).lower()
    if not hmac.compare_digest(_sign(key, "reply", mid).hex()[:20].encode(), m.group(2).lower().encode()):
        return None
    return mid.upper()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unsubscribe_token(key: str, brand_id: str, creator_id: str) -> str:
    return _token(key, "unsubscribe", brand_id, creator_id)


def read_unsubscribe_token(key: str, token: str) -> tuple[str, str] | None:
    """(brand id, creator id), or None for anything we did not sign."""
    return _read(key, "unsubscribe", token)


def collaboration_token(key: str, brand_id: str, collaboration_id: str) -> str:
    """The creator's link to their collaboration pages (`/c/{token}`)."""
    return _token(key, "collaboration", brand_id, collaboration_id)


def collaboration_url(base_url: str, key: str, brand_id: str, collaboration_id: str) -> str:
    return f"{base_url}/c/{collaboration_token(key, brand_id, collaboration_id)}"


def read_collaboration_token(key: str, token: str) -> tuple[str, str] | None:
    return _read(key, "collaboration", token)


def _token(key: str, purpose: str, first: str, second: str) -> str:
    """`base64url(first.second).base64url(hmac[:16])`: carries two ids, forged by nobody."""
    payload = f"{first}.{second}"
    return f"{_b64(payload.encode())}.{_b64(_sign(key, purpose, payload)[:16])}"


def _read(key: str, purpose: str, token: str) -> tuple[str, str] | None:
    # Only the one spelling `_token` writes: unpadded urlsafe base64 that re-encodes to itself.
    # The decoder alone would also take padding, the `+/` alphabet, stray characters and
    # non-zero trailing bits, so one link would have many working spellings.
    m = TOKEN.fullmatch(token)
    if not m:
        return None
    data, sig = m.groups()
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        payload = raw.decode()
        first, second = payload.split(".", 1)
    except (ValueError, UnicodeDecodeError):
        return None
    if _b64(raw) != data:
        return None
    # Bytes: a token with non-ASCII characters is simply not ours (str comparison would raise).
    if not hmac.compare_digest(_b64(_sign(key, purpose, payload)[:16]).encode(), sig.encode()):
        return None
    return first, second


def build(
    *,
    from_name: str,
    from_email: str,
    to: str,
    subject: str,
    html: str,
    text: str,
    reply_to: str,
    unsubscribe_url: str,
    unsubscribe_mailto: str,
    postal_address: str,
) -> bytes:
    """The raw message: multipart/alternative (text, HTML), Reply-To, RFC 8058 one-click
    List-Unsubscribe (https + mailto), and a footer with the brand's postal address and the link."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = formataddr((from_name, from_email))
    msg["To"] = to
    msg["Subject"] = subject
    msg["Reply-To"] = reply_to
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>, <mailto:{unsubscribe_mailto}?subject=unsubscribe>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    footer_text = f"\n\n--\n{postal_address}\nUnsubscribe: {unsubscribe_url}\n"
    msg.set_content(text + footer_text)
    escaped = html_lib.escape(postal_address, quote=False)
    footer_html = (
        '<hr><p style="font-size:12px;color:#666">'
        + escaped.replace("\n", "<br>")
        + f'<br><a href="{unsubscribe_url}">Unsubscribe</a></p>'
    )
    msg.add_alternative(html + footer_html, subtype="html")
    return msg.as_bytes()


# The headers a person checks in a preview or the local outbox; the rest is transport.
SHOWN_HEADERS = ("From", "To", "Subject", "Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post")


@dataclass(frozen=True)
class Parts:
    """A message read back from its bytes: what the recipient's mail client shows."""

    headers: dict[str, str]
    text: str
    html: str


def read(raw: bytes) -> Parts:
    """The shown headers and the text and HTML parts of a message (e.g. one `build` made)."""
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    parts = {"plain": "", "html": ""}
    for subtype in parts:
        body = msg.get_body(preferencelist=(subtype,))
        if body is not None:
            parts[subtype] = str(body.get_content()).replace("\r\n", "\n")  # SMTP's CRLF, not the text's
    headers = {h: str(msg[h]) for h in SHOWN_HEADERS if msg[h] is not None}
    return Parts(headers=headers, text=parts["plain"], html=parts["html"])


QUOTE_HEADER = re.compile(
    r"^(On\s.+(wrote|a écrit|schrieb|escribió):?\s*$|-{2,}\s*Original Message\s*-{2,}|From:\s.+|_{10,})",
    re.IGNORECASE,
)
SIGNATURE = re.compile(r"^(--\s*|Sent from my \w+.*|Get Outlook for .+)$", re.IGNORECASE)


def _plain(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if body.get_content_type() == "text/html":
        content, _ = html_to_text(content)
    return str(content)


def excerpt(text: str) -> str:
    """The new part of a reply: stops at the quoted original or the signature; drops `>` lines."""
    kept: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        joined = f"{stripped} {lines[i + 1].strip()}" if i + 1 < len(lines) else stripped
        if QUOTE_HEADER.match(stripped) or (stripped.startswith("On ") and QUOTE_HEADER.match(joined)):
            break
        if SIGNATURE.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    out = "\n".join(kept).strip()
    return out[:EXCERPT_CHARS]


def parse_reply(raw: bytes) -> tuple[list[str], str, str]:
    """(every recipient address, the sender, the clean excerpt) of an inbound email."""
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    headers = [msg.get_all(h, []) for h in ("To", "Cc", "Delivered-To", "X-Original-To")]
    recipients = [addr for _, addr in getaddresses([str(v) for vs in headers for v in vs]) if addr]
    sender = next((addr for _, addr in getaddresses([str(msg.get("From", ""))]) if addr), "")
    return recipients, sender, excerpt(_plain(msg))
