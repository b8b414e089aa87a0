from __future__ import annotations

from typing import Any

from roster.store import keys
from roster.store.table import Query, Table

LEASE_SECONDS = 60


class WebhookEventStore:
    """One record per delivered event (deduplicated on the provider's event id), with its status:
    processing → processed | ignored | failed. Failed ones are listed for replay.

    A delivery that processes an event holds a claim on it: `owner` (a token of its own) and
    `lease_until`. A claim is never released by deletion: a run that fails ends its lease at once,
    and a run that dies leaves a lease that runs out on its own, so the event stays visible
    (`processing`, stale) until a store retry or a replay takes it over."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def event_id(provider: str, provider_event_id: str) -> str:
        return f"{provider}:{provider_event_id}"

    def claim(
        self, brand_id: str, record: dict[str, Any], now: int, owner: str, *, replay: bool = False
    ) -> dict[str, Any] | None:
        """None if `owner` now holds the event; else the record that stops it (a duplicate, or a
        claim whose lease still runs). The claim's own retry (the SDK re-sending a put that was
        applied but answered with an error) meets its own token and succeeds. A replay may take
        any event that is not under a live lease; a delivery only a new or abandoned one."""
        expired = "(lease_until < :now OR attribute_not_exists(lease_until))"  # no lease: older than leases
        held = f"#status = :processing AND ({expired} OR #owner = :owner)"
        condition = (
            f"attribute_exists(PK) AND (#status <> :processing OR {expired} OR #owner = :owner)"
            if replay
            else f"attribute_not_exists(PK) OR ({held})"
        )
        until = now + LEASE_SECONDS
        lease = {"status": "processing", "claimed_at": now, "owner": owner, "lease_until": until}
        return self.table.put(
            self._item(brand_id, record | lease),
            condition=condition,
            names={"#status": "status", "#owner": "owner"},
            values={":processing": "processing", ":now": now, ":owner": owner},
        )

    def finish(self, brand_id: str, record: dict[str, Any]) -> None:
        self.table.overwrite(self._item(brand_id, record))

    def abandon(self, brand_id: str, event_id: str, owner: str, now: int, error: str) -> bool:
        """Ends this owner's lease now (its run failed), so the next store retry or a replay
        takes the event over at once. Harmless if it fails: the lease runs out anyway."""
        old = self.table.update(
            keys.brand_pk(brand_id),
            keys.webhook_event_sk(event_id),
            expression="SET lease_until = :expired, #error = :error",
            condition="#owner = :owner AND #status = :processing",
            names={"#owner": "owner", "#status": "status", "#error": "error"},
            values={":expired": now - 1, ":error": error, ":owner": owner, ":processing": "processing"},
        )
        return old is None

    def get(self, brand_id: str, event_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
        return self.table.get(keys.brand_pk(brand_id), keys.webhook_event_sk(event_id), consistent=consistent)

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
