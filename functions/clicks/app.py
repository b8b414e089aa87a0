"""DynamoDB stream consumer: counted visits → daily counters (batched); new
ledger entries → the campaign's budget alerts (80 % and 100 % of its budget)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from roster.deps import deps
from roster.links import click_stats
from roster.observability import logger, metrics, tracer
from roster.reporting import budget


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    d = deps()
    checked = budget.process(d, event)
    if checked["batchItemFailures"]:
        return checked  # nothing counted yet: the batch comes back whole and each visit counts once
    return click_stats.process(d.stores.stats, event)
