"""What a source tells about one creator on one platform, in a compact shape every source fills
the same way and every score reads: a snapshot of counts, recent posts with their engagement,
a sample of comments and a sample of followers where the platform shows them.

Everything here is public data about the creator's account; a follower or commenter is kept only
as the few facts the audit needs (no names, no bios), and `author` is a salted hash, enough to
count repeat commenters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from roster.models.creators import Platform


@dataclass(frozen=True)
class RecentPost:
    """One recent post or video as the platform reports it now."""

    url: str
    published_at: datetime | None
    text: str  # caption, or title + description
    views: int | None = None  # None: the platform does not report views (Bluesky, Mastodon)
    likes: int | None = None
    comments: int | None = None  # replies on Bluesky and Mastodon
    shares: int | None = None  # reposts, boosts


@dataclass(frozen=True)
class Comment:
    text: str
    author: str  # a salted hash of the commenter's account id: repeat commenters, nothing else
    post_url: str


@dataclass(frozen=True)
class FollowerSample:
    """One sampled follower, reduced to what the follower audit reads."""

    has_avatar: bool
    has_bio: bool
    created_at: datetime | None  # None: the platform does not say
    following: int | None
    followers: int | None
    posts: int | None


@dataclass(frozen=True)
class Snapshot:
    """One creator on one platform at one moment."""

    platform: Platform
    handle: str
    at: datetime
    followers: int | None
    following: int | None = None
    posts_count: int | None = None
    display_name: str | None = None
    bio: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 where the platform states it (YouTube)
    topics: tuple[str, ...] = ()  # topic labels the platform assigns (YouTube topicDetails)
    external_id: str | None = None  # the platform's own id (YouTube channel id, Bluesky DID)
    recent_posts: tuple[RecentPost, ...] = ()
    comments: tuple[Comment, ...] = ()  # a sample across recent posts
    follower_sample: tuple[FollowerSample, ...] = ()
    # What the sampling covered, stated beside every figure built on it.
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Growth:
    """Follower counts of past snapshots, oldest first: (when, followers)."""

    points: tuple[tuple[datetime, int], ...]


# Stored shape -------------------------------------------------------------------------------------
# The store keeps snapshots as plain JSON (it ranks below discovery and does not know these types);
# texts are cut so a whole snapshot stays far below DynamoDB's 400 KB item limit.
POST_TEXT_CHARS = 1_000
COMMENT_TEXT_CHARS = 300
BIO_CHARS = 1_000


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parsed(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def to_dict(snapshot: Snapshot) -> dict[str, object]:
    """JSON-safe, compact: what the store keeps and the API shows."""
    return {
        "platform": snapshot.platform.value,
        "handle": snapshot.handle,
        "at": snapshot.at.isoformat(),
        "followers": snapshot.followers,
        "following": snapshot.following,
        "posts_count": snapshot.posts_count,
        "display_name": snapshot.display_name,
        "bio": (snapshot.bio or "")[:BIO_CHARS] or None,
        "country": snapshot.country,
        "topics": list(snapshot.topics),
        "external_id": snapshot.external_id,
        "recent_posts": [
            {
                "url": p.url,
                "published_at": _time(p.published_at),
                "text": p.text[:POST_TEXT_CHARS],
                "views": p.views,
                "likes": p.likes,
                "comments": p.comments,
                "shares": p.shares,
            }
            for p in snapshot.recent_posts
        ],
        "comments": [
            {"text": c.text[:COMMENT_TEXT_CHARS], "author": c.author, "post_url": c.post_url}
            for c in snapshot.comments
        ],
        "follower_sample": [
            {
                "has_avatar": f.has_avatar,
                "has_bio": f.has_bio,
                "created_at": _time(f.created_at),
                "following": f.following,
                "followers": f.followers,
                "posts": f.posts,
            }
            for f in snapshot.follower_sample
        ],
        "notes": list(snapshot.notes),
    }


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def from_dict(data: dict[str, object]) -> Snapshot:
    """The inverse of `to_dict` (DynamoDB hands numbers back as Decimal: the store converts them)."""

    def rows(name: str) -> list[dict[str, object]]:
        value = data.get(name)
        return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

    at = _parsed(data.get("at"))
    if at is None:
        raise ValueError("a stored snapshot has no time")
    topics = data.get("topics")
    notes = data.get("notes")
    return Snapshot(
        platform=Platform(str(data["platform"])),
        handle=str(data["handle"]),
        at=at,
        followers=_int(data.get("followers")),
        following=_int(data.get("following")),
        posts_count=_int(data.get("posts_count")),
        display_name=_str(data.get("display_name")),
        bio=_str(data.get("bio")),
        country=_str(data.get("country")),
        topics=tuple(str(t) for t in topics) if isinstance(topics, list) else (),
        external_id=_str(data.get("external_id")),
        recent_posts=tuple(
            RecentPost(
                url=str(p["url"]),
                published_at=_parsed(p.get("published_at")),
                text=str(p.get("text") or ""),
                views=_int(p.get("views")),
                likes=_int(p.get("likes")),
                comments=_int(p.get("comments")),
                shares=_int(p.get("shares")),
            )
            for p in rows("recent_posts")
        ),
        comments=tuple(
            Comment(
                text=str(c.get("text") or ""),
                author=str(c.get("author") or ""),
                post_url=str(c.get("post_url") or ""),
            )
            for c in rows("comments")
        ),
        follower_sample=tuple(
            FollowerSample(
                has_avatar=bool(f.get("has_avatar")),
                has_bio=bool(f.get("has_bio")),
                created_at=_parsed(f.get("created_at")),
                following=_int(f.get("following")),
                followers=_int(f.get("followers")),
                posts=_int(f.get("posts")),
            )
            for f in rows("follower_sample")
        ),
        notes=tuple(str(n) for n in notes) if isinstance(notes, list) else (),
    )
