"""`followers` defaults to the sum of the platforms' followers, as documented, and follows them
until a total is stated; a stated total sticks until `followers: null`."""

from __future__ import annotations

from roster.models.creators import Creator, CreatorCreate, CreatorPatch, FollowersSource, Tier
from roster.program import creators

TWO_PLATFORMS = {
    "instagram": {"handle": "a", "followers": 6_000},
    "tiktok": {"handle": "b", "followers": 7_000},
    "youtube": {"handle": "c"},
}


def _creator(**fields: object) -> Creator:
    return creators.build(
        CreatorCreate.model_validate({"name": "Maya", "email": "maya@example.com"} | fields)
    )


def test_followers_default_to_the_platforms_sum() -> None:
    c = _creator(platforms=TWO_PLATFORMS)
    assert (c.followers, c.followers_source, c.tier) == (13_000, FollowersSource.DERIVED, Tier.MICRO)
    unknown = _creator(platforms={"instagram": {"handle": "a"}})
    assert (unknown.followers, unknown.followers_source) == (None, None)


def test_derived_followers_follow_the_platforms() -> None:
    c = _creator(platforms=TWO_PLATFORMS)
    grown = creators.apply_patch(
        c, CreatorPatch.model_validate({"platforms": {"instagram": {"handle": "a", "followers": 200_000}}})
    )
    assert (grown.followers, grown.followers_source, grown.tier) == (
        200_000,
        FollowersSource.DERIVED,
        Tier.MID,
    )


def test_a_stated_total_sticks_until_cleared() -> None:
    c = _creator(platforms=TWO_PLATFORMS, followers=50_000)
    assert (c.followers, c.followers_source) == (50_000, FollowersSource.MANUAL)
    moved = creators.apply_patch(
        c, CreatorPatch.model_validate({"platforms": {"instagram": {"handle": "a", "followers": 1}}})
    )
    assert (moved.followers, moved.followers_source) == (50_000, FollowersSource.MANUAL)
    cleared = creators.apply_patch(moved, CreatorPatch.model_validate({"followers": None}))
    assert (cleared.followers, cleared.followers_source) == (1, FollowersSource.DERIVED)


def test_a_record_stored_before_the_source_existed_keeps_its_total() -> None:
    legacy = _creator(platforms=TWO_PLATFORMS, followers=50_000).model_copy(update={"followers_source": None})
    renamed = creators.apply_patch(legacy, CreatorPatch(name="Maya L."))
    assert (renamed.followers, renamed.followers_source) == (50_000, FollowersSource.MANUAL)
