"""Tracking links: codes, destination rules (never an open redirect) and the redirect record."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from roster import campaigns as campaign_logic
from roster import clock, ids
from roster.errors import Conflict, NotFound, ValidationFailed
from roster.models.campaigns import Campaign, CampaignStatus
from roster.models.common import revalidate
from roster.models.creators import Creator, Platform
from roster.models.links import Link, LinkCreate, LinkPatch
from roster.store.registry import Stores

GENERATED_CODE_LENGTH = 8  # base62: ~47.6 bits, unguessable at any realistic scan rate
HANDLE_ORDER = (Platform.INSTAGRAM, Platform.TIKTOK, Platform.YOUTUBE, *Platform)


def host_allowed(host: str, domains: list[str]) -> bool:
    for domain in domains:
        if domain.startswith("*."):
            if host == domain[2:] or host.endswith(domain[1:]):
                return True
        elif host == domain:
            return True
    return False


def check_url(url: str, campaign: Campaign, field: str) -> str:
    """The URL if people may be sent there, else a 422 that says why. Only http(s), no userinfo,
    no odd ports, and a host on the campaign's allowed list: never an open redirect."""

    def bad(reason: str) -> ValidationFailed:
        return ValidationFailed(f"{field} is not allowed", details=[{"field": field, "message": reason}])

    if any(ord(ch) < 0x21 or ch in "\\" for ch in url):
        raise bad("URLs may not contain spaces, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise bad("not a valid URL") from exc
    schemes = {"https", "http"} if campaign.allow_http else {"https"}
    if parts.scheme.lower() not in schemes:
        raise bad(f"the scheme must be {' or '.join(sorted(schemes))}")
    if parts.username is not None or parts.password is not None:
        raise bad("URLs with user information (user@host) are not allowed")
    if port not in (None, 80, 443):
        raise bad("only the default ports are allowed")
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise bad("not a valid host name") from exc
    if not host or not host_allowed(host, campaign.allowed_domains):
        allowed = ", ".join(campaign.allowed_domains) or "none yet: set allowed_domains on the campaign"
        raise bad(f"host {host or '(none)'!r} is not one of the campaign's allowed domains ({allowed})")
    return url


def utm_source(creator: Creator) -> str:
    for platform in HANDLE_ORDER:
        if platform in creator.platforms:
            return creator.platforms[platform].handle
    return campaign_logic.slugify(creator.name)


def redirect_record(brand_id: str, link: Link) -> dict[str, Any]:
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
    try:
        campaign = stores.campaigns.get(brand_id, campaign_id)
    except NotFound:
        problems.append({"field": "campaign_id", "message": "no such campaign"})
    try:
        creator = stores.creators.get(brand_id, creator_id)
    except NotFound:
        problems.append({"field": "creator_id", "message": "no such creator"})
    if problems:
        raise ValidationFailed("the link refers to unknown records", details=problems)
    return campaign, creator


def with_url(link: Link, base_url: str | None) -> Link:
    return link.model_copy(update={"url": f"{base_url.rstrip('/')}/r/{link.code}"}) if base_url else link


def create(stores: Stores, brand_id: str, req: LinkCreate) -> Link:
    campaign, creator = owned_campaign_and_creator(stores, brand_id, req.campaign_id, req.creator_id)
    if campaign.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
        raise Conflict(f"a {campaign.status} campaign takes no new links")
    check_url(req.destination, campaign, "destination")
    if req.expired_url:
        check_url(req.expired_url, campaign, "expired_url")
    now = clock.now_iso()
    for attempt in range(3):
        link = Link(
            code=req.code or ids.new_token(GENERATED_CODE_LENGTH),
            campaign_id=campaign.id,
            creator_id=creator.id,
            destination=req.destination,
            enabled=req.enabled,
            expires_at=req.expires_at,
            expired_url=req.expired_url,
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
    current = stores.links.get(brand_id, code)
    changes = patch.changes()
    if not changes:
        return current
    campaign = stores.campaigns.get(brand_id, current.campaign_id)
    if "destination" in changes:
        check_url(changes["destination"], campaign, "destination")
    if changes.get("expired_url"):
        check_url(changes["expired_url"], campaign, "expired_url")
    merged = current.model_dump() | changes | {"updated_at": clock.now_iso(), "version": current.version + 1}
    updated = revalidate(Link, merged, "link")
    stores.links.replace(brand_id, current, updated, redirect_record(brand_id, updated))
    return updated
