"""Post monitoring end to end in-process: fixture feeds served over HTTP on 127.0.0.1, the API
starting a run, the SQS worker (the real handler, fed by moto's queue) reading the feeds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from local import template as tpl
from roster.deps import deps, reset
from roster.monitoring import monitor
from tests.feedserver import FeedServer, feed_server
from tests.integration.conftest import NAMES, Client, Worker, table_snapshot

YT_CHANNEL = "UCmaYaTrailRuns00000000a"
CAMPAIGN = {
    "name": "Peak Gear winter",
    "objective": "awareness",
    "start_date": "2026-11-01",
    "end_date": "2026-12-31",
    "status": "active",
    "allowed_domains": ["shop.example.com"],
    "content": {"hashtags": ["PeakGear"], "banned_terms": ["cheap"]},
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    monkeypatch.setenv("LINK_BASE_URL", "https://go.roster.test")  # the host in the fixture posts
    reset()
    with feed_server() as srv:
        yield srv


def creator(a: Client, name: str, platforms: dict[str, Any]) -> dict[str, Any]:
    email = name.lower().replace(" ", ".") + "@example.com"
    status, body = a.call("POST", "/v1/creators", {"name": name, "email": email, "platforms": platforms})
    assert status == 201, body
    return dict(body)


def link(a: Client, campaign: dict[str, Any], who: dict[str, Any], code: str) -> None:
    body = {
        "campaign_id": campaign["id"],
        "creator_id": who["id"],
        "destination": "https://shop.example.com/winter",
        "code": code,
    }
    assert a.call("POST", "/v1/links", body)[0] == 201


@pytest.fixture
def roster(brand_a: Client, server: FeedServer) -> dict[str, Any]:
    yt = server.fixture("/feeds/videos.xml", "feeds/youtube_channel.xml", "application/atom+xml")
    blog = server.fixture("/lena/feed/", "feeds/wordpress.xml", "application/rss+xml")
    toots = server.fixture("/@samclimbs.rss", "feeds/mastodon.rss", "application/rss+xml")
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN)[1]
    maya = creator(
        brand_a,
        "Maya Lopez",
        {"youtube": {"handle": "mayaruns", "feed_url": f"{yt}?channel_id={YT_CHANNEL}"}},
    )
    lena = creator(brand_a, "Lena Park", {"blog": {"handle": "lena", "feed_url": blog}})
    sam = creator(brand_a, "Sam Ortiz", {"mastodon": {"handle": "samclimbs", "feed_url": toots}})
    gone = creator(
        brand_a, "Gone Feed", {"blog": {"handle": "gone", "feed_url": f"{server.base}/missing.xml"}}
    )
    intranet = creator(
        brand_a, "Intranet Feed", {"blog": {"handle": "intra", "feed_url": "http://10.0.0.7/feed"}}
    )
    for who, code in (
        (maya, "MAYAPEAK1"),
        (lena, "LENAPEAK1"),
        (sam, "SAMPEAK01"),
        (gone, "GONE0001"),
        (intranet, "INTRA001"),
    ):
        link(brand_a, campaign, who, code)
    creator(brand_a, "Not In Campaign", {"blog": {"handle": "other", "feed_url": blog}})
    return {"campaign": campaign, "maya": maya, "lena": lena, "sam": sam, "gone": gone, "intranet": intranet}


def run(a: Client, campaign_id: str) -> dict[str, Any]:
    status, started = a.call("POST", f"/v1/campaigns/{campaign_id}/monitor")
    assert status == 202, started
    Worker("MonitorWorkerFunction").drain()
    status, state = a.call("GET", f"/v1/campaigns/{campaign_id}/monitor")
    assert status == 200
    assert state["runs"][0]["id"] == started["id"]
    return dict(state["runs"][0])


def test_monitor_run_finds_posts_checks_them_and_reports_failing_feeds(
    brand_a: Client, roster: dict[str, Any], server: FeedServer, published: list[Any]
) -> None:
    campaign_id = roster["campaign"]["id"]
    result = run(brand_a, campaign_id)
    assert result["status"] == "completed" and result["trigger"] == "api"
    assert (result["creators_queued"], result["creators_done"]) == (5, 5)  # not the creator outside it
    assert (result["feeds_checked"], result["feeds_failed"], result["posts_found"]) == (5, 2, 3)
    errors = {e["creator_id"]: e["error"] for e in result["errors"]}
    assert errors[roster["gone"]["id"]].startswith("HTTP 404")
    assert "non-public address" in errors[roster["intranet"]["id"]]

    library = brand_a.call("GET", f"/v1/campaigns/{campaign_id}/posts")[1]["items"]
    by_creator = {p["creator_id"]: p for p in library}
    assert set(by_creator) == {roster["maya"]["id"], roster["lena"]["id"], roster["sam"]["id"]}
    video = by_creator[roster["maya"]["id"]]
    assert video["url"] == "https://www.youtube.com/watch?v=Vid0TrailA1" and video["source"] == "feed"
    assert video["signals"] == {"link": ["MAYAPEAK1"], "hashtag": ["#PeakGear"]}
    assert video["disclosure"]["result"] == "compliant"
    assert video["metrics"][0]["views"] == 15423 and video["published_at"].startswith("2026-11-18T15:00:07")
    assert by_creator[roster["sam"]["id"]]["disclosure"]["result"] == "buried"  # #ad after 5 hashtags
    assert by_creator[roster["lena"]["id"]]["disclosure"]["result"] != "compliant"  # said only at the end

    alerts = brand_a.call("GET", "/v1/alerts")[1]["items"]
    assert {(a["creator_id"], a["kind"]) for a in alerts} == {
        (roster["sam"]["id"], "disclosure"),
        (roster["lena"]["id"], "disclosure"),
    }
    kinds = [k for k, _ in published]
    assert kinds.count("post.found") == 3 and kinds.count("alert.raised") == 2

    ua = server.hits("/feeds/videos.xml")[0]["user-agent"]
    assert ua.startswith("RosterMonitor/") and "+https://" in ua


def test_second_run_uses_conditional_get_and_duplicates_nothing(
    brand_a: Client, roster: dict[str, Any], server: FeedServer, published: list[Any]
) -> None:
    campaign_id = roster["campaign"]["id"]
    run(brand_a, campaign_id)
    before = len(published)
    again = run(brand_a, campaign_id)
    assert (again["feeds_not_modified"], again["posts_found"], again["alerts_raised"]) == (3, 0, 0)
    second_request = server.hits("/lena/feed/")[1]
    assert second_request["if-none-match"].startswith('"')
    assert len(brand_a.call("GET", f"/v1/campaigns/{campaign_id}/posts")[1]["items"]) == 3
    assert len(published) == before

    # The feed changes: the same post is seen again with new numbers (a second metrics sample).
    feed = server.routes["/feeds/videos.xml"].body.replace(b'views="15423"', b'views="20001"')
    server.serve("/feeds/videos.xml", feed, "application/atom+xml")
    third = run(brand_a, campaign_id)
    assert third["posts_found"] == 0 and third["items_read"] >= 1
    video = next(
        p
        for p in brand_a.call("GET", f"/v1/campaigns/{campaign_id}/posts")[1]["items"]
        if p["creator_id"] == roster["maya"]["id"]
    )
    assert [m["views"] for m in video["metrics"]] == [15423, 20001]


def test_oversized_and_invalid_feeds_fail_alone(
    brand_a: Client, roster: dict[str, Any], server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FETCH_MAX_BYTES", "4096")
    reset()
    server.serve("/lena/feed/", b"<rss>" + b"x" * 10_000 + b"</rss>", "application/rss+xml")
    server.serve("/@samclimbs.rss", b"<html><body>Log in</body></html>", "text/html")
    result = run(brand_a, roster["campaign"]["id"])
    errors = {e["creator_id"]: e["error"] for e in result["errors"]}
    assert "larger than 4096 bytes" in errors[roster["lena"]["id"]]
    assert errors[roster["sam"]["id"]] == "not a valid RSS/Atom feed"
    assert result["posts_found"] == 1 and result["feeds_failed"] == 4  # Maya's feed still read


def test_youtube_data_api_source_with_recorded_responses(
    brand_a: Client, roster: dict[str, Any], server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    boto3.client("ssm").put_parameter(
        Name="/roster/dev/platforms/youtube/api-key", Value="AIza-test-key", Type="SecureString"
    )
    monkeypatch.setenv("YOUTUBE_API_BASE", server.base)
    reset()
    server.fixture("/youtube/v3/playlistItems", "youtube/playlist_items_list.json", "application/json")
    server.fixture("/youtube/v3/videos", "youtube/videos_list.json", "application/json")
    result = run(brand_a, roster["campaign"]["id"])
    assert result["posts_found"] == 3
    (call,) = [p for p, _ in server.requests if p.startswith("/youtube/v3/playlistItems")]
    assert f"playlistId=UU{YT_CHANNEL[2:]}" in call and "key=AIza-test-key" in call
    assert not server.hits("/feeds/videos.xml")  # the API replaces the feed for YouTube
    video = next(
        p
        for p in brand_a.call("GET", f"/v1/campaigns/{roster['campaign']['id']}/posts")[1]["items"]
        if p["creator_id"] == roster["maya"]["id"]
    )
    assert video["metrics"][0] | {"at": None} == {"views": 15873, "likes": 861, "comments": 97, "at": None}

    # Quota exhausted: reported with YouTube's reason, never with the key.
    server.fixture("/youtube/v3/playlistItems", "youtube/error_quota.json", "application/json")
    server.routes["/youtube/v3/playlistItems"].status = 403
    failed = run(brand_a, roster["campaign"]["id"])
    (error,) = [e for e in failed["errors"] if e["creator_id"] == roster["maya"]["id"]]
    assert (
        error["source"] == "youtube_api" and error["error"] == "YouTube API playlistItems: 403 quotaExceeded"
    )
    assert "AIza" not in json.dumps(failed)


def test_missing_post_after_the_due_date_raises_one_alert(
    brand_a: Client, roster: dict[str, Any], published: list[Any]
) -> None:
    campaign_id = roster["campaign"]["id"]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    campaign = brand_a.call("GET", f"/v1/campaigns/{campaign_id}")[1]
    status, _ = brand_a.call(
        "PATCH",
        f"/v1/campaigns/{campaign_id}",
        {"monitoring": {"posts_due": yesterday}},
        headers={"if-match": str(campaign["version"])},
    )
    assert status == 200
    run(brand_a, campaign_id)
    run(brand_a, campaign_id)
    missing = [a for a in brand_a.call("GET", "/v1/alerts")[1]["items"] if a["kind"] == "missing_post"]
    assert sorted(a["creator_id"] for a in missing) == sorted(
        [roster["gone"]["id"], roster["intranet"]["id"]]
    )
    assert all(yesterday in a["message"] for a in missing)


def test_scheduled_dispatch_runs_due_active_campaigns_only(brand_a: Client, roster: dict[str, Any]) -> None:
    campaign = roster["campaign"]
    draft = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"name": "Draft", "status": "draft"})[1]
    off = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"name": "Off", "monitoring": {"enabled": False}})[
        1
    ]
    monitored = {c.id for _, c in deps().stores.campaigns.monitored()}
    assert campaign["id"] in monitored and draft["id"] not in monitored and off["id"] not in monitored

    start = datetime(2026, 11, 21, tzinfo=UTC)
    hours = [start + timedelta(hours=h) for h in range(24)]
    due = next(h for h in hours if monitor.is_due(campaign["id"], 24, h))
    not_due = next(h for h in hours if not monitor.is_due(campaign["id"], 24, h))
    assert monitor.dispatch(deps(), not_due) == []
    (started,) = monitor.dispatch(deps(), due)
    assert started.campaign_id == campaign["id"] and started.trigger == "schedule"
    assert Worker("MonitorWorkerFunction").drain() == 5


def test_a_bad_message_fails_alone(brand_a: Client, roster: dict[str, Any]) -> None:
    sqs = boto3.client("sqs")
    url = tpl.queue_url(NAMES.physical("MonitorQueue"))
    assert brand_a.call("POST", f"/v1/campaigns/{roster['campaign']['id']}/monitor")[0] == 202
    sqs.send_message(QueueUrl=url, MessageBody="{not json")
    worker = Worker("MonitorWorkerFunction")
    assert worker.drain() == 5
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (
        int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 1
    )


def test_submitting_only_a_url_reads_the_page(
    brand_a: Client, roster: dict[str, Any], server: FeedServer
) -> None:
    page = server.serve(
        "/p/trail-stove",
        b"""<!doctype html><html><head><title>Trail stove</title>
        <meta property="og:title" content="My winter stove">
        <meta property="og:description" content="#ad Cooking on the Peak Gear Ember all week. #PeakGear">
        <meta property="article:published_time" content="2026-11-20T08:00:00+00:00">
        </head><body>...</body></html>""",
        "text/html; charset=utf-8",
    )
    path = f"/v1/campaigns/{roster['campaign']['id']}/posts"
    status, post = brand_a.call(
        "POST", path, {"creator_id": roster["lena"]["id"], "url": page, "platform": "blog"}
    )
    assert status == 200, post
    assert post["text"] == "My winter stove\n#ad Cooking on the Peak Gear Ember all week. #PeakGear"
    assert post["disclosure"]["result"] == "compliant" and post["signals"] == {"hashtag": ["#PeakGear"]}
    assert post["source"] == "manual" and post["published_at"].startswith("2026-11-20T08:00")

    before = table_snapshot()
    for url in (f"{server.base}/p/does-not-exist", "http://169.254.169.254/latest/meta-data/"):
        status, body = brand_a.call(
            "POST", path, {"creator_id": roster["lena"]["id"], "url": url, "platform": "blog"}
        )
        assert status == 422 and "could not read the post" in body["error"]["message"], body
        # Named as the field's error, so a form shows it under the URL.
        assert [d["field"] for d in body["error"]["details"]] == ["url"], body
    assert table_snapshot() == before


def test_a_missing_post_alert_resolves_when_the_post_is_found_and_a_brand_resolution_stands(
    brand_a: Client, roster: dict[str, Any], server: FeedServer
) -> None:
    campaign_id = roster["campaign"]["id"]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    campaign = brand_a.call("GET", f"/v1/campaigns/{campaign_id}")[1]
    patch = {"monitoring": {"posts_due": yesterday}}
    assert (
        brand_a.call(
            "PATCH", f"/v1/campaigns/{campaign_id}", patch, headers={"if-match": str(campaign["version"])}
        )[0]
        == 200
    )
    run(brand_a, campaign_id)
    missing = {
        a["creator_id"]: a
        for a in brand_a.call("GET", "/v1/alerts", query={"kind": "missing_post"})[1]["items"]
    }
    gone, intranet = roster["gone"]["id"], roster["intranet"]["id"]
    assert set(missing) == {gone, intranet}

    # The brand posts Gone's post by hand: its alert resolves, with why.
    body = {
        "creator_id": gone,
        "url": "https://gone.example/p/1",
        "platform": "blog",
        "text": "#ad #PeakGear",
    }
    assert brand_a.call("POST", f"/v1/campaigns/{campaign_id}/posts", body)[0] == 200
    # The brand resolves Intranet's: the next run (still no post) does not open it again.
    brand_a.call("POST", f"/v1/alerts/{missing[intranet]['id']}/resolve", {"note": "posting next week"})
    assert run(brand_a, campaign_id)["alerts_raised"] == 0
    resolved = {
        a["creator_id"]: a
        for a in brand_a.call("GET", "/v1/alerts", query={"status": "resolved"})[1]["items"]
    }
    assert resolved[gone]["resolution"]["reason"] == "a post was found: https://gone.example/p/1"
    assert resolved[intranet]["resolution"]["reason"] == "posting next week"
    assert [
        a
        for a in brand_a.call("GET", "/v1/alerts", query={"status": "open"})[1]["items"]
        if a["kind"] == "missing_post"
    ] == []
