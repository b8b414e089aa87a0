"""Does a post belong to a collaboration, and does it follow the brand's rules? Pure functions,
used by content monitoring for feed items and manually submitted posts alike.

A post matches when it links to one of the creator's Roster links (any URL on the link domain whose
path is `/r/{code}`), contains the creator's promo code, or carries the campaign's hashtags,
mentions or keywords; the result says which signals hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from roster.links.redirect import CODE

URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


def _word(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w#@])" + re.escape(term.strip()) + r"(?![\w])", re.IGNORECASE)


def _tag(prefix: str, value: str) -> str:
    value = value.strip()
    return value if value.startswith(prefix) else prefix + value


@dataclass(frozen=True)
class PostMatch:
    signals: dict[str, list[str]] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return any(self.signals.values())


def link_codes(text: str, urls: Iterable[str], link_host: str) -> list[str]:
    """Codes of Roster links found in the text or the post's own links."""
    host = link_host.lower()
    found = []
    for url in [*URL.findall(text), *urls]:
        try:
            parts = urlsplit(url.rstrip(".,;:!?"))
        except ValueError:
            continue
        segments = parts.path.strip("/").split("/")
        if (
            (parts.hostname or "").lower() == host
            and len(segments) == 2
            and segments[0] == "r"
            and CODE.match(segments[1])
        ):
            found.append(segments[1])
    return list(dict.fromkeys(found))


def match(
    text: str,
    *,
    urls: Iterable[str] = (),
    link_host: str = "",
    codes: Iterable[str] = (),
    promo_codes: Iterable[str] = (),
    hashtags: Iterable[str] = (),
    mentions: Iterable[str] = (),
    keywords: Iterable[str] = (),
) -> PostMatch:
    wanted = set(codes)
    signals = {
        "link": [c for c in link_codes(text, urls, link_host) if c in wanted] if link_host else [],
        "promo_code": [p for p in promo_codes if _word(p).search(text)],
        "hashtag": [t for t in (_tag("#", h) for h in hashtags) if _word(t).search(text)],
        "mention": [m for m in (_tag("@", x) for x in mentions) if _word(m).search(text)],
        "keyword": [k for k in keywords if _word(k).search(text)],
    }
    return PostMatch({k: v for k, v in signals.items() if v})


@dataclass(frozen=True)
class RuleCheck:
    missing_mentions: list[str]
    banned_terms: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing_mentions and not self.banned_terms


def brand_rules(
    text: str, *, mandatory_mentions: Iterable[str] = (), banned_terms: Iterable[str] = ()
) -> RuleCheck:
    """Every mandatory mention (a @handle, #tag or phrase) present; no banned term present."""
    return RuleCheck(
        missing_mentions=[m for m in mandatory_mentions if not _word(m).search(text)],
        banned_terms=[b for b in banned_terms if _word(b).search(text)],
    )
