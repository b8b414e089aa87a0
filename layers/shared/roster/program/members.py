"""The brand's team: members invited by email, their roles, and signing in through the user pool.

Cognito (`deps.identity`) holds the credentials; Roster's table holds who belongs to which brand and
with which role, so isolation and role changes are Roster's own. A brand always keeps an admin: the
last one can be neither demoted nor removed (its API keys act as admin too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roster import clock, ids
from roster.errors import Conflict
from roster.models.auth import Principal, Role
from roster.models.members import (
    Challenge,
    Me,
    Member,
    MemberCreate,
    MemberPatch,
    MemberRecord,
    MemberStatus,
    Refreshed,
    Tokens,
)
from roster.store.registry import Stores

if TYPE_CHECKING:
    from roster.deps import Deps


def view(record: MemberRecord, status: MemberStatus | None = None) -> Member:
    return Member.model_validate(record.model_dump() | {"status": status})


def status(deps: Deps, record: MemberRecord) -> MemberStatus | None:
    """Invited until the first sign-in replaces the temporary password; then active."""
    found = deps.identity.status(record.email)
    if found is None:
        return None
    return "invited" if found == "FORCE_CHANGE_PASSWORD" else "active"


def _tokens(result: dict[str, Any]) -> Tokens | Challenge:
    if result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        return Challenge(challenge="NEW_PASSWORD_REQUIRED", session=str(result["Session"]))
    auth = result.get("AuthenticationResult")
    if not auth:  # a challenge Roster's pool does not set up (MFA): not offered yet
        raise Conflict(f"sign-in needs a step Roster does not support: {result.get('ChallengeName')}")
    return Tokens(
        id_token=auth["IdToken"],
        access_token=auth["AccessToken"],
        refresh_token=auth["RefreshToken"],
        expires_in=int(auth["ExpiresIn"]),
    )


def sign_in(deps: Deps, email: str, password: str) -> Tokens | Challenge:
    return _tokens(deps.identity.sign_in(email, password))


def new_password(deps: Deps, email: str, session: str, password: str) -> Tokens | Challenge:
    return _tokens(deps.identity.new_password(email, session, password))


def refresh(deps: Deps, refresh_token: str) -> Refreshed:
    auth = deps.identity.refresh(refresh_token)["AuthenticationResult"]
    return Refreshed(
        id_token=auth["IdToken"], access_token=auth["AccessToken"], expires_in=int(auth["ExpiresIn"])
    )


def forgot_password(deps: Deps, email: str) -> None:
    deps.identity.forgot_password(email)


def reset_password(deps: Deps, email: str, code: str, password: str) -> None:
    deps.identity.reset_password(email, code, password)


def sign_out(deps: Deps, access_token: str) -> None:
    deps.identity.sign_out(access_token)


def me(stores: Stores, who: Principal) -> Me:
    brand = stores.brands.get_brand(who.brand_id)
    email = None
    if who.member_id:
        record = stores.members.get(who.brand_id, who.member_id)
        email = record.email if record else None
    return Me(
        brand_id=who.brand_id,
        brand_name=brand.name if brand else "",
        member_id=who.member_id,
        key_id=who.key_id,
        name=who.name,
        email=email,
        role=who.role,
    )


def add(deps: Deps, brand_id: str, email: str, name: str, role: Role) -> MemberRecord:
    """A member of the brand: the Cognito user first (its `sub` is the lookup key), then Roster's
    items; if those cannot be written, the user is deleted again."""
    sub = deps.identity.invite(email, name)
    now = clock.now_iso()
    record = MemberRecord(
        id=ids.new_id(),
        brand_id=brand_id,
        sub=sub,
        email=email,
        name=name,
        role=role,
        created_at=now,
        updated_at=now,
    )
    try:
        deps.stores.members.create(record)
    except Exception:
        deps.identity.delete(email)
        raise
    return record


def invite(deps: Deps, brand_id: str, body: MemberCreate) -> Member:
    return view(add(deps, brand_id, body.email, body.name, body.role), "invited")


def list_members(deps: Deps, brand_id: str) -> list[Member]:
    """The brand's members, oldest first, each with its status (one user-pool read per member: a
    brand's team is a handful of people)."""
    records = sorted(deps.stores.members.list(brand_id), key=lambda r: (r.created_at, r.id))
    return [view(r, status(deps, r)) for r in records]


def _keeps_an_admin(stores: Stores, record: MemberRecord) -> None:
    if record.role != "admin":
        return
    admins = [m for m in stores.members.list(record.brand_id) if m.role == "admin"]
    if len(admins) <= 1:
        raise Conflict("the brand's last admin cannot be demoted or removed; make another member admin first")


def update(deps: Deps, brand_id: str, member_id: str, patch: MemberPatch) -> Member:
    stores = deps.stores
    record = stores.members.require(brand_id, member_id)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("role") == "member":
        _keeps_an_admin(stores, record)
    if all(getattr(record, k) == v for k, v in changes.items()):
        return view(record, status(deps, record))
    updated = record.model_copy(
        update=changes | {"updated_at": clock.now_iso(), "version": record.version + 1}
    )
    stores.members.replace(record, updated)
    return view(updated, status(deps, updated))


def remove(deps: Deps, brand_id: str, member_id: str) -> Member:
    """Ends the membership and disables the Cognito user (its tokens stop working: the authorizer
    finds no member for them, within its 60 s cache)."""
    record = deps.stores.members.require(brand_id, member_id)
    _keeps_an_admin(deps.stores, record)
    deps.stores.members.delete(record)
    deps.identity.disable(record.email)
    return view(record)
