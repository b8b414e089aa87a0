"""Enriching a creator end to end below the API: recorded YouTube and Bluesky answers served on
127.0.0.1, through the safe fetcher, kept in the table (moto), assessed with the kept growth;
one platform failing leaves the other done; another brand sees nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from roster.deps import deps
from roster.discovery.enrich import enrich_creator, stored_quality
from roster.discovery.sources import BlueskySource, ProfileSource
from roster.models.creators import Creator, CreatorStatus, Platform, SocialProfile
from tests.integration.test_discovery_sources import (
    AT,
    FETCHER,
    MAYA,
    ApiServer,
    fixture,
    serve_bluesky,
    serve_maya,
    serving,
    youtube,
)


@pytest.fixture
def api() -> Iterator[ApiServer]:
    with serving() as state:
        yield state


BRAND, OTHER = "01BRANDENRICH00000000000000", "01BRANDOTHER000000000000000"


def maya() -> Creator:
    return Creator(
        id="01CREATORMAYA0000000000000",
        name="Maya",
        email="maya@example.com",
        status=CreatorStatus.PROSPECT,
        platforms={
            Platform.YOUTUBE: SocialProfile(
                handle="mayaruns", profile_url=f"https://www.youtube.com/channel/{MAYA}"
            ),
            Platform.BLUESKY: SocialProfile(handle="mayaruns.bsky.social"),
            Platform.TIKTOK: SocialProfile(handle="mayaruns"),  # no source: left out
        },
        version=1,
        created_at="2026-11-01T00:00:00Z",
        updated_at="2026-11-01T00:00:00Z",
    )


def sources(api: ApiServer, at: datetime) -> dict[Platform, ProfileSource]:
    return {
        Platform.YOUTUBE: replace(youtube(api), now=lambda: at),
        Platform.BLUESKY: BlueskySource(FETCHER, base=api.base, now=lambda: at),
    }


def test_a_creator_is_enriched_kept_and_assessed_with_the_kept_growth(aws: None, api: ApiServer) -> None:
    serve_maya(api)
    serve_bluesky(api)
    keeper = deps().stores.snapshots
    creator = maya()

    first = enrich_creator(BRAND, creator, sources(api, AT - timedelta(days=7)), keeper, now=AT)
    second = enrich_creator(BRAND, creator, sources(api, AT), keeper, now=AT)

    assert [(r.platform, r.failure) for r in second] == [(Platform.YOUTUBE, None), (Platform.BLUESKY, None)]
    tube = second[0]
    assert tube.handle == MAYA  # looked up by the channel id the profile names
    assert tube.snapshot is not None and tube.snapshot.followers == 48200
    assert tube.assessment is not None
    growth = tube.assessment.signal("follower_growth")
    assert growth.sample_size >= 1 and first[0].assessment is not None
    # Two days kept per platform: the growth history the second assessment read.
    assert len(keeper.history(BRAND, creator.id, "youtube")) == 2
    assert len(keeper.history(BRAND, creator.id, "bluesky")) == 2

    kept = stored_quality(BRAND, creator.id, keeper, now=AT)
    assert sorted(r.platform for r in kept) == [Platform.BLUESKY, Platform.YOUTUBE]
    again = {r.platform: r.assessment.to_dict() for r in kept if r.assessment}
    assert again[Platform.YOUTUBE] == tube.assessment.to_dict()  # the same answer, with no call
    assert stored_quality(OTHER, creator.id, keeper, now=AT) == []  # another brand's partition


def test_one_platform_failing_leaves_the_other_done_and_says_why(aws: None, api: ApiServer) -> None:
    serve_bluesky(api)
    api.on("/youtube/v3/channels", fixture("youtube/error_key_invalid.json"))
    api.routes[-1].replies[0] = replace(api.routes[-1].replies[0], status=400)
    keeper = deps().stores.snapshots

    results = enrich_creator(BRAND, maya(), sources(api, AT), keeper, now=AT)

    by = {r.platform: r for r in results}
    assert by[Platform.BLUESKY].snapshot is not None and by[Platform.BLUESKY].failure is None
    failed = by[Platform.YOUTUBE]
    assert failed.snapshot is None and failed.assessment is None
    assert failed.failure and failed.failure.startswith("youtube: ") and "AIza" not in failed.failure
    assert [s["platform"] for s in keeper.latest(BRAND, maya().id)] == ["bluesky"]
    assert failed.to_dict()["failure"] == failed.failure
