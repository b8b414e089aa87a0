"""DynamoDB stream consumer: counted visits → raw click records + daily counters (batched)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from roster import click_stats
from roster.observability import logger, metrics, tracer
from roster.settings import get_settings
from roster.store.registry import stores


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return click_stats.process(stores().stats, event, ttl_days=get_settings().click_ttl_days)
