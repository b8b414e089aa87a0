"""The lean authorizer (functions/authorizer, `roster.auth.Authenticator`, `store/principals.py`):
every check of the API-key and ID-token paths on a fake table and a local RSA key, that its import
stays free of pydantic and Powertools, and its one metric line. The same paths over the gateway
with moto and Cognito are in tests/integration/test_auth.py and test_members.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from roster import auth
from roster.adapters.identity import SigningKeys
from roster.auth import Authenticator, AuthSettings, Caller
from roster.store import keys
from roster.store.principals import PrincipalLookup

ROOT = Path(__file__).resolve().parents[2]
POOL = "us-east-1_AbC123"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
CLIENT = "app-client-1"
KEY = "rk_live_" + "a1" * 20
SUB = "7f0c6a4e-1111-2222-3333-444455556666"


class FakeTable:
    """`Table.get` over a dict, counting reads."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.reads = 0

    def get(self, pk: str, sk: str, *, consistent: bool = False) -> dict[str, Any] | None:
        self.reads += 1
        return self.items.get((pk, sk))


def key_item(**changes: Any) -> dict[str, Any]:
    item = {"id": "K1", "brand_id": "B1", "name": "shopify sync", "key_hash": auth.hash_key(KEY)}
    return {k: v for k, v in (item | changes).items() if v is not None}


def member_item(**changes: Any) -> dict[str, Any]:
    item = {"id": "M1", "brand_id": "B1", "sub": SUB, "name": "Sam", "role": "member", "email": "x@y.example"}
    return {k: v for k, v in (item | changes).items() if v is not None}


PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE.public_key())) | {"kid": "k1", "alg": "RS256"}


def token(**changes: Any) -> str:
    now = int(time.time())
    claims = {"sub": SUB, "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 600}
    claims = {k: v for k, v in (claims | changes).items() if v is not None}
    return jwt.encode(claims, PRIVATE, algorithm="RS256", headers={"kid": "k1"})


def authenticator(table: FakeTable, *, pool: bool = True) -> Authenticator:
    signing = SigningKeys("https://jwks.invalid", download=lambda url: {"keys": [JWK]}) if pool else None
    lookup = PrincipalLookup(table)  # type: ignore[arg-type]  # the fake has Table.get's shape
    return Authenticator(lookup, signing, issuer=ISSUER if pool else None, audience=CLIENT if pool else None)


@pytest.fixture
def table() -> FakeTable:
    t = FakeTable()
    t.items[(keys.api_key_lookup_pk(auth.hash_key(KEY)), keys.api_key_lookup_sk())] = key_item()
    t.items[(keys.member_lookup_pk(SUB), keys.member_lookup_sk())] = member_item()
    return t


# --- API keys --------------------------------------------------------------------------------


def test_a_known_key_is_its_brand_as_admin_in_one_read(table: FakeTable) -> None:
    caller = authenticator(table).authenticate(f"Bearer {KEY}")
    assert caller == Caller(brand_id="B1", key_id="K1", name="shopify sync", role="admin")
    assert caller.context() == {"brand_id": "B1", "key_id": "K1", "name": "shopify sync", "role": "admin"}
    assert table.reads == 1


def test_a_key_is_looked_up_by_its_hash_only(table: FakeTable) -> None:
    other = "rk_live_" + "b2" * 20
    assert authenticator(table).authenticate(f"Bearer {other}") is None
    assert KEY not in json.dumps(list(table.items))  # the table holds hashes, never keys


@pytest.mark.parametrize(
    ("why", "item"),
    [
        ("revoked", key_item(revoked_at="2027-01-01T00:00:00Z")),
        ("a store that matched loosely", key_item(key_hash=auth.hash_key("rk_live_" + "c3" * 20))),
        ("no brand", key_item(brand_id=None)),
        ("no id", key_item(id=None)),
        ("a hash that is not text", key_item(key_hash=12)),
    ],
)
def test_a_key_whose_record_is_revoked_or_not_whole_is_refused(table: FakeTable, why: str, item: Any) -> None:
    table.items[(keys.api_key_lookup_pk(auth.hash_key(KEY)), keys.api_key_lookup_sk())] = item
    assert authenticator(table).authenticate(f"Bearer {KEY}") is None, why


@pytest.mark.parametrize(
    "header", [None, "", KEY, f"Basic {KEY}", f"Bearer {KEY}x", f"Bearer {KEY[:-1]}!", "Bearer rk_live_short"]
)
def test_headers_not_shaped_like_a_key_or_a_token_cost_no_read(table: FakeTable, header: str | None) -> None:
    assert authenticator(table).authenticate(header) is None
    assert table.reads == 0


# --- members' ID tokens ----------------------------------------------------------------------


def test_a_valid_id_token_is_its_member_with_the_stored_role(table: FakeTable) -> None:
    caller = authenticator(table).authenticate(f"Bearer {token()}")
    assert caller == Caller(brand_id="B1", member_id="M1", name="Sam", role="member")
    assert caller.context() == {"brand_id": "B1", "member_id": "M1", "name": "Sam", "role": "member"}


PUBLIC_PEM = PRIVATE.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def _unsigned(header: dict[str, str], claims: dict[str, Any], hmac_key: bytes) -> str:
    """A token PyJWT would not make: `alg` none (empty signature) or HS256 keyed with the public key."""

    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()

    signing_input = f"{part(json.dumps(header).encode())}.{part(json.dumps(claims).encode())}"
    mac = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest() if hmac_key else b""
    return f"{signing_input}.{part(mac)}"


def _forged() -> dict[str, str]:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"sub": SUB, "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 600}
    good = token()
    return {
        "expired": token(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
        "another pool": token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"),
        "another app client": token(aud="someone-else"),
        "an access token": token(token_use="access"),
        "no token_use": token(token_use=None),
        "no exp": token(exp=None),
        "no sub": token(sub=None),
        "another key, same kid": jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"}),
        "an unknown kid": jwt.encode(claims, PRIVATE, algorithm="RS256", headers={"kid": "k2"}),
        "alg none": _unsigned({"alg": "none", "kid": "k1"}, claims, b""),
        "HS256 keyed with the public key": _unsigned({"alg": "HS256", "kid": "k1"}, claims, PUBLIC_PEM),
        "signature cut off": good.rsplit(".", 1)[0] + ".",
        "payload swapped": ".".join(
            [good.split(".")[0], token(sub="someone").split(".")[1], good.split(".")[2]]
        ),
    }


@pytest.mark.parametrize("why", list(_forged()))
def test_every_token_that_is_not_a_valid_id_token_of_this_pool_is_refused(table: FakeTable, why: str) -> None:
    assert authenticator(table).authenticate(f"Bearer {_forged()[why]}") is None, why
    assert table.reads == 0  # refused before the member is read


def _pyjwt(token: str) -> dict[str, Any] | None:
    """The reference: what PyJWT decides with the same settings (the authorizer used it before)."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("kid") != "k1" or header.get("alg") != "RS256":
            return None
        claims: dict[str, Any] = jwt.decode(
            token,
            jwt.PyJWK(JWK, algorithm="RS256").key,
            algorithms=["RS256"],
            audience=CLIENT,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
        )
    except jwt.PyJWTError:
        return None
    return claims if claims.get("token_use") == "id" and claims.get("sub") else None


def _signed_raw(claims: dict[str, Any]) -> str:
    """Signed as given: PyJWT's `encode` refuses some claims (a non-string `iss`) that a forger need not."""
    return jwt.PyJWS().encode(json.dumps(claims).encode(), PRIVATE, algorithm="RS256", headers={"kid": "k1"})


KEYS = SigningKeys("https://jwks.invalid", download=lambda url: {"keys": [JWK]})


def _variants() -> dict[str, str]:
    now = int(time.time())
    good = token()
    head, body, sig = good.split(".")
    return _forged() | {
        "valid": good,
        "valid, aud as a list": token(aud=["other", CLIENT]),
        "aud list without the client": token(aud=["other"]),
        "valid, float times": token(iat=now - 1.5, exp=now + 60.5),
        "nbf in the future": token(nbf=now + 3600),
        "nbf in the past": token(nbf=now - 60),
        "iat in the future": token(iat=now + 3600),
        "iss not a string": _signed_raw(
            {"sub": SUB, "iss": 123, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 600}
        ),
        "empty sub": token(sub=""),
        "crit header": jwt.encode(
            jwt.decode(good, options={"verify_signature": False}),
            PRIVATE,
            algorithm="RS256",
            headers={"kid": "k1", "crit": ["exp"]},
        ),
        "four parts": good + ".x",
        "signature not base64": f"{head}.{body}.{sig[:-1]}",
        "header not JSON": f"bm90IGpzb24.{body}.{sig}",
        "payload a JSON list": f"{head}.{base64.urlsafe_b64encode(b'[1]').rstrip(b'=').decode()}.{sig}",
    }


@pytest.mark.parametrize("why", list(_variants()))
def test_id_tokens_get_the_answer_pyjwt_gives(why: str) -> None:
    """The lean check on cryptography's primitives agrees with PyJWT on every case, valid or not."""
    candidate = _variants()[why]
    mine = auth.verify_id_token(candidate, KEYS, issuer=ISSUER, audience=CLIENT)
    assert mine == _pyjwt(candidate), why


def test_padded_base64_is_refused_though_pyjwt_takes_it() -> None:
    """Stricter than PyJWT: a JWS part is unpadded base64url (RFC 7515, section 2)."""
    padded = token() + "=="
    assert _pyjwt(padded) is not None
    assert auth.verify_id_token(padded, KEYS, issuer=ISSUER, audience=CLIENT) is None


@pytest.mark.parametrize(
    ("why", "claims"),
    [
        ("exp as a string (PyJWT reads it with int())", {"exp": str(int(time.time()) + 600)}),
        ("iat as a boolean", {"iat": True}),
        ("nbf null", {"nbf": None}),
    ],
)
def test_times_that_are_not_numbers_are_refused(why: str, claims: dict[str, Any]) -> None:
    """Stricter than PyJWT, which reads these with int(): a time claim must be a JSON number."""
    now = int(time.time())
    base = {"sub": SUB, "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 600}
    signed = jwt.encode(base | claims, PRIVATE, algorithm="RS256", headers={"kid": "k1"})
    keys = SigningKeys("https://jwks.invalid", download=lambda url: {"keys": [JWK]})
    assert auth.verify_id_token(signed, keys, issuer=ISSUER, audience=CLIENT) is None, why


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    ("why", "jwk"),
    [
        ("an EC key's kty", JWK | {"kty": "EC"}),
        ("a key meant for encryption", JWK | {"use": "enc"}),
        ("a key for another algorithm", JWK | {"alg": "RS512"}),
        ("a 1024-bit key", None),
    ],
)
def test_pool_keys_that_are_not_rs256_signing_keys_are_refused(why: str, jwk: dict[str, Any] | None) -> None:
    key = PRIVATE
    if jwk is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "k1"}
    now = int(time.time())
    claims = {"sub": SUB, "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 600}
    signed = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    keys = SigningKeys("https://jwks.invalid", download=lambda url: {"keys": [jwk]})
    assert auth.verify_id_token(signed, keys, issuer=ISSUER, audience=CLIENT) is None, why


def test_the_clock_decides_expiry() -> None:
    exp = int(time.time()) + 600
    keys = SigningKeys("https://jwks.invalid", download=lambda url: {"keys": [JWK]})
    signed = token(exp=exp)
    assert auth.verify_id_token(signed, keys, issuer=ISSUER, audience=CLIENT, now=lambda: exp - 1) is not None
    assert auth.verify_id_token(signed, keys, issuer=ISSUER, audience=CLIENT, now=lambda: exp) is None


@pytest.mark.parametrize(
    ("why", "item"),
    [
        ("removed (no lookup item)", None),
        ("a role Roster does not know", member_item(role="owner")),
        ("no brand", member_item(brand_id=None)),
        ("another sub's record", member_item(sub="someone-else")),
    ],
)
def test_a_valid_token_of_an_unknown_or_odd_member_is_refused(table: FakeTable, why: str, item: Any) -> None:
    where = (keys.member_lookup_pk(SUB), keys.member_lookup_sk())
    if item is None:
        del table.items[where]
    else:
        table.items[where] = item
    assert authenticator(table).authenticate(f"Bearer {token()}") is None, why


def test_without_a_pool_tokens_are_refused_and_keys_still_work(table: FakeTable) -> None:
    lean = authenticator(table, pool=False)
    assert lean.authenticate(f"Bearer {token()}") is None
    assert lean.authenticate(f"Bearer {KEY}") is not None


# --- settings --------------------------------------------------------------------------------


def test_settings_follow_the_pool_id_and_refuse_what_settings_refuses() -> None:
    s = AuthSettings.from_env(
        {"TABLE_NAME": "roster-Table", "USER_POOL_ID": POOL, "USER_POOL_CLIENT_ID": CLIENT}
    )
    assert (s.user_pool_issuer, s.jwks_url) == (ISSUER, f"{ISSUER}/.well-known/jwks.json")
    local = AuthSettings.from_env(
        {"TABLE_NAME": "t-1", "USER_POOL_ID": POOL, "USER_POOL_JWKS_URL": "http://x/j"}
    )
    assert local.jwks_url == "http://x/j"
    assert AuthSettings.from_env({"TABLE_NAME": "roster-Table"}).jwks_url is None
    for env in ({}, {"TABLE_NAME": "t"}, {"TABLE_NAME": "t-1", "USER_POOL_ID": "pool"}):
        with pytest.raises(ValueError):
            AuthSettings.from_env(env)
    with pytest.raises(ValueError):
        AuthSettings.from_env({"TABLE_NAME": "t-1", "USER_POOL_JWKS_URL": "file:///etc/passwd"})


# --- the function ----------------------------------------------------------------------------


def _load() -> ModuleType:
    name = "roster_fn_authorizer_under_test"
    spec = importlib.util.spec_from_file_location(name, ROOT / "functions" / "authorizer" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_an_unknown_key_passes_without_a_principal_and_counts_one_metric(
    table: FakeTable, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _load()
    monkeypatch.setattr(app, "authenticator", lambda settings: authenticator(table))
    unknown = {"headers": {"authorization": "Bearer " + "rk_live_" + "z9" * 20}}
    assert app.lambda_handler(unknown, None) == {"isAuthorized": True, "context": {"anonymous": True}}
    (line,) = capsys.readouterr().out.splitlines()
    emf = json.loads(line)
    assert emf["ApiKeyRejected"] == [1.0] and emf["service"] == "roster"
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Roster" and directive["Metrics"] == [
        {"Name": "ApiKeyRejected", "Unit": "Count"}
    ]
    known = app.lambda_handler({"headers": {"authorization": f"Bearer {KEY}"}}, None)
    assert known == {
        "isAuthorized": True,
        "context": Caller("B1", "shopify sync", "admin", key_id="K1").context(),
    }
    assert capsys.readouterr().out == ""  # nothing about a caller is printed


def test_the_authorizer_imports_no_pydantic_no_powertools_and_never_pyjwt() -> None:
    code = (
        "import importlib.util as u, sys, os\n"
        "os.environ.update(TABLE_NAME='roster-test-Table', AWS_DEFAULT_REGION='us-east-1')\n"
        "s = u.spec_from_file_location('a', 'functions/authorizer/app.py'); m = u.module_from_spec(s)\n"
        "s.loader.exec_module(m); m.authenticator(m.AuthSettings.from_env(os.environ))\n"
        "heavy = ('pydantic', 'aws_lambda_powertools', 'aws_xray_sdk', 'jwt', 'cryptography', 'ulid')\n"
        "print(sorted({n.split('.')[0] for n in sys.modules if n.split('.')[0] in heavy}))\n"
        "from roster import auth\n"
        f"auth.verify_id_token({token()!r}, type('K', (), {{'get': lambda self, kid: {JWK!r}}})(),"
        f" issuer={ISSUER!r}, audience={CLIENT!r})\n"
        "print(sorted(n for n in sys.modules if n == 'jwt' or n.startswith('cryptography.x509')))\n"
    )
    env = {"PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]  # for a key, then after an ID token


@pytest.mark.parametrize("text", ["Infinity", "NaN", "1e400", "-Infinity"])
def test_times_that_are_not_finite_are_refused(text: str) -> None:
    """`json.loads` reads these as floats; a signed `exp` of infinity would never expire."""
    now = int(time.time())
    body = json.dumps({"sub": SUB, "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": 0})
    raw = body.replace('"exp": 0', f'"exp": {text}').encode()
    signed = jwt.PyJWS().encode(raw, PRIVATE, algorithm="RS256", headers={"kid": "k1"})
    assert auth.verify_id_token(signed, KEYS, issuer=ISSUER, audience=CLIENT) is None


def _signed_with_header(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """Signed as given, header and all (PyJWS refuses a kid that is not a string; a forger need not)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    signing_input = f"{part(header)}.{part(claims)}"
    signature = PRIVATE.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize("kid", [None, 1, "", ["k1"], "absent"])
def test_a_kid_that_is_not_a_non_empty_string_names_no_key(kid: Any) -> None:
    """A null kid must not match a pool key without one (both would read "None"), nor a number or
    a list a key that is named by its text."""
    keyless = {k: v for k, v in JWK.items() if k != "kid"}
    keys = SigningKeys("https://jwks.invalid", download=lambda url: {"keys": [keyless, JWK]})
    now = int(time.time())
    claims = {"sub": SUB, "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 600}
    header: dict[str, Any] = {"alg": "RS256"} | ({} if kid == "absent" else {"kid": kid})
    assert (
        auth.verify_id_token(_signed_with_header(header, claims), keys, issuer=ISSUER, audience=CLIENT)
        is None
    )
    assert keys.get("None") is None
    good = _signed_with_header({"alg": "RS256", "kid": "k1"}, claims)  # the control: signed right, it passes
    assert auth.verify_id_token(good, keys, issuer=ISSUER, audience=CLIENT) is not None


def test_a_part_with_a_trailing_newline_is_malformed() -> None:
    head, body, sig = token().split(".")
    assert auth.verify_id_token(f"{head}.{body}\n.{sig}", KEYS, issuer=ISSUER, audience=CLIENT) is None
    assert auth.verify_id_token(f"{head}.{body}.{sig}\n", KEYS, issuer=ISSUER, audience=CLIENT) is None


@pytest.mark.parametrize(
    "pool", ["us-east-1_AbC123", "eu-central-1_x9", "us-gov-west-1_Q", "US-EAST-1_A", "us-east-1", "x_1"]
)
def test_the_authorizer_and_the_functions_settings_accept_the_same_pool_ids(pool: str) -> None:
    """Two readers of USER_POOL_ID (the authorizer's, without pydantic, and `Settings`) agree."""
    from pydantic import ValidationError

    from roster.settings import Settings

    try:
        Settings.model_validate({"TABLE_NAME": "t-1", "USER_POOL_ID": pool})
        settings_ok = True
    except ValidationError:
        settings_ok = False
    try:
        AuthSettings.from_env({"TABLE_NAME": "t-1", "USER_POOL_ID": pool})
        authorizer_ok = True
    except ValueError:
        authorizer_ok = False
    assert authorizer_ok == settings_ok
