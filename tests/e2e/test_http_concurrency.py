"""Exactly-once over real HTTP, under real concurrency: the local stack runs up to
ROSTER_LOCAL_CONCURRENCY events per function at once (default 4), as Lambda runs several execution
environments, and these tests release their requests together (a `threading.Barrier`) so they race
inside the handlers. They assert effects (one order, one booking, one count), never timings.

Each test makes its own campaign, creator, codes and order ids, because the e2e suite shares one
stack. Money is read back through the API (the campaign report, the orders list) and the ledger's
entries through the stack's moto endpoint, since the API shows sums, not entries."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from roster.store.clicks import ClickStore
from roster.store.table import Table
from tests.integration.conftest import CAMPAIGN as BASE_CAMPAIGN
from tests.stack import API_KEY, RunningStack, request, start_stack
from tools.replay_clicks import replay


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    """This module's own stack: its bursts of orders and clicks go to the demo brand, which the
    other e2e modules count on (a shared stack made test_local_stack's order count 15, not 4)."""
    running = start_stack()
    yield running
    running.stop()


AUTH = {"Authorization": f"Bearer {API_KEY}"}
SECRET = "e2e-concurrency-orders-secret-0123456789"
PLAN = {"plan": {"percent_bps": 1000}}  # 10 % of the net item subtotal
SUBTOTAL, REFUNDED = 10_000, 5_000  # earns 1,000; the refund reverses 500


def together[T](calls: list[Callable[[], T]]) -> list[T]:
    """Runs every call on its own thread, all released at once; their results in order."""
    gate = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        gate.wait(30)
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 - reported below, with the others
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    return results


def call(stack: RunningStack, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    raw = json.dumps(body).encode() if body is not None else None
    status, _, answer = request(stack.base_url, method, path, body=raw, headers=AUTH)
    return status, answer


def raw_get(stack: RunningStack, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """One GET on its own connection, redirects not followed."""
    url = urlsplit(stack.base_url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


class Shop:
    """A store sending Roster's generic signed `orders` webhooks for one campaign's promo code."""

    def __init__(self, stack: RunningStack) -> None:
        self.stack = stack
        status, integration = call(stack, "PUT", "/v1/integrations/orders", {"secret": SECRET})
        assert status == 200, integration
        self.path = urlsplit(integration["webhook_url"]).path
        self.brand_id = self.path.rsplit("/", 1)[1]
        tag = uuid.uuid4().hex[:8]
        status, self.campaign = call(
            stack, "POST", "/v1/campaigns", BASE_CAMPAIGN | {"status": "active", "commission": PLAN}
        )
        assert status == 201, self.campaign
        status, creator = call(
            stack, "POST", "/v1/creators", {"name": "Rae", "email": f"rae-{tag}@e2e.example"}
        )
        assert status == 201, creator
        self.code = f"RACE{tag}".upper()
        body = {"campaign_id": self.campaign["id"], "creator_id": creator["id"], "code": self.code}
        assert call(stack, "POST", "/v1/promo-codes", body)[0] == 201
        self.tag = tag

    def order(self, n: int) -> dict[str, Any]:
        return {
            "id": f"RACE-{self.tag}-{n}",
            "currency": "USD",
            "created_at": "2027-01-10T12:00:00Z",
            "subtotal": SUBTOTAL,
            "total": SUBTOTAL + 800,
            "discount_codes": [self.code],
            "customer": {"email": f"buyer-{self.tag}-{n}@e2e.example"},
            "line_items": [],
        }

    def created(self, n: int) -> bytes:
        return json.dumps(
            {"id": f"evt_{self.tag}_o{n}", "type": "order.created", "order": self.order(n)}
        ).encode()

    def refunded(self, n: int) -> bytes:
        refund = {"id": f"rf-{self.tag}-{n}", "amount": REFUNDED, "created_at": "2027-01-11T12:00:00Z"}
        event = {
            "id": f"evt_{self.tag}_r{n}",
            "type": "order.refunded",
            "order": self.order(n),
            "refund": refund,
        }
        return json.dumps(event).encode()

    def send(self, body: bytes) -> tuple[int, Any]:
        t = int(time.time())
        signature = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        headers = {"Roster-Signature": f"t={t},v1={signature}", "Content-Type": "application/json"}
        status, _, answer = request(self.stack.base_url, "POST", self.path, body=body, headers=headers)
        return status, answer

    def send_until_accepted(self, body: bytes) -> Any:
        """What a store does with a 409 (another delivery of the event holds it): retries."""
        for _ in range(40):
            status, answer = self.send(body)
            if status != 409:
                assert status == 200, (status, answer)
                return answer
            time.sleep(0.25)
        raise AssertionError("the event stayed held")

    def report(self) -> dict[str, Any]:
        status, report = call(self.stack, "GET", f"/v1/campaigns/{self.campaign['id']}/report")
        assert status == 200, report
        return dict(report)

    def orders(self) -> list[str]:
        status, page = call(self.stack, "GET", f"/v1/orders?campaign_id={self.campaign['id']}&limit=100")
        assert status == 200, page
        return [o["order_id"] for o in page["items"]]

    def ledger(self, n: int) -> list[int]:
        """The amounts of the order's ledger entries, in sequence."""
        items = table(self.stack).query(
            TableName="roster-local-Table",
            KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
            ExpressionAttributeValues={
                ":pk": {"S": f"BRAND#{self.brand_id}"},
                ":sk": {"S": f"LEDGER#orders#{self.order(n)['id']}#"},
            },
            ConsistentRead=True,
        )["Items"]
        return [int(item["amount"]["N"]) for item in items]


def table(stack: RunningStack) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{stack.moto_port}",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def pending(report: dict[str, Any]) -> int:
    return int(report["currencies"].get("USD", {}).get("commissions", {}).get("pending", 0))


def test_the_same_webhook_20_times_at_once_books_once(stack: RunningStack) -> None:
    shop = Shop(stack)
    body = shop.created(0)
    answers = together([lambda: shop.send(body)] * 20)
    statuses = Counter(status for status, _ in answers)
    # 200 for the one that processed it and for duplicates; 409 while another delivery holds the
    # event (docs/webhooks.md): never a 5xx, never a second processing.
    assert set(statuses) <= {200, 409}, answers
    processed = [a for s, a in answers if s == 200 and not a.get("duplicate")]
    assert len(processed) == 1 and processed[0]["status"] == "processed", answers
    # The store retries each 409: every one of them is then a duplicate, answered 200.
    for status, _ in answers:
        if status == 409:
            assert shop.send_until_accepted(body)["duplicate"] is True
    assert shop.orders() == [shop.order(0)["id"]]
    assert shop.ledger(0) == [SUBTOTAL // 10]  # one commission entry
    report = shop.report()
    assert report["orders"] == 1 and pending(report) == SUBTOTAL // 10


def test_an_order_and_its_refund_at_once_book_once_and_reverse_once(stack: RunningStack) -> None:
    """Each round sends an order and its refund six times each (the first delivery and five
    retries), all twelve released together; whichever lands first, the order is booked once and
    reversed once: the ledger ends where booking each event once, in time order, ends."""
    shop = Shop(stack)
    rounds = 4
    for n in range(rounds):
        created, refunded = shop.created(n), shop.refunded(n)
        answers = together([partial(shop.send, b) for b in (created, refunded) for _ in range(6)])
        assert {s for s, _ in answers} <= {200, 409}, answers
        for body in (created, refunded):  # the store retries what was held
            shop.send_until_accepted(body)
        processed = [a for s, a in answers if s == 200 and not a.get("duplicate")]
        assert len(processed) <= 2, answers  # each event processed at most once (the rest: duplicates)
        entries = shop.ledger(n)
        assert sum(entries) == (SUBTOTAL - REFUNDED) // 10, entries
        # The order first: its commission, then the reversal. The refund first: nothing until the
        # order came, then the net in one entry. Never more, and never a doubled entry.
        assert entries in ([SUBTOTAL // 10, -(REFUNDED // 10)], [(SUBTOTAL - REFUNDED) // 10]), entries
    assert sorted(shop.orders()) == sorted(shop.order(n)["id"] for n in range(rounds))
    events = call(stack, "GET", "/v1/webhook-events?limit=100")[1]["items"]
    mine = [e for e in events if shop.tag in e["id"]]
    assert len(mine) == 2 * rounds and {e["status"] for e in mine} == {"processed"}, mine
    report = shop.report()
    assert report["orders"] == rounds and pending(report) == rounds * (SUBTOTAL - REFUNDED) // 10


def test_a_refund_before_its_order_is_not_lost(stack: RunningStack) -> None:
    """docs/decisions.md, "Commissions and the ledger": a refund that comes before its order books
    nothing until the order arrives; then the order books net of it."""
    shop = Shop(stack)
    assert shop.send_until_accepted(shop.refunded(0))["status"] == "processed"
    assert shop.ledger(0) == [] and pending(shop.report()) == 0
    answers = together([lambda: shop.send(shop.created(0))] * 6)
    assert {s for s, _ in answers} <= {200, 409}, answers
    shop.send_until_accepted(shop.created(0))
    assert shop.ledger(0) == [(SUBTOTAL - REFUNDED) // 10]
    assert pending(shop.report()) == (SUBTOTAL - REFUNDED) // 10


def test_concurrent_clicks_count_once_per_visitor(stack: RunningStack) -> None:
    """50 visitors at once: 50 counted. One visitor 20 times at once: counted once. A visitor is the
    salted hash of IP and User-Agent (roster.links.redirect.visitor); every request here comes from
    127.0.0.1, so the User-Agent tells them apart.

    The redirect's click write has a tight time budget and fails open: a write that runs out of it
    is logged as "click not recorded" and the customer is redirected anyway (moto under a burst is
    far slower than DynamoDB, so some do here). Those lines are replayed as an operator would
    (`make replay-clicks`: the same conditional write), and the counts must then be exact: a click
    whose write timed out but applied is not counted twice."""
    shop = Shop(stack)
    status, creator = call(
        stack, "POST", "/v1/creators", {"name": "Kit", "email": f"kit-{shop.tag}@e2e.example"}
    )
    assert status == 201, creator
    status, link = call(
        stack,
        "POST",
        "/v1/links",
        {
            "campaign_id": shop.campaign["id"],
            "creator_id": creator["id"],
            "destination": "https://shop.example.com/race",
        },
    )
    assert status == 201, link
    path = f"/r/{link['code']}"
    store = ClickStore(Table("roster-local-Table", table(stack)))

    def click(visitor: str) -> str:
        agent = f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36 e2e-{visitor}"
        status, headers = raw_get(stack, path, {"User-Agent": agent})
        assert status == 302, (status, headers)
        return parse_qs(urlsplit(headers["location"]).query)["rid"][0]

    def unrecorded_since(start: int) -> list[str]:
        """The stack's "click not recorded" lines for this link since output line `start`. A
        request made after the burst marks its end: the stack's output is one pipe, in order."""
        sentinel = f"/r/zz-end-{uuid.uuid4().hex[:12]}"
        assert raw_get(stack, sentinel, {})[0] == 404
        deadline = time.monotonic() + 10
        while not any(sentinel in line for line in stack.output[start:]):
            assert time.monotonic() < deadline, "the stack's output stopped"
            time.sleep(0.05)
        lines = stack.output[start:]
        return [line for line in lines if "click not recorded" in line and link["code"] in line]

    def totals() -> dict[str, Any]:
        status, stats = call(stack, "GET", f"/v1/links/{link['code']}/stats")
        assert status == 200, stats
        return dict(stats["totals"])

    def settled(clicks: int) -> dict[str, Any]:
        """The stream consumer batches the daily counters: poll until they reach `clicks`, then once
        more after a pause, so a late double count would show."""
        deadline = time.monotonic() + 45
        while totals()["clicks"] < clicks and time.monotonic() < deadline:
            time.sleep(0.3)
        time.sleep(1.5)
        return totals()

    start = len(stack.output)
    ids = together([partial(click, f"visitor-{i}") for i in range(50)])
    assert len(set(ids)) == 50  # a new click id for each counted click
    failed = unrecorded_since(start)
    replay(store, failed)
    replay(store, failed)  # twice, as an operator might: still nothing counted twice
    after = settled(50)
    assert (after["clicks"], after["unique_clicks"]) == (50, 50), (after, len(failed))

    start = len(stack.output)
    repeat = together([lambda: click("the-same-one")] * 20)
    failed = unrecorded_since(start)
    replay(store, failed)
    # Every redirect whose write answered carries the visit's one click id (the one its order will
    # be attributed by); one that failed open carries its own new id.
    answered = [i for i in repeat if not any(i in line for line in failed)]
    assert len(set(answered)) <= 1, Counter(answered)
    after = settled(51)
    assert (after["clicks"], after["unique_clicks"]) == (51, 51), (after, len(failed))


def test_a_burst_of_300_connections_is_all_answered(stack: RunningStack) -> None:
    """The gateway's listen backlog (1024): with the standard library's 5, connections opened
    together beyond the first few dozen were reset."""

    def health() -> int:
        return raw_get(stack, "/health", {})[0]

    assert Counter(together([health] * 300)) == {200: 300}
