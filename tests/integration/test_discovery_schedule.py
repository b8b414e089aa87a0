"""Scheduled enrichment (discovery/schedule.py, store/enrichment.py): the due-day index, the
worker's next run, the fresh-snapshot skip, and YouTube's shared daily quota — never overspent by
workers racing for it, nor by a reservation that applied and then reported failure."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from roster import clock
from roster.discovery import schedule
from roster.discovery.profiles import Snapshot
from roster.discovery.sources import SNAPSHOT_UNITS
from roster.models.creators import Creator, CreatorStatus, Platform, SocialProfile
from roster.store.enrichment import EnrichmentStore
from roster.store.snapshots import SnapshotStore
from roster.store.table import Table
from tests.conftest import TEST_ENV
from tests.integration.conftest import Client
from tests.integration.interleavings import Faults, Serial

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
BRAND = "01BRANDSCHEDULE000000000000"


def stores(client: Any = None) -> tuple[EnrichmentStore, SnapshotStore]:
    table = Table(TEST_ENV["TABLE_NAME"], client)
    return EnrichmentStore(table), SnapshotStore(table)


class Creators:
    def __init__(self, *creators: Creator) -> None:
        self.by_id = {c.id: c for c in creators}

    def get(self, brand_id: str, creator_id: str) -> Creator | None:
        return self.by_id.get(creator_id) if brand_id == BRAND else None


class Source:
    """A platform answering at once, counting its calls."""

    def __init__(self, platform: Platform, followers: int = 1000) -> None:
        self.platform, self.followers, self.calls = platform, followers, 0

    def snapshot(self, handle: str) -> Snapshot:
        self.calls += 1
        return Snapshot(platform=self.platform, handle=handle, at=NOW, followers=self.followers)


def worker(
    ledger: EnrichmentStore, keeper: SnapshotStore, creators: Creators, sources: dict[Platform, Any]
) -> Callable[[str, datetime], schedule.Outcome]:
    def run(creator_id: str, now: datetime) -> schedule.Outcome:
        message = {"brand_id": BRAND, "creator_id": creator_id}
        return schedule.enrich_due(
            message, creators=creators, keeper=keeper, ledger=ledger, sources=sources, now=now
        )

    return run


def creator(n: int, *platforms: Platform) -> Creator:
    return Creator(
        id=f"01CREATOR{n:017d}",
        name=f"Creator {n}",
        email=f"c{n}@example.com",
        status=CreatorStatus.PROSPECT,
        platforms={p: SocialProfile(handle=f"c{n}") for p in platforms},
        version=1,
        created_at="2026-11-01T00:00:00Z",
        updated_at="2026-11-01T00:00:00Z",
    )


def test_the_dispatcher_reads_only_the_due_days_and_catches_up_missed_ones(aws: None) -> None:
    ledger, _ = stores()
    today = NOW.date()
    ledger.schedule(BRAND, "due-today", today)
    ledger.schedule(BRAND, "missed", today - timedelta(days=3))
    ledger.schedule(BRAND, "next-week", today + timedelta(days=7))
    ledger.schedule(BRAND, "too-old", today - timedelta(days=schedule.CATCH_UP_DAYS))
    ledger.schedule("01OTHERBRAND000000000000000", "other-brand", today)
    ledger.schedule(BRAND, "moved", today)
    ledger.schedule(BRAND, "moved", today + timedelta(days=2))  # the last schedule wins

    queued = schedule.due_messages(ledger, today)

    assert [m["creator_id"] for m in queued][0] == "missed"  # the oldest due day first
    assert sorted(m["creator_id"] for m in queued) == ["due-today", "missed", "other-brand"]


def test_the_worker_enriches_then_schedules_a_week_on_and_skips_a_fresh_creator(aws: None) -> None:
    ledger, keeper = stores()
    maya = creator(1, Platform.BLUESKY, Platform.TIKTOK)
    bluesky = Source(Platform.BLUESKY)
    run = worker(ledger, keeper, Creators(maya), {Platform.BLUESKY: bluesky})

    first = run(maya.id, NOW)
    again = run(maya.id, NOW + timedelta(hours=1))

    assert (first.enriched, first.failed, first.next_due) == (1, 0, NOW.date() + timedelta(days=7))
    assert again.skipped == "enriched less than a day ago" and bluesky.calls == 1
    assert ledger.due(NOW.date() + timedelta(days=7)) == [(BRAND, maya.id)]
    assert [s["platform"] for s in keeper.latest(BRAND, maya.id)] == ["bluesky"]


def test_a_deleted_creator_or_one_with_nothing_to_read_is_unscheduled(aws: None) -> None:
    ledger, keeper = stores()
    tiktok_only = creator(2, Platform.TIKTOK)
    ledger.schedule(BRAND, tiktok_only.id, NOW.date())
    ledger.schedule(BRAND, "gone", NOW.date())
    run = worker(ledger, keeper, Creators(tiktok_only), {Platform.BLUESKY: Source(Platform.BLUESKY)})

    nothing = run(tiktok_only.id, NOW)
    gone = run("gone", NOW)

    assert (
        nothing.skipped == "no profile on a platform Roster reads"
        and gone.skipped == "the creator was deleted"
    )
    assert ledger.due(NOW.date()) == []


def test_racing_workers_never_spend_more_youtube_units_than_the_budget(aws: None) -> None:
    """20 workers reserve a snapshot's units at once against a budget of 10 snapshots: exactly 10
    are granted, and the ledger holds exactly their units."""
    ledger, _ = stores(Serial(boto3.client("dynamodb")))
    budget = 10 * SNAPSHOT_UNITS
    start = threading.Barrier(20)
    granted: list[bool] = []
    lock = threading.Lock()

    def reserve() -> None:
        start.wait()
        ok = ledger.reserve_units("2026-12-02", SNAPSHOT_UNITS, budget, expires_at=0)
        with lock:
            granted.append(ok)

    threads = [threading.Thread(target=reserve) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert granted.count(True) == 10 and granted.count(False) == 10
    assert ledger.units_used("2026-12-02") == budget


def test_a_reservation_that_applied_then_failed_is_counted_never_overspent(aws: None) -> None:
    """A write that applied and then reported failure: the worker takes it as refused (no call),
    the units stay counted. The budget can be under-used by a fault, never passed."""
    faults = Faults(Serial(boto3.client("dynamodb")), applied_rate=1.0)
    ledger, _ = stores(faults)
    with pytest.raises(ClientError):
        ledger.reserve_units("2026-12-02", 6, 12, expires_at=0)
    faults.enabled = False
    assert ledger.units_used("2026-12-02") == 6
    assert ledger.reserve_units("2026-12-02", 6, 12, expires_at=0) is True
    assert ledger.reserve_units("2026-12-02", 6, 12, expires_at=0) is False
    assert ledger.units_used("2026-12-02") == 12


def test_youtube_out_of_quota_calls_nothing_and_moves_the_creator_to_tomorrow(aws: None) -> None:
    ledger, keeper = stores()
    both = creator(3, Platform.YOUTUBE, Platform.BLUESKY)
    youtube, bluesky = Source(Platform.YOUTUBE), Source(Platform.BLUESKY)
    day = schedule.quota_day(NOW)
    ledger.exhaust(day, schedule.YOUTUBE_BUDGET, expires_at=0)
    run = worker(ledger, keeper, Creators(both), {Platform.YOUTUBE: youtube, Platform.BLUESKY: bluesky})

    outcome = run(both.id, NOW)

    assert (youtube.calls, bluesky.calls) == (0, 1)  # the other platform still ran
    assert (outcome.enriched, outcome.failed, outcome.next_due) == (1, 1, NOW.date() + timedelta(days=1))
    assert ledger.due(date(2026, 12, 3)) == [(BRAND, both.id)]


def test_the_quota_day_is_youtubes_pacific_day() -> None:
    assert schedule.quota_day(datetime(2026, 12, 2, 7, 59, tzinfo=UTC)) == "2026-12-01"
    assert schedule.quota_day(datetime(2026, 12, 2, 8, 0, tzinfo=UTC)) == "2026-12-02"


def test_a_creator_added_with_a_profile_discovery_reads_is_due_today(brand_a: Client) -> None:
    ledger, _ = stores()
    status, tube = brand_a.call(
        "POST",
        "/v1/creators",
        {"name": "Tube", "email": "tube@example.com", "platforms": {"youtube": {"handle": "tube"}}},
    )
    assert status == 201, tube
    status, tok = brand_a.call(
        "POST",
        "/v1/creators",
        {"name": "Tok", "email": "tok@example.com", "platforms": {"tiktok": {"handle": "tok"}}},
    )
    assert status == 201, tok
    assert ledger.due(clock.now().date()) == [(brand_a.brand_id, tube["id"])]
