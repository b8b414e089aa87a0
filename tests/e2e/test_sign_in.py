"""The demo member `make run` prints signs in over HTTP, and its ID token is verified by the
authorizer against moto server's JWKS (fetched over HTTP, as in AWS)."""

from __future__ import annotations

import json
import re

from tests.stack import API_KEY, RunningStack, request


def demo_member(stack: RunningStack) -> tuple[str, str]:
    text = "\n".join(stack.output)
    m = re.search(r"Demo member \(admin\): (\S+)  password: (\S+)", text)
    assert m, text
    return m.group(1), m.group(2)


def test_the_printed_demo_member_signs_in_and_reaches_the_api(stack: RunningStack) -> None:
    email, password = demo_member(stack)
    body = json.dumps({"email": email, "password": password}).encode()
    status, _, tokens = request(stack.base_url, "POST", "/auth/sign-in", body=body)
    assert status == 200, tokens
    auth = {"Authorization": f"Bearer {tokens['id_token']}"}
    status, _, me = request(stack.base_url, "GET", "/v1/me", headers=auth)
    assert status == 200 and (me["email"], me["role"]) == (email, "admin")
    key_me = request(stack.base_url, "GET", "/v1/me", headers={"Authorization": f"Bearer {API_KEY}"})[2]
    assert key_me["brand_id"] == me["brand_id"]  # the demo brand's member
    wrong = json.dumps({"email": email, "password": "not the password"}).encode()
    status, _, error = request(stack.base_url, "POST", "/auth/sign-in", body=wrong)
    assert status == 401 and error["error"]["code"] == "invalid_credentials"
