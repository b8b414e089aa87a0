"""The log scrubber: masks emails, IP addresses and secrets in a finished log line.

Standard library only, so the redirect (which imports no Powertools) scrubs its lines with the
same rules as every other function's formatter (`roster.observability`).
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
# `131.0.0.0` is how Chrome-based browsers send their version since the User-Agent reduction
# (`Chrome/131.0.0.0`). As an address it names a network, never someone's host, so it is kept:
# masking it would make the click aggregator read every Chrome as Safari.
_REDUCED_VERSION = re.compile(r"\d{1,3}\.0\.0\.0")
# Full 8-group form, or any compressed form with "::" (clock times like 16:00:05 never match).
_IPV6 = re.compile(
    r"(?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{0,4}::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})(?![0-9A-Fa-f:])"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+")
_API_KEY = re.compile(r"\brk_(?:live|test)_[A-Za-z0-9]+")


def _ipv4(match: re.Match[str]) -> str:
    return match.group(0) if _REDUCED_VERSION.fullmatch(match.group(0)) else "[ip]"


def redact(text: str) -> str:
    """Masks emails, IPv4/IPv6 addresses, bearer tokens and Roster API keys in `text`."""
    text = _BEARER.sub(r"\1[redacted]", text)
    text = _API_KEY.sub("[api-key]", text)
    text = _EMAIL.sub("[email]", text)
    text = _IPV6.sub("[ip]", text)
    return _IPV4.sub(_ipv4, text)
