"""Brand API handler: thin. Everything lives in `roster.api`."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from roster.api.app import handle, handler_api
from roster.observability import logger, metrics, tracer

# Each route group is imported on the first request for it, or all at init under SnapStart and
# provisioned concurrency (roster.api.app.handler_api).
app = handler_api(os.environ)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(app, event, context)
