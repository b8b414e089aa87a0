"""Audience quality on synthetic creators with known patterns: a healthy one, bought followers, an
engagement pod, a dead audience, and inputs too thin or too broken to score."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from roster.discovery import quality
from roster.discovery.profiles import Comment, FollowerSample, Growth, RecentPost, Snapshot
from roster.discovery.quality import (
    AUDIT,
    COMMENTS,
    ENGAGEMENT,
    GROWTH,
    NOT_APPLICABLE,
    NOT_ENOUGH,
    REACH,
    RULES,
    assess,
    load_rules,
)
from roster.models.creators import Platform, Tier

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
FOLLOWERS = 50_000  # micro: Instagram's band is 1.0–5.0 %

REAL_COMMENTS = [
    "Where did you get that jacket? The colour is perfect for spring",
    "I tried this recipe last night and my kids asked for seconds",
    "Can you do a video on how you edit your photos?",
    "This trail looks incredible, how long did the hike take?",
    "Finally someone explains the difference properly, thank you",
    "Does the lens work with older bodies or only the new mount?",
    "My grandmother used to make this exact dish every Sunday",
    "How do you keep the plants alive in such a dark room",
    "The lighting in the third slide is unreal, what time was it?",
    "Saving this for my trip to Lisbon next month",
]


def posts(
    n: int = 12, *, likes: int = 1_500, comments: int = 60, views: int = 10_000, step: int = 3
) -> tuple[RecentPost, ...]:
    """`n` posts, one every `step` days from two days before the snapshot, with a mild spread."""
    return tuple(
        RecentPost(
            url=f"https://instagram.com/p/post{i}",
            published_at=AT - timedelta(days=2 + step * i),
            text=f"post {i}",
            views=views + (i % 4) * views // 10,
            likes=likes + (i % 5) * likes // 20,
            comments=comments + i % 3,
        )
        for i in range(n)
    )


def real_comments(n: int = 60, post_count: int = 10) -> tuple[Comment, ...]:
    """Varied, specific comments from many different people, a few of them a little generic."""
    out = []
    for i in range(n):
        text = f"{REAL_COMMENTS[i % len(REAL_COMMENTS)]} ({i})" if i % 10 else "love it 😍"
        if i % 20 == 5:
            text = "🙌"
        out.append(
            Comment(text=text, author=f"h{i}", post_url=f"https://instagram.com/p/post{i % post_count}")
        )
    return tuple(out)


def followers_sample(n: int = 80, *, suspects: int = 0) -> tuple[FollowerSample, ...]:
    """`suspects` followers with no avatar, no bio and a fresh account; the rest look like people
    (every fourth without a bio, which alone is no warning)."""
    real = [
        FollowerSample(True, i % 4 != 0, AT - timedelta(days=400 + i), following=300, followers=250, posts=40)
        for i in range(n - suspects)
    ]
    fake = [
        FollowerSample(False, False, AT - timedelta(days=3), following=4_000, followers=5, posts=0)
        for _ in range(suspects)
    ]
    return tuple(real + fake)


def steady_growth(weeks: int = 10, per_week: int = 200, end: int = FOLLOWERS) -> Growth:
    rng = random.Random(7)
    counts = [end]
    for _ in range(weeks - 1):
        counts.append(counts[-1] - per_week - rng.randint(-30, 30))
    return Growth(tuple((AT - timedelta(weeks=w + 1), c) for w, c in enumerate(counts[1:]))[::-1])


def snapshot(**changes: object) -> Snapshot:
    base = Snapshot(
        platform=Platform.INSTAGRAM,
        handle="creator",
        at=AT,
        followers=FOLLOWERS,
        recent_posts=posts(),
        comments=real_comments(),
        follower_sample=followers_sample(),
        notes=("follower sample: the 80 newest followers",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def healthy() -> tuple[Snapshot, Growth]:
    return snapshot(), steady_growth()


SPIKE_END = AT - timedelta(weeks=4)


def bought_followers() -> tuple[Snapshot, Growth]:
    """Steady weekly growth, then 15,000 followers in one week ending four weeks ago, and the
    newest followers show it."""
    points = []
    count = 33_000
    for w in range(12, 0, -1):
        when = AT - timedelta(weeks=w)
        if when == SPIKE_END:
            count += 15_000
        else:
            count += 200 + (w % 3) * 10
        points.append((when, count))
    return snapshot(followers=count + 200, follower_sample=followers_sample(suspects=25)), Growth(
        tuple(points)
    )


POD_TEXTS = ["Great post! 🔥", "love it", "Amazing!!", "🔥🔥🔥", "nice", "Wow"]


def pod() -> tuple[Snapshot, Growth]:
    """Far too many likes for the audience, and the same eight accounts leaving the same praise
    under every post."""
    comments = tuple(
        Comment(
            text=POD_TEXTS[(a + p) % len(POD_TEXTS)],
            author=f"pod{a}",
            post_url=f"https://instagram.com/p/post{p}",
        )
        for p in range(10)
        for a in range(8)
    )
    return snapshot(recent_posts=posts(likes=10_000, comments=300), comments=comments), steady_growth()


def dead() -> tuple[Snapshot, Growth]:
    """Fifty thousand followers and about a hundred likes a post; hardly anyone comments."""
    return (
        snapshot(recent_posts=posts(likes=90, comments=2, views=900), comments=real_comments(8)),
        steady_growth(per_week=5),
    )


# --- the patterns ----------------------------------------------------------------------------


def test_a_healthy_creator_scores_high_with_nothing_flagged() -> None:
    result = assess(*healthy())
    assert result.tier is Tier.MICRO
    assert result.verdict == "healthy"
    assert result.overall is not None and result.overall >= 90
    assert result.flags == ()
    assert result.missing == ()
    assert {s.name: s.verdict for s in result.signals} == dict.fromkeys(
        [ENGAGEMENT, GROWTH, COMMENTS, REACH, AUDIT], "healthy"
    )
    assert (
        "1–5 % (likes + comments per follower) for micro creators on Instagram"
        in result.signal(ENGAGEMENT).benchmark
    )


def test_the_healthy_creator_outranks_every_pattern() -> None:
    makers = {"healthy": healthy, "bought": bought_followers, "pod": pod, "dead": dead}
    scores = {name: assess(*make()).overall for name, make in makers.items()}
    known = {name: score for name, score in scores.items() if score is not None}
    assert known == scores, scores  # every pattern has enough data for an overall
    assert known["healthy"] > max(known["bought"], known["pod"], known["dead"])
    assert known["pod"] < known["dead"]  # two red flags weigh more than a quiet audience


def test_bought_followers_show_as_a_dated_spike_and_hold_the_overall_down() -> None:
    result = assess(*bought_followers())
    growth = result.signal(GROWTH)
    assert growth.verdict == "suspicious"
    assert growth.value == 1.0
    spike = next(e for e in growth.evidence if e.kind == "growth")
    assert spike.at == SPIKE_END
    assert spike.count == 15_000
    assert SPIKE_END.date().isoformat() in spike.detail
    assert growth.score is not None and growth.score < 60
    assert result.signal(AUDIT).verdict != "healthy"
    assert result.overall is not None and result.overall <= RULES.overall.caps["suspicious"][0]
    assert "held at 55 because follower_growth is suspicious" in result.explanation
    assert {GROWTH, AUDIT} <= set(result.flags)


def test_a_post_published_around_a_spike_is_shown_as_a_possible_cause() -> None:
    snap, growth = bought_followers()
    viral = RecentPost(
        url="https://instagram.com/p/viral",
        published_at=SPIKE_END - timedelta(days=3),
        text="",
        likes=9000,
        views=900_000,
    )
    result = assess(replace(snap, recent_posts=(*snap.recent_posts, viral)), growth)
    causes = [e for e in result.signal(GROWTH).evidence if e.kind == "post"]
    assert [e.url for e in causes] == ["https://instagram.com/p/viral"]
    assert result.signal(GROWTH).verdict == "suspicious"  # a person judges the cause, not the score


def test_an_engagement_pod_is_flagged_on_rate_and_comments_with_its_evidence() -> None:
    result = assess(*pod())
    engagement = result.signal(ENGAGEMENT)
    assert engagement.verdict == "suspicious"
    assert engagement.value is not None and engagement.value > 15
    assert engagement.evidence[0].value == max(e.value or 0 for e in engagement.evidence)  # highest first
    comments = result.signal(COMMENTS)
    assert comments.verdict == "suspicious"
    assert comments.value == 1.0  # every comment is low-effort
    quoted = {e.text: e.count for e in comments.evidence if e.kind == "comment"}
    assert quoted["Great post! 🔥"] == sum(
        1 for p in range(10) for a in range(8) if (a + p) % len(POD_TEXTS) == 0
    )
    repeat = next(e for e in comments.evidence if "commented on at least" in e.detail)
    assert repeat.count == 8 and repeat.value == 1.0
    assert "8 account(s) commented on at least 5 of the 10 sampled posts" in repeat.detail
    assert any(e.detail == "the most active account commented on 10 of 10 posts" for e in comments.evidence)
    assert result.overall == RULES.overall.caps["suspicious"][1]
    assert "held at 35 because engagement_rate and comment_quality are suspicious" in result.explanation
    assert result.verdict == "poor"


def test_a_dead_audience_reads_as_low_engagement() -> None:
    result = assess(*dead())
    engagement = result.signal(ENGAGEMENT)
    assert engagement.verdict == "low"
    assert engagement.value is not None and engagement.value < 0.3
    assert engagement.score is not None and engagement.score < 30
    lowest = [e.value or 0.0 for e in engagement.evidence]
    assert lowest == sorted(lowest)  # the weakest posts are shown first
    assert result.signal(COMMENTS).verdict == NOT_ENOUGH
    assert result.signal(COMMENTS).sample_size == 8
    assert result.missing == (COMMENTS,)
    assert result.verdict == "mixed"


# --- too little data, bad data -----------------------------------------------------------------


def test_a_thin_snapshot_gets_no_overall_and_says_what_is_missing() -> None:
    thin = snapshot(recent_posts=posts(3), comments=(), follower_sample=())
    result = assess(thin)
    assert result.overall is None
    assert result.verdict == NOT_ENOUGH
    assert set(result.missing) == {ENGAGEMENT, GROWTH, COMMENTS, REACH, AUDIT}
    engagement = result.signal(ENGAGEMENT)
    assert (engagement.score, engagement.value, engagement.sample_size, engagement.needed) == (
        None,
        None,
        3,
        5,
    )
    assert result.signal(GROWTH).sample_size == 1  # the snapshot itself, and no history
    assert "no follower sample" in result.signal(AUDIT).explanation
    assert "0 signal(s) have enough data; an overall score needs 3" in result.explanation
    assert "Not scored: engagement_rate (not enough data)" in result.explanation


def test_an_overall_needs_three_signals_with_data() -> None:
    two = assess(snapshot(comments=(), follower_sample=()))  # engagement and reach only
    assert two.overall is None and two.verdict == NOT_ENOUGH
    three = assess(snapshot(comments=()))
    assert three.overall is not None and three.missing == (GROWTH, COMMENTS)


@pytest.mark.parametrize("followers", [0, None, -5])
def test_no_or_broken_follower_count_is_not_enough_data(followers: int | None) -> None:
    result = assess(snapshot(followers=followers), steady_growth())
    engagement = result.signal(ENGAGEMENT)
    assert result.tier is None
    assert engagement.verdict == NOT_ENOUGH and engagement.score is None
    assert ("no followers" if followers == 0 else "unknown") in engagement.explanation
    assert ENGAGEMENT in result.missing
    json.dumps(result.to_dict(), allow_nan=False)
    if followers == -5:
        assert any("negative follower count" in n for n in result.notes)


def test_posts_without_counts_or_too_fresh_are_left_out_and_said() -> None:
    ps = list(posts(6))
    ps[0] = replace(ps[0], published_at=AT - timedelta(hours=3))
    ps[1] = replace(ps[1], likes=None)
    ps[2] = replace(ps[2], likes=-1)
    result = assess(snapshot(recent_posts=tuple(ps)))
    engagement = result.signal(ENGAGEMENT)
    assert engagement.sample_size == 3 and engagement.verdict == NOT_ENOUGH
    assert "1 younger than 24 h" in engagement.explanation and "2 without likes" in engagement.explanation


def test_bad_input_types_fail_clearly() -> None:
    with pytest.raises(TypeError, match="needs a Snapshot"):
        assess({"followers": 10})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Growth"):
        assess(snapshot(), [(AT, 1)])  # type: ignore[arg-type]


# --- each signal's reading ---------------------------------------------------------------------


def test_youtube_reads_engagement_per_view() -> None:
    # 2 million subscribers and 40,000 views a video: per subscriber 0.1 %, per view 4 %.
    videos = tuple(replace(p, likes=1_500, comments=100, views=40_000) for p in posts(8))
    result = assess(snapshot(platform=Platform.YOUTUBE, followers=2_000_000, recent_posts=videos))
    engagement = result.signal(ENGAGEMENT)
    assert result.tier is Tier.MACRO
    assert engagement.verdict == "healthy"
    assert engagement.value == pytest.approx(4.0)
    assert "per view" in engagement.benchmark and "2.0 % of subscribers" in engagement.explanation


def test_a_video_without_views_is_left_out_on_youtube() -> None:
    videos = tuple(replace(p, views=None if i < 4 else 10_000) for i, p in enumerate(posts(8)))
    engagement = assess(snapshot(platform=Platform.YOUTUBE, recent_posts=videos)).signal(ENGAGEMENT)
    assert engagement.sample_size == 4 and engagement.verdict == NOT_ENOUGH
    assert "without likes or views" in engagement.explanation


def test_bluesky_has_no_views_so_reach_does_not_apply() -> None:
    skeets = tuple(replace(p, views=None, shares=20) for p in posts())
    result = assess(snapshot(platform=Platform.BLUESKY, recent_posts=skeets), steady_growth())
    reach = result.signal(REACH)
    assert reach.verdict == NOT_APPLICABLE and reach.score is None
    assert "Bluesky does not report views" in reach.explanation
    assert REACH in result.missing and result.overall is not None
    assert "reach_consistency (not applicable)" in result.explanation
    assert "likes + comments + shares per follower" in result.signal(ENGAGEMENT).benchmark


def test_a_platform_without_its_own_band_uses_the_default() -> None:
    result = assess(snapshot(platform=Platform.PINTEREST))
    assert "on Pinterest" in result.signal(ENGAGEMENT).benchmark
    assert result.signal(ENGAGEMENT).benchmark.startswith("0.8–4 %")


def test_reach_uneven_when_one_post_carries_the_account() -> None:
    ps = list(posts(10, views=10_000))
    ps[4] = replace(ps[4], url="https://instagram.com/p/hit", views=400_000)
    reach = assess(snapshot(recent_posts=tuple(ps))).signal(REACH)
    assert reach.verdict == "uneven"
    assert reach.value is not None and reach.value > 4
    assert reach.evidence[0].url == "https://instagram.com/p/hit"
    assert reach.score is not None and reach.score < 50


def test_reach_with_zero_median_views_is_not_enough_data() -> None:
    reach = assess(snapshot(recent_posts=tuple(replace(p, views=0) for p in posts()))).signal(REACH)
    assert reach.verdict == NOT_ENOUGH and "median" in reach.explanation


def test_a_high_but_plausible_rate_is_high_not_suspicious() -> None:
    engagement = assess(snapshot(recent_posts=posts(likes=4_000, comments=200))).signal(ENGAGEMENT)
    assert engagement.verdict == "high"
    assert engagement.score is not None and 50 < engagement.score < 100


def test_perfectly_steady_growth_has_no_spike_and_a_single_jump_is_found() -> None:
    flat = Growth(tuple((AT - timedelta(days=d), 40_000 + 100 * (30 - d)) for d in range(30, 0, -1)))
    assert assess(snapshot(followers=43_000), flat).signal(GROWTH).verdict == "healthy"
    jump = Growth(
        tuple((when, n + (5_000 if when >= AT - timedelta(days=10) else 0)) for when, n in flat.points)
    )
    growth = assess(snapshot(followers=48_000), jump).signal(GROWTH)
    assert growth.verdict == "suspicious"  # found although the MAD of equal steps is 0
    assert next(e.at for e in growth.evidence if e.kind == "growth") == AT - timedelta(days=10)


def test_a_sharp_drop_is_shown_but_not_scored() -> None:
    points = tuple(
        (AT - timedelta(weeks=w), 50_000 + 100 * (10 - w) - (4_000 if w <= 4 else 0))
        for w in range(10, 0, -1)
    )
    growth = assess(snapshot(followers=46_000), Growth(points)).signal(GROWTH)
    assert growth.verdict == "healthy" and growth.score == 100
    assert [e.at for e in growth.evidence] == [AT - timedelta(weeks=4)]
    assert "sharp drop" in growth.explanation


def test_small_wobbles_on_a_tiny_account_are_no_spike() -> None:
    counts = [500, 501, 502, 503, 504, 515, 516]  # +11 is a big z, but eleven people
    growth = Growth(tuple((AT - timedelta(days=7 - i), c) for i, c in enumerate(counts)))
    assert assess(snapshot(followers=517), growth).signal(GROWTH).verdict == "healthy"


def test_snapshots_too_close_together_count_once() -> None:
    close = Growth(tuple((AT - timedelta(hours=h), FOLLOWERS) for h in (9, 6, 3)))
    growth = assess(snapshot(), close).signal(GROWTH)
    assert growth.sample_size == 1 and growth.verdict == NOT_ENOUGH


def test_comment_evidence_masks_mentions_and_emails_and_is_cut() -> None:
    spam = "DM @brand.deals or write to promo@example.com for collabs " + "x" * 200
    comments = tuple(
        Comment(spam if i % 2 else "nice", f"a{i}", f"https://instagram.com/p/post{i % 5}") for i in range(40)
    )
    result = assess(snapshot(comments=comments))
    texts = [e.text or "" for e in result.signal(COMMENTS).evidence if e.kind == "comment"]
    assert any(t.startswith("DM @… or write to [email]") for t in texts)
    assert all(len(t) <= RULES.quote_chars for t in texts)
    dumped = json.dumps(result.to_dict(), ensure_ascii=False)
    assert "promo@example.com" not in dumped and "@brand.deals" not in dumped
    assert '"a1"' not in dumped  # commenters are counted, never named


def test_comment_kinds_are_counted_on_known_text() -> None:
    texts = ["Nice!!", "😍😍", "ok", "Where is this beach?"] * 10
    comments = tuple(Comment(t, f"a{i}", f"https://instagram.com/p/post{i % 2}") for i, t in enumerate(texts))
    signal = assess(snapshot(comments=comments)).signal(COMMENTS)
    counts = {
        e.detail.split(":")[0]: e.count for e in signal.evidence if e.kind == "count" and ":" in e.detail
    }
    assert counts == {"generic": 10, "emoji-only": 10, "very short": 10, "duplicate": 40}
    assert signal.value == 1.0
    assert "comments cover only 2 post(s)" in signal.explanation  # too few posts to read repeaters


def test_a_loyal_community_writing_real_comments_is_not_called_suspicious() -> None:
    comments = tuple(
        Comment(
            f"{REAL_COMMENTS[(a + p) % 10]} — post {p}, from {a}",
            f"fan{a}",
            f"https://instagram.com/p/post{p}",
        )
        for p in range(10)
        for a in range(5)
    )
    signal = assess(snapshot(comments=comments)).signal(COMMENTS)
    assert signal.verdict == "mixed" and signal.score == 60


def test_follower_audit_counts_signs_on_a_known_sample() -> None:
    sample = followers_sample(100, suspects=30)
    audit = assess(snapshot(follower_sample=sample)).signal(AUDIT)
    assert audit.value == pytest.approx(0.30)
    assert audit.sample_size == 100
    details = {e.detail for e in audit.evidence}
    assert {"new account: 30 of 100", "mass follower: 30 of 100", "no avatar: 30 of 100"} <= details
    assert "newest followers" in audit.explanation
    assert audit.verdict == "mixed"


def test_account_age_is_measured_from_the_snapshot_not_today() -> None:
    sample = followers_sample(60, suspects=20)
    later = assess(snapshot(follower_sample=sample), now=AT + timedelta(days=365))
    assert later.signal(AUDIT).value == pytest.approx(20 / 60)
    assert any("365 days old" in n for n in later.notes)
    assert later.assessed_at == AT + timedelta(days=365)


def test_naive_times_are_read_as_utc() -> None:
    naive = AT.replace(tzinfo=None)
    snap = snapshot(
        at=naive,
        recent_posts=tuple(
            replace(p, published_at=p.published_at.replace(tzinfo=None)) for p in posts() if p.published_at
        ),
    )
    growth = Growth(tuple((when.replace(tzinfo=None), n) for when, n in steady_growth().points))
    assert assess(snap, growth).overall == assess(*healthy()).overall


def test_to_dict_is_json_safe_and_complete() -> None:
    data = assess(*pod()).to_dict()
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert back["platform"] == "instagram" and back["tier"] == "micro"
    assert [s["name"] for s in back["signals"]] == [ENGAGEMENT, GROWTH, COMMENTS, REACH, AUDIT]
    assert back["at"] == "2026-03-01T12:00:00.000Z"
    assert back["notes"] == ["follower sample: the 80 newest followers"]
    assert "rule-of-thumb" in back["source"]
    assert all(
        {"benchmark", "sample_size", "needed", "evidence", "explanation"} <= s.keys() for s in back["signals"]
    )
    assert "pod0" not in text


# --- the rules -------------------------------------------------------------------------------


def test_tiers_match_the_roster_tiers() -> None:
    from roster.program.creators import TIER_FLOORS

    assert RULES.tier_floors == TIER_FLOORS


def test_every_platform_band_covers_every_tier_and_the_weights_every_signal() -> None:
    for key in ["instagram", "tiktok", "youtube", "bluesky", "mastodon", "x", "default"]:
        assert set(RULES.engagement.platforms[key].bands) == set(Tier)
    assert set(RULES.overall.weights) == set(quality.SIGNALS)


def test_a_broken_rules_file_names_the_key(tmp_path: Path) -> None:
    data = json.loads(quality.RULES_FILE.read_text())
    del data["growth"]["z_threshold"]
    path = tmp_path / "quality.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"growth\.z_threshold is missing"):
        load_rules(path)
    data = json.loads(quality.RULES_FILE.read_text())
    data["engagement"]["platforms"]["x"]["bands"]["micro"] = [5.0, 1.0]
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"platforms\.x\.bands\.micro"):
        load_rules(path)


def test_rules_can_be_passed_in() -> None:
    strict = replace(RULES, overall=replace(RULES.overall, min_signals=6))
    result = assess(*healthy(), rules=strict)
    assert result.overall is None and result.verdict == NOT_ENOUGH
