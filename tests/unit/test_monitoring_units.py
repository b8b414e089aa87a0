"""Monitoring pieces that need no network: the SSRF guard, feed parsing, the schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from roster.models.creators import Platform, SocialProfile
from roster.monitoring import monitor
from roster.monitoring.sources import parse_feed, youtube_channel, youtube_video_id
from roster.settings import Settings
from roster.web.fetch import Fetcher, FetchError, address_allowed
from roster.web.html import html_to_text

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("10.0.0.5", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:10.1.2.3", False),
        ("169.254.169.254", False),  # instance metadata
        ("fe80::1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("fd00::1", False),
    ],
)
def test_only_public_addresses_are_fetched(ip: str, allowed: bool) -> None:
    assert address_allowed(ip) is allowed


def test_loopback_only_when_local_mode_allows_it() -> None:
    assert address_allowed("127.0.0.1", allow_loopback=True)
    assert address_allowed("::1", allow_loopback=True)
    assert not address_allowed("10.0.0.1", allow_loopback=True)
    assert not address_allowed("169.254.169.254", allow_loopback=True)


@pytest.mark.parametrize(
    ("url", "resolved", "reason"),
    [
        ("http://feeds.example/rss", ["10.0.0.7"], "non-public"),
        ("http://feeds.example/rss", ["93.184.215.14", "127.0.0.1"], "non-public"),  # any bad answer
        ("http://localhost:8080/", ["127.0.0.1"], "non-public"),
        ("file:///etc/passwd", [], "only http and https"),
        ("gopher://feeds.example/", [], "only http and https"),
        ("http://user:pw@feeds.example/", ["93.184.215.14"], "credentials"),
    ],
)
def test_refused_before_any_connection(url: str, resolved: list[str], reason: str) -> None:
    """Unit tests have sockets disabled: reaching a connect would fail differently."""
    fetcher = Fetcher(resolver=lambda host, port: resolved)
    with pytest.raises(FetchError, match=reason):
        fetcher.get(url)


def test_loopback_setting_is_refused_outside_local_and_test() -> None:
    base = {"TABLE_NAME": "t-table", "MONITOR_ALLOW_LOOPBACK": "true"}
    assert Settings.model_validate(base | {"STAGE": "local"}).monitor_allow_loopback
    with pytest.raises(ValidationError, match="only allowed"):
        Settings.model_validate(base | {"STAGE": "prod"})


def test_youtube_atom_feed_with_media_group() -> None:
    items = parse_feed((FEEDS / "youtube_channel.xml").read_bytes(), Platform.YOUTUBE)
    assert [i.url for i in items] == [
        "https://www.youtube.com/watch?v=Vid0TrailA1",
        "https://www.youtube.com/watch?v=Vid0Vlog002",
    ]
    first = items[0]
    assert first.text.splitlines()[:2] == [
        "My new trail shoes after 100 km | Peak Gear review",
        "#ad Peak Gear sent me these shoes and paid for this video.",
    ]
    assert first.published_at == datetime(2026, 11, 18, 15, 0, 7, tzinfo=UTC)
    assert first.metrics is not None and (first.metrics.views, first.metrics.likes) == (15423, 842)


def test_wordpress_rss_uses_the_full_content_and_comment_count() -> None:
    items = parse_feed((FEEDS / "wordpress.xml").read_bytes(), Platform.BLOG)
    post = items[0]
    assert post.url == "https://lenacooksoutside.example/2026/11/one-pot-trail-dinners/"
    assert "Use code LENA10 for 10% off." in post.text
    assert post.text.endswith("This post was sponsored by Peak Gear.")
    assert post.metrics is not None and post.metrics.comments == 4


def test_mastodon_rss_keeps_links_and_hashtags() -> None:
    items = parse_feed((FEEDS / "mastodon.rss").read_bytes(), Platform.MASTODON)
    toot = items[0]
    assert "https://go.roster.test/r/SAMPEAK01" in toot.links
    assert toot.text.splitlines()[-1] == "#climbing #gear #chalk #bouldering #outdoors #ad"
    assert toot.metrics is None  # Mastodon feeds carry no counts


def test_a_page_that_is_not_a_feed_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a valid RSS/Atom feed"):
        parse_feed(b"<html><body>Sign in to continue</body></html>", Platform.BLOG)


def test_html_to_text_keeps_line_structure() -> None:
    text, links = html_to_text(
        '<p>One &amp; two</p><p>Three<br>four <a href="https://x.example/a">link</a></p>'
    )
    assert text == "One & two\nThree\nfour link" and links == ["https://x.example/a"]


def test_youtube_ids_from_profiles_and_urls() -> None:
    feed = SocialProfile(
        handle="maya",
        feed_url="https://www.youtube.com/feeds/videos.xml?channel_id=UCmaYaTrailRuns00000000a",
    )
    assert youtube_channel(feed) == "UCmaYaTrailRuns00000000a"
    page = SocialProfile(
        handle="maya", profile_url="https://www.youtube.com/channel/UCmaYaTrailRuns00000000a"
    )
    assert youtube_channel(page) == "UCmaYaTrailRuns00000000a"
    assert youtube_channel(SocialProfile(handle="maya")) is None
    assert youtube_video_id("https://www.youtube.com/watch?v=Vid0TrailA1&t=3") == "Vid0TrailA1"
    assert youtube_video_id("https://youtu.be/Vid0TrailA1") == "Vid0TrailA1"
    assert youtube_video_id("https://www.youtube.com/shorts/Vid0TrailA1") == "Vid0TrailA1"
    assert youtube_video_id("https://vimeo.com/123") is None


@pytest.mark.parametrize("every", [1, 6, 24, 168])
def test_a_campaign_is_due_exactly_once_per_interval(every: int) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    hours = [start + timedelta(hours=h) for h in range(every * 3)]
    due = [h for h in hours if monitor.is_due("01CAMPAIGN", every, h)]
    assert len(due) == 3
    assert all((b - a) == timedelta(hours=every) for a, b in zip(due, due[1:], strict=False))


def test_daily_runs_spread_over_the_day() -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    hours = {
        next(h for h in range(24) if monitor.is_due(f"campaign-{i}", 24, at + timedelta(hours=h)))
        for i in range(200)
    }
    assert len(hours) > 12  # not all at midnight
