"""GET/HEAD /r/{code}: the customer-facing redirect, Roster's hottest path.

Lean on purpose: no Powertools, no pydantic (its cold start is measured against boto3 alone).
A counted click costs one conditional write and, with the link cached, no read.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from roster.links.redirect import ClientBudget, Redirector, RedirectSettings
from roster.store.clicks import ClickStore
from roster.store.table import Table


def _table(name: str, budget: ClientBudget) -> Table:
    return Table.fail_fast(
        name,
        connect_timeout=budget.connect_timeout,
        read_timeout=budget.read_timeout,
        attempts=budget.attempts,
    )


@cache
def redirector() -> Redirector:
    """Its own wiring, not `roster.deps`: that reads pydantic settings, which this function never
    imports. Built once per cold start: two DynamoDB clients (botocore sets timeouts and retries
    per client), the link read's and the click write's, from one session so the second costs a
    few milliseconds, not another model load."""
    settings = RedirectSettings.from_env(os.environ)
    reads, writes = (
        _table(settings.table_name, settings.link_read),
        _table(settings.table_name, settings.click_write),
    )
    return Redirector(ClickStore(reads, visits=writes), settings)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return redirector().handle(event)
