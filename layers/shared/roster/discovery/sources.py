"""Public platform APIs read into `Snapshot`s: YouTube Data API v3, the Bluesky AppView, Mastodon.

Every call goes through the safe `Fetcher` (SSRF checks, bounds, no API key in any message).
What each source reads, and why it stops where it does:

- YouTube: `channels` (counts, topics, country, uploads playlist), `playlistItems` (the newest
  uploads), `videos` (their views, likes, comments) and `commentThreads` on the few most-viewed of
  them. Each costs 1 quota unit; `search.list` costs 100. The API gives a project 10,000 units a
  day, so every call is counted in a `Quota` first and refused (`QuotaExhausted`) before it is
  made when it would overrun: a discovery run must not starve the monitor sharing the key.
  A snapshot costs at most `SNAPSHOT_UNITS` (6).
- Bluesky: `getProfile`, `getAuthorFeed` (own posts only) and `getFollowers` (a sample of the
  newest followers; profile views carry no counts, so a sampled follower's followers, following
  and posts are None). `searchPosts` answers 403 on the public AppView without a session since
  January 2025: that is `AuthRequired`, said plainly.
- Mastodon: account lookup and statuses on the account's own instance; follower lists are not
  read (they are paginated per instance and often hidden).

Rate limits: a 429 (or a 503 that says when to come back) is retried after Retry-After, capped,
a few times; then `SourceUnavailable` names the platform. `enrich_many` reads many creators and
turns each one's error into a `Failure` beside the others' snapshots."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlencode

from roster import clock
from roster.discovery.profiles import Comment, FollowerSample, RecentPost, Snapshot
from roster.models.creators import Platform
from roster.web.fetch import Fetcher, FetchError
from roster.web.html import html_to_text

log = logging.getLogger(__name__)

YOUTUBE_BASE = "https://www.googleapis.com"
BLUESKY_BASE = "https://public.api.bsky.app"

# YouTube Data API v3 quota: the default daily allocation, and each method's cost in units
# (https://developers.google.com/youtube/v3/determine_quota_cost). Parts do not change a list's cost.
YOUTUBE_DAILY_UNITS = 10_000
YOUTUBE_UNITS = {"channels": 1, "playlistItems": 1, "videos": 1, "commentThreads": 1, "search": 100}

RECENT_VIDEOS = 20  # newest uploads read per channel (playlistItems and videos take up to 50)
COMMENT_VIDEOS = 3  # most-viewed recent videos whose comments are sampled
COMMENTS_PER_VIDEO = 50  # newest top-level comments per sampled video (the API's page is ≤ 100)
# The most one YouTube snapshot costs: channels + playlistItems + videos + one commentThreads each.
SNAPSHOT_UNITS = (
    YOUTUBE_UNITS["channels"]
    + YOUTUBE_UNITS["playlistItems"]
    + YOUTUBE_UNITS["videos"]
    + COMMENT_VIDEOS * YOUTUBE_UNITS["commentThreads"]
)
SEARCH_UNITS = YOUTUBE_UNITS["search"]

BLUESKY_POSTS = 50  # getAuthorFeed page (≤ 100)
FOLLOWER_SAMPLE = 100  # getFollowers page (≤ 100)
MASTODON_POSTS = 40  # statuses page (Mastodon's maximum)

RETRIES = 3  # retries after a rate-limited answer, so 4 attempts in all
FIRST_WAIT = 2.0  # seconds before the first retry when the platform does not say (then doubled)
MAX_WAIT = 30.0  # no single wait longer than this, whatever Retry-After asks

YOUTUBE_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
YOUTUBE_HANDLE = re.compile(r"^[\w.-]{1,100}$")
BLUESKY_HANDLE = re.compile(
    r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)
BLUESKY_DID = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}$")
MASTODON_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
MASTODON_INSTANCE = re.compile(r"^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
MIN_SALT = 16  # bytes: a short salt makes commenter hashes easy to reverse from public ids


# --- errors ---------------------------------------------------------------------------------------


class SourceError(Exception):
    """A platform could not tell us about one creator; the message is safe to show (platform,
    what was asked, the platform's own error name; never a URL, which may carry the API key).
    `platform_wide` errors (quota, rate limit, a refused key) would fail every next creator too."""

    platform_wide = False

    def __init__(self, platform: Platform, reason: str, *, code: str | None = None) -> None:
        super().__init__(f"{platform.value}: {reason}")
        self.platform = platform
        self.reason = reason
        self.code = code  # the platform's error name (commentsDisabled, InvalidRequest), if it gave one


class BadHandle(SourceError):
    """The handle cannot name an account on this platform; nothing was fetched."""


class NotFound(SourceError):
    """The platform has no (public, active) account or item by that name."""


class BadResponse(SourceError):
    """The answer was not what the API documents (not JSON, or missing what every answer has)."""


class AuthRequired(SourceError):
    """The endpoint answers only a signed-in client (Bluesky post search, some Mastodon instances)."""

    def __init__(
        self, platform: Platform, reason: str, *, code: str | None = None, platform_wide: bool
    ) -> None:
        super().__init__(platform, reason, code=code)
        self.platform_wide = platform_wide


class SourceUnavailable(SourceError):
    """The platform did not answer usefully: still rate limited after the retries, a server error,
    a network failure, or our API key refused."""

    def __init__(
        self, platform: Platform, reason: str, *, code: str | None = None, platform_wide: bool = False
    ) -> None:
        super().__init__(platform, reason, code=code)
        self.platform_wide = platform_wide


class QuotaExhausted(SourceError):
    """The YouTube quota would be overrun; raised before the call, so no unit is spent on it."""

    platform_wide = True


# --- shared pieces --------------------------------------------------------------------------------


@dataclass
class Quota:
    """YouTube units spent against the day's budget. The API resets quotas at midnight Pacific
    time; the caller owns that boundary (a new `Quota`, or `used` restored from its store), as a
    Lambda's memory does not outlive the day. Failed and retried calls are counted too: the API
    charges every request it answers."""

    budget: int = YOUTUBE_DAILY_UNITS
    used: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.budget < 0 or self.used < 0:
            raise ValueError("quota budget and used units must not be negative")

    @property
    def remaining(self) -> int:
        return max(self.budget - self.used, 0)

    def require(self, units: int, what: str) -> None:
        """Refuse work that needs more units than are left, before any of it is done."""
        left = self.remaining
        if units > left:
            raise QuotaExhausted(
                Platform.YOUTUBE,
                f"daily API quota would be exceeded: {what} needs {units} units, {left} of "
                f"{self.budget} left (the quota resets at midnight Pacific time)",
            )

    def spend(self, method: str) -> None:
        cost = YOUTUBE_UNITS[method]
        with self._lock:
            self.require(cost, method)
            self.used += cost
            self.by_method[method] = self.by_method.get(method, 0) + cost

    def exhaust(self) -> None:
        """YouTube said the quota is used up (shared key, or our count was behind): stop asking."""
        with self._lock:
            self.used = max(self.used, self.budget)


@dataclass(frozen=True)
class Backoff:
    """How rate-limited answers are retried. `sleep` is injected so tests record the waits."""

    retries: int = RETRIES
    first_wait: float = FIRST_WAIT
    max_wait: float = MAX_WAIT
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.retries < 0 or self.first_wait < 0 or self.max_wait < 0:
            raise ValueError("retries and waits must not be negative")

    def wait(self, attempt: int, retry_after: float | None) -> float:
        wanted = retry_after if retry_after is not None else self.first_wait * 2**attempt
        return min(max(wanted, 0.0), self.max_wait)


@dataclass(frozen=True)
class SearchHit:
    """An account a platform search returned; `post` is the matching post for a post search."""

    platform: Platform
    handle: str  # what `snapshot` takes: a YouTube channel id, a Bluesky handle
    display_name: str | None
    bio: str | None
    external_id: str | None
    post: RecentPost | None = None


@dataclass(frozen=True)
class Failure:
    handle: str
    reason: str


class ProfileSource(Protocol):
    @property
    def platform(self) -> Platform: ...

    def snapshot(self, handle: str) -> Snapshot: ...


def _throttled(exc: FetchError) -> bool:
    return exc.status == 429 or (exc.status == 503 and exc.retry_after is not None)


def _get_json(
    fetcher: Fetcher,
    url: str,
    *,
    platform: Platform,
    what: str,
    backoff: Backoff,
    classify: Callable[[FetchError, str], SourceError],
    throttled: Callable[[FetchError], bool] = _throttled,
    before: Callable[[], None] | None = None,
    rate_limit_platform_wide: bool = True,
    shape: type[dict[str, Any]] | type[list[Any]] = dict,
) -> Any:
    """GET one JSON document of `shape` (an object; a list for Mastodon's statuses), retrying
    rate-limited answers. `before` runs before every attempt (the YouTube quota: a retry is a
    request too)."""
    attempt = 0
    while True:
        if before is not None:
            before()
        try:
            body = fetcher.get(url, accept="application/json").body
        except FetchError as exc:
            if not throttled(exc):
                raise classify(exc, what) from exc
            if attempt >= backoff.retries:
                raise SourceUnavailable(
                    platform,
                    f"{what}: still rate limited after {attempt + 1} attempts",
                    code=str(exc.status),
                    platform_wide=rate_limit_platform_wide,
                ) from exc
            backoff.sleep(backoff.wait(attempt, exc.retry_after))
            attempt += 1
            continue
        try:
            data = json.loads(body)
        except ValueError as exc:  # includes UnicodeDecodeError
            raise BadResponse(platform, f"{what}: the answer is not JSON") from exc
        if not isinstance(data, shape):
            kind = "object" if shape is dict else "array"
            raise BadResponse(platform, f"{what}: the answer is not a JSON {kind}")
        return data


def _error_body(exc: FetchError) -> dict[str, Any]:
    try:
        data = json.loads(exc.body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _generic(platform: Platform, exc: FetchError, what: str) -> SourceError:
    """What no platform rule covered: a server error, or the fetch never got an answer."""
    if exc.status is None:
        return SourceUnavailable(platform, f"{what}: {exc}")
    if exc.status >= 500:
        return SourceUnavailable(platform, f"{what}: server error {exc.status}", code=str(exc.status))
    return SourceUnavailable(platform, f"{what}: refused with HTTP {exc.status}", code=str(exc.status))


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objs(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _opt(value: Any) -> str | None:
    text = _str(value).strip()
    return text or None


def _count(value: Any) -> int | None:
    """A count as the APIs give it: an int (Bluesky, Mastodon) or a decimal string (YouTube)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _when(value: Any) -> datetime | None:
    text = _str(value)
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _newest_first(posts: Iterable[RecentPost]) -> tuple[RecentPost, ...]:
    oldest = datetime.min.replace(tzinfo=UTC)
    return tuple(sorted(posts, key=lambda p: p.published_at or oldest, reverse=True))


def _bounded(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")


def author_hash(salt: bytes, platform: Platform, account_id: str) -> str:
    """A commenter as a keyed hash: the same account gives the same value within one salt, so
    repeat commenters can be counted, and the id cannot be recovered by hashing public ids
    without the salt."""
    digest = hmac.new(salt, f"{platform.value}:{account_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:20]


# --- YouTube --------------------------------------------------------------------------------------

_YOUTUBE_THROTTLED = {"rateLimitExceeded", "userRateLimitExceeded"}
_YOUTUBE_KEY_REFUSED = {"keyInvalid", "keyExpired", "accessNotConfigured", "ipRefererBlocked"}
# Per video, not per key: the sampled video's comments are skipped and the snapshot goes on.
_YOUTUBE_NO_COMMENTS = {"commentsDisabled", "forbidden", "videoNotFound"}


def _youtube_reason(exc: FetchError) -> str | None:
    errors = _objs(_obj(_error_body(exc).get("error")).get("errors"))
    return _opt(errors[0].get("reason")) if errors else None


def _youtube_key_refused(exc: FetchError) -> str | None:
    """The key itself was refused (invalid, expired, blocked, API not enabled): Google says so in
    `errors[].reason` or, for newer errors, in an ErrorInfo detail `API_KEY_…`."""
    error = _obj(_error_body(exc).get("error"))
    for detail in _objs(error.get("details")):
        if _str(detail.get("reason")).startswith("API_KEY_"):
            return _str(detail.get("reason"))
    reason = _youtube_reason(exc)
    return reason if reason in _YOUTUBE_KEY_REFUSED else None


def _youtube_throttled(exc: FetchError) -> bool:
    return _throttled(exc) or (exc.status == 403 and _youtube_reason(exc) in _YOUTUBE_THROTTLED)


def topic_label(url: str) -> str | None:
    """`https://en.wikipedia.org/wiki/Physical_fitness` → `Physical fitness`: topicDetails gives
    Wikipedia URLs, whose last segment is the topic's name."""
    segment = unquote(url.rstrip("/").rsplit("/", 1)[-1]).replace("_", " ").strip()
    return segment or None


@dataclass(frozen=True)
class YouTubeSource:
    """YouTube Data API v3 with an API key (public data only)."""

    fetcher: Fetcher
    key: str
    salt: bytes
    quota: Quota = field(default_factory=Quota)
    base: str = YOUTUBE_BASE
    backoff: Backoff = Backoff()
    recent: int = RECENT_VIDEOS
    comment_videos: int = COMMENT_VIDEOS
    comments_per_video: int = COMMENTS_PER_VIDEO
    now: Callable[[], datetime] | None = None  # roster.clock.now when None

    def __post_init__(self) -> None:
        if not self.key.strip():
            raise ValueError("a YouTube API key is required")
        if len(self.salt) < MIN_SALT:
            raise ValueError(f"the commenter salt must be at least {MIN_SALT} bytes")
        _bounded("recent", self.recent, 1, 50)
        _bounded("comment_videos", self.comment_videos, 0, self.recent)
        _bounded("comments_per_video", self.comments_per_video, 1, 100)

    @property
    def platform(self) -> Platform:
        return Platform.YOUTUBE

    @property
    def snapshot_units(self) -> int:
        """The most one snapshot costs with this source's limits (`SNAPSHOT_UNITS` by default)."""
        u = YOUTUBE_UNITS
        return u["channels"] + u["playlistItems"] + u["videos"] + self.comment_videos * u["commentThreads"]

    def _call(self, method: str, what: str, **params: str) -> dict[str, Any]:
        url = f"{self.base}/youtube/v3/{method}?{urlencode({**params, 'key': self.key})}"
        data: dict[str, Any] = _get_json(
            self.fetcher,
            url,
            platform=Platform.YOUTUBE,
            what=what,
            backoff=self.backoff,
            classify=self._classify,
            throttled=_youtube_throttled,
            before=lambda: self.quota.spend(method),
        )
        return data

    def _classify(self, exc: FetchError, what: str) -> SourceError:
        reason = _youtube_reason(exc)
        if exc.status == 403 and reason in ("quotaExceeded", "dailyLimitExceeded"):
            self.quota.exhaust()
            return QuotaExhausted(
                Platform.YOUTUBE, f"{what}: YouTube says the daily quota is used up", code=reason
            )
        if refused := _youtube_key_refused(exc):
            return SourceUnavailable(
                Platform.YOUTUBE,
                f"{what}: the API key was refused ({refused})",
                code=refused,
                platform_wide=True,
            )
        if exc.status == 404:
            return NotFound(Platform.YOUTUBE, f"{what}: {reason or 'not found'}", code=reason)
        if exc.status is not None and 400 <= exc.status < 500 and reason:
            return SourceUnavailable(Platform.YOUTUBE, f"{what}: refused ({reason})", code=reason)
        return _generic(Platform.YOUTUBE, exc, what)

    def snapshot(self, handle: str) -> Snapshot:
        ref = handle.strip().removeprefix("@")
        if YOUTUBE_CHANNEL.match(ref):
            lookup = {"id": ref}
        elif YOUTUBE_HANDLE.match(ref):
            lookup = {"forHandle": f"@{ref}"}
        else:
            raise BadHandle(Platform.YOUTUBE, "not a YouTube handle or channel id")
        self.quota.require(self.snapshot_units, "a channel snapshot")
        at = (self.now or clock.now)()
        data = self._call(
            "channels", "channel", part="snippet,statistics,topicDetails,contentDetails", **lookup
        )
        channels = _objs(data.get("items"))  # YouTube leaves `items` out when nothing matched
        if not channels or not _str(channels[0].get("id")):
            raise NotFound(Platform.YOUTUBE, f"no channel for {'id ' + ref if 'id' in lookup else '@' + ref}")
        channel = channels[0]
        snippet, stats = _obj(channel.get("snippet")), _obj(channel.get("statistics"))
        notes: list[str] = []
        if stats.get("hiddenSubscriberCount") is True or _count(stats.get("subscriberCount")) is None:
            followers = None
            notes.append("followers: the channel hides its subscriber count")
        else:
            followers = _count(stats.get("subscriberCount"))
            notes.append("followers: YouTube rounds public subscriber counts to three significant figures")
        uploads = _str(_obj(_obj(channel.get("contentDetails")).get("relatedPlaylists")).get("uploads"))
        videos = self._videos(uploads) if uploads else ()
        notes.append(f"recent_posts: the {len(videos)} newest uploads (up to {self.recent} read)")
        comments = self._comments(videos, notes)
        notes.append("follower_sample: YouTube does not list a channel's subscribers")
        country = _str(snippet.get("country")).upper()
        return Snapshot(
            platform=Platform.YOUTUBE,
            handle=_str(snippet.get("customUrl")).removeprefix("@") or ref,
            at=at,
            followers=followers,
            posts_count=_count(stats.get("videoCount")),
            display_name=_opt(snippet.get("title")),
            bio=_opt(snippet.get("description")),
            country=country if COUNTRY.match(country) else None,
            topics=tuple(
                dict.fromkeys(
                    label
                    for url in _obj(channel.get("topicDetails")).get("topicCategories") or ()
                    if isinstance(url, str) and (label := topic_label(url))
                )
            ),
            external_id=_str(channel["id"]),
            recent_posts=videos,
            comments=comments,
            notes=tuple(notes),
        )

    def _videos(self, playlist: str) -> tuple[RecentPost, ...]:
        try:
            data = self._call(
                "playlistItems",
                "uploads",
                part="contentDetails",
                playlistId=playlist,
                maxResults=str(self.recent),
            )
        except NotFound as exc:
            if exc.code == "playlistNotFound":  # a channel that never uploaded has no uploads list
                return ()
            raise
        ids = [
            vid
            for item in _objs(data.get("items"))
            if (vid := _str(_obj(item.get("contentDetails")).get("videoId")))
        ][: self.recent]
        if not ids:
            return ()
        found = self._call("videos", "videos", part="snippet,statistics", id=",".join(ids))
        posts = []
        for video in _objs(found.get("items")):
            vid = _str(video.get("id"))
            if not vid:
                continue
            snippet, stats = _obj(video.get("snippet")), _obj(video.get("statistics"))
            title, description = _str(snippet.get("title")), _str(snippet.get("description"))
            posts.append(
                RecentPost(
                    url=f"https://www.youtube.com/watch?v={vid}",
                    published_at=_when(snippet.get("publishedAt")),
                    text="\n".join(p for p in (title, description) if p),
                    views=_count(stats.get("viewCount")),
                    likes=_count(stats.get("likeCount")),  # absent when the creator hides likes
                    comments=_count(stats.get("commentCount")),  # absent when comments are off
                )
            )
        return _newest_first(posts)

    def _comments(self, videos: tuple[RecentPost, ...], notes: list[str]) -> tuple[Comment, ...]:
        """The newest comments on the most-viewed recent videos that have any: where an audience
        talks most, and where bought comments would be put."""
        if not self.comment_videos:
            notes.append("comments: not sampled")
            return ()
        open_ = [v for v in videos if v.comments]
        picked = sorted(open_, key=lambda v: v.views or 0, reverse=True)[: self.comment_videos]
        out: list[Comment] = []
        disabled = 0
        for video in picked:
            vid = video.url.rsplit("=", 1)[-1]
            try:
                data = self._call(
                    "commentThreads",
                    "comments",
                    part="snippet",
                    videoId=vid,
                    maxResults=str(self.comments_per_video),
                    order="time",
                    textFormat="plainText",  # textDisplay as text, not HTML
                )
            except (NotFound, SourceUnavailable) as exc:
                if exc.code not in _YOUTUBE_NO_COMMENTS or exc.platform_wide:
                    raise
                disabled += 1
                continue
            for thread in _objs(data.get("items")):
                top = _obj(_obj(_obj(thread.get("snippet")).get("topLevelComment")).get("snippet"))
                author = _str(_obj(top.get("authorChannelId")).get("value"))
                text = _str(top.get("textDisplay")).strip()
                if author and text:  # without an author id, a comment cannot count toward repeats
                    out.append(Comment(text, author_hash(self.salt, Platform.YOUTUBE, author), video.url))
        notes.append(
            f"comments: {len(out)} newest top-level comments (up to {self.comments_per_video} each) "
            f"on the {len(picked)} most-viewed of the recent videos with comments"
        )
        if disabled:
            notes.append(f"comments: turned off or unavailable on {disabled} of the sampled videos")
        return tuple(out)

    def search(self, query: str, max_results: int = 10) -> list[SearchHit]:
        """Channels matching `query`. Costs 100 units: a hundred times a snapshot's call."""
        if not query.strip():
            raise ValueError("a search needs a query")
        _bounded("max_results", max_results, 1, 50)
        data = self._call(
            "search", "search", part="snippet", type="channel", q=query.strip(), maxResults=str(max_results)
        )
        hits = []
        for item in _objs(data.get("items")):
            snippet = _obj(item.get("snippet"))
            channel = _str(_obj(item.get("id")).get("channelId")) or _str(snippet.get("channelId"))
            if channel:
                hits.append(
                    SearchHit(
                        Platform.YOUTUBE,
                        handle=channel,
                        display_name=_opt(snippet.get("title")) or _opt(snippet.get("channelTitle")),
                        bio=_opt(snippet.get("description")),
                        external_id=channel,
                    )
                )
        return hits


# --- Bluesky --------------------------------------------------------------------------------------

_REPOST = "app.bsky.feed.defs#reasonRepost"


def _xrpc_error(exc: FetchError) -> tuple[str | None, str]:
    body = _error_body(exc)
    return _opt(body.get("error")), _str(body.get("message")).strip()[:200]


def _post_url(uri: str, did: str) -> str | None:
    """`at://did/app.bsky.feed.post/rkey` → the bsky.app page (by DID: handles change)."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post" or not parts[2]:
        return None
    return f"https://bsky.app/profile/{parts[0] or did}/post/{parts[2]}"


def _bluesky_post(post: dict[str, Any], did: str) -> RecentPost | None:
    url = _post_url(_str(post.get("uri")), did)
    if url is None:
        return None
    record = _obj(post.get("record"))
    return RecentPost(
        url=url,
        published_at=_when(record.get("createdAt")) or _when(post.get("indexedAt")),
        text=_str(record.get("text")),
        likes=_count(post.get("likeCount")),
        comments=_count(post.get("replyCount")),
        shares=_count(post.get("repostCount")),
    )


@dataclass(frozen=True)
class BlueskySource:
    """The Bluesky AppView's public (unauthenticated) endpoints."""

    fetcher: Fetcher
    base: str = BLUESKY_BASE
    backoff: Backoff = Backoff()
    post_limit: int = BLUESKY_POSTS
    follower_limit: int = FOLLOWER_SAMPLE
    now: Callable[[], datetime] | None = None

    def __post_init__(self) -> None:
        _bounded("post_limit", self.post_limit, 1, 100)
        _bounded("follower_limit", self.follower_limit, 0, 100)

    @property
    def platform(self) -> Platform:
        return Platform.BLUESKY

    def _call(self, method: str, what: str, **params: str) -> dict[str, Any]:
        data: dict[str, Any] = _get_json(
            self.fetcher,
            f"{self.base}/xrpc/{method}?{urlencode(params)}",
            platform=Platform.BLUESKY,
            what=what,
            backoff=self.backoff,
            classify=self._classify,
        )
        return data

    @staticmethod
    def _classify(exc: FetchError, what: str) -> SourceError:
        name, message = _xrpc_error(exc)
        said = (
            f" ({name}: {message})"
            if name and message
            else f" ({name or message})"
            if name or message
            else ""
        )
        if name in ("AccountDeactivated", "AccountTakedown"):
            return NotFound(Platform.BLUESKY, f"{what}: the account is deactivated or taken down", code=name)
        if exc.status == 404 or (exc.status == 400 and "not found" in message.lower()):
            return NotFound(Platform.BLUESKY, f"{what}: not found{said}", code=name)
        if exc.status in (401, 403):
            return AuthRequired(
                Platform.BLUESKY, f"{what}: needs a signed-in session{said}", code=name, platform_wide=True
            )
        if exc.status == 400:
            return BadHandle(Platform.BLUESKY, f"{what}: request refused{said}", code=name)
        return _generic(Platform.BLUESKY, exc, what)

    def snapshot(self, handle: str) -> Snapshot:
        actor = handle.strip().removeprefix("@")
        actor = actor if actor.startswith("did:") else actor.lower()  # handles are case-insensitive, DIDs not
        if not (BLUESKY_HANDLE.match(actor) or BLUESKY_DID.match(actor)):
            raise BadHandle(Platform.BLUESKY, "not a Bluesky handle or DID")
        at = (self.now or clock.now)()
        profile = self._call("app.bsky.actor.getProfile", "profile", actor=actor)
        did = _str(profile.get("did"))
        if not did:
            raise BadResponse(Platform.BLUESKY, "profile: the answer has no DID")
        feed = self._call(
            "app.bsky.feed.getAuthorFeed",
            "posts",
            actor=did,
            filter="posts_no_replies",
            limit=str(self.post_limit),
        )
        posts = []
        for item in _objs(feed.get("feed")):
            post = _obj(item.get("post"))
            # A repost puts someone else's post in the author's feed: not the creator's content.
            if _obj(item.get("reason")).get("$type") == _REPOST or _obj(post.get("author")).get("did") != did:
                continue
            if (parsed := _bluesky_post(post, did)) is not None:
                posts.append(parsed)
        notes = [
            f"recent_posts: the {len(posts)} newest own posts in the author feed (up to {self.post_limit} "
            "read; replies and reposts left out)",
            "comments: not sampled on Bluesky",
        ]
        sample: tuple[FollowerSample, ...] = ()
        if self.follower_limit:
            sample = self._followers(did)
            notes.append(
                f"follower_sample: the {len(sample)} most recent followers (getFollowers lists newest "
                "first); its profile views carry no counts, so followers, following and posts are None"
            )
        created = _when(profile.get("createdAt"))
        if created is not None:
            notes.append(f"account created {clock.iso(created)}")
        return Snapshot(
            platform=Platform.BLUESKY,
            handle=_str(profile.get("handle")) or actor,  # `handle.invalid` when the handle stopped resolving
            at=at,
            followers=_count(profile.get("followersCount")),
            following=_count(profile.get("followsCount")),
            posts_count=_count(profile.get("postsCount")),
            display_name=_opt(profile.get("displayName")),
            bio=_opt(profile.get("description")),
            external_id=did,
            recent_posts=_newest_first(posts),
            follower_sample=sample,
            notes=tuple(notes),
        )

    def _followers(self, did: str) -> tuple[FollowerSample, ...]:
        data = self._call(
            "app.bsky.graph.getFollowers", "followers", actor=did, limit=str(self.follower_limit)
        )
        return tuple(
            FollowerSample(
                has_avatar=bool(_str(f.get("avatar"))),
                has_bio=bool(_str(f.get("description")).strip()),
                created_at=_when(f.get("createdAt")),
                following=None,
                followers=None,
                posts=None,
            )
            for f in _objs(data.get("followers"))
        )

    def search_actors(self, query: str, limit: int = 25) -> list[SearchHit]:
        if not query.strip():
            raise ValueError("a search needs a query")
        _bounded("limit", limit, 1, 100)
        data = self._call("app.bsky.actor.searchActors", "account search", q=query.strip(), limit=str(limit))
        return [
            SearchHit(
                Platform.BLUESKY,
                handle=_str(a.get("handle")),
                display_name=_opt(a.get("displayName")),
                bio=_opt(a.get("description")),
                external_id=_str(a.get("did")),
            )
            for a in _objs(data.get("actors"))
            if _str(a.get("handle")) and _str(a.get("did"))
        ]

    def search_posts(self, query: str, limit: int = 25) -> list[SearchHit]:
        """Posts matching `query`, each with its author. The public AppView has refused this
        without a session since January 2025 (bot load): that 403 is `AuthRequired`."""
        if not query.strip():
            raise ValueError("a search needs a query")
        _bounded("limit", limit, 1, 100)
        try:
            data = self._call("app.bsky.feed.searchPosts", "post search", q=query.strip(), limit=str(limit))
        except AuthRequired as exc:
            raise AuthRequired(
                Platform.BLUESKY,
                "post search needs a signed-in session: the public AppView has refused unauthenticated "
                "post search since January 2025; use account search, or an authenticated AppView base",
                code=exc.code,
                platform_wide=True,
            ) from exc
        hits = []
        for post in _objs(data.get("posts")):
            author = _obj(post.get("author"))
            did, handle = _str(author.get("did")), _str(author.get("handle"))
            if did and handle and (parsed := _bluesky_post(post, did)) is not None:
                hits.append(
                    SearchHit(
                        Platform.BLUESKY, handle, _opt(author.get("displayName")), None, did, post=parsed
                    )
                )
        return hits


# --- Mastodon -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MastodonSource:
    """A Mastodon account read from its own instance, where its counts are complete."""

    fetcher: Fetcher
    scheme: str = "https"  # http only for tests on 127.0.0.1
    backoff: Backoff = Backoff()
    post_limit: int = MASTODON_POSTS
    now: Callable[[], datetime] | None = None

    def __post_init__(self) -> None:
        if self.scheme not in ("https", "http"):
            raise ValueError("scheme must be https or http")
        _bounded("post_limit", self.post_limit, 1, 40)

    @property
    def platform(self) -> Platform:
        return Platform.MASTODON

    @staticmethod
    def _classify(exc: FetchError, what: str) -> SourceError:
        said = _str(_error_body(exc).get("error")).strip()[:200] or None
        if exc.status in (404, 410):
            return NotFound(Platform.MASTODON, f"{what}: {said or 'not found'}", code=said)
        if exc.status in (401, 403):
            return AuthRequired(
                Platform.MASTODON,
                f"{what}: this instance shows it only to signed-in users",
                code=said,
                platform_wide=False,
            )
        return _generic(Platform.MASTODON, exc, what)

    def snapshot(self, handle: str) -> Snapshot:
        user, _, instance = handle.strip().removeprefix("@").partition("@")
        instance = instance.lower()
        if not (MASTODON_USER.match(user) and MASTODON_INSTANCE.match(instance)):
            raise BadHandle(Platform.MASTODON, "not a Mastodon handle (user@instance)")
        at = (self.now or clock.now)()
        root = f"{self.scheme}://{instance}/api/v1/accounts"
        account = self._call(f"{root}/lookup?{urlencode({'acct': user})}", "account")
        account_id = _str(account.get("id"))
        if not account_id:
            raise BadResponse(Platform.MASTODON, "account: the answer has no account id")
        query = urlencode({"limit": self.post_limit, "exclude_replies": "true", "exclude_reblogs": "true"})
        statuses = self._call(f"{root}/{quote(account_id, safe='')}/statuses?{query}", "posts", list)
        posts = [p for s in _objs(statuses) if s.get("reblog") is None and (p := self._post(s)) is not None]
        bio, _ = html_to_text(_str(account.get("note")))
        return Snapshot(
            platform=Platform.MASTODON,
            handle=f"{user}@{instance}",
            at=at,
            followers=_count(account.get("followers_count")),
            following=_count(account.get("following_count")),
            posts_count=_count(account.get("statuses_count")),
            display_name=_opt(account.get("display_name")),
            bio=bio or None,
            external_id=account_id,
            recent_posts=_newest_first(posts),
            notes=(
                f"recent_posts: the {len(posts)} newest public posts (up to {self.post_limit} read; replies "
                "and boosts left out)",
                "comments: not sampled on Mastodon",
                "follower_sample: not read on Mastodon (follower lists are per instance and often hidden)",
            ),
        )

    def _call(self, url: str, what: str, shape: type[dict[str, Any]] | type[list[Any]] = dict) -> Any:
        # Rate limits are per instance: one busy instance says nothing about the next creator's.
        return _get_json(
            self.fetcher,
            url,
            platform=Platform.MASTODON,
            what=what,
            backoff=self.backoff,
            classify=self._classify,
            rate_limit_platform_wide=False,
            shape=shape,
        )

    @staticmethod
    def _post(status: dict[str, Any]) -> RecentPost | None:
        url = _str(status.get("url")) or _str(status.get("uri"))
        if not url:
            return None
        text, _ = html_to_text(_str(status.get("content")))
        warning = _str(status.get("spoiler_text")).strip()
        return RecentPost(
            url=url,
            published_at=_when(status.get("created_at")),
            text="\n".join(p for p in (warning, text) if p),
            likes=_count(status.get("favourites_count")),
            comments=_count(status.get("replies_count")),
            shares=_count(status.get("reblogs_count")),
        )


# --- many creators --------------------------------------------------------------------------------


def _same_account_key(handle: str) -> str:
    """Handles are case-insensitive on all three platforms; YouTube channel ids and DIDs are not."""
    bare = handle.removeprefix("@")
    return bare if YOUTUBE_CHANNEL.match(bare) or bare.startswith("did:") else bare.lower()


def enrich_many(source: ProfileSource, handles: Iterable[str]) -> tuple[list[Snapshot], list[Failure]]:
    """Snapshot every handle (each once, in order); one creator's error is that creator's `Failure`.
    After a platform-wide error (quota, rate limit, a refused key) the rest are not tried, and
    say so, rather than each spending its own retries on the same wall."""
    snapshots: list[Snapshot] = []
    failures: list[Failure] = []
    stopped: SourceError | None = None
    seen: set[str] = set()
    for raw in handles:
        handle = raw.strip()
        if not handle:
            failures.append(Failure(raw, "no handle given"))
            continue
        key = _same_account_key(handle)
        if key in seen:
            continue
        seen.add(key)
        if stopped is not None:
            failures.append(Failure(handle, f"{source.platform.value}: not tried: {stopped.reason}"))
            continue
        try:
            snapshots.append(source.snapshot(handle))
        except SourceError as exc:
            failures.append(Failure(handle, str(exc)))
            if exc.platform_wide:
                stopped = exc
        except Exception as exc:  # one creator's surprise must not end the run; no trace in the reason
            log.warning("discovery %s snapshot failed: %s", source.platform.value, type(exc).__name__)
            failures.append(
                Failure(
                    handle, f"{source.platform.value}: unexpected {type(exc).__name__} reading this profile"
                )
            )
    return snapshots, failures
