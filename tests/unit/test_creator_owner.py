"""A creator's owner: the model accepts it and `null` to clear it; the program checks it is a
member of the same brand (the lookup is under the brand's key) before anything is written."""

from __future__ import annotations

from typing import Any, cast

import pytest
from pydantic import ValidationError

from roster.errors import ValidationFailed
from roster.models.creators import CreatorCreate, CreatorPatch
from roster.program import creators
from roster.store.members import MemberStore


class Members:
    """Brand-keyed like the real store: brand → member ids."""

    def __init__(self, members: dict[str, set[str]]) -> None:
        self.members = members

    def get(self, brand_id: str, member_id: str) -> Any:
        return object() if member_id in self.members.get(brand_id, set()) else None


MEMBERS = cast(MemberStore, Members({"brand-a": {"sam"}, "brand-b": {"bo"}}))


def test_owner_in_the_models() -> None:
    assert CreatorCreate(name="Maya", email="maya@example.com").owner_id is None
    assert CreatorPatch.model_validate({"owner_id": None}).changes() == {"owner_id": None}
    with pytest.raises(ValidationError):
        CreatorPatch.model_validate({"owner_id": ""})
    built = creators.build(CreatorCreate(name="Maya", email="maya@example.com", owner_id="sam"))
    assert built.owner_id == "sam"
    cleared = creators.apply_patch(built, CreatorPatch.model_validate({"owner_id": None}))
    assert cleared.owner_id is None and cleared.version == 2


def test_the_owner_must_be_a_member_of_the_same_brand() -> None:
    creators.check_owner(MEMBERS, "brand-a", "sam")
    creators.check_owner(MEMBERS, "brand-a", None)
    for brand, member in (("brand-a", "bo"), ("brand-a", "nobody"), ("brand-b", "sam")):
        with pytest.raises(ValidationFailed) as refused:
            creators.check_owner(MEMBERS, brand, member)
        assert refused.value.details == [
            {"field": "owner_id", "message": f"no member {member} in this brand"}
        ]


def test_an_owner_needs_the_member_store() -> None:
    with pytest.raises(ValueError, match="member store"):
        creators.check_owner(None, "brand-a", "sam")
