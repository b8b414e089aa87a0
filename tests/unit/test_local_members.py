"""ROSTER_LOCAL_EXTRA_MEMBERS: what the local stack seeds besides the demo admin, and a clear error
(the stack does not start) for an entry it cannot read."""

from __future__ import annotations

import pytest

from local.stack import ExtraMember, parse_extra_members


def test_members_of_the_demo_brand_and_of_another_brand() -> None:
    text = "member:Sam.Plain@roster.example:pw-123456789012; admin:olga@other.example:pw-123456789013:Other Brand:Inc;"
    assert parse_extra_members(text) == [
        ExtraMember("member", "sam.plain@roster.example", "pw-123456789012", None),
        ExtraMember("admin", "olga@other.example", "pw-123456789013", "Other Brand:Inc"),
    ]
    assert parse_extra_members("") == []
    assert ExtraMember("member", "sam.plain@roster.example", "x").name == "Sam Plain"


@pytest.mark.parametrize(
    "entry", ["owner:a@b.example:pw", "member:not-an-email:pw", "member:a@b.example:", "member"]
)
def test_an_unreadable_entry_is_an_error_naming_it(entry: str) -> None:
    with pytest.raises(ValueError, match="ROSTER_LOCAL_EXTRA_MEMBERS"):
        parse_extra_members(entry)
