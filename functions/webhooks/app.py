"""POST /webhooks/{provider}/{brand_id}: store order, refund and cancellation webhooks."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from roster.conversions import webhooks
from roster.deps import deps
from roster.errors import RosterError
from roster.observability import MetricUnit, logger, metrics, tracer
from roster.web import edge


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    params = event.get("pathParameters") or {}
    provider, brand_id = params.get("provider", ""), params.get("brand_id", "")
    body = edge.raw_body(event)
    logger.append_keys(provider=provider, brand_id=brand_id)
    try:
        status, result = webhooks.receive(deps(), provider, brand_id, event.get("headers") or {}, body)
    except RosterError as exc:
        metrics.add_metric(name=f"WebhookRejected{type(exc).__name__}", unit=MetricUnit.Count, value=1)
        logger.info("webhook rejected", extra={"reason": exc.code})
        return edge.error_answer(edge.status_for(exc), exc.code, exc.message)
    except Exception:  # our side failed (AWS): 5xx so the store retries; the body is archived or not stored
        logger.exception("webhook processing failed")
        return edge.error_answer(503, "unavailable", "temporarily unavailable; retry")
    metrics.add_metric(name="WebhookAccepted", unit=MetricUnit.Count, value=1)
    logger.info(
        "webhook accepted", extra={"event_id": result.get("event_id"), "status": result.get("status")}
    )
    return edge.json_answer(status, result)
