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
