"""Shared test fixtures: environment, a fake Lambda context, API Gateway event builders."""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterator
from typing import Any

import pluggy
import pytest

# As on Lambda, Powertools reads these when the handler modules are imported, before any fixture.
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "roster")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Roster")

from local import moto_patches  # noqa: E402
from local.lambdas import FakeLambdaContext  # noqa: E402
from roster import clock  # noqa: E402
from roster.deps import reset

moto_patches.install()

TEST_ENV = {
    "TABLE_NAME": "roster-test-Table",
    "STAGE": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_SERVICE_NAME": "roster",
    "POWERTOOLS_METRICS_NAMESPACE": "Roster",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "VISITOR_SALT": "test-salt",
    "LINK_CACHE_SECONDS": "60",
    "ARCHIVE_BUCKET": "roster-test-webhookarchivebucket",
    "MONITOR_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/roster-test-MonitorQueue",
    # Fixture feeds are served from 127.0.0.1 in the tests.
    "MONITOR_ALLOW_LOOPBACK": "true",
    "OUTREACH_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/roster-test-OutreachQueue",
    "ENRICHMENT_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/roster-test-EnrichmentQueue",
    "OUTREACH_SIGNING_KEY": "test-outreach-signing-key-0123456789",
    "MAIL_DOMAIN": "mail.roster.example",
    "SES_CONFIGURATION_SET": "roster-test-OutreachConfigurationSet",
    "COLLABORATION_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:roster-test-CollaborationStateMachine",
    "CAMPAIGN_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:roster-test-CampaignStateMachine",
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    reset()  # each test is a new deployment: settings read again, every adapter rebuilt
    yield
    reset()


_REAL_NOW = clock.now


@pytest.fixture(autouse=True)
def _clock_restored() -> Iterator[None]:
    """A test that leaves `roster.clock.now` patched fails itself, not some later test that reads
    the clock (a `mock.patch` entered in two threads at once restores in the wrong order)."""
    yield
    leaked = clock.now is not _REAL_NOW
    clock.now = _REAL_NOW
    assert not leaked, "this test left roster.clock.now patched"


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    principal: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2.0 event, as the authorizer leaves it."""
    raw_body = body if isinstance(body, str) or body is None else json.dumps(body)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "ANY /v1/{proxy+}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": {"content-type": "application/json", **(headers or {})},
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "203.0.113.9", "protocol": "HTTP/1.1"},
            "requestId": "req-1",
            "stage": "$default",
            "authorizer": {"lambda": principal or {}},
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if raw_body is not None:
        event["body"] = raw_body
    return event


def load_json(name: str) -> Any:
    with open(os.path.join(os.path.dirname(__file__), "events", name)) as fh:
        return json.load(fh)


_STACK_TROUBLE = ("Traceback", "Error", "error", "Exception", "FAILED", "failed", "-> 5")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pluggy.Result[pytest.TestReport]]:
    """A failing test that used the local stack (tests/e2e, tests/browser) reports what the stack
    printed that looks like trouble (tracebacks, 5xx, failed tasks), the last 80 such lines: its
    own output is read by a thread and would otherwise never show in CI's log."""
    outcome = yield
    report = outcome.get_result()
    running = getattr(item, "funcargs", {}).get("stack")
    if report.failed and running is not None and hasattr(running, "output"):
        lines = [line for line in list(running.output) if any(t in line for t in _STACK_TROUBLE)]
        report.sections.append(("local stack: trouble it printed", "\n".join(lines[-80:]) or "(none)"))
