from __future__ import annotations

from roster import auth, clock
from roster.store import stores
from tests.integration.conftest import Client


def test_missing_header_is_rejected_by_the_gateway(brand_a: Client) -> None:
    anonymous = Client(brand_a.gateway, None)
    assert anonymous.call("GET", "/v1/campaigns") == (401, {"message": "Unauthorized"})


def test_unknown_or_malformed_keys_get_a_401_error(brand_a: Client) -> None:
    for key in ("rk_live_" + "Z" * 40, "nonsense", brand_a.key + "x"):  # type: ignore[operator]
        status, body = Client(brand_a.gateway, key).call("GET", "/v1/campaigns")
        assert status == 401 and body["error"]["code"] == "unauthorized", key


def test_revoked_key_stops_working(brand_a: Client) -> None:
    assert brand_a.key and brand_a.call("GET", "/v1/campaigns")[0] == 200
    brands = stores().brands
    (record,) = brands.list_keys(brand_a.brand_id)
    assert record.key_hash == auth.hash_key(brand_a.key)
    brands.revoke_key(brand_a.brand_id, record.id, clock.now_iso())
    assert brand_a.call("GET", "/v1/campaigns")[0] == 401
    assert brands.revoke_key(brand_a.brand_id, record.id, clock.now_iso()).revoked_at  # idempotent


def test_health_needs_no_key(brand_a: Client) -> None:
    assert Client(brand_a.gateway, None).call("GET", "/health") == (200, {"status": "ok"})
