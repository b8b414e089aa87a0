"""GET/HEAD /r/{code}: the customer-facing redirect, Roster's hottest path.

Lean on purpose: no Powertools, no pydantic (its cold start is measured against boto3 alone).
A counted click costs one conditional write and, with the link cached, no read.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from roster.links.redirect import Redirector, RedirectSettings
from roster.store.clicks import ClickStore
from roster.store.table import Table

# Fail fast and fail open: a slow table must not hold a customer for more than about a second.
_CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=1, retries={"mode": "standard", "max_attempts": 2})


@cache
def redirector() -> Redirector:
    settings = RedirectSettings.from_env(os.environ)
    client = boto3.client("dynamodb", config=_CLIENT_CONFIG)
    return Redirector(ClickStore(Table(settings.table_name, client)), settings)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return redirector().handle(event)
