"""Integration tests: moto in-process, the table built from template.yaml, requests through the same
gateway emulation and handlers (authorizer included) as the local stack."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
import requests
from moto import mock_aws

from local import template as tpl
from local.gateway import Gateway, Route
from local.lambdas import load_handler
from local.queues import QueuePoller, queue_sources
from roster import auth
from roster.adapters import identity
from roster.adapters.events import EventPublisher
from roster.deps import Deps, deps, reset
from roster.models.auth import Role
from tests.conftest import TEST_ENV

NAMES = tpl.Names(prefix="roster-test")
TEMPLATE = tpl.load()  # read once per session: the resources are created from it for every test
assert NAMES.physical("Table") == TEST_ENV["TABLE_NAME"]


def moto_jwks(url: str) -> dict[str, Any]:
    """The pool's keys, fetched over HTTP as the authorizer does; in-process, moto answers
    `requests` (not urllib), so the tests' download goes through it."""
    data: dict[str, Any] = requests.get(url, timeout=3).json()
    return data


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with mock_aws():
        template, params = TEMPLATE, tpl.parameters(TEMPLATE)
        pools = tpl.create_user_pools(
            boto3.client("cognito-idp"), template, tpl.Names(prefix="roster-test"), params
        )
        monkeypatch.setenv("USER_POOL_ID", pools["UserPool"])
        monkeypatch.setenv("USER_POOL_CLIENT_ID", pools["UserPoolClient"])
        monkeypatch.setattr(identity, "_download", moto_jwks)
        reset()
        tpl.create_tables(boto3.client("dynamodb"), template, NAMES)
        tpl.create_buckets(boto3.client("s3"), template, NAMES)
        tpl.create_queues(boto3.client("sqs"), template, NAMES)
        tpl.create_email_identities(boto3.client("ses"), template, NAMES, params)
        # Definitions are registered; in-process moto does not run them (the e2e suite does).
        tpl.create_state_machines(boto3.client("stepfunctions"), boto3.client("iam"), template, NAMES, params)
        # Handlers cache their clients per cold start; each test is a new "deployment".
        for module in [m for name, m in sys.modules.items() if name.startswith("roster_fn_")]:
            if hasattr(module, "redirector"):
                module.redirector.cache_clear()
        yield


@pytest.fixture(scope="session")
def gateway() -> Gateway:
    template = tpl.load()
    specs = tpl.functions(template, NAMES, tpl.parameters(template))
    authorizer_id = tpl.authorizer_function(template)
    routes, authorizer = [], None
    for spec in specs:
        handler = load_handler(spec)
        if spec.logical_id == authorizer_id:
            authorizer = handler
        routes += [Route(m, p, spec.logical_id, handler, a) for m, p, a in spec.routes]
    return Gateway(routes, authorizer)


class Worker:
    """Delivers a queue's messages to the real consumer handler, as Lambda's SQS event source."""

    def __init__(self, function: str) -> None:
        template = tpl.load()
        (source,) = [q for q in queue_sources(template) if q.function == function]
        (spec,) = [
            s for s in tpl.functions(template, NAMES, tpl.parameters(template)) if s.logical_id == function
        ]
        name = NAMES.physical(source.queue)
        self.poller = QueuePoller(
            boto3.client("sqs"),
            tpl.queue_url(name),
            NAMES.arn(template, source.queue),
            load_handler(spec),
            source,
        )

    def drain(self) -> int:
        """Delivers until the queue is empty; returns how many messages succeeded."""
        done = 0
        while n := self.poller.poll_once():
            done += n
        return done


@dataclass
class Client:
    gateway: Gateway
    key: str | None
    brand_id: str = ""

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        hdrs = {"content-type": "application/json", **(headers or {})}
        if self.key:
            hdrs["authorization"] = f"Bearer {self.key}"
        raw = body.encode() if isinstance(body, str) else b"" if body is None else json.dumps(body).encode()
        target = path + (f"?{urlencode(query)}" if query else "")
        status, _, payload = self.gateway.handle(method, target, hdrs, raw)
        return status, json.loads(payload) if payload else None


@pytest.fixture
def brand_a(aws: None, gateway: Gateway) -> Client:
    brand, key = auth.create_brand(deps().stores.brands, "Brand A")
    return Client(gateway, key, brand.id)


@pytest.fixture
def brand_b(aws: None, gateway: Gateway) -> Client:
    brand, key = auth.create_brand(deps().stores.brands, "Brand B")
    return Client(gateway, key, brand.id)


PASSWORD = "correct horse battery"


def member_of(brand: Client, email: str, role: Role = "member", *, name: str = "Sam Member") -> Client:
    """A signed-in team member of `brand` (added as the API does, with a permanent password): a
    client that sends the member's ID token instead of an API key."""
    from roster.program import members

    d = deps()
    members.add(d, brand.brand_id, email, name, role)
    d.identity.set_password(email, PASSWORD)
    status, tokens = Client(brand.gateway, None).call(
        "POST", "/auth/sign-in", {"email": email, "password": PASSWORD}
    )
    assert status == 200, tokens
    return Client(brand.gateway, tokens["id_token"], brand.brand_id)


def fakes(**parts: Any) -> Deps:
    """The function's dependencies with some parts replaced (fake workflows, quiet events, a
    resolver-pinned fetcher), for calling the domain in-process; the stores are the handlers' own."""
    return Deps(stores=deps().stores, **parts)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Domain events the code publishes (EventBridge), captured instead of sent."""
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(EventPublisher, "publish", lambda self, kind, detail: sent.append((kind, detail)))
    return sent


def table_snapshot() -> list[dict[str, Any]]:
    """Every item in the table, for asserting that a rejected request changed nothing."""
    client = boto3.client("dynamodb")
    items = client.scan(TableName=TEST_ENV["TABLE_NAME"])["Items"]
    return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


CAMPAIGN = {
    "name": "Spring trail launch",
    "objective": "conversions",
    "kpis": [{"metric": "conversions", "target": 500, "by": "2027-03-31"}],
    "budget": {"amount": 1_500_000, "currency": "USD"},
    "start_date": "2027-01-01",
    "end_date": "2027-03-31",
    "allowed_domains": ["shop.example.com"],
}

CREATOR = {
    "name": "Maya Lopez",
    "email": "maya@example.com",
    "platforms": {"instagram": {"handle": "maya.runs", "followers": 42_000}},
    "country": "US",
    "tags": ["trail", "running"],
}
