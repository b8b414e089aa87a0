"""Webhooks under injected DynamoDB faults, with store-like retries: 200 deliveries (100 orders and
a half refund of each) from four concurrent senders, once with 20 % of DynamoDB calls raising
before they reach the table and once with 20 % of writes applied and then answered with an error
(no SDK retry: every fault reaches Roster's code). A sender retries a 5xx or 409 with backoff, as
the stores do, and then gives up. After one replay of what the API lists as stale or failed,
nothing is lost, nothing is doubled and nothing is stuck."""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any

import boto3
import pytest

from roster.conversions import webhooks
from roster.conversions.commissions import target
from roster.conversions.webhook_signatures import sign
from roster.deps import Deps, deps
from roster.models.commissions import CommissionPlan
from roster.models.webhooks import Provider
from roster.store.registry import Stores
from roster.store.table import Table
from roster.store.webhooks import WebhookEventRecord
from tests.conftest import TEST_ENV, load_json
from tests.integration.conftest import Client, table_snapshot
from tests.integration.interleavings import Faults, Serial
from tests.integration.test_ledger import PLAN, setup
from tests.integration.test_webhooks import SECRETS

__all__ = ["setup"]

ORDERS = 100
SENDERS = 4
BACKOFF = (10, 30, 60, 120, 300, 600, 1200, 2400)  # seconds before each retry (8 retries)
START = int(time.time()) - 3 * 3600  # every lease has run out by the time the test replays


def deliveries() -> list[tuple[str, bytes]]:
    base = load_json("orders_generic_created.json")
    out = []
    for n in range(ORDERS):
        order = base["order"] | {"id": f"F-{n}", "subtotal": 10_000, "total": 10_800, "line_items": []}
        order["customer"] = {"email": f"buyer{n}@example.com"}
        refund = {"id": f"rf-{n}", "amount": 5_400, "created_at": "2027-01-11T12:00:00Z"}
        out.append(
            (f"o{n}", json.dumps({"id": f"evt_o{n}", "type": "order.created", "order": order}).encode())
        )
        out.append(
            (
                f"r{n}",
                json.dumps(
                    {"id": f"evt_r{n}", "type": "order.refunded", "order": order, "refund": refund}
                ).encode(),
            )
        )
    return out


def expected_per_order(brand_id: str, stores: Stores) -> int:
    """Booking the order and its refund once, in time order, gives this (the oracle)."""
    events = stores.orders.for_order(brand_id, Provider.ORDERS, "F-0")
    assert len(events) == 2
    goal = target(events, CommissionPlan.model_validate(PLAN["plan"]))
    assert goal is not None
    return goal.net


class Sender:
    """A store: delivers, retries 5xx/409 after a backoff on its own clock, then gives up."""

    def __init__(self, wired: Deps, faults: Faults, brand_id: str) -> None:
        self.deps, self.faults, self.brand_id = wired, faults, brand_id
        self.local = threading.local()
        self.gave_up: list[str] = []
        self.answers: dict[int, int] = {}
        self.lock = threading.Lock()

    def now(self) -> float:
        return float(getattr(self.local, "now", START))

    def deliver(self, name: str, body: bytes) -> None:
        self.local.now = START
        for attempt, wait in enumerate((0, *BACKOFF)):
            self.local.now += wait
            self.faults.seed_thread(f"{name}:{attempt}")
            headers = {"roster-signature": sign(SECRETS["orders"], body, int(self.local.now))}
            try:
                status, _ = webhooks.receive(self.deps, "orders", self.brand_id, headers, body)
            except Exception as exc:  # what the handler turns into 409 or 503
                status = 409 if type(exc).__name__ == "Conflict" else 503
            with self.lock:
                self.answers[status] = self.answers.get(status, 0) + 1
            if status == 200:
                return
        with self.lock:
            self.gave_up.append(name)


def run(brand: Client, *, raise_rate: float, applied_rate: float) -> dict[str, Any]:
    client: Any = Faults(Serial(boto3.client("dynamodb")), raise_rate=raise_rate, applied_rate=applied_rate)
    stores = Stores.for_table(Table(TEST_ENV["TABLE_NAME"], client))
    sender = Sender(
        Deps(stores=stores, secrets=deps().secrets, archive=deps().archive), client, brand.brand_id
    )
    sender.deps.clock = sender.now
    work: queue.Queue[tuple[str, bytes]] = queue.Queue()
    for item in deliveries():
        work.put(item)

    def drain() -> None:
        while True:
            try:
                name, body = work.get_nowait()
            except queue.Empty:
                return
            sender.deliver(name, body)

    threads = [threading.Thread(target=drain, name=f"sender-{i}") for i in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    client.enabled = False  # the outage is over; the brand looks at its webhook events

    replayed = 0
    for status in ("processing", "failed"):
        for event in listed(brand, status):
            assert status == "failed" or event["stale"], event  # every lease has run out
            code, body = brand.call("POST", f"/v1/webhook-events/{event['id']}/replay")
            assert code == 200 and body["status"] == "processed", (code, body)
            replayed += 1
    return {
        "injected": dict(client.injected),
        "gave_up": sender.gave_up,
        "replayed": replayed,
        "answers": sender.answers,
        "stores": stores,
    }


def listed(brand: Client, status: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        query = {"status": status, "limit": "100"} | ({"cursor": cursor} if cursor else {})
        code, body = brand.call("GET", "/v1/webhook-events", query=query)
        assert code == 200
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def check(brand: Client, outcome: dict[str, Any]) -> None:
    snapshot = table_snapshot()
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for item in snapshot:
        by_entity.setdefault(item.get("entity", {}).get("S", ""), []).append(item)
    events = by_entity["webhook_event"]
    assert len(events) == 2 * ORDERS  # 0 lost: every delivery is on record
    assert sorted({e["status"]["S"] for e in events}) == ["processed"]  # 0 stuck, 0 failed
    assert len(by_entity["order_event"]) == 2 * ORDERS
    per_order: dict[str, int] = {}
    for entry in by_entity["ledger_entry"]:
        order_id = entry["order_id"]["S"]
        per_order[order_id] = per_order.get(order_id, 0) + int(entry["amount"]["N"])
    want = expected_per_order(brand.brand_id, outcome["stores"])
    # 0 lost, 0 doubled: each order's balance is the order booked and its refund reversed, once
    assert per_order == {f"F-{n}": want for n in range(ORDERS)}
    assert not outcome["gave_up"] or outcome["replayed"] >= len(outcome["gave_up"])


@pytest.mark.parametrize(
    ("raise_rate", "applied_rate"), [(0.2, 0.0), (0.0, 0.2)], ids=["calls-raise", "writes-apply-then-fail"]
)
def test_faults_lose_nothing_double_nothing_strand_nothing(
    brand_a: Client, setup: dict[str, Any], raise_rate: float, applied_rate: float
) -> None:
    outcome = run(brand_a, raise_rate=raise_rate, applied_rate=applied_rate)
    injected = outcome["injected"]
    assert injected["raised"] + injected["applied_then_failed"] > 100  # the faults really happened
    assert outcome["answers"].get(503, 0) > 0
    check(brand_a, outcome)


def test_a_deeply_nested_body_is_archived_as_failed(brand_a: Client, setup: dict[str, Any]) -> None:
    from tests.integration.test_webhooks import archived, deliver

    body = b'{"id":"evt_deep","a":' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    status, answer = deliver(brand_a, "orders", body, {"roster-signature": sign(SECRETS["orders"], body)})
    assert status == 200 and answer["status"] == "failed"
    (event,) = listed(brand_a, "failed")
    assert "nested too deeply" in event["error"] and len(archived()) == 1
    # The store's retry is a duplicate (200), not a 503 loop.
    status, answer = deliver(brand_a, "orders", body, {"roster-signature": sign(SECRETS["orders"], body)})
    assert status == 200 and answer.get("duplicate") is True


def test_a_stale_claim_is_listed_and_replay_takes_it_over(brand_a: Client, setup: dict[str, Any]) -> None:
    """A run that died mid-way leaves `processing`; while its lease runs, replay is a 409; after,
    the event is listed as stale and replay finishes it."""
    body = json.dumps(load_json("orders_generic_created.json")).encode()
    record: WebhookEventRecord = {
        "id": "orders:evt_7f3a9c",
        "provider": "orders",
        "topic": "order.created",
        "received_at": "2027-01-10T12:00:00Z",
        "archive_key": "k/evt",
    }
    deps().archive.put("k/evt", body, {})
    now = int(time.time())
    assert deps().stores.webhook_events.claim(brand_a.brand_id, record, now, "dead-run") is None
    assert brand_a.call("POST", "/v1/webhook-events/orders:evt_7f3a9c/replay")[0] == 409
    (live,) = listed(brand_a, "processing")
    assert live["stale"] is False
    assert deps().stores.webhook_events.claim(brand_a.brand_id, record, now - 61, "dead-run") is None  # aged
    (stale,) = listed(brand_a, "processing")
    assert stale["stale"] is True
    code, replayed = brand_a.call("POST", "/v1/webhook-events/orders:evt_7f3a9c/replay")
    assert code == 200 and replayed["status"] == "processed"
    assert listed(brand_a, "processing") == []
    assert sum(1 for i in table_snapshot() if i.get("entity", {}).get("S") == "ledger_entry") == 1


def test_an_ambiguous_claim_retried_by_its_own_run_proceeds(brand_a: Client, setup: dict[str, Any]) -> None:
    """A claim put applied but answered with an error, re-sent by the same run (the SDK's retry),
    meets its own token: it proceeds instead of answering 409 for the lease."""
    record: WebhookEventRecord = {
        "id": "orders:x",
        "provider": "orders",
        "topic": "order.created",
        "received_at": "2027-01-10T12:00:00Z",
        "archive_key": "k/x",
    }
    now = int(time.time())
    events = deps().stores.webhook_events
    assert events.claim(brand_a.brand_id, record, now, "run-1") is None
    assert events.claim(brand_a.brand_id, record, now, "run-1") is None  # its own retry
    held = events.claim(brand_a.brand_id, record, now, "run-2")  # another run waits for the lease
    assert held is not None and held["owner"] == "run-1"
