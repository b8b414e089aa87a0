"""Local only: the domain of the sender a brand sets (`PUT /v1/outreach/settings`) is verified in
moto's SES just before the API sees the request, so any From address works on the local stack.

Deployed, a domain is verified in SES by whoever owns its DNS, and the API refuses a sender on an
unverified identity (422). Locally there is no DNS to prove ownership with; without this, only
`@<MailDomain>` (mail.roster.example, verified at start) could send. The in-process tests do not
use this, so the refusal stays tested.
"""

from __future__ import annotations

import json
import re
from typing import Any

from local.lambdas import Handler
from roster.web import edge

SETTINGS = ("PUT", "/v1/outreach/settings")
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")


def sender_domain(event: dict[str, Any]) -> str | None:
    """The domain of `from_email` in a sender-settings request, or None (the API then answers)."""
    if (event.get("requestContext", {}).get("http", {}).get("method"), event.get("rawPath")) != SETTINGS:
        return None
    try:
        body = json.loads(edge.raw_body(event))
        domain = str(body["from_email"]).rsplit("@", 1)[1].strip().lower()
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return domain if DOMAIN.match(domain) else None


def verifying(handler: Handler, ses: Any) -> Handler:
    """`handler`, first verifying the sender domain of a settings request in (moto's) SES."""

    def handle(event: dict[str, Any], context: Any) -> Any:
        domain = sender_domain(event)
        if domain:
            ses.verify_domain_identity(Domain=domain)
        return handler(event, context)

    return handle
