"""One place wires logging, metrics and tracing for every function.

Handlers decorate in this order (outermost first):
    @logger.inject_lambda_context(correlation_id_path=...)
    @metrics.log_metrics
    @tracer.capture_lambda_handler

The tracer is Powertools' only where tracing is on (on Lambda, unless `POWERTOOLS_TRACE_DISABLED`):
elsewhere it is `Untraced`, a pass-through, because Powertools' `Tracer` imports the X-Ray SDK even
when disabled, about a fifth of the API function's cold import (docs/performance.md).

Logs never carry raw emails, IP addresses or secrets: the formatter scrubs them from the final
JSON line, so a careless `logger.info(f"... {creator.email}")` cannot leak one. The rules live in
`roster.redaction`, which the lean redirect uses too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit

from roster.redaction import redact

__all__ = ["MetricUnit", "logger", "metrics", "redact", "tracer", "tracing_enabled"]


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return redact(super().serialize(log))


def tracing_enabled(env: Mapping[str, str] = os.environ) -> bool:
    """Whether Powertools' Tracer would trace: on Lambda (`LAMBDA_TASK_ROOT`), not under SAM local or
    Chalice, and not turned off by `POWERTOOLS_TRACE_DISABLED` (its `_is_tracer_disabled`)."""
    if env.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "y", "yes", "t", "true", "on"):
        return False
    in_lambda = bool(env.get("LAMBDA_TASK_ROOT"))
    return in_lambda and not (env.get("AWS_SAM_LOCAL") or env.get("AWS_CHALICE_CLI_MODE"))


class Untraced:
    """The tracer where tracing is off: what the handlers use of `Tracer`, doing nothing."""

    def capture_lambda_handler(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Callable[..., Any]:
        if lambda_handler is None:  # called with parameters: the decorator itself
            return lambda handler: handler
        return lambda_handler

    def capture_method(self, method: Callable[..., Any] | None = None, **_: Any) -> Callable[..., Any]:
        return (lambda inner: inner) if method is None else method


logger = Logger(logger_formatter=RedactingFormatter())
metrics = Metrics()
tracer: Tracer | Untraced = Tracer() if tracing_enabled() else Untraced()
