"""Brand fit: how much of a creator's recent posting is about what a campaign is about.

The posts are ranked by SQLite's FTS5 (BM25 through `bm25()`, excerpts through `snippet()` and
`highlight()`), in an in-memory database built per call: a well-kept ranking instead of one of
our own, and the same tokenizer on the posts and on the terms, so "café" finds "Cafe".

- Tokenizer `unicode61 remove_diacritics 2`: case and diacritics are ignored, `#` separates
  tokens, so the hashtag `#vegan` is indexed as the word `vegan`. A hashtag term and a keyword
  therefore meet: `#vegan` finds "vegan" and `vegan` finds "#vegan" (fit is about topics, not
  about the tag as a campaign identifier; monitoring matches tags exactly).
- A hashtag made of several words (`#PlantBased`, `#Top10Recipes`) is also indexed split into its
  words in a second column, so the term "plant based" finds it; that column weighs less in BM25.
- Every term is one FTS5 string (a phrase): quoted, inner quotes doubled, so `AND`, `NEAR(`, `*`,
  `-x` or `col:` are words to find, never operators. A term with no letter or digit finds nothing
  and is ignored; no usable term at all is a ValueError.

The score (0-100) is `share_weight * min(1, share / full_share) + coverage_weight * coverage`, where
`share` is the share of searched posts matching at least one term and `coverage` the share of the
terms found at least once (counting up to `coverage_full_terms` terms). BM25 orders the posts shown
as evidence, and breaks ties between creators; it is not in the score, because a BM25 value only
compares posts within one index. The numbers are data (`data/screening.json`).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from roster import clock
from roster.discovery.profiles import RecentPost

DATA_FILE = Path(__file__).parent / "data" / "screening.json"
FitVerdict = Literal["strong", "moderate", "weak", "none", "not enough data"]


@dataclass(frozen=True)
class FitConfig:
    """The numbers of `data/screening.json` ("fit"), read once; docs/discovery.md explains each."""

    min_posts: int
    full_share: float
    share_weight: float
    coverage_weight: float
    coverage_full_terms: int
    max_terms: int
    top_posts: int
    snippet_tokens: int
    excerpt_chars: int
    tags_column_weight: float
    verdicts: tuple[tuple[int, FitVerdict], ...]  # (min score, verdict), highest first

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> FitConfig:
        raw: dict[str, Any] = json.loads(path.read_text())["fit"]
        verdicts = sorted(((int(v["min_score"]), v["verdict"]) for v in raw.pop("verdicts")), reverse=True)
        return cls(**raw, verdicts=tuple(verdicts))


CONFIG = FitConfig.load()

# Snippet markers: control characters removed from every post first, so they cannot be forged.
_OPEN, _CLOSE = "\x02", "\x03"
_UNSAFE = re.compile(r"[\x00\x02\x03]")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_TAG_SEPARATOR = "\n"  # one hashtag per line in the tags column: highlight() lines map back to tags
_ELLIPSIS = "…"


@dataclass(frozen=True)
class PostFit:
    """One matching post: its BM25 rank (FTS5's sign: lower is more relevant), an excerpt with the
    matched words' character spans, and the terms it matched."""

    url: str
    published_at: datetime | None
    rank: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    terms: tuple[str, ...]

    def marked(self, open_mark: str = "[", close_mark: str = "]") -> str:
        """The snippet with its matches wrapped, for plain-text display (no HTML: a caption is
        untrusted text)."""
        out, last = [], 0
        for start, end in self.highlights:
            out += [self.snippet[last:start], open_mark, self.snippet[start:end], close_mark]
            last = end
        out.append(self.snippet[last:])
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the time in Roster's one format, the rank rounded (no NaN or infinity)."""
        return {
            "url": self.url,
            "published_at": _time(self.published_at),
            "rank": _finite(self.rank),
            "snippet": self.snippet,
            "highlights": [[start, end] for start, end in self.highlights],
            "terms": list(self.terms),
        }


@dataclass(frozen=True)
class Fit:
    score: int | None  # None: fewer than `min_posts` posts with text
    verdict: FitVerdict
    matched_terms: dict[str, int]  # every usable term, in the order given: posts containing it
    posts: tuple[PostFit, ...]  # the best-ranked matching posts, best first
    sample_size: int  # posts searched (posts with text, one per URL)
    matching_posts: int
    share: float | None  # matching_posts / sample_size
    coverage: float | None  # terms found, counted up to coverage_full_terms
    explanation: str
    ignored_terms: tuple[str, ...] = ()  # given terms with no letter or digit

    def to_dict(self) -> dict[str, Any]:
        """The JSON the API sends: shares rounded to four decimals, never NaN or infinity."""
        return {
            "score": self.score,
            "verdict": self.verdict,
            "matched_terms": dict(self.matched_terms),
            "posts": [p.to_dict() for p in self.posts],
            "sample_size": self.sample_size,
            "matching_posts": self.matching_posts,
            "share": _finite(self.share),
            "coverage": _finite(self.coverage),
            "explanation": self.explanation,
            "ignored_terms": list(self.ignored_terms),
        }


def _finite(value: float | None) -> float | None:
    return round(value, 4) if value is not None and math.isfinite(value) else None


def _time(when: datetime | None) -> str | None:
    return clock.iso(when) if when is not None else None


def _marked(prefix: str, values: Iterable[str]) -> list[str]:
    """Each value once with its `prefix` (`#tag`, `@handle`), however it was written."""
    return [prefix + v.strip().lstrip(prefix) for v in values if v.strip().lstrip(prefix).strip()]


def terms_for(
    *,
    keywords: Iterable[str] = (),
    hashtags: Iterable[str] = (),
    mentions: Iterable[str] = (),
    topics: Iterable[str] = (),
) -> list[str]:
    """A campaign's keywords, hashtags (written with their `#`), mentions (with their `@`) and
    topic labels as one term list. The tokenizer drops `#` and `@`, so a mention finds the handle
    written as a word too: fit asks what the posts are about, not who they tag."""
    return [*keywords, *_marked("#", hashtags), *_marked("@", mentions), *topics]


class NoTerms(ValueError):
    """No term to search: none given, or none with a letter or digit (`ignored` lists those)."""

    def __init__(self, ignored: Sequence[str] = ()) -> None:
        self.ignored = tuple(ignored)
        detail = f" ({', '.join(repr(t) for t in ignored)} have no letter or digit)" if ignored else ""
        super().__init__("no usable search term: give at least one word, hashtag or topic" + detail)


def _clean_terms(terms: Iterable[str]) -> tuple[list[str], list[str]]:
    if isinstance(terms, str):
        raise ValueError("terms must be a list of terms, not one string")
    usable: dict[str, str] = {}
    ignored: list[str] = []
    for raw in terms:
        if not isinstance(raw, str):
            raise ValueError(f"a term must be text, not {type(raw).__name__}")
        term = " ".join(_UNSAFE.sub(" ", raw).split())
        if not term:
            continue
        if not any(ch.isalnum() for ch in term):
            ignored.append(term)
            continue
        usable.setdefault(term.casefold(), term)
    if not usable:
        raise NoTerms(ignored)
    if len(usable) > CONFIG.max_terms:
        raise ValueError(f"too many terms: {len(usable)} (at most {CONFIG.max_terms})")
    return list(usable.values()), ignored


def fts_phrase(term: str) -> str:
    """`term` as one FTS5 string: whatever it contains is text to find, not query syntax."""
    return '"' + term.replace('"', '""') + '"'


def _split_tag(tag: str) -> list[str]:
    """`PlantBased` -> [Plant, Based]; `Top10Recipes` -> [Top, 10, Recipes]; `VEGANRecipes` ->
    [VEGAN, Recipes]; `veganrecipes` stays one word (nothing marks where it splits)."""
    words: list[str] = []
    current = ""
    for i, ch in enumerate(tag):
        if current:
            prev = current[-1]
            nxt = tag[i + 1] if i + 1 < len(tag) else ""
            boundary = (
                (prev.isdigit() != ch.isdigit())
                or (prev.islower() and ch.isupper())
                or (prev.isupper() and ch.isupper() and nxt.islower())
                or ch == "_"
            )
            if boundary:
                words.append(current)
                current = ""
        if ch != "_":
            current += ch
    if current:
        words.append(current)
    return words


@dataclass(frozen=True)
class _Doc:
    key: str
    post: RecentPost
    text: str
    tags: tuple[tuple[int, int], ...]  # spans in `text` of the multi-word hashtags, one per tags line


def _documents(creators: Mapping[str, Sequence[RecentPost]]) -> list[_Doc]:
    docs: list[_Doc] = []
    for key in sorted(creators):
        seen: set[str] = set()
        for post in creators[key]:
            text = _UNSAFE.sub(" ", post.text or "")
            if not text.strip() or post.url in seen:
                continue
            seen.add(post.url)
            spans = tuple(m.span() for m in _HASHTAG.finditer(text) if len(_split_tag(m.group(1))) > 1)
            docs.append(_Doc(key, post, text, spans))
    return docs


def _index(docs: list[_Doc]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    try:
        db.execute(
            "CREATE VIRTUAL TABLE posts USING fts5(text, tags, tokenize = 'unicode61 remove_diacritics 2')"
        )
    except sqlite3.OperationalError as error:  # a Python built against SQLite without FTS5
        db.close()
        raise RuntimeError(f"SQLite FTS5 is not available: {error}") from error
    rows = []
    for rowid, doc in enumerate(docs):
        tags = _TAG_SEPARATOR.join(" ".join(_split_tag(doc.text[s + 1 : e])) for s, e in doc.tags)
        rows.append((rowid, doc.text, tags))
    db.executemany("INSERT INTO posts(rowid, text, tags) VALUES (?, ?, ?)", rows)
    return db


def _unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length, start = 0, -1
    for part in re.split(f"([{_OPEN}{_CLOSE}])", marked):
        if part == _OPEN:
            start = length
        elif part == _CLOSE:
            if start >= 0:
                spans.append((start, length))
            start = -1
        else:
            plain.append(part)
            length += len(part)
    return "".join(plain), tuple(spans)


def _tag_excerpt(doc: _Doc, tags_marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """An excerpt around the first multi-word hashtag that matched, for a post that matched only
    through the split hashtags (the text column's snippet then marks nothing)."""
    lines = tags_marked.split(_TAG_SEPARATOR)
    hit = next((i for i, line in enumerate(lines) if _OPEN in line), None)
    if hit is None or hit >= len(doc.tags):
        return doc.text[: 2 * CONFIG.excerpt_chars], ()
    start, end = doc.tags[hit]
    width = CONFIG.excerpt_chars
    left, right = max(0, start - width), min(len(doc.text), end + width)
    prefix = _ELLIPSIS if left > 0 else ""
    suffix = _ELLIPSIS if right < len(doc.text) else ""
    excerpt = prefix + doc.text[left:right] + suffix
    offset = len(prefix) + start - left
    return excerpt, ((offset, offset + end - start),)


def _score(share: float, coverage: float) -> int:
    value = CONFIG.share_weight * min(1.0, share / CONFIG.full_share)
    value += CONFIG.coverage_weight * coverage
    return min(100, math.floor(100 * value + 0.5))


def _verdict(score: int) -> FitVerdict:
    return next((verdict for least, verdict in CONFIG.verdicts if score >= least), "none")


def _explain(fit_terms: dict[str, int], searched: int, matching: int, score: int | None) -> str:
    found = [f"{t} {n}" for t, n in fit_terms.items() if n]
    terms_part = f"{len(found)} of {len(fit_terms)} terms found" + (f" ({', '.join(found)})" if found else "")
    if searched == 0:
        return "no post with text to search"
    posts_part = f"{matching} of {searched} posts ({matching / searched:.0%}) match at least one term"
    if score is None:
        return f"not enough data: {searched} posts with text, at least {CONFIG.min_posts} needed; " + (
            f"{posts_part}; {terms_part}"
        )
    return (
        f"{posts_part}; {terms_part}; score {score} = {CONFIG.share_weight:.0%} of the share of matching "
        f"posts (full at {CONFIG.full_share:.0%}) + {CONFIG.coverage_weight:.0%} of the terms found "
        f"(full at {min(len(fit_terms), CONFIG.coverage_full_terms)})"
    )


def rank_creators(
    terms: Iterable[str], creators: Mapping[str, Sequence[RecentPost]], *, top_posts: int | None = None
) -> list[tuple[str, Fit]]:
    """Every creator's fit against the same terms, best first.

    All posts share one index, so BM25's term weights come from the whole pool and the ranks of
    different creators' posts compare. Order: score (no score last), then share of matching posts,
    then the best post's BM25 rank, then the creator key, so equal creators always come out in the
    same order."""
    wanted, ignored = _clean_terms(terms)
    shown = CONFIG.top_posts if top_posts is None else max(0, top_posts)
    docs = _documents(creators)
    db = _index(docs)
    try:
        hits: dict[str, set[int]] = {
            term: {
                row[0]
                for row in db.execute("SELECT rowid FROM posts WHERE posts MATCH ?", (fts_phrase(term),))
            }
            for term in wanted
        }
        weight = CONFIG.tags_column_weight
        ranked = db.execute(
            "SELECT rowid, bm25(posts, 1.0, ?), snippet(posts, 0, ?, ?, ?, ?), highlight(posts, 1, ?, ?) "
            "FROM posts WHERE posts MATCH ? ORDER BY bm25(posts, 1.0, ?), rowid",
            (
                weight,
                _OPEN,
                _CLOSE,
                _ELLIPSIS,
                CONFIG.snippet_tokens,
                _OPEN,
                _CLOSE,
                " OR ".join(fts_phrase(t) for t in wanted),
                weight,
            ),
        ).fetchall()
    finally:
        db.close()

    per_creator: dict[str, list[PostFit]] = {key: [] for key in creators}
    for rowid, rank, snippet, tags_marked in ranked:
        doc = docs[rowid]
        excerpt, spans = _unmark(snippet)
        # Show a hashtag whole: the tokenizer marks "vegan" in "#vegan".
        spans = tuple((s - 1 if s > 0 and excerpt[s - 1] == "#" else s, e) for s, e in spans)
        if not spans:
            excerpt, spans = _tag_excerpt(doc, tags_marked)
        matched = tuple(t for t in wanted if rowid in hits[t])
        per_creator[doc.key].append(
            PostFit(doc.post.url, doc.post.published_at, rank, excerpt, spans, matched)
        )

    searched: dict[str, int] = dict.fromkeys(creators, 0)
    for doc in docs:
        searched[doc.key] += 1
    owner = [doc.key for doc in docs]
    results: list[tuple[str, Fit]] = []
    for key in creators:
        counts = {t: sum(1 for r in hits[t] if owner[r] == key) for t in wanted}
        matching = len(per_creator[key])
        total = searched[key]
        share = matching / total if total else None
        found = sum(1 for n in counts.values() if n)
        coverage = min(1.0, found / min(len(wanted), CONFIG.coverage_full_terms)) if total else None
        score = _score(share, coverage) if share is not None and coverage is not None else None
        if total < CONFIG.min_posts:
            score = None
        result = Fit(
            score=score,
            verdict=_verdict(score) if score is not None else "not enough data",
            matched_terms=counts,
            posts=tuple(per_creator[key][:shown]),
            sample_size=total,
            matching_posts=matching,
            share=share,
            coverage=coverage,
            explanation=_explain(counts, total, matching, score),
            ignored_terms=tuple(ignored),
        )
        results.append((key, result))
    best = {key: found[0].rank if found else math.inf for key, found in per_creator.items()}

    def order(item: tuple[str, Fit]) -> tuple[bool, int, float, float, str]:
        key, result = item
        return (result.score is None, -(result.score or 0), -(result.share or 0.0), best[key], key)

    return sorted(results, key=order)


def fit(posts: Sequence[RecentPost], terms: Iterable[str], *, top_posts: int | None = None) -> Fit:
    """One creator's fit: BM25 weights come from this creator's own posts."""
    return rank_creators(terms, {"": posts}, top_posts=top_posts)[0][1]


def unscored(posts: Sequence[RecentPost], explanation: str, *, ignored_terms: Iterable[str] = ()) -> Fit:
    """The fit of posts against nothing: for a caller whose terms all went (`NoTerms`), so that
    what was read is still counted and the reason is said where the score would be."""
    return Fit(
        score=None,
        verdict="not enough data",
        matched_terms={},
        posts=(),
        sample_size=len(_documents({"": posts})),
        matching_posts=0,
        share=None,
        coverage=None,
        explanation=explanation,
        ignored_terms=tuple(ignored_terms),
    )
