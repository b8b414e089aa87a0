from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from roster.discovery import fit as fit_module
from roster.discovery.fit import (
    CONFIG,
    Fit,
    NoTerms,
    PostFit,
    fit,
    fts_phrase,
    rank_creators,
    terms_for,
    unscored,
)
from roster.discovery.profiles import RecentPost

T0 = datetime(2026, 11, 1, tzinfo=UTC)
FILLER = ["Morning run by the river", "Gym day, legs again", "Trip to Lisbon with friends", "New desk setup"]


def posts(*texts: str, prefix: str = "p") -> list[RecentPost]:
    return [
        RecentPost(url=f"https://example.com/{prefix}/{i}", published_at=T0 - timedelta(days=i), text=text)
        for i, text in enumerate(texts)
    ]


VEGAN = posts(
    "My vegan lasagne, recipe below #vegan #PlantBased",
    "Plant based protein bowl for lunch",
    "Vegan brownies that actually work #vegan",
    *FILLER,
    prefix="vegan",
)
STEAK = posts(
    "Dry-aged steak night", "Brisket for twelve hours", "Vegan? Not in this house", *FILLER, prefix="bbq"
)
NONE = posts(*FILLER, "Sunset again", prefix="none")
TERMS = ["vegan", "#plantbased", "plant based", "recipe"]


def test_a_fitting_creator_ranks_above_a_weak_one_and_one_that_does_not_fit() -> None:
    ranked = rank_creators(TERMS, {"steak": STEAK, "none": NONE, "vegan": VEGAN})
    assert [key for key, _ in ranked] == ["vegan", "steak", "none"]
    vegan, steak, none = (f for _, f in ranked)
    assert vegan.score is not None and steak.score is not None
    assert vegan.score > steak.score > 0
    assert none.score == 0 and none.verdict == "none" and none.posts == ()
    assert vegan.matching_posts == 3 and vegan.sample_size == 7
    assert vegan.matched_terms == {"vegan": 2, "#plantbased": 1, "plant based": 2, "recipe": 1}
    assert steak.matched_terms == {"vegan": 1, "#plantbased": 0, "plant based": 0, "recipe": 0}
    # Evidence: best first by BM25 (FTS5: lower is better), each with the terms it matched.
    ranks = [p.rank for p in vegan.posts]
    assert ranks == sorted(ranks)
    assert vegan.posts[0].url == "https://example.com/vegan/0"
    assert set(vegan.posts[0].terms) == {"vegan", "#plantbased", "plant based", "recipe"}


def test_the_score_follows_the_documented_formula() -> None:
    result = fit(VEGAN, TERMS)
    share, coverage = 3 / 7, 4 / 4
    expected = CONFIG.share_weight * min(1, share / CONFIG.full_share) + CONFIG.coverage_weight * coverage
    assert result.score == round(100 * expected)
    assert result.share == pytest.approx(share) and result.coverage == 1
    assert result.verdict == "strong"
    assert "3 of 7 posts" in result.explanation and "4 of 4 terms" in result.explanation


def test_coverage_counts_up_to_a_cap_so_long_term_lists_are_not_punished() -> None:
    many = ["vegan", *[f"unusedterm{i}" for i in range(20)]]
    result = fit(VEGAN, many)
    assert result.coverage == pytest.approx(1 / CONFIG.coverage_full_terms)


def test_ties_are_broken_by_key_so_the_order_is_stable() -> None:
    same = posts("vegan soup", *FILLER, prefix="a")
    ranked = rank_creators(["vegan"], {"b": same, "a": same, "c": same})
    assert [k for k, _ in ranked] == ["a", "b", "c"]


def test_hashtags_and_words_meet_both_ways() -> None:
    tagged = posts("dinner tonight #Vegan", prefix="t")
    plain = posts("a vegan dinner", prefix="w")
    for term in ("#vegan", "vegan", "VEGAN"):
        assert fit(tagged, [term]).matching_posts == 1
        assert fit(plain, [term]).matching_posts == 1
    # The hashtag is highlighted whole, with its #.
    assert fit(tagged, ["vegan"]).posts[0].marked() == "dinner tonight [#Vegan]"


def test_multi_word_hashtags_are_found_by_their_words() -> None:
    camel = posts("lunch #PlantBased", "best of #Top10Recipes", "#veganrecipes only", prefix="c")
    result = fit(camel, ["plant based", "recipes"])
    assert result.matched_terms == {"plant based": 1, "recipes": 1}
    shown = {p.url: p.marked() for p in result.posts}
    assert shown["https://example.com/c/0"] == "lunch [#PlantBased]"
    assert shown["https://example.com/c/1"] == "best of [#Top10Recipes]"
    # An all-lowercase compound has no visible word boundary: not split.
    assert "https://example.com/c/2" not in shown


def test_diacritics_and_case_are_ignored_both_ways() -> None:
    result = fit(posts("Un café crème à Paris", "Creme brulee", prefix="d"), ["Cafe", "crème brûlée"])
    assert result.matched_terms == {"Cafe": 1, "crème brûlée": 1}
    assert any("café" in p.snippet for p in result.posts)


def test_snippets_contain_the_term_and_mark_it() -> None:
    long = " ".join(["filler"] * 40) + " the best vegan ramen in town " + " ".join(["more"] * 40)
    result = fit(posts(long, prefix="s"), ["vegan"])
    post = result.posts[0]
    assert "vegan" in post.snippet and len(post.snippet) < len(long)
    assert post.snippet.startswith("…") and post.snippet.endswith("…")
    assert [post.snippet[s:e] for s, e in post.highlights] == ["vegan"]
    assert "[vegan]" in post.marked()


def test_a_phrase_term_needs_its_words_together() -> None:
    result = fit(posts("based in a plant nursery", "plant based diet", prefix="ph"), ["plant based"])
    assert [p.url for p in result.posts] == ["https://example.com/ph/1"]


@pytest.mark.parametrize(
    "term", ['"', "AND", "OR", "NOT", "NEAR(", "*", "-x", ":", "text:", "a*", '"a" OR "b', "^x"]
)
def test_fts5_syntax_in_a_term_is_text_never_an_operator(term: str) -> None:
    sample = posts('AND or NOT near x "a" text b', "vegan", prefix="q")
    result = fit(sample, ["vegan", term])  # must not raise
    assert result.matched_terms["vegan"] == 1
    assert result.ignored_terms == (() if any(ch.isalnum() for ch in term) else (term,))


def test_operator_words_are_matched_literally() -> None:
    sample = posts("salt and pepper", "salt or pepper", "pepper", prefix="o")
    assert fit(sample, ["AND"]).matching_posts == 1
    # "-x" is the word x, not NOT x; "a*" is the word a, not a prefix query.
    assert fit(posts("x marks the spot", "nothing", prefix="n"), ["-x"]).matching_posts == 1
    assert fit(posts("apple", "a plan", prefix="s"), ["a*"]).matching_posts == 1


def test_terms_are_quoted_with_inner_quotes_doubled() -> None:
    assert fts_phrase('say "hi"') == '"say ""hi"""'


@pytest.mark.parametrize("terms", [[], [""], ["  ", "\t"], ['"', "*", ":"]])
def test_no_usable_term_is_a_clear_error(terms: list[str]) -> None:
    with pytest.raises(ValueError, match="no usable search term"):
        fit(VEGAN, terms)


def test_bad_term_lists_are_rejected() -> None:
    with pytest.raises(ValueError, match="list of terms"):
        fit(VEGAN, "vegan")
    with pytest.raises(ValueError, match="too many terms"):
        fit(VEGAN, [f"term{i}" for i in range(CONFIG.max_terms + 1)])


def test_blank_and_duplicate_terms_are_dropped() -> None:
    result = fit(VEGAN, ["vegan", "", "Vegan", "  vegan  "])
    assert result.matched_terms == {"vegan": 2}


def test_too_few_posts_is_not_enough_data_but_still_shows_evidence() -> None:
    few = posts("vegan chili", "vegan pho", prefix="f")
    result = fit(few, ["vegan"])
    assert result.score is None and result.verdict == "not enough data"
    assert result.matching_posts == 2 and len(result.posts) == 2
    assert result.explanation.startswith("not enough data")
    assert fit([], ["vegan"]).sample_size == 0


def test_posts_without_text_and_repeated_urls_are_not_searched() -> None:
    base = posts("vegan stew", *FILLER, prefix="r")
    noisy = [*base, base[0], RecentPost(url="https://example.com/empty", published_at=None, text="   ")]
    result = fit(noisy, ["vegan"])
    assert result.sample_size == len(base) and result.matching_posts == 1


def test_pool_wide_bm25_ranks_a_rarer_term_higher() -> None:
    # "ramen" is rare in the pool, "food" common: the ramen post ranks first.
    pool = {
        "a": posts("food food", "food", "food again", "more food", "food", prefix="a"),
        "b": posts("ramen tonight", *FILLER, prefix="b"),
    }
    ranked = dict(rank_creators(["ramen", "food"], pool))
    assert ranked["b"].posts[0].rank < ranked["a"].posts[0].rank


def test_forged_snippet_markers_in_a_caption_are_harmless() -> None:
    result = fit(posts("\x02fake\x03 vegan \x00 soup", prefix="m"), ["vegan"])
    post = result.posts[0]
    assert [post.snippet[s:e] for s, e in post.highlights] == ["vegan"]
    assert "\x02" not in post.snippet


def test_terms_for_joins_a_campaigns_terms() -> None:
    assert terms_for(keywords=["trail"], hashtags=["run", "#hike", " "], topics=["Sport"]) == [
        "trail",
        "#run",
        "#hike",
        "Sport",
    ]


def test_top_posts_limits_the_evidence_not_the_counts() -> None:
    many = posts(*[f"vegan dish {i}" for i in range(8)], prefix="t")
    result = fit(many, ["vegan"], top_posts=2)
    assert len(result.posts) == 2 and result.matching_posts == 8
    assert isinstance(result, Fit) and fit_module.DATA_FILE.exists()


def test_terms_for_marks_mentions_and_hashtags_once() -> None:
    assert terms_for(keywords=["trail"], hashtags=["##run"], mentions=["peakgear", "@Nike", " @ ", ""]) == [
        "trail",
        "#run",
        "@peakgear",
        "@Nike",
    ]


def test_a_mention_term_finds_the_tag_and_the_word() -> None:
    result = fit(posts("Thanks @peakgear for the shoes", "peakgear does it again", *FILLER), ["@peakgear"])
    assert result.matched_terms == {"@peakgear": 2}


def test_to_dict_is_json_safe_in_rosters_time_format() -> None:
    result = fit(VEGAN, TERMS)
    data = result.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert data["matched_terms"] == result.matched_terms and list(data["matched_terms"]) == TERMS
    assert data["share"] == round(result.share or 0, 4) and data["coverage"] == round(result.coverage or 0, 4)
    first = data["posts"][0]
    assert first["url"] == result.posts[0].url and first["terms"] == list(result.posts[0].terms)
    assert first["published_at"] == "2026-11-01T00:00:00.000Z"
    assert first["highlights"] == [list(span) for span in result.posts[0].highlights]
    assert [first["snippet"][s:e] for s, e in first["highlights"]] == [
        result.posts[0].snippet[s:e] for s, e in result.posts[0].highlights
    ]
    odd = PostFit("https://example.com/x", None, float("nan"), "", (), ())
    assert odd.to_dict()["rank"] is None and odd.to_dict()["published_at"] is None


def test_no_usable_term_says_which_were_ignored_and_unscored_still_counts_posts() -> None:
    with pytest.raises(NoTerms) as raised:
        fit(VEGAN, ["!!!", " "])
    assert raised.value.ignored == ("!!!",) and isinstance(raised.value, ValueError)
    empty = unscored([*VEGAN, RecentPost("https://example.com/blank", None, " ")], "nothing to search")
    assert (empty.score, empty.verdict, empty.sample_size) == (None, "not enough data", len(VEGAN))
    assert empty.explanation == "nothing to search" and empty.to_dict()["posts"] == []
