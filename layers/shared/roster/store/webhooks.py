"""Webhook deliveries as stored: the record's shape, its claim (a lease), its outcome."""

from __future__ import annotations

from typing import Any, TypedDict, cast

from roster.errors import NotFound
from roster.models.webhooks import WebhookStatus
from roster.store import keys
from roster.store.table import Item, Query, Table, or_not_found

LEASE_SECONDS = 60


class WebhookDelivery(TypedDict):
    """A delivery as received, and all a run of it starts from (a replay too)."""

    id: str  # "<provider>:<the provider's event id>"
    provider: str
    topic: str
    received_at: str
    archive_key: str  # internal: where the authentic body is archived


class WebhookEventRecord(WebhookDelivery, total=False):
    """The stored record: the delivery, what its last run left, and the claim on it. The API shows
    the delivery without `archive_key`, with `status`, `error` and `order_events`
    (models.webhooks.WebhookEvent, where `stale` is worked out from the lease); the rest is internal."""

    status: WebhookStatus
    error: str
    order_events: int
    stored: int  # internal: order events new to the store (a replay adds none again)
    attributed: int  # internal
    claimed_at: int  # internal, the claim: when, by whom, until when
    owner: str
    lease_until: int


def delivery(record: WebhookDelivery) -> WebhookEventRecord:
    """The record started over: just the delivery, nothing an earlier run left (status, error,
    counts, claim). What a replay claims and processes."""
    return {
        "id": record["id"],
        "provider": record["provider"],
        "topic": record["topic"],
        "received_at": record["received_at"],
        "archive_key": record["archive_key"],
    }


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
        self, brand_id: str, record: WebhookEventRecord, now: int, owner: str, *, replay: bool = False
    ) -> WebhookEventRecord | None:
        """None if `owner` now holds the event; else the record that stops it (a duplicate, or a
        claim whose lease still runs). The claim's own retry (the SDK re-sending a put that was
        applied but answered with an error) meets its own token and succeeds. A replay may take
        any event that is not under a live lease; a delivery only a new or abandoned one. Replaying
        an event that does not exist (any more) is NotFound."""
        expired = "(lease_until < :now OR attribute_not_exists(lease_until))"  # no lease: older than leases
        held = f"#status = :processing AND ({expired} OR #owner = :owner)"
        condition = (
            f"attribute_exists(PK) AND (#status <> :processing OR {expired} OR #owner = :owner)"
            if replay
            else f"attribute_not_exists(PK) OR ({held})"
        )
        lease_until = now + LEASE_SECONDS
        claimed = record | {
            "status": "processing",
            "claimed_at": now,
            "owner": owner,
            "lease_until": lease_until,
        }
        old = self.table.put(
            self._item(brand_id, claimed),
            condition=condition,
            names={"#status": "status", "#owner": "owner"},
            values={":processing": "processing", ":now": now, ":owner": owner},
        )
        if old is None:
            return None
        if not old:  # only a replay's condition fails on a missing item
            raise NotFound("webhook event not found")
        return self._record(old)

    def finish(self, brand_id: str, record: WebhookEventRecord) -> None:
        self.table.overwrite(self._item(brand_id, record))

    def finish_op(self, brand_id: str, record: WebhookEventRecord) -> dict[str, Any]:
        """`finish` as an operation of a transaction (written with the order's ledger entry)."""
        return self.table.overwrite_op(self._item(brand_id, record))

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

    def get(self, brand_id: str, event_id: str, *, consistent: bool = False) -> WebhookEventRecord | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.webhook_event_sk(event_id), consistent=consistent)
        return self._record(item) if item is not None else None

    def require(self, brand_id: str, event_id: str, *, consistent: bool = False) -> WebhookEventRecord:
        return or_not_found(self.get(brand_id, event_id, consistent=consistent), "webhook event not found")

    def list(
        self, brand_id: str, status: WebhookStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[WebhookEventRecord], str | None]:
        if status:
            q = Query(keys.GSI1PK, keys.webhook_events_by_status_pk(brand_id, status), index=keys.GSI1)
        else:
            q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.WEBHOOK_PREFIX)
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [self._record(i) for i in items], next_cursor

    @staticmethod
    def _record(item: Item) -> WebhookEventRecord:
        # Written only by _item (the table's keys beside the record's own fields): trusted, not checked.
        return cast(WebhookEventRecord, item)

    @staticmethod
    def _item(brand_id: str, record: WebhookEventRecord) -> Item:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.webhook_event_sk(record["id"]),
            keys.GSI1PK: keys.webhook_events_by_status_pk(brand_id, record["status"]),
            keys.GSI1SK: f"{record['received_at']}#{record['id']}",
            "entity": "webhook_event",
            **record,
        }
