"""The discovery API through the in-process gateway: a creator's kept audience quality, a refresh
from recorded YouTube and Bluesky answers served on 127.0.0.1 (the deployment's settings pointed at
them), the 10-minute guard, brand fit and screening against a campaign with the brand's
competitors, and the competitors' settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
import pytest

from roster import clock
from roster.deps import deps, reset
from roster.discovery.schedule import YOUTUBE_BUDGET
from roster.discovery.sources import SNAPSHOT_UNITS
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, member_of
from tests.integration.test_discovery_sources import (
    AT,
    KEY,
    MAYA,
    RAW_COMMENTERS,
    ApiServer,
    fixture,
    serve_bluesky,
    serve_maya,
    serving,
)

MAYA_CREATOR = {
    "name": "Maya Lopez",
    "email": "maya.discovery@example.com",
    "platforms": {
        "youtube": {"handle": "mayaruns", "profile_url": f"https://www.youtube.com/channel/{MAYA}"},
        "bluesky": {"handle": "mayaruns.bsky.social"},
        "tiktok": {"handle": "mayaruns"},  # Roster has no source for it: never in the answers
    },
}
PEAK_GEAR = {"name": "Peak Gear", "handles": ["@PeakGear", "peakgear"]}


@dataclass
class Clock:
    """`roster.clock.now`, moved by the test: patched once, for the whole test."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def now() -> Iterator[Clock]:
    moved = Clock(AT)
    with mock.patch.object(clock, "now", moved):
        yield moved


@pytest.fixture
def api(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiServer]:
    """The recorded-answer server, and the deployment's YouTube and Bluesky bases pointed at it
    (MONITOR_ALLOW_LOOPBACK is on in the tests, so the safe fetcher may reach 127.0.0.1)."""
    with serving() as state:
        monkeypatch.setenv("YOUTUBE_API_BASE", state.base)
        monkeypatch.setenv("BLUESKY_API_BASE", state.base)
        reset()
        yield state


@pytest.fixture
def youtube_key(aws: None) -> None:
    boto3.client("ssm").put_parameter(
        Name="/roster/dev/platforms/youtube/api-key", Value=KEY, Type="SecureString"
    )


def maya(client: Client, body: dict[str, Any] = MAYA_CREATOR) -> str:
    status, created = client.call("POST", "/v1/creators", body)
    assert status == 201, created
    return str(created["id"])


def refresh(client: Client, creator_id: str) -> tuple[int, dict[str, str], Any]:
    """POST …/enrichment, with the answer's headers (Retry-After)."""
    headers = {"content-type": "application/json", "authorization": f"Bearer {client.key}"}
    status, answered, payload = client.gateway.handle(
        "POST", f"/v1/creators/{creator_id}/enrichment", headers, b""
    )
    return status, {k.lower(): v for k, v in answered.items()}, json.loads(payload) if payload else None


def by_platform(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["platform"]: p for p in answer["platforms"]}


# --- audience quality and refreshing --------------------------------------------------------------


def test_quality_before_and_after_a_refresh(
    brand_a: Client, api: ApiServer, youtube_key: None, now: Clock
) -> None:
    serve_maya(api)
    serve_bluesky(api)
    creator_id = maya(brand_a)

    status, before = brand_a.call("GET", f"/v1/creators/{creator_id}/quality")
    assert status == 200
    assert before == {"creator_id": creator_id, "refreshed_at": None, "platforms": []}

    status, headers, refreshed = refresh(brand_a, creator_id)
    assert status == 200, refreshed
    assert refreshed["refreshed_at"] == "2026-11-22T12:00:00.000Z"
    # The creator's platforms Roster reads, in the creator's order; TikTok is left out.
    assert [p["platform"] for p in refreshed["platforms"]] == ["youtube", "bluesky"]
    tube, sky = by_platform(refreshed)["youtube"], by_platform(refreshed)["bluesky"]
    assert tube["handle"] == "mayaruns" and tube["failure"] is None
    assert api.calls("/youtube/v3/channels")[0]["id"] == MAYA  # looked up by the profile's channel id
    snap = tube["snapshot"]
    assert (snap["followers"], snap["posts_count"], snap["at"]) == (48200, 212, "2026-11-22T12:00:00.000Z")
    assert [p["url"].rsplit("=", 1)[1] for p in snap["recent_posts"]] == [
        f"MayaVid000{i}" for i in range(1, 6)
    ]
    assert snap["recent_posts"][0]["published_at"] == "2026-11-18T15:00:07.000Z"
    # The samples are counted, not shown: no comment text, no hashed commenter, no follower rows.
    assert (snap["comments_sampled"], snap["followers_sampled"]) == (6, 0)
    assert "comments" not in snap and "follower_sample" not in snap
    assert (sky["snapshot"]["comments_sampled"], sky["snapshot"]["followers_sampled"]) == (0, 5)
    text = json.dumps(refreshed)
    assert "Mile 62 is where" not in text and '"author"' not in text
    assert not any(raw in text for raw in RAW_COMMENTERS) and KEY not in text
    quality = tube["quality"]
    assert quality["platform"] == "youtube" and quality["at"] == "2026-11-22T12:00:00.000Z"
    assert [s["name"] for s in quality["signals"]] == [
        "engagement_rate",
        "follower_growth",
        "comment_quality",
        "reach_consistency",
        "follower_audit",
    ]
    assert quality["tier"] == "micro" and "follower_growth" in quality["missing"]  # one count: no history
    assert sky["quality"]["signals"][3]["verdict"] == "not applicable"  # no views

    # Reading it again calls no platform and says the same.
    calls = len(api.requests)
    status, kept = brand_a.call("GET", f"/v1/creators/{creator_id}/quality")
    assert status == 200 and len(api.requests) == calls
    assert kept["refreshed_at"] == refreshed["refreshed_at"]
    assert sorted(p["platform"] for p in kept["platforms"]) == ["bluesky", "youtube"]
    assert by_platform(kept) == by_platform(refreshed)

    # The refresh reserved YouTube's units in the shared ledger and starts the weekly schedule.
    ledger = deps().stores.enrichment
    assert ledger.units_used("2026-11-22") == SNAPSHOT_UNITS
    assert ledger.due(date(2026, 11, 29)) == [(brand_a.brand_id, creator_id)]


def test_a_refresh_with_the_days_youtube_quota_used_calls_no_youtube(
    brand_a: Client, api: ApiServer, youtube_key: None, now: Clock
) -> None:
    serve_maya(api)
    serve_bluesky(api)
    creator_id = maya(brand_a)
    deps().stores.enrichment.exhaust("2026-11-22", YOUTUBE_BUDGET, expires_at=0)

    status, _, answer = refresh(brand_a, creator_id)

    assert status == 200, answer
    tube, sky = by_platform(answer)["youtube"], by_platform(answer)["bluesky"]
    assert tube["snapshot"] is None and "quota" in tube["failure"]
    assert sky["snapshot"] is not None
    assert api.calls("/youtube/v3/channels") == []


def test_a_second_refresh_a_day_later_reads_the_kept_growth(
    brand_a: Client, api: ApiServer, youtube_key: None, now: Clock
) -> None:
    serve_maya(api)
    serve_bluesky(api)
    creator_id = maya(brand_a)
    now.at = AT - timedelta(days=1)
    assert refresh(brand_a, creator_id)[0] == 200
    now.at = AT
    status, _, second = refresh(brand_a, creator_id)
    assert status == 200
    growth = by_platform(second)["youtube"]["quality"]["signals"][1]
    assert growth["name"] == "follower_growth" and growth["sample_size"] == 2  # two kept days


def test_one_platform_failing_leaves_the_other_and_says_why(
    brand_a: Client, api: ApiServer, youtube_key: None, now: Clock
) -> None:
    serve_bluesky(api)
    api.on("/youtube/v3/channels", replace(fixture("youtube/error_key_invalid.json"), status=400))
    creator_id = maya(brand_a)

    status, _, answer = refresh(brand_a, creator_id)

    assert status == 200
    tube, sky = by_platform(answer)["youtube"], by_platform(answer)["bluesky"]
    assert tube["snapshot"] is None and tube["quality"] is None
    assert tube["failure"] == "youtube: channel: the API key was refused (API_KEY_INVALID)"
    assert KEY not in json.dumps(answer) and "127.0.0.1" not in json.dumps(answer)
    assert sky["failure"] is None and sky["snapshot"]["followers"] == 3120
    kept = brand_a.call("GET", f"/v1/creators/{creator_id}/quality")[1]
    assert [p["platform"] for p in kept["platforms"]] == ["bluesky"]  # nothing kept for YouTube


def test_without_a_youtube_key_youtube_is_not_connected(brand_a: Client, api: ApiServer, now: Clock) -> None:
    serve_maya(api)
    serve_bluesky(api)
    creator_id = maya(brand_a)
    status, _, answer = refresh(brand_a, creator_id)
    assert status == 200
    tube = by_platform(answer)["youtube"]
    assert tube["snapshot"] is None and "YouTube is not connected" in tube["failure"]
    assert by_platform(answer)["bluesky"]["snapshot"] is not None
    assert api.calls("/youtube/v3/channels") == []  # nothing asked of YouTube


def test_a_creator_on_no_platform_roster_reads_is_a_422(brand_a: Client, api: ApiServer, now: Clock) -> None:
    creator_id = maya(brand_a, CREATOR)  # Instagram only
    status, _, body = refresh(brand_a, creator_id)
    assert status == 422 and body["error"]["code"] == "validation_error"
    message = body["error"]["message"]
    assert "YouTube, Bluesky and Mastodon" in message and "instagram" in message
    assert api.requests == []


def test_unknown_creators_are_404(brand_a: Client, api: ApiServer) -> None:
    for method, path in (
        ("GET", "/v1/creators/01NOSUCHCREATOR00000000000/quality"),
        ("POST", "/v1/creators/01NOSUCHCREATOR00000000000/enrichment"),
    ):
        status, body = brand_a.call(method, path)
        assert status == 404 and body["error"]["code"] == "not_found", (method, path)


def test_a_refresh_within_10_minutes_is_refused_with_retry_after(
    brand_a: Client, api: ApiServer, youtube_key: None, now: Clock
) -> None:
    serve_maya(api)
    serve_bluesky(api)
    creator_id = maya(brand_a)
    assert refresh(brand_a, creator_id)[0] == 200
    calls = len(api.requests)

    now.at = AT + timedelta(minutes=9, seconds=30)
    status, headers, body = refresh(brand_a, creator_id)
    assert status == 429 and headers["retry-after"] == "30"
    assert body["error"]["code"] == "rate_limited" and "2026-11-22T12:00:00Z" in body["error"]["message"]
    now.at = AT + timedelta(minutes=9, seconds=59, microseconds=1)
    assert refresh(brand_a, creator_id)[1]["retry-after"] == "1"  # rounded up, never 0
    assert len(api.requests) == calls  # refused before any platform was asked

    now.at = AT + timedelta(minutes=10)
    status, _, again = refresh(brand_a, creator_id)
    assert status == 200 and again["refreshed_at"] == "2026-11-22T12:10:00.000Z"


def test_a_refresh_that_kept_nothing_does_not_start_the_wait(
    brand_a: Client, api: ApiServer, now: Clock
) -> None:
    api.on("/xrpc/app.bsky.actor.getProfile", replace(fixture("bluesky/error_rate_limit.json"), status=500))
    creator_id = maya(brand_a)
    status, _, failed = refresh(brand_a, creator_id)
    assert status == 200 and all(p["snapshot"] is None for p in failed["platforms"])
    assert failed["refreshed_at"] is None
    now.at = AT + timedelta(minutes=1)
    serve_bluesky(api)  # the platform is back: a person may try again at once
    status, _, again = refresh(brand_a, creator_id)
    assert status == 200 and by_platform(again)["bluesky"]["snapshot"] is not None


# --- brand fit and screening ----------------------------------------------------------------------


def campaign(client: Client, content: dict[str, Any]) -> str:
    status, created = client.call("POST", "/v1/campaigns", CAMPAIGN | {"content": content})
    assert status == 201, created
    return str(created["id"])


def test_screening_with_the_campaigns_terms_banned_terms_and_a_competitor(
    brand_a: Client, api: ApiServer, youtube_key: None, now: Clock
) -> None:
    serve_maya(api)
    serve_bluesky(api)
    creator_id = maya(brand_a)
    assert refresh(brand_a, creator_id)[0] == 200
    assert brand_a.call("PUT", "/v1/discovery/settings", {"competitors": [PEAK_GEAR]})[0] == 200
    campaign_id = campaign(
        brand_a,
        {
            "keywords": ["trail"],
            "hashtags": ["trailrunning"],
            "mentions": ["@roster_brand"],
            "banned_terms": ["crash"],
        },
    )
    calls = len(api.requests)

    status, body = brand_a.call(
        "GET", f"/v1/creators/{creator_id}/screening", query={"campaign_id": campaign_id}
    )

    assert status == 200, body
    assert len(api.requests) == calls  # no platform called
    assert (body["creator_id"], body["campaign_id"], body["checked_at"]) == (
        creator_id,
        campaign_id,
        "2026-11-22T12:00:00.000Z",
    )
    assert body["posts_read"] == 9  # 5 videos + 4 own Bluesky posts, all kept platforms
    assert body["terms"] == ["trail", "#trailrunning", "@roster_brand"]
    fit = body["fit"]
    assert fit["matched_terms"] == {"trail": 1, "#trailrunning": 1, "@roster_brand": 0}
    assert (fit["sample_size"], fit["matching_posts"]) == (9, 2)
    assert fit["score"] == 51 and fit["verdict"] == "moderate"  # 70 × (2/9 ÷ 50%) + 30 × 2/3
    assert fit["share"] == round(2 / 9, 4) and fit["coverage"] == round(2 / 3, 4)
    shown = {p["url"]: p for p in fit["posts"]}
    shoes = shown["https://www.youtube.com/watch?v=MayaVid0001"]
    assert shoes["terms"] == ["trail"] and [shoes["snippet"][s:e] for s, e in shoes["highlights"]] == [
        "trail"
    ]

    screening = body["screening"]
    assert screening["passed"] is False
    assert [(b["url"].rsplit("=", 1)[1], b["term"]) for b in screening["banned"]] == [
        ("MayaVid0003", "crash")
    ]
    assert "crash at mile 62" in screening["banned"][0]["excerpt"]
    (peak,) = screening["competitors"]
    assert (peak["name"], peak["posts"], peak["recent_posts"]) == ("Peak Gear", 2, 2)
    assert peak["last_at"] == "2026-11-18T15:05:00.000Z" and "#ad" not in peak["matched"]
    assert (
        "mentions competitor Peak Gear in 2 post(s), last 2026-11-18 (2 in the last 90 days)"
        in (screening["flags"])
    )
    assert "uses banned term 'crash' in 1 post(s), last 2026-11-02" in screening["flags"]
    disclosure = screening["disclosure"]
    assert set(disclosure["by_verdict"]) == {"compliant", "buried", "insufficient", "missing"}
    assert disclosure["sponsored_posts"] == sum(disclosure["by_verdict"].values()) >= 2
    assert disclosure["compliant"] == disclosure["sponsored_posts"]  # both Peak Gear posts say #ad up front


def test_screening_a_creator_never_enriched_is_not_enough_data(brand_a: Client, api: ApiServer) -> None:
    creator_id = maya(brand_a)
    campaign_id = campaign(brand_a, {"keywords": ["trail"]})
    status, body = brand_a.call(
        "GET", f"/v1/creators/{creator_id}/screening", query={"campaign_id": campaign_id}
    )
    assert status == 200
    assert body["posts_read"] == 0 and body["fit"]["verdict"] == "not enough data"
    assert body["fit"]["score"] is None and body["fit"]["sample_size"] == 0
    assert body["screening"]["passed"] is None and body["screening"]["sample_size"] == 0
    assert any("only 0 posts" in n for n in body["screening"]["notes"])


def test_a_campaign_with_nothing_to_search_still_screens(
    brand_a: Client, api: ApiServer, youtube_key: None, now: Clock
) -> None:
    serve_maya(api)
    serve_bluesky(api)
    creator_id = maya(brand_a)
    assert refresh(brand_a, creator_id)[0] == 200
    campaign_id = campaign(brand_a, {"banned_terms": ["crash"]})
    body = brand_a.call("GET", f"/v1/creators/{creator_id}/screening", query={"campaign_id": campaign_id})[1]
    assert body["terms"] == [] and body["fit"]["verdict"] == "not enough data"
    assert body["fit"]["sample_size"] == 9 and "names no keyword" in body["fit"]["explanation"]
    assert body["screening"]["passed"] is False  # the banned term still found


def test_screening_needs_a_known_campaign(brand_a: Client, api: ApiServer) -> None:
    creator_id = maya(brand_a)
    status, body = brand_a.call("GET", f"/v1/creators/{creator_id}/screening")
    assert status == 422 and body["error"]["details"][0]["field"] == "query.campaign_id"
    status, body = brand_a.call(
        "GET", f"/v1/creators/{creator_id}/screening", query={"campaign_id": "01NOSUCHCAMPAIGN0000000000"}
    )
    assert status == 404 and body["error"]["code"] == "not_found"


# --- the brand's competitors ----------------------------------------------------------------------


def test_competitors_are_stored_clean_and_answered(brand_a: Client, now: Clock) -> None:
    assert brand_a.call("GET", "/v1/discovery/settings") == (200, {"competitors": [], "updated_at": None})
    body = {"competitors": [PEAK_GEAR, {"name": "  Nike ", "handles": ["Nike", "@nike", "nikerunning"]}]}
    status, stored = brand_a.call("PUT", "/v1/discovery/settings", body)
    assert status == 200
    assert stored == {
        "competitors": [
            {"name": "Peak Gear", "handles": ["peakgear"]},
            {"name": "Nike", "handles": ["nike", "nikerunning"]},
        ],
        "updated_at": "2026-11-22T12:00:00.000Z",
    }
    assert brand_a.call("GET", "/v1/discovery/settings") == (200, stored)
    assert brand_a.call("PUT", "/v1/discovery/settings", {"competitors": []})[1]["competitors"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "competitors"),
        ({"competitors": [{"name": f"Rival {i}"} for i in range(51)]}, "competitors"),
        ({"competitors": [{"name": ""}]}, "competitors.0.name"),
        ({"competitors": [{"name": "x" * 101}]}, "competitors.0.name"),
        ({"competitors": [{"name": "!!!"}]}, "competitors.0.name"),
        (
            {"competitors": [{"name": "Nike", "handles": [f"nike{i}" for i in range(11)]}]},
            "competitors.0.handles",
        ),
        ({"competitors": [{"name": "Nike", "handles": ["nike running"]}]}, "competitors.0.handles.0"),
        ({"competitors": [{"name": "Nike", "handles": ["@"]}]}, "competitors.0.handles.0"),
        ({"competitors": [{"name": "Nike"}, {"name": "NIKE"}]}, "competitors"),
        ({"competitors": [{"name": "Nike", "url": "https://nike.com"}]}, "competitors.0.url"),
        ({"competitors": "Nike"}, "competitors"),
    ],
)
def test_bad_settings_are_a_422_that_names_the_field(
    brand_a: Client, body: dict[str, Any], field: str
) -> None:
    status, answer = brand_a.call("PUT", "/v1/discovery/settings", body)
    assert status == 422 and answer["error"]["code"] == "validation_error"
    assert field in [d["field"] for d in answer["error"]["details"]], answer
    assert brand_a.call("GET", "/v1/discovery/settings")[1]["competitors"] == []


def test_only_an_admin_sets_competitors(brand_a: Client) -> None:
    member = member_of(brand_a, "sam@brand-a.example")
    status, body = member.call("PUT", "/v1/discovery/settings", {"competitors": [PEAK_GEAR]})
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert member.call("GET", "/v1/discovery/settings")[1]["competitors"] == []  # a member reads them
    admin = member_of(brand_a, "ada@brand-a.example", "admin", name="Ada Admin")
    assert admin.call("PUT", "/v1/discovery/settings", {"competitors": [PEAK_GEAR]})[0] == 200
    assert member.call("GET", "/v1/discovery/settings")[1]["competitors"][0]["name"] == "Peak Gear"
