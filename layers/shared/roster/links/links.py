"""Tracking links: codes, destination rules (never an open redirect) and the redirect record."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

from roster import clock, ids
from roster.errors import Conflict, ValidationFailed
from roster.links.redirect import PRINTABLE_ASCII
from roster.models.campaigns import Campaign, CampaignStatus
from roster.models.common import revalidate
from roster.models.creators import Creator, Platform
from roster.models.links import Link, LinkCreate, LinkPatch
from roster.program import campaigns as campaign_logic
from roster.store.clicks import RedirectRecord
from roster.store.registry import Stores
from roster.web import public_suffixes

GENERATED_CODE_LENGTH = 8  # base62: ~47.6 bits, unguessable at any realistic scan rate
HANDLE_ORDER = (Platform.INSTAGRAM, Platform.TIKTOK, Platform.YOUTUBE, *Platform)
MAX_ENCODED_URL = 4096  # 2,048 characters grow once non-ASCII is percent-encoded (up to 9 each)
# Dots that IDNA reads as "." in a host name: ideographic, full-width and half-width full stops.
UNICODE_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
HOST = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$")


def host_allowed(host: str, domains: list[str]) -> bool:
    for domain in domains:
        if domain.startswith("*."):
            if host == domain[2:] or host.endswith(domain[1:]):
                return True
        elif host == domain:
            return True
    return False


def usable_domains(domains: list[str]) -> list[str]:
    """The allowed domains that still count: one saved before public suffixes were refused
    (`*.myshopify.com`) would let a link point at anyone's shop."""
    return [d for d in domains if not public_suffixes.problem(d.removeprefix("*."), wildcard=d[:2] == "*.")]


def _hidden(url: str) -> str | None:
    """The first character a person cannot see or that ends a header line: controls, spaces,
    format characters (U+200B, bidi controls, U+FEFF), line/paragraph separators (U+2028), ..."""
    for i, ch in enumerate(url):
        if ch == "\\" or unicodedata.category(ch)[0] in "CZ":
            name = unicodedata.name(ch, "")
            return f"U+{ord(ch):04X}{' ' + name if name else ''} at position {i + 1}"
    return None


def check_url(url: str, campaign: Campaign, field: str) -> str:
    """The URL, normalised, if people may be sent there, else a 422 that says why. Only http(s),
    no userinfo, no odd ports, and a host on the campaign's allowed list: never an open redirect.

    Normalised so that what is checked is what a browser opens, and the redirect's `Location` is
    plain ASCII: the host in IDNA (`bücher.de` → `xn--bcher-kva.de`, `shop。example。com` →
    `shop.example.com`), other non-ASCII percent-encoded as UTF-8. Invisible and control
    characters are refused rather than encoded: nobody means to send a customer to them."""

    def bad(reason: str) -> ValidationFailed:
        return ValidationFailed(f"{field} is not allowed", details=[{"field": field, "message": reason}])

    if hidden := _hidden(url):
        raise bad(f"URLs may not contain spaces, invisible or control characters or backslashes ({hidden})")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise bad("not a valid URL") from exc
    schemes = {"https", "http"} if campaign.allow_http else {"https"}
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        raise bad(f"the scheme must be {' or '.join(sorted(schemes))}")
    if parts.username is not None or parts.password is not None:
        raise bad("URLs with user information (user@host) are not allowed")
    if port not in (None, 80, 443):
        raise bad("only the default ports are allowed")
    host = (parts.hostname or "").translate(UNICODE_DOTS).rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise bad("not a valid host name") from exc
    if host and not HOST.match(host):
        raise bad(f"host {host!r} is not a valid host name")
    domains = usable_domains(campaign.allowed_domains)
    if not host or not host_allowed(host, domains):
        allowed = ", ".join(domains) or "none yet: set allowed_domains on the campaign"
        raise bad(f"host {host or '(none)'!r} is not one of the campaign's allowed domains ({allowed})")
    netloc = host if port is None else f"{host}:{port}"
    rest = (quote(p, safe=PRINTABLE_ASCII) for p in (parts.path, parts.query, parts.fragment))
    normalised = urlunsplit((scheme, netloc, *rest))
    if len(normalised) > MAX_ENCODED_URL:
        raise bad(f"the URL is {len(normalised)} characters once encoded; at most {MAX_ENCODED_URL}")
    return normalised


def utm_source(creator: Creator) -> str:
    for platform in HANDLE_ORDER:
        if platform in creator.platforms:
            return creator.platforms[platform].handle
    return campaign_logic.slugify(creator.name)


def redirect_record(brand_id: str, link: Link) -> RedirectRecord:
    """What the redirect function needs, and nothing else, in one item it reads by code."""
    return {
        "code": link.code,
        "brand_id": brand_id,
        "campaign_id": link.campaign_id,
        "creator_id": link.creator_id,
        "destination": link.destination,
        "enabled": link.enabled,
        "expires_epoch": int(link.expires_at.timestamp()) if link.expires_at else None,
        "expired_url": link.expired_url,
        "utm_source": link.utm_source,
        "utm_campaign": link.utm_campaign,
        "click_id_param": link.click_id_param,
        "version": link.version,
    }


def owned_campaign_and_creator(
    stores: Stores, brand_id: str, campaign_id: str, creator_id: str
) -> tuple[Campaign, Creator]:
    """The campaign and creator, both the caller's own; another brand's look like unknown ids."""
    problems = []
    campaign = stores.campaigns.get(brand_id, campaign_id)
    creator = stores.creators.get(brand_id, creator_id)
    if campaign is None:
        problems.append({"field": "campaign_id", "message": "no such campaign"})
    if creator is None:
        problems.append({"field": "creator_id", "message": "no such creator"})
    if campaign is None or creator is None:
        raise ValidationFailed("the link refers to unknown records", details=problems)
    return campaign, creator


def with_url(link: Link, base_url: str | None) -> Link:
    return link.model_copy(update={"url": f"{base_url.rstrip('/')}/r/{link.code}"}) if base_url else link


def create(stores: Stores, brand_id: str, req: LinkCreate) -> Link:
    campaign, creator = owned_campaign_and_creator(stores, brand_id, req.campaign_id, req.creator_id)
    if campaign.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
        raise Conflict(f"a {campaign.status} campaign takes no new links")
    destination = check_url(req.destination, campaign, "destination")
    expired_url = check_url(req.expired_url, campaign, "expired_url") if req.expired_url else None
    now = clock.now_iso()
    for attempt in range(3):
        link = Link(
            code=req.code or ids.new_token(GENERATED_CODE_LENGTH),
            campaign_id=campaign.id,
            creator_id=creator.id,
            destination=destination,
            enabled=req.enabled,
            expires_at=req.expires_at,
            expired_url=expired_url,
            utm_source=utm_source(creator),
            utm_campaign=campaign.slug,
            click_id_param=campaign.click_id_param,
            created_at=now,
            updated_at=now,
            version=1,
        )
        try:
            stores.links.create(brand_id, link, redirect_record(brand_id, link))
            return link
        except Conflict:
            if req.code or attempt == 2:  # a custom code is taken; a random one collided thrice
                raise
    raise AssertionError("unreachable")


def update(stores: Stores, brand_id: str, code: str, patch: LinkPatch) -> Link:
    current = stores.links.require(brand_id, code)
    changes = patch.changes()
    if not changes:
        return current
    campaign = stores.campaigns.require(brand_id, current.campaign_id)
    for field in ("destination", "expired_url"):
        if changes.get(field):
            changes[field] = check_url(changes[field], campaign, field)
    merged = current.model_dump() | changes | {"updated_at": clock.now_iso(), "version": current.version + 1}
    updated = revalidate(Link, merged, "link")
    stores.links.replace(brand_id, current, updated, redirect_record(brand_id, updated))
    return updated
