"""The click write's time budget (issue 16): the redirect's real wiring (functions/redirect/app.py)
against a loopback endpoint speaking DynamoDB's JSON protocol (bench/redirect.py: FakeDynamoDB),
which counts the attempts on the wire; and, on moto, a write that applied and then reported failure,
replayed. The budget itself is asserted in tests/unit/test_redirect_budget.py. No timing is asserted:
the figures are in docs/performance.md (`make bench-redirect`)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from moto import mock_aws

from bench.redirect import FakeDynamoDB
from roster.links import redirect
from roster.links.redirect import Redirector, RedirectSettings
from roster.store import keys
from roster.store.clicks import ClickStore
from roster.store.table import Table, serialize
from tests.conftest import TEST_ENV, load_json
from tools.replay_clicks import replay

ROOT = Path(__file__).resolve().parents[2]
RECORD = load_json("redirect_record.json")
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
THROTTLES = ["ProvisionedThroughputExceededException", "ThrottlingException"]


def app() -> ModuleType:
    """functions/redirect/app.py, freshly imported: its cached Redirector is built on first use."""
    spec = importlib.util.spec_from_file_location(
        "redirect_app_under_test", ROOT / "functions/redirect/app.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def event(ip: str = "198.51.100.7", method: str = "GET") -> dict[str, Any]:
    return {
        "pathParameters": {"code": RECORD["code"]},
        "headers": {"user-agent": CHROME},
        "requestContext": {"http": {"method": method, "sourceIp": ip}},
    }


def unrecorded(out: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [line for line in lines if line["message"] == "click not recorded"]


def rid(resp: dict[str, Any]) -> str:
    assert resp["statusCode"] == 302, resp
    parts = urlsplit(resp["headers"]["Location"])
    assert (parts.netloc, parts.path) == ("shop.example.com", "/trail")
    (click_id,) = parse_qs(parts.query)["rid"]
    return str(click_id)


@pytest.fixture
def endpoint(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDynamoDB]:
    """A FakeDynamoDB (args from `request.param`: fault, delay, read_fault) the redirect's clients
    reach through AWS_ENDPOINT_URL_DYNAMODB, as a deployed one reaches DynamoDB."""
    fault, delay, read_fault = getattr(request, "param", (None, 0.0, None))
    if fault != "slow":
        # The timeouts' values are checked in tests/unit/test_redirect_budget.py; here a generous read
        # timeout keeps a stalled machine from turning a prompt answer into a timeout. The attempts
        # (the point here) stay the production budget's.
        monkeypatch.setattr(
            redirect, "CLICK_WRITE", dataclasses.replace(redirect.CLICK_WRITE, read_timeout=5.0)
        )
    with FakeDynamoDB(RECORD, fault, delay, read_fault=read_fault) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        yield fake


@pytest.mark.parametrize(
    "endpoint",
    [(code, 0.0, None) for code in THROTTLES] + [("slow", 0.3, None)],
    indirect=True,
    ids=[*THROTTLES, "slow answer past the read timeout"],
)
def test_a_failing_write_is_one_attempt_a_redirect_and_one_replay_line(
    endpoint: FakeDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    r = app().redirector()
    click_id = rid(r.handle(event()))
    assert endpoint.calls == Counter({"GetItem": 1, "UpdateItem": 1})  # no retry inside the request
    (line,) = unrecorded(capsys.readouterr().out)
    assert (
        line["replay"]["click"]["click_id"] == click_id and line["replay"]["click"]["code"] == RECORD["code"]
    )
    if endpoint.fault == "slow":
        assert line["error"] == "ReadTimeoutError"
    else:
        assert line["error_code"] == endpoint.fault
    assert "198.51.100.7" not in json.dumps(line)
    # The next click is again one attempt: no retry budget, token bucket or backoff carried over.
    rid(r.handle(event("198.51.100.8")))
    assert endpoint.calls["UpdateItem"] == 2 and len(unrecorded(capsys.readouterr().out)) == 1


@pytest.mark.parametrize("endpoint", [(THROTTLES[0], 0.0, None)], indirect=True)
def test_retry_settings_in_the_environment_do_not_widen_the_budget(
    endpoint: FakeDynamoDB, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """AWS_MAX_ATTEMPTS / AWS_RETRY_MODE on the function would apply to a client left to defaults."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")
    rid(app().redirector().handle(event()))
    assert endpoint.calls["UpdateItem"] == 1 and len(unrecorded(capsys.readouterr().out)) == 1


def test_a_healthy_write_counts_the_click_and_logs_nothing(
    endpoint: FakeDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    rid(app().redirector().handle(event()))
    assert endpoint.calls == Counter({"GetItem": 1, "UpdateItem": 1})
    assert unrecorded(capsys.readouterr().out) == []


@pytest.mark.parametrize("endpoint", [(None, 0.0, "InternalServerError")], indirect=True)
def test_a_failing_link_read_is_retried_once_then_fails_open_as_before(
    endpoint: FakeDynamoDB, capsys: pytest.CaptureFixture[str]
) -> None:
    resp = app().redirector().handle(event())
    assert resp["statusCode"] == 503 and resp["headers"]["Retry-After"] == "30"  # nothing cached
    assert endpoint.calls == Counter({"GetItem": 2})
    assert '"link lookup failed"' in capsys.readouterr().out


# A write that applied and then reported failure, on moto (its conditional writes are DynamoDB's).


class TimeoutAfterWrite:
    """An `after-call` hook: the UpdateItem reached the table, then the client saw a read timeout,
    as when DynamoDB applies a write whose answer is lost."""

    def __init__(self) -> None:
        self.armed = True

    def __call__(self, **_: Any) -> None:
        if self.armed:
            self.armed = False
            raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/")


@pytest.fixture
def moto_store() -> Iterator[tuple[ClickStore, Any]]:
    from local import template as tpl

    with mock_aws():
        client = boto3.client("dynamodb")
        tpl.create_tables(client, tpl.load(), tpl.Names(prefix="roster-test"))
        name = TEST_ENV["TABLE_NAME"]
        client.put_item(
            TableName=name,
            Item=serialize(
                {keys.PK: keys.redirect_pk(RECORD["code"]), keys.SK: keys.redirect_sk(), **RECORD}
            ),
        )
        yield ClickStore(Table(name, client)), client


def visit_items(client: Any) -> list[dict[str, Any]]:
    items = client.scan(TableName=TEST_ENV["TABLE_NAME"])["Items"]
    return [i for i in items if i.get("entity", {}).get("S") == "visit"]


def test_a_write_that_applied_then_timed_out_is_not_counted_twice_when_replayed(
    moto_store: tuple[ClickStore, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    store, client = moto_store
    r = Redirector(store, RedirectSettings(TEST_ENV["TABLE_NAME"], b"salt"))
    client.meta.events.register("after-call.dynamodb.UpdateItem", TimeoutAfterWrite())
    click_id = rid(r.handle(event()))
    (line,) = unrecorded(capsys.readouterr().out)
    (applied,) = visit_items(client)  # the write landed although the redirect saw it fail
    assert (
        applied["PK"]["S"] == keys.visit_pk_of(RECORD["brand_id"], click_id) and applied["visits"]["N"] == "1"
    )
    log = [json.dumps(line)]
    assert replay(store, log) == Counter({"already counted or a repeat": 1})
    assert replay(store, log) == Counter({"already counted or a repeat": 1})
    assert visit_items(client) == [applied]  # unchanged: no second count, no stream record


def test_a_late_original_write_after_its_replay_is_not_counted_twice(
    moto_store: tuple[ClickStore, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The other order: the write failed without applying, the replay counted it, and then the
    original request lands after all (it is the same conditional write: the replay line is its
    arguments)."""
    store, client = moto_store
    r = Redirector(store, RedirectSettings(TEST_ENV["TABLE_NAME"], b"salt"))

    def unreachable(**_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/")

    client.meta.events.register("before-call.dynamodb.UpdateItem", unreachable)
    click_id = rid(r.handle(event()))
    client.meta.events.unregister("before-call.dynamodb.UpdateItem", unreachable)
    (line,) = unrecorded(capsys.readouterr().out)
    assert visit_items(client) == []
    assert replay(store, [json.dumps(line)]) == Counter({"recorded": 1})
    (counted,) = visit_items(client)
    item = line["replay"]
    late = store.record_visit(
        item["click"], epoch=item["epoch"], day=item["day"], visitor=item["visitor"], ttl=0, window=3600
    )
    assert late == click_id  # the condition failed: a repeat of the replayed click
    assert visit_items(client) == [counted] and counted["visits"]["N"] == "1"
