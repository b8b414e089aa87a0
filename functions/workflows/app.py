"""The Lambda tasks of the campaign and collaboration state machines."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from roster.deps import deps
from roster.observability import logger, metrics, tracer
from roster.workflows import tasks


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(
        task=event.get("task"), brand_id=event.get("brand_id"), collaboration_id=event.get("collaboration_id")
    )
    # No token in the logs: it is a credential for the waiting step.
    return tasks.run(deps(), event)
