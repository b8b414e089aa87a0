"""Normalized order events, append-only, one item per event key."""

from __future__ import annotations

import time

from roster.models.orders import OrderEvent
from roster.store import keys
from roster.store.table import Query, Table, TransactionConflict

CONFLICT_RETRIES = 4


class OrderStore:
    """Append-only normalized order events, one item per (provider, order, kind, event key): a
    second delivery of the same event writes nothing new. Each new event also counts itself on the
    order's state item (`ORDERSTATE#…`, see LedgerStore.state), in the same transaction, so a
    booker can append on condition that the events it read are still all there are."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, brand_id: str, event: OrderEvent, source_event_id: str) -> bool:
        """True if stored now, False if it was already there."""
        pk = keys.brand_pk(brand_id)
        sk = keys.order_event_sk(event.provider, event.order_id, event.kind, event.event_key)
        operations = [
            self.table.put_op(
                {
                    keys.PK: pk,
                    keys.SK: sk,
                    "entity": "order_event",
                    "source_event_id": source_event_id,
                    **event.model_dump(mode="json"),
                },
                condition="attribute_not_exists(PK)",
            ),
            self.table.update_op(
                pk,
                keys.order_state_sk(event.provider, event.order_id),
                expression="SET entity = :entity, #seq = if_not_exists(#seq, :zero), "
                "booked = if_not_exists(booked, :zero) ADD #events :one",
                names={"#seq": "seq", "#events": "events"},
                values={":entity": "order_state", ":zero": 0, ":one": 1},
            ),
        ]
        for attempt in range(CONFLICT_RETRIES):
            try:
                failed = self.table.transact(operations)
                break
            except TransactionConflict:  # a booking was writing the order's state: nothing stored
                if attempt == CONFLICT_RETRIES - 1:
                    raise
                time.sleep(0.01 * 2**attempt)
        return failed is None

    def for_order(self, brand_id: str, provider: str, order_id: str) -> list[OrderEvent]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.order_events_prefix(provider, order_id),
            consistent=True,  # read right after the webhook stored the event
        )
        return [OrderEvent.model_validate(i) for i in self.table.query_all(q)]
