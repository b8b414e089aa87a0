"""Who is calling: an API key (`rk_live_<40 base62>`) or a team member's Cognito ID token.

Only the SHA-256 of a key is ever stored; keys have ~238 bits of entropy, so a fast hash is safe (no
salt or KDF needed: there is nothing to brute-force). An ID token is verified here (RS256 against the
pool's keys, issuer, audience, `token_use`, expiry) and its `sub` looked up in Roster's table, which
holds the member's brand and role.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from roster import clock, ids
from roster.errors import Conflict
from roster.models.auth import Actor, ApiKey, ApiKeyCreated, ApiKeyRecord, Brand, Principal
from roster.observability import logger
from roster.store.brands import BrandStore

if TYPE_CHECKING:
    from roster.adapters.identity import SigningKeys
    from roster.deps import Deps

KEY_PREFIX = "rk_live_"
_KEY_LENGTH = len(KEY_PREFIX) + 40


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def bearer_key(authorization: str | None) -> str | None:
    """The key from an `Authorization: Bearer <key>` header, or None if it is not shaped like one."""
    if not authorization:
        return None
    scheme, _, key = authorization.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key.startswith(KEY_PREFIX) or len(key) != _KEY_LENGTH:
        return None
    return key if key[len(KEY_PREFIX) :].isalnum() else None


def new_key(
    brand_id: str, name: str, *, key: str | None = None, by: Actor | None = None
) -> tuple[str, ApiKeyRecord]:
    """Returns (the key, shown once; the record to store). `key` lets the local stack pin a known key."""
    key = key or KEY_PREFIX + ids.new_token(40)
    if bearer_key(f"Bearer {key}") is None:
        raise ValueError(f"an API key is {KEY_PREFIX} followed by 40 letters or digits")
    record = ApiKeyRecord(
        id=ids.new_id(),
        brand_id=brand_id,
        name=name,
        prefix=key[: len(KEY_PREFIX) + 4],
        key_hash=hash_key(key),
        created_at=clock.now_iso(),
        created_by=by,
    )
    return key, record


def create_brand(brands: BrandStore, name: str, *, key: str | None = None) -> tuple[Brand, str]:
    brand = Brand(id=ids.new_id(), name=name, created_at=clock.now_iso())
    plain, record = new_key(brand.id, "default", key=key)
    brands.create_brand(brand, record)
    return brand, plain


def bearer_token(authorization: str | None) -> str | None:
    """A JWT from an `Authorization: Bearer <JWT>` header (three base64url parts), else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or len(token) > 8192 or token.count(".") != 2:
        return None
    return token


def authenticate(deps: Deps, authorization: str | None) -> Principal | None:
    """The principal of an API key or of a member's ID token; None for anything else (unknown,
    revoked, forged, expired, another pool's or an access token), which the API answers with 401."""
    key = bearer_key(authorization)
    if key is not None:
        return _key_principal(deps.stores.brands, key)
    token = bearer_token(authorization)
    keys, settings = deps.signing_keys, deps.settings
    if token is None or keys is None or not settings.user_pool_issuer or not settings.user_pool_client_id:
        return None
    claims = verify_id_token(
        token, keys, issuer=settings.user_pool_issuer, audience=settings.user_pool_client_id
    )
    if claims is None:
        return None
    member = deps.stores.members.by_sub(str(claims["sub"]))
    if member is None:
        return None
    return Principal(brand_id=member.brand_id, member_id=member.id, name=member.name, role=member.role)


def _key_principal(brands: BrandStore, key: str) -> Principal | None:
    digest = hash_key(key)
    record = brands.key_by_hash(digest)
    # The lookup is by hash already; the compare guards against a store that matched loosely.
    if record is None or record.revoked_at or not hmac.compare_digest(record.key_hash, digest):
        return None
    return Principal(brand_id=record.brand_id, key_id=record.id, name=record.name, role="admin")


def verify_id_token(token: str, keys: SigningKeys, *, issuer: str, audience: str) -> dict[str, Any] | None:
    """The claims of a valid ID token of this pool and app client, else None. RS256 only (the
    algorithm is never taken from the token), signed by one of the pool's keys (by `kid`), `iss`
    the pool, `aud` the client, `token_use` "id", not expired."""
    import jwt  # PyJWT with cryptography: loaded only when a token comes, not for API keys

    try:
        header = jwt.get_unverified_header(token)
        jwk = keys.get(str(header.get("kid", "")))
        if jwk is None or header.get("alg") != "RS256":
            return None
        claims: dict[str, Any] = jwt.decode(
            token,
            jwt.PyJWK(jwk, algorithm="RS256").key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
        )
    except jwt.PyJWTError as exc:
        logger.info("ID token refused", extra={"reason": type(exc).__name__})
        return None
    return claims if claims.get("token_use") == "id" and claims.get("sub") else None


def issue_key(brands: BrandStore, principal: Principal, name: str) -> ApiKeyCreated:
    plain, record = new_key(principal.brand_id, name, by=principal.actor)
    brands.add_key(record)
    return ApiKeyCreated(key=plain, **record.model_dump())


def list_keys(brands: BrandStore, brand_id: str) -> list[ApiKey]:
    return [ApiKey.model_validate(r.model_dump()) for r in brands.list_keys(brand_id)]


def revoke_key(brands: BrandStore, principal: Principal, key_id: str) -> ApiKey:
    if key_id == principal.key_id:
        raise Conflict("a key cannot revoke itself; use another key of this brand")
    return ApiKey.model_validate(brands.revoke_key(principal.brand_id, key_id, clock.now_iso()).model_dump())
