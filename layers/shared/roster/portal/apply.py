"""The brand's public application page, `/apply/{slug}` (optionally `?campaign=<campaign slug>`).

`GET /apply/{slug}`: the brand, its intro (and the campaign's brief), and the form: name, email, up
to four handles with follower counts, country, a note. `POST /apply/{slug}`: the CSRF token is
checked first (403); a filled honeypot gets the same "check your email" page with nothing stored
or sent; a bad field re-renders the form with the values kept and the reason under the field
(422); over the limit per hashed IP (HMAC with the signing key: the address itself is never
stored) a 429 page. Otherwise the application is stored unconfirmed (it expires) and a single-use
link is emailed: `GET /apply/{slug}/confirm?t=` shows a button (a mail scanner's prefetch confirms
nothing), `POST /apply/{slug}/confirm` spends the link, creates or updates the creator as an
applicant, and only then does the brand see the application. The email's unsubscribe link,
`/apply/{slug}/not-me?t=`, discards the application and stops the brand's mail to the address
(RFC 8058 one-click posts too). The link is signed (`_link_token`), so a used or expired one is told
apart from a forged one without keeping anything: 410 and 404.

A JSON client (`req.wants_json`) gets the same statuses with JSON bodies: Roster's error shape
`{"error": {"code", "message", "details"}}` (422's details name the fields by their form names), and
202 `{"status": "check_email"}` for an application (accepted, not yet created: nothing exists for the
brand until the email is confirmed), 200 `{"status": "pending"}` for a confirmation and 200
`{"status": "discarded"}` for "not me"."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from roster import ids
from roster.deps import Deps
from roster.errors import NotFound, RosterError
from roster.models.applications import MAX_HANDLES, ApplicationForm, ApplicationPage
from roster.models.campaigns import Campaign
from roster.models.creators import Platform
from roster.observability import logger
from roster.outreach import notices
from roster.portal import csrf, http
from roster.portal import page as kit
from roster.program import applications
from roster.web import edge

LINK_KIND = "apply"  # the single-use confirmation link (`d.stores.portal` once items)
LINK_TTL = 86_400
RATE_KIND = "apply_ip"
RATE_LIMIT = 5  # applications per hashed IP per brand per window
RATE_WINDOW = 3600
HONEYPOT = "website"
ONE_CLICK = "List-Unsubscribe=One-Click"
PLATFORM_NAMES = {
    Platform.INSTAGRAM: "Instagram",
    Platform.TIKTOK: "TikTok",
    Platform.YOUTUBE: "YouTube",
    Platform.X: "X (Twitter)",
    Platform.FACEBOOK: "Facebook",
    Platform.THREADS: "Threads",
    Platform.TWITCH: "Twitch",
    Platform.PINTEREST: "Pinterest",
    Platform.SNAPCHAT: "Snapchat",
    Platform.LINKEDIN: "LinkedIn",
    Platform.BLUESKY: "Bluesky",
    Platform.MASTODON: "Mastodon",
    Platform.BLOG: "Blog",
    Platform.PODCAST: "Podcast",
}
PLATFORM_SELECT = "select:" + "|".join(f"{p.value}={PLATFORM_NAMES.get(p, p.value)}" for p in Platform)
ROW_DEFAULTS = (Platform.INSTAGRAM, Platform.TIKTOK, Platform.YOUTUBE, Platform.X)
NOT_FOUND = ("Page not found", "There is no application page at this address.")
GONE = (
    "This link does not work any more",
    "This confirmation link has expired or was already used. If you confirmed already, your application "
    "is with the brand; if not, please apply again. Nothing was changed.",
)
FORGED = (
    "Link not found",
    "This confirmation link is not valid. Open the whole link from the email, or apply again. "
    "Nothing was changed.",
)
NONCE_CHARS = 22  # a link token: 16 random bytes, then 16 bytes of their HMAC, both base64url


@dataclass(frozen=True)
class Site:
    brand_id: str
    brand: str
    page: ApplicationPage


def _key(d: Deps) -> str:
    key = d.settings.outreach_signing_key
    if not key:
        raise RuntimeError("OUTREACH_SIGNING_KEY must be set for the application page")
    return key


def _scope(site: Site) -> str:
    return "a:" + site.brand_id


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _mac(key: str, brand_id: str, nonce: str) -> str:
    raw = hmac.new(key.encode(), f"apply-link:{brand_id}:{nonce}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _link_token(key: str, brand_id: str) -> str:
    """A new confirmation link's token: random, and signed so that one that no longer works can be
    told apart from one that never did (the store keeps only live links, by hash)."""
    nonce = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
    return nonce + _mac(key, brand_id, nonce)


def _signed(key: str, brand_id: str, token: str) -> bool:
    """Whether Roster made this token for this brand (then a link that does not work was used or has
    expired); a forged, cut or other brand's token is not."""
    if len(token) != 2 * NONCE_CHARS:
        return False
    nonce, mac = token[:NONCE_CHARS], token[NONCE_CHARS:]
    return hmac.compare_digest(_mac(key, brand_id, nonce).encode(), mac.encode("utf-8", "replace"))


def _ip_hash(key: str, ip: str) -> str:
    """Who is applying too often, without keeping their address: a keyed hash (a plain hash of an
    IPv4 address is reversed by trying all 2^32)."""
    return hmac.new(key.encode(), f"apply-ip:{http.network(ip)}".encode(), hashlib.sha256).hexdigest()[:32]


def _site(d: Deps, req: http.Request) -> Site | None:
    slug = req.params.get("slug", "")
    found = applications.open_page(d.stores, slug) if re.fullmatch(r"[a-z0-9-]{3,60}", slug) else None
    if found is None:
        return None
    brand_id, page = found
    brand = d.stores.brands.get_brand(brand_id)
    return Site(brand_id, brand.name if brand else "", page)


def _base(d: Deps, req: http.Request) -> str:
    return d.settings.link_base_url or f"https://{req.headers.get('host', 'localhost')}"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{kit.esc(line)}</p>" for line in text.split("\n") if line.strip())


def _refuse(
    req: http.Request,
    status: int,
    code: str,
    message: str,
    title: str,
    text: str,
    *,
    site: Site | None = None,
    next_href: str | None = None,
    next_text: str = "Back",
) -> dict[str, Any]:
    """The clear page (for a browser) or Roster's error shape (for a JSON client), same status."""
    if req.wants_json:
        return edge.error_answer(status, code, message)
    return kit.problem(
        status, title, text, brand=site.brand if site else "", next_href=next_href, next_text=next_text
    )


def _not_found(req: http.Request) -> dict[str, Any]:
    return _refuse(req, 404, "not_found", "there is no application page at this address", *NOT_FOUND)


def _link_refused(d: Deps, req: http.Request, site: Site, token: str) -> dict[str, Any]:
    """A confirmation link that does not work: 410 when it was ours (used, or expired), 404 when it
    never was (forged, cut short, another brand's)."""
    if token and _signed(_key(d), site.brand_id, token):
        status, code, message, (title, text) = 410, "gone", "this link was already used or has expired", GONE
    else:
        status, code, message, (title, text) = 404, "not_found", "this link is not valid", FORGED
    back = f"/apply/{site.page.slug}"
    return _refuse(
        req,
        status,
        code,
        message,
        title,
        text,
        site=site,
        next_href=back,
        next_text="Back to the application page",
    )


def _posted(req: http.Request) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The posted fields, or (for a JSON client) the JSON 400 for a body that cannot be read; a
    browser's goes on to the function's 400 page."""
    try:
        return req.form(), None
    except http.BadForm as exc:
        if req.wants_json:
            return {}, edge.error_answer(400, "bad_request", str(exc))
        raise


# ---- the form


def _wrap(inner: str, cls: str = "") -> str:
    return f'<div class="{cls}">{inner}</div>' if cls else f"<div>{inner}</div>"


def _form(
    site: Site, token: str, values: dict[str, str], errors: dict[str, str], campaign: Campaign | None
) -> str:
    v, e = values.get, errors.get
    rows = []
    for n in range(1, MAX_HANDLES + 1):
        default = ROW_DEFAULTS[n - 1].value
        rows.append(
            f'<fieldset class="handle-row"><legend>Account {n}{" (optional)" if n > 1 else ""}</legend>'
            + _wrap(
                kit.field(
                    "Platform",
                    f"platform_{n}",
                    kind=PLATFORM_SELECT,
                    value=v(f"platform_{n}") or default,
                    error=e(f"platform_{n}"),
                )
            )
            + _wrap(
                kit.field(
                    "Handle",
                    f"handle_{n}",
                    value=v(f"handle_{n}", ""),
                    error=e(f"handle_{n}"),
                    hint="e.g. @maya.runs",
                    attrs='autocomplete="off" autocapitalize="none" spellcheck="false"',
                )
            )
            + _wrap(
                kit.field(
                    "Followers",
                    f"followers_{n}",
                    value=v(f"followers_{n}", ""),
                    error=e(f"followers_{n}"),
                    attrs='inputmode="numeric" autocomplete="off"',
                )
            )
            + "</fieldset>"
        )
    honeypot = (
        f'<div class="hp" aria-hidden="true"><label for="f-{HONEYPOT}">Leave this field empty</label>'
        f'<input type="text" id="f-{HONEYPOT}" name="{HONEYPOT}" tabindex="-1" autocomplete="off" value="">'
        "</div>"
    )
    inner = (
        (f'<input type="hidden" name="campaign" value="{kit.esc(campaign.slug)}">' if campaign else "")
        + kit.field(
            "Your name",
            "name",
            value=v("name", ""),
            error=e("name"),
            required=True,
            attrs='autocomplete="name" maxlength="200"',
        )
        + kit.field(
            "Email",
            "email",
            kind="email",
            value=v("email", ""),
            error=e("email"),
            required=True,
            hint="We email you a link to confirm it",
            attrs='autocomplete="email" inputmode="email"',
        )
        + "".join(rows)
        + kit.field(
            "Country",
            "country",
            value=v("country", ""),
            error=e("country"),
            hint="Two letters, e.g. US, GB, DE (optional)",
            attrs='autocomplete="country" maxlength="2" autocapitalize="characters"',
        )
        + kit.field(
            "A note to the brand",
            "note",
            kind="textarea",
            value=v("note", ""),
            error=e("note"),
            hint="What you make, who watches it, why this brand (optional)",
            attrs='maxlength="2000"',
        )
        + honeypot
    )
    return kit.form(f"/apply/{site.page.slug}", token, inner, "Send my application", attrs="novalidate")


def _summary(errors: dict[str, str]) -> str:
    items = "".join(f'<li><a href="#f-{kit.esc(k)}">{kit.esc(msg)}</a></li>' for k, msg in errors.items())
    return (
        '<div class="notice error" role="alert">'
        "<p>Please correct the marked fields; nothing was sent yet.</p>"
        f"<ul>{items}</ul></div>"
    )


def _apply_page(
    d: Deps,
    req: http.Request,
    site: Site,
    campaign: Campaign | None,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    token, cookies = csrf.issue(req, _key(d), _scope(site))
    body = _summary(errors) if errors else ""
    body += _paragraphs(site.page.intro) if site.page.intro else ""
    if campaign:
        brief = _paragraphs(campaign.brief) if campaign.brief else "<p>The brand will tell you more.</p>"
        body += kit.card(f"You are applying for {campaign.name}", brief, id="campaign")
    body += kit.card("Your application", _form(site, token, values or {}, errors or {}, campaign), id="apply")
    body += (
        '<p class="muted">We keep what you send here for the brand. '
        "Nothing about your device or network is kept.</p>"
    )
    return kit.render(status, f"Apply to work with {site.brand}", body, brand=site.brand, cookies=cookies)


def _count(text: str) -> int | None:
    cleaned = re.sub(r"[\s,._']", "", text)
    # ASCII digits only: `str.isdigit` also takes "²", which int() refuses.
    return int(cleaned) if re.fullmatch(r"[0-9]{1,12}", cleaned) else None


def _parse(form: dict[str, str]) -> tuple[ApplicationForm | None, dict[str, str]]:
    """The form as an application, or the message for each field that is wrong (by field name)."""
    errors: dict[str, str] = {}
    name, email = form.get("name", "").strip(), form.get("email", "").strip()
    country, note = form.get("country", "").strip().upper(), form.get("note", "").strip()
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > 200:
        errors["name"] = "Your name can be at most 200 characters."
    if not email:
        errors["email"] = "Enter your email address."
    handles: list[dict[str, Any]] = []
    rows: list[int] = []
    seen: set[str] = set()
    platforms = {p.value for p in Platform}
    for n in range(1, MAX_HANDLES + 1):
        platform = form.get(f"platform_{n}", "")
        handle = form.get(f"handle_{n}", "").strip().lstrip("@").strip()
        followers = form.get(f"followers_{n}", "").strip()
        if not handle and not followers:
            continue
        if not handle:
            errors[f"handle_{n}"] = "Enter the handle for this follower count, or clear the count."
            continue
        if len(handle) > 100:
            errors[f"handle_{n}"] = "A handle can be at most 100 characters."
        if platform not in platforms:
            errors[f"platform_{n}"] = "Choose a platform from the list."
        elif platform in seen:
            errors[f"platform_{n}"] = (
                f"You already gave a {PLATFORM_NAMES[Platform(platform)]} account above."
            )
        seen.add(platform)
        count = _count(followers) if followers else None
        if followers and (count is None or count > 10**11):
            errors[f"followers_{n}"] = "Enter the number of followers as digits, e.g. 42000."
        handles.append({"platform": platform, "handle": handle, "followers": count})
        rows.append(n)
    if not handles and "handle_1" not in errors:
        errors["handle_1"] = "Add at least one account, so the brand can see your work."
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        errors["country"] = "Enter the two-letter country code, e.g. US, GB or DE."
    if len(note) > 2000:
        errors["note"] = f"The note can be at most 2000 characters (it has {len(note)})."
    try:
        parsed = ApplicationForm.model_validate(
            {
                "name": name,
                "email": email,
                "handles": handles,
                "country": country or None,
                "note": note or None,
            }
        )
    except ValidationError as exc:
        for err in exc.errors():
            loc = err.get("loc") or ("form",)
            if loc[0] == "handles" and len(loc) > 2 and isinstance(loc[1], int):
                key = f"{loc[2]}_{rows[loc[1]]}"
            else:
                key = str(loc[0])
            message = "Enter an email address like name@example.com." if key == "email" else str(err["msg"])
            errors.setdefault(key, message)
        return None, errors
    return (parsed, errors) if not errors else (None, errors)


# ---- handlers


def page(d: Deps, req: http.Request) -> dict[str, Any]:
    """GET /apply/{slug}: the page and its form."""
    site = _site(d, req)
    if site is None:
        return _not_found(req)
    campaign = applications.campaign_for(d.stores, site.brand_id, site.page, req.query.get("campaign"))
    return _apply_page(d, req, site, campaign)


def submit(d: Deps, req: http.Request) -> dict[str, Any]:
    """POST /apply/{slug}: an application (see the module's docstring for each outcome)."""
    site = _site(d, req)
    if site is None:
        return _not_found(req)
    form, unreadable = _posted(req)
    if unreadable:
        return unreadable
    key = _key(d)
    if csrf.needs_token(req) and not csrf.valid(req, key, _scope(site), form.get("csrf")):
        return _refuse(
            req,
            403,
            "forbidden",
            "this request needs the application page's CSRF token (csrf)",
            "Please try again",
            "This form had expired or was not sent from the application page. Nothing was sent.",
            site=site,
            next_href=f"/apply/{site.page.slug}",
            next_text="Open the application page",
        )
    sent = f"/apply/{site.page.slug}/sent"
    if form.get(HONEYPOT, "").strip():
        return http.json_answer(202, {"status": "check_email"}) if req.wants_json else http.redirect(sent)
    campaign = applications.campaign_for(d.stores, site.brand_id, site.page, form.get("campaign"))
    parsed, errors = _parse(form)
    if parsed is None:
        if req.wants_json:
            details = [{"field": k, "message": m} for k, m in errors.items()]
            return edge.error_answer(422, "validation_error", "check the fields", details)
        values = {k: v for k, v in form.items() if k not in ("csrf", HONEYPOT)}
        return _apply_page(d, req, site, campaign, status=422, values=values, errors=errors)
    if not d.stores.portal.hit(
        site.brand_id, RATE_KIND, _ip_hash(key, req.ip), window=RATE_WINDOW, limit=RATE_LIMIT
    ):
        refused = _refuse(
            req,
            429,
            "rate_limited",
            f"at most {RATE_LIMIT} applications an hour from one network; try again later",
            "Too many applications",
            "We got several applications from your network in the last hour. Please try again later. "
            "Nothing was sent.",
            site=site,
        )
        now = int(time.time())
        refused["headers"]["Retry-After"] = str(RATE_WINDOW - now % RATE_WINDOW)
        return refused
    app = applications.submit(d.stores, site.brand_id, parsed, campaign.id if campaign else None)
    token = _link_token(key, site.brand_id)
    d.stores.portal.put_once(
        site.brand_id, LINK_KIND, _token_hash(token), {"application_id": app.id}, LINK_TTL
    )
    base = f"{_base(d, req)}/apply/{site.page.slug}"
    text = (
        f"Hi {parsed.name.split()[0]},\n"
        f"thanks for applying to work with {site.brand}{f' on {campaign.name}' if campaign else ''}. "
        "Please confirm that this is your email address: open the link below and press "
        '"Confirm my application". The link works once, for 24 hours.\n'
        f"Only then does {site.brand} see your application. If you did not apply, ignore this email."
    )
    if not notices.send_to_address(
        d,
        site.brand_id,
        app.email,
        f"Confirm your application to {site.brand}",
        text,
        link=f"{base}/confirm?t={token}",
        link_label="Confirm my application",
        unsubscribe_url=f"{base}/not-me?t={token}",
        tags={"kind": "application-confirm"},
    ):
        logger.warning("application confirmation not sent", extra={"brand_id": site.brand_id})
    return http.json_answer(202, {"status": "check_email"}) if req.wants_json else http.redirect(sent)


def view(d: Deps, req: http.Request) -> dict[str, Any]:
    """GET /apply/{slug}/sent | confirm?t= | done | not-me?t=."""
    site = _site(d, req)
    action = req.params.get("action", "")
    if site is None:
        return _not_found(req)
    if action == "sent":
        body = kit.notice("Check your email.", "ok") + _paragraphs(
            "We sent you a link to confirm your email address. Open it within 24 hours and press "
            f'"Confirm my application": only then does {site.brand} see your application.\n'
            "No email? Check your spam folder, or apply again in a few minutes."
        )
        return kit.render(200, "Almost done", body, brand=site.brand)
    if action == "done":
        body = kit.notice("Your application is confirmed.", "ok") + _paragraphs(
            f"{site.brand} will read it and answer you by email."
        )
        return kit.render(200, "Thank you", body, brand=site.brand)
    if action not in ("confirm", "not-me"):
        return _not_found(req)
    token = req.query.get("t", "")
    if not token or d.stores.portal.peek_once(site.brand_id, LINK_KIND, _token_hash(token)) is None:
        return _link_refused(d, req, site, token)
    csrf_token, cookies = csrf.issue(req, _key(d), _scope(site))
    hidden = f'<input type="hidden" name="t" value="{kit.esc(token)}">'
    if action == "confirm":
        body = _paragraphs(
            f"Press the button to confirm your email address and send your application to {site.brand}."
        ) + kit.form(f"/apply/{site.page.slug}/confirm", csrf_token, hidden, "Confirm my application")
        return kit.render(200, "Confirm your application", body, brand=site.brand, cookies=cookies)
    body = _paragraphs(
        f"If you did not apply to {site.brand}, press the button: the application is deleted and "
        f"{site.brand} will not email this address again through Roster."
    ) + kit.form(f"/apply/{site.page.slug}/not-me", csrf_token, hidden, "This wasn't me", danger=True)
    return kit.render(200, "Not your application?", body, brand=site.brand, cookies=cookies)


def act(d: Deps, req: http.Request) -> dict[str, Any]:
    """POST /apply/{slug}/confirm | not-me: spends the single-use link."""
    site = _site(d, req)
    action = req.params.get("action", "")
    if site is None or action not in ("confirm", "not-me"):
        return _not_found(req)
    one_click = action == "not-me" and req.raw.strip() == ONE_CLICK.encode()
    form, unreadable = ({}, None) if one_click else _posted(req)
    if unreadable:
        return unreadable
    token = req.query.get("t", "") if one_click else form.get("t", "")
    # RFC 8058: a mail client's one-click post carries no cookie; the link's token is its credential.
    if (
        not one_click
        and csrf.needs_token(req)
        and not csrf.valid(req, _key(d), _scope(site), form.get("csrf"))
    ):
        return _refuse(
            req,
            403,
            "forbidden",
            "this request needs the confirmation page's CSRF token (csrf)",
            "Please try again",
            "This form had expired. Open the link from the email again. Nothing was changed.",
            site=site,
        )
    data = d.stores.portal.take_once(site.brand_id, LINK_KIND, _token_hash(token)) if token else None
    if data is None:
        return _link_refused(d, req, site, token)
    application_id = str(data.get("application_id", ""))
    if action == "not-me":
        app = d.stores.applications.get(site.brand_id, application_id, consistent=True)
        if app is not None and d.stores.applications.discard(site.brand_id, application_id):
            d.stores.outreach.suppress(site.brand_id, ids.email_hash(app.email), "unsubscribe")
        if req.wants_json:
            return http.json_answer(200, {"status": "discarded"})
        body = kit.notice("Done.", "ok") + _paragraphs(
            f"The application is deleted, and {site.brand} will not email this address again through Roster."
        )
        return kit.render(200, "Thanks for telling us", body, brand=site.brand)
    try:
        confirmed = applications.confirm(d.stores, site.brand_id, application_id)
    except NotFound:  # the link worked, but its application is gone (expired, or "not me")
        return _link_refused(d, req, site, token)
    except (ValidationError, RosterError) as exc:  # never a bare 500: say so, and how to go on
        logger.warning(
            "application not confirmed", extra={"brand_id": site.brand_id, "error": type(exc).__name__}
        )
        return _refuse(
            req,
            409,
            "conflict",
            "the application could not be confirmed; apply again",
            "We could not confirm this application",
            f"Something in the application could not be saved. Please apply again on {site.brand}'s page.",
            site=site,
        )
    if req.wants_json:
        return http.json_answer(200, {"status": confirmed.status.value})
    return http.redirect(f"/apply/{site.page.slug}/done")
