"""Counted clicks by id (for attribution) and the per-day click counters of links, campaigns and
creators."""

from __future__ import annotations

from collections import Counter
from typing import Any

from roster.store import keys
from roster.store.table import Query, Table, deserialize, serialize


def visits_from_stream(event: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(sequence number, visit) for each counted visit in a DynamoDB stream batch."""
    out = []
    for record in event.get("Records", []):
        image = (record.get("dynamodb") or {}).get("NewImage")
        if (
            record.get("eventName") in ("INSERT", "MODIFY")
            and image
            and image.get("entity", {}).get("S") == "visit"
        ):
            out.append((str(record["dynamodb"]["SequenceNumber"]), deserialize(image)))
    return out


class StatsStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def click(self, brand_id: str, click_id: str) -> dict[str, Any] | None:
        """A counted click by the id a store sends back with an order: the visit record it names
        (`campaign_id`, `creator_id`, its first and last counted click `first_at` and `at`), or, for an
        older click id, the click record kept before issue 16. One GetItem either way; an id no
        visit of this brand has (forged, altered, another brand's) is None."""
        return self.table.get(*self.click_key(brand_id, click_id))

    @staticmethod
    def click_key(brand_id: str, click_id: str) -> tuple[str, str]:
        """The (PK, SK) of what a click id names under this brand, for single and batched reads
        (roster.store.order_reads)."""
        if keys.VISIT_CLICK_ID.match(click_id):
            return keys.visit_pk_of(brand_id, click_id), keys.visit_sk()
        return keys.click_pk(brand_id, click_id), keys.click_sk()

    def add_counters(self, brand_id: str, scope: str, scope_id: str, day: str, counts: Counter[str]) -> None:
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        values: dict[str, Any] = {f":c{i}": n for i, n in enumerate(counts.values())}
        values |= {":entity": "stats", ":scope": scope, ":id": scope_id, ":day": day}
        self.table.client.update_item(
            TableName=self.table.name,
            Key=serialize({keys.PK: keys.brand_pk(brand_id), keys.SK: keys.stats_sk(scope, scope_id, day)}),
            UpdateExpression="SET entity = :entity, #scope = :scope, scope_id = :id, #day = :day ADD "
            + ", ".join(f"#c{i} :c{i}" for i in range(len(counts))),
            ExpressionAttributeNames=names | {"#scope": "scope", "#day": "day"},
            ExpressionAttributeValues=serialize(values),
        )

    def days(
        self, brand_id: str, scope: str, scope_id: str, first_day: str, last_day: str
    ) -> list[dict[str, Any]]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_min=keys.stats_sk(scope, scope_id, first_day),
            sort_max=keys.stats_sk(scope, scope_id, last_day),
        )
        return self.table.query_all(q)
