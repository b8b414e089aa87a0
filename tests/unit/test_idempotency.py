from __future__ import annotations

import hashlib
from typing import Any, cast

import pytest

from roster import idempotency
from roster.errors import BadRequest, Conflict, ValidationFailed
from roster.store.idempotency import IdempotencyStore


class FakeStore:
    """In-memory stand-in with the IdempotencyStore interface (the real one is tested on moto)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict[str, Any]] = {}

    def claim(
        self, brand_id: str, key_hash: str, request_hash: str, now: int, ttl: int
    ) -> dict[str, Any] | None:
        old = self.records.get((brand_id, key_hash))
        if old and old["expires_at"] >= now:
            return old
        self.records[(brand_id, key_hash)] = {
            "status": "in_progress",
            "request_hash": request_hash,
            "expires_at": now + ttl,
        }
        return None

    def complete(
        self, brand_id: str, key_hash: str, request_hash: str, expires_at: int, response: dict[str, Any]
    ) -> None:
        self.records[(brand_id, key_hash)] = {
            "status": "done",
            "request_hash": request_hash,
            "expires_at": expires_at,
            "response": response,
        }

    def release(self, brand_id: str, key_hash: str) -> None:
        del self.records[(brand_id, key_hash)]


def _run(
    store: FakeStore, call: Any, *, key: str = "k", request: str = "r", now: float = 1000.0
) -> dict[str, Any]:
    return idempotency.run(cast(IdempotencyStore, store), "b1", key, request, call, now=lambda: now)


def test_runs_once_then_replays() -> None:
    store, calls = FakeStore(), []

    def call() -> dict[str, Any]:
        calls.append(1)
        return {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": "{}"}

    first = _run(store, call)
    second = _run(store, call)
    assert len(calls) == 1 and first["statusCode"] == second["statusCode"] == 201
    assert second["headers"] == {"Content-Type": "application/json", "Idempotent-Replayed": "true"}
    # After 24 h the key is free again.
    _run(store, call, now=1000 + idempotency.TTL_SECONDS + 1)
    assert len(calls) == 2


def test_mismatch_running_and_bad_keys() -> None:
    store = FakeStore()
    store.claim("b1", hashlib.sha256(b"k").hexdigest(), "r", 1000, 60)
    with pytest.raises(Conflict):
        _run(store, lambda: {"statusCode": 200})
    with pytest.raises(ValidationFailed):
        _run(store, lambda: {"statusCode": 200}, request="other")
    for bad in ("", "x" * 256, "has space", "naïve"):
        with pytest.raises(BadRequest):
            _run(store, lambda: {"statusCode": 200}, key=bad)


def test_failures_release_the_claim() -> None:
    store = FakeStore()
    assert _run(store, lambda: {"statusCode": 503})["statusCode"] == 503
    assert store.records == {}
    huge = {"statusCode": 200, "body": "x" * (idempotency.MAX_STORED_BODY + 1)}
    assert _run(store, lambda: huge) is huge
    assert store.records == {}

    def boom() -> dict[str, Any]:
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        _run(store, boom)
    assert store.records == {}


def test_fingerprint_covers_method_path_query_and_body() -> None:
    base = idempotency.fingerprint("POST", "/v1/campaigns", "", b"{}")
    assert base == idempotency.fingerprint("POST", "/v1/campaigns", "", b"{}")
    assert (
        len(
            {
                base,
                idempotency.fingerprint("POST", "/v1/creators", "", b"{}"),
                idempotency.fingerprint("POST", "/v1/campaigns", "a=1", b"{}"),
                idempotency.fingerprint("POST", "/v1/campaigns", "", b"{ }"),
            }
        )
        == 4
    )
