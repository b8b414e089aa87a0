"""Creators: the brand's roster, with the tier derived from audience size unless set by hand."""

from __future__ import annotations

from typing import Any

from roster import clock, ids
from roster.models.common import revalidate
from roster.models.creators import Creator, CreatorCreate, CreatorPatch, Tier, TierSource
from roster.store.creators import CreatorStore

# Lower bound of each tier's follower count (industry convention; mega is folded into macro).
TIER_FLOORS: tuple[tuple[int, Tier], ...] = (
    (500_000, Tier.MACRO),
    (100_000, Tier.MID),
    (10_000, Tier.MICRO),
    (0, Tier.NANO),
)


def tier_for(followers: int) -> Tier:
    return next(tier for floor, tier in TIER_FLOORS if followers >= floor)


def audience(data: dict[str, Any]) -> int | None:
    """The stated total, else the sum of the platforms' followers, else unknown."""
    if data.get("followers") is not None:
        return int(data["followers"])
    counts = [
        p["followers"] for p in (data.get("platforms") or {}).values() if p.get("followers") is not None
    ]
    return sum(counts) if counts else None


def _resolve(data: dict[str, Any], manual_tier: Tier | None) -> dict[str, Any]:
    """Fills tier and tier_source from a manual tier or the audience."""
    if manual_tier is not None:
        return data | {"tier": manual_tier, "tier_source": TierSource.MANUAL}
    reach = audience(data)
    if reach is None:
        return data | {"tier": None, "tier_source": None}
    return data | {"tier": tier_for(reach), "tier_source": TierSource.DERIVED}


def build(req: CreatorCreate, *, creator_id: str | None = None) -> Creator:
    now = clock.now_iso()
    data = req.model_dump(exclude={"tier"}) | {
        "id": creator_id or ids.new_id(),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    return Creator.model_validate(_resolve(data, req.tier))


def apply_patch(current: Creator, patch: CreatorPatch) -> Creator:
    changes = patch.changes()
    if not changes:
        return current
    manual = current.tier if current.tier_source == TierSource.MANUAL else None
    if "tier" in changes:
        manual = changes.pop("tier")
    merged = current.model_dump() | changes
    merged.update(updated_at=clock.now_iso(), version=current.version + 1)
    return revalidate(Creator, _resolve(merged, manual), "creator")


def create(store: CreatorStore, brand_id: str, req: CreatorCreate) -> Creator:
    creator = build(req)
    store.create(brand_id, creator)
    return creator


def update(
    store: CreatorStore,
    brand_id: str,
    creator_id: str,
    patch: CreatorPatch,
    *,
    current: Creator | None = None,
) -> Creator:
    """Applies `patch`; pass `current` when the caller has just read the creator, to skip a read."""
    current = current or store.get(brand_id, creator_id)
    updated = apply_patch(current, patch)
    if updated is not current:
        store.replace(brand_id, current, updated)
    return updated
