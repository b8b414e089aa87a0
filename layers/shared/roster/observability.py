"""One place wires logging, metrics and tracing for every function.

Handlers decorate in this order (outermost first):
    @logger.inject_lambda_context(correlation_id_path=...)
    @metrics.log_metrics
    @tracer.capture_lambda_handler

Logs never carry raw emails, IP addresses or secrets: the formatter scrubs them from the final
JSON line, so a careless `logger.info(f"... {creator.email}")` cannot leak one. The rules live in
`roster.redaction`, which the lean redirect uses too.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit

from roster.redaction import redact

__all__ = ["MetricUnit", "logger", "metrics", "redact", "tracer"]


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return redact(super().serialize(log))


logger = Logger(logger_formatter=RedactingFormatter())
metrics = Metrics()
tracer = Tracer()
