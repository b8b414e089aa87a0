"""Scheduled enrichment: the daily dispatcher (EventBridge Scheduler) and the per-creator worker (SQS)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from roster import clock
from roster.deps import deps
from roster.discovery import schedule
from roster.discovery.sources import Backoff
from roster.observability import MetricUnit, logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def enrich(record: SQSRecord) -> None:
    message = json.loads(record.body)
    logger.append_keys(brand_id=message.get("brand_id"), creator_id=message.get("creator_id"))
    d = deps()
    outcome = schedule.enrich_due(
        message,
        creators=d.stores.creators,
        keeper=d.stores.snapshots,
        ledger=d.stores.enrichment,
        sources=d.discovery_sources(backoff=Backoff()),  # a queue waits: the full back-off
        now=clock.now(),
    )
    metrics.add_metric(name="EnrichedPlatforms", unit=MetricUnit.Count, value=outcome.enriched)
    metrics.add_metric(name="EnrichmentFailures", unit=MetricUnit.Count, value=outcome.failed)
    logger.info("creator enriched", extra={"outcome": outcome.to_dict()})  # counts and dates only


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def worker_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """SQS batch: one message per creator; a failing message is retried alone (then the DLQ)."""
    return process_partial_response(event=event, record_handler=enrich, processor=processor, context=context)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def dispatch_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Daily: queues every creator due today (and on days a run was missed)."""
    d = deps()
    messages = schedule.due_messages(d.stores.enrichment, clock.now().date())
    d.enrichment_queue.send(messages)
    metrics.add_metric(name="EnrichmentQueued", unit=MetricUnit.Count, value=len(messages))
    logger.info("enrichment dispatched", extra={"creators": len(messages)})
    return {"creators_queued": len(messages)}
