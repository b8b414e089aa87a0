"""local/moto_patches.py makes moto's conditional writes atomic, as DynamoDB's are: the exactly-once
claims the tests prove with threads (version-checked collaboration writes, single-use links, ledger
claims) would otherwise rest on moto checking and writing without a lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import table as moto_table

from local import moto_patches


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        c = boto3.client("dynamodb", region_name="us-east-1")
        c.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        c.put_item(TableName="t", Item={"PK": {"S": "x"}, "version": {"N": "1"}})
        yield c


@pytest.fixture
def slow_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widens the gap between moto's condition check and its write: the interleaving that loses an
    update happens on every run, not once in a while."""
    original = moto_table.get_filter_expression  # type: ignore[attr-defined]

    def slowed(*args: Any, **kwargs: Any) -> Any:
        op = original(*args, **kwargs)
        check = op.expr

        def expr(item: Any) -> Any:
            verdict = check(item)
            time.sleep(0.05)
            return verdict

        op.expr = expr  # type: ignore[method-assign]
        return op

    monkeypatch.setattr(moto_table, "get_filter_expression", slowed)


def _race(client: Any, writers: int) -> int:
    """`writers` threads each write version 2 on condition version = 1; how many succeed."""
    won: list[int] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        start.wait()
        try:
            client.put_item(
                TableName="t",
                Item={"PK": {"S": "x"}, "version": {"N": "2"}, "writer": {"N": str(n)}},
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": {"N": "1"}},
            )
            won.append(n)
        except client.exceptions.ConditionalCheckFailedException:
            pass

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(won)


def test_racing_conditional_writes_let_exactly_one_through(client: Any, slow_checks: None) -> None:
    moto_patches.install()
    assert _race(client, 6) == 1


def test_without_the_lock_moto_lets_several_through(
    client: Any, slow_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure the lock prevents: moto's own put_item, unlocked, under the same interleaving."""
    from moto.dynamodb.models import DynamoDBBackend

    moto_patches.install()
    monkeypatch.setattr(DynamoDBBackend, "put_item", DynamoDBBackend.put_item.__wrapped__)  # type: ignore[attr-defined]
    assert _race(client, 6) > 1
