"""Fixed fees per deliverable, on proof: each unit of a contract's deliverables is booked once,
when a post for it is verified (disclosure compliant, or accepted by the brand). The workflow's
tasks are called in-process as in test_collaborations; posts are pages on a local server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from roster.conversions import ledger
from roster.deps import deps
from roster.errors import Conflict
from roster.models.collaborations import ActionBody
from roster.models.creators import Platform
from roster.monitoring import posts, sources
from roster.web.fetch import Fetcher
from roster.workflows import collaborations, deliverables, tasks
from tests.feedserver import FeedServer, feed_server
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, fakes
from tests.integration.test_collaborations import FakeWorkflows, Quiet

REEL_AND_TWO_STORIES = {
    "deliverables": [
        {"platform": "instagram", "format": "reel", "count": 1},
        {"platform": "instagram", "format": "story", "count": 2},
    ],
    "posting_window_start": "2027-01-10",
    "posting_window_end": "2027-02-10",
    "fee_per_deliverable": {"amount": 65_000, "currency": "USD"},
}
COMPLIANT = "#ad Trail day in my new shoes"
UNDISCLOSED = "Trail day in my new shoes, link in bio"


@pytest.fixture
def pages() -> Iterator[FeedServer]:
    with feed_server() as srv:
        yield srv


class Live:
    """One collaboration past its contract, in the live stage, with its workflow tasks at hand."""

    def __init__(self, brand: Client, pages: FeedServer, terms: dict[str, Any]) -> None:
        self.brand, self.pages = brand, pages
        self.campaign = brand.call(
            "POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "default_terms": terms}
        )[1]
        self.creator = brand.call("POST", "/v1/creators", CREATOR)[1]
        self.wf = FakeWorkflows()
        (c,) = collaborations.start(
            fakes(workflows=self.wf),
            brand.brand_id,
            self.campaign["id"],
            [self.creator["id"]],
            collaboration_machine="arn:aws:states:us-east-1:123456789012:stateMachine:c",
            campaign_machine="arn:aws:states:us-east-1:123456789012:stateMachine:k",
        )
        self.id = c.id
        self.deps = fakes(workflows=self.wf, events=Quiet(), fetcher=Fetcher(allow_loopback=True))
        self.task(task="contract")
        self.task(task="enter", stage="live", due_seconds=3600)
        self.tokens = 0

    def task(self, **event: Any) -> dict[str, Any]:
        return tasks.run(self.deps, {"brand_id": self.brand.brand_id, "collaboration_id": self.id, **event})

    def page(self, path: str, caption: str) -> str:
        html = f'<html><head><meta property="og:description" content="{caption}"></head></html>'
        return self.pages.serve(path, html.encode(), "text/html")

    def wait_for_post(self) -> None:
        self.tokens += 1
        self.task(
            task="wait",
            stage="live",
            actions=["submit-post", "cancel"],
            token=f"post-{self.tokens}",
            seconds=600,
        )

    def submit(self, url: str, **body: Any) -> dict[str, Any]:
        """The creator submits a post while the live step waits; then the CheckPost task runs."""
        self.wait_for_post()
        collaborations.act(
            fakes(workflows=self.wf, events=Quiet()),
            self.brand.brand_id,
            self.id,
            "submit-post",
            ActionBody.model_validate({"url": url, **body}),
            by="creator",
        )
        return self.task(task="check_post")

    def get(self) -> dict[str, Any]:
        status, c = self.brand.call("GET", f"/v1/collaborations/{self.id}")
        assert status == 200, c
        return dict(c)

    def states(self) -> list[str]:
        return [u["state"] for u in self.get()["deliverables"]]

    def fees(self) -> list[tuple[str, int]]:
        entries = deps().stores.ledger.for_creator(self.brand.brand_id, self.creator["id"])
        return sorted((e.order_id, e.amount) for e in entries if e.kind == "fixed_fee")

    def accept(self, post_id: str, body: Any = None) -> tuple[int, Any]:
        return self.brand.call("POST", f"/v1/collaborations/{self.id}/posts/{post_id}/accept", body)


@pytest.fixture
def live(brand_a: Client, pages: FeedServer) -> Live:
    return Live(brand_a, pages, REEL_AND_TWO_STORIES)


def test_three_deliverables_book_three_fees_as_each_post_is_verified(live: Live) -> None:
    units = live.get()["deliverables"]
    assert [(u["format"], u["unit"], u["state"], u["milestone_id"]) for u in units] == [
        ("reel", 0, "due", f"{live.id}:0:0"),
        ("story", 0, "due", f"{live.id}:1:0"),
        ("story", 1, "due", f"{live.id}:1:1"),
    ]

    first = live.submit(live.page("/p/reel", COMPLIANT))
    assert first["more"] is True and first["due_deliverables"] == 2
    assert live.states() == ["booked", "due", "due"]
    assert live.fees() == [(f"{live.id}:0:0", 65_000)]

    second = live.submit(live.page("/p/story-1", COMPLIANT), platform="instagram")
    assert second["more"] is True and second["due"] == first["due"]  # a post does not move the deadline
    assert second["remind"] <= first["remind"]
    assert live.fees() == [(f"{live.id}:0:0", 65_000), (f"{live.id}:1:0", 65_000)]

    # The third post has no disclosure: posted, not payable, and the live step is done.
    third = live.submit(live.page("/p/story-2", UNDISCLOSED), platform="instagram")
    assert third["more"] is False and third["due_deliverables"] == 0
    c = live.get()
    assert [u["state"] for u in c["deliverables"]] == ["booked", "booked", "posted"]
    assert c["deliverables"][2]["disclosure"] == "missing" and c["deliverables"][2]["acceptance"] is None
    assert len(live.fees()) == 2
    checked = [e for e in c["timeline"] if e["type"] == "post checked"]
    assert [(e["detail"]["disclosure"], e["detail"]["fixed_fee_booked"]) for e in checked] == [
        ("compliant", 65_000),
        ("compliant", 65_000),
        ("missing", 0),
    ]
    assert [e["detail"]["deliverable"] for e in checked] == [
        "instagram reel 1",
        "instagram story 1",
        "instagram story 2",
    ]

    # The brand accepts it despite the verdict: exactly one more fee, with who and when.
    post_id = c["deliverables"][2]["post_id"]
    status, accepted = live.accept(post_id, {"note": "disclosed in the video itself"})
    assert status == 200, accepted
    unit = accepted["deliverables"][2]
    assert unit["state"] == "booked" and unit["verified_by"] == "brand"
    (key,) = live.brand.call("GET", "/v1/api-keys")[1]["items"]
    assert unit["acceptance"]["by"] == key["id"] and unit["acceptance"]["disclosure"] == "missing"
    assert unit["acceptance"]["at"] and unit["acceptance"]["note"] == "disclosed in the video itself"
    assert live.fees() == [(f"{live.id}:{i}:{n}", 65_000) for i, n in ((0, 0), (1, 0), (1, 1))]

    # Accepting again changes nothing (the first acceptance stays); a compliant post has nothing to accept.
    again = live.accept(post_id)
    assert again[0] == 200 and again[1]["deliverables"][2]["acceptance"] == unit["acceptance"]
    assert len(live.fees()) == 3
    status, err = live.accept(c["deliverables"][0]["post_id"])
    assert status == 409 and "already booked" in err["error"]["message"]
    assert live.accept("0" * 24)[0] == 404


def test_a_post_that_fails_disclosure_books_nothing_until_it_is_checked_again(live: Live) -> None:
    url = live.page("/p/reel", UNDISCLOSED)
    assert live.submit(url)["more"] is True
    assert live.states() == ["posted", "due", "due"] and live.fees() == []

    # The creator fixes the caption and resubmits the same URL: read again, now compliant, booked.
    live.page("/p/reel", COMPLIANT)
    again = live.submit(url)
    assert again["more"] is True and live.states() == ["booked", "due", "due"]
    assert live.fees() == [(f"{live.id}:0:0", 65_000)]


def test_a_recheck_by_the_brand_or_by_monitoring_books_a_now_compliant_post(live: Live) -> None:
    story = live.page("/p/story-1", UNDISCLOSED)
    reel = live.page("/p/reel", UNDISCLOSED)
    live.submit(reel)
    live.submit(story, platform="instagram")
    assert live.states() == ["posted", "posted", "due"] and live.fees() == []

    # The brand submits the URL alone: Roster reads the page again.
    live.page("/p/reel", COMPLIANT)
    campaign = live.campaign["id"]
    body = {"creator_id": live.creator["id"], "url": reel, "platform": "instagram"}
    assert live.brand.call("POST", f"/v1/campaigns/{campaign}/posts", body)[0] == 200
    assert live.states() == ["booked", "posted", "due"]
    # With a caption the brand typed itself, nothing is verified: that would be an acceptance.
    typed = {"creator_id": live.creator["id"], "url": story, "platform": "instagram", "text": COMPLIANT}
    assert live.brand.call("POST", f"/v1/campaigns/{campaign}/posts", typed)[0] == 200
    assert live.states() == ["booked", "posted", "due"]

    # Monitoring reads the story again from the creator's feed, now compliant.
    ctx = posts.context(deps().stores, live.brand.brand_id, campaign, live.creator["id"], link_base_url=None)
    item = sources.SourceItem(story, Platform.INSTAGRAM, COMPLIANT + " #spon")
    seen = posts.record(fakes(events=Quiet()), ctx, item, source="manual").post
    assert seen is not None
    collaborations.post_found(fakes(workflows=live.wf, events=Quiet()), live.brand.brand_id, seen)
    assert live.states() == ["booked", "booked", "due"]
    assert live.fees() == [(f"{live.id}:0:0", 65_000), (f"{live.id}:1:0", 65_000)]
    verified = [e["detail"] for e in live.get()["timeline"] if e["type"] == "deliverable verified"]
    assert [v["verified_by"] for v in verified] == ["disclosure", "disclosure"]


def test_monitoring_submits_a_found_post_while_the_live_step_waits(live: Live) -> None:
    ctx = posts.context(
        deps().stores, live.brand.brand_id, live.campaign["id"], live.creator["id"], link_base_url=None
    )
    item = sources.SourceItem("https://www.instagram.com/p/Found1/", Platform.INSTAGRAM, COMPLIANT)
    found = posts.record(fakes(events=Quiet()), ctx, item, source="manual").post
    assert found is not None
    collaborations.post_found(fakes(workflows=live.wf, events=Quiet()), live.brand.brand_id, found)
    assert live.wf.resumed == []  # not waiting: nothing to submit
    live.wait_for_post()
    collaborations.post_found(fakes(workflows=live.wf, events=Quiet()), live.brand.brand_id, found)
    assert live.wf.resumed == [("post-1", {"action": "submit-post"})]
    live.task(task="check_post")  # the page is not read again: monitoring read it compliant
    assert live.states() == ["booked", "due", "due"]
    # Seen again on the next run: already counted, nothing more.
    live.wait_for_post()
    collaborations.post_found(fakes(workflows=live.wf, events=Quiet()), live.brand.brand_id, found)
    assert len(live.wf.resumed) == 1 and len(live.fees()) == 1


def test_posts_match_deliverables_by_platform_then_order(brand_a: Client, pages: FeedServer) -> None:
    terms = REEL_AND_TWO_STORIES | {
        "deliverables": [
            {"platform": "instagram", "format": "reel", "count": 1},
            {"platform": "tiktok", "format": "video", "count": 1},
        ]
    }
    live = Live(brand_a, pages, terms)

    def submit(url: str) -> None:
        live.wait_for_post()
        collaborations.act(
            fakes(workflows=live.wf, events=Quiet()),
            brand_a.brand_id,
            live.id,
            "submit-post",
            ActionBody.model_validate({"url": url}),
            by="creator",
        )

    submit("https://www.tiktok.com/@maya.runs/video/1")  # the host says tiktok: the second deliverable
    assert live.states() == ["due", "posted"]
    with pytest.raises(Conflict, match="no youtube deliverable is due; still due: instagram reel 1"):
        submit("https://youtu.be/dQw4w9WgXcQ")
    with pytest.raises(Conflict, match="still due: instagram reel 1"):
        submit("https://www.tiktok.com/@maya.runs/video/2")
    submit("https://www.tiktok.com/@maya.runs/video/1")  # the same post again: checked again, same unit
    submit("https://www.instagram.com/reel/Abc123/")
    assert live.states() == ["posted", "posted"]
    with pytest.raises(Conflict, match="every deliverable of the contract already has a post"):
        submit("https://www.instagram.com/reel/Other/")


def test_a_contract_without_disclosure_requirement_is_verified_by_the_post(
    brand_a: Client, pages: FeedServer
) -> None:
    live = Live(brand_a, pages, REEL_AND_TWO_STORIES | {"disclosure_required": False})
    live.submit(live.page("/p/reel", UNDISCLOSED))
    (unit, *_) = live.get()["deliverables"]
    assert unit["state"] == "booked" and unit["verified_by"] == "contract"


def test_without_a_fee_a_verified_deliverable_books_nothing(brand_a: Client, pages: FeedServer) -> None:
    live = Live(brand_a, pages, REEL_AND_TWO_STORIES | {"fee_per_deliverable": None})
    result = live.submit(live.page("/p/reel", COMPLIANT))
    assert live.states() == ["verified", "due", "due"] and live.fees() == []
    assert result["more"] is True


def _in_threads(n: int, fn: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = fn()
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


def _both_book_at_once(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Both threads have read the deliverable as verified and not booked before either books."""
    barrier = threading.Barrier(2, timeout=10)
    answers: list[bool] = []
    real = ledger.book_fixed_fee

    def book(*args: Any, **kwargs: Any) -> bool:
        barrier.wait()
        answer = real(*args, **kwargs)
        answers.append(answer)
        return answer

    monkeypatch.setattr(ledger, "book_fixed_fee", book)
    return answers


def test_two_verifications_of_the_same_deliverable_in_threads_book_once(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reel is posted and its post is compliant, not yet settled: two checks settle it at once.
    url = live.page("/p/reel", COMPLIANT)
    live.wait_for_post()
    collaborations.act(
        fakes(workflows=live.wf, events=Quiet()),
        live.brand.brand_id,
        live.id,
        "submit-post",
        ActionBody.model_validate({"url": url}),
        by="creator",
    )
    ctx = posts.context(
        deps().stores, live.brand.brand_id, live.campaign["id"], live.creator["id"], link_base_url=None
    )
    post = posts.record(
        fakes(events=Quiet()), ctx, sources.SourceItem(url, Platform.INSTAGRAM, COMPLIANT), source="manual"
    ).post
    assert post is not None
    answers = _both_book_at_once(monkeypatch)
    booked = _in_threads(2, lambda: deliverables.settle(deps().stores, live.brand.brand_id, live.id))
    assert sorted(answers) == [False, True]
    assert sorted(len(b) for b in booked) == [0, 1]
    assert live.fees() == [(f"{live.id}:0:0", 65_000)]
    c = live.get()
    assert c["deliverables"][0]["state"] == "booked"
    assert [e["type"] for e in c["timeline"]].count("fixed fee booked") == 1


def test_two_acceptances_of_the_same_post_in_threads_book_once(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    live.submit(live.page("/p/reel", UNDISCLOSED))
    post_id = live.get()["deliverables"][0]["post_id"]
    answers = _both_book_at_once(monkeypatch)
    results = _in_threads(
        2,
        lambda: deliverables.accept(
            fakes(events=Quiet()), live.brand.brand_id, live.id, post_id, by="key-1", note="fine"
        ),
    )
    assert sorted(answers) == [False, True]
    assert live.fees() == [(f"{live.id}:0:0", 65_000)]
    c = live.get()
    assert [e["type"] for e in c["timeline"]].count("post accepted") == 1
    assert results[0].deliverables[0].acceptance == results[1].deliverables[0].acceptance
    assert c["deliverables"][0]["acceptance"]["by"] == "key-1"


def test_the_creator_page_lists_each_deliverable_and_its_state(live: Live) -> None:
    live.submit(live.page("/p/reel", UNDISCLOSED))
    base, _, token = live.get()["creator_url"].rpartition("/c/")
    status, _, page = live.brand.gateway.handle("GET", f"/c/{token}", {}, b"")
    text = page.decode()
    assert status == 200 and '<h2 id="h-deliverables">Deliverables</h2>' in text
    assert 'instagram reel 1: <span data-state="posted">' in text and "(disclosure: missing)" in text
    assert text.count('data-state="due"') == 2


def test_a_paused_campaign_takes_no_acceptance(live: Live) -> None:
    live.submit(live.page("/p/reel", UNDISCLOSED))
    post_id = live.get()["deliverables"][0]["post_id"]
    assert live.brand.call("PATCH", f"/v1/campaigns/{live.campaign['id']}", {"status": "paused"})[0] == 200
    status, err = live.accept(post_id)
    assert status == 409 and "paused" in err["error"]["message"] and live.fees() == []
