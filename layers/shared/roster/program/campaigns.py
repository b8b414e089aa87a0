"""Campaigns: creation, partial updates and the status life cycle."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, time, timedelta

from roster import clock, ids
from roster.errors import Conflict
from roster.models.campaigns import Campaign, CampaignCreate, CampaignPatch, CampaignStatus
from roster.models.common import revalidate
from roster.store.campaigns import CampaignStore

S = CampaignStatus
TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    S.DRAFT: frozenset({S.ACTIVE, S.CANCELLED}),
    S.ACTIVE: frozenset({S.PAUSED, S.COMPLETED, S.CANCELLED}),
    S.PAUSED: frozenset({S.ACTIVE, S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The final statuses and the field that records when the campaign reached them.
ENDED_AT = {S.CANCELLED: "cancelled_at", S.COMPLETED: "completed_at"}


def check_transition(current: CampaignStatus, target: CampaignStatus) -> None:
    if target != current and target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
        raise Conflict(f"a {current} campaign cannot become {target}; allowed: {allowed}")


def slugify(name: str) -> str:
    """`Spring Trail Launch!` → `spring-trail-launch` (ASCII letters and digits only)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:60].strip("-")
    return slug or "campaign"


def create(store: CampaignStore, brand_id: str, req: CampaignCreate) -> Campaign:
    now = clock.now_iso()
    data = req.model_dump() | {"slug": req.slug or slugify(req.name)}
    campaign = Campaign(id=ids.new_id(), created_at=now, updated_at=now, version=1, **data)
    store.create(brand_id, campaign)
    return campaign


def update(store: CampaignStore, brand_id: str, campaign_id: str, patch: CampaignPatch) -> Campaign:
    current = store.require(brand_id, campaign_id)
    changes = patch.changes()
    if not changes:
        return current
    if patch.status is not None:
        check_transition(current.status, patch.status)
    if current.status in (S.COMPLETED, S.CANCELLED):
        raise Conflict(f"a {current.status} campaign cannot be changed")
    now = clock.now_iso()
    merged = current.model_dump() | changes
    merged.update(updated_at=now, version=current.version + 1)
    if patch.status is not None and patch.status in ENDED_AT and patch.status != current.status:
        merged[ENDED_AT[patch.status]] = now  # orders after this moment stop earning (attribution)
    updated = revalidate(Campaign, merged, "campaign")
    store.replace(brand_id, updated, expected_version=current.version)
    return updated


def _ended(campaign: Campaign, status: CampaignStatus, recorded: str | None) -> datetime | None:
    """When the campaign reached a final status; a campaign that reached it before the time was
    recorded cannot have changed since, so its last update is that moment."""
    if recorded:
        return clock.parse(recorded)
    return clock.parse(campaign.updated_at) if campaign.status == status else None


def not_earning(campaign: Campaign, ordered_at: datetime) -> str | None:
    """Why an order placed at `ordered_at` earns nothing in this campaign (None: it earns). Orders
    earn until the end of `end_date` (UTC), or the campaign's completion if that came first, plus
    `commission.accept_orders_days_after_end`; never after a cancellation."""
    cancelled = _ended(campaign, S.CANCELLED, campaign.cancelled_at)
    if cancelled and ordered_at >= cancelled:
        return f"ordered after the campaign was cancelled at {clock.to_the_second(cancelled)}"
    grace = campaign.commission.accept_orders_days_after_end
    end = datetime.combine(campaign.end_date + timedelta(days=1), time.min, UTC)
    ended = f"ended on {campaign.end_date}"
    completed = _ended(campaign, S.COMPLETED, campaign.completed_at)
    if completed and completed < end:
        end, ended = completed, f"was completed at {clock.to_the_second(completed)}"
    if ordered_at >= end + timedelta(days=grace):
        return f"ordered after the campaign {ended}" + (f" and its {grace}-day grace" if grace else "")
    return None
