"""The two items the authorizer reads, as plain values: an API key's lookup by its hash and a member's
lookup by Cognito `sub` (the same items `BrandStore` and `MemberStore` write and read as models).

Lean on purpose, like `store/clicks.py`: no pydantic, so the authorizer's cold start is boto3's plus
a little (docs/performance.md). An item that lacks a field the authorizer relies on, or holds a
role Roster does not know, reads as absent: the caller is refused, never let in half-known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roster.store import keys
from roster.store.table import Table

ROLES = ("admin", "member")  # models.auth.Role, which this module may not import (pydantic)


@dataclass(frozen=True)
class KeyLookup:
    id: str
    brand_id: str
    name: str
    key_hash: str
    revoked: bool


@dataclass(frozen=True)
class MemberLookup:
    id: str
    brand_id: str
    name: str
    role: str


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value if isinstance(value, str) else None


class PrincipalLookup:
    def __init__(self, table: Table) -> None:
        self.table = table

    def api_key(self, key_hash: str) -> KeyLookup | None:
        item = self.table.get(keys.api_key_lookup_pk(key_hash), keys.api_key_lookup_sk())
        if item is None:
            return None
        key_id, brand_id, name, stored_hash = (_text(item, f) for f in ("id", "brand_id", "name", "key_hash"))
        if key_id is None or brand_id is None or name is None or stored_hash is None:
            return None
        return KeyLookup(key_id, brand_id, name, stored_hash, revoked=bool(item.get("revoked_at")))

    def member(self, sub: str) -> MemberLookup | None:
        item = self.table.get(keys.member_lookup_pk(sub), keys.member_lookup_sk())
        if item is None:
            return None
        member_id, brand_id, name, role = (_text(item, f) for f in ("id", "brand_id", "name", "role"))
        if member_id is None or brand_id is None or name is None or role not in ROLES:
            return None
        if item.get("sub") != sub:  # read by `sub` already; this guards against a loose match
            return None
        return MemberLookup(member_id, brand_id, name, str(role))
