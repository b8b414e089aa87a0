"""Team members: sign-in through the user pool (moto's Cognito), the authorizer's checks of an ID
token, roles on the admin-only routes, the member routes, and who did what (`actor`)."""

from __future__ import annotations

import base64
import gzip
import json
import time
from pathlib import Path
from typing import Any

import boto3
import jwt
import moto
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.conftest import CAMPAIGN, CREATOR, PASSWORD, Client, member_of
from tests.integration.test_tenant_isolation import POST_BODY

MOTO_KEY = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"


def anonymous(brand: Client) -> Client:
    return Client(brand.gateway, None)


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def signed(claims: dict[str, Any], key: Any = None) -> str:
    """A token with these claims, signed with the pool's own key (moto's) unless another is given."""
    if key is None:
        key = jwt.PyJWK(json.loads(gzip.decompress(MOTO_KEY.read_bytes())), algorithm="RS256").key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


# --- sign-in ---------------------------------------------------------------------------------


def test_sign_in_gives_tokens_that_open_the_api(brand_a: Client) -> None:
    member = member_of(brand_a, "sam@brand-a.example")
    status, me = member.call("GET", "/v1/me")
    assert status == 200
    assert me | {"member_id": None} == {
        "brand_id": brand_a.brand_id,
        "brand_name": "Brand A",
        "member_id": None,
        "key_id": None,
        "name": "Sam Member",
        "email": "sam@brand-a.example",
        "role": "member",
    }
    assert member.call("GET", "/v1/campaigns")[0] == 200
    # An API key is an admin, with its own name.
    key_me = brand_a.call("GET", "/v1/me")[1]
    assert (key_me["role"], key_me["name"], key_me["member_id"], key_me["email"]) == (
        "admin",
        "default",
        None,
        None,
    )
    assert key_me["key_id"]


def test_email_is_case_insensitive(brand_a: Client) -> None:
    member_of(brand_a, "sam@brand-a.example")
    body = {"email": "Sam@Brand-A.example", "password": PASSWORD}
    assert anonymous(brand_a).call("POST", "/auth/sign-in", body)[0] == 200


def test_wrong_password_and_unknown_email_get_the_same_401(brand_a: Client) -> None:
    member_of(brand_a, "sam@brand-a.example")
    wrong = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "sam@brand-a.example", "password": "x" * 12}
    )
    unknown = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "nobody@brand-a.example", "password": "x" * 12}
    )
    assert wrong == unknown
    assert wrong[0] == 401 and wrong[1]["error"]["code"] == "invalid_credentials"
    status, body = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "not an email", "password": "x"}
    )
    assert status == 422 and body["error"]["details"][0]["field"] == "email"


def test_an_invited_member_sets_a_password_at_the_first_sign_in(brand_a: Client) -> None:
    status, invited = brand_a.call(
        "POST", "/v1/members", {"email": "New@Brand-A.example", "name": "Nia New", "role": "member"}
    )
    assert status == 201 and invited["email"] == "new@brand-a.example" and invited["role"] == "member"
    assert invited["status"] == "invited"
    # Cognito emails a temporary password; here it is set to a known one.
    pool = boto3.client("cognito-idp")
    from roster.deps import deps

    pool.admin_set_user_password(
        UserPoolId=str(deps().settings.user_pool_id),
        Username="new@brand-a.example",
        Password="temporary-1234",
        Permanent=False,
    )
    status, challenge = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "new@brand-a.example", "password": "temporary-1234"}
    )
    assert status == 200 and challenge["challenge"] == "NEW_PASSWORD_REQUIRED" and challenge["session"]
    body = {"email": "new@brand-a.example", "session": challenge["session"]}
    status, error = anonymous(brand_a).call("POST", "/auth/new-password", body | {"password": "short"})
    assert status == 422 and error["error"]["details"][0]["field"] == "password"
    status, tokens = anonymous(brand_a).call(
        "POST", "/auth/new-password", body | {"password": "a new long password"}
    )
    assert status == 200 and set(tokens) == {"id_token", "access_token", "refresh_token", "expires_in"}
    me = Client(brand_a.gateway, tokens["id_token"]).call("GET", "/v1/me")[1]
    assert (me["member_id"], me["name"]) == (invited["id"], "Nia New")
    again = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "new@brand-a.example", "password": "a new long password"}
    )
    assert again[0] == 200 and "id_token" in again[1]
    # Invited until the temporary password is replaced; active from then on.
    (listed,) = brand_a.call("GET", "/v1/members")[1]["items"]
    assert (listed["id"], listed["status"]) == (invited["id"], "active")


def test_refresh_then_sign_out_revokes_the_refresh_token(brand_a: Client) -> None:
    member_of(brand_a, "sam@brand-a.example")
    tokens = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "sam@brand-a.example", "password": PASSWORD}
    )[1]
    status, refreshed = anonymous(brand_a).call(
        "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )
    assert status == 200 and set(refreshed) == {"id_token", "access_token", "expires_in"}
    assert Client(brand_a.gateway, refreshed["id_token"]).call("GET", "/v1/me")[0] == 200
    assert anonymous(brand_a).call("POST", "/auth/sign-out", {"access_token": tokens["access_token"]}) == (
        204,
        None,
    )
    status, body = anonymous(brand_a).call(
        "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )
    assert status == 401 and body["error"]["code"] == "invalid_credentials"
    # Signing out twice (a dead token) is fine.
    assert (
        anonymous(brand_a).call("POST", "/auth/sign-out", {"access_token": tokens["access_token"]})[0] == 204
    )


def test_forgot_and_reset_password(brand_a: Client) -> None:
    member_of(brand_a, "sam@brand-a.example")
    for email in ("sam@brand-a.example", "nobody@brand-a.example"):
        assert anonymous(brand_a).call("POST", "/auth/forgot-password", {"email": email}) == (202, None)
    body = {"email": "sam@brand-a.example", "code": "123456"}
    status, error = anonymous(brand_a).call("POST", "/auth/reset-password", body | {"password": "short"})
    assert status == 422 and error["error"]["details"][0]["field"] == "password"
    assert anonymous(brand_a).call(
        "POST", "/auth/reset-password", body | {"password": "another long one"}
    ) == (204, None)
    signed_in = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "sam@brand-a.example", "password": "another long one"}
    )
    assert signed_in[0] == 200


# --- the authorizer --------------------------------------------------------------------------


def test_authorizer_accepts_a_valid_id_token_and_refuses_the_rest(brand_a: Client) -> None:
    member = member_of(brand_a, "sam@brand-a.example")
    assert member.key
    claims = claims_of(member.key)
    assert Client(brand_a.gateway, signed(claims)).call("GET", "/v1/me")[0] == 200  # re-signed: same key

    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tokens = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "sam@brand-a.example", "password": PASSWORD}
    )[1]
    refused = {
        "expired": signed(claims | {"exp": int(time.time()) - 10}),
        "wrong audience": signed(claims | {"aud": "another-client"}),
        "wrong issuer": signed(
            claims | {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}
        ),
        "forged": signed(claims, forged_key),
        "access token": tokens["access_token"],
        "access token use": signed(claims | {"token_use": "access"}),
        "unknown sub": signed(claims | {"sub": "00000000-0000-0000-0000-000000000000"}),
        "no signature": member.key.rsplit(".", 1)[0] + ".",
        "alg none": jwt.encode(claims, "", algorithm="none", headers={"kid": "dummy"}),
        "unknown kid": jwt.encode(claims, forged_key, algorithm="RS256", headers={"kid": "other"}),
    }
    for why, token in refused.items():
        status, body = Client(brand_a.gateway, token).call("GET", "/v1/campaigns")
        assert status == 401 and body["error"]["code"] == "unauthorized", why


def test_authorizer_handler_passes_the_member(brand_a: Client, lambda_context: Any) -> None:
    from local import template as tpl
    from local.lambdas import load_handler
    from tests.conftest import load_json

    member = member_of(brand_a, "sam@brand-a.example", "admin", name="Sam Admin")
    template = tpl.load()
    (spec,) = [s for s in tpl.functions(template, tpl.Names(), {}) if s.logical_id == "AuthorizerFunction"]
    event = load_json("authorizer_request_v2.json")
    event["headers"]["authorization"] = f"Bearer {member.key}"
    verdict = load_handler(spec)(event, lambda_context)
    context = verdict["context"]
    assert verdict["isAuthorized"] is True and "key_id" not in context
    assert (context["brand_id"], context["name"], context["role"]) == (brand_a.brand_id, "Sam Admin", "admin")
    assert context["member_id"]


# --- roles -----------------------------------------------------------------------------------

ADMIN_ROUTES = [
    ("POST", "/v1/api-keys", {"name": "x"}),
    ("GET", "/v1/api-keys", None),
    ("DELETE", "/v1/api-keys/any", None),
    ("PUT", "/v1/integrations/stripe", {"secret": "whsec_member_tries_this"}),
    ("GET", "/v1/integrations", None),
    ("DELETE", "/v1/integrations/stripe", None),
    (
        "PUT",
        "/v1/outreach/settings",
        {
            "from_email": "team@mail.roster.example",
            "from_name": "A",
            "postal_address": "1 Main Street, Springfield",
        },
    ),
    ("POST", "/v1/payouts", None),
    ("GET", "/v1/members", None),
    ("POST", "/v1/members", {"email": "x@brand-a.example", "name": "X"}),
    ("PATCH", "/v1/members/any", {"role": "admin"}),
    ("DELETE", "/v1/members/any", None),
]


def test_a_member_is_refused_on_every_admin_route(brand_a: Client) -> None:
    member = member_of(brand_a, "sam@brand-a.example")
    for method, path, body in ADMIN_ROUTES:
        status, answer = member.call(method, path, body)
        assert status == 403 and answer["error"]["code"] == "forbidden", (method, path)
    # Everything else is open to members.
    assert member.call("POST", "/v1/campaigns", CAMPAIGN)[0] == 201
    assert member.call("GET", "/v1/payouts/preview")[0] == 200


def test_an_admin_member_may_use_the_admin_routes(brand_a: Client) -> None:
    admin = member_of(brand_a, "ada@brand-a.example", "admin", name="Ada Admin")
    status, key = admin.call("POST", "/v1/api-keys", {"name": "ada's key"})
    assert status == 201 and key["created_by"]["type"] == "member"
    assert key["created_by"]["name"] == "Ada Admin"
    assert admin.call("GET", "/v1/api-keys")[0] == 200
    assert admin.call("PUT", "/v1/integrations/stripe", {"secret": "whsec_admin_sets_this"})[0] == 200
    assert admin.call("GET", "/v1/integrations")[0] == 200
    assert admin.call("GET", "/v1/members")[0] == 200
    assert admin.call("POST", "/v1/payouts")[0] == 409  # allowed; nothing payable


def test_members_change_roles_and_the_last_admin_stays(brand_a: Client) -> None:
    admin = member_of(brand_a, "ada@brand-a.example", "admin", name="Ada Admin")
    ada = admin.call("GET", "/v1/me")[1]["member_id"]
    status, body = admin.call("PATCH", f"/v1/members/{ada}", {"role": "member"})
    assert status == 409 and "last admin" in body["error"]["message"]
    assert admin.call("DELETE", f"/v1/members/{ada}")[0] == 409

    sam = member_of(brand_a, "sam@brand-a.example")
    sam_id = sam.call("GET", "/v1/me")[1]["member_id"]
    status, promoted = admin.call("PATCH", f"/v1/members/{sam_id}", {"role": "admin", "name": "Sam Second"})
    assert status == 200 and (promoted["role"], promoted["name"]) == ("admin", "Sam Second")
    assert promoted["status"] == "active"
    assert sam.call("GET", "/v1/members")[0] == 200  # the role applies at once (no token refresh)
    assert admin.call("PATCH", f"/v1/members/{ada}", {"role": "member"})[0] == 200
    assert admin.call("GET", "/v1/members")[0] == 403
    assert admin.call("PATCH", f"/v1/members/{sam_id}", {"role": None})[0] == 422
    assert admin.call("PATCH", "/v1/members/unknown", {"name": "x"})[0] == 403


def test_removing_a_member_ends_its_access(brand_a: Client) -> None:
    sam = member_of(brand_a, "sam@brand-a.example")
    sam_id = sam.call("GET", "/v1/me")[1]["member_id"]
    status, removed = brand_a.call("DELETE", f"/v1/members/{sam_id}")
    assert status == 200 and removed["id"] == sam_id
    assert sam.call("GET", "/v1/me")[0] == 401
    signed_in = anonymous(brand_a).call(
        "POST", "/auth/sign-in", {"email": "sam@brand-a.example", "password": PASSWORD}
    )
    assert signed_in[0] == 401
    assert brand_a.call("DELETE", f"/v1/members/{sam_id}")[0] == 404
    assert brand_a.call("GET", "/v1/members")[1]["items"] == []


def test_inviting_an_email_twice_is_a_conflict(brand_a: Client) -> None:
    body = {"email": "sam@brand-a.example", "name": "Sam"}
    assert brand_a.call("POST", "/v1/members", body)[0] == 201
    assert brand_a.call("POST", "/v1/members", body)[0] == 409
    assert len(brand_a.call("GET", "/v1/members")[1]["items"]) == 1


# --- who did it ------------------------------------------------------------------------------


def test_actions_record_the_member_or_the_key(brand_a: Client) -> None:
    member = member_of(brand_a, "sam@brand-a.example", name="Sam Member")
    sam = member.call("GET", "/v1/me")[1]["member_id"]
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active"})[1]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    for _ in range(2):
        brand_a.call(
            "POST", f"/v1/campaigns/{campaign['id']}/posts", POST_BODY | {"creator_id": creator["id"]}
        )
    alerts = brand_a.call("GET", "/v1/alerts")[1]["items"]
    assert len(alerts) >= 1
    resolved = member.call("POST", f"/v1/alerts/{alerts[0]['id']}/resolve", {"note": "seen"})[1]
    assert resolved["resolution"]["by"] == sam
    assert resolved["resolution"]["actor"] == {"type": "member", "id": sam, "name": "Sam Member"}
    key_id = brand_a.call("GET", "/v1/me")[1]["key_id"]
    if len(alerts) > 1:
        by_key = brand_a.call("POST", f"/v1/alerts/{alerts[1]['id']}/resolve")[1]["resolution"]
        assert by_key["actor"] == {"type": "api_key", "id": key_id, "name": "default"}


@pytest.mark.parametrize("who", ["member", "api key"])
def test_a_collaboration_action_keeps_its_actor_on_the_timeline(brand_a: Client, who: str) -> None:
    from roster.deps import deps
    from tests.integration.test_collaborations import TERMS, _waits_for_cancel

    caller = member_of(brand_a, "sam@brand-a.example", name="Sam Member") if who == "member" else brand_a
    me = caller.call("GET", "/v1/me")[1]
    campaign = brand_a.call("POST", "/v1/campaigns", CAMPAIGN | {"status": "active", "default_terms": TERMS})[
        1
    ]
    creator = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    started = brand_a.call(
        "POST", f"/v1/campaigns/{campaign['id']}/collaborations", {"creator_ids": [creator["id"]]}
    )
    cid = started[1]["items"][0]["id"]
    deps().stores.collaborations.mutate(brand_a.brand_id, cid, _waits_for_cancel)
    status, cancelled = caller.call("POST", f"/v1/collaborations/{cid}/actions/cancel", {})
    assert status == 200, cancelled
    last = cancelled["timeline"][-1]
    expected = {"type": "member", "id": me["member_id"], "name": "Sam Member"}
    if who == "api key":
        expected = {"type": "api_key", "id": me["key_id"], "name": "default"}
    assert (last["type"], last["by"], last["actor"]) == ("cancel", "brand", expected)


def test_the_pool_emails_members_through_the_stacks_own_ses_identity() -> None:
    """Invitations and reset codes: from the mail domain's SES identity (no 50-a-day cap), which
    CloudFormation creates before the pool."""
    from local import template as tpl

    pool = tpl.load()["Resources"]["UserPool"]
    config = pool["Properties"]["EmailConfiguration"]
    assert config["EmailSendingAccount"] == "DEVELOPER"
    assert "identity/${MailDomain}" in config["SourceArn"]["Fn::Sub"]
    assert pool["DependsOn"] == "MailIdentity"
