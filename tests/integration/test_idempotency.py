from __future__ import annotations

import hashlib

import boto3
import pytest

from roster import idempotency
from roster.deps import deps
from tests.conftest import TEST_ENV
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, table_snapshot


def _count(prefix: str) -> int:
    return sum(i["SK"]["S"].startswith(prefix) for i in table_snapshot())


def test_a_retried_create_runs_once_and_replays(brand_a: Client) -> None:
    headers = {"idempotency-key": "order-sync-2027-01-01T00:00"}
    first = brand_a.call("POST", "/v1/campaigns", CAMPAIGN, headers=headers)
    again = brand_a.call("POST", "/v1/campaigns", CAMPAIGN, headers=headers)
    assert first[0] == again[0] == 201 and first[1] == again[1]
    assert _count("CAMPAIGN#") == 1
    # Without the key, a second POST is a second campaign.
    assert brand_a.call("POST", "/v1/campaigns", CAMPAIGN)[0] == 201
    assert _count("CAMPAIGN#") == 2


def test_replay_is_marked(brand_a: Client) -> None:
    headers = {
        "content-type": "application/json",
        "authorization": f"Bearer {brand_a.key}",
        "idempotency-key": "k1",
    }
    body = b'{"name": "Leo", "email": "leo@example.com"}'
    first = brand_a.gateway.handle("POST", "/v1/creators", headers, body)
    second = brand_a.gateway.handle("POST", "/v1/creators", headers, body)
    assert first[0] == second[0] == 201 and first[2] == second[2]
    assert "idempotent-replayed" not in first[1] and second[1]["idempotent-replayed"] == "true"


def test_same_key_different_body_is_422_and_errors_are_replayed_too(brand_a: Client) -> None:
    headers = {"idempotency-key": "abc"}
    assert brand_a.call("POST", "/v1/creators", CREATOR, headers=headers)[0] == 201
    status, body = brand_a.call("POST", "/v1/creators", CREATOR | {"name": "Other"}, headers=headers)
    assert status == 422 and "different request" in body["error"]["message"]
    # A 4xx is a final answer: replayed, not re-run.
    bad = {"idempotency-key": "bad-one"}
    assert brand_a.call("POST", "/v1/creators", {"name": "x"}, headers=bad)[0] == 422
    assert brand_a.call("POST", "/v1/creators", {"name": "x"}, headers=bad)[0] == 422
    assert _count("CREATOR#") == 1


def test_running_request_gets_409(brand_a: Client) -> None:
    request_hash = idempotency.fingerprint("POST", "/v1/campaigns", "", b'{"name": "x"}')
    store = deps().stores.idempotency
    key_hash = hashlib.sha256(b"busy").hexdigest()
    assert store.claim(brand_a.brand_id, key_hash, request_hash, 1_800_000_000, 60) is None
    status, body = brand_a.call("POST", "/v1/campaigns", '{"name": "x"}', headers={"idempotency-key": "busy"})
    assert status == 409 and "still running" in body["error"]["message"]


def test_server_errors_release_the_key(brand_a: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from roster.store.campaigns import CampaignStore

    def throttled(*args: object, **kwargs: object) -> None:
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutItem"
        )

    headers = {"idempotency-key": "retry-me"}
    with monkeypatch.context() as m:
        m.setattr(CampaignStore, "create", throttled)
        status, body = brand_a.call("POST", "/v1/campaigns", CAMPAIGN, headers=headers)
        assert status == 503 and body["error"]["code"] == "busy"
    assert _count("IDEMPOTENCY#") == 0
    assert brand_a.call("POST", "/v1/campaigns", CAMPAIGN, headers=headers)[0] == 201
    assert _count("CAMPAIGN#") == 1 and _count("IDEMPOTENCY#") == 1


def test_keys_are_per_brand_and_validated(brand_a: Client, brand_b: Client) -> None:
    headers = {"idempotency-key": "shared-name"}
    a = brand_a.call("POST", "/v1/campaigns", CAMPAIGN, headers=headers)[1]
    status, b = brand_b.call("POST", "/v1/campaigns", CAMPAIGN, headers=headers)
    assert status == 201 and b["id"] != a["id"]
    assert brand_a.call("GET", f"/v1/campaigns/{b['id']}")[0] == 404
    before = table_snapshot()
    status, body = brand_a.call("POST", "/v1/campaigns", CAMPAIGN, headers={"idempotency-key": "x" * 300})
    assert status == 400 and "Idempotency-Key" in body["error"]["message"]
    assert table_snapshot() == before


def test_expired_records_do_not_block(brand_a: Client) -> None:
    store = deps().stores.idempotency
    old = store.claim(brand_a.brand_id, "h", "req-1", now=1_000, ttl=10)
    assert old is None
    assert store.claim(brand_a.brand_id, "h", "req-2", now=1_005, ttl=10) == {
        "PK": f"BRAND#{brand_a.brand_id}",
        "SK": "IDEMPOTENCY#h",
        "entity": "idempotency",
        "status": "in_progress",
        "request_hash": "req-1",
        "expires_at": 1_010,
    }
    assert store.claim(brand_a.brand_id, "h", "req-2", now=1_011, ttl=10) is None
    item = boto3.client("dynamodb").get_item(
        TableName=TEST_ENV["TABLE_NAME"],
        Key={"PK": {"S": f"BRAND#{brand_a.brand_id}"}, "SK": {"S": "IDEMPOTENCY#h"}},
    )["Item"]
    assert item["request_hash"]["S"] == "req-2"
