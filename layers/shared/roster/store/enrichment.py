"""The enrichment schedule and the YouTube quota ledger.

Schedule: one small item per creator whose index key names the day it is next due
(`ENRICH_DUE#<day>` on GSI1, a sparse index), so the daily dispatcher reads only the creators due
that day, never the roster. Enriching a creator moves its item to the next due day.

Quota: YouTube's 10,000 units are per API key and per Pacific day, across every invocation and
brand; one item per day counts the units reserved, and a reservation that would pass the budget is
refused by the write's own condition, so concurrent workers can never overspend it together."""

from __future__ import annotations

from datetime import date
from typing import Any

from roster.store import keys
from roster.store.table import Query, Table

# The platforms discovery reads (roster.discovery.sources): a creator with a profile on one of them
# is scheduled for enrichment when added to the roster.
READ_PLATFORMS = frozenset({"youtube", "bluesky", "mastodon"})


def schedule_item(brand_id: str, creator_id: str, due: date) -> dict[str, Any]:
    return {
        keys.PK: keys.brand_pk(brand_id),
        keys.SK: keys.enrichment_schedule_sk(creator_id),
        "entity": "enrichment_schedule",
        "brand_id": brand_id,
        "creator_id": creator_id,
        "due": due.isoformat(),
        keys.GSI1PK: keys.enrichment_due_pk(due.isoformat()),
        keys.GSI1SK: f"{brand_id}#{creator_id}",
    }


class EnrichmentStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def schedule(self, brand_id: str, creator_id: str, due: date) -> None:
        """(Re)schedules the creator's next enrichment on `due` (the last call wins)."""
        self.table.overwrite(schedule_item(brand_id, creator_id, due))

    def unschedule(self, brand_id: str, creator_id: str) -> None:
        self.table.delete(keys.brand_pk(brand_id), keys.enrichment_schedule_sk(creator_id))

    def due(self, day: date) -> list[tuple[str, str]]:
        """(brand_id, creator_id) of every creator due on `day`, across brands (the dispatcher's)."""
        items = self.table.query_all(
            Query(keys.GSI1PK, keys.enrichment_due_pk(day.isoformat()), index=keys.GSI1)
        )
        return [(str(i["brand_id"]), str(i["creator_id"])) for i in items]

    def reserve_units(self, day: str, units: int, budget: int, *, expires_at: int) -> bool:
        """Adds `units` to the day's count unless that passes `budget`: True when reserved."""
        refused = self.table.update(
            keys.quota_pk("youtube"),
            day,
            expression="ADD #used :units SET #exp = :exp",
            condition="attribute_not_exists(#used) OR #used <= :left",
            names={"#used": "used", "#exp": keys.TTL_ATTRIBUTE},
            values={":units": units, ":left": budget - units, ":exp": expires_at},
        )
        return refused is None

    def exhaust(self, day: str, budget: int, *, expires_at: int) -> None:
        """Marks the day's units as all used (YouTube said so: the key's other users spent them)."""
        self.table.update(
            keys.quota_pk("youtube"),
            day,
            expression="SET #used = :budget, #exp = :exp",
            condition="attribute_not_exists(#used) OR #used < :budget",
            names={"#used": "used", "#exp": keys.TTL_ATTRIBUTE},
            values={":budget": budget, ":exp": expires_at},
        )

    def units_used(self, day: str) -> int:
        item = self.table.get(keys.quota_pk("youtube"), day, consistent=True)
        return int(item["used"]) if item else 0
