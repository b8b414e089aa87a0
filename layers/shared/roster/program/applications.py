"""Recruiting through the brand's application page: its settings, an applicant's application
(stored unconfirmed until the email address is confirmed), the confirmation that creates or
updates the creator as an `applicant`, and the brand's decision.

What a decision sets off beyond the table (a collaboration, a decline email) is the caller's: this
room may not reach workflows or outreach."""

from __future__ import annotations

from roster import clock, ids
from roster.errors import Conflict, NotFound, ValidationFailed
from roster.models.applications import (
    Application,
    ApplicationForm,
    ApplicationPage,
    ApplicationPagePut,
    ApplicationStatus,
)
from roster.models.campaigns import Campaign, CampaignStatus
from roster.models.creators import Creator, CreatorCreate, CreatorPatch, CreatorStatus, SocialProfile
from roster.program import creators
from roster.store.registry import Stores
from roster.store.table import TransactionConflict

# An unconfirmed application outlives its 24 h confirmation link by a day, then goes (TTL): the
# brand never sees it, and nothing is kept about someone who never confirmed.
UNCONFIRMED_TTL = 2 * 86_400
RETRIES = 5  # optimistic writes to one creator lost to concurrent ones before giving up (409)
OPEN_CAMPAIGN = (CampaignStatus.DRAFT, CampaignStatus.ACTIVE)


def save_page(stores: Stores, brand_id: str, body: ApplicationPagePut) -> ApplicationPage:
    """Creates or replaces the page; its campaigns must be the brand's own (422 naming the first
    unknown one), the slug free (409)."""
    for n, campaign_id in enumerate(body.campaign_ids):
        if stores.campaigns.get(brand_id, campaign_id) is None:
            raise ValidationFailed(
                "every campaign must be one of the brand's",
                details=[{"field": f"campaign_ids.{n}", "message": f"no campaign {campaign_id}"}],
            )
    old = stores.applications.get_page(brand_id)
    new = ApplicationPage(
        **body.model_dump(),
        updated_at=clock.now_iso(),
        version=old.version + 1 if old else 1,
    )
    stores.applications.put_page(brand_id, new, old)
    return new


def require_page(stores: Stores, brand_id: str) -> ApplicationPage:
    page = stores.applications.get_page(brand_id)
    if page is None:
        raise NotFound("no application page yet: PUT /v1/application-page")
    return page


def open_page(stores: Stores, slug: str) -> tuple[str, ApplicationPage] | None:
    """The brand and page behind `/apply/<slug>`, or None when there is none or it is switched off."""
    brand_id = stores.applications.brand_for_slug(slug)
    page = stores.applications.get_page(brand_id) if brand_id else None
    if brand_id is None or page is None or not page.enabled or page.slug != slug:
        return None
    return brand_id, page


def campaign_for(stores: Stores, brand_id: str, page: ApplicationPage, slug: str | None) -> Campaign | None:
    """The campaign `?campaign=<slug>` names, if the page lets one apply to it and it still takes
    collaborations; None otherwise (the page is then the brand's general one)."""
    if not slug:
        return None
    for campaign_id in page.campaign_ids:
        campaign = stores.campaigns.get(brand_id, campaign_id)
        if campaign and campaign.slug == slug and campaign.status in OPEN_CAMPAIGN:
            return campaign
    return None


def submit(stores: Stores, brand_id: str, form: ApplicationForm, campaign_id: str | None) -> Application:
    """Stores the application, unconfirmed (expiring) until its email address is confirmed."""
    app = Application(
        id=ids.new_id(),
        status=ApplicationStatus.UNCONFIRMED,
        name=form.name,
        email=str(form.email).strip().lower(),
        handles=form.handles,
        country=form.country,
        note=form.note,
        campaign_id=campaign_id,
        created_at=clock.now_iso(),
        version=1,
    )
    stores.applications.create(brand_id, app, ttl=UNCONFIRMED_TTL)
    return app


def _merged_platforms(current: Creator, app: Application) -> dict[str, SocialProfile]:
    """The creator's profiles with the application's handles: what the applicant says now wins
    (handle, followers); a known profile's URLs are kept while its handle is the same."""
    merged = {str(p): profile for p, profile in current.platforms.items()}
    for h in app.handles:
        known = merged.get(str(h.platform))
        if known and known.handle.lower() == h.handle.lstrip("@").lower():
            followers = h.followers if h.followers is not None else known.followers
            merged[str(h.platform)] = known.model_copy(update={"followers": followers})
        else:
            merged[str(h.platform)] = SocialProfile(handle=h.handle, followers=h.followers)
    return merged


def _creator_for(stores: Stores, brand_id: str, app: Application) -> Creator:
    """Creates the creator (status applicant) or updates the one with this email: handles merged,
    status kept unless archived (then applicant again). Safe under concurrent confirmations of two
    applications from one address: the email guard lets one create, the other updates."""
    for _ in range(RETRIES):
        existing = stores.creators.id_for_email(brand_id, app.email)
        try:
            if existing is None:
                req = CreatorCreate(
                    name=app.name,
                    email=app.email,
                    platforms={
                        h.platform: SocialProfile(handle=h.handle, followers=h.followers) for h in app.handles
                    },
                    country=app.country,
                    status=CreatorStatus.APPLICANT,
                )
                return creators.create(stores.creators, brand_id, req)
            current = stores.creators.get(brand_id, existing)
            if current is None:
                continue
            patch = CreatorPatch.model_validate(
                {
                    "platforms": _merged_platforms(current, app),
                    "status": CreatorStatus.APPLICANT
                    if current.status == CreatorStatus.ARCHIVED
                    else current.status,
                    **({"country": app.country} if app.country and not current.country else {}),
                }
            )
            return creators.update(stores.creators, brand_id, current.id, patch, current=current)
        except (Conflict, TransactionConflict):
            continue  # created or changed meanwhile: read it again
    raise Conflict("the creator is being changed by other requests; try again")


def confirm(stores: Stores, brand_id: str, application_id: str) -> Application:
    """The applicant confirmed their address (the caller has spent the single-use link): the
    creator is created or updated and the application becomes pending, shown to the brand."""
    app = stores.applications.get(brand_id, application_id, consistent=True)
    if app is None or app.status != ApplicationStatus.UNCONFIRMED:
        raise NotFound("the application is gone or already confirmed")
    creator = _creator_for(stores, brand_id, app)
    confirmed = app.model_copy(
        update={
            "status": ApplicationStatus.PENDING,
            "creator_id": creator.id,
            "applied_at": clock.now_iso(),
            "version": app.version + 1,
        }
    )
    stores.applications.replace(brand_id, app, confirmed)
    return confirmed


def require_pending(stores: Stores, brand_id: str, application_id: str) -> Application:
    """A pending application of the brand; 404 for none (or another brand's), 409 once decided."""
    app = stores.applications.require_confirmed(brand_id, application_id)
    if app.status != ApplicationStatus.PENDING:
        raise Conflict(f"the application was already {app.status}")
    return app


def decide(
    stores: Stores,
    brand_id: str,
    app: Application,
    status: ApplicationStatus,
    by: str,
    *,
    collaboration_id: str | None = None,
) -> Application:
    """Records the decision once (409 for the second, however close the two are)."""
    decided = app.model_copy(
        update={
            "status": status,
            "decided_at": clock.now_iso(),
            "decided_by": by,
            "collaboration_id": collaboration_id,
            "version": app.version + 1,
        }
    )
    stores.applications.replace(brand_id, app, decided)
    return decided


# What a decision may change: approving makes an applicant (or a prospect who applied) active;
# declining archives only an applicant — a creator the brand already had keeps the status it gave.
DECIDES = {
    CreatorStatus.ACTIVE: frozenset({CreatorStatus.APPLICANT, CreatorStatus.PROSPECT}),
    CreatorStatus.ARCHIVED: frozenset({CreatorStatus.APPLICANT}),
}


def set_creator_status(stores: Stores, brand_id: str, creator_id: str, status: CreatorStatus) -> Creator:
    """The decision's effect on the creator (active when approved, archived when declined; see
    `DECIDES`), retried over concurrent edits of the creator."""
    for _ in range(RETRIES):
        current = stores.creators.require(brand_id, creator_id)
        if current.status == status or current.status not in DECIDES.get(status, frozenset()):
            return current
        try:
            return creators.update(
                stores.creators, brand_id, creator_id, CreatorPatch(status=status), current=current
            )
        except Conflict:
            continue
    raise Conflict("the creator is being changed by other requests; try again")
