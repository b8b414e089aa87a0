"""The alert life cycle (open → resolved, by the brand or because the cause is gone; open again when
it comes back), its filters, and posts Roster cannot read: `unknown`, one "post unreadable" alert,
never a disclosure or brand-rule alarm about text it never saw."""

from __future__ import annotations

from typing import Any

import pytest

from roster.deps import deps
from roster.models.collaborations import ActionBody
from roster.models.creators import Platform
from roster.monitoring import posts, sources
from roster.web.fetch import Fetcher, FetchError
from roster.workflows import collaborations
from tests.feedserver import FeedServer, feed_server
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, fakes
from tests.integration.test_collaborations import TERMS, FakeWorkflows, Quiet, act, task
from tests.integration.test_deliverables import COMPLIANT, REEL_AND_TWO_STORIES, Live

RULES = {"hashtags": ["acmeoutdoors"], "mandatory_mentions": ["@acme"], "banned_terms": ["cheap"]}
UNDISCLOSED = "Ten miles in my new trail shoes with @acme"
DISCLOSED = "#ad " + UNDISCLOSED


@pytest.fixture
def camp(brand_a: Client) -> dict[str, Any]:
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "content": RULES})[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    return {"campaign": campaign, "maya": maya, "path": f"/v1/campaigns/{campaign['id']}/posts"}


def submit(a: Client, camp: dict[str, Any], text: str, **body: Any) -> dict[str, Any]:
    post = {
        "creator_id": camp["maya"]["id"],
        "url": "https://www.tiktok.com/@maya/video/1",
        "platform": "tiktok",
    }
    status, saved = a.call("POST", camp["path"], post | {"text": text} | body)
    assert status == 200, saved
    return dict(saved)


def alerts(a: Client, **query: str) -> list[dict[str, Any]]:
    status, page = a.call("GET", "/v1/alerts", query=query)
    assert status == 200, page
    return list(page["items"])


def key_id(a: Client) -> str:
    (key,) = a.call("GET", "/v1/api-keys")[1]["items"]
    return str(key["id"])


def test_the_brand_resolves_an_alert_with_a_note_and_resolving_again_changes_nothing(
    brand_a: Client, camp: dict[str, Any], published: list[Any]
) -> None:
    submit(brand_a, camp, UNDISCLOSED)
    (alert,) = alerts(brand_a, status="open")
    assert alert["kind"] == "disclosure" and alert["resolution"] is None
    assert alerts(brand_a, status="resolved") == []

    status, resolved = brand_a.call(
        "POST", f"/v1/alerts/{alert['id']}/resolve", {"note": "Maya added #ad in a pinned comment"}
    )
    assert status == 200, resolved
    assert resolved["status"] == "resolved" and resolved["id"] == alert["id"]
    resolution = resolved["resolution"]
    assert resolution["by"] == key_id(brand_a) and resolution["at"]
    assert resolution["reason"] == "Maya added #ad in a pinned comment"
    assert alerts(brand_a, status="open") == [] and alerts(brand_a, status="resolved") == [resolved]
    assert alerts(brand_a) == [resolved]

    # Again, with or without a note: the first resolution stands and nothing is published twice.
    assert brand_a.call("POST", f"/v1/alerts/{alert['id']}/resolve", {"note": "again"})[1] == resolved
    assert brand_a.call("POST", f"/v1/alerts/{alert['id']}/resolve")[1] == resolved
    assert [k for k, _ in published].count("alert.resolved") == 1
    assert brand_a.call("POST", f"/v1/alerts/{'0' * 24}/resolve")[0] == 404
    long_note = {"note": "x" * 2001}
    assert brand_a.call("POST", f"/v1/alerts/{alert['id']}/resolve", long_note)[0] == 422


def test_a_post_checked_again_without_its_problem_resolves_it_and_a_relapse_reopens_it(
    brand_a: Client, camp: dict[str, Any], published: list[Any]
) -> None:
    submit(brand_a, camp, "Cheap shoes, " + UNDISCLOSED)
    first = {a["kind"]: a for a in alerts(brand_a, status="open")}
    assert set(first) == {"disclosure", "brand_rules"}

    fixed = submit(brand_a, camp, DISCLOSED)  # the caption fixed, the post re-submitted
    assert fixed["disclosure"]["result"] == "compliant" and fixed["brand_rules"]["ok"] is True
    assert alerts(brand_a, status="open") == []
    resolved = {a["kind"]: a for a in alerts(brand_a, status="resolved")}
    assert set(resolved) == {"disclosure", "brand_rules"}
    assert {a["resolution"]["by"] for a in resolved.values()} == {"roster"}
    assert resolved["disclosure"]["resolution"]["reason"] == (
        "the post was checked again: disclosure compliant, brand rules met"
    )
    assert [k for k, _ in published].count("alert.resolved") == 2

    # The disclosure is dropped again: the same alert opens again, and is published again.
    submit(brand_a, camp, UNDISCLOSED)
    (again,) = alerts(brand_a, status="open")
    assert (
        again["id"] == first["disclosure"]["id"] and again["created_at"] == first["disclosure"]["created_at"]
    )
    assert again["reopened_at"] and again["resolution"] is None
    assert [k for k, _ in published].count("alert.raised") == 3
    assert [a["kind"] for a in alerts(brand_a, status="resolved")] == ["brand_rules"]


def test_a_problem_that_persists_does_not_reopen_what_the_brand_resolved(
    brand_a: Client, camp: dict[str, Any], published: list[Any]
) -> None:
    submit(brand_a, camp, UNDISCLOSED)
    (alert,) = alerts(brand_a)
    brand_a.call("POST", f"/v1/alerts/{alert['id']}/resolve", {"note": "accepted as is"})
    submit(brand_a, camp, UNDISCLOSED, metrics={"views": 900})  # seen again, still undisclosed
    assert alerts(brand_a, status="open") == [] and len(alerts(brand_a, status="resolved")) == 1
    assert [k for k, _ in published].count("alert.raised") == 1


def test_alerts_filter_by_status_kind_campaign_collaboration_and_creator(
    brand_a: Client, camp: dict[str, Any]
) -> None:
    other = brand_a.call(
        "POST", "/v1/campaigns", CAMPAIGN | {"name": "Autumn", "status": "active", "content": RULES}
    )[1]
    lena = brand_a.call("POST", "/v1/creators", CREATOR | {"email": "lena@example.com", "name": "Lena"})[1]
    (c,) = collaborations.start(
        fakes(workflows=FakeWorkflows()),
        brand_a.brand_id,
        camp["campaign"]["id"],
        [camp["maya"]["id"]],
        collaboration_machine="arn:aws:states:us-east-1:123456789012:stateMachine:c",
        campaign_machine="arn:aws:states:us-east-1:123456789012:stateMachine:k",
    )
    submit(brand_a, camp, "Cheap shoes, " + UNDISCLOSED)  # maya, in a collaboration: 2 alerts
    lenas = {
        "creator_id": lena["id"],
        "url": "https://lena.blog/p/1",
        "platform": "blog",
        "text": UNDISCLOSED,
    }
    assert brand_a.call("POST", f"/v1/campaigns/{other['id']}/posts", lenas)[0] == 200

    def kinds(**query: str) -> list[tuple[str, str]]:
        return sorted(
            (a["creator_id"] == lena["id"] and "lena" or "maya", a["kind"]) for a in alerts(brand_a, **query)
        )

    assert kinds() == [("lena", "disclosure"), ("maya", "brand_rules"), ("maya", "disclosure")]
    assert kinds(kind="brand_rules") == [("maya", "brand_rules")]
    assert kinds(campaign_id=other["id"]) == [("lena", "disclosure")]
    assert kinds(creator_id=lena["id"], status="open") == [("lena", "disclosure")]
    assert kinds(collaboration_id=c.id) == [("maya", "brand_rules"), ("maya", "disclosure")]
    assert {a["collaboration_id"] for a in alerts(brand_a, creator_id=camp["maya"]["id"])} == {c.id}
    assert {a["collaboration_id"] for a in alerts(brand_a, creator_id=lena["id"])} == {None}

    (lenas_alert,) = alerts(brand_a, campaign_id=other["id"])
    brand_a.call("POST", f"/v1/alerts/{lenas_alert['id']}/resolve")
    assert kinds(status="open", kind="disclosure") == [("maya", "disclosure")]
    assert kinds(status="resolved", campaign_id=other["id"], kind="disclosure") == [("lena", "disclosure")]
    assert kinds(status="resolved", campaign_id=camp["campaign"]["id"]) == []
    # Paging through a filtered status partition.
    page = brand_a.call(
        "GET", "/v1/alerts", query={"status": "open", "creator_id": camp["maya"]["id"], "limit": "1"}
    )[1]
    rest = brand_a.call(
        "GET",
        "/v1/alerts",
        query={
            "status": "open",
            "creator_id": camp["maya"]["id"],
            "limit": "1",
            "cursor": page["next_cursor"],
        },
    )[1]
    assert len(page["items"]) == len(rest["items"]) == 1 and page["items"] != rest["items"]
    assert brand_a.call("GET", "/v1/alerts", query={"kind": "nonsense"})[0] == 422


# --- collaborations: a decided deadline, an answered wait, a cancellation -----------------------


@pytest.fixture
def world(brand_a: Client) -> dict[str, Any]:
    """One collaboration whose workflow tasks are called in-process (as in test_collaborations)."""
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "default_terms": TERMS})
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    wf = FakeWorkflows()
    (c,) = collaborations.start(
        fakes(workflows=wf),
        brand_a.brand_id,
        campaign[1]["id"],
        [creator["id"]],
        collaboration_machine="arn:aws:states:us-east-1:123456789012:stateMachine:c",
        campaign_machine="arn:aws:states:us-east-1:123456789012:stateMachine:k",
    )
    wired = fakes(workflows=wf, events=Quiet(), fetcher=Fetcher())
    return {"id": c.id, "wf": wf, "deps": wired, "brand": brand_a.brand_id}


def test_a_deadline_alert_resolves_when_the_brand_decides(world: dict[str, Any], brand_a: Client) -> None:
    task(world, task="missed", stage="contract")
    (alert,) = alerts(brand_a, status="open")
    assert alert["kind"] == "deadline" and alert["collaboration_id"] == world["id"]
    task(world, task="wait", stage="contract", actions=["sign", "cancel", "extend"], token="d1", seconds=60)
    act(world, "extend", seconds=3600)
    assert alerts(brand_a, status="open") == []
    (resolved,) = alerts(brand_a, status="resolved", collaboration_id=world["id"])
    assert resolved["resolution"]["by"] == "roster"
    assert resolved["resolution"]["reason"] == "answered by the brand: extend"


def test_a_stalled_alert_resolves_when_the_wait_is_answered(world: dict[str, Any], brand_a: Client) -> None:
    task(world, task="stalled", stage="negotiate")
    (alert,) = alerts(brand_a, status="open", kind="stalled")
    task(
        world,
        task="wait",
        stage="negotiate",
        actions=["counter", "accept-terms", "cancel"],
        token="n1",
        seconds=60,
    )
    act(
        world,
        "counter",
        by="creator",
        terms=TERMS | {"fee_per_deliverable": {"amount": 50_000, "currency": "USD"}},
    )
    (resolved,) = alerts(brand_a, status="resolved")
    assert (
        resolved["id"] == alert["id"]
        and resolved["resolution"]["reason"] == "answered by the creator: counter"
    )


@pytest.fixture
def pages() -> Any:
    with feed_server() as srv:
        yield srv


class Dns:
    """Resolves every host to the local page server, unless it is down for that host."""

    def __init__(self) -> None:
        self.down: set[str] = set()

    def __call__(self, host: str, port: int) -> list[str]:
        if host in self.down:
            raise FetchError(f"cannot resolve {host}")
        return ["127.0.0.1"]


def _live(brand: Client, pages: FeedServer, dns: Dns) -> Live:
    live = Live(brand, pages, REEL_AND_TWO_STORIES)
    version = brand.call("GET", f"/v1/campaigns/{live.campaign['id']}")[1]["version"]
    patched = brand.call(
        "PATCH",
        f"/v1/campaigns/{live.campaign['id']}",
        {"content": RULES},
        headers={"if-match": str(version)},
    )
    assert patched[0] == 200, patched
    live.deps = fakes(workflows=live.wf, events=Quiet(), fetcher=Fetcher(allow_loopback=True, resolver=dns))
    return live


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Dns:
    resolver = Dns()
    monkeypatch.setattr(deps(), "fetcher", Fetcher(allow_loopback=True, resolver=resolver))
    return resolver


def _page(pages: FeedServer, path: str, caption: str) -> str:
    html = f'<html><head><meta property="og:description" content="{caption}"></head></html>'
    pages.serve(path, html.encode(), "text/html")
    return f"http://www.instagram.com:{pages.port}{path}"


def test_a_post_roster_cannot_read_is_unknown_with_one_alert_and_no_false_alarm(
    brand_a: Client, pages: FeedServer, dns: Dns, published: list[Any]
) -> None:
    live = _live(brand_a, pages, dns)
    url = _page(pages, "/p/Reel1/", f"{COMPLIANT} @acme")
    dns.down.add("www.instagram.com")
    live.submit(url, platform="instagram")

    (post,) = brand_a.call("GET", f"/v1/campaigns/{live.campaign['id']}/posts")[1]["items"]
    assert post["disclosure"] == {
        "result": "unknown",
        "reason": "could not read the post: cannot resolve www.instagram.com",
        "matched": None,
    }
    assert post["page_error"] == "cannot resolve www.instagram.com"
    assert post["brand_rules"]["ok"] is None and post["text_from"] is None and post["text"] == ""
    (alert,) = alerts(brand_a)  # not "FTC disclosure missing", not "missing @acme"
    assert alert["kind"] == "post_unreadable" and alert["post_id"] == post["id"]
    assert "cannot resolve www.instagram.com" in alert["message"] and alert["collaboration_id"] == live.id
    query = {"disclosure": "unknown"}
    assert [
        p["id"]
        for p in brand_a.call("GET", f"/v1/campaigns/{live.campaign['id']}/posts", query=query)[1]["items"]
    ] == [post["id"]]
    c = live.get()
    assert c["deliverables"][0]["state"] == "posted" and c["deliverables"][0]["disclosure"] == "unknown"
    checked = next(e for e in reversed(c["timeline"]) if e["type"] == "post checked")
    assert checked["detail"]["page_error"] == "cannot resolve www.instagram.com"
    assert checked["detail"]["disclosure"] == "unknown" and live.fees() == []

    # Still unreadable on a re-check: one alert still, nothing more published.
    raised = [k for k, _ in published].count("alert.raised")
    assert brand_a.call("POST", f"/v1/campaigns/{live.campaign['id']}/posts/{post['id']}/recheck")[0] == 200
    assert len(alerts(brand_a)) == 1 and [k for k, _ in published].count("alert.raised") == raised

    # Readable again: the creator resubmits, the page is read, the fee booked, the alert resolved.
    dns.down.clear()
    live.submit(url, platform="instagram")
    assert live.states() == ["booked", "due", "due"] and len(live.fees()) == 1
    (resolved,) = alerts(brand_a)
    assert resolved["status"] == "resolved" and resolved["resolution"]["reason"] == (
        "the post was checked again: disclosure compliant, brand rules met"
    )
    (post,) = brand_a.call("GET", f"/v1/campaigns/{live.campaign['id']}/posts")[1]["items"]
    assert post["page_error"] is None and post["text_from"] == "page"


def test_the_creators_caption_is_checked_when_the_page_cannot_be_read_but_proves_nothing(
    brand_a: Client, pages: FeedServer, dns: Dns
) -> None:
    live = _live(brand_a, pages, dns)
    url = _page(pages, "/p/Reel2/", f"{COMPLIANT} @acme")
    dns.down.add("www.instagram.com")
    live.submit(url, platform="instagram", text="Trail day in my new shoes @acme")

    (post,) = brand_a.call("GET", f"/v1/campaigns/{live.campaign['id']}/posts")[1]["items"]
    assert post["text_from"] == "creator" and post["page_error"] == "cannot resolve www.instagram.com"
    assert post["disclosure"]["result"] == "missing" and post["brand_rules"]["ok"] is True
    assert sorted(a["kind"] for a in alerts(brand_a, status="open")) == ["disclosure", "post_unreadable"]

    # A compliant caption: the verdict is shown, but the creator's word books nothing.
    live.submit(url, platform="instagram", text=f"{COMPLIANT} @acme")
    assert live.states() == ["posted", "due", "due"] and live.fees() == []
    (unreadable,) = alerts(brand_a, status="open")
    assert (
        unreadable["kind"] == "post_unreadable"
        and "the caption the creator sent was checked" in unreadable["message"]
    )
    assert live.get()["deliverables"][0]["disclosure"] == "compliant"
    # The brand, having seen the post, accepts it: booked.
    assert live.accept(post["id"], {"note": "seen on Instagram"})[0] == 200
    assert live.states() == ["booked", "due", "due"] and len(live.fees()) == 1


def test_a_recheck_reads_the_page_again_resolves_its_alert_and_books_the_fee(
    brand_a: Client, pages: FeedServer, dns: Dns
) -> None:
    live = _live(brand_a, pages, dns)
    url = _page(pages, "/p/Reel3/", UNDISCLOSED)
    live.submit(url, platform="instagram")
    (alert,) = alerts(brand_a, status="open")
    assert alert["kind"] == "disclosure" and live.fees() == []

    _page(pages, "/p/Reel3/", DISCLOSED)  # the creator edited the caption
    post_id = posts.post_id(url)
    campaign = live.campaign["id"]
    status, post = brand_a.call("POST", f"/v1/campaigns/{campaign}/posts/{post_id}/recheck")
    assert status == 200, post
    assert post["disclosure"]["result"] == "compliant" and post["text_from"] == "page"
    assert live.states() == ["booked", "due", "due"] and len(live.fees()) == 1
    assert alerts(brand_a, status="open") == []
    assert brand_a.call("POST", f"/v1/campaigns/{campaign}/posts/{'0' * 24}/recheck")[0] == 404


def test_a_cancelled_collaboration_resolves_its_open_alerts(
    brand_a: Client, pages: FeedServer, dns: Dns
) -> None:
    live = _live(brand_a, pages, dns)
    url = _page(pages, "/p/Reel4/", UNDISCLOSED)
    live.submit(url, platform="instagram")
    live.task(task="missed", stage="live")
    assert sorted(a["kind"] for a in alerts(brand_a, status="open")) == ["deadline", "disclosure"]
    live.task(task="wait", stage="live", actions=["submit-post", "cancel", "extend"], token="x", seconds=60)
    collaborations.act(
        fakes(workflows=live.wf, events=Quiet()),
        brand_a.brand_id,
        live.id,
        "cancel",
        ActionBody(),
        by="brand",
    )
    assert [a["kind"] for a in alerts(brand_a, status="open")] == ["disclosure"]  # the decision is made
    live.task(task="finish", outcome="cancelled")
    assert alerts(brand_a, status="open") == []
    reasons = {a["kind"]: a["resolution"]["reason"] for a in alerts(brand_a, status="resolved")}
    assert reasons == {"deadline": "answered by the brand: cancel", "disclosure": "collaboration cancelled"}

    # Monitoring sees the same post again: the problem persists, nothing re-opens.
    ctx = posts.context(
        deps().stores, brand_a.brand_id, live.campaign["id"], live.creator["id"], link_base_url=None
    )
    posts.record(
        fakes(events=Quiet()), ctx, sources.SourceItem(url, Platform.INSTAGRAM, UNDISCLOSED), source="feed"
    )
    assert alerts(brand_a, status="open") == []


def test_cancelling_the_campaign_resolves_its_collaborations_alerts(
    brand_a: Client, pages: FeedServer, dns: Dns
) -> None:
    live = _live(brand_a, pages, dns)
    live.submit(_page(pages, "/p/Reel5/", UNDISCLOSED), platform="instagram")
    assert len(alerts(brand_a, status="open")) == 1
    collaborations.cancel_campaign(
        fakes(workflows=live.wf, events=Quiet()), brand_a.brand_id, live.campaign["id"]
    )
    (resolved,) = alerts(brand_a, status="resolved")
    assert resolved["resolution"]["reason"] == "collaboration cancelled"


def test_the_creator_page_takes_a_post_with_its_caption(brand_a: Client, pages: FeedServer, dns: Dns) -> None:
    live = _live(brand_a, pages, dns)
    live.wait_for_post()
    _, _, token = live.get()["creator_url"].rpartition("/c/")
    status, _, page = brand_a.gateway.handle("GET", f"/c/{token}", {}, b"")
    text = page.decode()
    assert status == 200 and f'action="/c/{token}/submit-post"' in text
    assert 'name="url"' in text and 'name="text"' in text


def test_an_alert_stored_but_not_published_is_published_by_the_retry(
    brand_a: Client, camp: dict[str, Any]
) -> None:
    """Stored first, published second: a publish that fails leaves the alert `unpublished`, and the
    retry (a stream batch, a queue message, a task) publishes it — once."""
    from roster.program import alerts as alert_domain

    sent: list[str] = []

    class Flaky:
        fail = True

        def publish(self, kind: str, detail: dict[str, Any]) -> None:
            if self.fail:
                self.fail = False
                raise RuntimeError("EventBridge unavailable")
            sent.append(detail["id"])

    events: Any = Flaky()

    def raise_it() -> Any:
        return alert_domain.raise_alert(
            fakes(events=events),
            brand_a.brand_id,
            camp["campaign"]["id"],
            camp["maya"]["id"],
            "missing_post",
            "no post yet",
            post_id=None,
            key="test-unpublished",
        )

    with pytest.raises(RuntimeError):
        raise_it()
    assert sent == []
    raised = raise_it()  # the retry
    assert raised is not None and sent == [raised.id]
    assert raise_it() is None and sent == [raised.id]  # published once: later raises are duplicates
