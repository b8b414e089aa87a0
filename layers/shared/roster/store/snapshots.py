"""Discovery snapshots: per creator and platform, the latest snapshot whole and one item of counts
per day for growth. Both under the brand's partition, so every read is the brand's own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from roster.store import keys
from roster.store.table import Query, Table

# Growth needs months of history, not years; a snapshot of counts is about 200 bytes.
HISTORY_DAYS = 730
COUNTS = ("followers", "following", "posts_count")


class SnapshotStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, brand_id: str, creator_id: str, snapshot: dict[str, Any]) -> None:
        """Keeps `snapshot` (discovery.profiles.to_dict) as the latest for its platform and its counts
        as the day's point of the history. Two unconditional puts, each complete by itself: a retry
        after either fails writes the same again, and the day's last refresh wins."""
        platform, at = str(snapshot["platform"]), str(snapshot["at"])
        pk = keys.brand_pk(brand_id)
        self.table.overwrite(
            {
                keys.PK: pk,
                keys.SK: keys.creator_profile_sk(creator_id, platform),
                "entity": "creator_profile",
                "creator_id": creator_id,
                "snapshot": snapshot,
            }
        )
        expires = int(datetime.fromisoformat(at).timestamp()) + HISTORY_DAYS * 86_400
        self.table.overwrite(
            {
                keys.PK: pk,
                keys.SK: keys.creator_snapshot_sk(creator_id, platform, at[:10]),
                "entity": "creator_snapshot",
                "creator_id": creator_id,
                "at": at,
                **{name: snapshot.get(name) for name in COUNTS},
                keys.TTL_ATTRIBUTE: expires,
            }
        )

    def latest(self, brand_id: str, creator_id: str) -> list[dict[str, Any]]:
        """The latest snapshot of every platform the creator was enriched on."""
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.creator_profiles_prefix(creator_id),
        )
        return [dict(i["snapshot"]) for i in self.table.query_all(q)]

    def history(self, brand_id: str, creator_id: str, platform: str) -> list[dict[str, Any]]:
        """Daily counts, oldest first."""
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.creator_snapshots_prefix(creator_id, platform),
        )
        return [{"at": i["at"], **{n: i.get(n) for n in COUNTS}} for i in self.table.query_all(q)]
