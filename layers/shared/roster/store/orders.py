from __future__ import annotations

from roster.models.orders import OrderEvent
from roster.store import keys
from roster.store.table import Query, Table


class OrderStore:
    """Append-only normalized order events, one item per (provider, order, kind, event key): a
    second delivery of the same event writes nothing new."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, brand_id: str, event: OrderEvent, source_event_id: str) -> bool:
        """True if stored now, False if it was already there."""
        sk = keys.order_event_sk(event.provider, event.order_id, event.kind, event.event_key)
        old = self.table.put(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: sk,
                "entity": "order_event",
                "source_event_id": source_event_id,
                **event.model_dump(mode="json"),
            },
            condition="attribute_not_exists(PK)",
        )
        return old is None

    def for_order(self, brand_id: str, provider: str, order_id: str) -> list[OrderEvent]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.order_events_prefix(provider, order_id),
            consistent=True,  # read right after the webhook stored the event
        )
        return [OrderEvent.model_validate(i) for i in self.table.query_all(q)]
