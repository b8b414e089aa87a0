"""Raw clicks by id and the per-day click counters of links, campaigns and creators."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, cast

from roster.store import keys
from roster.store.clicks import CLICK_FIELDS
from roster.store.table import Query, Table, deserialize, serialize

BATCH = 25  # BatchWriteItem's limit


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

    def put_clicks(self, clicks: list[dict[str, Any]], *, ttl_days: int) -> None:
        """Raw click records, by click id, batched 25 to a request. Idempotent: a retried batch
        writes the same items again."""
        items = []
        for click in clicks:
            fields = {
                k: click[k] for k in (*CLICK_FIELDS, "device", "os", "browser") if click.get(k) is not None
            }
            items.append(
                {
                    keys.PK: keys.click_pk(str(click["brand_id"]), str(click["click_id"])),
                    keys.SK: keys.click_sk(),
                    "entity": "click",
                    **fields,
                    keys.TTL_ATTRIBUTE: int(click["last_epoch"]) + ttl_days * 86400,
                }
            )
        for start in range(0, len(items), BATCH):
            pending = [{"PutRequest": {"Item": serialize(i)}} for i in items[start : start + BATCH]]
            for attempt in range(6):
                resp = self.table.client.batch_write_item(RequestItems=cast(Any, {self.table.name: pending}))
                pending = cast(Any, resp.get("UnprocessedItems", {}).get(self.table.name, []))
                if not pending:
                    break
                time.sleep(0.05 * 2**attempt)
            if pending:
                raise RuntimeError(f"{len(pending)} click records still unprocessed after retries")

    def click(self, brand_id: str, click_id: str) -> dict[str, Any] | None:
        """A counted click by its id (what a store sends back with an order)."""
        return self.table.get(*self.click_key(brand_id, click_id))

    @staticmethod
    def click_key(brand_id: str, click_id: str) -> tuple[str, str]:
        """The click record's key (PK, SK), for batched reads (roster.store.order_reads)."""
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
