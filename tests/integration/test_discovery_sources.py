"""Discovery sources against recorded YouTube, Bluesky and Mastodon answers served on 127.0.0.1
through the real `Fetcher`: parsing into snapshots, quota units, rate-limit retries (sleeps
recorded, never slept), and one creator's failure staying that creator's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from roster.discovery.profiles import Snapshot
from roster.discovery.sources import (
    SNAPSHOT_UNITS,
    AuthRequired,
    Backoff,
    BadHandle,
    BlueskySource,
    MastodonSource,
    Quota,
    QuotaExhausted,
    SourceError,
    SourceUnavailable,
    YouTubeSource,
    author_hash,
    enrich_many,
)
from roster.models.creators import Platform
from roster.web.fetch import Fetcher, FetchError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "discovery"
KEY = "AIzaTestKey-not-a-real-one-0123456789"
SALT = b"discovery-test-salt-32-bytes-long"
AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MAYA = "UCtrailMayaRuns0000000Zq"
MAYA_DID = "did:plc:mayaruns7xq2lt4vz5k3ab6c"
RAW_COMMENTERS = ("UCfanAlpha00000000000001", "UCfanBravo00000000000002", "UCfanCharl00000000000003")


# --- a recorded-answer server ---------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class Route:
    path: str
    where: dict[str, str]
    replies: list[Reply]


@dataclass
class ApiServer:
    """Routes match a path and some query parameters (`_host` matches the Host header); a route's
    replies are played in order, the last one repeating."""

    routes: list[Route] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def instance(self) -> str:
        return f"127.0.0.1:{self.port}"

    def on(self, path: str, *replies: Reply, **where: str) -> None:
        self.routes.append(Route(path, where, list(replies)))

    def calls(self, path: str) -> list[dict[str, str]]:
        return [query for p, query in self.requests if p == path]

    def answer(self, path: str, query: dict[str, str]) -> Reply:
        with self.lock:
            self.requests.append((path, {k: v for k, v in query.items() if k != "_host"}))
            for route in reversed(self.routes):
                if route.path == path and all(query.get(k) == v for k, v in route.where.items()):
                    return route.replies.pop(0) if len(route.replies) > 1 else route.replies[0]
        return Reply(404, b'{"error": "no route"}')


def fixture(name: str) -> Reply:
    return Reply(body=(FIXTURES / name).read_bytes())


def error(name: str, status: int, retry_after: str | None = None) -> Reply:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Reply(status, (FIXTURES / name).read_bytes(), headers)


@contextmanager
def serving() -> Iterator[ApiServer]:
    """The recorded-answer server on 127.0.0.1, for as long as the block runs."""
    state = ApiServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            query["_host"] = (self.headers.get("Host") or "").split(":")[0]
            reply = state.answer(parts.path, query)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def api() -> Iterator[ApiServer]:
    with serving() as state:
        yield state


FETCHER = Fetcher(allow_loopback=True, timeout=5.0)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def youtube(
    api: ApiServer, quota: Quota | None = None, sleeps: Sleeps | None = None, **kw: int
) -> YouTubeSource:
    return YouTubeSource(
        FETCHER,
        KEY,
        SALT,
        quota=quota or Quota(),
        base=api.base,
        backoff=Backoff(sleep=sleeps if sleeps is not None else Sleeps()),
        now=lambda: AT,
        **kw,
    )


def serve_maya(api: ApiServer) -> None:
    api.on("/youtube/v3/channels", fixture("youtube/channels_maya.json"), forHandle="@mayaruns")
    api.on("/youtube/v3/channels", fixture("youtube/channels_maya.json"), id=MAYA)
    api.on(
        "/youtube/v3/playlistItems", fixture("youtube/playlist_items_maya.json"), playlistId="UU" + MAYA[2:]
    )
    api.on("/youtube/v3/videos", fixture("youtube/videos_maya.json"))
    for vid in ("MayaVid0003", "MayaVid0001"):
        api.on("/youtube/v3/commentThreads", fixture(f"youtube/comment_threads_{vid}.json"), videoId=vid)
    api.on(
        "/youtube/v3/commentThreads",
        error("youtube/error_comments_disabled.json", 403),
        videoId="MayaVid0004",
    )


# --- YouTube --------------------------------------------------------------------------------------


def test_youtube_snapshot_reads_counts_topics_videos_and_hashed_comments(api: ApiServer) -> None:
    serve_maya(api)
    quota = Quota()
    snap = youtube(api, quota).snapshot("@mayaruns")

    assert (snap.platform, snap.handle, snap.external_id, snap.at) == (Platform.YOUTUBE, "mayaruns", MAYA, AT)
    assert (snap.followers, snap.following, snap.posts_count) == (48200, None, 212)
    assert snap.display_name == "Maya Runs Trails" and snap.country == "US"
    assert snap.topics == ("Lifestyle (sociology)", "Physical fitness", "Sport")
    # The videos answer is out of order; the snapshot is newest first.
    assert [p.url.rsplit("=", 1)[1] for p in snap.recent_posts] == [f"MayaVid000{i}" for i in (1, 2, 3, 4, 5)]
    hundred = snap.recent_posts[2]
    assert (hundred.views, hundred.likes, hundred.comments, hundred.shares) == (40210, 2950, 310, None)
    assert hundred.text.startswith("I ran my first 100 miler") and "mile 62" in hundred.text
    assert hundred.published_at == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
    quiet = snap.recent_posts[1]  # likes and comments hidden by the creator
    assert (quiet.views, quiet.likes, quiet.comments) == (2388, None, None)

    # Comments from the three most-viewed videos that have comments (v3, v1, v4), in that order;
    # v4's are off, v2 shows no comment count, v5 is fourth by views.
    assert [q["videoId"] for q in api.calls("/youtube/v3/commentThreads")] == [
        "MayaVid0003",
        "MayaVid0001",
        "MayaVid0004",
    ]
    assert all(
        q["order"] == "time" and q["textFormat"] == "plainText"
        for q in api.calls("/youtube/v3/commentThreads")
    )
    assert len(snap.comments) == 6  # 4 + 3, less the one without an author id
    assert [c.post_url.rsplit("=", 1)[1] for c in snap.comments] == ["MayaVid0003"] * 4 + ["MayaVid0001"] * 2
    alpha = author_hash(SALT, Platform.YOUTUBE, RAW_COMMENTERS[0])
    assert [c.author for c in snap.comments].count(alpha) == 3  # a repeat commenter across videos
    assert len({c.author for c in snap.comments}) == 4
    assert all(len(c.author) == 20 and not c.author.startswith("UC") for c in snap.comments)
    assert not any(raw in repr(snap) for raw in RAW_COMMENTERS)
    assert author_hash(b"another-salt-of-sixteen+", Platform.YOUTUBE, RAW_COMMENTERS[0]) != alpha
    assert snap.comments[0].text.startswith("Mile 62 is where")
    assert any("turned off or unavailable on 1" in n for n in snap.notes)
    assert any("three significant figures" in n for n in snap.notes)

    assert quota.used == SNAPSHOT_UNITS == 6
    assert quota.by_method == {"channels": 1, "playlistItems": 1, "videos": 1, "commentThreads": 3}
    channel_q = api.calls("/youtube/v3/channels")[0]
    assert channel_q["part"] == "snippet,statistics,topicDetails,contentDetails" and channel_q["key"] == KEY
    assert "maxResults" not in api.calls("/youtube/v3/videos")[0]  # not allowed with id=


def test_youtube_hidden_subscribers_and_no_uploads(api: ApiServer) -> None:
    quiet = "UCquietCyclist000000000B"
    api.on("/youtube/v3/channels", fixture("youtube/channels_hidden.json"), id=quiet)
    api.on("/youtube/v3/playlistItems", error("youtube/error_playlist_not_found.json", 404))
    quota = Quota()
    snap = youtube(api, quota).snapshot(quiet)
    assert snap.followers is None and snap.posts_count == 0 and snap.country is None and snap.topics == ()
    assert snap.recent_posts == () and snap.comments == () and snap.bio is None
    assert "followers: the channel hides its subscriber count" in snap.notes
    assert quota.by_method == {"channels": 1, "playlistItems": 1}  # no videos call for no videos
    assert api.calls("/youtube/v3/videos") == [] and api.calls("/youtube/v3/commentThreads") == []


def test_youtube_search_costs_100_units(api: ApiServer) -> None:
    api.on("/youtube/v3/search", fixture("youtube/search_channels.json"))
    quota = Quota()
    hits = youtube(api, quota).search("trail running", max_results=2)
    assert [(h.handle, h.display_name) for h in hits] == [
        (MAYA, "Maya Runs Trails"),
        ("UCultraDadRuns00000000Xy", "Ultra Dad"),
    ]
    assert hits[0].bio is not None and hits[0].bio.startswith("Trail running")
    assert quota.used == 100 and quota.by_method == {"search": 100}
    q = api.calls("/youtube/v3/search")[0]
    assert (q["type"], q["part"], q["q"], q["maxResults"]) == ("channel", "snippet", "trail running", "2")


def test_quota_exhausted_is_raised_before_calling(api: ApiServer) -> None:
    serve_maya(api)
    api.on("/youtube/v3/search", fixture("youtube/search_channels.json"))
    quota = Quota(budget=10_000, used=9_950)
    source = youtube(api, quota)
    with pytest.raises(QuotaExhausted) as raised:
        source.search("trail running")
    assert "search needs 100 units, 50 of 10000 left" in str(raised.value)
    assert api.requests == [] and quota.used == 9_950

    tight = Quota(used=10_000 - SNAPSHOT_UNITS + 1)  # 5 left: a snapshot may need 6
    with pytest.raises(QuotaExhausted, match="a channel snapshot needs 6 units, 5 of 10000 left"):
        youtube(api, tight).snapshot("mayaruns")
    assert api.requests == []

    exact = Quota(used=10_000 - SNAPSHOT_UNITS)
    youtube(api, exact).snapshot("mayaruns")
    assert exact.remaining == 0


def test_quota_exceeded_answer_stops_the_run(api: ApiServer) -> None:
    api.on("/youtube/v3/channels", error("youtube/error_quota.json", 403))
    quota = Quota(used=12)
    snaps, failures = enrich_many(youtube(api, quota), ["mayaruns", "otherrunner", "third"])
    assert snaps == []
    assert failures[0].reason == "youtube: channel: YouTube says the daily quota is used up"
    assert [f.handle for f in failures] == ["mayaruns", "otherrunner", "third"]
    assert all(f.reason.startswith("youtube: not tried: ") for f in failures[1:])
    assert quota.remaining == 0 and len(api.calls("/youtube/v3/channels")) == 1


def test_refused_key_is_named_without_the_key(api: ApiServer) -> None:
    api.on("/youtube/v3/channels", error("youtube/error_key_invalid.json", 400))
    snaps, failures = enrich_many(youtube(api), ["mayaruns", "other"])
    assert snaps == []
    assert failures[0].reason == "youtube: channel: the API key was refused (API_KEY_INVALID)"
    assert "not tried" in failures[1].reason
    assert all(KEY not in f.reason and "key=" not in f.reason for f in failures)


def test_rate_limited_then_ok_honours_retry_after_capped(api: ApiServer) -> None:
    serve_maya(api)
    api.on(
        "/youtube/v3/channels",
        error("youtube/error_rate_limit.json", 429, "7"),
        error("youtube/error_rate_limit.json", 429, "120"),  # capped at max_wait
        Reply(403, (FIXTURES / "youtube/error_rate_limit.json").read_bytes().replace(b"429", b"403")),
        fixture("youtube/channels_maya.json"),
    )
    sleeps = Sleeps()
    quota = Quota()
    snap = youtube(api, quota, sleeps).snapshot("mayaruns")
    assert snap.followers == 48200
    # Retry-After 7, then 120 capped at 30, then a 403 rateLimitExceeded without one: 2 s doubled twice.
    assert sleeps == [7.0, 30.0, 8.0]
    assert quota.by_method["channels"] == 4  # every attempt is a request the API charges


def test_rate_limited_forever_is_source_unavailable(api: ApiServer) -> None:
    api.on("/xrpc/app.bsky.actor.getProfile", error("bluesky/error_rate_limit.json", 429))
    sleeps = Sleeps()
    source = BlueskySource(FETCHER, base=api.base, backoff=Backoff(retries=2, first_wait=1.5, sleep=sleeps))
    with pytest.raises(SourceUnavailable) as raised:
        source.snapshot("mayaruns.bsky.social")
    assert str(raised.value) == "bluesky: profile: still rate limited after 3 attempts"
    assert raised.value.platform is Platform.BLUESKY and raised.value.platform_wide
    assert sleeps == [1.5, 3.0] and len(api.calls("/xrpc/app.bsky.actor.getProfile")) == 3


def test_503_retried_only_when_it_says_when(api: ApiServer) -> None:
    api.on(
        "/xrpc/app.bsky.actor.getProfile",
        Reply(503, b"busy", {"Retry-After": "4"}),
        fixture("bluesky/get_profile.json"),
    )
    api.on("/xrpc/app.bsky.feed.getAuthorFeed", fixture("bluesky/get_author_feed.json"))
    api.on("/xrpc/app.bsky.graph.getFollowers", Reply(503, b"down for maintenance"))
    sleeps = Sleeps()
    source = BlueskySource(FETCHER, base=api.base, backoff=Backoff(sleep=sleeps))
    with pytest.raises(SourceUnavailable, match=r"^bluesky: followers: server error 503$") as raised:
        source.snapshot("mayaruns.bsky.social")
    assert sleeps == [4.0] and not raised.value.platform_wide
    assert len(api.calls("/xrpc/app.bsky.graph.getFollowers")) == 1


def test_fetch_error_carries_retry_after_seconds_only(api: ApiServer) -> None:
    api.on("/a", Reply(429, b"", {"Retry-After": "12"}))
    api.on("/b", Reply(429, b"", {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}))
    api.on("/c", Reply(404, b"", {"Retry-After": "12"}))
    found = []
    for path in ("/a", "/b", "/c"):
        with pytest.raises(FetchError) as raised:
            FETCHER.get(api.base + path)
        found.append((raised.value.status, raised.value.retry_after))
    assert found == [(429, 12.0), (429, None), (404, None)]


# --- Bluesky --------------------------------------------------------------------------------------


def serve_bluesky(api: ApiServer) -> None:
    api.on(
        "/xrpc/app.bsky.actor.getProfile", fixture("bluesky/get_profile.json"), actor="mayaruns.bsky.social"
    )
    api.on(
        "/xrpc/app.bsky.actor.getProfile",
        fixture("bluesky/error_profile_not_found.json"),
        actor="nobody.bsky.social",
    )
    api.routes[-1].replies[0].status = 400
    api.on("/xrpc/app.bsky.feed.getAuthorFeed", fixture("bluesky/get_author_feed.json"), actor=MAYA_DID)
    api.on("/xrpc/app.bsky.graph.getFollowers", fixture("bluesky/get_followers.json"), actor=MAYA_DID)


def test_bluesky_snapshot_own_posts_and_follower_sample(api: ApiServer) -> None:
    serve_bluesky(api)
    snap = BlueskySource(FETCHER, base=api.base, now=lambda: AT).snapshot("@MayaRuns.bsky.social")
    assert (snap.platform, snap.handle, snap.external_id) == (
        Platform.BLUESKY,
        "mayaruns.bsky.social",
        MAYA_DID,
    )
    assert (snap.followers, snap.following, snap.posts_count) == (3120, 412, 1874)
    assert snap.bio is not None and snap.bio.startswith("Trail & ultra runner")
    # Reposts are not new posts: of @trailnews, nor Maya re-sharing her own sunrise post.
    assert [p.url.rsplit("/", 1)[1] for p in snap.recent_posts] == [
        "3lbx7kq2m4s2a",
        "3lbs2jd8x7c2z",
        "3lbkzq9w3pe2y",
        "3lbdx4tfhzk2x",
    ]
    first = snap.recent_posts[0]
    assert first.url == f"https://bsky.app/profile/{MAYA_DID}/post/3lbx7kq2m4s2a"
    assert (first.views, first.likes, first.shares, first.comments) == (None, 212, 14, 9)
    assert first.published_at == datetime(2026, 11, 20, 17, 45, 12, 118000, tzinfo=UTC)
    assert snap.comments == ()

    sample = snap.follower_sample
    assert [f.has_avatar for f in sample] == [True, False, True, True, False]
    assert [f.has_bio for f in sample] == [True, False, True, False, True]  # a blank bio is no bio
    assert sample[1].created_at == datetime(2026, 11, 19, 3, 12, tzinfo=UTC) and sample[4].created_at is None
    assert all(f.followers is None and f.following is None and f.posts is None for f in sample)
    assert any("carry no counts" in n for n in snap.notes)
    assert "account created 2023-05-02T18:21:07.412Z" in snap.notes

    feed_q = api.calls("/xrpc/app.bsky.feed.getAuthorFeed")[0]
    assert (feed_q["actor"], feed_q["filter"], feed_q["limit"]) == (MAYA_DID, "posts_no_replies", "50")
    assert api.calls("/xrpc/app.bsky.graph.getFollowers")[0]["limit"] == "100"


def test_bluesky_search_actors_and_post_search_needing_auth(api: ApiServer) -> None:
    api.on("/xrpc/app.bsky.actor.searchActors", fixture("bluesky/search_actors.json"))
    api.on(
        "/xrpc/app.bsky.feed.searchPosts",
        Reply(403, b"Request forbidden by administrative rules.", content_type="text/plain"),
    )
    source = BlueskySource(FETCHER, base=api.base)
    hits = source.search_actors("trail running", limit=10)
    assert [(h.handle, h.external_id) for h in hits] == [
        ("mayaruns.bsky.social", MAYA_DID),
        ("trailnews.bsky.social", "did:plc:trailnews3o5nfzq2xk7ydw4"),
    ]
    assert api.calls("/xrpc/app.bsky.actor.searchActors")[0] == {"q": "trail running", "limit": "10"}
    with pytest.raises(AuthRequired, match="post search needs a signed-in session") as raised:
        source.search_posts("peak gear")
    assert raised.value.platform_wide


def test_bluesky_post_search_where_it_is_answered(api: ApiServer) -> None:
    api.on("/xrpc/app.bsky.feed.searchPosts", fixture("bluesky/search_posts.json"))
    hits = BlueskySource(FETCHER, base=api.base).search_posts("peak gear", limit=5)
    assert len(hits) == 1 and hits[0].handle == "mayaruns.bsky.social"
    assert hits[0].post is not None and hits[0].post.likes == 388 and "#ad" in hits[0].post.text


# --- Mastodon -------------------------------------------------------------------------------------


def serve_mastodon(api: ApiServer) -> None:
    api.on("/api/v1/accounts/lookup", fixture("mastodon/account_lookup.json"), acct="samclimbs")
    api.on("/api/v1/accounts/lookup", error("mastodon/error_not_found.json", 404), acct="ghost")
    api.on("/api/v1/accounts/109382461201456789/statuses", fixture("mastodon/statuses.json"))


def test_mastodon_snapshot(api: ApiServer) -> None:
    serve_mastodon(api)
    source = MastodonSource(FETCHER, scheme="http", now=lambda: AT)
    snap = source.snapshot(f"@samclimbs@{api.instance}")
    assert (snap.handle, snap.external_id) == (f"samclimbs@{api.instance}", "109382461201456789")
    assert (snap.followers, snap.following, snap.posts_count) == (1843, 266, 1290)
    assert snap.bio == "Climber & route setter in Boulder. Gear I actually use.\nsamclimbs.example"
    assert len(snap.recent_posts) == 3  # the boost is left out
    sent = snap.recent_posts[0]
    assert sent.url == "https://mastodon.social/@samclimbs/113520441902113455"
    assert sent.text == "Sent my project today! 5.12b after three seasons. #climbing"
    assert (sent.likes, sent.shares, sent.comments, sent.views) == (131, 12, 18, None)
    assert snap.recent_posts[1].text.startswith("gear review, #ad\nTesting the Peak Gear harness.")
    assert snap.follower_sample == () and snap.comments == ()
    q = api.calls("/api/v1/accounts/109382461201456789/statuses")[0]
    assert q == {"limit": "40", "exclude_replies": "true", "exclude_reblogs": "true"}


def test_mastodon_rate_limit_is_per_instance(api: ApiServer) -> None:
    api.on("/api/v1/accounts/lookup", fixture("mastodon/account_lookup.json"))
    api.on("/api/v1/accounts/109382461201456789/statuses", fixture("mastodon/statuses.json"))
    api.on("/api/v1/accounts/lookup", Reply(429, b'{"error": "Too many requests"}'), _host="busy.test")
    fetcher = Fetcher(allow_loopback=True, timeout=5.0, resolver=lambda host, port: ["127.0.0.1"])
    source = MastodonSource(fetcher, scheme="http", backoff=Backoff(retries=1, sleep=Sleeps()))
    snaps, failures = enrich_many(source, [f"sam@busy.test:{api.port}", f"samclimbs@calm.test:{api.port}"])
    assert [s.handle for s in snaps] == [f"samclimbs@calm.test:{api.port}"]  # tried despite the busy one
    assert failures[0].reason == "mastodon: account: still rate limited after 2 attempts"


# --- many creators --------------------------------------------------------------------------------


def test_enrich_many_one_bad_handle_fails_alone(api: ApiServer) -> None:
    serve_mastodon(api)
    good = f"samclimbs@{api.instance}"
    handles = [
        good,
        f"ghost@{api.instance}",
        "not a handle",
        f"SAMCLIMBS@{api.instance}",
        "  ",
        f"samclimbs@{api.instance}",
    ]
    snaps, failures = enrich_many(MastodonSource(FETCHER, scheme="http"), handles)
    assert [s.handle for s in snaps] == [good]  # duplicates read once
    assert [(f.handle, f.reason) for f in failures] == [
        (f"ghost@{api.instance}", "mastodon: account: Record not found"),
        ("not a handle", "mastodon: not a Mastodon handle (user@instance)"),
        ("  ", "no handle given"),
    ]
    assert len(api.calls("/api/v1/accounts/lookup")) == 2


def test_enrich_many_bluesky_not_found_and_malformed_json(api: ApiServer) -> None:
    serve_bluesky(api)
    api.on(
        "/xrpc/app.bsky.actor.getProfile",
        Reply(body=b'{"did": "did:plc:broken", "handle": '),
        actor="broken.bsky.social",
    )
    api.on(
        "/xrpc/app.bsky.actor.getProfile", Reply(body=b'["not", "an", "object"]'), actor="list.bsky.social"
    )
    handles = [
        "nobody.bsky.social",
        "broken.bsky.social",
        "mayaruns.bsky.social",
        "list.bsky.social",
        "did:web",
    ]
    snaps, failures = enrich_many(BlueskySource(FETCHER, base=api.base), handles)
    assert [s.handle for s in snaps] == ["mayaruns.bsky.social"]
    assert [(f.handle, f.reason) for f in failures] == [
        ("nobody.bsky.social", "bluesky: profile: not found (InvalidRequest: Profile not found)"),
        ("broken.bsky.social", "bluesky: profile: the answer is not JSON"),
        ("list.bsky.social", "bluesky: profile: the answer is not a JSON object"),
        ("did:web", "bluesky: not a Bluesky handle or DID"),
    ]
    assert all("Traceback" not in f.reason for f in failures)


def test_enrich_many_youtube_missing_channel_and_malformed_videos(api: ApiServer) -> None:
    serve_maya(api)
    api.on("/youtube/v3/channels", fixture("youtube/channels_none.json"), forHandle="@nobody")
    api.on("/youtube/v3/channels", fixture("youtube/channels_maya.json"), forHandle="@garbled")
    api.on("/youtube/v3/videos", Reply(body=b"<html>oops</html>", content_type="text/html"))
    source = youtube(api)
    snaps, failures = enrich_many(source, ["nobody", "garbled"])
    assert snaps == []
    assert [(f.handle, f.reason) for f in failures] == [
        ("nobody", "youtube: no channel for @nobody"),
        ("garbled", "youtube: videos: the answer is not JSON"),
    ]


class Flaky:
    """A source with a bug for one handle: the run must go on without it."""

    platform = Platform.BLUESKY

    def snapshot(self, handle: str) -> Snapshot:
        if handle == "boom":
            raise KeyError("internal detail")
        return Snapshot(Platform.BLUESKY, handle, AT, followers=1)


def test_enrich_many_keeps_going_after_an_unexpected_error() -> None:
    snaps, failures = enrich_many(Flaky(), ["a", "boom", "b"])
    assert [s.handle for s in snaps] == ["a", "b"]
    assert [(f.handle, f.reason) for f in failures] == [
        ("boom", "bluesky: unexpected KeyError reading this profile")
    ]


def test_enrich_many_reads_each_account_once() -> None:
    handles = ["did:plc:abc", "did:plc:ABC", "Maya.bsky.social", "@maya.bsky.social", MAYA, MAYA.lower()]
    snaps, failures = enrich_many(Flaky(), handles)
    # DIDs and channel ids are case-sensitive (two accounts); handles are not (one).
    assert [s.handle for s in snaps] == ["did:plc:abc", "did:plc:ABC", "Maya.bsky.social", MAYA, MAYA.lower()]
    assert failures == []


def test_bad_construction_is_refused() -> None:
    with pytest.raises(ValueError, match="salt"):
        YouTubeSource(FETCHER, KEY, b"short")
    with pytest.raises(ValueError, match="API key"):
        YouTubeSource(FETCHER, "  ", SALT)
    with pytest.raises(ValueError, match="recent"):
        YouTubeSource(FETCHER, KEY, SALT, recent=51)
    with pytest.raises(ValueError, match="post_limit"):
        BlueskySource(FETCHER, post_limit=101)
    with pytest.raises(ValueError, match="scheme"):
        MastodonSource(FETCHER, scheme="ftp")
    with pytest.raises(BadHandle):
        YouTubeSource(FETCHER, KEY, SALT).snapshot("has spaces in it")
    with pytest.raises(SourceError):  # BadHandle, before any fetch
        MastodonSource(FETCHER).snapshot("nobody")
