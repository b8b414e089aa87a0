"""Monitor runs per campaign (progress counters, feed errors) and per-feed fetch state."""

from __future__ import annotations

from typing import Any

from roster.models.monitoring import FeedError, MonitorRun
from roster.store import keys
from roster.store.table import Query, Table

MAX_RUN_ERRORS = 50  # a run item stays small however many feeds fail; the count is always exact
COUNTERS = (
    "creators_done",
    "feeds_checked",
    "feeds_not_modified",
    "feeds_failed",
    "items_read",
    "posts_found",
    "alerts_raised",
)


class MonitorStore:
    """Monitor runs per campaign (progress counters + feed errors) and per-feed fetch state."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def start_run(self, brand_id: str, run: MonitorRun) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.monitor_run_sk(run.campaign_id, run.id),
                "entity": "monitor_run",
                **run.model_dump(mode="json", exclude={"status"}),
            }
        )

    @staticmethod
    def _run(item: dict[str, Any]) -> MonitorRun:
        done = item.get("creators_done", 0) >= item["creators_queued"]
        return MonitorRun.model_validate(item | {"status": "completed" if done else "running"})

    def get_run(self, brand_id: str, campaign_id: str, run_id: str) -> MonitorRun | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.monitor_run_sk(campaign_id, run_id))
        return self._run(item) if item else None

    def runs(self, brand_id: str, campaign_id: str, limit: int) -> list[MonitorRun]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.monitor_run_sk(campaign_id, ""),
            descending=True,
        )
        items, _ = self.table.query_page(q, limit=limit, cursor=None)
        return [self._run(i) for i in items]

    def creator_done(
        self, brand_id: str, campaign_id: str, run_id: str, counts: dict[str, int], errors: list[FeedError]
    ) -> None:
        """Adds one creator's results to the run (atomic counters; errors appended while few)."""
        names = {f"#{c}": c for c in COUNTERS}
        values: dict[str, Any] = {f":{c}": counts.get(c, 0) for c in COUNTERS}
        pk, sk = keys.brand_pk(brand_id), keys.monitor_run_sk(campaign_id, run_id)
        self.table.update(
            pk,
            sk,
            expression="ADD " + ", ".join(f"#{c} :{c}" for c in COUNTERS),
            condition="attribute_exists(PK)",
            names=names,
            values=values,
        )
        if errors:
            self.table.update(
                pk,
                sk,
                expression="SET #errors = list_append(if_not_exists(#errors, :empty), :errors)",
                condition="attribute_exists(PK) AND (attribute_not_exists(#errors) OR size(#errors) < :max)",
                names={"#errors": "errors"},
                values={
                    ":empty": [],
                    ":errors": [e.model_dump(mode="json") for e in errors],
                    ":max": MAX_RUN_ERRORS,
                },
            )

    def feed_state(self, brand_id: str, campaign_id: str, creator_id: str, platform: str) -> dict[str, Any]:
        return (
            self.table.get(keys.brand_pk(brand_id), keys.feed_state_sk(campaign_id, creator_id, platform))
            or {}
        )

    def save_feed_state(
        self, brand_id: str, campaign_id: str, creator_id: str, platform: str, state: dict[str, Any]
    ) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.feed_state_sk(campaign_id, creator_id, platform),
                "entity": "feed_state",
                **state,
            }
        )
