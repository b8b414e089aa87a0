"""Scheduled enrichment: a daily dispatcher (EventBridge Scheduler) queues the creators due today,
and a worker (SQS) enriches each one, then schedules its next run.

- Every creator with a profile Roster reads is re-read every `EVERY_DAYS` days, so growth has a
  point a week. The due day lives on a small schedule item (store/enrichment.py): the dispatcher
  reads only today's creators, never the whole roster.
- A day the dispatcher missed is caught up: it reads the last `CATCH_UP_DAYS` due days. A creator
  queued twice (a retry, an overlap) is enriched once: the worker skips a snapshot younger than
  `FRESH_HOURS`.
- YouTube's daily units are shared by every worker and brand: each YouTube snapshot first reserves
  its worst-case units in the table's quota ledger (a conditional write). A refused reservation
  calls nothing and moves the creator to tomorrow; the day's other platforms still run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from roster.discovery.enrich import enrich_creator
from roster.discovery.profiles import Snapshot
from roster.discovery.sources import SNAPSHOT_UNITS, ProfileSource, QuotaExhausted
from roster.models.creators import Platform

if TYPE_CHECKING:
    from roster.store.enrichment import EnrichmentStore

EVERY_DAYS = 7
CATCH_UP_DAYS = 7
FRESH_HOURS = 20
# YouTube resets its quota at midnight Pacific time. A fixed UTC-8 day is off by an hour while
# daylight saving time runs; the budget keeps headroom for that hour and for monitoring's calls,
# which use the same key.
QUOTA_DAY = timezone(timedelta(hours=-8))
YOUTUBE_BUDGET = 9_500
QUOTA_KEPT_SECONDS = 3 * 86_400


def quota_day(at: datetime) -> str:
    return at.astimezone(QUOTA_DAY).date().isoformat()


@dataclass(frozen=True)
class ReservedYouTube:
    """A YouTube source that reserves a snapshot's units in the shared ledger before calling."""

    source: ProfileSource
    ledger: EnrichmentStore
    at: datetime
    budget: int = YOUTUBE_BUDGET

    @property
    def platform(self) -> Platform:
        return Platform.YOUTUBE

    def snapshot(self, handle: str) -> Snapshot:
        expires = int(self.at.timestamp()) + QUOTA_KEPT_SECONDS
        if not self.ledger.reserve_units(quota_day(self.at), SNAPSHOT_UNITS, self.budget, expires_at=expires):
            raise QuotaExhausted(Platform.YOUTUBE, "today's YouTube quota is used; tried again tomorrow")
        return self.source.snapshot(handle)


def due_messages(ledger: EnrichmentStore, today: date) -> list[dict[str, str]]:
    """One message per creator due today or on a day the dispatcher may have missed."""
    seen: set[tuple[str, str]] = set()
    messages = []
    for back in range(CATCH_UP_DAYS - 1, -1, -1):
        for brand_id, creator_id in ledger.due(today - timedelta(days=back)):
            if (brand_id, creator_id) not in seen:
                seen.add((brand_id, creator_id))
                messages.append({"brand_id": brand_id, "creator_id": creator_id})
    return messages


@dataclass(frozen=True)
class Outcome:
    enriched: int  # platforms read
    failed: int  # platforms that failed
    skipped: str | None = None  # why nothing was read (gone, nothing to read, fresh)
    next_due: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "enriched": self.enriched,
            "failed": self.failed,
            "skipped": self.skipped,
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }


def enrich_due(
    message: dict[str, Any],
    *,
    creators: Any,
    keeper: Any,
    ledger: EnrichmentStore,
    sources: dict[Platform, ProfileSource],
    now: datetime,
) -> Outcome:
    """One queued creator: enrich, then schedule the next run (tomorrow when YouTube's quota ran
    out, else in `EVERY_DAYS`). A creator gone or with nothing Roster reads is unscheduled."""
    brand_id, creator_id = str(message["brand_id"]), str(message["creator_id"])
    creator = creators.get(brand_id, creator_id)
    if creator is None:
        ledger.unschedule(brand_id, creator_id)
        return Outcome(0, 0, "the creator was deleted")
    readable = [p for p in creator.platforms if p in sources]
    if not readable:
        ledger.unschedule(brand_id, creator_id)
        return Outcome(0, 0, "no profile on a platform Roster reads")
    today = now.astimezone(UTC).date()
    kept = {s.get("platform"): s.get("at") for s in keeper.latest(brand_id, creator_id)}
    fresh = [p for p in readable if _younger(kept.get(p.value), now, FRESH_HOURS)]
    if len(fresh) == len(readable):
        return Outcome(0, 0, "enriched less than a day ago")
    wanted = {p: s for p, s in sources.items() if p not in fresh}
    if Platform.YOUTUBE in wanted:
        wanted[Platform.YOUTUBE] = ReservedYouTube(wanted[Platform.YOUTUBE], ledger, now)
    results = enrich_creator(brand_id, creator, wanted, keeper, now=now)
    failed = [r for r in results if r.failure]
    quota_ran_out = any("quota" in (r.failure or "") for r in failed if r.platform is Platform.YOUTUBE)
    if quota_ran_out:  # whoever spent it (monitoring shares the key), nobody calls again today
        ledger.exhaust(quota_day(now), YOUTUBE_BUDGET, expires_at=int(now.timestamp()) + QUOTA_KEPT_SECONDS)
    next_due = today + timedelta(days=1 if quota_ran_out else EVERY_DAYS)
    ledger.schedule(brand_id, creator_id, next_due)
    return Outcome(len(results) - len(failed), len(failed), None, next_due)


def _younger(at: object, now: datetime, hours: float) -> bool:
    if not isinstance(at, str):
        return False
    return now - datetime.fromisoformat(at) < timedelta(hours=hours)
