"""Who is calling: an API key (`rk_live_<40 base62>`) or a team member's Cognito ID token.

Only the SHA-256 of a key is ever stored; keys have ~238 bits of entropy, so a fast hash is safe (no
salt or KDF needed: there is nothing to brute-force). An ID token is verified here (RS256 against the
pool's keys, issuer, audience, `token_use`, expiry) and its `sub` looked up in Roster's table, which
holds the member's brand and role.

Two halves. `Authenticator` is what the authorizer runs on every request: at module level this file
imports only the standard library and the lean store (`store/principals.py`), no pydantic and no
Powertools, so the authorizer's cold start is boto3's plus a little (cryptography's RSA primitives
load on the first ID token). The key management the API does (`new_key`, `issue_key`, ...) imports its
pydantic models where it runs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from roster import clock
from roster.errors import Conflict

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from roster.adapters.identity import SigningKeys
    from roster.models.auth import Actor, ApiKey, ApiKeyCreated, ApiKeyRecord, Brand, Principal
    from roster.store.brands import BrandStore
    from roster.store.principals import PrincipalLookup

# The lean authorizer's one log line: why an ID token was refused ("expired", "audience", ...),
# through the Lambda runtime's handler; never the token, a key or a claim.
log = logging.getLogger(__name__)

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
    from roster import ids  # python-ulid: not on the authorizer's path
    from roster.models.auth import ApiKeyRecord

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
    from roster import ids  # python-ulid: not on the authorizer's path
    from roster.models.auth import Brand

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


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the authorizer hands it to API Gateway (plain values, no pydantic); the
    API reads the same fields back as a `models.auth.Principal`. An API key acts as admin."""

    brand_id: str
    name: str
    role: str
    key_id: str | None = None
    member_id: str | None = None

    def context(self) -> dict[str, str]:
        """The authorizer's context: strings only, absent ids left out (API Gateway refuses null)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


_POOL_ID = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$")  # as `settings.Settings.user_pool_id`


@dataclass(frozen=True)
class AuthSettings:
    """The authorizer's settings, read from the environment as `RedirectSettings` is (no pydantic),
    with the same rules as `settings.Settings` for the fields it shares."""

    table_name: str
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    user_pool_jwks_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AuthSettings:
        table = env.get("TABLE_NAME", "")
        pool, client, jwks = (
            env.get(n) or None for n in ("USER_POOL_ID", "USER_POOL_CLIENT_ID", "USER_POOL_JWKS_URL")
        )
        if len(table) < 3:
            raise ValueError("authorizer settings: TABLE_NAME is missing")
        if pool is not None and not _POOL_ID.match(pool):
            raise ValueError("authorizer settings: USER_POOL_ID is not a user pool id")
        if jwks is not None and not jwks.startswith(("http://", "https://")):
            raise ValueError("authorizer settings: USER_POOL_JWKS_URL is not an http(s) URL")
        return cls(table, pool, client, jwks)

    @property
    def user_pool_issuer(self) -> str | None:
        """The `iss` of the pool's tokens; its region is the pool id's prefix."""
        if not self.user_pool_id:
            return None
        region = self.user_pool_id.split("_", 1)[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str | None:
        issuer = self.user_pool_issuer
        return self.user_pool_jwks_url or (issuer and f"{issuer}/.well-known/jwks.json")


class Authenticator:
    """What the authorizer runs per request: one GetItem for a key (by its hash) or, for an ID
    token, the token's checks and one GetItem for the member (by `sub`)."""

    def __init__(
        self,
        lookup: PrincipalLookup,
        signing_keys: SigningKeys | None,
        *,
        issuer: str | None,
        audience: str | None,
    ) -> None:
        self.lookup = lookup
        self.signing_keys = signing_keys
        self.issuer = issuer
        self.audience = audience

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> Authenticator:
        from roster.adapters.identity import SigningKeys
        from roster.store.principals import PrincipalLookup
        from roster.store.table import Table

        url = settings.jwks_url
        return cls(
            PrincipalLookup(Table(settings.table_name)),
            SigningKeys(url) if url else None,
            issuer=settings.user_pool_issuer,
            audience=settings.user_pool_client_id,
        )

    def authenticate(self, authorization: str | None) -> Caller | None:
        """The caller of an API key or of a member's ID token; None for anything else (unknown,
        revoked, forged, expired, another pool's or an access token), which the API answers with 401."""
        key = bearer_key(authorization)
        if key is not None:
            return self._key_caller(key)
        token = bearer_token(authorization)
        keys, issuer, audience = self.signing_keys, self.issuer, self.audience
        if token is None or keys is None or not issuer or not audience:
            return None
        claims = verify_id_token(token, keys, issuer=issuer, audience=audience)
        if claims is None:
            return None
        member = self.lookup.member(str(claims["sub"]))
        if member is None:
            return None
        return Caller(brand_id=member.brand_id, member_id=member.id, name=member.name, role=member.role)

    def _key_caller(self, key: str) -> Caller | None:
        digest = hash_key(key)
        record = self.lookup.api_key(digest)
        # The lookup is by hash already; the compare guards against a store that matched loosely.
        if record is None or record.revoked or not hmac.compare_digest(record.key_hash, digest):
            return None
        return Caller(brand_id=record.brand_id, key_id=record.id, name=record.name, role="admin")


def verify_id_token(
    token: str, keys: SigningKeys, *, issuer: str, audience: str, now: Callable[[], float] = time.time
) -> dict[str, Any] | None:
    """The claims of a valid ID token of this pool and app client, else None: RS256 only (the
    algorithm is never taken from the token), signed by the pool's RSA key named by `kid`, `iss` the
    pool, `aud` the client, `token_use` "id", a `sub`, issued and not yet expired (`exp`, `iat` and
    any `nbf` are numbers).

    The checks PyJWT makes with `algorithms=["RS256"]` and these required claims (held to the same
    answers by tests/unit/test_authorizer.py), on cryptography's RSA primitives alone: PyJWT imports
    cryptography's X.509 modules too, about 50 ms of the authorizer's cold start it does not need."""
    refused = _token_refusal(token, keys, issuer=issuer, audience=audience, now=now())
    if isinstance(refused, str):
        log.info("ID token refused: %s", refused)
        return None
    return refused


_PART = re.compile(r"[A-Za-z0-9_-]+")  # base64url, unpadded (RFC 7515 section 2); fullmatch only
_REQUIRED = ("exp", "iat", "iss", "aud", "sub", "token_use")


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json_object(part: str) -> dict[str, Any] | None:
    try:
        value = json.loads(_b64(part))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _number(value: Any) -> bool:
    """A JSON number that is a moment: not a boolean, and finite (`json.loads` reads `Infinity`,
    `NaN` and `1e400` as floats, and an `exp` of infinity would never expire)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _token_refusal(
    token: str, keys: SigningKeys, *, issuer: str, audience: str, now: float
) -> dict[str, Any] | str:
    """The claims, or why the token is refused (a reason for the log, never the token)."""
    parts = token.split(".")
    if len(parts) != 3 or not all(_PART.fullmatch(p) for p in parts):
        return "malformed"
    header, claims = _json_object(parts[0]), _json_object(parts[1])
    if header is None or claims is None:
        return "malformed"
    if header.get("alg") != "RS256" or "crit" in header:
        return "algorithm"
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        return "unknown kid"
    jwk = keys.get(kid)
    if jwk is None:
        return "unknown kid"
    public = _rsa_key(jwk)
    if public is None:
        return "unusable key"
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        signature = _b64(parts[2])
        public.verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):  # ValueError: not base64 (binascii.Error)
        return "signature"
    if any(claims.get(name) is None for name in _REQUIRED):
        return "missing claim"
    if not (_number(claims["exp"]) and _number(claims["iat"])) or (
        "nbf" in claims and not _number(claims["nbf"])
    ):
        return "malformed time"
    if claims["exp"] <= now:
        return "expired"
    if claims["iat"] > now or claims.get("nbf", now) > now:
        return "not yet valid"
    if claims["iss"] != issuer:
        return "issuer"
    aud = claims["aud"]
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        return "audience"
    if claims["token_use"] != "id":
        return "token_use"
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        return "sub"
    return claims


def _rsa_key(jwk: dict[str, Any]) -> RSAPublicKey | None:
    """The pool's JWK as a public key: RSA, meant for RS256 signatures, at least 2048 bits."""
    if jwk.get("kty") != "RSA" or jwk.get("alg", "RS256") != "RS256" or jwk.get("use", "sig") != "sig":
        return None
    n, e = jwk.get("n"), jwk.get("e")
    if not (isinstance(n, str) and isinstance(e, str) and _PART.fullmatch(n) and _PART.fullmatch(e)):
        return None
    return _public_key(n, e)


@lru_cache(maxsize=16)
def _public_key(n: str, e: str) -> RSAPublicKey | None:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

    try:
        key = RSAPublicNumbers(int.from_bytes(_b64(e)), int.from_bytes(_b64(n))).public_key()
    except ValueError:
        return None
    return key if key.key_size >= 2048 else None


def issue_key(brands: BrandStore, principal: Principal, name: str) -> ApiKeyCreated:
    from roster.models.auth import ApiKeyCreated

    plain, record = new_key(principal.brand_id, name, by=principal.actor)
    brands.add_key(record)
    return ApiKeyCreated(key=plain, **record.model_dump())


def list_keys(brands: BrandStore, brand_id: str) -> list[ApiKey]:
    from roster.models.auth import ApiKey

    return [ApiKey.model_validate(r.model_dump()) for r in brands.list_keys(brand_id)]


def revoke_key(brands: BrandStore, principal: Principal, key_id: str) -> ApiKey:
    from roster.models.auth import ApiKey

    if key_id == principal.key_id:
        raise Conflict("a key cannot revoke itself; use another key of this brand")
    return ApiKey.model_validate(brands.revoke_key(principal.brand_id, key_id, clock.now_iso()).model_dump())
