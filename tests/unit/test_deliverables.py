"""Deliverable units and how a post is matched to one (pure: no store)."""

from __future__ import annotations

import pytest

from roster.errors import Conflict
from roster.models.collaborations import Collaboration, Contract, Terms
from roster.models.creators import Platform
from roster.monitoring import posts
from roster.workflows import deliverables

TERMS = Terms.model_validate(
    {
        "deliverables": [
            {"platform": "instagram", "format": "reel", "count": 1},
            {"platform": "tiktok", "format": "video", "count": 2},
        ],
        "posting_window_start": "2027-01-10",
        "posting_window_end": "2027-02-10",
        "fee_per_deliverable": {"amount": 65_000, "currency": "usd"},
    }
)


def collaboration() -> Collaboration:
    return Collaboration(
        id="C1",
        campaign_id="K1",
        creator_id="R1",
        stage="live",
        status="open",
        contract=Contract(terms=TERMS, document_hash="h", issued_at="2027-01-01T00:00:00Z"),
        created_at="2027-01-01T00:00:00Z",
        updated_at="2027-01-01T00:00:00Z",
    )


def test_each_unit_of_each_count_is_a_deliverable_with_its_own_milestone() -> None:
    units = deliverables.units_for("C1", TERMS)
    assert [(u.milestone_id, u.platform, u.state) for u in units] == [
        ("C1:0:0", Platform.INSTAGRAM, "due"),
        ("C1:1:0", Platform.TIKTOK, "due"),
        ("C1:1:1", Platform.TIKTOK, "due"),
    ]
    assert {u.fee.amount for u in units if u.fee} == {65_000}
    assert [deliverables.label(u) for u in units] == ["instagram reel 1", "tiktok video 1", "tiktok video 2"]


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://www.instagram.com/reel/Abc/", Platform.INSTAGRAM),
        ("https://m.tiktok.com/@maya/video/1", Platform.TIKTOK),
        ("https://youtu.be/dQw4w9WgXcQ", Platform.YOUTUBE),
        ("https://twitter.com/maya/status/1", Platform.X),
        ("https://bsky.app/profile/maya/post/1", Platform.BLUESKY),
        ("https://notinstagram.com/p/1", None),
        ("https://maya.blog/trail-day", None),
    ],
)
def test_the_platform_of_a_post_comes_from_its_host(url: str, platform: Platform | None) -> None:
    assert deliverables.platform_of(url) == platform


def test_posts_fill_due_units_by_platform_then_contract_order() -> None:
    c = collaboration()
    first = deliverables.assign(c, "https://www.tiktok.com/@maya/video/1", None)
    second = deliverables.assign(c, "https://maya.blog/day", Platform.TIKTOK)  # said, not guessed
    assert first is not None and second is not None
    assert (first.milestone_id, second.milestone_id) == ("C1:1:0", "C1:1:1")
    assert first.post_id == posts.post_id("https://www.tiktok.com/@maya/video/1") and first.state == "posted"
    # The same post again is the same unit (checked again), not a second deliverable.
    again = deliverables.assign(c, "https://www.tiktok.com/@maya/video/1", None)
    assert again is not None and again.milestone_id == "C1:1:0"
    with pytest.raises(Conflict, match="no tiktok deliverable is due; still due: instagram reel 1"):
        deliverables.assign(c, "https://www.tiktok.com/@maya/video/3", None)
    again.state = "booked"
    with pytest.raises(Conflict, match="that post is already tiktok video 1, booked"):
        deliverables.assign(c, "https://www.tiktok.com/@maya/video/1", None)
    unknown = deliverables.assign(c, "https://maya.blog/another", None)  # no platform known: first due
    assert unknown is not None and unknown.milestone_id == "C1:0:0"
    with pytest.raises(Conflict, match="already has a post"):
        deliverables.assign(c, "https://www.instagram.com/reel/More/", None)


def test_without_a_contract_there_is_nothing_to_match() -> None:
    c = collaboration()
    c.contract = None
    assert deliverables.assign(c, "https://www.instagram.com/reel/Abc/", None) is None
    assert c.deliverables == []


def test_a_contract_gets_its_units_unless_its_post_was_checked_before_units_existed() -> None:
    from roster.models.collaborations import TimelineEvent

    fresh = collaboration()
    deliverables.ensure(fresh)
    assert len(fresh.deliverables) == 3
    booked_whole = collaboration()  # its fees went out as one `<id>-live` milestone: nothing to show
    booked_whole.timeline.append(TimelineEvent(at="2027-01-12T00:00:00Z", type="post checked", by="roster"))
    deliverables.ensure(booked_whole)
    assert booked_whole.deliverables == []
