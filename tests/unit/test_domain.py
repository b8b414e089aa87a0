from __future__ import annotations

import pytest

from roster.errors import Conflict
from roster.models.campaigns import CampaignStatus as S
from roster.models.creators import Creator, CreatorCreate, CreatorPatch, Tier, TierSource
from roster.program import campaigns, creators


@pytest.mark.parametrize(
    "followers, tier",
    [
        (0, Tier.NANO),
        (9_999, Tier.NANO),
        (10_000, Tier.MICRO),
        (99_999, Tier.MICRO),
        (100_000, Tier.MID),
        (499_999, Tier.MID),
        (500_000, Tier.MACRO),
        (12_000_000, Tier.MACRO),
    ],
)
def test_tier_boundaries(followers: int, tier: Tier) -> None:
    assert creators.tier_for(followers) == tier


def _creator(**fields: object) -> Creator:
    return creators.build(
        CreatorCreate.model_validate({"name": "Maya", "email": "maya@example.com"} | fields)
    )


def test_tier_is_derived_from_total_or_platform_sum() -> None:
    assert _creator().tier is None and _creator().tier_source is None
    c = _creator(
        platforms={
            "instagram": {"handle": "a", "followers": 6000},
            "tiktok": {"handle": "b", "followers": 6000},
        }
    )
    assert (c.tier, c.tier_source) == (Tier.MICRO, TierSource.DERIVED)
    assert _creator(followers=150_000).tier == Tier.MID


def test_manual_tier_sticks_until_cleared() -> None:
    c = _creator(followers=2_000, tier="macro")
    assert (c.tier, c.tier_source) == (Tier.MACRO, TierSource.MANUAL)
    more = creators.apply_patch(c, CreatorPatch(followers=200_000))
    assert (more.tier, more.tier_source) == (Tier.MACRO, TierSource.MANUAL)
    cleared = creators.apply_patch(more, CreatorPatch.model_validate({"tier": None}))
    assert (cleared.tier, cleared.tier_source) == (Tier.MID, TierSource.DERIVED)
    assert cleared.version == c.version + 2


def test_empty_patch_changes_nothing() -> None:
    c = _creator()
    assert creators.apply_patch(c, CreatorPatch()) is c


@pytest.mark.parametrize(
    "current, target, ok",
    [
        (S.DRAFT, S.ACTIVE, True),
        (S.DRAFT, S.PAUSED, False),
        (S.ACTIVE, S.PAUSED, True),
        (S.PAUSED, S.ACTIVE, True),
        (S.ACTIVE, S.DRAFT, False),
        (S.COMPLETED, S.ACTIVE, False),
        (S.CANCELLED, S.DRAFT, False),
        (S.ACTIVE, S.ACTIVE, True),
    ],
)
def test_campaign_transitions(current: S, target: S, ok: bool) -> None:
    if ok:
        campaigns.check_transition(current, target)
    else:
        with pytest.raises(Conflict, match=f"cannot become {target}"):
            campaigns.check_transition(current, target)


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Spring Trail Launch!", "spring-trail-launch"),
        ("Été — Öl & Café", "ete-ol-cafe"),
        ("!!!", "campaign"),
        ("x" * 80, "x" * 60),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert campaigns.slugify(name) == slug
