"""The Lambda tasks of the campaign and collaboration state machines."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from roster.adapters.events import event_publisher
from roster.adapters.mailer import mailer
from roster.adapters.queue import outreach_queue
from roster.adapters.workflows import workflows
from roster.observability import logger, metrics, tracer
from roster.settings import get_settings
from roster.store.registry import stores
from roster.web.fetch import fetcher
from roster.workflows import tasks


@cache
def deps() -> tasks.Deps:
    s = get_settings()
    return tasks.Deps(
        stores=stores(),
        workflows=workflows(),
        events=event_publisher(),
        mailer=mailer() if s.ses_configuration_set else None,
        fetcher=fetcher(),
        signing_key=s.outreach_signing_key,
        mail_domain=s.mail_domain,
        public_url=s.link_base_url,
        queue=outreach_queue() if s.outreach_queue_url else None,
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(
        task=event.get("task"), brand_id=event.get("brand_id"), collaboration_id=event.get("collaboration_id")
    )
    # No token in the logs: it is a credential for the waiting step.
    return tasks.run(deps(), event)
