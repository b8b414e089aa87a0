"""GET/HEAD /r/{code}: the customer-facing redirect, Roster's hottest path.

Lean on purpose: no Powertools, no pydantic (its cold start is measured against boto3 alone).
A counted click costs one conditional write and, with the link cached, no read.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from roster.links.redirect import Redirector, RedirectSettings
from roster.store.clicks import ClickStore
from roster.store.table import Table


@cache
def redirector() -> Redirector:
    """Its own wiring, not `roster.deps`: that reads pydantic settings, which this function never
    imports. Built once per cold start."""
    settings = RedirectSettings.from_env(os.environ)
    return Redirector(ClickStore(Table.fail_fast(settings.table_name)), settings)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return redirector().handle(event)
