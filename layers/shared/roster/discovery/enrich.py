"""Enrich one creator: a snapshot from each platform Roster has a source for, kept with its day's
counts, then assessed against the growth history the kept counts make. One platform failing leaves
the others done, and says why.

The store is handed in (discovery ranks above the store's users but must not reach into it): any
object with `record` and `history` as `roster.store.snapshots.SnapshotStore` has them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from roster.discovery.profiles import Growth, Snapshot, from_dict, to_dict
from roster.discovery.quality import Assessment, assess
from roster.discovery.sources import ProfileSource, enrich_many
from roster.models.creators import Creator, Platform, SocialProfile
from roster.monitoring.sources import youtube_channel


class SnapshotKeeper(Protocol):
    def record(self, brand_id: str, creator_id: str, snapshot: dict[str, Any]) -> None: ...

    def latest(self, brand_id: str, creator_id: str) -> list[dict[str, Any]]: ...

    def history(self, brand_id: str, creator_id: str, platform: str) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class PlatformEnrichment:
    platform: Platform
    handle: str
    snapshot: Snapshot | None
    assessment: Assessment | None
    failure: str | None = None  # why there is no snapshot: safe to show (no URL, no key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform.value,
            "handle": self.handle,
            "snapshot": to_dict(self.snapshot) if self.snapshot else None,
            "quality": self.assessment.to_dict() if self.assessment else None,
            "failure": self.failure,
        }


def account_of(platform: Platform, profile: SocialProfile) -> str:
    """What the platform's source looks the creator up by: YouTube by channel id where the profile
    names one (a handle can be renamed), else the handle."""
    if platform is Platform.YOUTUBE:
        return youtube_channel(profile) or profile.handle
    return profile.handle


def growth_of(rows: list[dict[str, Any]]) -> Growth:
    """The kept daily counts, oldest first, as the quality module reads them (days without a
    follower count are left out)."""
    points = []
    for row in rows:
        followers = row.get("followers")
        if isinstance(followers, int) and not isinstance(followers, bool):
            points.append((datetime.fromisoformat(str(row["at"])), followers))
    return Growth(tuple(sorted(points)))


def enrich_creator(
    brand_id: str,
    creator: Creator,
    sources: Mapping[Platform, ProfileSource],
    keeper: SnapshotKeeper,
    *,
    now: datetime,
) -> list[PlatformEnrichment]:
    """Every platform of the creator's that a source reads, in the creator's order. A platform
    without a source is left out (nothing to say about it); a failure is that platform's answer."""
    results = []
    for platform, profile in creator.platforms.items():
        source = sources.get(platform)
        if source is None:
            continue
        handle = account_of(platform, profile)
        snapshots, failures = enrich_many(source, [handle])
        if not snapshots:
            reason = failures[0].reason if failures else f"{platform.value}: no answer"
            results.append(PlatformEnrichment(platform, handle, None, None, reason))
            continue
        snapshot = snapshots[0]
        keeper.record(brand_id, creator.id, to_dict(snapshot))
        growth = growth_of(keeper.history(brand_id, creator.id, platform.value))
        results.append(PlatformEnrichment(platform, handle, snapshot, assess(snapshot, growth, now=now)))
    return results


def stored_quality(
    brand_id: str, creator_id: str, keeper: SnapshotKeeper, *, now: datetime
) -> list[PlatformEnrichment]:
    """The assessment of what was kept at the last enrichment, with no call to any platform."""
    results = []
    for data in keeper.latest(brand_id, creator_id):
        snapshot = from_dict(data)
        growth = growth_of(keeper.history(brand_id, creator_id, snapshot.platform.value))
        results.append(
            PlatformEnrichment(
                snapshot.platform, snapshot.handle, snapshot, assess(snapshot, growth, now=now)
            )
        )
    return results
