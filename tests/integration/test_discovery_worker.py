"""The scheduled enrichment's Lambda handlers (functions/discovery/app.py) as deployed: a creator
added with a Bluesky profile is due today; the dispatcher queues it in the template's queue; the
worker, fed by the SQS event source as Lambda feeds it, reads the recorded Bluesky answers, keeps
the snapshot and schedules the next run a week on. A bad message fails alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from local import template as tpl
from local.lambdas import load_handler
from roster import clock
from roster.deps import deps, reset
from tests.integration.conftest import NAMES, Client, Worker
from tests.integration.test_discovery_sources import ApiServer, serve_bluesky, serving


@pytest.fixture
def bluesky(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiServer]:
    with serving() as state:
        serve_bluesky(state)
        monkeypatch.setenv("BLUESKY_API_BASE", state.base)
        reset()
        yield state


def dispatcher() -> Any:
    template = tpl.load()
    (spec,) = [
        s
        for s in tpl.functions(template, NAMES, tpl.parameters(template))
        if s.logical_id == "DiscoveryDispatchFunction"
    ]
    return load_handler(spec)


def test_dispatch_then_worker_enriches_the_due_creator_and_schedules_a_week_on(
    brand_a: Client, bluesky: ApiServer, lambda_context: Any
) -> None:
    status, maya = brand_a.call(
        "POST",
        "/v1/creators",
        {
            "name": "Maya",
            "email": "maya@example.com",
            "platforms": {"bluesky": {"handle": "mayaruns.bsky.social"}},
        },
    )
    assert status == 201, maya
    today = clock.now().date()

    answer = dispatcher()({}, lambda_context)
    assert answer == {"creators_queued": 1}
    assert Worker("DiscoveryWorkerFunction").drain() == 1

    kept = deps().stores.snapshots.latest(brand_a.brand_id, maya["id"])
    assert [(s["platform"], s["followers"]) for s in kept] == [("bluesky", 3120)]
    ledger = deps().stores.enrichment
    assert ledger.due(today) == []
    assert ledger.due(today + timedelta(days=7)) == [(brand_a.brand_id, maya["id"])]
    assert dispatcher()({}, lambda_context) == {"creators_queued": 0}


def test_a_bad_message_fails_alone_and_the_good_one_is_enriched(brand_a: Client, bluesky: ApiServer) -> None:
    status, maya = brand_a.call(
        "POST",
        "/v1/creators",
        {
            "name": "Maya",
            "email": "maya@example.com",
            "platforms": {"bluesky": {"handle": "mayaruns.bsky.social"}},
        },
    )
    assert status == 201
    url = tpl.queue_url(NAMES.physical("EnrichmentQueue"))
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    sqs.send_message(
        QueueUrl=url, MessageBody=json.dumps({"brand_id": brand_a.brand_id, "creator_id": maya["id"]})
    )

    assert (
        Worker("DiscoveryWorkerFunction").drain() == 1
    )  # the good one; the bad one is retried, then the DLQ
    assert [s["platform"] for s in deps().stores.snapshots.latest(brand_a.brand_id, maya["id"])] == [
        "bluesky"
    ]
