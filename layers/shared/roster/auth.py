"""API keys: `rk_live_<40 base62>`. Only the SHA-256 of a key is ever stored; keys have ~238 bits of
entropy, so a fast hash is safe (no salt or KDF needed: there is nothing to brute-force)."""

from __future__ import annotations

import hashlib
import hmac

from roster import clock, ids
from roster.errors import Conflict
from roster.models.auth import ApiKey, ApiKeyCreated, ApiKeyRecord, Brand, Principal
from roster.store.brands import BrandStore

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


def new_key(brand_id: str, name: str, *, key: str | None = None) -> tuple[str, ApiKeyRecord]:
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
    )
    return key, record


def create_brand(brands: BrandStore, name: str, *, key: str | None = None) -> tuple[Brand, str]:
    brand = Brand(id=ids.new_id(), name=name, created_at=clock.now_iso())
    plain, record = new_key(brand.id, "default", key=key)
    brands.create_brand(brand, record)
    return brand, plain


def authenticate(brands: BrandStore, authorization: str | None) -> Principal | None:
    key = bearer_key(authorization)
    if key is None:
        return None
    digest = hash_key(key)
    record = brands.key_by_hash(digest)
    # The lookup is by hash already; the compare guards against a store that matched loosely.
    if record is None or record.revoked_at or not hmac.compare_digest(record.key_hash, digest):
        return None
    return Principal(brand_id=record.brand_id, key_id=record.id)


def issue_key(brands: BrandStore, brand_id: str, name: str) -> ApiKeyCreated:
    plain, record = new_key(brand_id, name)
    brands.add_key(record)
    return ApiKeyCreated(key=plain, **record.model_dump())


def list_keys(brands: BrandStore, brand_id: str) -> list[ApiKey]:
    return [ApiKey.model_validate(r.model_dump()) for r in brands.list_keys(brand_id)]


def revoke_key(brands: BrandStore, principal: Principal, key_id: str) -> ApiKey:
    if key_id == principal.key_id:
        raise Conflict("a key cannot revoke itself; use another key of this brand")
    return ApiKey.model_validate(brands.revoke_key(principal.brand_id, key_id, clock.now_iso()).model_dump())
