from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest

from roster.errors import BadRequest
from roster.store.table import decode_cursor, deserialize, encode_cursor, serialize


def test_round_trip_keeps_ints_floats_and_drops_none() -> None:
    item = {"a": 1, "b": 3.25, "c": None, "d": {"e": [1, 2.5, "x"], "f": None}, "g": True}
    stored = serialize(item)
    assert stored["b"] == {"N": "3.25"} and "c" not in stored
    assert deserialize(stored) == {"a": 1, "b": 3.25, "d": {"e": [1, 2.5, "x"]}, "g": True}
    assert isinstance(deserialize(serialize({"n": Decimal("2")}))["n"], int)


def test_cursor_round_trip_is_bound_to_its_partition() -> None:
    key = {"PK": {"S": "BRAND#a"}, "SK": {"S": "CAMPAIGN#01"}}
    cursor = encode_cursor(key)
    assert cursor is not None and "BRAND" not in cursor
    assert decode_cursor(cursor, partition_attr="PK", partition_value="BRAND#a") == key
    with pytest.raises(BadRequest, match="invalid cursor"):
        decode_cursor(cursor, partition_attr="PK", partition_value="BRAND#b")
    assert encode_cursor(None) is None


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        json.dumps(["PK"]).encode(),
        json.dumps({}).encode(),
        json.dumps({"PK": "BRAND#a", "secret": "x"}).encode(),
        json.dumps({"PK": "BRAND#a", "SK": 5}).encode(),
    ],
)
def test_tampered_cursors_are_rejected(payload: bytes) -> None:
    cursor = base64.urlsafe_b64encode(payload).decode()
    with pytest.raises(BadRequest):
        decode_cursor(cursor, partition_attr="PK", partition_value="BRAND#a")
    with pytest.raises(BadRequest):
        decode_cursor("%%%", partition_attr="PK", partition_value="BRAND#a")


class _Conflicting:
    """A DynamoDB client whose first `conflicts` transactions are cancelled as DynamoDB cancels one
    that meets another transaction on the same item (reason TransactionConflict)."""

    class exceptions:  # noqa: N801 - the boto3 client's attribute
        class TransactionCanceledException(Exception):
            def __init__(self, reasons: list[dict[str, str]]) -> None:
                super().__init__("Transaction cancelled")
                self.response = {"CancellationReasons": reasons}

        class ConditionalCheckFailedException(Exception):
            pass

    def __init__(self, conflicts: int) -> None:
        self.conflicts, self.calls = conflicts, 0

    def transact_write_items(self, **kwargs: object) -> dict[str, object]:
        self.calls += 1
        if self.calls <= self.conflicts:
            reasons = [{"Code": "None"}, {"Code": "TransactionConflict"}]
            raise self.exceptions.TransactionCanceledException(reasons)
        return {}


def test_a_transaction_conflict_is_retried_not_a_5xx() -> None:
    """An order event and its refund's booking write the same order state at once: DynamoDB
    cancels one as TransactionConflict, which the SDK does not retry. Storing the event tries
    again; a booking reports a lost race (its loop re-reads and recomputes)."""
    from typing import Any

    from roster.models.ledger import LedgerEntry
    from roster.models.orders import OrderEvent
    from roster.models.webhooks import Provider
    from roster.store.ledger import LedgerStore, OrderState
    from roster.store.orders import OrderStore
    from roster.store.table import Table, TransactionConflict

    client: Any = _Conflicting(conflicts=2)
    event = OrderEvent(
        kind="order",
        provider=Provider.ORDERS,
        order_id="1",
        event_key="1",
        occurred_at="2027-01-10T12:00:00Z",
        currency="USD",
    )
    assert OrderStore(Table("t", client)).add("b", event, "src") is True and client.calls == 3
    with pytest.raises(TransactionConflict):
        OrderStore(Table("t", _Conflicting(conflicts=9))).add("b", event, "src")  # type: ignore[arg-type]
    entry = LedgerEntry(
        entry_id="orders:1:0",
        creator_id="c",
        campaign_id="k",
        provider="orders",
        order_id="1",
        seq=0,
        kind="commission",
        amount=100,
        currency="USD",
        occurred_at="2027-01-10T12:00:00Z",
        hold_until="2027-02-09T12:00:00Z",
        created_at="2027-01-10T12:00:00Z",
    )
    ledger: Any = _Conflicting(conflicts=1)
    assert LedgerStore(Table("t", ledger)).append("b", entry, OrderState(events=1)) is False
    assert LedgerStore(Table("t", ledger)).append("b", entry, OrderState(events=1)) is True


class _ThrottlingBatches:
    """A DynamoDB client whose BatchGetItem answers `served` keys per call (the rest unprocessed,
    as under throttling) and whose GetItem serves one key; it holds `items` by (PK, SK)."""

    def __init__(self, items: dict[tuple[str, str], dict[str, str]], served: int) -> None:
        self.items, self.served = items, served
        self.batches: list[int] = []
        self.gets: list[tuple[str, bool]] = []

    def batch_get_item(self, RequestItems: dict[str, dict[str, object]]) -> dict[str, object]:  # noqa: N803
        ((name, ask),) = RequestItems.items()
        wanted = list(ask["Keys"])  # type: ignore[call-overload]
        self.batches.append(len(wanted))
        now, later = wanted[: self.served], wanted[self.served :]
        found = [
            serialize(self.items[(k["PK"]["S"], k["SK"]["S"])])
            for k in now
            if (k["PK"]["S"], k["SK"]["S"]) in self.items
        ]
        answer: dict[str, object] = {"Responses": {name: found}}
        if later:
            answer["UnprocessedKeys"] = {name: {"Keys": later, "ConsistentRead": ask["ConsistentRead"]}}
        return answer

    def get_item(
        self, TableName: str, Key: dict[str, dict[str, str]], ConsistentRead: bool
    ) -> dict[str, object]:  # noqa: N803
        pk, sk = Key["PK"]["S"], Key["SK"]["S"]
        self.gets.append((pk, ConsistentRead))
        item = self.items.get((pk, sk))
        return {"Item": serialize(item)} if item else {}


@pytest.mark.parametrize("served", [0, 1, 2, 10])
def test_batch_get_never_reads_an_unprocessed_key_as_absent(
    served: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys DynamoDB leaves unprocessed are asked again, then read one by one with the same
    consistency: every stored item comes back, whatever the throttling; absent ones stay absent."""
    from roster.store import table as table_module

    monkeypatch.setattr("roster.store.table.time.sleep", lambda seconds: None)
    items = {(f"P{i}", "S"): {"PK": f"P{i}", "SK": "S", "n": str(i)} for i in range(5)}
    client = _ThrottlingBatches(items, served)
    t = table_module.Table("t", client)  # type: ignore[arg-type]
    wanted = [(f"P{i}", "S") for i in range(7)] + [("P0", "S")]  # two absent, one asked twice
    found = t.batch_get(wanted, consistent=True)
    assert found == items
    assert client.batches[0] == 7  # the repeated key asked once
    assert len(client.batches) <= table_module.BATCH_GET_ROUNDS
    assert all(consistent for _, consistent in client.gets)
    if served == 0:  # nothing ever processed: every key read by GetItem
        assert sorted(pk for pk, _ in client.gets) == [f"P{i}" for i in range(7)]
