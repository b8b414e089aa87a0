"""Click ids of the visit form (issue 16): found in orders, mapped to the visit they name, kept as
long as the longest attribution window; the stream consumer writes counters only."""

from __future__ import annotations

from collections import Counter
from typing import Any

from roster.conversions.order_parsers import click_ids
from roster.links import click_stats
from roster.links.redirect import click_id, visitor
from roster.models.campaigns import CampaignCreate, CampaignPatch
from roster.store import keys
from roster.store.clicks import ATTRIBUTION_HORIZON_DAYS, VISIT_TTL_SECONDS
from roster.store.stats import StatsStore
from roster.store.table import serialize

RID = click_id(b"salt", "B1", "maya1", visitor(b"salt", "198.51.100.7", "Mozilla/5.0"), "2027-01-09")
ULID = "01M7ZH0MAPXJEHREDJSSF144CD"


def test_orders_yield_visit_ids_as_sent_and_older_ulids_in_upper_case() -> None:
    assert click_ids(f" {RID} ", ULID.lower(), RID, "v1short", "V1" + RID[2:], 42, None, "x" * 24) == [
        RID,
        ULID,
    ]


def test_an_id_maps_to_its_brands_visit_or_to_an_older_click_record() -> None:
    assert StatsStore.click_key("B1", RID) == (f"BRAND#B1#VISIT#{RID}", "VISIT")
    assert StatsStore.click_key("B2", RID) == (f"BRAND#B2#VISIT#{RID}", "VISIT")  # never B1's item
    assert StatsStore.click_key("B1", ULID) == (f"BRAND#B1#CLICK#{ULID}", "CLICK")
    assert keys.visit_pk_of("B1", RID) != keys.visit_pk("B1", "maya1", "v" * 32, "2027-01-09")


def test_visits_live_as_long_as_the_longest_attribution_window_allows() -> None:
    bounds = {
        m.le
        for model in (CampaignCreate, CampaignPatch)
        for m in model.model_fields["attribution_window_days"].metadata
        if hasattr(m, "le")
    }
    assert bounds == {ATTRIBUTION_HORIZON_DAYS}
    assert (ATTRIBUTION_HORIZON_DAYS + 1) * 86400 < VISIT_TTL_SECONDS  # a click's day counts too


class Recording:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def add_counters(self, *args: Any) -> None:
        self.calls["add_counters"] += 1

    def __getattr__(self, name: str) -> Any:  # any other write would be recorded, and fail below
        self.calls[name] += 1
        return lambda *a, **k: None


def test_the_consumer_writes_only_the_daily_counters() -> None:
    visit = {
        "entity": "visit",
        "brand_id": "B1",
        "code": "maya1",
        "campaign_id": "C1",
        "creator_id": "K1",
        "at": "2027-01-09T10:00:00Z",
        "first_at": "2027-01-09T10:00:00Z",
        "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
        "country": "DE",
        "visits": 1,
    }
    event = {
        "Records": [
            {
                "eventName": "INSERT",
                "dynamodb": {"NewImage": serialize(visit | {"code": c}), "SequenceNumber": c},
            }
            for c in ("1", "2", "3")
        ]
    }
    store = Recording()
    assert click_stats.process(store, event) == {"batchItemFailures": []}  # type: ignore[arg-type]
    # 3 links, 1 campaign, 1 creator on one day: 5 counter updates, nothing else.
    assert store.calls == Counter({"add_counters": 5})
