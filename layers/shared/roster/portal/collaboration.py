"""The collaboration page (being rebuilt, issue 15):
GET /c/{token} shows the collaboration and what it waits for; POST
/c/{token}/{action} (JSON or form) accepts, declines, counters, accepts the brand's latest offer,
signs, submits content or a post URL (one per deliverable), confirms delivery. The page shows the
latest offer (with a button to accept the brand's) and lists each deliverable and its state. The
token is signed per collaboration; anything else is a 404."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError

from roster import money
from roster.api import json_body
from roster.deps import Deps
from roster.errors import RosterError
from roster.models.collaborations import CREATOR_ACTIONS, ActionBody, Collaboration, DeliverableUnit, Offer
from roster.observability import logger
from roster.outreach import mail
from roster.portal import http
from roster.web import edge
from roster.workflows import collaborations, deliverables


def _body(event: dict[str, Any]) -> dict[str, Any]:
    text = json_body.decode(edge.raw_body(event))
    ctype = (event.get("headers") or {}).get("content-type", "")
    if "application/x-www-form-urlencoded" in ctype:
        return {k: v[0] for k, v in parse_qs(text).items()}
    loaded = json_body.loads(text) if text.strip() else {}
    if not isinstance(loaded, dict):
        raise ValueError("body must be a JSON object")
    return loaded


STATE_WORDS = {
    "due": "due: submit its post",
    "posted": "posted: awaiting proof (a clear disclosure such as #ad near the start, or the brand's OK)",
    "verified": "verified",
    "booked": "verified, fee booked",
}


def _deliverable(u: DeliverableUnit) -> str:
    post = f" <a href='{html.escape(u.post_url)}'>post</a>" if u.post_url else ""
    verdict = f" (disclosure: {html.escape(u.disclosure)})" if u.disclosure and u.state == "posted" else ""
    return (
        f"<li>{html.escape(deliverables.label(u))}: <span data-state='{u.state}'>"
        f"{html.escape(STATE_WORDS[u.state])}</span>{verdict}{post}</li>"
    )


def _creator_actions(c: Collaboration) -> list[str]:
    """What the step waits for that the creator can do: accepting terms only when the latest
    offer is the brand's (nobody accepts their own)."""
    actions = [a for a in (c.waiting_for.actions if c.waiting_for else []) if a in CREATOR_ACTIONS]
    mine = bool(c.offers) and c.offers[-1].by == "creator"
    return [a for a in actions if not (a == "accept-terms" and (mine or not c.offers))]


def _offer(c: Collaboration, o: Offer, token: str, can_accept: bool) -> str:
    t = o.terms
    items = ", ".join(f"{d.count} {d.platform} {d.format}" for d in t.deliverables)
    fee = ""
    if t.fee_per_deliverable:
        exp = money.exponent(t.fee_per_deliverable.currency)
        amount = t.fee_per_deliverable.amount / 10**exp
        fee = f"; {t.fee_per_deliverable.currency} {amount:,.{exp}f} per deliverable"
    who = "you" if o.by == "creator" else "the brand"
    button = (
        f"<form method='post' action='{html.escape(token)}/accept-terms'>"
        "<button type='submit'>Accept these terms</button></form>"
        if can_accept
        else ""
    )
    return (
        f"<h2>Latest offer</h2><p>Offer {len(c.offers)}, from {who} ({html.escape(o.at[:16])}): "
        f"{html.escape(items)}{html.escape(fee)}; posting {t.posting_window_start} to "
        f"{t.posting_window_end}.</p>{button}"
    )


def _post_form(token: str) -> str:
    """The post's URL and its caption as published: Roster checks the caption when it cannot read
    the post's page (the brand still sees that it was not read)."""
    return (
        f"<h2>Submit a post</h2><form method='post' action='{html.escape(token)}/submit-post'>"
        "<p><label>Post URL <input name='url' type='url' required></label></p>"
        "<p><label>Caption, as posted <textarea name='text' rows='4' maxlength='20000'></textarea>"
        "</label></p><button type='submit'>Submit post</button></form>"
    )


def _page(c: Collaboration, brand: str, token: str) -> dict[str, Any]:
    actions = _creator_actions(c)
    waiting = ", ".join(actions)
    offer = (
        _offer(c, c.offers[-1], token, "accept-terms" in actions)
        if c.offers and c.stage in ("invite", "negotiate")
        else ""
    )
    rows = "".join(f"<li>{html.escape(e.at[:16])} {html.escape(e.type)}</li>" for e in c.timeline[-20:])
    deliverables.ensure(c)
    units = "".join(_deliverable(u) for u in c.deliverables)
    text = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='robots' content='noindex'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(brand)} collaboration</title></head>"
        "<body style='font-family:system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem'><main>"
        f"<h1>{html.escape(brand)}</h1><p>Stage: <b>{html.escape(c.stage)}</b>"
        f"{' — waiting for you: ' + html.escape(waiting) if waiting else ''}</p>{offer}"
        f"{'<h2>Deliverables</h2><ul>' + units + '</ul>' if units else ''}"
        f"{_post_form(token) if 'submit-post' in actions else ''}"
        f"<h2>Timeline</h2><ul>{rows}</ul></main></body></html>"
    )
    return edge.html_answer(200, text)


def page(d: Deps, req: http.Request) -> dict[str, Any]:
    return _handle(d, req, None)


def view(d: Deps, req: http.Request) -> dict[str, Any]:
    return edge.error_answer(404, "not_found", "no such page")


def act(d: Deps, req: http.Request) -> dict[str, Any]:
    return _handle(d, req, req.params.get("action"))


def _handle(d: Deps, req: http.Request, action: str | None) -> dict[str, Any]:
    event = {"headers": req.headers, "body": req.raw.decode("utf-8", "replace")}
    key = d.settings.outreach_signing_key or ""
    found = mail.read_collaboration_token(key, req.params.get("token", "")) if key else None
    if found is None:
        return edge.error_answer(404, "not_found", "this link is not valid")
    brand_id, collaboration_id = found
    try:
        if not action:
            brand = d.stores.brands.get_brand(brand_id)
            c = d.stores.collaborations.require(brand_id, collaboration_id)
            return _page(c, brand.name if brand else "", req.params.get("token", ""))
        body = ActionBody.model_validate(_body(event))
        updated = collaborations.act(d, brand_id, collaboration_id, action, body, by="creator", ip=req.ip)
    except ValidationError as exc:
        details = [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
        return edge.error_answer(422, "validation_error", "invalid input", details)
    except json.JSONDecodeError as exc:
        return edge.error_answer(400, "malformed_json", edge.malformed_json_message(exc.msg))
    except ValueError as exc:
        return edge.error_answer(400, "bad_request", str(exc))
    except RosterError as exc:
        return edge.for_error(exc)
    logger.info("creator action", extra={"action": action, "collaboration_id": collaboration_id})
    return edge.json_answer(200, {"stage": updated.stage, "status": updated.status})
