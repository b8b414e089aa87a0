from __future__ import annotations

from typing import Any

import pytest

from roster.adapters.events import EventPublisher
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, fakes, table_snapshot

RULES = {
    "hashtags": ["acmeoutdoors"],
    "mentions": ["acme"],
    "mandatory_mentions": ["@acme"],
    "banned_terms": ["cheap"],
}


@pytest.fixture
def setup(brand_a: Client) -> dict[str, Any]:
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "content": RULES})[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    brand_a.call(
        "POST",
        "/v1/links",
        {
            "campaign_id": campaign["id"],
            "creator_id": maya["id"],
            "destination": "https://shop.example.com/x",
            "code": "maya-spring",
        },
    )
    brand_a.call(
        "POST", "/v1/promo-codes", {"campaign_id": campaign["id"], "creator_id": maya["id"], "code": "MAYA10"}
    )
    return {"campaign": campaign, "maya": maya, "path": f"/v1/campaigns/{campaign['id']}/posts"}


def test_compliant_post_is_matched_kept_and_raises_nothing(
    brand_a: Client, setup: dict[str, Any], published: list[Any]
) -> None:
    text = "#ad Ten miles in the new Trail Runner with @acme! Code MAYA10 → https://127.0.0.1/r/maya-spring #acmeoutdoors"
    status, post = brand_a.call(
        "POST",
        setup["path"],
        {
            "creator_id": setup["maya"]["id"],
            "url": "https://www.instagram.com/p/C1a2b3/",
            "platform": "instagram",
            "text": text,
            "published_at": "2027-01-12T09:00:00Z",
            "metrics": {"views": 1200, "likes": 80},
        },
    )
    assert status == 200, post
    assert post["matched"] is True and set(post["signals"]) == {"link", "promo_code", "hashtag", "mention"}
    assert post["disclosure"] == {
        "result": "compliant",
        "reason": "a clear disclosure appears at the start",
        "matched": "#ad",
    }
    assert post["brand_rules"]["ok"] is True and post["metrics"][0]["views"] == 1200
    assert brand_a.call("GET", "/v1/alerts")[1]["items"] == []
    assert [kind for kind, _ in published] == ["post.found"]


def test_problems_raise_alerts_once_and_metrics_accumulate(
    brand_a: Client, setup: dict[str, Any], published: list[Any]
) -> None:
    body = {
        "creator_id": setup["maya"]["id"],
        "url": "https://www.tiktok.com/@maya/video/1",
        "platform": "tiktok",
        "text": "Cheap but great shoes! #run #trail #fitness #gear #acmeoutdoors #ad",
        "metrics": {"views": 10},
    }
    post = brand_a.call("POST", setup["path"], body)[1]
    assert post["disclosure"]["result"] == "buried"
    assert post["brand_rules"] == {"ok": False, "missing_mentions": ["@acme"], "banned_terms": ["cheap"]}
    alerts = brand_a.call("GET", "/v1/alerts", query={"status": "open"})[1]["items"]
    assert sorted(a["kind"] for a in alerts) == ["brand_rules", "disclosure"]
    assert [k for k, _ in published] == ["post.found", "alert.raised", "alert.raised"]
    assert all(d["brand_id"] == brand_a.brand_id and d["post_id"] == post["id"] for _, d in published)

    again = brand_a.call("POST", setup["path"], body | {"metrics": {"views": 250}})[1]
    assert [m["views"] for m in again["metrics"]] == [10, 250] and again["first_seen_at"] == post[
        "first_seen_at"
    ]
    assert len(brand_a.call("GET", "/v1/alerts")[1]["items"]) == 2 and len(published) == 3

    library = brand_a.call("GET", setup["path"], query={"disclosure": "buried"})[1]["items"]
    assert [p["id"] for p in library] == [post["id"]]
    assert brand_a.call("GET", setup["path"], query={"disclosure": "compliant"})[1]["items"] == []


def test_bad_submissions_change_nothing(brand_a: Client, setup: dict[str, Any], published: list[Any]) -> None:
    before = table_snapshot()
    base = {
        "creator_id": setup["maya"]["id"],
        "url": "https://x.example/p",
        "platform": "instagram",
        "text": "hi",
    }
    assert brand_a.call("POST", setup["path"], base | {"url": "not a url"})[0] == 422
    assert brand_a.call("POST", setup["path"], base | {"platform": "myspace"})[0] == 422
    assert brand_a.call("POST", setup["path"], base | {"creator_id": "nobody"})[0] == 404
    assert brand_a.call("POST", "/v1/campaigns/nope/posts", base)[0] == 404
    assert table_snapshot() == before and published == []


def test_has_post_finds_a_creators_post_behind_many_others(
    brand_a: Client, setup: dict[str, Any], published: list[Any]
) -> None:
    """A filtered query reads pages that can come back empty: the check keeps reading."""
    from roster.deps import deps
    from roster.models.creators import Platform
    from roster.monitoring import posts
    from roster.monitoring.sources import SourceItem

    campaign_id, maya = setup["campaign"]["id"], setup["maya"]["id"]
    lena = brand_a.call("POST", "/v1/creators", CREATOR | {"email": "lena@example.com", "name": "Lena"})[1]
    ctx = posts.context(deps().stores, brand_a.brand_id, campaign_id, lena["id"], link_base_url=None)
    for i in range(30):
        posts.record(
            fakes(events=EventPublisher()),
            ctx,
            SourceItem(f"https://x.example/{i}", Platform.BLOG, "#ad"),
            source="manual",
        )
    # Maya's one post sorts after all of Lena's (post ids are URL hashes).
    url = next(u for u in (f"https://x.example/maya/{n}" for n in range(10_000)) if posts.post_id(u) > "fff")
    assert not deps().stores.posts.has_post(brand_a.brand_id, campaign_id, maya)
    ctx = posts.context(deps().stores, brand_a.brand_id, campaign_id, maya, link_base_url=None)
    posts.record(fakes(events=EventPublisher()), ctx, SourceItem(url, Platform.BLOG, "#ad"), source="manual")
    assert deps().stores.posts.has_post(brand_a.brand_id, campaign_id, maya)


def test_a_page_with_no_text_is_unreadable_not_undisclosed(
    brand_a: Client, setup: dict[str, Any], published: list[Any]
) -> None:
    """A login wall shows no caption: a 422 asking for the text, not "FTC disclosure missing"."""
    from tests.feedserver import feed_server

    with feed_server() as srv:
        url = srv.serve("/p/walled", b"<html><head></head><body>Log in</body></html>", "text/html")
        before = table_snapshot()
        body = {"creator_id": setup["maya"]["id"], "url": url, "platform": "instagram"}
        status, err = brand_a.call("POST", setup["path"], body)
    assert status == 422 and "the page shows no caption or description" in err["error"]["message"]
    assert table_snapshot() == before and published == []


def test_a_caption_the_brand_sends_is_marked_as_the_brands(brand_a: Client, setup: dict[str, Any]) -> None:
    body = {
        "creator_id": setup["maya"]["id"],
        "url": "https://www.instagram.com/p/C1a2b3/",
        "platform": "instagram",
        "text": "#ad new shoes with @acme",
    }
    post = brand_a.call("POST", setup["path"], body)[1]
    assert post["text_from"] == "brand" and post["page_error"] is None
    assert post["disclosure"]["result"] == "compliant"
