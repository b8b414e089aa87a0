from __future__ import annotations

from typing import Any

from roster.store import keys
from roster.store.table import Query, Table

STALE_CLAIM_SECONDS = 300


class WebhookEventStore:
    """One record per delivered event (deduplicated on the provider's event id), with its status:
    processing → processed | ignored | failed. Failed ones are listed for replay."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def event_id(provider: str, provider_event_id: str) -> str:
        return f"{provider}:{provider_event_id}"

    def claim(self, brand_id: str, record: dict[str, Any], now: int) -> dict[str, Any] | None:
        """None if this delivery now owns the event; else the existing record (a duplicate, or one
        still being processed). A claim abandoned for 5 minutes (a crashed run) can be taken over."""
        return self.table.put(
            self._item(brand_id, record | {"status": "processing", "claimed_at": now}),
            condition="attribute_not_exists(PK) OR (#status = :processing AND claimed_at < :stale)",
            names={"#status": "status"},
            values={":processing": "processing", ":stale": now - STALE_CLAIM_SECONDS},
        )

    def finish(self, brand_id: str, record: dict[str, Any]) -> None:
        self.table.overwrite(self._item(brand_id, record))

    def release(self, brand_id: str, event_id: str) -> None:
        self.table.delete(keys.brand_pk(brand_id), keys.webhook_event_sk(event_id))

    def get(self, brand_id: str, event_id: str) -> dict[str, Any] | None:
        return self.table.get(keys.brand_pk(brand_id), keys.webhook_event_sk(event_id))

    def list(
        self, brand_id: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        if status:
            q = Query(keys.GSI1PK, keys.webhook_events_by_status_pk(brand_id, status), index=keys.GSI1)
        else:
            q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.WEBHOOK_PREFIX)
        return self.table.query_page(q, limit=limit, cursor=cursor)

    @staticmethod
    def _item(brand_id: str, record: dict[str, Any]) -> dict[str, Any]:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.webhook_event_sk(record["id"]),
            keys.GSI1PK: keys.webhook_events_by_status_pk(brand_id, record["status"]),
            keys.GSI1SK: f"{record['received_at']}#{record['id']}",
            "entity": "webhook_event",
            **record,
        }
