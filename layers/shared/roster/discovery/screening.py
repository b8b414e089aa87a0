"""Screening a creator before an offer: what in their recent posts a brand would not want to learn
after signing: banned terms, competitor work, and how they disclosed past sponsored posts.

The matching is monitoring's, so screening predicts what monitoring would later flag:
`roster.monitoring.post_matching.brand_rules` finds banned terms and `post_matching.match` finds a
competitor as its name (whole words: "Nikeland" is not "Nike", "Nike's" is), its name as a
hashtag (`#Nike`, `#NewBalance`) and its handles as `@handle`; `roster.monitoring.disclosure.check`
judges each disclosure.

The disclosure record reads only posts that look sponsored: each signal in `data/screening.json`
(a promo code, an affiliate link host, `#ad`, "paid partnership", "link in bio", a brand or
competitor mention, ...) carries a weight, and a post whose weights reach the threshold counts.
Posts found through a disclosure term are disclosed by construction, so the record errs towards
compliance: only the other signals find the undisclosed ones.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from roster import clock
from roster.discovery.profiles import RecentPost
from roster.monitoring import disclosure
from roster.monitoring.post_matching import brand_rules, match

DATA_FILE = Path(__file__).parent / "data" / "screening.json"
DisclosureStanding = Literal["good", "mixed", "poor", "not enough data"]
VERDICTS = ("compliant", "buried", "insufficient", "missing")


@dataclass(frozen=True)
class _Signal:
    name: str
    weight: int
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class ScreeningConfig:
    """The numbers and signals of `data/screening.json` ("screening"), read once."""

    min_posts: int
    competitor_window_days: int
    examples: int
    excerpt_chars: int
    min_sponsored_posts: int
    good_share: float
    poor_below: float
    threshold: int
    brand_mention_weight: int
    signals: tuple[_Signal, ...]

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> ScreeningConfig:
        raw: dict[str, Any] = json.loads(path.read_text())["screening"]
        sponsored = raw["sponsored"]
        signals = [
            _Signal(p["name"], int(p["weight"]), re.compile(p["regex"], re.I)) for p in sponsored["patterns"]
        ]
        hosts = "|".join(re.escape(h) for h in sponsored["affiliate_hosts"])
        # A host as a whole domain (or its subdomain), written with or without a scheme.
        host_pattern = re.compile(rf"(?<![\w-])(?:{hosts})(?![\w-])(?!\.\w)", re.I)
        signals.append(_Signal("affiliate link", int(sponsored["affiliate_weight"]), host_pattern))
        amazon = re.compile(sponsored["affiliate_query_regex"], re.I)
        signals.append(_Signal("affiliate link", int(sponsored["affiliate_weight"]), amazon))
        return cls(
            min_posts=int(raw["min_posts"]),
            competitor_window_days=int(raw["competitor_window_days"]),
            examples=int(raw["examples"]),
            excerpt_chars=int(raw["excerpt_chars"]),
            min_sponsored_posts=int(raw["disclosure"]["min_sponsored_posts"]),
            good_share=float(raw["disclosure"]["good_share"]),
            poor_below=float(raw["disclosure"]["poor_below"]),
            threshold=int(sponsored["threshold"]),
            brand_mention_weight=int(sponsored["brand_mention_weight"]),
            signals=tuple(signals),
        )


CONFIG = ScreeningConfig.load()


@dataclass(frozen=True)
class Competitor:
    name: str
    handles: tuple[str, ...] = ()

    @classmethod
    def of(cls, value: Competitor | Mapping[str, Any] | str) -> Competitor:
        """A competitor as given: this type, `{"name": ..., "handles": [...]}` from JSON, or a name."""
        if isinstance(value, Competitor):
            name, handles = value.name, list(value.handles)
        elif isinstance(value, str):
            name, handles = value, []
        else:
            name, raw = value.get("name") or "", value.get("handles") or []
            if isinstance(raw, str):
                raw = [raw]
            handles = [str(h) for h in raw]
        name = str(name).strip()
        cleaned = tuple(dict.fromkeys(h.strip().lstrip("@") for h in handles if h.strip().lstrip("@")))
        if not name and not cleaned:
            raise ValueError("a competitor needs a name or at least one handle")
        return cls(name or "@" + cleaned[0], cleaned)

    def found_in(self, text: str) -> list[str]:
        """What in `text` names this competitor: the name, its hashtag, its @handles."""
        tag = re.sub(r"\W", "", self.name)
        found = match(
            text,
            keywords=[self.name] if re.search(r"\w", self.name) and not self.name.startswith("@") else [],
            hashtags=[tag] if tag else [],
            mentions=list(self.handles),
        )
        return [hit for hits in found.signals.values() for hit in hits]


@dataclass(frozen=True)
class BannedHit:
    url: str
    published_at: datetime | None
    term: str
    excerpt: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "published_at": _time(self.published_at),
            "term": self.term,
            "excerpt": self.excerpt,
        }


@dataclass(frozen=True)
class CompetitorMentions:
    name: str
    posts: int  # posts naming the competitor
    recent_posts: int  # of those, within competitor_window_days of `now` (an undated post counts)
    last_at: datetime | None  # the most recent dated one
    examples: tuple[str, ...]  # post URLs, most recent first
    matched: tuple[str, ...]  # how it was named: "Nike", "#Nike", "@nike"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "posts": self.posts,
            "recent_posts": self.recent_posts,
            "last_at": _time(self.last_at),
            "examples": list(self.examples),
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class DisclosureExample:
    url: str
    published_at: datetime | None
    verdict: str
    reason: str
    signals: tuple[str, ...]  # why the post looked sponsored

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "published_at": _time(self.published_at),
            "verdict": self.verdict,
            "reason": self.reason,
            "signals": list(self.signals),
        }


@dataclass(frozen=True)
class DisclosureRecord:
    sponsored_posts: int
    compliant: int
    share: float | None  # compliant / sponsored_posts; None below min_sponsored_posts
    by_verdict: dict[str, int]
    standing: DisclosureStanding
    non_compliant: tuple[DisclosureExample, ...]  # most recent first
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sponsored_posts": self.sponsored_posts,
            "compliant": self.compliant,
            "share": _finite(self.share),
            "by_verdict": dict(self.by_verdict),
            "standing": self.standing,
            "non_compliant": [e.to_dict() for e in self.non_compliant],
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Screening:
    passed: bool | None  # None: nothing failed, but too few posts to say the creator passed
    flags: tuple[str, ...]  # what fails or needs a look, one line each
    notes: tuple[str, ...]  # what could not be judged
    banned: tuple[BannedHit, ...]
    competitors: tuple[CompetitorMentions, ...]  # only competitors mentioned, most posts first
    disclosure: DisclosureRecord
    sample_size: int  # posts read (posts with text, one per URL)

    def to_dict(self) -> dict[str, Any]:
        """The JSON the API sends: times in Roster's one format, the share rounded to four
        decimals (never NaN or infinity)."""
        return {
            "passed": self.passed,
            "flags": list(self.flags),
            "notes": list(self.notes),
            "banned": [h.to_dict() for h in self.banned],
            "competitors": [m.to_dict() for m in self.competitors],
            "disclosure": self.disclosure.to_dict(),
            "sample_size": self.sample_size,
        }


def _time(when: datetime | None) -> str | None:
    return clock.iso(when) if when is not None else None


def _finite(value: float | None) -> float | None:
    return round(value, 4) if value is not None and math.isfinite(value) else None


def _aware(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def _newest_first(posts: Iterable[RecentPost]) -> list[RecentPost]:
    def key(post: RecentPost) -> tuple[bool, float]:
        when = _aware(post.published_at)
        return (when is None, -when.timestamp() if when else 0.0)

    return sorted(posts, key=key)


def _excerpt(text: str, term: str) -> str:
    """The words around the first whole-word `term` (the same boundaries as brand_rules)."""
    found = re.search(r"(?<![\w#@])" + re.escape(term.strip()) + r"(?!\w)", text, re.I)
    start, end = found.span() if found else (0, 0)
    width = CONFIG.excerpt_chars
    left, right = max(0, start - width), min(len(text), end + width)
    body = " ".join(text[left:right].split())
    return ("…" if left else "") + body + ("…" if right < len(text) else "")


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "undated"


def sponsored_signals(text: str, *, brand: str = "", competitors: Sequence[Competitor] = ()) -> list[str]:
    """The signals that make `text` look sponsored, or [] when their weights stay below the threshold."""
    hits = [(s.name, s.weight) for s in CONFIG.signals if s.pattern.search(text)]
    if brand.strip() and Competitor(brand.strip()).found_in(text):
        hits.append((f"mentions {brand.strip()}", CONFIG.brand_mention_weight))
    hits += [(f"mentions {c.name}", CONFIG.brand_mention_weight) for c in competitors if c.found_in(text)]
    names = list(dict.fromkeys(name for name, _ in hits))
    weight = sum(dict(hits).values())  # a signal found twice counts once
    return names if weight >= CONFIG.threshold else []


def _disclosure_record(
    posts: Sequence[RecentPost], brand: str, competitors: Sequence[Competitor]
) -> DisclosureRecord:
    verdicts: Counter[str] = Counter()
    bad: list[DisclosureExample] = []
    for post in posts:
        signals = sponsored_signals(post.text, brand=brand, competitors=competitors)
        if not signals:
            continue
        # Brand-specific clear phrases ("in partnership with X") are checked for the brand the post names.
        named = next((c.name for c in competitors if c.found_in(post.text)), "")
        mentions_brand = bool(brand.strip()) and bool(Competitor(brand.strip()).found_in(post.text))
        result = disclosure.check(post.text, brand if mentions_brand or not named else named)
        verdicts[result.result] += 1
        if result.result != "compliant":
            bad.append(
                DisclosureExample(post.url, post.published_at, result.result, result.reason, tuple(signals))
            )
    total = sum(verdicts.values())
    compliant = verdicts["compliant"]
    by_verdict = {v: verdicts[v] for v in VERDICTS}
    counts = ", ".join(f"{n} {v}" for v, n in by_verdict.items() if n)
    if total < CONFIG.min_sponsored_posts:
        return DisclosureRecord(
            total,
            compliant,
            None,
            by_verdict,
            "not enough data",
            tuple(bad[: CONFIG.examples]),
            f"not enough data: {total} sponsored-looking posts, at least {CONFIG.min_sponsored_posts} needed"
            + (f" ({counts})" if counts else ""),
        )
    share = compliant / total
    standing: DisclosureStanding = (
        "good" if share >= CONFIG.good_share else "poor" if share < CONFIG.poor_below else "mixed"
    )
    return DisclosureRecord(
        total,
        compliant,
        share,
        by_verdict,
        standing,
        tuple(bad[: CONFIG.examples]),
        f"{compliant} of {total} sponsored-looking posts ({share:.0%}) disclose clearly at the start"
        f" ({counts})",
    )


def screen(
    posts: Sequence[RecentPost],
    *,
    banned_terms: Iterable[str] = (),
    competitors: Iterable[Competitor | Mapping[str, Any] | str] = (),
    brand: str = "",
    now: datetime,
) -> Screening:
    """Screen a creator's recent posts for a brand (`brand`: its name, for the disclosure check).

    `passed` is False on a banned term, a competitor named within `competitor_window_days`, or a
    poor disclosure record; None when nothing failed but fewer than `min_posts` posts were read."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if isinstance(banned_terms, str):
        raise ValueError("banned_terms must be a list of terms, not one string")
    if isinstance(competitors, Mapping):
        raise ValueError("competitors must be a list of competitors, not one")
    # A blank banned term would match every post.
    banned = list(dict.fromkeys(t.strip() for t in banned_terms if t.strip()))
    rivals = [Competitor.of(c) for c in competitors]
    seen: set[str] = set()
    read: list[RecentPost] = []
    for post in _newest_first(posts):
        if post.text and post.text.strip() and post.url not in seen:
            seen.add(post.url)
            read.append(post)

    hits = [
        BannedHit(post.url, post.published_at, term, _excerpt(post.text, term))
        for post in read
        for term in brand_rules(post.text, banned_terms=banned).banned_terms
    ]

    since = now - timedelta(days=CONFIG.competitor_window_days)
    mentions: list[CompetitorMentions] = []
    for rival in rivals:
        naming = [(post, found) for post in read if (found := rival.found_in(post.text))]
        if not naming:
            continue
        dated = [w for post, _ in naming if (w := _aware(post.published_at)) is not None]
        recent = sum(1 for post, _ in naming if (w := _aware(post.published_at)) is None or w >= since)
        how = tuple(dict.fromkeys(hit for _, found in naming for hit in found))
        examples = tuple(post.url for post, _ in naming[: CONFIG.examples])
        mentions.append(
            CompetitorMentions(rival.name, len(naming), recent, max(dated, default=None), examples, how)
        )
    mentions.sort(key=lambda m: (-m.posts, m.name.casefold()))

    record = _disclosure_record(read, brand, rivals)

    flags: list[str] = []
    for term in dict.fromkeys(h.term for h in hits):
        uses = [h for h in hits if h.term == term]
        flags.append(f"uses banned term '{term}' in {len(uses)} post(s), last {_day(uses[0].published_at)}")
    for m in mentions:
        flags.append(
            f"mentions competitor {m.name} in {m.posts} post(s), last {_day(m.last_at)}"
            f" ({m.recent_posts} in the last {CONFIG.competitor_window_days} days)"
        )
    if record.standing in ("poor", "mixed"):
        flags.append(f"disclosure record {record.standing}: {record.explanation}")

    notes: list[str] = []
    if len(read) < CONFIG.min_posts:
        notes.append(
            f"only {len(read)} posts with text were read; at least {CONFIG.min_posts} needed to pass"
        )
    if record.standing == "not enough data":
        notes.append(f"disclosure record: {record.explanation}")

    failed = bool(hits) or any(m.recent_posts for m in mentions) or record.standing == "poor"
    passed = False if failed else (None if len(read) < CONFIG.min_posts else True)
    return Screening(passed, tuple(flags), tuple(notes), tuple(hits), tuple(mentions), record, len(read))
