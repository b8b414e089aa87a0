"""GET/POST /u/{token}: unsubscribing from a brand's outreach. POST is RFC 8058 one-click (mail
clients send `List-Unsubscribe=One-Click` and expect 200, no further interaction); GET shows a
small page with a button, so link scanners that follow GETs never unsubscribe anyone."""

from __future__ import annotations

import html
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from roster.deps import deps
from roster.observability import MetricUnit, logger, metrics
from roster.outreach import mail, sequences
from roster.web import edge

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>{title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<main><h1 style="font-size:1.4rem">{title}</h1><p>{text}</p>{form}</main></body></html>"""


def _page(status: int, title: str, text: str, form: str = "") -> dict[str, Any]:
    return edge.html_answer(status, PAGE.format(title=html.escape(title), text=html.escape(text), form=form))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = (event.get("pathParameters") or {}).get("token", "")
    method = event.get("requestContext", {}).get("http", {}).get("method", "GET")
    d = deps()
    key = d.settings.outreach_signing_key or ""
    found = mail.read_unsubscribe_token(key, token) if key else None
    if found is None:
        return _page(404, "Link not found", "This unsubscribe link is not valid.")
    brand_id, creator_id = found
    brand = d.stores.brands.get_brand(brand_id)
    name = brand.name if brand else "this brand"
    if method == "POST":
        if not sequences.unsubscribe(d, brand_id, creator_id):
            return _page(404, "Link not found", "This unsubscribe link is not valid.")
        metrics.add_metric(name="Unsubscribed", unit=MetricUnit.Count, value=1)
        return _page(200, "You are unsubscribed", f"You will not get more emails from {name} through Roster.")
    form = (
        f'<form method="post" action="{html.escape(token)}"><button type="submit">Unsubscribe</button></form>'
    )
    return _page(200, f"Unsubscribe from {name}?", f"Stop emails from {name} about collaborations.", form)
