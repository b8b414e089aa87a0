"""Where creators' posts come from. Every source turns what it reads into `SourceItem`s, which the
monitor (and manual submission) put through the same matching and checks.

- `FeedSource`: RSS/Atom (YouTube channel feeds with `media:group`, blogs, podcasts, Mastodon and
  other feed-publishing networks), parsed by feedparser from bytes we fetched ourselves.
- `YouTubeApiSource`: the YouTube Data API v3 (uploads playlist → videos with statistics), when a
  key is configured. It is the reference for other API platforms: implement `Source.fetch`.
- `page_item`: one post URL, read from its page's OpenGraph/meta tags (or the YouTube API).
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

from roster.models.creators import Platform, SocialProfile
from roster.models.posts import PostMetrics
from roster.web.fetch import Fetcher, FetchError
from roster.web.html import html_to_text, meta_tags

FEED_ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
MAX_ITEMS = 50  # newest items per feed; older ones were seen by earlier runs
YOUTUBE_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
YOUTUBE_VIDEO = re.compile(r"^[A-Za-z0-9_-]{11}$")


@dataclass(frozen=True)
class SourceItem:
    url: str
    platform: Platform
    text: str
    published_at: datetime | None = None
    metrics: PostMetrics | None = None
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceResult:
    items: list[SourceItem] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class Source(Protocol):
    """A way to read one creator's recent posts on one platform."""

    @property
    def name(self) -> str: ...

    def fetch(self, etag: str | None, last_modified: str | None) -> SourceResult: ...


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _metrics(views: Any = None, likes: Any = None, comments: Any = None) -> PostMetrics | None:
    m = PostMetrics(views=_int(views), likes=_int(likes), comments=_int(comments))
    return m if any(v is not None for v in m.model_dump().values()) else None


def _parsed_time(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None


def parse_feed(body: bytes, platform: Platform) -> list[SourceItem]:
    """Feed bytes → items, newest first. Raises ValueError for something that is not a feed."""
    import feedparser  # only where a feed is parsed: not with the API's routes

    parsed = feedparser.parse(body)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        raise ValueError("not a valid RSS/Atom feed")
    items = []
    for entry in parsed.entries[:MAX_ITEMS]:
        url = entry.get("link")
        if not url:
            continue
        html = [c["value"] for c in entry.get("content", []) if c.get("type") == "text/html"]
        body_text, links = html_to_text(html[0] if html else entry.get("summary", ""))
        title = entry.get("title", "").strip()
        text = "\n".join(p for p in (title, body_text) if p)
        stats, rating = entry.get("media_statistics") or {}, entry.get("media_starrating") or {}
        items.append(
            SourceItem(
                url=url,
                platform=platform,
                text=text,
                published_at=_parsed_time(entry),
                metrics=_metrics(stats.get("views"), rating.get("count"), entry.get("slash_comments")),
                links=tuple(links),
            )
        )
    items.sort(key=lambda i: i.published_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return items


@dataclass(frozen=True)
class FeedSource:
    fetcher: Fetcher
    url: str
    platform: Platform
    name: str = "feed"

    def fetch(self, etag: str | None, last_modified: str | None) -> SourceResult:
        resp = self.fetcher.get(self.url, etag=etag, last_modified=last_modified, accept=FEED_ACCEPT)
        if resp.not_modified:
            return SourceResult(etag=etag, last_modified=last_modified, not_modified=True)
        return SourceResult(parse_feed(resp.body, self.platform), resp.etag, resp.last_modified)


class YouTubeApiError(FetchError):
    pass


@dataclass(frozen=True)
class YouTubeApi:
    """The few YouTube Data API v3 calls monitoring needs (1 quota unit each)."""

    fetcher: Fetcher
    key: str
    base: str = "https://www.googleapis.com"

    def call(self, resource: str, **params: str) -> dict[str, Any]:
        url = f"{self.base}/youtube/v3/{resource}?{urlencode({**params, 'key': self.key})}"
        try:
            body = self.fetcher.get(url, accept="application/json").body
        except FetchError as exc:
            raise YouTubeApiError(f"YouTube API {resource}: {self._reason(exc)}", status=exc.status) from exc
        data: dict[str, Any] = json.loads(body)
        return data

    @staticmethod
    def _reason(exc: FetchError) -> str:
        try:
            errors = json.loads(exc.body)["error"]["errors"]
            return f"{exc.status} {errors[0]['reason']}"
        except (ValueError, KeyError, IndexError, TypeError):
            return str(exc)

    def uploads_playlist(self, channel_id: str | None, handle: str | None) -> str:
        if channel_id:
            return "UU" + channel_id[2:]
        data = self.call("channels", part="contentDetails", forHandle=f"@{handle}")
        if not data.get("items"):
            raise YouTubeApiError(f"YouTube API channels: no channel for @{handle}")
        return str(data["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"])

    def videos(self, video_ids: list[str]) -> list[SourceItem]:
        if not video_ids:
            return []
        data = self.call("videos", part="snippet,statistics", id=",".join(video_ids), maxResults="50")
        items = []
        for video in data.get("items", []):
            snippet, stats = video.get("snippet", {}), video.get("statistics", {})
            published = snippet.get("publishedAt")
            items.append(
                SourceItem(
                    url=f"https://www.youtube.com/watch?v={video['id']}",
                    platform=Platform.YOUTUBE,
                    text="\n".join(
                        p for p in (snippet.get("title", ""), snippet.get("description", "")) if p
                    ),
                    published_at=datetime.fromisoformat(published) if published else None,
                    metrics=_metrics(
                        stats.get("viewCount"), stats.get("likeCount"), stats.get("commentCount")
                    ),
                )
            )
        return items


def youtube_channel(profile: SocialProfile) -> str | None:
    """The channel id from the profile's feed URL (`?channel_id=UC…`) or profile URL (`/channel/UC…`)."""
    if profile.feed_url:
        ids = parse_qs(urlsplit(str(profile.feed_url)).query).get("channel_id", [])
        if ids and YOUTUBE_CHANNEL.match(ids[0]):
            return ids[0]
    if profile.profile_url:
        segments = urlsplit(str(profile.profile_url)).path.strip("/").split("/")
        if len(segments) == 2 and segments[0] == "channel" and YOUTUBE_CHANNEL.match(segments[1]):
            return segments[1]
    return None


@dataclass(frozen=True)
class YouTubeApiSource:
    api: YouTubeApi
    profile: SocialProfile
    name: str = "youtube_api"

    def fetch(self, etag: str | None, last_modified: str | None) -> SourceResult:
        channel = youtube_channel(self.profile)
        playlist = self.api.uploads_playlist(channel, None if channel else self.profile.handle)
        data = self.api.call("playlistItems", part="contentDetails", playlistId=playlist, maxResults="25")
        ids = [i["contentDetails"]["videoId"] for i in data.get("items", [])]
        return SourceResult(self.api.videos(ids))


def sources_for(
    platform: Platform, profile: SocialProfile, fetcher: Fetcher, youtube: YouTubeApi | None
) -> Source | None:
    """The best source for one platform profile: the API where we have one, else the feed."""
    if platform == Platform.YOUTUBE and youtube is not None:
        return YouTubeApiSource(youtube, profile)
    if profile.feed_url:
        return FeedSource(fetcher, str(profile.feed_url), platform)
    return None


def youtube_video_id(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "youtu.be":
        vid = parts.path.strip("/")
    elif host.endswith("youtube.com") and parts.path == "/watch":
        vid = parse_qs(parts.query).get("v", [""])[0]
    elif host.endswith("youtube.com") and parts.path.startswith("/shorts/"):
        vid = parts.path.split("/")[2]
    else:
        return None
    return vid if YOUTUBE_VIDEO.match(vid) else None


def page_item(url: str, platform: Platform, fetcher: Fetcher, youtube: YouTubeApi | None) -> SourceItem:
    """One submitted post URL, read the way the monitor reads feeds: the YouTube API for a YouTube
    video when a key is configured, else the page's OpenGraph/meta description."""
    video = youtube_video_id(url)
    if video and youtube is not None:
        found = youtube.videos([video])
        if not found:
            raise FetchError("YouTube has no public video with that id")
        return found[0]
    resp = fetcher.get(url, accept="text/html, application/xhtml+xml;q=0.9, */*;q=0.1")
    if resp.content_type not in ("text/html", "application/xhtml+xml", ""):
        raise FetchError(f"expected an HTML page, got {resp.content_type}")
    meta, page_title = meta_tags(resp.body.decode("utf-8", errors="replace"))
    title = meta.get("og:title") or page_title
    description = meta.get("og:description") or meta.get("description") or ""
    published = meta.get("article:published_time") or meta.get("og:published_time")
    try:
        when = datetime.fromisoformat(published) if published else None
    except ValueError:
        when = None
    return SourceItem(
        url=url,
        platform=platform,
        text="\n".join(p for p in (title, description) if p),
        published_at=when if when is None or when.tzinfo else when.replace(tzinfo=UTC),
    )
