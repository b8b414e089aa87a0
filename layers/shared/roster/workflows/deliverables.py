"""Fixed fees per deliverable, on proof.

A contract's deliverables are counted in units (1 reel and 2 stories are three units). A unit is
`due` until a post is matched to it (`posted`), `verified` when that post's FTC disclosure is
compliant or the brand accepts it despite the verdict, and `booked` once its fixed fee is in the
ledger. Nothing is booked before: an unverified post is not payable. Each unit books under its
own milestone (`<collaboration>:<deliverable>:<unit>`), and the ledger books a milestone once, so
settling the same unit again, from a retry or from two threads at once, books nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from roster import clock
from roster.conversions import ledger
from roster.errors import Conflict, NotFound
from roster.models.auth import Actor
from roster.models.campaigns import CampaignStatus
from roster.models.collaborations import Collaboration, DeliverableUnit, PostAcceptance, Terms, TimelineEvent
from roster.models.creators import Platform
from roster.models.posts import Post
from roster.monitoring import posts
from roster.store.registry import Stores

if TYPE_CHECKING:
    from roster.deps import Deps

# Hosts whose posts are unambiguous about their platform (a blog or podcast can live anywhere).
HOSTS = {
    "instagram.com": Platform.INSTAGRAM,
    "tiktok.com": Platform.TIKTOK,
    "youtube.com": Platform.YOUTUBE,
    "youtu.be": Platform.YOUTUBE,
    "x.com": Platform.X,
    "twitter.com": Platform.X,
    "facebook.com": Platform.FACEBOOK,
    "fb.watch": Platform.FACEBOOK,
    "threads.net": Platform.THREADS,
    "threads.com": Platform.THREADS,
    "twitch.tv": Platform.TWITCH,
    "pinterest.com": Platform.PINTEREST,
    "pin.it": Platform.PINTEREST,
    "snapchat.com": Platform.SNAPCHAT,
    "linkedin.com": Platform.LINKEDIN,
    "bsky.app": Platform.BLUESKY,
}


def milestone_id(collaboration_id: str, deliverable: int, unit: int) -> str:
    return f"{collaboration_id}:{deliverable}:{unit}"


def units_for(collaboration_id: str, terms: Terms) -> list[DeliverableUnit]:
    return [
        DeliverableUnit(
            deliverable=i,
            unit=n,
            platform=d.platform,
            format=d.format,
            state="due",
            milestone_id=milestone_id(collaboration_id, i, n),
            fee=terms.fee_per_deliverable,
        )
        for i, d in enumerate(terms.deliverables)
        for n in range(d.count)
    ]


def ensure(c: Collaboration) -> None:
    """Gives a contract its units: collaborations contracted before units existed get them here,
    unless their post was already checked (their fees were booked whole, as `<id>-live`)."""
    if c.contract and not c.deliverables and not any(e.type == "post checked" for e in c.timeline):
        c.deliverables = units_for(c.id, c.contract.terms)


def label(u: DeliverableUnit) -> str:
    return f"{u.platform} {u.format} {u.unit + 1}"


def platform_of(url: str) -> Platform | None:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.").removeprefix("m.")
    for suffix, platform in HOSTS.items():
        if host == suffix or host.endswith("." + suffix):
            return platform
    return None


def assign(c: Collaboration, url: str, platform: Platform | None) -> DeliverableUnit | None:
    """Matches a submitted post to a unit: the unit it is already matched to while not verified
    (a resubmission, to be checked again), else the first due unit on its platform in contract
    order. The platform is the one given, else the URL's host's; when neither says, the first
    due unit. None when the collaboration has no contract (nothing to match)."""
    ensure(c)
    if not c.deliverables:
        return None
    pid = posts.post_id(url)
    for u in c.deliverables:
        if u.post_id == pid and u.state != "posted":
            raise Conflict(f"that post is already {label(u)}, {u.state}")
        if u.post_id == pid:
            return u
    due = [u for u in c.deliverables if u.state == "due"]
    if not due:
        raise Conflict("every deliverable of the contract already has a post")
    platform = platform or platform_of(url)
    match = next((u for u in due if platform is None or u.platform == platform), None)
    if match is None:
        still = ", ".join(label(u) for u in due)
        raise Conflict(f"no {platform} deliverable is due; still due: {still}")
    match.state, match.post_id, match.post_url, match.posted_at = "posted", pid, url, clock.now_iso()
    return match


def _note(
    c: Collaboration, kind: str, by: Literal["brand", "roster"], *, actor: Actor | None = None, **detail: Any
) -> None:
    c.timeline.append(TimelineEvent(at=clock.now_iso(), type=kind, by=by, actor=actor, detail=detail))
    c.updated_at = clock.now_iso()


def _verify(c: Collaboration, checked: dict[str, Post]) -> None:
    """Posted units whose post is now compliant (or whose contract needs no disclosure) are
    verified. Verification is final: a caption edited later does not unbook a fee."""
    required = c.contract.terms.disclosure_required if c.contract else True
    now = clock.now_iso()
    for u in c.deliverables:
        post = checked.get(u.post_id or "")
        if post is not None:
            u.disclosure = post.disclosure.result
        if u.state != "posted":
            continue
        # A caption the brand or the creator typed is checked, but only Roster's reading is proof.
        proven = post.proves_disclosure() if post is not None else u.disclosure == "compliant"
        how: Literal["disclosure", "contract"] | None = (
            "contract" if not required else "disclosure" if proven else None
        )
        if how:
            u.state, u.verified_at, u.verified_by = "verified", now, how
            _note(
                c, "deliverable verified", "roster", deliverable=label(u), post_id=u.post_id, verified_by=how
            )


def _payable(u: DeliverableUnit) -> bool:
    return u.state == "verified" and u.fee is not None and u.fee.amount > 0


def settle(stores: Stores, brand_id: str, collaboration_id: str) -> list[DeliverableUnit]:
    """Verifies what the posts now prove and books each verified unit's fee. Returns the units
    this call booked (the ledger said yes); a unit another caller booked first is only marked."""
    c = stores.collaborations.require(brand_id, collaboration_id)
    ensure(c)
    posted = {u.post_id for u in c.deliverables if u.post_id and u.state in ("posted", "verified")}
    checked = {pid: p for pid in posted if (p := stores.posts.get(brand_id, c.campaign_id, pid))}

    def verify(x: Collaboration, private: dict[str, Any]) -> None:
        ensure(x)
        _verify(x, checked)

    probe = c.model_copy(deep=True)
    _verify(probe, checked)
    if probe.deliverables != c.deliverables:  # a check that changes nothing writes nothing
        c, _ = stores.collaborations.mutate(brand_id, collaboration_id, verify)
    due = [u for u in c.deliverables if _payable(u)]
    if not due:
        return []
    booked: list[DeliverableUnit] = []
    for u in due:
        assert u.fee is not None  # _payable
        if ledger.book_fixed_fee(
            stores,
            brand_id,
            campaign_id=c.campaign_id,
            creator_id=c.creator_id,
            milestone_id=u.milestone_id,
            amount=u.fee.amount,
            currency=u.fee.currency,
        ):
            booked.append(u)
    milestones = {u.milestone_id for u in due}

    def mark(x: Collaboration, private: dict[str, Any]) -> None:
        now = clock.now_iso()
        for u in x.deliverables:
            if u.milestone_id in milestones and u.state == "verified":
                u.state, u.booked_at = "booked", now
                fee = u.fee.model_dump(mode="json") if u.fee else None
                _note(
                    x,
                    "fixed fee booked",
                    "roster",
                    deliverable=label(u),
                    milestone_id=u.milestone_id,
                    fee=fee,
                )

    stores.collaborations.mutate(brand_id, collaboration_id, mark)
    return booked


def accept(
    deps: Deps,
    brand_id: str,
    collaboration_id: str,
    post_id: str,
    *,
    by: str,
    note: str | None,
    actor: Actor | None = None,
) -> Collaboration:
    """The brand takes a post as proof despite its disclosure verdict: its unit is verified (who
    and when kept) and its fee booked. Accepting it again keeps the first acceptance."""
    current = deps.stores.collaborations.require(brand_id, collaboration_id)
    if deps.stores.campaigns.require(brand_id, current.campaign_id).status == CampaignStatus.PAUSED:
        raise Conflict("the campaign is paused")
    post = deps.stores.posts.get(brand_id, current.campaign_id, post_id)
    recorded: list[bool] = []

    def change(x: Collaboration, private: dict[str, Any]) -> None:
        recorded.clear()
        ensure(x)
        u = next((u for u in x.deliverables if u.post_id == post_id), None)
        if u is None:
            raise NotFound("no deliverable of this collaboration has that post")
        if u.acceptance is not None:
            return
        if u.state != "posted":
            raise Conflict(
                f"{label(u)} is already {u.state} (disclosure {u.disclosure}): there is nothing to accept"
            )
        now = clock.now_iso()
        verdict = post.disclosure.result if post else u.disclosure
        u.acceptance = PostAcceptance(by=by, actor=actor, at=now, disclosure=verdict, note=note)
        u.disclosure = verdict
        u.state, u.verified_at, u.verified_by = "verified", now, "brand"
        _note(
            x,
            "post accepted",
            "brand",
            actor=actor,
            deliverable=label(u),
            post_id=post_id,
            key_id=by,
            disclosure=verdict,
        )
        recorded.append(True)

    already = next((u for u in current.deliverables if u.post_id == post_id), None)
    if already is None or already.acceptance is None:  # accepting again writes nothing
        deps.stores.collaborations.mutate(brand_id, collaboration_id, change)
    settle(deps.stores, brand_id, collaboration_id)  # also books an acceptance whose booking failed
    if recorded:
        deps.events.publish(
            "collaboration.post_accepted",
            {"brand_id": brand_id, "collaboration_id": collaboration_id, "post_id": post_id, "key_id": by},
        )
    return deps.stores.collaborations.require(brand_id, collaboration_id)
