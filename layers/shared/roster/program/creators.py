"""Creators: the brand's roster, with the tier derived from audience size unless set by hand."""

from __future__ import annotations

from typing import Any

from roster import clock, ids
from roster.errors import ValidationFailed
from roster.models.common import revalidate
from roster.models.creators import (
    Creator,
    CreatorCreate,
    CreatorPatch,
    FollowersSource,
    Tier,
    TierSource,
)
from roster.store.creators import CreatorStore
from roster.store.members import MemberStore

# Lower bound of each tier's follower count (industry convention; mega is folded into macro).
TIER_FLOORS: tuple[tuple[int, Tier], ...] = (
    (500_000, Tier.MACRO),
    (100_000, Tier.MID),
    (10_000, Tier.MICRO),
    (0, Tier.NANO),
)


def tier_for(followers: int) -> Tier:
    return next(tier for floor, tier in TIER_FLOORS if followers >= floor)


def platform_followers(data: dict[str, Any]) -> int | None:
    """The sum of the platforms' followers, or unknown when no platform has a count."""
    counts = [
        p["followers"] for p in (data.get("platforms") or {}).values() if p.get("followers") is not None
    ]
    return sum(counts) if counts else None


def _resolve(data: dict[str, Any], manual_tier: Tier | None, stated: int | None) -> dict[str, Any]:
    """Fills followers (the stated total, else the platforms' sum) and the tier (the manual one,
    else derived from followers), each with its source."""
    followers = stated if stated is not None else platform_followers(data)
    source = FollowersSource.MANUAL if stated is not None else FollowersSource.DERIVED
    data = data | {"followers": followers, "followers_source": source if followers is not None else None}
    if manual_tier is not None:
        return data | {"tier": manual_tier, "tier_source": TierSource.MANUAL}
    if followers is None:
        return data | {"tier": None, "tier_source": None}
    return data | {"tier": tier_for(followers), "tier_source": TierSource.DERIVED}


def build(req: CreatorCreate, *, creator_id: str | None = None) -> Creator:
    now = clock.now_iso()
    data = req.model_dump(exclude={"tier"}) | {
        "id": creator_id or ids.new_id(),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    return Creator.model_validate(_resolve(data, req.tier, req.followers))


def apply_patch(current: Creator, patch: CreatorPatch) -> Creator:
    changes = patch.changes()
    if not changes:
        return current
    manual = current.tier if current.tier_source == TierSource.MANUAL else None
    if "tier" in changes:
        manual = changes.pop("tier")
    # A total stored before `followers_source` existed was stated by hand: derived ones were never kept.
    stated = current.followers if current.followers_source != FollowersSource.DERIVED else None
    if "followers" in changes:
        stated = changes.pop("followers")
    merged = current.model_dump() | changes
    merged.update(updated_at=clock.now_iso(), version=current.version + 1)
    return revalidate(Creator, _resolve(merged, manual, stated), "creator")


def check_owner(members: MemberStore | None, brand_id: str, owner_id: str | None) -> None:
    """An owner is a member of the same brand: an unknown id, or another brand's member, is a 422.
    The lookup is under the brand's own key, so another brand's member is simply not found."""
    if owner_id is None:
        return
    if members is None:
        raise ValueError("setting an owner needs the member store")
    if members.get(brand_id, owner_id) is None:
        raise ValidationFailed(
            "the owner must be a member of the brand",
            details=[{"field": "owner_id", "message": f"no member {owner_id} in this brand"}],
        )


def create(
    store: CreatorStore, brand_id: str, req: CreatorCreate, *, members: MemberStore | None = None
) -> Creator:
    """Adds the creator; pass `members` when `req` may name an owner (checked against the team)."""
    check_owner(members, brand_id, req.owner_id)
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
    members: MemberStore | None = None,
) -> Creator:
    """Applies `patch`; pass `current` when the caller has just read the creator, to skip a read,
    and `members` when the patch may set an owner."""
    current = current or store.require(brand_id, creator_id)
    if (owner := patch.changes().get("owner_id")) is not None and owner != current.owner_id:
        check_owner(members, brand_id, owner)
    updated = apply_patch(current, patch)
    if updated is not current:
        store.replace(brand_id, current, updated)
    return updated
