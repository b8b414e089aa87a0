"""Outreach: the send worker (SQS), the follow-up dispatcher (every 5 minutes), SES events
(EventBridge) and inbound replies (SES → S3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from roster.deps import Deps, deps
from roster.observability import MetricUnit, logger, metrics, tracer
from roster.outreach import notice_jobs, sequences
from roster.portal import signin
from roster.workflows import notify

processor = BatchProcessor(event_type=EventType.SQS)

# `notice` jobs: creator emails that must not wait in a request (see roster.outreach.notice_jobs).
NOTICES: dict[str, Callable[[Deps, dict[str, Any]], str]] = {
    "payout": notify.send_payout,
    "signin": signin.send_link,
}


def send(record: SQSRecord, batch: sequences.SendBatch | None = None) -> None:
    job = json.loads(record.body)
    logger.append_keys(brand_id=job.get("brand_id"), campaign_id=job.get("campaign_id"))
    if job.get("kind") == notice_jobs.KIND:
        # An unknown notice raises (KeyError): retried, then kept in the DLQ, never dropped unseen.
        outcome = NOTICES[job["notice"]](deps(), job)
        metrics.add_metric(name=f"Notice_{outcome}", unit=MetricUnit.Count, value=1)
        logger.info("creator notice", extra={"outcome": outcome, "notice": job.get("notice")})
        return
    outcome = sequences.send_step(deps(), job, batch)
    metrics.add_metric(name=f"Outreach_{outcome}", unit=MetricUnit.Count, value=1)
    logger.info("outreach step", extra={"outcome": outcome, "step": job.get("step")})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def send_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """One message per creator and step (or notice); a throttled or failing one is retried alone,
    then the DLQ. The batch's messages share what they all read (sequences.SendBatch)."""
    batch = sequences.SendBatch()
    return process_partial_response(
        event=event, record_handler=lambda record: send(record, batch), processor=processor, context=context
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def due_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    queued = sequences.dispatch_due(deps())
    metrics.add_metric(name="OutreachFollowUpsQueued", unit=MetricUnit.Count, value=queued)
    return {"queued": queued}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def ses_events_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """An SES event published through the configuration set to EventBridge (detail = SES's JSON)."""
    kind = sequences.apply_ses_event(deps(), event.get("detail") or {})
    metrics.add_metric(name=f"SesEvent_{kind}", unit=MetricUnit.Count, value=1)
    if kind == "unknown":  # recorded and ignored: never an error loop
        logger.warning("SES event for an unknown message", extra={"detail_type": event.get("detail-type")})
    return {"applied": kind}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def inbound_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """S3 ObjectCreated for mail SES received: replies and mailto unsubscribes."""
    d = deps()
    d.require_mail()  # without the mail settings it fails before reading any message
    outcomes = []
    for record in event.get("Records", []):
        bucket, name = record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"])
        outcome = sequences.handle_inbound(d, d.inbound.read(bucket, name))
        metrics.add_metric(name=f"Inbound_{outcome}", unit=MetricUnit.Count, value=1)
        outcomes.append(outcome)
    return {"outcomes": outcomes}
