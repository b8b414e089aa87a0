from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from roster.discovery.profiles import RecentPost
from roster.discovery.screening import CONFIG, Competitor, screen, sponsored_signals

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
ORGANIC = [
    "Morning run by the river",
    "Gym day, legs again",
    "Trip to Lisbon with friends",
    "New desk setup",
    "Sunday pancakes",
]
NIKE = {"name": "Nike", "handles": ["@nike", "nikerunning"]}


def post(i: int, text: str, days_ago: float | None = 1) -> RecentPost:
    when = None if days_ago is None else NOW - timedelta(days=days_ago)
    return RecentPost(url=f"https://example.com/p/{i}", published_at=when, text=text)


def organic(start: int = 100) -> list[RecentPost]:
    return [post(start + i, text, 20 + i) for i, text in enumerate(ORGANIC)]


def test_a_clean_creator_passes() -> None:
    result = screen(organic(), banned_terms=["vape"], competitors=[NIKE], brand="Acme", now=NOW)
    assert result.passed is True
    assert result.flags == () and result.banned == () and result.competitors == ()
    assert result.sample_size == len(ORGANIC)


def test_banned_terms_are_found_with_post_term_and_excerpt() -> None:
    posts = [
        *organic(),
        post(1, "Late night, vape in hand, new track out", 3),
        post(2, "Casino trip! Not a vape in sight", 10),
        post(3, "Vaporwave playlist", 2),  # a word that only starts with a banned term
    ]
    result = screen(posts, banned_terms=["vape", "casino", ""], now=NOW)
    assert result.passed is False
    found = [(h.url, h.term) for h in result.banned]
    assert found == [
        ("https://example.com/p/1", "vape"),
        ("https://example.com/p/2", "vape"),
        ("https://example.com/p/2", "casino"),
    ]
    assert "vape" in result.banned[0].excerpt
    assert "uses banned term 'vape' in 2 post(s), last 2026-11-28" in result.flags
    assert "uses banned term 'casino' in 1 post(s), last 2026-11-21" in result.flags


def test_banned_terms_need_not_be_words() -> None:
    result = screen([post(1, "this is 💩 honestly"), post(2, "fine")], banned_terms=["💩", " "], now=NOW)
    assert [(h.url, h.term) for h in result.banned] == [("https://example.com/p/1", "💩")]


def test_banned_excerpts_are_cut_around_the_term() -> None:
    long = "word " * 50 + "vape" + " tail" * 50
    hit = screen([post(1, long)], banned_terms=["vape"], now=NOW).banned[0]
    assert hit.excerpt.startswith("…") and hit.excerpt.endswith("…") and "vape" in hit.excerpt
    assert len(hit.excerpt) < len(long)


def test_competitor_mentions_are_counted_with_recency_and_examples() -> None:
    posts = [
        *organic(),
        post(1, "New kicks from @nike, love them", 5),
        post(2, "Race day in my Nike shoes", 40),
        post(3, "#Nike all the way", 200),
        post(4, "Big thanks to @NikeRunning", 400),
        post(5, "Exploring Nikeland in Roblox", 1),  # not Nike: a different word
        post(6, "@nikefan sent me this", 1),  # another account
        post(7, "Nike's new store opened", None),  # undated: counts as recent
    ]
    result = screen(posts, competitors=[NIKE, {"name": "Adidas", "handles": []}], brand="Acme", now=NOW)
    assert [c.name for c in result.competitors] == ["Nike"]  # Adidas not mentioned: not listed
    nike = result.competitors[0]
    assert nike.posts == 5
    assert nike.recent_posts == 3  # 5 and 40 days ago, and the undated one (window 90 days)
    assert nike.last_at == NOW - timedelta(days=5)
    assert nike.examples == tuple(f"https://example.com/p/{i}" for i in (1, 2, 3))
    assert set(nike.matched) == {"@nike", "Nike", "#Nike", "@nikerunning"}
    assert "https://example.com/p/5" not in nike.examples
    assert "mentions competitor Nike in 5 post(s), last 2026-11-26 (3 in the last 90 days)" in result.flags
    assert result.passed is False


def test_only_old_competitor_work_is_flagged_but_does_not_fail() -> None:
    posts = [*organic(), post(1, "Throwback: my Nike campaign", CONFIG.competitor_window_days + 30)]
    result = screen(posts, competitors=[NIKE], now=NOW)
    assert result.competitors[0].recent_posts == 0
    assert any("mentions competitor Nike" in f for f in result.flags)
    assert result.passed is True


def test_multi_word_competitor_names_match_as_words_and_as_a_hashtag() -> None:
    posts = [
        post(1, "Trying New Balance today"),
        post(2, "#newbalance fresh"),
        post(3, "a new balance sheet"),
    ]
    result = screen(posts, competitors=[Competitor("New Balance")], now=NOW)
    # Case-insensitive, as monitoring matches: "new balance sheet" counts too.
    assert result.competitors[0].posts == 3


def test_competitor_input_is_validated() -> None:
    with pytest.raises(ValueError, match="name or at least one handle"):
        screen([], competitors=[{"name": " ", "handles": ["@"]}], now=NOW)
    with pytest.raises(ValueError, match="list of competitors"):
        screen([], competitors=NIKE, now=NOW)
    assert Competitor.of({"handles": "@acme"}) == Competitor("@acme", ("acme",))
    assert Competitor.of("Nike") == Competitor("Nike")
    assert (
        screen([post(1, "@acme rules")], competitors=[{"handles": ["acme"]}], now=NOW).competitors[0].posts
        == 1
    )


def test_now_must_be_aware_and_banned_terms_a_list() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        screen([], now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="list of terms"):
        screen([], banned_terms="vape", now=NOW)


def test_sponsored_looking_posts_need_enough_signal() -> None:
    assert sponsored_signals("Use my code ANNA20 for 20% off") != []
    assert sponsored_signals("Shop it: amzn.to/3xYz") == ["affiliate link"]
    assert sponsored_signals("https://www.amazon.com/dp/B0?tag=anna-20 my pick") == ["affiliate link"]
    assert "paid partnership" in sponsored_signals("Paid partnership with Acme")
    # One weak signal is organic: my own link, a sale I noticed, the brand named.
    assert sponsored_signals("New video, link in bio") == []
    assert sponsored_signals("The Acme sale is 30% off") == []
    assert sponsored_signals("Acme makes good shoes", brand="Acme") == []
    # Two weak signals together are enough.
    assert set(sponsored_signals("Acme shoes, link in bio", brand="Acme")) == {"link in bio", "mentions Acme"}
    # A host must be the whole domain.
    assert sponsored_signals("see notamzn.to and amzn.town") == []


def sponsored_history() -> list[RecentPost]:
    return [
        post(1, "#ad My week with the Acme trail shoe", 3),  # compliant
        post(2, "Paid partnership with Acme: the trail shoe", 10),  # compliant
        post(3, "Loving these! Use my code ANNA20 for 20% off", 12),  # missing
        post(4, "Great shoes from @acme, link in bio #collab", 15),  # insufficient
        post(5, "Trail day\nRunning\nMore running\n" + "x " * 80 + "#sponsored", 18),  # buried
    ]


def test_the_disclosure_record_counts_each_verdict() -> None:
    result = screen([*organic(), *sponsored_history()], brand="Acme", now=NOW)
    record = result.disclosure
    assert record.sponsored_posts == 5
    assert record.by_verdict == {"compliant": 2, "buried": 1, "insufficient": 1, "missing": 1}
    assert record.share == pytest.approx(2 / 5)
    assert record.standing == "poor"  # below the poor_below share
    assert [e.url for e in record.non_compliant] == [f"https://example.com/p/{i}" for i in (3, 4, 5)]
    assert record.non_compliant[0].verdict == "missing" and "use my code" in record.non_compliant[0].signals
    assert result.passed is False
    assert any(f.startswith("disclosure record poor: 2 of 5") for f in result.flags)


def test_a_good_record_passes() -> None:
    good = [post(i, f"#ad trying Acme product {i}", i) for i in range(1, 6)]
    result = screen([*organic(), *good], brand="Acme", now=NOW)
    assert result.disclosure.standing == "good" and result.disclosure.share == 1
    assert result.passed is True


def test_brand_specific_phrases_are_checked_for_the_brand_the_post_names() -> None:
    # "in partnership with {brand}" is a clear term only for the brand it names.
    text = "In partnership with Nike: race day, link in bio"
    result = screen([post(1, text)], competitors=[NIKE], brand="Acme", now=NOW)
    assert result.disclosure.by_verdict["compliant"] == 1


def test_few_sponsored_posts_is_not_enough_data() -> None:
    posts = [*organic(), post(1, "Use my code ANNA20 for 20% off", 2)]
    result = screen(posts, brand="Acme", now=NOW)
    record = result.disclosure
    assert record.sponsored_posts == 1 and record.share is None
    assert record.standing == "not enough data"
    assert record.by_verdict["missing"] == 1 and len(record.non_compliant) == 1
    assert any("not enough data" in n for n in result.notes)
    assert not any("disclosure" in f for f in result.flags)
    assert result.passed is True


def test_too_few_posts_cannot_pass_but_can_fail() -> None:
    assert screen([post(1, "hello")], now=NOW).passed is None
    assert screen([], now=NOW).passed is None and screen([], now=NOW).sample_size == 0
    assert screen([post(1, "vape life")], banned_terms=["vape"], now=NOW).passed is False


def test_posts_without_text_and_repeats_are_read_once() -> None:
    one = post(1, "Nike run", 2)
    posts = [one, one, RecentPost(url="https://example.com/blank", published_at=None, text=" "), *organic()]
    result = screen(posts, competitors=[NIKE], now=NOW)
    assert result.sample_size == len(ORGANIC) + 1
    assert result.competitors[0].posts == 1


def test_naive_post_dates_are_read_as_utc() -> None:
    naive = RecentPost(url="https://example.com/n", published_at=datetime(2026, 11, 30), text="Nike day")
    result = screen([naive], competitors=[NIKE], now=NOW)
    assert result.competitors[0].recent_posts == 1


def test_to_dict_is_json_safe_in_rosters_time_format() -> None:
    history = [*organic(), *sponsored_history(), post(9, "vape and @nike", None)]
    result = screen(history, banned_terms=["vape"], competitors=[NIKE], brand="Acme", now=NOW)
    data = result.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert (data["passed"], data["sample_size"]) == (False, result.sample_size)
    assert data["flags"] == list(result.flags) and data["notes"] == list(result.notes)
    assert data["banned"] == [
        {"url": "https://example.com/p/9", "published_at": None, "term": "vape", "excerpt": "vape and @nike"}
    ]
    (nike,) = data["competitors"]
    assert nike == {
        "name": "Nike",
        "posts": 1,
        "recent_posts": 1,
        "last_at": None,
        "examples": ["https://example.com/p/9"],
        "matched": ["@nike"],
    }
    record = data["disclosure"]
    assert record["by_verdict"] == result.disclosure.by_verdict and record["standing"] == "poor"
    assert record["share"] == round(result.disclosure.share or 0, 4)
    first = record["non_compliant"][0]
    assert first["published_at"] == "2026-11-19T12:00:00.000Z"  # 12 days before NOW
    assert first["verdict"] == "missing" and first["signals"] == list(
        result.disclosure.non_compliant[0].signals
    )
