"""The collaboration page, `/c/{token}`: everything one creator does in one campaign, from a phone,
without JavaScript.

`GET /c/{token}` shows the brand and campaign (brief, content rules), where things stand in words,
what waits for the creator and until when (and what happens when that passes), a form for every
action the waiting step allows them, the current offer and the whole negotiation, the deliverables
and their states, the content drafts (`roster.portal.drafts`), their tracking link and promo code,
and what the collaboration earned. `GET /c/{token}/contract` is the full contract and its sign form
(then the signed document). `POST /c/{token}/{action}` takes one action: a browser's form (its CSRF
token checked first) ends in a 303 back to the page (`?done=<action>`), which shows the new state or
says that the workflow is moving on and refreshes itself; a refused form is the page again with
the reason (422 with the values kept, 409 with the current state, 403 without a valid CSRF token).
A machine posting JSON gets the JSON answers it always got.

The token is signed per collaboration (anything else is a 404); a closed collaboration's link
works `creator_link_days` after it closed, then it is a 410 pointing to the creator's home."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError

from roster import clock, money
from roster.api import json_body
from roster.deps import Deps
from roster.errors import Conflict, NotFound, RosterError, ValidationFailed
from roster.models.campaigns import Campaign
from roster.models.collaborations import (
    CREATOR_ACTIONS,
    ActionBody,
    Collaboration,
    DeliverableUnit,
    Offer,
    Terms,
    TimelineEvent,
)
from roster.models.creators import Platform
from roster.observability import logger
from roster.outreach import mail
from roster.portal import csrf, drafts, earnings, http
from roster.portal import page as ui
from roster.store.collaborations import PRIVATE
from roster.web import edge
from roster.workflows import collaborations, deliverables

# After a form's action, wait this long at most for the workflow to reach its next step before the
# redirect (the page then shows the new step, or says it is moving on and refreshes itself).
SETTLE_SECONDS = 2.0
SETTLE_POLL = 0.2
REFRESH_SECONDS = 2
ROWS = 3  # deliverable rows of the counter-offer form, at least (more when the offer has more)
MAX_ROWS = 20  # as many as `Terms.deliverables` takes
ROW_KEY = re.compile(r"count_([0-9]{1,2})")  # a row's field, as the form names it (others are ignored)
DIGITS = re.compile(r"[0-9]{1,6}")  # ASCII digits: `str.isdigit` also takes "²", which int() refuses
FORM_ACTIONS = ("accept", "decline", "counter", "accept-terms", "sign", "confirm-delivery", "submit-post")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PLATFORMS = "|".join(f"{p.value}={p.value.capitalize()}" for p in Platform)


@dataclass(frozen=True)
class PageContext:
    """What a section of the collaboration page (e.g. `roster.portal.drafts`) gets: the brand, the
    page's own token (links: `ctx.href` + "/<action>"), the record as just read (and its private
    part: never shown), its campaign, the CSRF token for this page's forms (scope `"c:" + id`), the
    creator actions the waiting step allows now, and the public base of links."""

    brand_id: str
    brand_name: str
    token: str
    collaboration: Collaboration
    private: dict[str, Any]
    campaign: Campaign
    csrf_token: str
    actions: list[str]
    base_url: str
    cookies: list[str] = field(default_factory=list)  # Set-Cookie values to pass to `page.render`

    @property
    def href(self) -> str:
        """The page's own path (forms post to `f"{ctx.href}/<action>"`)."""
        return f"/c/{self.token}"


# --- words --------------------------------------------------------------------------------------------

STAGE_WORDS = {
    "invite": "Invitation: waiting for your answer",
    "negotiate": "Agreeing the terms",
    "contract": "Contract",
    "onboard": "Getting you set up: tracking link, promo code and brief",
    "seeding": "Product seeding",
    "content": "Content drafts",
    "live": "Going live: publish and submit your posts",
    "measure": "Measuring how your posts do",
    "close": "Wrapping up",
}
OUTCOME_WORDS = {
    "completed": "Completed. Thank you for working with us!",
    "declined": "You declined this invitation.",
    "no_answer": "The invitation expired without an answer.",
    "cancelled": "The collaboration was cancelled.",
    "failed": "The collaboration stopped because of a problem on our side; the brand has been told.",
}
STATE_WORDS = {
    "due": "due: submit its post",
    "posted": "posted: awaiting proof (a clear disclosure such as #ad near the start, or the brand's OK)",
    "verified": "verified",
    "booked": "verified, fee booked",
}
DONE = {
    "accept": "You accepted the invitation.",
    "decline": "You declined the invitation. Thank you for letting the brand know.",
    "counter": "Your counter-offer was sent to the brand.",
    "accept-terms": "You accepted the brand's offer: the contract comes next.",
    "sign": "You signed the contract.",
    "confirm-delivery": "Thank you: the delivery is confirmed.",
    "submit-post": "Your post was submitted.",
    "submit-content": "Your draft was sent to the brand for review.",
}
EVENT_WORDS = {
    "created": "Collaboration created",
    "offer": "Offer",
    "accept": "Invitation accepted",
    "decline": "Invitation declined",
    "counter": "Counter-offer",
    "accept-terms": "Offer accepted",
    "contract issued": "Contract issued",
    "sign": "Contract signed",
    "record-shipment": "Product shipped",
    "confirm-delivery": "Delivery confirmed",
    "submit-content": "Draft submitted",
    "approve-content": "Draft approved",
    "request-changes": "Changes requested",
    "grant-round": "One more round granted",
    "submit-post": "Post submitted",
    "extend": "More time given",
    "cancel": "Cancelled",
    "rate": "Rated",
}
WHO = {"brand": "the brand", "creator": "you", "roster": "Roster"}


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        at = clock.parse(iso)
    except ValueError:
        return iso
    return f"{at.day} {at:%b %Y, %H:%M} UTC"


def _day(d: date | None) -> str:
    return f"{d.day} {d:%b %Y}" if d else ""


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _fee(t: Terms) -> str:
    if not t.fee_per_deliverable:
        return "no fixed fee"
    f = t.fee_per_deliverable
    units = sum(d.count for d in t.deliverables)
    each = earnings.amount_text(f.amount, f.currency)
    total = earnings.amount_text(f.amount * units, f.currency)
    return f"{each} per deliverable; {total} in total for {units} deliverable{'s' if units != 1 else ''}"


def _commission(ctx: PageContext, t: Terms) -> str:
    if not t.commission:
        return "No commission on orders"
    plan = ctx.campaign.commission.for_creator(ctx.collaboration.creator_id)
    parts = []
    if plan.tiers:
        parts.append(
            "from "
            + " rising to ".join(f"{tier.percent_bps / 100:g}%" for tier in plan.tiers)
            + " of items sold"
        )
    elif plan.percent_bps:
        parts.append(f"{plan.percent_bps / 100:g}% of the items of each order you bring")
    if plan.cpa:
        parts.append("a fixed amount per order")
    what = " and ".join(parts) or "the campaign's commission plan"
    return f"Yes: {what}, through your link or code (pending {plan.hold_days} days, the return window)"


def _terms_rows(ctx: PageContext, t: Terms, *, full: bool = False) -> list[tuple[str, str]]:
    items = ", ".join(f"{d.count} × {d.platform} {d.format}" for d in t.deliverables)
    rows = [
        ("Deliverables", ui.esc(items)),
        ("Fee", ui.esc(_fee(t)[:1].upper() + _fee(t)[1:])),
        ("Posting window", ui.esc(f"{_day(t.posting_window_start)} to {_day(t.posting_window_end)}")),
        ("Content due", ui.esc(_day(t.content_due) or "No date set")),
        ("Product seeding", ui.esc(t.product_seeding or "None")),
        ("Usage rights", ui.esc(f"{t.usage_rights}, for {t.usage_rights_days} days")),
        ("Commission", ui.esc(_commission(ctx, t))),
    ]
    if full:
        rows += [
            (
                "Disclosure",
                ui.esc(
                    "Required: a clear #ad (or the platform's paid-partnership label) near the start"
                    if t.disclosure_required
                    else "Not required by the contract"
                ),
            ),
            ("Cancellation", ui.esc(t.cancellation_clause)),
        ]
    return rows


# --- reading the page's record --------------------------------------------------------------------


def _machine(req: http.Request) -> bool:
    """A client that is not a browser's form: it asked for JSON, or sent something no form sends."""
    ctype = req.headers.get("content-type", "")
    return req.wants_json or (req.method == "POST" and not ctype.startswith(FORM_TYPES))


def _closed_at(c: Collaboration) -> str:
    ends = [e.at for e in c.timeline if e.type.startswith("closed")]
    return ends[-1] if ends else c.updated_at


def _expired(c: Collaboration, days: int) -> bool:
    if c.status != "closed":
        return False
    try:
        closed = clock.parse(_closed_at(c))
    except ValueError:
        return False
    return clock.now() > closed + timedelta(days=days)


def creator_actions(c: Collaboration) -> list[str]:
    """What the step waits for that the creator can do: accepting terms only when the latest offer
    is the brand's (nobody accepts their own)."""
    actions = [a for a in (c.waiting_for.actions if c.waiting_for else []) if a in CREATOR_ACTIONS]
    mine = bool(c.offers) and c.offers[-1].by == "creator"
    return [a for a in actions if not (a == "accept-terms" and (mine or not c.offers))]


def _open(d: Deps, req: http.Request) -> PageContext | dict[str, Any]:
    """The page's context, or the answer refusing the link (404 forged or unknown, 410 expired)."""
    key = d.settings.outreach_signing_key or ""
    token = req.params.get("token", "")
    found = mail.read_collaboration_token(key, token) if key else None
    raw = d.stores.collaborations.get_raw(*found) if found else None
    if found is None or raw is None:
        if _machine(req):
            return edge.error_answer(404, "not_found", "this link is not valid")
        return ui.problem(
            404,
            "Link not found",
            "This collaboration link is not valid. Open the whole link from the brand's email, or ask "
            "the brand to send it again.",
        )
    brand_id, _ = found
    c = Collaboration.model_validate(raw)
    brand = d.stores.brands.get_brand(brand_id)
    name = brand.name if brand else ""
    days = d.settings.creator_link_days
    if _expired(c, days):
        if _machine(req):
            return edge.error_answer(410, "gone", "this collaboration closed; its link has expired")
        return ui.problem(
            410,
            "This link has expired",
            f"This collaboration closed on {_when(_closed_at(c))}, and its page stays open for {days} days "
            "after. Your creator home still shows it, with your links and earnings.",
            brand=name,
            next_href=f"/h/{brand_id}",
            next_text="Go to your creator home",
        )
    campaign = d.stores.campaigns.require(brand_id, c.campaign_id)
    deliverables.ensure(c)
    csrf_token, cookies = csrf.issue(req, key, "c:" + c.id)
    return PageContext(
        brand_id=brand_id,
        brand_name=name,
        token=token,
        collaboration=c,
        private={k: raw.get(k) for k in PRIVATE},
        campaign=campaign,
        csrf_token=csrf_token,
        actions=creator_actions(c),
        base_url=d.settings.link_base_url or "",
        cookies=cookies,
    )


# --- the page -------------------------------------------------------------------------------------


@dataclass
class Refused:
    """A form sent back: which one, the values as typed and a message per field (or for the form)."""

    action: str
    values: dict[str, str]
    errors: dict[str, str]
    message: str = "Please correct the fields marked below: nothing was changed."


def _nav(ctx: PageContext) -> list[tuple[str, str]]:
    nav = [(ctx.href, "Collaboration")]
    if ctx.collaboration.contract:
        nav.append((f"{ctx.href}/contract", "Contract"))
    return [*nav, (f"/h/{ctx.brand_id}", "Creator home")]


def _moving_on(c: Collaboration) -> bool:
    """Between two steps (a task runs): the page refreshes itself until the next step waits. The
    measurement window is a wait of days, not a step being taken."""
    return c.status == "open" and c.waiting_for is None and c.stage != "measure"


def _answer(
    d: Deps, ctx: PageContext, title: str, body: str, status: int = 200, cookies: list[str] | None = None
) -> dict[str, Any]:
    upload_origin, media_origin = drafts.origins(d)
    out = ui.render(
        status,
        title,
        body,
        brand=ctx.brand_name,
        nav=_nav(ctx),
        cookies=(cookies or []) + ctx.cookies or None,
        upload_origin=upload_origin,
        media_origin=media_origin,
    )
    return out


def _render(
    d: Deps,
    req: http.Request,
    ctx: PageContext,
    *,
    status: int = 200,
    refused: Refused | None = None,
    conflict: str | None = None,
) -> dict[str, Any]:
    c = ctx.collaboration
    parts: list[str] = []
    done = DONE.get(req.query.get("done", ""))
    if done and status == 200:
        parts.append(ui.notice(done, "ok"))
    if conflict:
        parts.append(ui.notice(conflict, "error"))
    if refused:
        parts.append(ui.notice(refused.message, "error"))
    parts.append(_status_card(ctx, d.settings.creator_link_days))
    parts.append(_actions(d, req, ctx, refused))
    parts.append(_offer_card(ctx))
    parts.append(_brief_card(ctx))
    parts.append(_history_card(ctx))
    parts.append(_deliverables_card(ctx))
    if "submit-content" not in ctx.actions:  # while it is, the drafts card is among the actions
        parts.append(drafts.section(d, req, ctx))
    parts.append(_shipment_card(ctx))
    parts.append(_contract_card(ctx))
    parts.append(_links_card(d, ctx))
    parts.append(_timeline_card(c))
    return _answer(d, ctx, ctx.campaign.name, "".join(p for p in parts if p), status)


def _status_card(ctx: PageContext, days: int) -> str:
    c = ctx.collaboration
    if c.status == "closed":
        until = clock.iso(clock.parse(_closed_at(c)) + timedelta(days=days))
        line = OUTCOME_WORDS.get(c.outcome or "", "Closed.")
        inner = (
            f'<p class="status-line"><strong>Closed</strong>: {ui.esc(line)}</p>'
            f"<p>This page stays open until {ui.esc(_when(until))}; your creator home keeps "
            "your links and earnings after that.</p>"
        )
        return ui.card("Where things stand", inner, id="status")
    line = STAGE_WORDS.get(c.stage, c.stage)
    if c.stage == "contract" and c.contract and c.contract.signature:
        line = "Contract signed"
    inner = f'<p class="status-line"><strong>{ui.esc(line)}</strong></p>' + _waiting(ctx)
    return ui.card("Where things stand", inner, id="status")


def _waiting(ctx: PageContext) -> str:
    """What waits for the creator now and until when, and what happens when that passes."""
    c = ctx.collaboration
    w = c.waiting_for
    flow = ctx.campaign.workflow
    if w is None:
        if c.stage == "measure":
            return (
                f"<p>Nothing to do for you now: the brand measures how your posts do for "
                f"{ui.esc(_duration(flow.performance_seconds))}.</p>"
            )
        return (
            ui.notice(
                "Roster is moving your collaboration on to its next step. This page updates itself in a "
                "moment; without scripts, use Refresh now.",
                "info",
            )
            # The page's script follows the link after REFRESH_SECONDS: a timed `<meta refresh>`
            # would do it without script, but it is an accessibility failure (WCAG 2.2.1, axe's
            # meta-refresh), and the link is there for whoever reads slower than the workflow moves.
            + f'<p><a href="{ui.esc(ctx.href)}" data-refresh="{REFRESH_SECONDS}">Refresh now</a></p>'
        )
    until = ui.esc(_when(w.until))
    due = ui.esc(_when(w.due)) if w.due else until
    late = (
        f"We remind you before it is due; if it is still missing {ui.esc(_duration(flow.grace_seconds))} "
        "after, the brand decides whether to give you more time or end the collaboration."
    )
    acts = set(w.actions)
    if "accept" in acts:
        text = (
            f"<strong>Waiting for you</strong>: accept or decline the invitation by {until}. If you don't "
            "answer by then, the invitation expires."
        )
    elif c.stage == "negotiate" and "accept-terms" in ctx.actions:
        text = (
            "<strong>Waiting for you</strong>: accept the brand's offer or make a counter-offer. If "
            f"neither side answers by {until}, the brand is told the talks have stalled; the offer stays "
            "open."
        )
    elif c.stage == "negotiate":
        text = (
            "<strong>Waiting for the brand</strong> to answer your offer: they accept it or counter. If "
            f"they have not answered by {until}, they are reminded. You can still change your offer."
        )
    elif "sign" in acts:
        text = f"<strong>Waiting for you</strong>: read and sign the contract by {due}. {late}"
    elif "record-shipment" in acts:
        text = (
            "<strong>Waiting for the brand</strong> to ship your product. If nothing is shipped by "
            f"{until}, they are reminded."
        )
    elif "confirm-delivery" in acts:
        text = (
            "<strong>Waiting for you</strong>: confirm here when the product arrives. If delivery is not "
            f"confirmed by {until}, the brand is asked to check."
        )
    elif "submit-content" in acts:
        text = f"<strong>Waiting for you</strong>: submit your content draft by {due}. {late}"
    elif "grant-round" in acts:
        text = (
            "<strong>Waiting for the brand</strong>: no revision rounds are left, so the brand decides "
            "whether to approve your last draft, give you one more round or end the collaboration."
        )
    elif "approve-content" in acts:
        text = (
            "<strong>Waiting for the brand</strong> to review your draft. If they have not decided by "
            f"{until}, they are reminded."
        )
    elif "submit-post" in acts:
        left = [u for u in c.deliverables if u.state == "due"]
        still = f" ({len(left)} still due)" if left else ""
        text = f"<strong>Waiting for you</strong>: publish and submit your posts{still} by {due}. {late}"
    elif "rate" in acts:
        text = "All done on your side. The brand is wrapping up the collaboration."
    else:
        text = "<strong>Waiting for the brand.</strong>"
    return f"<p>{text}</p>"


# --- the forms ----------------------------------------------------------------------------------------


def _values(refused: Refused | None, action: str) -> tuple[dict[str, str], dict[str, str]]:
    if refused and refused.action == action:
        return refused.values, refused.errors
    return {}, {}


def _actions(d: Deps, req: http.Request, ctx: PageContext, refused: Refused | None) -> str:
    acts = ctx.actions
    out = []
    if "accept" in acts or "decline" in acts:
        out.append(_answer_card(ctx, refused))
    if "accept-terms" in acts or "counter" in acts:
        out.append(_counter_card(ctx, refused))
    if "sign" in acts:
        link = f'<p><a class="button" href="{ui.esc(ctx.href)}/contract">Read and sign the contract</a></p>'
        out.append(ui.card("Sign the contract", "<p>The contract is ready.</p>" + link, id="sign"))
    if "confirm-delivery" in acts:
        out.append(_delivery_card(ctx))
    if "submit-content" in acts:
        out.append(drafts.section(d, req, ctx))
    if "submit-post" in acts:
        out.append(_post_card(ctx, refused))
    return "".join(out)


def _answer_card(ctx: PageContext, refused: Refused | None) -> str:
    values, errors = _values(refused, "decline")
    accept = ui.form(f"{ctx.href}/accept", ctx.csrf_token, "", "Accept the invitation")
    reason = ui.field(
        "Reason (optional)",
        "reason",
        kind="textarea",
        value=values.get("reason"),
        error=errors.get("reason"),
        hint="Tell the brand why, if you like (up to 1,000 characters).",
        attrs='maxlength="1000" rows="3"',
        form_id="decline",
    )
    decline = ui.form(f"{ctx.href}/decline", ctx.csrf_token, reason, "Decline", danger=True)
    intro = (
        f"<p>{ui.esc(ctx.brand_name)} invites you to {ui.esc(ctx.campaign.name)}. Read the offer and the "
        "brief below, then answer.</p>"
    )
    return ui.card("Your answer", intro + accept + "<h3>Or decline</h3>" + decline, id="answer")


def _counter_card(ctx: PageContext, refused: Refused | None) -> str:
    c = ctx.collaboration
    latest = c.offers[-1] if c.offers else None
    parts = []
    if "accept-terms" in ctx.actions and latest:
        parts.append(
            f"<p>The brand's offer {len(c.offers)} (above) stands as it is. Accept it, or make a "
            "counter-offer.</p>"
            + ui.form(f"{ctx.href}/accept-terms", ctx.csrf_token, "", "Accept these terms")
        )
    if "counter" in ctx.actions:
        parts.append("<h3>Make a counter-offer</h3>" + _counter_form(ctx, latest, refused))
    return ui.card("Your reply to the offer", "".join(parts), id="reply")


def _counter_form(ctx: PageContext, latest: Offer | None, refused: Refused | None) -> str:
    t = latest.terms if latest else None
    values, errors = _values(refused, "counter")
    if not values and t:
        fee = t.fee_per_deliverable
        values = {
            "fee": str(Decimal(fee.amount).scaleb(-money.exponent(fee.currency))) if fee else "",
            "currency": fee.currency if fee else "USD",
            "posting_window_start": t.posting_window_start.isoformat(),
            "posting_window_end": t.posting_window_end.isoformat(),
            "content_due": t.content_due.isoformat() if t.content_due else "",
        }
        for i, dl in enumerate(t.deliverables):
            values |= {
                f"platform_{i}": dl.platform.value,
                f"format_{i}": dl.format,
                f"count_{i}": str(dl.count),
            }
    values = values or {"currency": "USD"}
    rows = max(ROWS, len(t.deliverables) + 1 if t else ROWS)
    rows = min(
        MAX_ROWS,
        max(rows, 1 + max((int(m.group(1)) for k in values if (m := ROW_KEY.fullmatch(k))), default=0)),
    )

    def f(label: str, name: str, **kw: Any) -> str:
        return ui.field(label, name, value=values.get(name), error=errors.get(name), form_id="counter", **kw)

    inner = f(
        "Fee per deliverable",
        "fee",
        attrs='inputmode="decimal" autocomplete="off"',
        hint="For each deliverable (two reels are two). Leave empty for no fixed fee.",
    ) + f(
        "Currency",
        "currency",
        attrs='maxlength="3" autocapitalize="characters" autocomplete="off"',
        hint="Three letters, e.g. USD, EUR, GBP.",
    )
    for i in range(rows):
        inner += (
            f'<fieldset class="deliverable"><legend>Deliverable {i + 1}'
            f"{'' if i == 0 else ' (optional)'}</legend>"
            + f("Platform", f"platform_{i}", kind=f"select:=Choose…|{PLATFORMS}")
            + f("Format", f"format_{i}", hint="e.g. reel, story, video, post", attrs='maxlength="50"')
            + f("How many", f"count_{i}", kind="number", attrs='min="1" max="100" inputmode="numeric"')
            + "</fieldset>"
        )
    inner += (
        f("Posting window starts", "posting_window_start", kind="date", required=True)
        + f("Posting window ends", "posting_window_end", kind="date", required=True)
        + f("Content due (optional)", "content_due", kind="date", hint="When your first draft is due.")
        + f("Note to the brand (optional)", "note", kind="textarea", attrs='maxlength="2000" rows="3"')
        + '<p class="hint">Usage rights, product seeding, commission and the cancellation clause stay as in '
        "the current offer.</p>"
    )
    return ui.form(f"{ctx.href}/counter", ctx.csrf_token, inner, "Send counter-offer", secondary=True)


def _delivery_card(ctx: PageContext) -> str:
    s = ctx.collaboration.shipment
    shipped = (
        ui.definitions(
            [
                ("Carrier", ui.esc(s.carrier)),
                ("Tracking", ui.esc(s.tracking_number)),
                ("Shipped", ui.esc(_when(s.shipped_at))),
            ]
        )
        if s
        else ""
    )
    button = ui.form(f"{ctx.href}/confirm-delivery", ctx.csrf_token, "", "I received the product")
    return ui.card(
        "Your product is on its way",
        shipped + "<p>Confirm here once it has arrived: the content step starts then.</p>" + button,
        id="delivery",
    )


def _post_card(ctx: PageContext, refused: Refused | None) -> str:
    values, errors = _values(refused, "submit-post")
    due = [u for u in ctx.collaboration.deliverables if u.state == "due"]
    platforms = list(dict.fromkeys(u.platform.value for u in due))
    options = "|".join(f"{p}={p.capitalize()}" for p in platforms)
    still = ", ".join(deliverables.label(u) for u in due)
    inner = (
        (f"<p>Still due: {ui.esc(still)}. Submit each post on its own.</p>" if still else "")
        + ui.field(
            "Post URL",
            "url",
            kind="url",
            value=values.get("url"),
            error=errors.get("url"),
            required=True,
            hint="The link to the live post, e.g. https://www.instagram.com/p/…",
            attrs='inputmode="url" autocomplete="off"',
            form_id="post",
        )
        + (
            ui.field(
                "Platform",
                "platform",
                kind=f"select:=From the link|{options}",
                value=values.get("platform"),
                error=errors.get("platform"),
                form_id="post",
            )
            if len(platforms) > 1
            else ""
        )
        + ui.field(
            "Caption, as posted",
            "text",
            kind="textarea",
            value=values.get("text"),
            error=errors.get("text"),
            hint="Paste the caption exactly as published: Roster checks it for a clear disclosure when it "
            "cannot read the post's page.",
            attrs='maxlength="20000" rows="4"',
            form_id="post",
        )
    )
    return ui.card(
        "Submit your post",
        ui.form(f"{ctx.href}/submit-post", ctx.csrf_token, inner, "Submit post"),
        id="post",
    )


# --- the other cards ----------------------------------------------------------------------------------


def _offer_card(ctx: PageContext) -> str:
    c = ctx.collaboration
    if c.contract:
        heading, t, lead = (
            "The agreed terms",
            c.contract.terms,
            "<p>These are the terms of your contract.</p>",
        )
    elif c.offers:
        o = c.offers[-1]
        heading, t = "Current offer", o.terms
        lead = f"<p>Offer {len(c.offers)}, from {WHO[o.by]}, {ui.esc(_when(o.at))}.</p>"
        if o.note:
            lead += f"<p>Note: {ui.esc(o.note)}</p>"
    else:
        return ""
    return ui.card(heading, lead + ui.definitions(_terms_rows(ctx, t)), id="offer")


def _history_card(ctx: PageContext) -> str:
    c = ctx.collaboration
    if not c.offers:
        return ""
    items = []
    for n, o in enumerate(c.offers, 1):
        t = o.terms
        fee = _fee(t)
        what = ", ".join(f"{d.count} × {d.platform} {d.format}" for d in t.deliverables)
        accepted = (
            f" <strong>Accepted by {WHO[o.accepted_by]}</strong>, {ui.esc(_when(o.accepted_at))}."
            if o.accepted_by
            else ""
        )
        note = f"<br>Note: “{ui.esc(o.note)}”" if o.note else ""
        items.append(
            f"<li><strong>Offer {n}</strong>, from {WHO[o.by]}, {ui.esc(_when(o.at))}: {ui.esc(what)}; "
            f"{ui.esc(fee)}; posting {ui.esc(_day(t.posting_window_start))} to "
            f"{ui.esc(_day(t.posting_window_end))}.{accepted}{note}</li>"
        )
    listed = f'<ol class="offers">{"".join(items)}</ol>'
    if c.contract:  # agreed: the history is kept, folded
        listed = f"<details><summary>Every offer, oldest first ({len(items)})</summary>{listed}</details>"
    return ui.card("Negotiation history", listed, id="history")


def _deliverable(u: DeliverableUnit) -> str:
    post = f' <a href="{ui.esc(u.post_url)}" rel="noreferrer">post</a>' if u.post_url else ""
    verdict = f" (disclosure: {ui.esc(u.disclosure)})" if u.disclosure and u.state == "posted" else ""
    fee = f" · {ui.esc(earnings.amount_text(u.fee.amount, u.fee.currency))}" if u.fee else ""
    return (
        f'<li>{ui.esc(deliverables.label(u))}: <span data-state="{ui.esc(u.state)}">'
        f"{ui.esc(STATE_WORDS[u.state])}</span>{verdict}{fee}{post}</li>"
    )


def _deliverables_card(ctx: PageContext) -> str:
    units = ctx.collaboration.deliverables
    if not units:
        return ""
    return ui.card(
        "Deliverables", "<ul>" + "".join(_deliverable(u) for u in units) + "</ul>", id="deliverables"
    )


def _shipment_card(ctx: PageContext) -> str:
    s = ctx.collaboration.shipment
    if s is None or "confirm-delivery" in ctx.actions:
        return ""
    rows = [("Carrier", ui.esc(s.carrier)), ("Tracking", ui.esc(s.tracking_number))]
    rows.append(("Shipped", ui.esc(_when(s.shipped_at))))
    if s.delivered_at:
        rows.append(
            ("Delivered", ui.esc(f"{_when(s.delivered_at)} (confirmed by {WHO[s.confirmed_by or 'brand']})"))
        )
    return ui.card("Your product", ui.definitions(rows), id="shipment")


def _contract_card(ctx: PageContext) -> str:
    k = ctx.collaboration.contract
    if k is None or "sign" in ctx.actions:
        return ""
    signed = (
        f"Signed by {ui.esc(k.signature.name)} on {ui.esc(_when(k.signature.at))}."
        if k.signature
        else "Not signed yet."
    )
    link = f'<a href="{ui.esc(ctx.href)}/contract">Read the contract</a>'
    return ui.card("Contract", f"<p>{signed} {link}</p>", id="contract")


def _links_card(d: Deps, ctx: PageContext) -> str:
    c = ctx.collaboration
    base = d.settings.link_base_url or ""
    links = d.stores.links.all(ctx.brand_id, campaign_id=c.campaign_id, creator_id=c.creator_id)
    codes = d.stores.promo_codes.all(ctx.brand_id, campaign_id=c.campaign_id, creator_id=c.creator_id)
    parts = []
    for i, link in enumerate(links):
        parts.append(ui.copy_field("Your tracking link", f"{base}/r/{link.code}", f"link-{i}"))
    for i, code in enumerate(codes):
        parts.append(ui.copy_field("Your promo code", code.code, f"code-{i}"))
    if not parts and c.stage in ("invite", "negotiate", "contract"):
        parts.append("<p>Your tracking link and promo code arrive once the contract is signed.</p>")
    earned = earnings.for_creator(d.stores, ctx.brand_id, c.creator_id, campaign_id=c.campaign_id)
    booked: dict[str, int] = {}
    for u in c.deliverables:
        if u.state == "booked" and u.fee:
            booked[u.fee.currency] = booked.get(u.fee.currency, 0) + u.fee.amount
    fees = "; ".join(earnings.amount_text(v, k) for k, v in sorted(booked.items()))
    table = earnings.render_totals(earned.totals)
    parts.append("<h3>What this collaboration earned</h3>" + table)
    parts.append(
        f"<p>Fixed fees booked: {ui.esc(fees)} (in the totals above).</p>"
        if fees
        else "<p>No fixed fee booked yet.</p>"
    )
    return ui.card("Your link, code and earnings", "".join(parts), id="earnings")


def _brief_card(ctx: PageContext) -> str:
    camp = ctx.campaign
    rules = camp.content
    terms = ctx.collaboration.contract.terms if ctx.collaboration.contract else camp.default_terms
    rows = []
    if rules.hashtags:
        rows.append(("Hashtags", ui.esc(" ".join(rules.hashtags))))
    if rules.mentions or rules.mandatory_mentions:
        rows.append(("Mention", ui.esc(", ".join(dict.fromkeys(rules.mandatory_mentions + rules.mentions)))))
    if rules.keywords:
        rows.append(("Keywords", ui.esc(", ".join(rules.keywords))))
    if rules.banned_terms:
        rows.append(("Never use", ui.esc(", ".join(rules.banned_terms))))
    if terms is None or terms.disclosure_required:
        rows.append(
            ("Disclosure", "Start every caption with a clear disclosure such as <strong>#ad</strong>.")
        )
    if camp.monitoring.posts_due:
        rows.append(("Posts due", ui.esc(_day(camp.monitoring.posts_due))))
    brief = (
        '<div class="brief">'
        + "".join(f"<p>{ui.esc(p)}</p>" for p in camp.brief.splitlines() if p.strip())
        + "</div>"
        if camp.brief
        else '<p class="muted">The brand has not written a brief yet.</p>'
    )
    return ui.card(
        f"The brief: {camp.name}", brief + "<h3>Content rules</h3>" + ui.definitions(rows), id="brief"
    )


def _event(e: TimelineEvent) -> str:
    words = EVENT_WORDS.get(e.type) or e.type.replace("closed: ", "Closed: ").capitalize()
    if e.type in ("offer", "counter") and e.detail.get("offer"):
        words += f" {e.detail['offer']}"
    return f"<li>{ui.esc(_when(e.at))}: {ui.esc(words)} ({WHO[e.by]})</li>"


def _timeline_card(c: Collaboration) -> str:
    rows = "".join(_event(e) for e in reversed(c.timeline[-30:]))
    return ui.card(
        "Timeline",
        f"<details><summary>Everything so far, newest first</summary><ul>{rows}</ul></details>",
        id="timeline",
    )


# --- the contract page --------------------------------------------------------------------------------


def _contract_page(
    d: Deps, req: http.Request, ctx: PageContext, *, status: int = 200, refused: Refused | None = None
) -> dict[str, Any]:
    c = ctx.collaboration
    k = c.contract
    back = f'<p><a href="{ui.esc(ctx.href)}">Back to your collaboration</a></p>'
    if k is None:
        inner = (
            "<p>The contract is issued once you and the brand agree the terms; it will be here then.</p>"
            + back
        )
        return _answer(d, ctx, "Contract", ui.card("Not ready yet", inner, id="terms"), status)
    parts = [ui.notice(refused.message, "error")] if refused else []
    about = [
        ("Between", ui.esc(f"{ctx.brand_name or 'The brand'} and you")),
        ("Campaign", ui.esc(ctx.campaign.name)),
        ("Issued", ui.esc(_when(k.issued_at))),
    ]
    if k.offer:
        about.append(("Freezes", ui.esc(f"Offer {k.offer} of the negotiation, as accepted")))
    about.append(
        (
            "Document fingerprint",
            f'<code class="hash">{ui.esc(k.document_hash)}</code>'
            '<span class="hint">SHA-256 of these terms: what a signature covers.</span>',
        )
    )
    parts.append(
        ui.card(
            "The contract",
            ui.definitions(about) + "<h3>Terms</h3>" + ui.definitions(_terms_rows(ctx, k.terms, full=True)),
            id="terms",
        )
    )
    if k.signature:
        sig = k.signature
        same = "the same as above" if sig.document_hash == k.document_hash else "NOT the document above"
        parts.append(
            ui.card(
                "Signed",
                f"<p>Signed by <strong>{ui.esc(sig.name)}</strong> on {ui.esc(_when(sig.at))}. The signature "
                f'covers the document fingerprint <code class="hash">{ui.esc(sig.document_hash)}</code>, '
                f"{same}.</p>",
                id="signature",
            )
        )
    elif "sign" in ctx.actions:
        values, errors = _values(refused, "sign")
        inner = ui.field(
            "Your full name",
            "name",
            value=values.get("name"),
            error=errors.get("name"),
            required=True,
            hint="Typing your name is your signature.",
            attrs='autocomplete="name" maxlength="200"',
            form_id="sign",
        ) + ui.checkbox(
            "I have read this contract and agree to sign it electronically.",
            "consent",
            checked=values.get("consent") == "yes",
            error=errors.get("consent"),
            form_id="sign",
            required=True,
        )
        parts.append(
            ui.card(
                "Sign", ui.form(f"{ctx.href}/sign", ctx.csrf_token, inner, "Sign the contract"), id="sign"
            )
        )
    else:
        parts.append(
            ui.card("Not signed", "<p>This contract is not open for signing now.</p>", id="signature")
        )
    parts.append(back)
    return _answer(d, ctx, "Contract", "".join(parts), status)


# --- reading a form -----------------------------------------------------------------------------------

FIELD_WORDS = {
    "url": "Enter the whole link to the post, starting with https://.",
    "platform": "Choose one of the platforms.",
    "fee": "Enter an amount, e.g. 250 or 250.00.",
}
PLATFORM_VALUES = frozenset(p.value for p in Platform)


def _field_of(loc: tuple[Any, ...]) -> str:
    """The form field a model error is about (`terms.deliverables.1.format` → `format_1`)."""
    if loc[:1] == ("terms",):
        rest = loc[1:]
        if not rest:
            return "posting_window_end"  # the window check is the model's own
        if rest[0] == "deliverables":
            return f"{rest[2]}_{rest[1]}" if len(rest) >= 3 else "platform_0"
        if rest[0] == "fee_per_deliverable":
            return "fee"
        return str(rest[0])
    return str(loc[0]) if loc else "form"


def _model_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for e in exc.errors():
        name = _field_of(tuple(e["loc"]))
        base = name.split("_")[0] if name[-1:].isdigit() else name
        msg = str(e["msg"]).removeprefix("Value error, ")
        errors.setdefault(name, FIELD_WORDS.get(base, msg[:1].upper() + msg[1:] + "."))
    return errors


def _amount(text: str, currency: str) -> tuple[int | None, str | None]:
    """Minor units of a typed amount ("1,500.50" too), or why it is not one."""
    clean = text.replace(" ", "")
    if "," in clean:
        head, _, tail = clean.partition(".")
        groups = head.split(",")
        if not (
            groups[0].isdigit()
            and len(groups[0]) <= 3
            and all(len(g) == 3 and g.isdigit() for g in groups[1:])
        ):
            return None, "Write the amount with a dot for decimals, e.g. 250.00."
        clean = "".join(groups) + ("." + tail if tail else "")
    try:
        value = Decimal(clean)
    except InvalidOperation:
        return None, FIELD_WORDS["fee"]
    exp = value.as_tuple().exponent
    if not value.is_finite() or value < 0 or not isinstance(exp, int):
        return None, FIELD_WORDS["fee"]
    digits = money.exponent(currency)
    if -exp > digits:
        return None, f"{currency} takes at most {digits} decimals."
    return money.to_minor(value, currency), None


def _counter(ctx: PageContext, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    c = ctx.collaboration
    latest = c.offers[-1].terms if c.offers else ctx.campaign.default_terms
    errors: dict[str, str] = {}
    rows = []
    for i in range(MAX_ROWS):
        platform = form.get(f"platform_{i}", "").strip()
        fmt = " ".join(form.get(f"format_{i}", "").split())
        count_text = form.get(f"count_{i}", "").strip()
        if not (platform or fmt):
            continue
        if platform not in PLATFORM_VALUES:
            errors[f"platform_{i}"] = "Choose the platform."
        if not fmt:
            errors[f"format_{i}"] = "Say what it is, e.g. reel, story or video."
        elif len(fmt) > 50:
            errors[f"format_{i}"] = "Keep it under 50 characters."
        count = int(count_text) if DIGITS.fullmatch(count_text) else 1 if not count_text else 0
        if not 1 <= count <= 100:
            errors[f"count_{i}"] = "Enter a whole number from 1 to 100."
        rows.append({"platform": platform, "format": fmt, "count": count})
    if not rows:
        errors["platform_0"] = "Add at least one deliverable: its platform, format and how many."
    current = latest.fee_per_deliverable.currency if latest and latest.fee_per_deliverable else "USD"
    currency = form.get("currency", "").strip().upper() or current
    fee: dict[str, Any] | None = None
    if fee_text := form.get("fee", "").strip():
        if not money.is_currency(currency):
            errors["currency"] = "Enter a currency code such as USD, EUR or GBP."
        else:
            amount, why = _amount(fee_text, currency)
            if why:
                errors["fee"] = why
            else:
                fee = {"amount": amount, "currency": currency}
    days: dict[str, date | None] = {}
    for name in ("posting_window_start", "posting_window_end", "content_due"):
        text = form.get(name, "").strip()
        days[name] = None
        if not text:
            if name != "content_due":
                errors[name] = "Choose a date."
            continue
        try:
            days[name] = date.fromisoformat(text)
        except ValueError:
            errors[name] = "Enter a date as YYYY-MM-DD."
    start, end = days["posting_window_start"], days["posting_window_end"]
    if start and end and end < start:
        errors["posting_window_end"] = "The posting window must end on or after the day it starts."
    note = form.get("note", "").strip()
    if len(note) > 2000:
        errors["note"] = "Keep the note under 2,000 characters."
    base = latest.model_dump(mode="json") if latest else {}
    terms = base | {
        "deliverables": rows,
        "posting_window_start": start.isoformat() if start else None,
        "posting_window_end": end.isoformat() if end else None,
        "content_due": days["content_due"].isoformat() if days["content_due"] else None,
        "fee_per_deliverable": fee,
    }
    return {"terms": terms} | ({"note": note} if note else {}), errors


def _parse(ctx: PageContext, action: str, form: dict[str, str]) -> ActionBody | Refused:
    """The action's body from its form, or the form back with a message under each bad field."""
    values = {k: v for k, v in form.items() if k != "csrf"}
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if action == "decline":
        if reason := form.get("reason", "").strip():
            data["reason"] = reason
            if len(reason) > 1000:
                errors["reason"] = "Keep the reason under 1,000 characters."
    elif action == "counter":
        data, errors = _counter(ctx, form)
    elif action == "sign":
        name = " ".join(form.get("name", "").split())
        if not name:
            errors["name"] = "Type your full name to sign."
        elif len(name) > 200:
            errors["name"] = "Keep your name under 200 characters."
        if form.get("consent") != "yes":
            errors["consent"] = "Tick the box to agree to sign electronically: nothing is signed without it."
        data = {"name": name, "consent": True}
    elif action == "submit-post":
        url = form.get("url", "").strip()
        if not url:
            errors["url"] = "Paste the link to your live post."
        data = {"url": url}
        if text := form.get("text", "").strip():
            data["text"] = text
        if platform := form.get("platform", "").strip():
            data["platform"] = platform
    if errors:
        return Refused(action, values, errors)
    try:
        return ActionBody.model_validate(data)
    except ValidationError as exc:
        return Refused(action, values, _model_errors(exc))


# --- the handlers -------------------------------------------------------------------------------------


def page(d: Deps, req: http.Request) -> dict[str, Any]:
    """GET /c/{token}: the collaboration as it stands."""
    ctx = _open(d, req)
    return ctx if isinstance(ctx, dict) else _render(d, req, ctx)


def view(d: Deps, req: http.Request) -> dict[str, Any]:
    """GET /c/{token}/contract, and the drafts' pages (`/uploaded`)."""
    ctx = _open(d, req)
    if isinstance(ctx, dict):
        return ctx
    if req.params.get("action") == "contract":
        return _contract_page(d, req, ctx)
    shown = drafts.view(d, req, ctx)
    return shown if shown is not None else _not_here(ctx)


def act(d: Deps, req: http.Request) -> dict[str, Any]:
    """POST /c/{token}/{action}: a browser's form (post/redirect/get), or a machine's JSON."""
    action = req.params.get("action", "")
    ctx = _open(d, req)
    if isinstance(ctx, dict):
        return ctx
    if _machine(req):
        return _act_json(d, req, ctx, action)
    form = req.form()
    if action in drafts.ACTIONS and (out := drafts.act(d, req, ctx, form)) is not None:
        return out
    if action not in FORM_ACTIONS:
        return _not_here(ctx)
    c = ctx.collaboration
    if not csrf.valid(req, d.settings.outreach_signing_key or "", "c:" + c.id, form.get("csrf")):
        return ui.problem(
            403,
            "Form expired",
            "This form could not be checked (it may be old, or opened in another browser), so nothing was "
            "changed. Go back to the page, reload it and try again.",
            brand=ctx.brand_name,
            next_href=ctx.href,
            next_text="Back to your collaboration",
        )
    if action not in ctx.actions:
        return _render(d, req, ctx, status=409, conflict=_moved_on(action))
    body = _parse(ctx, action, form)
    if isinstance(body, Refused):
        return _refuse(d, req, ctx, body)
    try:
        collaborations.act(d, ctx.brand_id, c.id, action, body, by="creator", ip=req.ip)
    except ValidationFailed as exc:
        fields = {str(x.get("field", "")): str(x.get("message", "")) for x in exc.details}
        return _refuse(d, req, ctx, Refused(action, form, fields, f"{exc.message}: nothing was changed."))
    except Conflict as exc:
        fresh = _open(d, req)
        if isinstance(fresh, dict):
            return fresh
        told = _moved_on(action) if action not in fresh.actions else f"Nothing was changed: {exc.message}."
        return _render(d, req, fresh, status=409, conflict=told)
    except NotFound:
        return _not_here(ctx)
    except RosterError as exc:
        return ui.problem(
            int(edge.status_for(exc)),
            "That did not work",
            f"{exc.message}. Nothing was changed.",
            brand=ctx.brand_name,
            next_href=ctx.href,
            next_text="Back to your collaboration",
        )
    logger.info("creator action", extra={"action": action, "collaboration_id": c.id})
    _settle(d, ctx.brand_id, c.id)
    return http.redirect(f"{ctx.href}?done={action}")


ACTION_WORDS = {
    "accept": "accepting the invitation",
    "decline": "declining the invitation",
    "counter": "a counter-offer",
    "accept-terms": "accepting the offer",
    "sign": "signing",
    "confirm-delivery": "confirming the delivery",
    "submit-post": "submitting a post",
}


def _moved_on(action: str) -> str:
    return (
        f"Nothing was changed: {ACTION_WORDS.get(action, action)} is not possible now. The collaboration has "
        "moved on, or it is the brand's turn; this page shows where things stand now."
    )


def _refuse(d: Deps, req: http.Request, ctx: PageContext, refused: Refused) -> dict[str, Any]:
    if refused.action == "sign":
        return _contract_page(d, req, ctx, status=422, refused=refused)
    return _render(d, req, ctx, status=422, refused=refused)


def _not_here(ctx: PageContext) -> dict[str, Any]:
    return ui.problem(
        404,
        "Page not found",
        "There is no such page or action for this collaboration.",
        brand=ctx.brand_name,
        next_href=ctx.href,
        next_text="Back to your collaboration",
    )


def _settle(d: Deps, brand_id: str, collaboration_id: str) -> None:
    """Gives the workflow a moment to reach its next step, so the page after the redirect shows it
    (else that page says it is moving on, and refreshes itself)."""
    end = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < end:
        c = d.stores.collaborations.get(brand_id, collaboration_id)
        if c is None or not _moving_on(c):
            return
        time.sleep(SETTLE_POLL)


def _json_body(req: http.Request) -> dict[str, Any]:
    text = json_body.decode(req.raw)
    if req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {k: v[0] for k, v in parse_qs(text).items()}
    loaded = json_body.loads(text) if text.strip() else {}
    if not isinstance(loaded, dict):
        raise ValueError("body must be a JSON object")
    return loaded


def _act_json(d: Deps, req: http.Request, ctx: PageContext, action: str) -> dict[str, Any]:
    """A machine's action: JSON in, `{"stage", "status"}` or Roster's error shape out. One that
    sends the page's cookie is a browser, and needs the page's CSRF token (`csrf` in the body)."""
    c = ctx.collaboration
    try:
        fields = _json_body(req)
    except json.JSONDecodeError as exc:
        return edge.error_answer(400, "malformed_json", edge.malformed_json_message(exc.msg))
    except ValueError as exc:
        return edge.error_answer(400, "bad_request", str(exc))
    submitted = fields.pop("csrf", None)
    key = d.settings.outreach_signing_key or ""
    if csrf.needs_token(req) and not csrf.valid(req, key, "c:" + c.id, str(submitted or "")):
        return edge.error_answer(403, "forbidden", "this request needs the page's CSRF token")
    if action in drafts.ACTIONS and (out := drafts.act(d, req, ctx, req.form())) is not None:
        return out
    try:
        body = ActionBody.model_validate(fields)
        updated = collaborations.act(d, ctx.brand_id, c.id, action, body, by="creator", ip=req.ip)
    except ValidationError as exc:
        details = [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
        return edge.error_answer(422, "validation_error", "invalid input", details)
    except RosterError as exc:
        return edge.for_error(exc)
    logger.info("creator action", extra={"action": action, "collaboration_id": c.id})
    return edge.json_answer(200, {"stage": updated.stage, "status": updated.status})
