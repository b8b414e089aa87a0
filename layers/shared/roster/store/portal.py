"""What the creator pages keep besides the domain records: single-use links (sign-in, email
confirmation), creator sessions and attempt counters — all under the brand's partition, all
expiring by TTL (and treated as gone once expired: TTL deletion lags)."""

from __future__ import annotations

import time
from typing import Any

from roster.store import keys
from roster.store.table import Table


class PortalStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def put_once(self, brand_id: str, kind: str, token_hash: str, data: dict[str, Any], ttl: int) -> bool:
        """Stores a single-use link's data for `ttl` seconds (a new random token never collides).
        False, and nothing written, when the key is there already: a claim (a queued notice's
        "sent once") is this put, one of racing claimants winning."""
        return (
            self.table.put(
                {
                    keys.PK: keys.brand_pk(brand_id),
                    keys.SK: keys.once_sk(kind, token_hash),
                    "entity": f"once_{kind}",
                    "data": data,
                    keys.TTL_ATTRIBUTE: int(time.time()) + ttl,
                },
                condition="attribute_not_exists(PK)",
            )
            is None
        )

    def drop_once(self, brand_id: str, kind: str, token_hash: str) -> None:
        """Removes the item (a claim given back so a retry can have it; a link never sent)."""
        self.table.delete(keys.brand_pk(brand_id), keys.once_sk(kind, token_hash))

    def peek_once(self, brand_id: str, kind: str, token_hash: str) -> dict[str, Any] | None:
        """The link's data if it is unused and unexpired (nothing is spent: a page that asks
        "continue?" reads it, the post that continues takes it)."""
        item = self.table.get(keys.brand_pk(brand_id), keys.once_sk(kind, token_hash), consistent=True)
        if not item or int(item.get(keys.TTL_ATTRIBUTE, 0)) <= int(time.time()):
            return None
        return dict(item.get("data") or {})

    def take_once(self, brand_id: str, kind: str, token_hash: str) -> dict[str, Any] | None:
        """Spends the link: its data for exactly one caller, however many race; None when it was
        used, expired or never existed."""
        data = self.peek_once(brand_id, kind, token_hash)
        if data is None:
            return None
        taken = self.table.delete(
            keys.brand_pk(brand_id),
            keys.once_sk(kind, token_hash),
            condition="attribute_exists(PK) AND #ttl > :now",
            names={"#ttl": keys.TTL_ATTRIBUTE},
            values={":now": int(time.time())},
        )
        return data if taken else None

    def hit(self, brand_id: str, kind: str, subject_hash: str, *, window: int, limit: int) -> bool:
        """Counts one attempt in the current window; False (and not counted) once `limit` were made."""
        now = int(time.time())
        start = now - now % window
        failed = self.table.update(
            keys.brand_pk(brand_id),
            keys.rate_sk(kind, subject_hash, start),
            expression="ADD #n :one SET #ttl = :ttl, entity = :entity",
            condition="attribute_not_exists(#n) OR #n < :limit",
            names={"#n": "count", "#ttl": keys.TTL_ATTRIBUTE},
            values={":one": 1, ":limit": limit, ":ttl": start + window + 60, ":entity": f"rate_{kind}"},
        )
        return failed is None

    def put_session(self, brand_id: str, session_hash: str, data: dict[str, Any], ttl: int) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.creator_session_sk(session_hash),
                "entity": "creator_session",
                "data": data,
                keys.TTL_ATTRIBUTE: int(time.time()) + ttl,
            }
        )

    def get_session(self, brand_id: str, session_hash: str) -> dict[str, Any] | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.creator_session_sk(session_hash))
        if not item or int(item.get(keys.TTL_ATTRIBUTE, 0)) <= int(time.time()):
            return None
        return dict(item.get("data") or {})

    def drop_session(self, brand_id: str, session_hash: str) -> None:
        self.table.delete(keys.brand_pk(brand_id), keys.creator_session_sk(session_hash))
