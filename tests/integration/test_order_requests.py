"""AWS requests per order webhook (issue 16: ≤ 8 for a new attributed order, ≤ 2 for a duplicate),
counted with botocore's before-call events as bench/webhooks.py counts them, and what the fewer
requests must not cost: a plan change, a cancellation or a creator's new email applies to the next
order; a refund still waits for its order and books once under every interleaving of the two
deliveries; an append (with the delivery's outcome in it) that applied and then reported failure
is not booked twice."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from roster.conversions import webhooks
from roster.conversions.webhook_signatures import sign
from roster.deps import Deps, deps
from roster.models.webhooks import Provider
from roster.store.registry import Stores
from roster.store.table import Table
from tests.conftest import TEST_ENV, load_json
from tests.integration.conftest import Client, table_snapshot
from tests.integration.interleavings import Schedule, Serial, merges
from tests.integration.test_attribution import put_click
from tests.integration.test_ledger import PLAN, generic, setup
from tests.integration.test_webhooks import SECRETS

__all__ = ["setup"]  # the fixture, shared with test_ledger: a campaign (PLAN), Maya, code MAYA10

NEW_ORDER_MAX = 8
DUPLICATE_MAX = 2
GROSS = 200 + 800  # PLAN on an 8,000 order: CPA 200 + 10 %


@contextmanager
def counted() -> Iterator[Counter[str]]:
    """Every AWS request the webhook function's clients make meanwhile, by service:operation."""
    wired = deps()
    calls: Counter[str] = Counter()
    clients = {
        id(c): c for c in (wired.stores.orders.table.client, wired.secrets.client, wired.archive.client)
    }

    def count(model: Any, **_: Any) -> None:
        calls.update([f"{model.service_model.service_name}:{model.name}"])

    for c in clients.values():
        c.meta.events.register("before-call", count)
    try:
        yield calls
    finally:
        for c in clients.values():
            c.meta.events.unregister("before-call", count)


def order(n: int, **fields: Any) -> dict[str, Any]:
    base = load_json("orders_generic_created.json")
    body = base["order"] | {"id": f"ORD-{n}", "line_items": [], "click_id": None} | fields
    body["customer"] = {"email": f"buyer{n}@example.com"}
    return {"id": f"evt_{n}", "type": "order.created", "order": body}


def refund(n: int, amount: int = 4_000, key: str = "rf") -> dict[str, Any]:
    return order(n) | {
        "id": f"evt_{key}{n}",
        "type": "order.refunded",
        "refund": {"id": f"{key}-{n}", "amount": amount, "created_at": "2027-01-11T12:00:00Z"},
    }


def warm(brand: Client) -> None:
    """One order first, so the secret is cached (one SSM read per minute, not per order)."""
    assert generic(brand, order(0))[1]["status"] == "processed"


def ledger(brand_id: str) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for i in table_snapshot():
        if i.get("entity", {}).get("S") == "ledger_entry" and i["PK"]["S"].endswith(brand_id):
            out.setdefault(i["order_id"]["S"], []).append((int(i["seq"]["N"]), int(i["amount"]["N"])))
    return {k: sorted(v) for k, v in out.items()}


def statuses() -> Counter[str]:
    return Counter(
        i["status"]["S"] for i in table_snapshot() if i.get("entity", {}).get("S") == "webhook_event"
    )


def test_a_new_promo_code_order_makes_at_most_8_requests_and_a_duplicate_2(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    warm(brand_a)
    with counted() as calls:
        status, body = generic(brand_a, order(1))
    assert status == 200 and body["status"] == "processed"
    assert sum(calls.values()) <= NEW_ORDER_MAX, calls
    assert calls["s3:PutObject"] == 1  # the archive is kept
    assert "dynamodb:Query" not in calls  # the events this delivery stored are all there are
    assert ledger(brand_a.brand_id)["ORD-1"] == [(0, GROSS)]
    with counted() as calls:
        status, body = generic(brand_a, order(1))
    assert status == 200 and body["duplicate"] is True
    assert sum(calls.values()) <= DUPLICATE_MAX, calls
    assert ledger(brand_a.brand_id)["ORD-1"] == [(0, GROSS)]


def test_a_new_click_order_makes_at_most_8_requests(brand_a: Client, setup: dict[str, Any]) -> None:
    warm(brand_a)
    campaign, maya = setup["campaign"]["id"], setup["maya"]["id"]
    put_click(brand_a.brand_id, "01M7ZH0MAPXJEHREDJSSF144CB", campaign, maya, "2027-01-09T12:00:00Z")
    with counted() as calls:
        status, body = generic(brand_a, order(2, discount_codes=[], click_id="01M7ZH0MAPXJEHREDJSSF144CB"))
    assert status == 200 and body["status"] == "processed"
    assert sum(calls.values()) <= NEW_ORDER_MAX, calls
    (decided,) = [o for o in brand_a.call("GET", "/v1/orders")[1]["items"] if o["order_id"] == "ORD-2"]
    assert (decided["method"], decided["creator_id"]) == ("click", maya)
    assert ledger(brand_a.brand_id)["ORD-2"] == [(0, GROSS)]


def test_a_refund_after_its_order_reads_the_events_once_and_reverses(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    warm(brand_a)
    generic(brand_a, order(3))
    with counted() as calls:
        assert generic(brand_a, refund(3))[1]["status"] == "processed"
    assert sum(calls.values()) <= NEW_ORDER_MAX, calls
    assert calls["dynamodb:Query"] == 1  # the order's event was stored by another delivery: read
    assert ledger(brand_a.brand_id)["ORD-3"] == [(0, GROSS), (1, -(GROSS // 2))]


def test_what_changed_before_an_order_applies_to_it(brand_a: Client, setup: dict[str, Any]) -> None:
    """Nothing is cached beyond one delivery: a new plan, a new email and a cancellation each
    apply to the very next order."""
    campaign = f"/v1/campaigns/{setup['campaign']['id']}"
    generic(brand_a, order(10))
    plan = {"plan": PLAN["plan"] | {"cpa": 0, "percent_bps": 2000}}
    assert brand_a.call("PATCH", campaign, {"commission": plan})[0] == 200
    generic(brand_a, order(11))
    assert ledger(brand_a.brand_id)["ORD-10"] == [(0, GROSS)]
    assert ledger(brand_a.brand_id)["ORD-11"] == [(0, 1_600)]  # 20 % of 8,000, no CPA

    maya = f"/v1/creators/{setup['maya']['id']}"
    assert brand_a.call("PATCH", maya, {"email": "maya.new@example.com"})[0] == 200
    mine = order(12)
    mine["order"]["customer"] = {"email": "maya.new@example.com"}
    generic(brand_a, mine)
    assert "ORD-12" not in ledger(brand_a.brand_id)  # a self-purchase, by the email she has now

    assert brand_a.call("PATCH", campaign, {"status": "cancelled"})[0] == 200
    generic(brand_a, order(13))  # placed (2027) after the cancellation (now)
    items = {o["order_id"]: o for o in brand_a.call("GET", "/v1/orders")[1]["items"]}
    assert items["ORD-12"]["self_purchase"] is True
    assert items["ORD-13"]["not_commissionable"], items["ORD-13"]
    assert "ORD-13" not in ledger(brand_a.brand_id)


class AppliedThenFails:
    """The first TransactWriteItems that writes a ledger entry applies and then raises, as a
    timeout after DynamoDB committed it would (no SDK retry: the error reaches Roster)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.tripped = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name != "transact_write_items":
            return attr

        def call(**kwargs: Any) -> Any:
            result = attr(**kwargs)
            items = [op.get("Put", {}).get("Item", {}) for op in kwargs["TransactItems"]]
            if not self.tripped and any(i.get("entity", {}).get("S") == "ledger_entry" for i in items):
                self.tripped += 1
                raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, name)
            return result

        return call


def test_an_append_that_applied_then_failed_is_not_booked_twice(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    """The outcome goes in the entry's transaction: applied means processed, and the store's
    retry is a duplicate; nothing is booked again."""
    client: Any = AppliedThenFails(boto3.client("dynamodb"))
    wired = Deps(
        stores=Stores.for_table(Table(TEST_ENV["TABLE_NAME"], client)),
        secrets=deps().secrets,
        archive=deps().archive,
    )
    body = json.dumps(order(20)).encode()
    headers = {"roster-signature": sign(SECRETS["orders"], body)}
    with pytest.raises(ClientError):
        webhooks.receive(wired, "orders", brand_a.brand_id, headers, body)
    assert client.tripped == 1
    assert ledger(brand_a.brand_id)["ORD-20"] == [(0, GROSS)]  # it did apply
    status, answer = webhooks.receive(wired, "orders", brand_a.brand_id, headers, body)  # the store retries
    assert status == 200 and answer["duplicate"] is True
    assert ledger(brand_a.brand_id)["ORD-20"] == [(0, GROSS)]
    assert statuses() == Counter({"processed": 1})


# The webhook path's gated calls: store the event, the batched reads, the decision, the state and
# events when read again, the append.
GATED = (
    "orders.add",
    "table.batch_get",
    "attributions.put_once",
    "ledger.state",
    "orders.for_order",
    "ledger.append",
)


def gated_deps(schedule: Schedule) -> Deps:
    client: Any = Serial(boto3.client("dynamodb"))
    table = Table(TEST_ENV["TABLE_NAME"], client)
    stores = Stores.for_table(table)
    for path in GATED:
        owner_name, method = path.split(".")
        owner = table if owner_name == "table" else getattr(stores, owner_name)
        setattr(owner, method, schedule.gate(path, getattr(owner, method)))
    return Deps(stores=stores, secrets=deps().secrets, archive=deps().archive)


def delivery(wired: Deps, brand_id: str, event: dict[str, Any]) -> Any:
    body = json.dumps(event).encode()
    headers = {"roster-signature": sign(SECRETS["orders"], body)}
    return lambda: webhooks.receive(wired, "orders", brand_id, headers, body)


def test_every_interleaving_of_an_order_delivery_and_its_refunds(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    """O: add, batch, batch, decide, append; R: add, batch, append (the refund's further calls, when
    it reads the state and events again, run as they come): every merge of the order's and the
    refund's calls ends at the order booked and half reversed, entries without gaps, both
    deliveries processed."""
    deps().secrets.get(brand_a.brand_id, Provider.ORDERS)  # cached: SSM is not part of the race
    trials = list(merges(["O"] * 5, ["R"] * 3))
    assert len(trials) == 56
    for n, turns in enumerate(trials):
        schedule = Schedule(turns)
        wired = gated_deps(schedule)
        work = {
            "O": delivery(wired, brand_a.brand_id, order(100 + n)),
            "R": delivery(wired, brand_a.brand_id, refund(100 + n)),
        }
        errors = schedule.run(work)
        assert errors == {"O": None, "R": None}, (turns, errors)
        entries = ledger(brand_a.brand_id)[f"ORD-{100 + n}"]
        assert sum(a for _, a in entries) == GROSS - GROSS // 2, (turns, schedule.log, entries)
        assert [s for s, _ in entries] == list(range(len(entries)))
    assert statuses()["processed"] == 2 * len(trials)
