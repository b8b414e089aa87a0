"""FTC disclosure check for a caption or description (16 CFR Part 255, "clear and conspicuous").

- `compliant`: a clear term near the start (before a feed's "…more": the first 125 characters or
  the first three lines, whichever ends sooner), outside a trailing cluster of hashtags
- `buried`: a clear term only inside the trailing hashtag cluster, or only past the start
- `insufficient`: only ambiguous terms (#sp, #spon, #collab, #partner, #ambassador, thanks, ...)
- `missing`: nothing
- `unknown`: the post could not be read, so nothing was checked (`unreadable`): never "missing"

The term lists are data (`roster/data/disclosure_terms.txt`). Matching ignores case and respects
word boundaries, so "ad" never matches "adventure", "#ad" never matches "#adventure".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

TERMS_FILE = Path(__file__).parent / "data" / "disclosure_terms.txt"
NEAR_START_CHARS = 125
NEAR_START_LINES = 3
Verdict = Literal["compliant", "missing", "insufficient", "buried", "unknown"]


@dataclass(frozen=True)
class Disclosure:
    result: Verdict
    reason: str
    matched: str | None = None


def load_terms(path: Path = TERMS_FILE) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("# ") or line == "#":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


TERMS = load_terms()


@lru_cache(maxsize=256)
def _pattern(term: str, brand: str) -> re.Pattern[str]:
    text = term.replace("{brand}", brand.strip() or "\0")  # no brand: brand terms cannot match
    words = [re.escape(w) for w in text.split()]
    body = r"\s+".join(words)
    # Whole words and whole tags only: "#ad" is not "#adventure", "ad" is not "bad" or "#ad".
    return re.compile(r"(?<![\w#])" + body + r"(?!\w)", re.IGNORECASE)


def _first_match(text: str, terms: list[str], brand: str) -> re.Match[str] | None:
    found = [m for t in terms if (m := _pattern(t, brand).search(text))]
    return min(found, key=lambda m: m.start()) if found else None


def _start_region(text: str) -> int:
    """Where "near the start" ends: what a feed shows before "…more", i.e. the first 125
    characters or the first three lines, whichever ends sooner."""
    lines = text.split("\n")
    third_line_end = len("\n".join(lines[:NEAR_START_LINES]))
    return min(NEAR_START_CHARS, third_line_end)


def _trailing_hashtags_start(text: str) -> int:
    """Start of the cluster of hashtags that ends the text (len(text) when there is none)."""
    match = re.search(r"(?:\s*#\w+)+\s*$", text)
    if not match:
        return len(text)
    cluster = match.group(0)
    return match.start() if len(re.findall(r"#\w+", cluster)) >= 3 else len(text)


def check(text: str, brand: str = "") -> Disclosure:
    text = text.replace("\r\n", "\n")
    first = _first_match(text, TERMS["clear"], brand)
    tail = _trailing_hashtags_start(text)
    if first and first.start() < min(_start_region(text), tail):
        return Disclosure("compliant", "a clear disclosure appears at the start", first.group(0))
    if first:
        where = "only in the trailing hashtags" if first.start() >= tail else "only after the start"
        return Disclosure("buried", f"the disclosure is {where}, not clear and conspicuous", first.group(0))
    vague = _first_match(text, TERMS["ambiguous"], brand)
    if vague:
        return Disclosure(
            "insufficient", "only an ambiguous term; use #ad or 'paid partnership'", vague.group(0)
        )
    return Disclosure("missing", "no disclosure found")


def unreadable(error: str) -> Disclosure:
    """A post Roster could not read: no verdict, and so no alarm about a disclosure it never saw."""
    return Disclosure("unknown", f"could not read the post: {error}")
