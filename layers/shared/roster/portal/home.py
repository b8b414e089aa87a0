"""Creator home (`/h/{brand_id}`): a creator signs in with a one-time emailed link, then sees
everything they have with this brand — collaborations, links and promo codes, earnings by month,
payouts — and keeps their profile (handles, payout email, shipping address) up to date.

Signing in never tells whether an address is on the roster: the answer is the same either way,
and so is the work the request does (one lookup, one queued job: the outreach worker makes and
emails the link, `roster.outreach.notice_jobs`), so its time tells nothing. The emailed link
opens a "Continue" page and only its POST spends it (mail scanners fetch links). Every post
needs the session and the page's CSRF token; nothing is read outside the brand's partition, and
nothing of another creator (see `roster.portal.sessions`)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from roster import clock
from roster.deps import Deps
from roster.errors import Conflict
from roster.models.auth import Brand
from roster.models.collaborations import CREATOR_ACTIONS, Collaboration
from roster.models.creators import Creator, CreatorPatch, Platform
from roster.observability import logger
from roster.outreach import mail, notice_jobs
from roster.portal import csrf, earnings, http, sessions
from roster.portal import page as kit
from roster.portal.page import esc
from roster.program import creators as program
from roster.web import edge

BRAND_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_COLLABORATIONS = 500  # pages read for one creator; far more than any creator has with a brand
MAX_PAYOUT_PAGES = 20

STAGES = {
    "invite": "Invited",
    "negotiate": "Agreeing the terms",
    "contract": "Contract",
    "onboard": "Getting started",
    "seeding": "Product on its way",
    "content": "Content drafts",
    "live": "Posting",
    "measure": "Measuring the results",
    "close": "Wrapping up",
    "closed": "Closed",
}
OUTCOMES = {
    "completed": "completed",
    "declined": "declined",
    "no_answer": "no answer in time",
    "cancelled": "cancelled",
    "failed": "not completed",
}
ACTIONS = {
    "accept": "accept or decline the invitation",
    "decline": "accept or decline the invitation",
    "counter": "make a counter-offer",
    "accept-terms": "accept the brand's terms",
    "sign": "sign the contract",
    "submit-content": "send your draft",
    "submit-post": "send the link to your post",
    "confirm-delivery": "confirm the product arrived",
}
DONE = {  # ?done= after a post (post/redirect/get): fixed messages, never text from the URL
    "profile": ("Your profile is saved.", "ok"),
    "address": ("Your shipping address is deleted.", "ok"),
    "signed-out": ("You are signed out.", "info"),
}
SENT = (
    "If that address is on {brand}'s roster, a sign-in link is on its way. It works once, within 15 minutes."
)
EXPIRED = "Your session has ended (sessions last 12 hours). Sign in again: nothing was changed."
ADDRESS_FIELDS = (
    ("name", "Name on the parcel", True),
    ("line1", "Address", True),
    ("line2", "Address line 2", False),
    ("city", "City", True),
    ("region", "State or region", False),
    ("postal_code", "Postal code", True),
    ("country", "Country", True),
    ("phone", "Phone (for the courier)", False),
)


def _scope(brand_id: str) -> str:
    return "h:" + brand_id


def _base(d: Deps) -> str:
    return d.settings.link_base_url or ""


def _brand(d: Deps, req: http.Request) -> Brand | None:
    brand_id = req.params.get("brand", "")
    return d.stores.brands.get_brand(brand_id) if BRAND_ID.match(brand_id) else None


CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    410: "gone",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


def _json_error(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    """Roster's error shape, as every other function answers it."""
    details = [{"field": field, "message": message}] if field else []
    return edge.error_answer(status, CODES.get(status, "bad_request"), message, details)


def _refuse(req: http.Request, status: int, title: str, message: str, brand: str = "") -> dict[str, Any]:
    if req.wants_json:
        return _json_error(status, message)
    return kit.problem(status, title, message, brand=brand)


def _not_found(req: http.Request) -> dict[str, Any]:
    return _refuse(req, 404, "Page not found", "There is no page at this address.")


# --- routes ------------------------------------------------------------------------------------


def page(d: Deps, req: http.Request) -> dict[str, Any]:
    """GET /h/{brand}: the creator's home, or the sign-in page without a session."""
    brand = _brand(d, req)
    if brand is None:
        return _not_found(req)
    creator = _signed_in(d, req, brand)
    if creator is None:
        if sessions.had_session(req):  # a cookie of a session that ended: say so, and clear it
            cookies = [sessions.end(d.stores.portal, req, brand.id)]
            return _sign_in_page(d, req, brand, message=EXPIRED, kind="info", cookies=cookies)
        signed_out = DONE["signed-out"][0] if req.query.get("done") == "signed-out" else None
        return _sign_in_page(d, req, brand, message=signed_out, kind="info")
    return _home(d, req, brand, creator)


def view(d: Deps, req: http.Request) -> dict[str, Any]:
    """GET /h/{brand}/link?t=… asks to continue (a GET never spends the link); other GETs of a
    form's address go back home."""
    brand = _brand(d, req)
    if brand is None:
        return _not_found(req)
    action = req.params.get("action", "")
    if action == "link":
        return _continue_page(d, req, brand)
    if action in POSTS:
        return http.redirect(sessions.home_path(brand.id))
    return _not_found(req)


def act(d: Deps, req: http.Request) -> dict[str, Any]:
    """POST /h/{brand}/{action}: sign-in, link, sign-out, profile, delete-address."""
    brand = _brand(d, req)
    handler = POSTS.get(req.params.get("action", ""))
    if brand is None or handler is None:
        return _not_found(req)
    form = req.form()
    if csrf.needs_token(req) and not csrf.valid(
        req, d.settings.outreach_signing_key or "", _scope(brand.id), form.get("csrf")
    ):
        if req.wants_json:
            return _json_error(403, "the form's CSRF token is missing or wrong")
        return kit.problem(
            403,
            "This form has expired",
            "The page was open too long or came from somewhere else. Nothing was changed: "
            "open the page again and repeat.",
            brand=brand.name,
            next_href=sessions.home_path(brand.id),
            next_text="Open the page again",
        )
    return handler(d, req, brand, form)


# --- signing in --------------------------------------------------------------------------------


def _signed_in(d: Deps, req: http.Request, brand: Brand) -> Creator | None:
    creator_id = sessions.current(d.stores.portal, req, brand.id)
    if creator_id is None:
        return None
    creator = d.stores.creators.get(brand.id, creator_id)
    return creator if creator is not None and creator.id == creator_id else None


def _sign_in_form(brand: Brand, token: str, *, email: str = "", error: str | None = None) -> str:
    inner = kit.field(
        "Your email address",
        "email",
        kind="email",
        value=email,
        error=error,
        hint=f"The address {brand.name} has for you. We email you a link that signs you in.",
        required=True,
        attrs='autocomplete="email" maxlength="254"',
        form_id="signin",
    )
    return kit.form(f"/h/{brand.id}/sign-in", token, inner, "Email me a sign-in link")


def _sign_in_page(
    d: Deps,
    req: http.Request,
    brand: Brand,
    *,
    status: int = 200,
    message: str | None = None,
    kind: str = "info",
    email: str = "",
    error: str | None = None,
    cookies: list[str] | None = None,
) -> dict[str, Any]:
    token, csrf_cookies = csrf.issue(req, d.settings.outreach_signing_key or "", _scope(brand.id))
    body = kit.notice(message, kind) if message else ""
    body += (
        f"<p>See your collaborations, links, earnings and payouts with {esc(brand.name)}, "
        "and keep your profile up to date.</p>" + _sign_in_form(brand, token, email=email, error=error)
    )
    return kit.render(
        status,
        "Sign in",
        kit.card("Get a sign-in link", body, id="signin"),
        brand=brand.name,
        cookies=(cookies or []) + csrf_cookies,
    )


def _request_link(d: Deps, req: http.Request, brand: Brand, form: dict[str, str]) -> dict[str, Any]:
    """POST /h/{brand}/sign-in. The same answer whether or not the address is on the roster."""
    email = form.get("email", "").strip()
    if not _looks_like_email(email):
        if req.wants_json:
            return _json_error(422, "enter an email address", "email")
        return _sign_in_page(
            d, req, brand, status=422, email=email, error="Enter an email address, like name@example.com."
        )
    key = d.settings.outreach_signing_key or ""
    if not sessions.allowed(d.stores.portal, key, brand.id, email, req.ip):
        message = "Too many sign-in links were asked for. Wait 15 minutes, then try again."
        if req.wants_json:
            return _json_error(429, message)
        return _sign_in_page(d, req, brand, status=429, message=message, kind="error", email=email)
    # The same work for any address: one read, one job (the worker drops a job without a creator).
    creator_id = d.stores.creators.id_for_email(brand.id, email)
    try:
        notice_jobs.enqueue(d, [notice_jobs.signin_job(brand.id, creator_id)])
    except Exception as exc:
        logger.warning("sign-in link not queued", extra={"brand_id": brand.id, "error": type(exc).__name__})
        message = "We could not send a sign-in link just now. Wait a minute, then try again."
        if req.wants_json:
            return _json_error(503, message)
        return _sign_in_page(d, req, brand, status=503, message=message, kind="error", email=email)
    answer = SENT.format(brand=brand.name)
    if req.wants_json:
        return http.json_answer(202, {"message": answer})
    return _sign_in_page(d, req, brand, status=202, message=answer, kind="ok")


def _looks_like_email(text: str) -> bool:
    return len(text) <= 254 and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) is not None


def _link_gone(d: Deps, req: http.Request, brand: Brand) -> dict[str, Any]:
    return _sign_in_page(
        d,
        req,
        brand,
        status=410,
        message="This sign-in link does not work any more: each link works once, within 15 minutes. "
        "Ask for a new one below.",
        kind="error",
    )


def _continue_page(d: Deps, req: http.Request, brand: Brand) -> dict[str, Any]:
    """GET /h/{brand}/link?t=…: who the link signs in, and a button that does (nothing spent)."""
    link = req.query.get("t")
    creator_id = sessions.peek_link(d.stores.portal, brand.id, link)
    creator = d.stores.creators.get(brand.id, creator_id) if creator_id else None
    if creator is None or link is None:
        return _link_gone(d, req, brand)
    token, cookies = csrf.issue(req, d.settings.outreach_signing_key or "", _scope(brand.id))
    inner = f'<input type="hidden" name="t" value="{esc(link)}">'
    body = kit.card(
        f"Continue as {creator.name}",
        f"<p>This signs you in to your {esc(brand.name)} creator home on this device for 12 hours.</p>"
        + kit.form(f"/h/{brand.id}/link", token, inner, "Continue"),
        id="continue",
    )
    return kit.render(200, "Sign in", body, brand=brand.name, cookies=cookies)


def _use_link(d: Deps, req: http.Request, brand: Brand, form: dict[str, str]) -> dict[str, Any]:
    """POST /h/{brand}/link: spends the link (one of racing posts wins) and starts a session."""
    creator_id = sessions.take_link(d.stores.portal, brand.id, form.get("t"))
    if creator_id is None or d.stores.creators.get(brand.id, creator_id) is None:
        return _link_gone(d, req, brand)
    # A new session id at every sign-in (an old cookie, if any, is dropped: no fixation).
    sessions.end(d.stores.portal, req, brand.id)
    return http.redirect(
        sessions.home_path(brand.id), cookies=[sessions.start(d.stores.portal, brand.id, creator_id)]
    )


def _sign_out(d: Deps, req: http.Request, brand: Brand, form: dict[str, str]) -> dict[str, Any]:
    cleared = sessions.end(d.stores.portal, req, brand.id)
    return http.redirect(f"/h/{brand.id}?done=signed-out", cookies=[cleared])


def _with_session(
    handler: Callable[[Deps, http.Request, Brand, Creator, dict[str, str]], dict[str, Any]],
) -> Callable[[Deps, http.Request, Brand, dict[str, str]], dict[str, Any]]:
    def run(d: Deps, req: http.Request, brand: Brand, form: dict[str, str]) -> dict[str, Any]:
        creator = _signed_in(d, req, brand)
        if creator is None:
            cookies = [sessions.end(d.stores.portal, req, brand.id)] if sessions.had_session(req) else []
            return _sign_in_page(
                d,
                req,
                brand,
                status=401,
                message=EXPIRED if sessions.had_session(req) else "Sign in first: nothing was changed.",
                kind="error",
                cookies=cookies,
            )
        return handler(d, req, brand, creator, form)

    return run


# --- the profile -------------------------------------------------------------------------------


def _address_form(form: dict[str, str]) -> dict[str, str]:
    return {name: form.get(f"address_{name}", "").strip() for name, _, _ in ADDRESS_FIELDS}


def _profile_patch(creator: Creator, form: dict[str, str]) -> dict[str, Any]:
    """The patch the form asks for (validated by CreatorPatch): the handles of the platforms the
    creator has (an emptied one is removed; the rest of a profile — its URLs, followers — is kept),
    one new platform, the payout email (empty clears it), the address (all empty: none)."""
    platforms: dict[str, Any] = {}
    for platform, profile in creator.platforms.items():
        handle = form.get(f"handle_{platform.value}", "").strip()
        if handle:
            platforms[platform.value] = profile.model_dump(mode="json", exclude_none=True) | {
                "handle": handle
            }
    new_platform, new_handle = form.get("new_platform", "").strip(), form.get("new_handle", "").strip()
    if new_platform and new_handle:
        platforms[new_platform] = {"handle": new_handle}
    address = _address_form(form)
    data: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "platforms": platforms,
        "payout_email": form.get("payout_email", "").strip() or None,
        "shipping_address": {k: v for k, v in address.items() if v} if any(address.values()) else None,
    }
    return data


def _field_of(loc: tuple[Any, ...]) -> str:
    """A validation error's place in the model → the form field it belongs under."""
    parts = [str(p) for p in loc]
    if parts[:1] == ["shipping_address"] and len(parts) > 1:
        return f"address_{parts[1]}"
    if parts[:1] == ["platforms"]:
        return f"handle_{parts[1]}" if len(parts) > 1 else "new_handle"
    return parts[0] if parts else "name"


def _message(error: Any) -> str:
    text = str(error.get("msg", "is not valid"))
    return text.removeprefix("Value error, ")


def _save_profile(
    d: Deps, req: http.Request, brand: Brand, creator: Creator, form: dict[str, str]
) -> dict[str, Any]:
    new_platform, new_handle = form.get("new_platform", "").strip(), form.get("new_handle", "").strip()
    errors: dict[str, str] = {}
    if new_platform and new_platform not in {p.value for p in Platform}:
        errors["new_platform"] = "Choose a platform from the list."
    elif new_handle and not new_platform:
        errors["new_platform"] = "Choose the platform of this handle."
    elif new_platform and not new_handle:
        errors["new_handle"] = "Enter your handle on this platform."
    elif new_platform and Platform(new_platform) in creator.platforms:
        errors["new_platform"] = "You have this platform already: change its handle above."
    patch: CreatorPatch | None = None
    if not errors:
        try:
            patch = CreatorPatch.model_validate(_profile_patch(creator, form))
        except ValidationError as exc:
            for err in exc.errors():
                errors.setdefault(_field_of(tuple(err.get("loc", ()))), _message(err))
    if patch is None:
        return _home(d, req, brand, creator, status=422, form=form, errors=errors)
    try:
        program.update(d.stores.creators, brand.id, creator.id, patch, current=creator)
    except Conflict:
        return _home(
            d,
            req,
            brand,
            d.stores.creators.get(brand.id, creator.id) or creator,
            status=409,
            notice_html=kit.notice(
                "Your profile changed while you edited it. Nothing was saved: check it and save again.",
                "error",
            ),
        )
    return http.redirect(f"/h/{brand.id}?done=profile#profile")


def _delete_address(
    d: Deps, req: http.Request, brand: Brand, creator: Creator, form: dict[str, str]
) -> dict[str, Any]:
    patch = CreatorPatch.model_validate({"shipping_address": None})
    latest: Creator | None = creator
    for _ in range(3):  # over concurrent edits of the creator (the brand's, say): read again
        if latest is None or latest.shipping_address is None:
            return http.redirect(f"/h/{brand.id}?done=address#profile")
        try:
            program.update(d.stores.creators, brand.id, creator.id, patch, current=latest)
            return http.redirect(f"/h/{brand.id}?done=address#profile")
        except Conflict:
            latest = d.stores.creators.get(brand.id, creator.id)
    return _refuse(
        req,
        409,
        "Please try again",
        "Your profile was being changed at the same moment; the address was not deleted yet. Try again.",
        brand.name,
    )


POSTS: dict[str, Callable[[Deps, http.Request, Brand, dict[str, str]], dict[str, Any]]] = {
    "sign-in": _request_link,
    "link": _use_link,
    "sign-out": _sign_out,
    "profile": _with_session(_save_profile),
    "delete-address": _with_session(_delete_address),
}


# --- the home page -----------------------------------------------------------------------------


def _home(
    d: Deps,
    req: http.Request,
    brand: Brand,
    creator: Creator,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice_html: str = "",
) -> dict[str, Any]:
    token, cookies = csrf.issue(req, d.settings.outreach_signing_key or "", _scope(brand.id))
    campaigns: dict[str, str] = {}

    def campaign_name(campaign_id: str) -> str:
        if campaign_id not in campaigns:
            campaign = d.stores.campaigns.get(brand.id, campaign_id)
            campaigns[campaign_id] = campaign.name if campaign else "A campaign"
        return campaigns[campaign_id]

    done = DONE.get(req.query.get("done", "")) if status == 200 else None
    top = notice_html or (kit.notice(*done) if done else "")
    if errors:
        top += kit.notice("Some fields need a change: see below. Nothing was saved.", "error")
    who = (
        f"<p>Signed in as <strong>{esc(creator.name)}</strong> "
        f'<span class="muted">({esc(creator.email)})</span></p>'
        + kit.form(f"/h/{brand.id}/sign-out", token, "", "Sign out", secondary=True)
    )
    body = (
        top
        + f'<div class="signed-in">{who}</div>'
        + kit.card("Collaborations", _collaborations(d, brand, creator, campaign_name), id="collaborations")
        + kit.card("Your links and codes", _links(d, brand, creator, campaign_name), id="links")
        + kit.card("Earnings", _earnings(d, brand, creator, campaign_name), id="earnings")
        + kit.card("Payouts", _payouts(d, brand, creator), id="payouts")
        + kit.card("Profile", _profile(brand, creator, token, form, errors or {}), id="profile")
    )
    nav = [
        ("#collaborations", "Collaborations"),
        ("#links", "Links"),
        ("#earnings", "Earnings"),
        ("#payouts", "Payouts"),
        ("#profile", "Profile"),
    ]
    return kit.render(status, "Your creator home", body, brand=brand.name, nav=nav, cookies=cookies)


def _when(moment: str | None) -> str:
    """A stored moment for people: "2026-12-01 14:30 UTC"."""
    return f"{moment[:10]} {moment[11:16]} UTC" if moment and len(moment) >= 16 else esc(moment or "")


def collaborations_of(d: Deps, brand_id: str, creator_id: str) -> list[Collaboration]:
    found: list[Collaboration] = []
    cursor: str | None = None
    while len(found) < MAX_COLLABORATIONS:
        items, cursor = d.stores.collaborations.history(brand_id, creator_id, limit=100, cursor=cursor)
        found += [c for c in items if c.creator_id == creator_id]
        if not cursor:
            break
    newest_first = sorted(found, key=lambda c: c.created_at, reverse=True)
    return sorted(newest_first, key=lambda c: c.status != "open")  # open ones first


def _stage_words(c: Collaboration) -> str:
    words = STAGES.get(c.stage, c.stage)
    if c.status == "closed" and c.outcome:
        words = f"Closed: {OUTCOMES.get(c.outcome, c.outcome)}"
    return words


def _waiting_words(c: Collaboration) -> str:
    w = c.waiting_for
    if c.status == "closed" or w is None:
        return ""
    mine = [a for a in w.actions if a in CREATOR_ACTIONS]
    if not mine:
        return '<p class="muted">Waiting for the brand.</p>'
    wanted = list(dict.fromkeys(ACTIONS.get(a, a) for a in mine))
    until = w.due or w.until
    return (
        f'<p class="waiting"><strong>Waiting for you:</strong> {esc(", ".join(wanted))}'
        + (f", by {esc(_when(until))}" if until else "")
        + ".</p>"
    )


def _collaborations(d: Deps, brand: Brand, creator: Creator, campaign_name: Callable[[str], str]) -> str:
    found = collaborations_of(d, brand.id, creator.id)
    if not found:
        return f'<p class="muted">No collaborations with {esc(brand.name)} yet.</p>'
    key = d.settings.outreach_signing_key or ""
    items = []
    for c in found:
        url = mail.collaboration_url(_base(d), key, brand.id, c.id)
        name = campaign_name(c.campaign_id)
        items.append(
            f'<li><h3>{esc(name)}</h3><p><span class="status">{esc(_stage_words(c))}</span></p>'
            + _waiting_words(c)
            + f'<p><a href="{esc(url)}">Open the {esc(name)} page</a></p></li>'
        )
    return f'<ul class="items">{"".join(items)}</ul>'


def _links(d: Deps, brand: Brand, creator: Creator, campaign_name: Callable[[str], str]) -> str:
    links = [
        x
        for x in d.stores.links.all(brand.id, campaign_id=None, creator_id=creator.id)
        if x.creator_id == creator.id
    ]
    codes = [
        p
        for p in d.stores.promo_codes.all(brand.id, campaign_id=None, creator_id=creator.id)
        if p.creator_id == creator.id
    ]
    if not links and not codes:
        return '<p class="muted">No tracking links or promo codes yet: they come with a collaboration.</p>'
    base = _base(d)
    parts = []
    for link in sorted(links, key=lambda x: x.created_at, reverse=True):
        label = f"Tracking link: {campaign_name(link.campaign_id)}"
        if not link.enabled:
            label += " (turned off)"
        parts.append(kit.copy_field(label, f"{base}/r/{link.code}", f"link-{link.code}"))
    for promo in sorted(codes, key=lambda p: p.created_at, reverse=True):
        label = f"Promo code: {campaign_name(promo.campaign_id)}"
        if promo.status != "active":
            label += " (retired)"
        parts.append(kit.copy_field(label, promo.code, f"code-{promo.code}"))
    return "".join(parts)


def _month_name(month: str) -> str:
    try:
        return f"{calendar.month_name[int(month[5:7])]} {month[:4]}"
    except (ValueError, IndexError):
        return month


LINE_KINDS = {"commission": "Sale", "reversal": "Refund", "fixed_fee": "Fee"}


def _earnings(d: Deps, brand: Brand, creator: Creator, campaign_name: Callable[[str], str]) -> str:
    e = earnings.for_creator(d.stores, brand.id, creator.id, now_iso=clock.now_iso())
    out = earnings.render_totals(e.totals)
    for month in e.months:
        rows = "".join(
            f"<tr><td>{esc(line.date)}</td><td>{esc(campaign_name(line.campaign_id))}<br>"
            f'<span class="muted">{esc(LINE_KINDS.get(line.kind, line.kind))} '
            f"{esc(line.order_ref)}</span></td>"
            f'<td class="num">{esc(earnings.amount_text(line.amount, line.currency))}<br>'
            f'<span class="muted">{esc(line.status.capitalize())}</span></td></tr>'
            for line in month.lines
        )
        summary = "; ".join(
            earnings.amount_text(m.pending + m.approved + m.paid, m.currency) for m in month.totals
        )
        out += (
            f"<details><summary>{esc(_month_name(month.month))}: {esc(summary)}</summary>"
            + earnings.render_totals(month.totals, explain=False)
            + '<div class="table-wrap" tabindex="0" role="group" aria-label="Lines">'
            '<table><thead><tr><th scope="col">Date</th><th scope="col">What</th>'
            f'<th scope="col" class="num">Amount</th></tr></thead><tbody>{rows}</tbody></table></div>'
            "</details>"
        )
    return out


def payouts_of(d: Deps, brand_id: str, creator_id: str) -> list[tuple[str, str, str, dict[str, int]]]:
    """(payout id, date, status, currency → amount) of each payout with a line for the creator."""
    found: list[tuple[str, str, str, dict[str, int]]] = []
    cursor: str | None = None
    for _ in range(MAX_PAYOUT_PAGES):
        items, cursor = d.stores.payouts.list(brand_id, 100, cursor)
        for payout in items:
            amounts: dict[str, int] = {}
            for line in payout.lines:
                if line.creator_id == creator_id:
                    amounts[line.currency] = amounts.get(line.currency, 0) + line.amount
            if amounts:
                found.append((payout.id, payout.created_at, payout.status, amounts))
        if not cursor:
            break
    return found


def _payouts(d: Deps, brand: Brand, creator: Creator) -> str:
    found = payouts_of(d, brand.id, creator.id)
    if not found:
        return (
            '<p class="muted">No payouts yet. Approved earnings are paid in the brand\'s next payout'
            + (f", to {esc(creator.payout_email)}" if creator.payout_email else "")
            + ".</p>"
        )
    rows = "".join(
        f"<tr><td>{esc(created[:10])}</td><td>{esc(payout_id)}"
        + (' <span class="muted">(being booked)</span>' if status == "booking" else "")
        + '</td><td class="num">'
        + "<br>".join(esc(earnings.amount_text(v, c)) for c, v in sorted(amounts.items()))
        + "</td></tr>"
        for payout_id, created, status, amounts in found
    )
    return (
        '<div class="table-wrap" tabindex="0" role="group" aria-label="Payouts">'
        '<table><thead><tr><th scope="col">Date</th><th scope="col">Reference</th>'
        f'<th scope="col" class="num">Amount</th></tr></thead><tbody>{rows}</tbody></table></div>'
        '<p class="muted">Roster records payouts; the brand sends the money.</p>'
    )


def _profile(
    brand: Brand, creator: Creator, token: str, form: dict[str, str] | None, errors: dict[str, str]
) -> str:
    def value(name: str, stored: str | None) -> str:
        return form.get(name, "") if form is not None else (stored or "")

    fields = kit.field(
        "Name",
        "name",
        value=value("name", creator.name),
        error=errors.get("name"),
        required=True,
        attrs='autocomplete="name" maxlength="200"',
        form_id="profile",
    )
    fields += kit.field(
        "Payout email",
        "payout_email",
        kind="email",
        value=value("payout_email", creator.payout_email),
        error=errors.get("payout_email"),
        hint="Where you want payouts sent. Empty: the brand uses the address it emails you at.",
        attrs='autocomplete="email" maxlength="254"',
        form_id="profile",
    )
    handles = "".join(
        kit.field(
            f"{platform.value.capitalize()} handle",
            f"handle_{platform.value}",
            value=value(f"handle_{platform.value}", profile.handle),
            error=errors.get(f"handle_{platform.value}"),
            hint="Empty it to remove this platform.",
            attrs='maxlength="100" autocapitalize="none"',
            form_id="profile",
        )
        for platform, profile in creator.platforms.items()
    )
    options = "=Choose…|" + "|".join(
        f"{p.value}={p.value.capitalize()}" for p in Platform if p not in creator.platforms
    )
    handles += kit.field(
        "Add a platform",
        "new_platform",
        kind=f"select:{options}",
        value=value("new_platform", ""),
        error=errors.get("new_platform"),
        form_id="profile",
    )
    handles += kit.field(
        "Handle on that platform",
        "new_handle",
        value=value("new_handle", ""),
        error=errors.get("new_handle"),
        attrs='maxlength="100" autocapitalize="none"',
        form_id="profile",
    )
    address = creator.shipping_address
    stored = address.model_dump() if address else {}
    address_fields = "".join(
        kit.field(
            label if required else f"{label} (optional)",
            f"address_{name}",
            value=value(f"address_{name}", stored.get(name)),
            error=errors.get(f"address_{name}"),
            hint="Two letters, e.g. US, GB, DE." if name == "country" else None,
            attrs=_address_attrs(name),
            form_id="profile",
        )
        for name, label, required in ADDRESS_FIELDS
    )
    inner = (
        fields
        + f"<fieldset><legend>Handles</legend>{handles}</fieldset>"
        + "<fieldset><legend>Shipping address</legend>"
        + f'<p class="hint">Where {esc(brand.name)} ships products to you. Leave it all empty if you do '
        "not want to give one.</p>" + address_fields + "</fieldset>"
    )
    out = kit.form(f"/h/{brand.id}/profile", token, inner, "Save profile", attrs="novalidate")
    if address is not None:
        out += (
            "<h3>Delete your shipping address</h3>"
            f"<p>{esc(brand.name)} can then no longer ship products to you until you add one again.</p>"
            + kit.form(f"/h/{brand.id}/delete-address", token, "", "Delete my shipping address", danger=True)
        )
    return out


def _address_attrs(name: str) -> str:
    auto = {
        "name": "shipping name",
        "line1": "shipping address-line1",
        "line2": "shipping address-line2",
        "city": "shipping address-level2",
        "region": "shipping address-level1",
        "postal_code": "shipping postal-code",
        "country": "shipping country",
        "phone": "shipping tel",
    }[name]
    limit = {"postal_code": 20, "country": 2, "phone": 40, "city": 100, "region": 100}.get(name, 200)
    kind = ' inputmode="tel"' if name == "phone" else ""
    return f'autocomplete="{auto}" maxlength="{limit}"{kind}'
