"""Content monitoring: find each campaign creator's posts in their feeds, on a schedule or on demand.

    Scheduler (hourly) → dispatch: due campaigns → one SQS message per creator
    POST /v1/campaigns/{id}/monitor → start: the same, now
    SQS (bounded concurrency) → check_creator: each feed → items → posts.record → run counters
                                              a post seen → deps.on_post_found (the workflow side)

A campaign's creators are the ones with a tracking link or a promo code in it. One failing feed is
recorded on the run (and on the feed's state) and never stops the creator's other feeds or the
other creators.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any, Literal, Protocol

from roster import clock, ids
from roster.errors import Conflict, NotFound
from roster.models.campaigns import Campaign, CampaignStatus
from roster.models.monitoring import FeedError, MonitorRun
from roster.models.posts import Post
from roster.monitoring import posts
from roster.monitoring.sources import sources_for
from roster.store.registry import Stores
from roster.web.fetch import FetchError

if TYPE_CHECKING:
    from roster.deps import Deps


class PostFound(Protocol):
    """The port monitoring announces a post it saw through; `roster.deps` binds it to the workflow
    side (`roster.workflows.collaborations.post_found`), so monitoring never steers the workflows."""

    def __call__(self, brand_id: str, post: Post, /) -> None: ...


def participants(stores: Stores, brand_id: str, campaign_id: str) -> list[str]:
    """Creators with a tracking link or a promo code in the campaign."""
    links = stores.links.all(brand_id, campaign_id=campaign_id, creator_id=None)
    codes = stores.promo_codes.all(brand_id, campaign_id=campaign_id, creator_id=None)
    return list(
        dict.fromkeys([*(link.creator_id for link in links), *(c.creator_id for c in codes if c.creator_id)])
    )


def is_due(campaign_id: str, every_hours: int, at: datetime) -> bool:
    """Due once per `every_hours`, at an hour fixed per campaign, so daily checks spread over the
    day instead of all starting at midnight. Needs no stored "next run" to keep in sync."""
    hour = int(at.timestamp() // 3600)
    phase = int(hashlib.sha256(campaign_id.encode()).hexdigest(), 16) % every_hours
    return (hour + phase) % every_hours == 0


def start(deps: Deps, brand_id: str, campaign: Campaign, trigger: Literal["schedule", "api"]) -> MonitorRun:
    if campaign.status == CampaignStatus.CANCELLED:
        raise Conflict("a cancelled campaign is not monitored")
    queue, stores = deps.monitor_queue, deps.stores
    creators = participants(stores, brand_id, campaign.id)
    run = MonitorRun(
        id=ids.new_id(),
        campaign_id=campaign.id,
        trigger=trigger,
        status="running" if creators else "completed",
        started_at=clock.now_iso(),
        creators_queued=len(creators),
    )
    stores.monitor.start_run(brand_id, run)
    queue.send(
        [
            {"brand_id": brand_id, "campaign_id": campaign.id, "creator_id": c, "run_id": run.id}
            for c in creators
        ]
    )
    return run


def dispatch(deps: Deps, at: datetime) -> list[MonitorRun]:
    """The scheduled entry point: starts a run for every monitored campaign due this hour."""
    return [
        start(deps, brand_id, campaign, "schedule")
        for brand_id, campaign in deps.stores.campaigns.monitored()
        if is_due(campaign.id, campaign.monitoring.every_hours, at)
    ]


@dataclass
class CreatorCheck:
    counts: dict[str, int]
    errors: list[FeedError]


def check_creator(deps: Deps, message: dict[str, Any], batch: posts.CheckBatch | None = None) -> CreatorCheck:
    """One SQS message: reads every feed of one creator, records the campaign's posts in them
    (each one seen is announced on `deps.on_post_found` when the creator has a collaboration),
    raises a missing-post alert past the due date, and adds the results to the run. `batch`: what
    the other messages of the same SQS batch already read (posts.CheckBatch)."""
    stores, youtube = deps.stores, deps.youtube  # the key is read per message, as before
    brand_id, campaign_id = message["brand_id"], message["campaign_id"]
    creator_id, run_id = message["creator_id"], message["run_id"]
    counts = {"creators_done": 1}
    errors: list[FeedError] = []
    try:
        ctx = posts.context(
            stores, brand_id, campaign_id, creator_id, link_base_url=deps.settings.link_base_url, batch=batch
        )
    except NotFound:  # deleted since the run started: nothing to check, and nothing to retry
        stores.monitor.creator_done(brand_id, campaign_id, run_id, counts, [])
        return CreatorCheck(counts, [])
    since = datetime.combine(ctx.campaign.start_date, time.min, UTC)
    for platform, profile in ctx.creator.platforms.items():
        source = sources_for(platform, profile, deps.fetcher, youtube)
        if source is None:
            continue
        state = stores.monitor.feed_state(brand_id, campaign_id, creator_id, platform)
        now = clock.now_iso()
        counts["feeds_checked"] = counts.get("feeds_checked", 0) + 1
        try:
            result = source.fetch(state.get("etag"), state.get("last_modified"))
        except (FetchError, ValueError) as exc:
            counts["feeds_failed"] = counts.get("feeds_failed", 0) + 1
            errors.append(
                FeedError(
                    creator_id=creator_id, platform=platform, source=source.name, error=str(exc), at=now
                )
            )
            stores.monitor.save_feed_state(
                brand_id,
                campaign_id,
                creator_id,
                platform,
                {**state, "source": source.name, "checked_at": now, "error": str(exc)},
            )
            continue
        if result.not_modified:
            counts["feeds_not_modified"] = counts.get("feeds_not_modified", 0) + 1
        for item in result.items:
            if item.published_at and item.published_at < since:
                continue
            counts["items_read"] = counts.get("items_read", 0) + 1
            recorded = posts.record(deps, ctx, item, source="feed")
            if recorded.new:
                counts["posts_found"] = counts.get("posts_found", 0) + 1
            if recorded.post is not None and ctx.collaboration_id:
                # A new post may complete the live step; one seen again may now verify a deliverable.
                deps.on_post_found(brand_id, recorded.post)
            counts["alerts_raised"] = counts.get("alerts_raised", 0) + len(recorded.alerts)
        if result.not_modified and not state.get("error"):
            continue  # nothing new to remember: a quiet feed costs no write
        stores.monitor.save_feed_state(
            brand_id,
            campaign_id,
            creator_id,
            platform,
            {
                "source": source.name,
                "checked_at": now,
                "etag": result.etag,
                "last_modified": result.last_modified,
            },
        )
    if posts.check_due(deps, ctx, clock.now().date()):
        counts["alerts_raised"] = counts.get("alerts_raised", 0) + 1
    stores.monitor.creator_done(brand_id, campaign_id, run_id, counts, errors)
    return CreatorCheck(counts, errors)
