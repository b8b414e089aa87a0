"""Low-level DynamoDB access: (de)serialization, conditional writes, cursor pagination."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config

from roster.errors import BadRequest, NotFound
from roster.store.keys import KEY_ATTRIBUTES, PK, SK

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

Item = dict[str, Any]

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Pages are read in rounds while a filter discards items; this bounds the work per request.
MAX_QUERY_ROUNDS = 8
# BatchGetItem takes up to 100 keys; keys it leaves unprocessed are asked again this many times.
BATCH_GET_KEYS = 100
BATCH_GET_ROUNDS = 3


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """Python dict → DynamoDB JSON. None values are dropped (absent, not NULL)."""
    return {k: _serializer.serialize(v) for k, v in _to_dynamo(item).items()}


def deserialize(item: Mapping[str, Any]) -> Item:
    return {k: _from_dynamo(_deserializer.deserialize(v)) for k, v in item.items()}


def encode_cursor(last_key: Mapping[str, Any] | None) -> str | None:
    if not last_key:
        return None
    plain = {k: _deserializer.deserialize(v) for k, v in last_key.items()}
    raw = json.dumps(plain, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, partition_attr: str, partition_value: str) -> dict[str, Any]:
    """Checks the cursor belongs to *this* query (same partition), so it cannot cross tenants."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("invalid cursor") from exc
    if (
        not isinstance(plain, dict)
        or not plain
        or not set(plain) <= set(KEY_ATTRIBUTES)
        or not all(isinstance(v, str) for v in plain.values())
        or plain.get(partition_attr) != partition_value
    ):
        raise BadRequest("invalid cursor")
    return {k: {"S": v} for k, v in plain.items()}


def or_not_found[T](found: T | None, message: str) -> T:
    """Every store's `require`: what its `get` found, else NotFound (the one convention: `get`
    returns None, `require` raises)."""
    if found is None:
        raise NotFound(message)
    return found


class TransactionConflict(Exception):
    """DynamoDB cancelled a transaction because another one was changing the same item at that
    moment: nothing was written, and trying again is right (the SDK does not retry it)."""


@dataclass(frozen=True)
class Query:
    """One partition of the table or of an index, optionally narrowed by sort-key prefix and filter."""

    partition_attr: str
    partition_value: str
    index: str | None = None
    sort_attr: str | None = None
    sort_prefix: str | None = None
    filter_expression: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    descending: bool = False
    sort_min: str | None = None  # sort key >= this (with sort_attr and sort_max: BETWEEN)
    sort_max: str | None = None  # sort key <= this (with sort_attr)
    consistent: bool = False  # strongly consistent read (table queries only, not indexes)


class Table:
    def __init__(self, name: str, client: DynamoDBClient | None = None) -> None:
        self.name = name
        self.client: DynamoDBClient = client or boto3.client(
            "dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 4})
        )

    @classmethod
    def fail_fast(cls, name: str, *, connect_timeout: float, read_timeout: float, attempts: int) -> Table:
        """For the redirect, which fails open: a table whose calls give up after `attempts` tries
        in total (the first included: `total_max_attempts`, not botocore's `max_attempts`, which
        counts retries) with these timeouts in seconds. The budgets and their reasons are in
        roster.links.redirect (CLICK_WRITE, LINK_READ)."""
        config = Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": "standard", "total_max_attempts": attempts},
        )
        return cls(name, boto3.client("dynamodb", config=config))

    def get(self, pk: str, sk: str, *, consistent: bool = False) -> Item | None:
        resp = self.client.get_item(
            TableName=self.name, Key=serialize({"PK": pk, "SK": sk}), ConsistentRead=consistent
        )
        return deserialize(resp["Item"]) if "Item" in resp else None

    def batch_get(
        self, wanted: Sequence[tuple[str, str]], *, consistent: bool = False
    ) -> dict[tuple[str, str], Item]:
        """Several items by key (PK, SK) in one BatchGetItem per 100 keys: the items found, by key.
        Keys DynamoDB leaves unprocessed (throttling) are asked again, with a short backoff, a few
        times, then read one by one (GetItem, with the SDK's retries)."""
        keys = list(dict.fromkeys(wanted))  # BatchGetItem refuses a key twice
        found: dict[tuple[str, str], Item] = {}
        for start in range(0, len(keys), BATCH_GET_KEYS):
            pending: list[Any] = [
                serialize({"PK": pk, "SK": sk}) for pk, sk in keys[start : start + BATCH_GET_KEYS]
            ]
            for attempt in range(BATCH_GET_ROUNDS):
                resp = self.client.batch_get_item(
                    RequestItems={self.name: {"Keys": pending, "ConsistentRead": consistent}}
                )
                for raw in resp.get("Responses", {}).get(self.name, []):
                    item = deserialize(raw)
                    found[(str(item["PK"]), str(item["SK"]))] = item
                unprocessed: Any = resp.get("UnprocessedKeys") or {}
                pending = list((unprocessed.get(self.name) or {}).get("Keys", []))
                if not pending:
                    break
                if attempt < BATCH_GET_ROUNDS - 1:
                    time.sleep(0.02 * 2**attempt)
            for key in pending:  # still throttled: one GetItem each, with the SDK's own retries
                pk, sk = str(key["PK"]["S"]), str(key["SK"]["S"])
                if (one := self.get(pk, sk, consistent=consistent)) is not None:
                    found[(pk, sk)] = one
        return found

    def query_page(self, q: Query, *, limit: int, cursor: str | None) -> tuple[list[Item], str | None]:
        """Returns up to `limit` matching items and a cursor for the rest (None when done).

        With a filter, DynamoDB's Limit counts items *read*, so the page is filled over a few
        rounds; after MAX_QUERY_ROUNDS a short page comes back with a cursor, which bounds cost.
        """
        names = {"#pk": q.partition_attr, **q.names}
        values: dict[str, Any] = {":pk": q.partition_value, **q.values}
        condition = "#pk = :pk"
        if q.sort_prefix is not None and q.sort_attr:
            names["#sk"] = q.sort_attr
            values[":skp"] = q.sort_prefix
            condition += " AND begins_with(#sk, :skp)"
        elif q.sort_max is not None and q.sort_attr:
            names["#sk"] = q.sort_attr
            values[":skmax"] = q.sort_max
            if q.sort_min is not None:
                values[":skmin"] = q.sort_min
                condition += " AND #sk BETWEEN :skmin AND :skmax"
            else:
                condition += " AND #sk <= :skmax"
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": serialize(values),
        }
        if q.index:
            kwargs["IndexName"] = q.index
        if q.filter_expression:
            kwargs["FilterExpression"] = q.filter_expression
        if q.descending:
            kwargs["ScanIndexForward"] = False
        if q.consistent:
            kwargs["ConsistentRead"] = True
        start = (
            decode_cursor(cursor, partition_attr=q.partition_attr, partition_value=q.partition_value)
            if cursor
            else None
        )
        items: list[Item] = []
        for _ in range(MAX_QUERY_ROUNDS):
            if start:
                kwargs["ExclusiveStartKey"] = start
            resp = self.client.query(Limit=limit - len(items), **kwargs)
            items.extend(deserialize(i) for i in resp.get("Items", []))
            start = resp.get("LastEvaluatedKey")
            if not start or len(items) >= limit:
                break
        return items, encode_cursor(start)

    def query_all(self, q: Query) -> list[Item]:
        """Every matching item, page after page (for bounded sets: one order's, one creator's)."""
        out: list[Item] = []
        cursor = None
        while True:
            items, cursor = self.query_page(q, limit=1000, cursor=cursor)
            out += items
            if not cursor:
                return out

    def put(
        self,
        item: Mapping[str, Any],
        *,
        condition: str,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> Item | None:
        """Conditional put. Returns None on success, or the old item (possibly {}) when the condition
        failed: read from the failure itself, so callers need no second GET to explain it."""
        op = self.put_op(item, condition=condition, names=names, values=values)["Put"]
        try:
            self.client.put_item(**op)
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            return deserialize(cast(Mapping[str, Any], exc.response.get("Item", {})))
        return None

    def update(
        self,
        pk: str,
        sk: str,
        *,
        expression: str,
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
    ) -> Item | None:
        """Conditional UpdateItem. Returns None on success, or the old item ({} if none) when the
        condition failed, taken from the failure itself (no second read)."""
        kwargs: dict[str, Any] = {}
        if names:  # DynamoDB refuses empty maps
            kwargs["ExpressionAttributeNames"] = names
        if values:
            kwargs["ExpressionAttributeValues"] = serialize(values)
        try:
            self.client.update_item(
                TableName=self.name,
                Key=serialize({"PK": pk, "SK": sk}),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **kwargs,
            )
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            return deserialize(cast(Mapping[str, Any], exc.response.get("Item", {})))
        return None

    def overwrite(self, item: Mapping[str, Any]) -> None:
        """Unconditional put: only for items this request already owns (e.g. a claimed record)."""
        self.client.put_item(TableName=self.name, Item=serialize(item))

    def delete(
        self,
        pk: str,
        sk: str,
        *,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> bool:
        """Deletes the item; with a condition, False (and nothing deleted) when it does not hold."""
        kwargs: dict[str, Any] = {"TableName": self.name, "Key": serialize({"PK": pk, "SK": sk})}
        if condition:
            kwargs["ConditionExpression"] = condition
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if values:
            kwargs["ExpressionAttributeValues"] = serialize(values)
        try:
            self.client.delete_item(**kwargs)
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def transact(self, operations: list[dict[str, Any]]) -> list[Item | None] | None:
        """All-or-nothing write. Returns None on success; when a condition failed, a list with, per
        operation, None (fine) or the old item ({} when it did not exist) that failed its condition."""
        try:
            self.client.transact_write_items(TransactItems=cast(Any, operations))
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if not any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                if any(r.get("Code") == "TransactionConflict" for r in reasons):
                    raise TransactionConflict(str(exc)) from exc
                raise
            return [
                deserialize(r.get("Item", {})) if r.get("Code") == "ConditionalCheckFailed" else None
                for r in reasons
            ]
        return None

    def overwrite_op(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """`overwrite` as an operation of a transaction."""
        return {"Put": {"TableName": self.name, "Item": serialize(item)}}

    def put_op(
        self,
        item: Mapping[str, Any],
        *,
        condition: str,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        op: dict[str, Any] = {
            "TableName": self.name,
            "Item": serialize(item),
            "ConditionExpression": condition,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if names:
            op["ExpressionAttributeNames"] = names
        if values:
            op["ExpressionAttributeValues"] = serialize(values)
        return {"Put": op}

    def mirrored_put_ops(
        self,
        data: Mapping[str, Any],
        copies: Sequence[tuple[str, str, str]],
        *,
        condition: str,
        values: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """One record written as several items in one transaction, each under its own key and
        `entity` (`copies`: (PK, SK, entity)) — e.g. a global lookup beside the brand's own item —
        all on the same condition, so the copies never disagree."""
        return [
            self.put_op({PK: pk, SK: sk, "entity": entity, **data}, condition=condition, values=values)
            for pk, sk, entity in copies
        ]

    def update_op(
        self,
        pk: str,
        sk: str,
        *,
        expression: str,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        op: dict[str, Any] = {
            "TableName": self.name,
            "Key": serialize({"PK": pk, "SK": sk}),
            "UpdateExpression": expression,
        }
        if condition:
            op["ConditionExpression"] = condition
            op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        if names:
            op["ExpressionAttributeNames"] = names
        if values:
            op["ExpressionAttributeValues"] = serialize(values)
        return {"Update": op}

    def delete_op(self, pk: str, sk: str, *, condition: str, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self.name,
                "Key": serialize({"PK": pk, "SK": sk}),
                "ConditionExpression": condition,
                "ExpressionAttributeValues": serialize(values),
            }
        }
