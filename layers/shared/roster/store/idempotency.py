"""Idempotency-Key records: claimed before a request runs, completed with its answer, released on failure."""

from __future__ import annotations

from typing import Any

from roster.store import keys
from roster.store.table import Table


class IdempotencyStore:
    """One record per (brand, Idempotency-Key): claimed before the request runs, completed with the
    response after, expired by TTL. Keys are stored hashed, under the brand's partition."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def claim(
        self, brand_id: str, key_hash: str, request_hash: str, now: int, ttl: int
    ) -> dict[str, Any] | None:
        """Returns None if this request now owns the key, else the existing (unexpired) record."""
        return self.table.put(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.idempotency_sk(key_hash),
                "entity": "idempotency",
                "status": "in_progress",
                "request_hash": request_hash,
                keys.TTL_ATTRIBUTE: now + ttl,
            },
            # TTL deletion lags by up to days, so an expired record counts as absent.
            condition="attribute_not_exists(PK) OR #ttl < :now",
            names={"#ttl": keys.TTL_ATTRIBUTE},
            values={":now": now},
        )

    def complete(
        self, brand_id: str, key_hash: str, request_hash: str, expires_at: int, response: dict[str, Any]
    ) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.idempotency_sk(key_hash),
                "entity": "idempotency",
                "status": "done",
                "request_hash": request_hash,
                "response": response,
                keys.TTL_ATTRIBUTE: expires_at,
            }
        )

    def release(self, brand_id: str, key_hash: str) -> None:
        self.table.delete(keys.brand_pk(brand_id), keys.idempotency_sk(key_hash))
