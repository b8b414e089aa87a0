"""The emails a creator gets when a step waits for them (the invitation, the brand's counter-offer,
the contract to sign, the shipment to confirm, a revision to make, the approved content to post)
and when a payout pays them. Each goes through the outreach sending path
(`roster.outreach.notices`: the brand's sender, suppression, role addresses, footer, unsubscribe).

What a step says is decided by `notice_for`, a pure function of the record. Each notice has a key
(`contract:<document hash>`, `revision:<round>`, ...) claimed on the collaboration's timeline (an
`emailed` event) in a conditional write before it is sent: a retried or re-entered wait, even one
running at the same moment, finds the claim and sends nothing. A claim cut short by a crash before
the send is not sent again (at most once; the deadline's reminder still follows), and a send that
fails never fails the step.

A payout's emails do not go out in the booking request: `payout_booked` queues one `notice` job
per paid creator on the outreach queue, and the outreach send worker sends each (`send_payout`),
once per payout and creator (see `roster.outreach.notice_jobs`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from roster import clock
from roster.models.campaigns import Campaign, CampaignStatus
from roster.models.collaborations import Collaboration, Terms, TimelineEvent
from roster.models.payouts import Payout
from roster.money import exponent
from roster.observability import logger
from roster.outreach import mail, notice_jobs, notices

if TYPE_CHECKING:
    from roster.deps import Deps

EMAILED = "emailed"  # the timeline event that claims a notice: detail {"notice": key, "sent": bool}

PLATFORMS = {"tiktok": "TikTok", "youtube": "YouTube", "x": "X", "linkedin": "LinkedIn"}


@dataclass(frozen=True)
class Notice:
    """One step's email: `key` says which step instance it is (sent once), `label` names the link."""

    key: str
    subject: str
    text: str
    label: str = "Open your collaboration page"


def amount_text(amount: int, currency: str) -> str:
    """39800 USD → "USD 398.00"; 1500 JPY → "JPY 1,500" (exact: no floats)."""
    digits = exponent(currency)
    return f"{currency} {Decimal(amount).scaleb(-digits):,.{digits}f}"


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def when_text(stamp: str | None) -> str | None:
    """A stored timestamp as a person reads it: "14 Dec 2026, 18:05 UTC"."""
    if not stamp:
        return None
    moment = clock.parse(stamp)
    return f"{day_text(moment.date())}, {moment:%H:%M} UTC"


def offer_summary(terms: Terms) -> str:
    """The offer in a few lines: what to post, the fee, when, and what else comes with it."""
    units = sum(d.count for d in terms.deliverables)
    posts = ", ".join(
        f"{d.count} × {PLATFORMS.get(d.platform.value, d.platform.value.capitalize())} {d.format}"
        for d in terms.deliverables
    )
    lines = [f"What to post: {posts}"]
    fee = terms.fee_per_deliverable
    if fee:
        each = amount_text(fee.amount, fee.currency)
        lines.append(
            f"Fee: {each} per post"
            + (f", {amount_text(fee.amount * units, fee.currency)} in all" if units > 1 else "")
        )
    if terms.commission:
        lines.append("Commission: on the sales your link and promo code bring in")
    lines.append(
        f"Posting window: {day_text(terms.posting_window_start)} to {day_text(terms.posting_window_end)}"
    )
    if terms.content_due:
        lines.append(f"Drafts due: {day_text(terms.content_due)}")
    if terms.product_seeding:
        lines.append(f"Product: {terms.product_seeding}")
    return "\n".join(lines)


def _by(stamp: str | None, what: str) -> str:
    when = when_text(stamp)
    return f"{what} by {when}." if when else f"{what} as soon as you can."


def _opening(c: Collaboration) -> bool:
    """Is the latest offer the one the collaboration started with (which the invitation showed)?"""
    return len(c.offers) == 1 and c.offers[0].at == c.created_at


@dataclass(frozen=True)
class _Step:
    """What a step's email is written from."""

    c: Collaboration
    campaign: Campaign
    brand: str
    until: str | None  # when this wait times out
    due: str | None  # the step's deadline (else `until`)


def _invitation(s: _Step) -> Notice | None:
    if s.campaign.workflow.invite_steps:
        return None  # the campaign's outreach sequence invites (and follows up)
    c, name = s.c, s.campaign.name
    offer = offer_summary(c.offers[-1].terms) if c.offers else "The offer follows once you accept."
    text = (
        f"{s.brand} would like to work with you on {name}.\n\n{offer}\n\n"
        "Open your page to read the brief and the full offer, then accept or decline. "
        + _by(s.until, "Please answer")
        + " After that the invitation expires."
    )
    return Notice("invite", f"{s.brand} invites you to {name}", text, "See the invitation")


def _counter(s: _Step) -> Notice | None:
    latest = s.c.offers[-1] if s.c.offers else None
    if latest is None or latest.by != "brand" or _opening(s.c):
        return None  # the creator's own offer awaits the brand, or the invitation showed this one
    text = (
        f"{s.brand} sent you a new offer for {s.campaign.name}"
        + (f": “{latest.note}”" if latest.note else ".")
        + f"\n\n{offer_summary(latest.terms)}\n\n"
        "Open your page to accept it or answer with your own offer. " + _by(s.until, "Please reply")
    )
    return Notice(f"counter:{len(s.c.offers)}", f"New offer from {s.brand}", text, "See the offer")


def _contract(s: _Step) -> Notice | None:
    contract = s.c.contract
    if contract is None or contract.signature is not None:
        return None
    text = (
        f"Your contract with {s.brand} for {s.campaign.name} is ready. It holds the terms you agreed.\n\n"
        "Open your page to read it in full and sign it with your name. " + _by(s.due, "Please sign")
    )
    return Notice(
        f"contract:{contract.document_hash[:16]}",
        f"Your contract with {s.brand} is ready to sign",
        text,
        "Read and sign the contract",
    )


def _shipment(s: _Step) -> Notice | None:
    shipment = s.c.shipment
    if shipment is None or shipment.delivered_at:
        return None
    text = (
        f"{s.brand} has sent you the product for {s.campaign.name}.\n\n"
        f"Carrier: {shipment.carrier}\nTracking number: {shipment.tracking_number}\n\n"
        "When it arrives, confirm the delivery on your page: your content step starts then. "
        + _by(s.until, "Please confirm")
    )
    return Notice(f"shipment:{shipment.shipped_at}", f"{s.brand} sent your package", text, "Confirm delivery")


def _revision(s: _Step) -> Notice | None:
    last = s.c.proposals[-1] if s.c.proposals else None
    if last is None or last.decision != "changes_requested":
        return None  # the first draft: the brief email (onboarding) asked for it
    comments = f"\n\nTheir comments:\n{last.comments}" if last.comments else ""
    text = (
        f"{s.brand} reviewed your draft for {s.campaign.name} (round {last.round}) and asked for changes."
        f"{comments}\n\nOpen your page to upload a new draft. " + _by(s.due, "Please send it")
    )
    return Notice(
        f"revision:{last.round}", f"{s.brand} asked for changes to your draft", text, "Upload a new draft"
    )


def _approved(s: _Step) -> Notice | None:
    terms = s.c.contract.terms if s.c.contract else None
    window = ""
    if terms:
        start, end = day_text(terms.posting_window_start), day_text(terms.posting_window_end)
        window = f"\n\nPost between {start} and {end}."
    disclose = terms is None or terms.disclosure_required
    text = (
        f"{s.brand} approved your content for {s.campaign.name}. You can post it now.{window}"
        + (" Keep the disclosure (such as #ad) in your caption." if disclose else "")
        + "\n\nThen give us the post's link and caption on your page. "
        + _by(s.due, "Please post")
    )
    return Notice("approved", f"{s.brand} approved your content", text, "Submit your post")


# (stage, the creator's action its wait takes) → the email; a wait of the brand's turn has none.
STEPS: dict[tuple[str, str], Callable[[_Step], Notice | None]] = {
    ("invite", "accept"): _invitation,
    ("negotiate", "accept-terms"): _counter,
    ("contract", "sign"): _contract,
    ("seeding", "confirm-delivery"): _shipment,
    ("content", "submit-content"): _revision,
    ("live", "submit-post"): _approved,
}


def notice_for(
    c: Collaboration, campaign: Campaign, stage: str, actions: list[str], *, brand: str
) -> Notice | None:
    """The email a wait for `actions` in `stage` sends the creator, or None when this wait needs
    none (the brand's turn, an outreach sequence invites, nothing new for them). `c.waiting_for`
    is this wait (`until`: when it times out; `due`: the step's deadline)."""
    write = next((fn for (at, action), fn in STEPS.items() if at == stage and action in actions), None)
    if write is None:
        return None
    waiting = c.waiting_for
    until = waiting.until if waiting else None
    return write(_Step(c, campaign, brand, until, (waiting.due if waiting else None) or until))


class _NotNow(Exception):
    """Ends a claim's read-modify-write without writing: someone else told them, or no one need."""


def _claimed(c: Collaboration, key: str) -> bool:
    return any(e.type == EMAILED and e.detail.get("notice") == key for e in c.timeline)


def step(d: Deps, brand_id: str, c: Collaboration, event: dict[str, Any]) -> bool | None:
    """After a wait stored its token: emails the creator what this step needs of them, once.
    Returns whether it was sent (None: nothing to send, sent before, or held). Never raises: the
    wait is stored already, and a failing email (or its bookkeeping) must not fail the step."""
    try:
        return _step(d, brand_id, c, event)
    except Exception as exc:
        logger.warning("step email failed", extra={"collaboration_id": c.id, "error": type(exc).__name__})
        return False


def _step(d: Deps, brand_id: str, c: Collaboration, event: dict[str, Any]) -> bool | None:
    stage, actions = event["stage"], list(event["actions"])
    if d.mail is None or not d.mailer.configuration_set or d.stores.outreach.get_settings(brand_id) is None:
        return None  # no sender: nothing is claimed, nothing can go
    campaign = d.stores.campaigns.get(brand_id, c.campaign_id)
    if campaign is None:
        return None
    brand = d.stores.brands.get_brand(brand_id)
    notice = notice_for(c, campaign, stage, actions, brand=brand.name if brand else campaign.name)
    if notice is None or _claimed(c, notice.key):
        return None
    if campaign.status == CampaignStatus.PAUSED:
        # Not claimed: the next wait of this step (grace, decision) tells them once it runs again.
        logger.info(
            "step email held: campaign paused", extra={"collaboration_id": c.id, "notice": notice.key}
        )
        return None

    def claim(x: Collaboration, private: dict[str, Any]) -> None:
        # Not if the creator answered meanwhile (or the step moved on), nor if another run claimed
        # it: then nothing is written at all.
        if x.waiting_for is None or x.waiting_for.actions != actions or x.stage != stage:
            raise _NotNow
        if _claimed(x, notice.key):
            raise _NotNow
        detail = {"notice": notice.key}
        x.timeline.append(TimelineEvent(at=clock.now_iso(), type=EMAILED, by="roster", detail=detail))

    try:
        d.stores.collaborations.mutate(brand_id, c.id, claim)
    except _NotNow:
        return None
    sent = _send_collaboration(d, brand_id, c, notice)

    def record(x: Collaboration, private: dict[str, Any]) -> None:
        for e in reversed(x.timeline):
            if e.type == EMAILED and e.detail.get("notice") == notice.key:
                e.detail = {**e.detail, "sent": sent}
                return

    d.stores.collaborations.mutate(brand_id, c.id, record)
    return sent


def _send_collaboration(d: Deps, brand_id: str, c: Collaboration, notice: Notice) -> bool:
    config = d.mail
    if config is None:
        return False
    page = mail.collaboration_url(config.public_url, config.signing_key, brand_id, c.id)
    return _send(
        d,
        brand_id,
        c.creator_id,
        notice,
        link=page,
        pointer_id=c.id,
        campaign_id=c.campaign_id,
        tags={"collaboration": c.id, "notice": notice.key.split(":", 1)[0]},
    )


def _send(
    d: Deps,
    brand_id: str,
    creator_id: str,
    notice: Notice,
    *,
    link: str,
    pointer_id: str | None,
    campaign_id: str,
    tags: dict[str, str],
    retry: bool = False,
) -> bool:
    """`notices.send`, which returns False for what it expects (suppressed, SES refusing); anything
    else (a store or SES error it does not map, a deleted creator) is logged by type (never its
    message: it may hold an address) and is also False: an email never fails a step or a payout.
    With `retry` (a queue worker) those, and SES not taking it now, are raised after the log line:
    the queue's retry may send it."""
    try:
        found = d.stores.creators.get(brand_id, creator_id)
        if found is None:
            return False
        first = found.name.split()[0] if found.name.strip() else ""
        return notices.send(
            d,
            brand_id,
            found,
            notice.subject,
            f"Hi {first},\n\n{notice.text}" if first else notice.text,
            link=link,
            link_label=notice.label,
            pointer_id=pointer_id,
            campaign_id=campaign_id,
            tags=tags,
            retry=retry,
        )
    except Exception as exc:
        logger.warning(
            "creator email failed",
            extra={"creator_id": creator_id, "notice": notice.key, "error": type(exc).__name__},
        )
        if retry:
            raise
        return False


def payout_notice(payout: Payout, creator_id: str, *, brand: str) -> Notice | None:
    """The email to one creator a payout pays (one line per currency), or None if it pays them nothing."""
    amounts = [
        amount_text(line.amount, line.currency)
        for line in payout.lines
        if line.creator_id == creator_id and line.amount > 0
    ]
    if not amounts:
        return None
    paid = " and ".join(amounts)
    text = (
        f"{brand} booked a payout of {paid} to you on {when_text(payout.created_at)}. "
        "The brand sends the money with its usual payment method, to the payout details you gave them.\n\n"
        "Your creator home lists what you earned and every payout. Check that your payout email there is "
        "right, so nothing is held up."
    )
    return Notice(f"payout:{payout.id}", f"{brand} paid you {paid}", text, "Open your creator home")


def payout_booked(d: Deps, brand_id: str, payout: Payout) -> int:
    """Queues the email to each creator a booked payout pays (one `notice` job each, sent by the
    outreach worker: `send_payout`), after it is booked: the booking is durable and its lock
    released. Returns at once, best effort and never raising: the payout stands whatever happens to
    its emails (a failure to queue them is logged). Returns how many were queued."""
    try:
        if d.stores.outreach.get_settings(brand_id) is None:
            return 0  # no sender: no email could go
        paid = [
            creator_id
            for creator_id in dict.fromkeys(line.creator_id for line in payout.lines)
            if any(line.creator_id == creator_id and line.amount > 0 for line in payout.lines)
        ]
        notice_jobs.enqueue(d, [notice_jobs.payout_job(brand_id, payout.id, c) for c in paid])
        return len(paid)
    except Exception as exc:
        logger.warning(
            "payout emails not queued", extra={"payout_id": payout.id, "error": type(exc).__name__}
        )
        return 0


def send_payout(d: Deps, job: dict[str, Any]) -> str:
    """The `payout` notice job: emails one creator what a booked payout pays them, once per payout
    and creator however often the job is delivered. Returns sent, not_sent (suppressed, no sender,
    SES refused it for good: not tried again), duplicate (claimed before) or skipped (no such
    payout, or it pays them nothing). Raises, the claim given back, when the send did not happen
    for a reason a retry may not meet (throttled, SES unavailable, a store error)."""
    brand_id, payout_id, creator_id = str(job["brand_id"]), str(job["payout_id"]), str(job["creator_id"])
    config = d.require_mail()
    payout = d.stores.payouts.get(brand_id, payout_id)
    if payout is None or payout.status != "booked":
        return "skipped"
    brand = d.stores.brands.get_brand(brand_id)
    notice = payout_notice(payout, creator_id, brand=brand.name if brand else "Your brand partner")
    if notice is None:
        return "skipped"
    key = f"payout:{payout_id}:{creator_id}"
    if not notice_jobs.claim(d, brand_id, key):
        return "duplicate"
    try:
        sent = _send(
            d,
            brand_id,
            creator_id,
            notice,
            link=f"{config.public_url}/h/{brand_id}",
            pointer_id=None,
            campaign_id="",
            tags={"payout": payout_id, "notice": "payout"},
            retry=True,
        )
    except Exception:
        notice_jobs.release(d, brand_id, key)
        raise
    return "sent" if sent else "not_sent"
