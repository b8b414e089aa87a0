"""Campaigns: creation, partial updates and the status life cycle."""

from __future__ import annotations

import re
import unicodedata

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
    current = store.get(brand_id, campaign_id)
    changes = patch.changes()
    if not changes:
        return current
    if patch.status is not None:
        check_transition(current.status, patch.status)
    if current.status in (S.COMPLETED, S.CANCELLED):
        raise Conflict(f"a {current.status} campaign cannot be changed")
    merged = current.model_dump() | changes
    merged.update(updated_at=clock.now_iso(), version=current.version + 1)
    updated = revalidate(Campaign, merged, "campaign")
    store.replace(brand_id, updated, expected_version=current.version)
    return updated
