"""Audience quality: five explainable signals read from one `Snapshot` (and its follower history),
and an overall score only when enough of them have enough data.

A brand decides whether to pay a creator partly on these numbers, so each signal says what it
measured, on how many items, against which band, and shows the posts, comments or counts that moved
it. Where the sample is too small the signal says "not enough data" and carries no score: a made-up
number would be worse than none. The bands and thresholds are data (`data/quality.json`): Roster's
rule-of-thumb defaults, which a brand may question, stated beside every score.

Evidence never names a follower or commenter: comments are quoted (truncated, mentions and emails
masked) and accounts are counted, never identified. Pure: no I/O beyond reading the rules once.
docs/discovery.md documents every formula and its limits.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from roster import clock
from roster.discovery.profiles import Comment, FollowerSample, Growth, RecentPost, Snapshot
from roster.models.creators import Platform, Tier
from roster.redaction import redact

RULES_FILE = Path(__file__).parent / "data" / "quality.json"

ENGAGEMENT = "engagement_rate"
GROWTH = "follower_growth"
COMMENTS = "comment_quality"
REACH = "reach_consistency"
AUDIT = "follower_audit"
SIGNALS = (ENGAGEMENT, GROWTH, COMMENTS, REACH, AUDIT)

NOT_ENOUGH = "not enough data"
NOT_APPLICABLE = "not applicable"
_UNSCORED = frozenset({NOT_ENOUGH, NOT_APPLICABLE})

# How people write the platforms' names in a sentence; anything else is title-cased.
_LABELS = {Platform.TIKTOK: "TikTok", Platform.YOUTUBE: "YouTube", Platform.X: "X"}
_COUNT_WORDS = {"likes": "likes", "comments": "comments", "shares": "shares", "views": "views"}
_COUNT_FIELDS = frozenset({"likes", "comments", "shares"})

Anchors = tuple[tuple[float, float], ...]
Bands = tuple[tuple[float, str], ...]  # highest floor first: a score at or above the floor gets the word


# --- the rules (data/quality.json) --------------------------------------------------------------


@dataclass(frozen=True)
class EngagementBasis:
    per: Literal["followers", "views"]
    counts: tuple[str, ...]
    bands: Mapping[Tier, tuple[float, float]]


@dataclass(frozen=True)
class EngagementRules:
    needed_posts: int
    min_post_age_hours: float
    suspicious_multiple: float
    below_band: Anchors
    above_band: Anchors
    platforms: Mapping[str, EngagementBasis]

    def basis(self, platform: Platform) -> EngagementBasis:
        return self.platforms.get(platform.value) or self.platforms["default"]


@dataclass(frozen=True)
class GrowthRules:
    needed_snapshots: int
    min_interval_hours: float
    z_threshold: float
    min_excess_share: float
    min_excess_followers: int
    post_window_days: float
    cause_multiple: float
    spike_score: Anchors


@dataclass(frozen=True)
class CommentRules:
    needed: int
    short_chars: int
    repeat_min_posts: int
    repeat_share_of_posts: float
    low_effort_score: Anchors
    repeat_score: Anchors
    low_effort_weight: float
    repeat_weight: float
    verdicts: Bands
    generic: frozenset[str]


@dataclass(frozen=True)
class ReachRules:
    needed_posts: int
    no_views: frozenset[str]
    ratio_score: Mapping[str, Anchors]

    def anchors(self, platform: Platform) -> Anchors:
        return self.ratio_score.get(platform.value) or self.ratio_score["default"]


@dataclass(frozen=True)
class AuditRules:
    needed: int
    new_account_days: float
    mass_following: int
    mass_ratio: float
    signs_for_suspect: int
    suspect_score: Anchors
    verdicts: Bands


@dataclass(frozen=True)
class OverallRules:
    weights: Mapping[str, float]
    min_signals: int
    caps: Mapping[str, tuple[int, ...]]  # verdict: the cap for one such signal, for two, ...
    verdicts: Bands


@dataclass(frozen=True)
class Rules:
    source: str
    tier_floors: tuple[tuple[int, Tier], ...]  # highest floor first
    stale_after_days: float
    evidence_limit: int
    quote_chars: int
    engagement: EngagementRules
    growth: GrowthRules
    comments: CommentRules
    reach: ReachRules
    audit: AuditRules
    overall: OverallRules

    def tier(self, followers: int) -> Tier:
        return next(tier for floor, tier in self.tier_floors if followers >= floor)


class _Reader:
    """Reads one section of the rules, naming the key in the error, so a bad edit of the JSON
    fails at import with the place to fix rather than as a KeyError deep inside a score."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"quality rules: {where} must be an object")
        self.data: dict[str, Any] = data
        self.where = where

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise ValueError(f"quality rules: {self.where}.{key} is missing")
        return self.data[key]

    def section(self, key: str) -> _Reader:
        return _Reader(self.raw(key), f"{self.where}.{key}")

    def number(self, key: str, *, low: float = 0.0) -> float:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= low:
            raise ValueError(f"quality rules: {self.where}.{key} must be a number ≥ {low:g}")
        return float(value)

    def integer(self, key: str, *, low: int = 0) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"quality rules: {self.where}.{key} must be an integer ≥ {low}")
        return value

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"quality rules: {self.where}.{key} must be a non-empty string")
        return value

    def words(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"quality rules: {self.where}.{key} must be a list of strings")
        return tuple(value)

    def anchors(self, key: str) -> Anchors:
        value = self.raw(key)
        try:
            points = tuple((float(x), float(y)) for x, y in value)
        except (TypeError, ValueError):
            raise ValueError(f"quality rules: {self.where}.{key} must be [[x, score], ...]") from None
        xs = [x for x, _ in points]
        if not points or xs != sorted(xs) or not all(0 <= y <= 100 for _, y in points):
            raise ValueError(f"quality rules: {self.where}.{key} needs rising x and scores in 0–100")
        return points

    def caps(self, key: str) -> tuple[int, ...]:
        value = self.raw(key)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100 for v in value)
            or value != sorted(value, reverse=True)
        ):
            raise ValueError(f"quality rules: {self.where}.{key} must be falling caps in 0–100")
        return tuple(value)

    def bands(self, key: str) -> Bands:
        value = self.raw(key)
        try:
            bands = tuple((float(floor), str(word)) for floor, word in value)
        except (TypeError, ValueError):
            raise ValueError(f"quality rules: {self.where}.{key} must be [[floor, verdict], ...]") from None
        floors = [f for f, _ in bands]
        if not bands or floors != sorted(floors, reverse=True) or floors[-1] != 0:
            raise ValueError(f"quality rules: {self.where}.{key} needs falling floors ending at 0")
        return bands


def _tier_bands(reader: _Reader) -> dict[Tier, tuple[float, float]]:
    bands: dict[Tier, tuple[float, float]] = {}
    for tier in Tier:
        low, high = reader.raw(tier.value)
        if not 0 < float(low) < float(high):
            raise ValueError(f"quality rules: {reader.where}.{tier.value} needs 0 < low < high")
        bands[tier] = (float(low), float(high))
    return bands


def _engagement_rules(reader: _Reader) -> EngagementRules:
    platforms: dict[str, EngagementBasis] = {}
    section = reader.section("platforms")
    for key in section.data:
        entry = section.section(key)
        per = entry.text("per")
        counts = entry.words("counts")
        if per not in ("followers", "views") or not set(counts) <= _COUNT_FIELDS or counts[0] != "likes":
            raise ValueError(
                f"quality rules: {entry.where} needs per followers|views and counts starting with likes"
            )
        platforms[key] = EngagementBasis(
            "views" if per == "views" else "followers", counts, _tier_bands(entry.section("bands"))
        )
    if "default" not in platforms:
        raise ValueError(f"quality rules: {section.where}.default is missing")
    return EngagementRules(
        needed_posts=reader.integer("needed_posts", low=1),
        min_post_age_hours=reader.number("min_post_age_hours"),
        suspicious_multiple=reader.number("suspicious_multiple", low=1.0),
        below_band=reader.anchors("score_below_band"),
        above_band=reader.anchors("score_above_band"),
        platforms=platforms,
    )


def load_rules(path: Path = RULES_FILE) -> Rules:
    """The rules from a JSON file; raises ValueError naming the key when the file is wrong."""
    root = _Reader(json.loads(path.read_text(encoding="utf-8")), path.name)
    tiers = root.section("tiers")
    floors = sorted(((tiers.integer(t.value), t) for t in Tier), key=lambda item: -item[0])
    if floors[-1][0] != 0:
        raise ValueError("quality rules: the lowest tier must start at 0 followers")
    growth, comments, reach, audit, overall = (
        root.section(k) for k in ("growth", "comments", "reach", "audit", "overall")
    )
    weights = overall.section("weights")
    if set(weights.data) != set(SIGNALS):
        raise ValueError(f"quality rules: {weights.where} needs exactly {', '.join(SIGNALS)}")
    ratio_score = reach.section("ratio_score")
    caps = overall.section("caps")
    return Rules(
        source=root.text("source"),
        tier_floors=tuple(floors),
        stale_after_days=root.number("stale_after_days"),
        evidence_limit=root.integer("evidence_limit", low=1),
        quote_chars=root.integer("quote_chars", low=10),
        engagement=_engagement_rules(root.section("engagement")),
        growth=GrowthRules(
            needed_snapshots=growth.integer("needed_snapshots", low=3),
            min_interval_hours=growth.number("min_interval_hours"),
            z_threshold=growth.number("z_threshold"),
            min_excess_share=growth.number("min_excess_share"),
            min_excess_followers=growth.integer("min_excess_followers"),
            post_window_days=growth.number("post_window_days"),
            cause_multiple=growth.number("cause_multiple"),
            spike_score=growth.anchors("spike_score"),
        ),
        comments=CommentRules(
            needed=comments.integer("needed", low=1),
            short_chars=comments.integer("short_chars"),
            repeat_min_posts=comments.integer("repeat_min_posts", low=2),
            repeat_share_of_posts=comments.number("repeat_share_of_posts"),
            low_effort_score=comments.anchors("low_effort_score"),
            repeat_score=comments.anchors("repeat_score"),
            low_effort_weight=comments.section("weights").number("low_effort"),
            repeat_weight=comments.section("weights").number("repeat"),
            verdicts=comments.bands("verdicts"),
            generic=frozenset(_generic_key(w) for w in comments.words("generic")),
        ),
        reach=ReachRules(
            needed_posts=reach.integer("needed_posts", low=2),
            no_views=frozenset(reach.words("no_views")),
            ratio_score={key: ratio_score.anchors(key) for key in ratio_score.data},
        ),
        audit=AuditRules(
            needed=audit.integer("needed", low=1),
            new_account_days=audit.number("new_account_days"),
            mass_following=audit.integer("mass_following"),
            mass_ratio=audit.number("mass_ratio"),
            signs_for_suspect=audit.integer("signs_for_suspect", low=1),
            suspect_score=audit.anchors("suspect_score"),
            verdicts=audit.bands("verdicts"),
        ),
        overall=OverallRules(
            weights={name: weights.number(name) for name in SIGNALS},
            min_signals=overall.integer("min_signals", low=1),
            caps={word: caps.caps(word) for word in caps.data},
            verdicts=overall.bands("verdicts"),
        ),
    )


# --- what an assessment says ---------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One thing a person can check: a post (its URL), a quoted comment, a dated change of
    followers, or a count over the sample. Accounts are only ever counted."""

    kind: Literal["post", "comment", "growth", "count"]
    detail: str
    url: str | None = None
    text: str | None = None
    count: int | None = None
    value: float | None = None
    at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "detail": self.detail,
            "url": self.url,
            "text": self.text,
            "count": self.count,
            "value": _finite(self.value),
            "at": clock.iso(self.at) if self.at else None,
        }


@dataclass(frozen=True)
class Signal:
    name: str
    value: float | None  # in `unit`; None when there is not enough data
    unit: str
    score: int | None  # 0–100, None when there is not enough data or it does not apply
    verdict: str  # healthy, low, high, suspicious, mixed, uneven, not enough data, not applicable
    benchmark: str
    sample_size: int
    needed: int
    evidence: tuple[Evidence, ...]
    explanation: str

    @property
    def enough_data(self) -> bool:
        return self.score is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": _finite(self.value),
            "unit": self.unit,
            "score": self.score,
            "verdict": self.verdict,
            "benchmark": self.benchmark,
            "sample_size": self.sample_size,
            "needed": self.needed,
            "enough_data": self.enough_data,
            "evidence": [e.to_dict() for e in self.evidence],
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Assessment:
    platform: Platform
    handle: str
    at: datetime  # when the snapshot was taken
    assessed_at: datetime
    tier: Tier | None
    overall: int | None
    verdict: str  # healthy, mixed, poor, not enough data
    explanation: str
    signals: tuple[Signal, ...]
    missing: tuple[str, ...]  # signals without enough data (or not applicable here)
    flags: tuple[str, ...]  # signals with enough data whose verdict is not healthy
    notes: tuple[str, ...]  # the source's sampling notes, and staleness
    source: str

    def signal(self, name: str) -> Signal:
        return next(s for s in self.signals if s.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform.value,
            "handle": self.handle,
            "at": clock.iso(self.at),
            "assessed_at": clock.iso(self.assessed_at),
            "tier": self.tier.value if self.tier else None,
            "overall": self.overall,
            "verdict": self.verdict,
            "explanation": self.explanation,
            "signals": [s.to_dict() for s in self.signals],
            "missing": list(self.missing),
            "flags": list(self.flags),
            "notes": list(self.notes),
            "source": self.source,
        }


# --- helpers -----------------------------------------------------------------------------------


def _finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity; a rounded value also keeps the API's answers stable."""
    return round(value, 4) if value is not None and math.isfinite(value) else None


def _utc(when: datetime) -> datetime:
    """Sources may hand naive times (meaning UTC, as `roster.clock` reads them); comparing them
    with aware ones would raise."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _count(value: int | None) -> int | None:
    """A count a source reported, or None when it did not or reported nonsense (negative)."""
    if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _interpolate(x: float, anchors: Anchors) -> int:
    """A score read off a piecewise-linear curve: flat outside the anchors, straight between."""
    if x <= anchors[0][0]:
        return _round(anchors[0][1])
    for (x0, y0), (x1, y1) in zip(anchors, anchors[1:], strict=False):
        if x <= x1:
            return _round(y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 > x0 else y1)
    return _round(anchors[-1][1])


def _round(value: float) -> int:
    return max(0, min(100, math.floor(value + 0.5)))


def _band_word(score: float, bands: Bands) -> str:
    return next(word for floor, word in bands if score >= floor)


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %"


def _label(platform: Platform) -> str:
    return _LABELS.get(platform, platform.value.title())


def _day(when: datetime) -> str:
    return when.date().isoformat()


def _not_enough(
    name: str, unit: str, benchmark: str, sample: int, needed: int, why: str, verdict: str = NOT_ENOUGH
) -> Signal:
    return Signal(name, None, unit, None, verdict, benchmark, sample, needed, (), why)


_MENTION = re.compile(r"(?<![\w.+-])@[\w.]+")  # not the @ inside an email address
_SPACES = re.compile(r"\s+")


def _quote(text: str, limit: int) -> str:
    """A comment as evidence: mentions name other people's accounts and emails or numbers may be
    anyone's, so they are masked; long texts are cut."""
    masked = redact(_MENTION.sub("@…", _SPACES.sub(" ", text).strip()))
    return masked if len(masked) <= limit else masked[: limit - 1].rstrip() + "…"


def _generic_key(text: str) -> str:
    """Letters, digits and single spaces, lower case: "Nice!! 🔥" and "nice" are the same phrase."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LN" else " " for ch in unicodedata.normalize("NFKC", text)
    )
    return _SPACES.sub(" ", kept).strip().casefold()


def _duplicate_key(text: str) -> str:
    """What is left once case, spacing and punctuation are set aside; emoji are kept, so "🔥🔥" twice
    is a duplicate while "🔥" and "😍" are not."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZC")


def _letters(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def _emoji_only(text: str) -> bool:
    return _letters(text) == 0 and any(unicodedata.category(ch) == "So" for ch in text)


# --- 1. engagement rate ------------------------------------------------------------------------


def _engagement(snapshot: Snapshot, tier: Tier | None, rules: Rules) -> Signal:
    er = rules.engagement
    basis = er.basis(snapshot.platform)
    label = _label(snapshot.platform)
    what = " + ".join(_COUNT_WORDS[c] for c in basis.counts) + f" per {basis.per[:-1]}"
    needed = er.needed_posts
    followers = _count(snapshot.followers)
    if tier is None:
        why = (
            "the follower count is unknown, so the tier and its band are unknown"
            if followers is None
            else "the account has no followers, so there is no audience to measure"
        )
        return _not_enough(ENGAGEMENT, "%", f"{what} on {label}, by tier", 0, needed, why + ".")
    low, high = basis.bands[tier]
    suspicious_above = high * er.suspicious_multiple
    benchmark = (
        f"{low:g}–{high:g} % ({what}) for {tier.value} creators on {label}; "
        f"above {suspicious_above:g} % is suspicious"
    )
    rates: list[tuple[float, RecentPost]] = []
    fresh = unreadable = 0
    youngest = _utc(snapshot.at) - timedelta(hours=er.min_post_age_hours)
    for post in snapshot.recent_posts:
        if post.published_at is not None and _utc(post.published_at) > youngest:
            fresh += 1
            continue
        parts = [_count(getattr(post, field)) for field in basis.counts]
        base = followers if basis.per == "followers" else _count(post.views)
        if parts[0] is None or not base:
            unreadable += 1
            continue
        rates.append((100 * sum(p or 0 for p in parts) / base, post))
    left_out = []
    if fresh:
        left_out.append(f"{fresh} younger than {er.min_post_age_hours:g} h")
    if unreadable:
        left_out.append(f"{unreadable} without {'likes' if basis.per == 'followers' else 'likes or views'}")
    aside = f" ({', '.join(left_out)} left out)" if left_out else ""
    if len(rates) < needed:
        why = f"{len(rates)} usable recent posts{aside}; {needed} are needed for a median."
        return _not_enough(ENGAGEMENT, "%", benchmark, len(rates), needed, why)
    value = statistics.median(rate for rate, _ in rates)
    if value < low:
        score, verdict = _interpolate(value / low, er.below_band), "low"
        reading = "below the band: few of the followers react, an inactive or unreached audience"
    elif value <= high:
        score, verdict, reading = 100, "healthy", "within the band"
    else:
        score = _interpolate(value / high, er.above_band)
        if value <= suspicious_above:
            verdict, reading = "high", "above the band: an unusually engaged audience, worth a look"
        else:
            verdict = "suspicious"
            reading = (
                f"more than {er.suspicious_multiple:g}× the band's top: typical of engagement pods "
                "or bought likes"
            )
    ordered = sorted(rates, key=lambda item: item[0], reverse=verdict in ("high", "suspicious"))
    if verdict == "healthy":
        ordered = sorted(rates, key=lambda item: abs(item[0] - value))[:1]
    evidence = tuple(
        Evidence("post", f"{rate:.2f} % {what}", url=post.url, value=rate, at=post.published_at)
        for rate, post in ordered[: min(3, rules.evidence_limit)]
    )
    explanation = f"Median {value:.2f} % over {len(rates)} recent posts{aside}, {reading}."
    if basis.per == "views" and followers:
        views = [v for p in snapshot.recent_posts if (v := _count(p.views)) is not None]
        if views:
            explanation += (
                f" Engagement is read per view on {label}: subscribers do not see every upload, so "
                f"per subscriber it would measure reach. Median views are "
                f"{100 * statistics.median(views) / followers:.1f} % of subscribers."
            )
    return Signal(
        ENGAGEMENT, value, "%", score, verdict, benchmark, len(rates), needed, evidence, explanation
    )


# --- 2. follower growth spikes -----------------------------------------------------------------


def _growth_points(
    snapshot: Snapshot, growth: Growth | None, rules: GrowthRules
) -> list[tuple[datetime, int]]:
    """The history plus the snapshot itself, oldest first; points closer together than the minimum
    interval are dropped, as a per-day rate over an hour would magnify noise."""
    raw = [(_utc(when), count) for when, count in (growth.points if growth else ())]
    current = _count(snapshot.followers)
    if current is not None:
        raw.append((_utc(snapshot.at), current))
    gap = timedelta(hours=rules.min_interval_hours)
    kept: list[tuple[datetime, int]] = []
    for when, count in sorted((p for p in raw if _count(p[1]) is not None), key=lambda p: p[0]):
        if not kept or when - kept[-1][0] >= gap:
            kept.append((when, count))
    return kept


def _robust_z(values: Sequence[float]) -> list[float]:
    """Modified z-scores (median and MAD). When over half the values are equal the MAD is 0; the
    mean absolute deviation stands in (scaled to match a normal distribution's spread), and when
    every value is equal nothing stands out."""
    middle = statistics.median(values)
    deviations = [abs(v - middle) for v in values]
    scale = 1.4826 * statistics.median(deviations)
    if scale == 0:
        scale = 1.2533 * statistics.fmean(deviations)
    if scale == 0:
        return [0.0 for _ in values]
    return [(v - middle) / scale for v in values]


def _possible_causes(
    posts: Sequence[RecentPost], start: datetime, end: datetime, rules: GrowthRules
) -> list[Evidence]:
    """Posts that stood out around a spike: a viral post brings real followers in a rush too, so a
    person should see it beside the spike. Only posts well above the median count: every account
    publishes something in any week. Views where the platform reports them, else likes."""
    unit = "views" if any(_count(p.views) for p in posts) else "likes"
    reach = [(n, p) for p in posts if (n := _count(getattr(p, unit))) is not None]
    if not reach:
        return []
    bar = rules.cause_multiple * statistics.median(n for n, _ in reach)
    window = timedelta(days=rules.post_window_days)
    return [
        Evidence(
            "post",
            f"published {_day(_utc(post.published_at))} around the spike with {n:,} {unit}: "
            "a viral post would explain it, so check it",
            url=post.url,
            count=n,
            at=post.published_at,
        )
        for n, post in reach
        if post.published_at and start - window <= _utc(post.published_at) <= end and n >= bar > 0
    ]


def _growth(snapshot: Snapshot, growth: Growth | None, rules: Rules) -> Signal:
    gr = rules.growth
    benchmark = (
        f"a day's growth with a robust z-score above {gr.z_threshold:g} (median and MAD of daily growth), "
        f"gaining at least {_pct(gr.min_excess_share)} of followers and {gr.min_excess_followers} "
        "followers beyond the typical growth, is a spike"
    )
    points = _growth_points(snapshot, growth, gr)
    needed = gr.needed_snapshots
    if len(points) < needed:
        why = (
            f"{len(points)} follower counts at least {gr.min_interval_hours:g} h apart; {needed} are needed."
        )
        return _not_enough(GROWTH, "spikes", benchmark, len(points), needed, why)
    steps = []
    for (t0, f0), (t1, f1) in zip(points, points[1:], strict=False):
        days = (t1 - t0).total_seconds() / 86_400
        steps.append((t0, t1, f0, f1, days, (f1 - f0) / days))
    rates = [step[5] for step in steps]
    typical = statistics.median(rates)
    spikes: list[Evidence] = []
    drops: list[Evidence] = []
    excess_pct = 0.0
    for (t0, t1, f0, f1, days, rate), z in zip(steps, _robust_z(rates), strict=True):
        excess = (rate - typical) * days
        share = abs(excess) / max(f0, 1)
        if abs(z) <= gr.z_threshold or share < gr.min_excess_share or abs(excess) < gr.min_excess_followers:
            continue
        change = f1 - f0
        detail = (
            f"{_day(t0)} → {_day(t1)}: {change:+,} followers ({change / max(f0, 1):+.1%}) in "
            f"{days:.1f} days, against a typical {typical:+,.0f} a day (z = {z:.1f})"
        )
        item = Evidence("growth", detail, count=change, value=round(z, 2), at=t1)
        if excess > 0:
            spikes.append(item)
            excess_pct += 100 * share
            spikes += _possible_causes(snapshot.recent_posts, t0, t1, gr)
        else:
            drops.append(item)
    n_spikes = sum(1 for e in spikes if e.kind == "growth")
    span = f"{len(points)} counts from {_day(points[0][0])} to {_day(points[-1][0])}"
    drop_note = (
        f" {len(drops)} sharp drop(s) too: a platform removing fake accounts looks like this."
        if drops
        else ""
    )
    if not n_spikes:
        explanation = f"No spike in {span}; typical growth {typical:+,.0f} followers a day.{drop_note}"
        return Signal(
            GROWTH, 0.0, "spikes", 100, "healthy", benchmark, len(points), needed, tuple(drops), explanation
        )
    score = _interpolate(excess_pct, gr.spike_score)
    explanation = (
        f"{n_spikes} spike(s) in {span}, gaining {excess_pct:.1f} % of followers beyond the typical "
        f"{typical:+,.0f} a day: bought followers arrive like this; press or a viral post can too.{drop_note}"
    )
    evidence = tuple(spikes + drops)[: rules.evidence_limit]
    return Signal(
        GROWTH,
        float(n_spikes),
        "spikes",
        score,
        "suspicious",
        benchmark,
        len(points),
        needed,
        evidence,
        explanation,
    )


# --- 3. comment quality ------------------------------------------------------------------------


def _comments(snapshot: Snapshot, rules: Rules) -> Signal:
    cr = rules.comments
    comments: Sequence[Comment] = snapshot.comments
    needed = cr.needed
    benchmark = (
        f"low-effort comments (generic, emoji-only, duplicate, under {cr.short_chars} letters) up to "
        f"{_pct(cr.low_effort_score[0][0])} and comments by repeat commenters up to "
        f"{_pct(cr.repeat_score[0][0])} score 100"
    )
    if len(comments) < needed:
        why = f"{len(comments)} comments sampled; {needed} are needed."
        return _not_enough(COMMENTS, "share", benchmark, len(comments), needed, why)
    duplicates = Counter(key for c in comments if (key := _duplicate_key(c.text)))
    kinds: dict[str, list[Comment]] = defaultdict(list)
    low_effort = 0
    for comment in comments:
        found = []
        if _generic_key(comment.text) in cr.generic:
            found.append("generic")
        if _emoji_only(comment.text):
            found.append("emoji-only")
        elif _letters(comment.text) < cr.short_chars:
            found.append("very short")
        if duplicates[_duplicate_key(comment.text)] > 1:
            found.append("duplicate")
        for kind in found:
            kinds[kind].append(comment)
        low_effort += bool(found)
    total = len(comments)
    low_share = low_effort / total
    quote = rules.quote_chars
    evidence: list[Evidence] = [
        Evidence("count", f"{kind}: {len(of)} of {total}", count=len(of), value=len(of) / total)
        for kind in ("generic", "emoji-only", "very short", "duplicate")
        if (of := kinds[kind])
    ]
    quotes: list[Evidence] = []
    first: dict[str, Comment] = {}
    for comment in comments:
        first.setdefault(_duplicate_key(comment.text), comment)
    for key, n in duplicates.most_common():
        if n < 2:
            break
        on = len({c.post_url for c in comments if _duplicate_key(c.text) == key})
        text = _quote(first[key].text, quote)
        quotes.append(
            Evidence("comment", f"the same comment {n} times on {on} post(s)", first[key].post_url, text, n)
        )
    quotes += [
        Evidence("comment", "generic", url=c.post_url, text=_quote(c.text, quote))
        for c in kinds["generic"]
        if duplicates[_duplicate_key(c.text)] < 2  # a duplicate is quoted once, above
    ]
    low_score = _interpolate(low_share, cr.low_effort_score)
    posts = {c.post_url for c in comments}
    explanation = f"{low_effort} of {total} comments ({_pct(low_share)}) are low-effort"
    if len(posts) >= cr.repeat_min_posts:
        threshold = max(cr.repeat_min_posts, math.ceil(cr.repeat_share_of_posts * len(posts)))
        by_author: dict[str, set[str]] = defaultdict(set)
        for comment in comments:
            by_author[comment.author].add(comment.post_url)
        repeaters = {a for a, on in by_author.items() if len(on) >= threshold}
        from_repeaters = sum(1 for c in comments if c.author in repeaters)
        repeat_share = from_repeaters / total
        repeat_score = _interpolate(repeat_share, cr.repeat_score)
        weight = cr.low_effort_weight + cr.repeat_weight
        score = _round((cr.low_effort_weight * low_score + cr.repeat_weight * repeat_score) / weight)
        evidence.append(
            Evidence(
                "count",
                f"{len(repeaters)} account(s) commented on at least {threshold} of the {len(posts)} sampled "
                f"posts and wrote {from_repeaters} of the {total} comments",
                count=len(repeaters),
                value=repeat_share,
            )
        )
        if repeaters:
            most = max(len(by_author[a]) for a in repeaters)
            evidence.append(
                Evidence(
                    "count", f"the most active account commented on {most} of {len(posts)} posts", count=most
                )
            )
        who = (
            f"{len(repeaters)} repeat commenter(s) wrote {_pct(repeat_share)} of the comments"
            if repeaters
            else f"no account commented on {threshold} or more of them"
        )
        explanation += (
            f"; {who}. Low effort "
            f"scores {low_score}, repeat commenters {repeat_score}; weighted "
            f"{cr.low_effort_weight:g}:{cr.repeat_weight:g}"
        )
    else:
        score, repeat_score = low_score, 100
        explanation += f"; repeat commenters are not read: the comments cover only {len(posts)} post(s)"
    verdict = _band_word(score, cr.verdicts)
    if verdict != "healthy":
        readings = []
        if low_score < 100:
            readings.append("bought comments are short, generic and repeated")
        if repeat_score < 100:
            readings.append(
                "in a pod the same accounts comment on every post (a small loyal community can too)"
            )
        explanation += ". " + "; ".join(readings).capitalize()
    evidence += quotes[: rules.evidence_limit]
    return Signal(
        COMMENTS,
        low_share,
        "share",
        score,
        verdict,
        benchmark,
        total,
        needed,
        tuple(evidence),
        explanation + ".",
    )


# --- 4. reach consistency ----------------------------------------------------------------------


def _reach(snapshot: Snapshot, rules: Rules) -> Signal:
    rr = rules.reach
    label = _label(snapshot.platform)
    anchors = rr.anchors(snapshot.platform)
    needed = rr.needed_posts
    benchmark = (
        f"mean/median views up to {anchors[0][0]:g} on {label} score 100, {anchors[-1][0]:g} or more 0"
    )
    if snapshot.platform.value in rr.no_views:
        why = f"{label} does not report views, so reach cannot be read."
        return _not_enough(REACH, "ratio", f"none: {label} has no views", 0, needed, why, NOT_APPLICABLE)
    viewed = [(n, p) for p in snapshot.recent_posts if (n := _count(p.views)) is not None]
    if len(viewed) < needed:
        why = f"{len(viewed)} recent posts with views; {needed} are needed."
        return _not_enough(REACH, "ratio", benchmark, len(viewed), needed, why)
    views = [v for v, _ in viewed]
    median = statistics.median(views)
    mean = statistics.fmean(views)
    if median == 0:
        why = f"the median of {len(views)} posts' views is 0: there is no typical reach to compare with."
        return _not_enough(REACH, "ratio", benchmark, len(views), needed, why)
    ratio = mean / median
    score = _interpolate(ratio, anchors)
    verdict = "healthy" if ratio <= anchors[0][0] else "uneven"
    top = sorted(viewed, key=lambda item: item[0], reverse=True)[:3]
    share_top = sum(v for v, _ in top) / sum(views)
    evidence = tuple(
        Evidence("post", f"{v:,} views, {v / median:.1f}× the median", url=p.url, count=v, at=p.published_at)
        for v, p in top
    )
    explanation = (
        f"Mean {mean:,.0f} views against a median of {median:,.0f} over {len(views)} posts "
        f"(ratio {ratio:.2f})"
    )
    if verdict == "uneven":
        explanation += (
            f"; the {len(top)} biggest posts hold {_pct(share_top)} of the views: a few posts carry the "
            "account (a viral hit, or bought views on some posts): expect a typical post to reach the median"
        )
    return Signal(
        REACH, ratio, "ratio", score, verdict, benchmark, len(views), needed, evidence, explanation + "."
    )


# --- 5. follower-sample audit ------------------------------------------------------------------


def _signs(follower: FollowerSample, at: datetime, rules: AuditRules) -> list[str]:
    signs = []
    if not follower.has_avatar:
        signs.append("no avatar")
    if not follower.has_bio:
        signs.append("no bio")
    if follower.created_at is not None:
        age = at - _utc(follower.created_at)
        if age <= timedelta(days=rules.new_account_days):
            signs.append("new account")
    following, followers = _count(follower.following), _count(follower.followers)
    if (
        following is not None
        and followers is not None
        and following > rules.mass_following
        and following >= rules.mass_ratio * max(followers, 1)
    ):
        signs.append("mass follower")
    return signs


def _audit(snapshot: Snapshot, rules: Rules) -> Signal:
    ar = rules.audit
    sample: Sequence[FollowerSample] = snapshot.follower_sample
    needed = ar.needed
    benchmark = (
        f"up to {_pct(ar.suspect_score[0][0])} of sampled followers with {ar.signs_for_suspect}+ warning "
        f"signs score 100, {_pct(ar.suspect_score[-1][0])} or more 0"
    )
    if len(sample) < needed:
        why = (
            f"{len(sample)} followers sampled; {needed} are needed."
            if sample
            else f"no follower sample: {_label(snapshot.platform)} or the source does not list followers."
        )
        return _not_enough(AUDIT, "share", benchmark, len(sample), needed, why)
    at = _utc(snapshot.at)
    signs = [_signs(f, at, ar) for f in sample]
    total = len(sample)
    suspects = sum(1 for s in signs if len(s) >= ar.signs_for_suspect)
    share = suspects / total
    dated = sum(1 for f in sample if f.created_at is not None)
    evidence = [
        Evidence(
            "count",
            f"{suspects} of {total} sampled followers show {ar.signs_for_suspect}+ signs",
            count=suspects,
            value=share,
        )
    ]
    for sign in ("no avatar", "no bio", "new account", "mass follower"):
        n = sum(1 for s in signs if sign in s)
        base = dated if sign == "new account" else total
        if base:
            evidence.append(Evidence("count", f"{sign}: {n} of {base}", count=n, value=n / base))
    score = _interpolate(share, ar.suspect_score)
    verdict = _band_word(score, ar.verdicts)
    explanation = (
        f"{suspects} of {total} sampled followers ({_pct(share)}) show at least {ar.signs_for_suspect} "
        f"of: no avatar, no bio, account under {ar.new_account_days:g} days old ({dated} dated), "
        f"following over {ar.mass_following:,} at {ar.mass_ratio:g}× their own followers. The sample is the "
        "newest followers, so it over-represents recent arrivals."
    )
    return Signal(
        AUDIT, share, "share", score, verdict, benchmark, total, needed, tuple(evidence), explanation
    )


# --- the assessment ----------------------------------------------------------------------------


def _overall(signals: Iterable[Signal], rules: OverallRules) -> tuple[int | None, str, str]:
    scored = [s for s in signals if s.score is not None]
    if len(scored) < rules.min_signals:
        why = f"{len(scored)} signal(s) have enough data; an overall score needs {rules.min_signals}."
        return None, NOT_ENOUGH, why
    weight = sum(rules.weights[s.name] for s in scored)
    if weight == 0:
        return None, NOT_ENOUGH, "the signals with enough data all weigh 0."
    mean = sum(rules.weights[s.name] * (s.score or 0) for s in scored) / weight
    parts = ", ".join(f"{s.name} {s.score} × {rules.weights[s.name] / weight:.2f}" for s in scored)
    explanation = f"Weighted mean of {len(scored)} signals ({parts}) = {mean:.0f}"
    for word, caps in rules.caps.items():
        judged = [s.name for s in scored if s.verdict == word]
        cap = caps[min(len(judged), len(caps)) - 1] if judged else 100
        if cap < mean:
            explanation += (
                f", held at {cap} because {' and '.join(judged)} {'is' if len(judged) == 1 else 'are'} {word}"
            )
            mean = cap
    overall = _round(mean)
    return overall, _band_word(overall, rules.verdicts), explanation + "."


def assess(
    snapshot: Snapshot,
    growth: Growth | None = None,
    *,
    now: datetime | None = None,
    rules: Rules | None = None,
) -> Assessment:
    """Every signal of one snapshot and, when enough of them have data, the overall score.

    `now` (default: the snapshot's time) only dates the assessment and notes a stale snapshot:
    the counts are as of `snapshot.at`, so ages (of posts, of follower accounts) are measured from
    there. `rules` defaults to data/quality.json."""
    if not isinstance(snapshot, Snapshot):
        raise TypeError(f"assess needs a Snapshot, not {type(snapshot).__name__}")
    if growth is not None and not isinstance(growth, Growth):
        raise TypeError(f"growth must be a Growth or None, not {type(growth).__name__}")
    rules = rules or RULES
    at = _utc(snapshot.at)
    assessed_at = _utc(now) if now else at
    followers = _count(snapshot.followers)
    tier = rules.tier(followers) if followers else None
    signals = (
        _engagement(snapshot, tier, rules),
        _growth(snapshot, growth, rules),
        _comments(snapshot, rules),
        _reach(snapshot, rules),
        _audit(snapshot, rules),
    )
    overall, verdict, explanation = _overall(signals, rules.overall)
    missing = tuple(s.name for s in signals if s.score is None)
    if missing:
        unscored = ", ".join(f"{s.name} ({s.verdict})" for s in signals if s.score is None)
        explanation += f" Not scored: {unscored}."
    flags = tuple(s.name for s in signals if s.score is not None and s.verdict != "healthy")
    notes = list(snapshot.notes)
    if snapshot.followers is not None and followers is None:
        notes.append("the source reported a negative follower count; it is treated as unknown")
    age = assessed_at - at
    if age > timedelta(days=rules.stale_after_days):
        notes.append(f"the snapshot is {age.days} days old; the audience may have changed since")
    return Assessment(
        platform=snapshot.platform,
        handle=snapshot.handle,
        at=at,
        assessed_at=assessed_at,
        tier=tier,
        overall=overall,
        verdict=verdict,
        explanation=explanation,
        signals=signals,
        missing=missing,
        flags=flags,
        notes=tuple(notes),
        source=rules.source,
    )


RULES = load_rules()
