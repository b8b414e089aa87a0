"""Outreach: message a segment of the roster at once, follow up on a schedule, stop the moment a
creator answers, and never email anyone who asked not to be (or whose address bounced).

    POST /v1/campaigns/{id}/outreach → start: enroll creators, queue step 0 (SQS)
    SQS → send_step: checks, render, SESv2 send, record, schedule the next step
    every 5 minutes → dispatch_due: queue the follow-ups that are due
    SES events (EventBridge) → apply_ses_event; inbound replies (S3) → handle_reply;
    /u/{token} → unsubscribe; brand API → stop (accepted / declined)

Each step is sent at most once: the message record is claimed before the send, and a claim is
only released when SES certainly did not take the message (throttled).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence as Seq
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ulid import ULID

from roster import clock, ids
from roster.adapters.events import EventPublisher
from roster.adapters.mailer import Mailer, Rejected
from roster.adapters.queue import WorkQueue
from roster.errors import Conflict, NotFound, ValidationFailed
from roster.links import links
from roster.models.campaigns import CampaignStatus
from roster.models.collaborations import TimelineEvent
from roster.models.creators import Creator
from roster.models.outreach import (
    EmailPreview,
    EmailTemplate,
    Enrollment,
    Funnel,
    MessageEvent,
    OutreachMessage,
    OutreachSettings,
    OutreachStart,
    PreviewRequest,
    Sequence,
)
from roster.outreach import email_templates, mail
from roster.store.registry import Stores

MAX_AUDIENCE = 5000
# Stop reasons that are also funnel flags on the enrollment (of the same name).
STOP_FLAGS = frozenset({"replied", "accepted", "declined", "unsubscribed", "bounced", "complained"})
SUPPRESSION_STOP = {"unsubscribe": "unsubscribed", "bounce": "bounced", "complaint": "complained"}


@dataclass(frozen=True)
class MailConfig:
    signing_key: str
    mail_domain: str
    public_url: str  # base of unsubscribe links, e.g. https://api.example.com


def _audience(
    stores: Stores, brand_id: str, req: OutreachStart
) -> tuple[list[Creator], list[dict[str, str]]]:
    a = req.audience
    skipped: list[dict[str, str]] = []
    if a.creator_ids is not None:
        found = []
        for creator_id in dict.fromkeys(a.creator_ids):
            try:
                found.append(stores.creators.get(brand_id, creator_id))
            except NotFound:
                skipped.append({"creator_id": creator_id, "reason": "creator not found"})
        return found, skipped
    creators: list[Creator] = []
    cursor = None
    while True:
        page, cursor = stores.creators.list(
            brand_id, status=None, tier=a.tier, tag=a.tag, country=a.country, limit=100, cursor=cursor
        )
        creators += [c for c in page if c.status != "archived"]
        if not cursor or len(creators) >= MAX_AUDIENCE:
            break
    if len(creators) > MAX_AUDIENCE:
        raise ValidationFailed(f"the filter matches more than {MAX_AUDIENCE} creators; narrow it")
    return creators, skipped


def start(stores: Stores, queue: WorkQueue, brand_id: str, campaign_id: str, req: OutreachStart) -> Sequence:
    campaign = stores.campaigns.get(brand_id, campaign_id)
    if campaign.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
        raise Conflict(f"a {campaign.status} campaign sends no outreach")
    if stores.outreach.get_settings(brand_id) is None:
        raise Conflict("set the sender first: PUT /v1/outreach/settings")
    for step in req.steps:
        stores.outreach.get_template(brand_id, step.template_id)  # 404 for an unknown template
    creators, skipped = _audience(stores, brand_id, req)
    now = clock.now_iso()
    sequence_id = ids.new_id()
    enrolled: list[str] = []
    for creator in creators:
        refused = refusal(stores, brand_id, creator)
        if refused:
            skipped.append({"creator_id": creator.id, "reason": refused[0]})
            continue
        e = Enrollment(
            campaign_id=campaign_id,
            creator_id=creator.id,
            sequence_id=sequence_id,
            status="active",
            step=0,
            next_send_at=None,  # queued right away; the due index is for follow-ups
            updated_at=now,
        )
        if stores.outreach.enroll(brand_id, e):
            enrolled.append(creator.id)
        else:
            skipped.append({"creator_id": creator.id, "reason": "already in this campaign's outreach"})
    sequence = Sequence(
        id=sequence_id,
        campaign_id=campaign_id,
        steps=req.steps,
        offer=req.offer,
        targeted=len(creators) + sum(1 for s in skipped if s["reason"] == "creator not found"),
        enrolled=len(enrolled),
        skipped=skipped,
        created_at=now,
    )
    stores.outreach.put_sequence(brand_id, sequence)
    queue.send([_send_message(brand_id, campaign_id, c, sequence_id, 0) for c in enrolled])
    return sequence


def _send_message(
    brand_id: str, campaign_id: str, creator_id: str, sequence_id: str, step: int
) -> dict[str, Any]:
    return {
        "kind": "send",
        "brand_id": brand_id,
        "campaign_id": campaign_id,
        "creator_id": creator_id,
        "sequence_id": sequence_id,
        "step": step,
    }


def refusal(stores: Stores, brand_id: str, creator: Creator) -> tuple[str, str] | None:
    """Why this creator must not be emailed (and the stop reason that goes with it), or None."""
    if mail.role_address(creator.email):
        return f"role address ({creator.email.split('@', 1)[0]}@) is not a person", "refused"
    suppressed = stores.outreach.suppression(brand_id, mail.email_hash(creator.email))
    if suppressed:
        return f"suppressed: {suppressed}", SUPPRESSION_STOP.get(suppressed, "refused")
    return None


def personalization(
    stores: Stores,
    brand_id: str,
    creator: Creator,
    campaign_id: str | None,
    *,
    public_url: str,
    offer: str | None,
    sender_name: str | None,
    signature: str | None,
    signing_key: str | None = None,
) -> email_templates.Personalization:
    """The values a template can use for this creator (and campaign): their tracking link and
    promo code in the campaign when they have them."""
    brand = stores.brands.get_brand(brand_id)
    campaign_name = link = promo = page = None
    if campaign_id:
        campaign_name = stores.campaigns.get(brand_id, campaign_id).name
        found = stores.links.all(brand_id, campaign_id=campaign_id, creator_id=creator.id)
        link = links.with_url(found[0], public_url).url if found else None
        codes = stores.promo_codes.all(brand_id, campaign_id=campaign_id, creator_id=creator.id)
        promo = codes[0].code if codes else None
        collab = stores.collaborations.open_for_creator(brand_id, campaign_id, creator.id)
        if collab and signing_key:
            page = mail.collaboration_url(public_url, signing_key, brand_id, collab["id"])
    return email_templates.Personalization(
        creator=creator,
        brand_name=brand.name if brand else "",
        campaign_name=campaign_name,
        offer=offer,
        link=link,
        promo_code=promo,
        sender_name=sender_name,
        signature=signature,
        page_url=page,
    )


@dataclass(frozen=True)
class Composed:
    """One outreach email exactly as SES gets it."""

    subject: str
    raw: bytes
    samples: list[str]  # fields shown with a marked sample value (previews only)


def compose(
    stores: Stores,
    config: MailConfig,
    brand_id: str,
    sender: OutreachSettings,
    template: EmailTemplate,
    creator: Creator,
    campaign_id: str | None,
    *,
    offer: str | None,
    message_id: str,
    samples: bool = False,
) -> Composed:
    """The one builder of an outreach email: the send worker sends what this returns and the
    preview shows it, so the two cannot differ. With `samples`, a value the creator does not have
    yet is a marked sample instead of a refusal (RenderError)."""
    values = personalization(
        stores,
        brand_id,
        creator,
        campaign_id,
        public_url=config.public_url,
        offer=offer,
        sender_name=sender.from_name,
        signature=sender.signature,
        signing_key=config.signing_key,
    )
    filled: list[str] = []
    if samples:
        values, filled = email_templates.with_samples(values, template.fields, config.public_url)
    rendered = email_templates.render(template, values)
    token = mail.unsubscribe_token(config.signing_key, brand_id, creator.id)
    reply_to = mail.reply_address(config.signing_key, message_id, config.mail_domain)
    raw = mail.build(
        from_name=sender.from_name,
        from_email=sender.from_email,
        to=creator.email,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        reply_to=reply_to,
        unsubscribe_url=f"{config.public_url}/u/{token}",
        unsubscribe_mailto=reply_to.replace("reply+", "unsubscribe+", 1),
        postal_address=sender.postal_address,
    )
    return Composed(subject=rendered.subject, raw=raw, samples=filled)


# A preview is no message: its Reply-To carries this id, which no reply pointer ever names, so a
# reply to it is ignored (and every preview of the same inputs is the same bytes).
PREVIEW_MESSAGE_ID = "0" * 26
SAMPLE_SENDER = OutreachSettings(
    from_email="sender@example.invalid",
    from_name=email_templates.SAMPLE_TEXT["sender_name"],
    postal_address="[SAMPLE POSTAL ADDRESS: set the sender in PUT /v1/outreach/settings]",
    updated_at="",
)


def preview(
    stores: Stores, config: MailConfig, brand_id: str, template_id: str, req: PreviewRequest
) -> EmailPreview:
    """The email this creator would get, built by `compose` like a send and read back from its
    bytes; values that do not exist yet are marked samples, listed in `samples`."""
    template = stores.outreach.get_template(brand_id, template_id)
    creator = stores.creators.get(brand_id, req.creator_id)
    sender = stores.outreach.get_settings(brand_id)
    marked = ["reply_to"]
    if sender is None:
        sender = SAMPLE_SENDER
        marked += ["from", "postal_address"] + (["sender.name"] if "sender.name" in template.fields else [])
    composed = compose(
        stores,
        config,
        brand_id,
        sender,
        template,
        creator,
        req.campaign_id,
        offer=req.offer,
        message_id=PREVIEW_MESSAGE_ID,
        samples=True,
    )
    parts = mail.read(composed.raw)
    refused = refusal(stores, brand_id, creator)
    return EmailPreview(
        subject=parts.headers["Subject"],
        html=parts.html,
        text=parts.text,
        headers=parts.headers,
        samples=sorted(set(marked + composed.samples)),
        refused=refused[0] if refused else None,
    )


def message_id(sequence_id: str, creator_id: str, step: int) -> str:
    """Deterministic per (sequence, creator, step): a redelivered queue message finds the claim."""
    digest = hashlib.sha256(f"{sequence_id}:{creator_id}:{step}".encode()).digest()[:16]
    return str(ULID.from_bytes(digest))


def send_step(
    stores: Stores,
    mailer: Mailer,
    events: EventPublisher,
    config: MailConfig,
    job: dict[str, Any],
) -> str:
    """Sends one step to one creator. Returns what happened: sent, refused, skipped, duplicate."""
    brand_id, campaign_id, creator_id = job["brand_id"], job["campaign_id"], job["creator_id"]
    sequence_id, step = job["sequence_id"], int(job["step"])
    e = stores.outreach.get_enrollment(brand_id, campaign_id, creator_id)
    if e is None or e.status != "active" or e.sequence_id != sequence_id or e.step != step:
        return "skipped"
    sequence = stores.outreach.get_sequence(brand_id, campaign_id, sequence_id)
    settings = stores.outreach.get_settings(brand_id)
    if sequence is None or settings is None:
        return "skipped"
    try:
        creator = stores.creators.get(brand_id, creator_id)
    except NotFound:
        stores.outreach.mark(brand_id, campaign_id, creator_id, {}, stop="refused")
        return "refused"
    now = clock.now_iso()
    mid = message_id(sequence_id, creator_id, step)
    template = stores.outreach.get_template(brand_id, sequence.steps[step].template_id)
    message = OutreachMessage(
        id=mid,
        campaign_id=campaign_id,
        creator_id=creator_id,
        sequence_id=sequence_id,
        step=step,
        to_hash=mail.email_hash(creator.email),
        subject="",
        status="sending",
        created_at=now,
    )
    if not stores.outreach.claim_message(brand_id, message):
        return "duplicate"

    def refuse(reason: str, stop: str = "refused", status: str = "refused") -> str:
        stores.outreach.save_message(
            brand_id, message.model_copy(update={"status": status, "reason": reason})
        )
        flags = {stop: True} if stop in STOP_FLAGS else {}
        stores.outreach.mark(brand_id, campaign_id, creator_id, flags, stop=stop)
        return "refused"

    try:
        # Checked again at send time: an unsubscribe a minute ago counts.
        refused = refusal(stores, brand_id, creator)
        if refused:
            return refuse(*refused)
        try:
            composed = compose(
                stores,
                config,
                brand_id,
                settings,
                template,
                creator,
                campaign_id,
                offer=sequence.offer,
                message_id=mid,
            )
        except email_templates.RenderError as exc:  # never half-rendered: this creator gets nothing
            return refuse(exc.message)
        # The reply pointer goes first: a creator can answer before this function returns.
        stores.outreach.put_reply_pointer(mid, brand_id, campaign_id, creator_id)
        tags = {"brand": brand_id, "campaign": campaign_id, "creator": creator_id, "message": mid}
        ses_id = mailer.send(settings.from_email, creator.email, composed.raw, tags)
    except Rejected as exc:
        return refuse(str(exc), status="failed")
    except Exception:
        # SES certainly did not take this message (throttled, or a failure before the send):
        # forget the claim so the queue's retry can send it.
        stores.outreach.release_message(brand_id, mid)
        raise
    stores.outreach.save_message(
        brand_id,
        message.model_copy(update={"status": "sent", "subject": composed.subject, "ses_message_id": ses_id}),
    )
    nxt = step + 1
    done = nxt >= len(sequence.steps)
    advanced = e.model_copy(
        update={
            "step": nxt,
            "sent": e.sent + 1,
            "status": "completed" if done else "active",
            "next_send_at": None
            if done
            else (clock.now() + timedelta(days=sequence.steps[nxt].delay_days)).isoformat(timespec="seconds"),
            "updated_at": clock.now_iso(),
        }
    )
    stores.outreach.save_enrollment(brand_id, advanced, expected_step=step)
    events.publish(
        "outreach.sent",
        {
            "brand_id": brand_id,
            "campaign_id": campaign_id,
            "creator_id": creator_id,
            "message_id": mid,
            "step": step,
        },
    )
    return "sent"


def dispatch_due(stores: Stores, queue: WorkQueue) -> int:
    """Queues every follow-up that is due, then takes it out of the due index: a failed send
    leaves it due for the next run, and a step queued twice is sent once (the message claim)."""
    now = clock.now().isoformat(timespec="seconds")
    due = stores.outreach.due(now)
    queue.send([_send_message(b, e.campaign_id, e.creator_id, e.sequence_id, e.step) for b, e in due])
    for brand_id, e in due:
        stores.outreach.undue(brand_id, e)
    return len(due)


def stop(
    stores: Stores,
    events: EventPublisher,
    brand_id: str,
    campaign_id: str,
    creator_id: str,
    reason: str,
    *,
    excerpt: str | None = None,
) -> bool:
    """Ends the creator's sequence in this campaign for `reason` and records it in the funnel."""
    flags: dict[str, Any] = {reason: True} if reason in STOP_FLAGS else {}
    if excerpt is not None:
        flags["reply_excerpt"] = excerpt
    stopped = stores.outreach.mark(brand_id, campaign_id, creator_id, flags, stop=reason)
    if reason == "replied":  # the invitation's answer may be a reply: the brand sees it there too
        collab = stores.collaborations.open_for_creator(brand_id, campaign_id, creator_id)
        if collab:
            stores.collaborations.mutate(
                brand_id,
                collab["id"],
                lambda c, p: c.timeline.append(
                    TimelineEvent(
                        at=clock.now_iso(),
                        type="replied to outreach",
                        by="creator",
                        detail={"excerpt": excerpt or ""},
                    )
                ),
            )
    events.publish(
        f"outreach.{reason}",
        {"brand_id": brand_id, "campaign_id": campaign_id, "creator_id": creator_id, "stopped": stopped},
    )
    return stopped


def unsubscribe(stores: Stores, events: EventPublisher, brand_id: str, creator_id: str) -> bool:
    """Per brand and at once: the address is suppressed and every active sequence stops."""
    try:
        creator = stores.creators.get(brand_id, creator_id)
    except NotFound:
        return False
    stores.outreach.suppress(brand_id, mail.email_hash(creator.email), "unsubscribe")
    for e in stores.outreach.creator_enrollments(brand_id, creator_id):
        stop(stores, events, brand_id, e.campaign_id, creator_id, "unsubscribed")
    return True


def apply_ses_event(stores: Stores, events: EventPublisher, detail: dict[str, Any]) -> str:
    """One SES event (Delivery, Bounce, Complaint, Open, Click, DeliveryDelay, …) applied to the
    message and the creator's funnel. An unknown message is reported and ignored, never retried."""
    kind = str(detail.get("eventType") or detail.get("notificationType") or "")
    tags = detail.get("mail", {}).get("tags", {})
    brand_id = (tags.get("brand") or [""])[0]
    mid = (tags.get("message") or [""])[0]
    message = stores.outreach.get_message(brand_id, mid) if brand_id and mid else None
    if message is None:
        return "unknown"
    at = str(detail.get(kind[:1].lower() + kind[1:], {}).get("timestamp") or clock.now_iso())
    campaign_id, creator_id = message.campaign_id, message.creator_id
    status: str | None = None
    note: str | None = None
    if kind == "Delivery":
        status = "delivered" if message.status == "sent" else None
        stores.outreach.mark(brand_id, campaign_id, creator_id, {"delivered": True})
    elif kind == "Bounce":
        bounce = detail.get("bounce", {})
        note = f"{bounce.get('bounceType')}/{bounce.get('bounceSubType')}"
        if bounce.get("bounceType") == "Permanent":
            status = "bounced"
            stores.outreach.suppress(brand_id, message.to_hash, "bounce")
            stop(stores, events, brand_id, campaign_id, creator_id, "bounced")
    elif kind == "Complaint":
        status = "complained"
        note = detail.get("complaint", {}).get("complaintFeedbackType")
        stores.outreach.suppress(brand_id, message.to_hash, "complaint")
        stop(stores, events, brand_id, campaign_id, creator_id, "complained")
    elif kind == "Open":
        stores.outreach.mark(brand_id, campaign_id, creator_id, {"opened": True})
    elif kind == "Click":
        note = detail.get("click", {}).get("link")
        stores.outreach.mark(brand_id, campaign_id, creator_id, {"clicked": True})
    elif kind == "DeliveryDelay":
        note = detail.get("deliveryDelay", {}).get("delayType")
    stores.outreach.add_message_event(
        brand_id, mid, MessageEvent(type=kind or "Unknown", at=at, detail=note), status
    )
    return kind or "Unknown"


def handle_inbound(stores: Stores, events: EventPublisher, raw: bytes, signing_key: str) -> str:
    """An email to one of our addresses: a reply (reply+…) stops the sequence and keeps a clean
    excerpt; a mail to unsubscribe+… unsubscribes. Anything else is ignored."""
    recipients, _, text = mail.parse_reply(raw)
    for address in recipients:
        local = address.split("@", 1)[0].lower()
        kind = "unsubscribe" if local.startswith("unsubscribe+") else "reply"
        if kind == "unsubscribe":  # the same signed token as the reply address, any letter case
            address = "reply+" + address.split("+", 1)[1]
        mid = mail.reply_message_id(signing_key, address)
        if mid is None:
            continue
        pointer = stores.outreach.reply_pointer(mid)
        if pointer is None:
            return "unknown"
        brand_id, campaign_id, creator_id = pointer["brand_id"], pointer["campaign_id"], pointer["creator_id"]
        if kind == "unsubscribe":
            unsubscribe(stores, events, brand_id, creator_id)
            return "unsubscribed"
        stop(stores, events, brand_id, campaign_id, creator_id, "replied", excerpt=text)
        stores.outreach.add_message_event(
            brand_id, mid, MessageEvent(type="Reply", at=clock.now_iso(), detail=text[:200]), None
        )
        return "replied"
    return "ignored"


def funnel(enrollments: Seq[Enrollment], targeted: int) -> Funnel:
    f = Funnel(targeted=targeted)
    for e in enrollments:
        f.sent += e.sent > 0
        for flag in (
            "delivered",
            "opened",
            "clicked",
            "replied",
            "accepted",
            "declined",
            "bounced",
            "unsubscribed",
            "complained",
        ):
            setattr(f, flag, getattr(f, flag) + bool(getattr(e, flag)))
    return f
