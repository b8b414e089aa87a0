"""One place wires logging, metrics and tracing for every function.

Handlers decorate in this order (outermost first):
    @logger.inject_lambda_context(correlation_id_path=...)
    @metrics.log_metrics
    @tracer.capture_lambda_handler

Logs never carry raw emails, IP addresses or secrets: the formatter scrubs them from the final
JSON line, so a careless `logger.info(f"... {creator.email}")` cannot leak one.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit

__all__ = ["MetricUnit", "logger", "metrics", "redact", "tracer"]

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
# Full 8-group form, or any compressed form with "::" (clock times like 16:00:05 never match).
_IPV6 = re.compile(
    r"(?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{0,4}::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})(?![0-9A-Fa-f:])"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+")
_API_KEY = re.compile(r"\brk_(?:live|test)_[A-Za-z0-9]+")


def redact(text: str) -> str:
    """Masks emails, IPv4/IPv6 addresses, bearer tokens and Roster API keys in `text`."""
    text = _BEARER.sub(r"\1[redacted]", text)
    text = _API_KEY.sub("[api-key]", text)
    text = _EMAIL.sub("[email]", text)
    text = _IPV6.sub("[ip]", text)
    return _IPV4.sub("[ip]", text)


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return redact(super().serialize(log))


logger = Logger(logger_formatter=RedactingFormatter())
metrics = Metrics()
tracer = Tracer()
