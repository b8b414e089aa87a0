"""Post monitoring: the hourly dispatcher (EventBridge Scheduler) and the per-creator worker (SQS)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from roster import clock
from roster.deps import deps
from roster.monitoring import monitor, posts
from roster.observability import MetricUnit, logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def check(record: SQSRecord, batch: posts.CheckBatch | None = None) -> None:
    message = json.loads(record.body)
    logger.append_keys(brand_id=message.get("brand_id"), campaign_id=message.get("campaign_id"))
    result = monitor.check_creator(deps(), message, batch)
    for name, value in result.counts.items():
        metrics.add_metric(name=f"Monitor_{name}", unit=MetricUnit.Count, value=value)
    for error in result.errors:  # the source and the reason only: feed URLs may carry keys
        logger.warning(
            "feed failed", extra={"platform": error.platform, "source": error.source, "error": error.error}
        )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def worker_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """SQS batch: one message per creator; a failing message is retried alone (then the DLQ). The
    batch's messages share what they all read (posts.CheckBatch)."""
    batch = posts.CheckBatch()
    return process_partial_response(
        event=event, record_handler=lambda record: check(record, batch), processor=processor, context=context
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def dispatch_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Hourly: starts a run for each monitored campaign due this hour."""
    runs = monitor.dispatch(deps(), clock.now())
    queued = sum(r.creators_queued for r in runs)
    metrics.add_metric(name="MonitorRunsStarted", unit=MetricUnit.Count, value=len(runs))
    logger.info("monitor dispatched", extra={"runs": len(runs), "creators": queued})
    return {"runs": len(runs), "creators_queued": queued}
