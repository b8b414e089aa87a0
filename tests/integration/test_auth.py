from __future__ import annotations

from roster import auth, clock
from roster.deps import deps
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
    brands = deps().stores.brands
    (record,) = brands.list_keys(brand_a.brand_id)
    assert record.key_hash == auth.hash_key(brand_a.key)
    brands.revoke_key(brand_a.brand_id, record.id, clock.now_iso())
    assert brand_a.call("GET", "/v1/campaigns")[0] == 401
    assert brands.revoke_key(brand_a.brand_id, record.id, clock.now_iso()).revoked_at  # idempotent


def test_health_needs_no_key(brand_a: Client) -> None:
    assert Client(brand_a.gateway, None).call("GET", "/health") == (200, {"status": "ok"})


def test_key_rotation_over_the_api(brand_a: Client) -> None:
    status, created = brand_a.call("POST", "/v1/api-keys", {"name": "shopify sync"})
    assert status == 201 and created["key"].startswith(created["prefix"])
    listed = brand_a.call("GET", "/v1/api-keys")[1]["items"]
    assert [k["name"] for k in listed] == ["default", "shopify sync"]
    assert all("key" not in k and "key_hash" not in k for k in listed)
    # Who issued it: this brand's default key (the first key came with the brand, from no one).
    default_id = listed[0]["id"]
    assert listed[0]["created_by"] is None
    assert listed[1]["created_by"] == {"type": "api_key", "id": default_id, "name": "default"}

    new = Client(brand_a.gateway, created["key"], brand_a.brand_id)
    old_id = listed[0]["id"]
    status, body = brand_a.call("DELETE", f"/v1/api-keys/{old_id}")
    assert status == 409 and "cannot revoke itself" in body["error"]["message"]
    status, revoked = new.call("DELETE", f"/v1/api-keys/{old_id}")
    assert status == 200 and revoked["revoked_at"]
    assert brand_a.call("GET", "/v1/campaigns")[0] == 401
    assert new.call("GET", "/v1/campaigns")[0] == 200
    assert new.call("DELETE", "/v1/api-keys/unknown")[0] == 404
    assert new.call("POST", "/v1/api-keys", {"name": ""})[0] == 422


def test_operator_command_creates_a_working_brand(aws: None, gateway, capsys) -> None:
    from tests.conftest import TEST_ENV
    from tools.create_brand import main

    assert main(["--name", "Acme Outdoors", "--table", TEST_ENV["TABLE_NAME"]]) == 0
    out = capsys.readouterr().out
    key = out.split("api_key:")[1].split()[0]
    status, created = Client(gateway, key).call("POST", "/v1/api-keys", {"name": "second"})
    assert status == 201 and created["name"] == "second"


def test_authorizer_handler_on_a_recorded_event(brand_a: Client, lambda_context) -> None:
    from local import template as tpl
    from local.lambdas import load_handler
    from tests.conftest import load_json

    template = tpl.load()
    (spec,) = [s for s in tpl.functions(template, tpl.Names(), {}) if s.logical_id == "AuthorizerFunction"]
    handler = load_handler(spec)
    event = load_json("authorizer_request_v2.json")
    assert handler(event, lambda_context) == {"isAuthorized": True, "context": {"anonymous": True}}
    event["headers"]["authorization"] = f"Bearer {brand_a.key}"
    verdict = handler(event, lambda_context)
    assert verdict["isAuthorized"] is True
    assert verdict["context"]["brand_id"] == brand_a.brand_id and verdict["context"]["key_id"]
