"""Outreach: message a segment of the roster at once, follow up on a schedule, stop the moment a
creator answers, and never email anyone who asked not to be (or whose address bounced).

    POST /v1/campaigns/{id}/outreach → start: enroll creators, queue step 0 (SQS)
    SQS → send_step: checks, render, SESv2 send, record, schedule the next step
    every 5 minutes → dispatch_due: queue the follow-ups that are due
    SES events (EventBridge) → apply_ses_event; inbound replies (S3) → handle_inbound;
    /u/{token} → unsubscribe; brand API → stop (accepted / declined)

Each step is sent at most once: the message record is claimed before the send, and a claim is
only released when SES certainly did not take the message (throttled).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from collections.abc import Sequence as Seq
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ulid import ULID

from roster import clock, ids
from roster.adapters.mailer import Rejected
from roster.errors import Conflict, NotFound, ValidationFailed
from roster.links import links
from roster.models.campaigns import CampaignStatus
from roster.models.collaborations import TimelineEvent
from roster.models.creators import Creator
from roster.models.outreach import (
    DraftPreviewRequest,
    EmailPreview,
    EmailTemplate,
    Enrollment,
    Funnel,
    MessageEvent,
    OutreachMessage,
    OutreachSettings,
    OutreachSettingsPut,
    OutreachStart,
    Pipeline,
    PreviewRequest,
    Sequence,
)
from roster.outreach import email_templates, mail
from roster.store.memo import Memo
from roster.store.registry import Stores

if TYPE_CHECKING:
    from roster.deps import Deps

MAX_AUDIENCE = 5000
# Stop reasons that are also funnel flags on the enrollment (of the same name).
STOP_FLAGS = frozenset({"replied", "accepted", "declined", "unsubscribed", "bounced", "complained"})
SUPPRESSION_STOP = {"unsubscribe": "unsubscribed", "bounce": "bounced", "complaint": "complained"}


@dataclass(frozen=True)
class MailConfig:
    """What outreach addresses, tokens and links are built from (`roster.deps.Deps.mail`)."""

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
            if (creator := stores.creators.get(brand_id, creator_id)) is not None:
                found.append(creator)
            else:
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


def start(deps: Deps, brand_id: str, campaign_id: str, req: OutreachStart) -> Sequence:
    stores, queue = deps.stores, deps.outreach_queue
    campaign = stores.campaigns.require(brand_id, campaign_id)
    if campaign.status in (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED):
        raise Conflict(f"a {campaign.status} campaign sends no outreach")
    if stores.outreach.get_settings(brand_id) is None:
        raise Conflict("set the sender first: PUT /v1/outreach/settings")
    for step in req.steps:
        stores.outreach.require_template(brand_id, step.template_id)  # 404 for an unknown template
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


class SendBatch(Memo):
    """What the messages of one SQS batch share, read once for the batch (up to 10 messages,
    gathered within 5 s): sequences, the sender settings, templates, the brand, campaigns. They
    are at most one batch old. What decides whether and to whom a message goes is read for each
    message: the enrollment (a reply stops it), the creator, the suppression list, the creator's
    link, code and page (docs/decisions.md, Outreach, "Requests per message")."""


def refusal(stores: Stores, brand_id: str, creator: Creator) -> tuple[str, str] | None:
    """Why this creator must not be emailed (and the stop reason that goes with it), or None."""
    if mail.role_address(creator.email):
        return f"role address ({creator.email.split('@', 1)[0]}@) is not a person", "refused"
    suppressed = stores.outreach.suppression(brand_id, ids.email_hash(creator.email))
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
    fields: Iterable[str] | None = None,
    batch: SendBatch | None = None,
) -> email_templates.Personalization:
    """The values a template can use for this creator (and campaign): their tracking link and
    promo code in the campaign when they have them. With `fields` (the template's), the
    creator's link, code and page are read only if the template uses them; with `batch`, the
    brand and campaign come from what the batch already read."""
    batch = batch or SendBatch()
    used = set(fields) if fields is not None else {"link", "promo_code", "page_url"}
    brand = batch.once(("brand", brand_id), lambda: stores.brands.get_brand(brand_id))
    campaign_name = link = promo = page = None
    if campaign_id:
        campaign = batch.once(
            ("campaign", brand_id, campaign_id), lambda: stores.campaigns.require(brand_id, campaign_id)
        )
        campaign_name = campaign.name
        if "link" in used:
            found = stores.links.all(brand_id, campaign_id=campaign_id, creator_id=creator.id)
            link = links.with_url(found[0], public_url).url if found else None
        if "promo_code" in used:
            codes = stores.promo_codes.all(brand_id, campaign_id=campaign_id, creator_id=creator.id)
            promo = codes[0].code if codes else None
        if "page_url" in used and signing_key:
            collab = stores.collaborations.open_for_creator(brand_id, campaign_id, creator.id)
            if collab:
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
    batch: SendBatch | None = None,
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
        fields=template.fields,
        batch=batch,
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
    template = stores.outreach.require_template(brand_id, template_id)
    return preview_template(stores, config, brand_id, template, req)


def preview_draft(
    stores: Stores, config: MailConfig, brand_id: str, req: DraftPreviewRequest
) -> EmailPreview:
    """`preview` of a template not saved yet (the one being written): checked as a save checks it."""
    template = email_templates.draft(req.subject, req.html, req.text)
    return preview_template(stores, config, brand_id, template, req)


def preview_template(
    stores: Stores, config: MailConfig, brand_id: str, template: EmailTemplate, req: PreviewRequest
) -> EmailPreview:
    creator = stores.creators.require(brand_id, req.creator_id)
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


@dataclass(frozen=True)
class Outgoing:
    """One step of a sequence on its way to one creator: what the checks before the send found."""

    brand_id: str
    enrollment: Enrollment
    sequence: Sequence
    sender: OutreachSettings
    creator: Creator
    template: EmailTemplate
    message: OutreachMessage  # the claim: status `sending` until the send is settled


def send_step(deps: Deps, job: dict[str, Any], batch: SendBatch | None = None) -> str:
    """Sends one step to one creator. Returns what happened: sent, refused, skipped, duplicate.
    `batch`: what the other messages of the same SQS batch already read (see SendBatch)."""
    stores, config = deps.stores, deps.require_mail()
    batch = batch or SendBatch()
    out = _checked(stores, job, batch)
    if isinstance(out, str):
        return out
    if not stores.outreach.claim_message(out.brand_id, out.message):
        return "duplicate"
    try:
        # Checked again at send time: an unsubscribe a minute ago counts.
        refused = refusal(stores, out.brand_id, out.creator)
        if refused:
            return _refuse(stores, out, *refused)
        try:
            composed = _render(stores, config, out, batch)
        except email_templates.RenderError as exc:  # never half-rendered: this creator gets nothing
            return _refuse(stores, out, exc.message)
        ses_id = _send(deps, out, composed)
    except Rejected as exc:
        return _refuse(stores, out, str(exc), status="failed")
    except Exception:
        # SES certainly did not take this message (throttled, or a failure before the send):
        # forget the claim so the queue's retry can send it.
        stores.outreach.release_message(out.brand_id, out.message.id)
        raise
    _record(stores, out, composed, ses_id)
    _schedule_next(stores, out)
    m = out.message
    deps.events.publish(
        "outreach.sent",
        {
            "brand_id": out.brand_id,
            "campaign_id": m.campaign_id,
            "creator_id": m.creator_id,
            "message_id": m.id,
            "step": m.step,
        },
    )
    return "sent"


def _checked(stores: Stores, job: dict[str, Any], batch: SendBatch) -> Outgoing | str:
    """The step still to send (the enrollment waits for exactly it; its sequence, the sender and
    the creator exist), or what happened instead: skipped, or refused when the creator is gone."""
    brand_id, campaign_id, creator_id = job["brand_id"], job["campaign_id"], job["creator_id"]
    sequence_id, step = job["sequence_id"], int(job["step"])
    e = stores.outreach.get_enrollment(brand_id, campaign_id, creator_id)
    if e is None or e.status != "active" or e.sequence_id != sequence_id or e.step != step:
        return "skipped"
    sequence = batch.once(
        ("sequence", brand_id, campaign_id, sequence_id),
        lambda: stores.outreach.get_sequence(brand_id, campaign_id, sequence_id),
    )
    settings = batch.once(("settings", brand_id), lambda: stores.outreach.get_settings(brand_id))
    if sequence is None or settings is None:
        return "skipped"
    creator = stores.creators.get(brand_id, creator_id)
    if creator is None:
        stores.outreach.mark(brand_id, campaign_id, creator_id, {}, stop="refused")
        return "refused"
    now = clock.now_iso()
    template_id = sequence.steps[step].template_id
    template = batch.once(
        ("template", brand_id, template_id), lambda: stores.outreach.require_template(brand_id, template_id)
    )
    message = OutreachMessage(
        id=message_id(sequence_id, creator_id, step),
        campaign_id=campaign_id,
        creator_id=creator_id,
        sequence_id=sequence_id,
        step=step,
        to_hash=ids.email_hash(creator.email),
        subject="",
        status="sending",
        created_at=now,
    )
    return Outgoing(brand_id, e, sequence, settings, creator, template, message)


def _refuse(
    stores: Stores, out: Outgoing, reason: str, stop: str = "refused", status: str = "refused"
) -> str:
    """The claimed message is not sent: it keeps why, and the creator's sequence stops."""
    m = out.message
    stores.outreach.save_message(out.brand_id, m.model_copy(update={"status": status, "reason": reason}))
    flags = {stop: True} if stop in STOP_FLAGS else {}
    stores.outreach.mark(out.brand_id, m.campaign_id, m.creator_id, flags, stop=stop)
    return "refused"


def _render(stores: Stores, config: MailConfig, out: Outgoing, batch: SendBatch) -> Composed:
    return compose(
        stores,
        config,
        out.brand_id,
        out.sender,
        out.template,
        out.creator,
        out.message.campaign_id,
        offer=out.sequence.offer,
        message_id=out.message.id,
        batch=batch,
    )


def _send(deps: Deps, out: Outgoing, composed: Composed) -> str:
    """Hands the email to SES; returns its message id."""
    m = out.message
    # The reply pointer goes first: a creator can answer before this function returns.
    deps.stores.outreach.put_reply_pointer(m.id, out.brand_id, m.campaign_id, m.creator_id)
    tags = {"brand": out.brand_id, "campaign": m.campaign_id, "creator": m.creator_id, "message": m.id}
    return deps.mailer.send(out.sender.from_email, out.creator.email, composed.raw, tags)


def _record(stores: Stores, out: Outgoing, composed: Composed, ses_id: str) -> None:
    stores.outreach.save_message(
        out.brand_id,
        out.message.model_copy(
            update={"status": "sent", "subject": composed.subject, "ses_message_id": ses_id}
        ),
    )


def _schedule_next(stores: Stores, out: Outgoing) -> None:
    """The enrollment moves on to the next step, due after its delay, or completes."""
    e, steps, step = out.enrollment, out.sequence.steps, out.message.step
    nxt = step + 1
    done = nxt >= len(steps)
    advanced = e.model_copy(
        update={
            "step": nxt,
            "sent": e.sent + 1,
            "status": "completed" if done else "active",
            "next_send_at": None if done else clock.later(steps[nxt].delay_days * 86400),
            "updated_at": clock.now_iso(),
        }
    )
    stores.outreach.save_enrollment(out.brand_id, advanced, expected_step=step)


def dispatch_due(deps: Deps) -> int:
    """Queues every follow-up that is due, then takes it out of the due index: a failed send
    leaves it due for the next run, and a step queued twice is sent once (the message claim)."""
    stores, queue = deps.stores, deps.outreach_queue
    now = clock.now_iso()
    due = stores.outreach.due(now)
    queue.send([_send_message(b, e.campaign_id, e.creator_id, e.sequence_id, e.step) for b, e in due])
    for brand_id, e in due:
        stores.outreach.undue(brand_id, e)
    return len(due)


def stop(
    deps: Deps,
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
    stopped = deps.stores.outreach.mark(brand_id, campaign_id, creator_id, flags, stop=reason)
    if reason == "replied":  # the invitation's answer may be a reply: the brand sees it there too
        collab = deps.stores.collaborations.open_for_creator(brand_id, campaign_id, creator_id)
        if collab:
            deps.stores.collaborations.mutate(
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
    deps.events.publish(
        f"outreach.{reason}",
        {"brand_id": brand_id, "campaign_id": campaign_id, "creator_id": creator_id, "stopped": stopped},
    )
    return stopped


def record_answer(deps: Deps, brand_id: str, campaign_id: str, creator_id: str, reason: str) -> Enrollment:
    """The creator's answer as the brand records it (accepted / declined): their sequence stops."""
    if deps.stores.outreach.get_enrollment(brand_id, campaign_id, creator_id) is None:
        raise NotFound("this creator is not in the campaign's outreach")
    stop(deps, brand_id, campaign_id, creator_id, reason)
    found = deps.stores.outreach.get_enrollment(brand_id, campaign_id, creator_id)
    assert found is not None
    return found


def unsubscribe(deps: Deps, brand_id: str, creator_id: str) -> bool:
    """Per brand and at once: the address is suppressed and every active sequence stops."""
    creator = deps.stores.creators.get(brand_id, creator_id)
    if creator is None:
        return False
    deps.stores.outreach.suppress(brand_id, ids.email_hash(creator.email), "unsubscribe")
    for e in deps.stores.outreach.creator_enrollments(brand_id, creator_id):
        stop(deps, brand_id, e.campaign_id, creator_id, "unsubscribed")
    return True


def apply_ses_event(deps: Deps, detail: dict[str, Any]) -> str:
    """One SES event (Delivery, Bounce, Complaint, Open, Click, DeliveryDelay, …) applied to the
    message and the creator's funnel. An unknown message is reported and ignored, never retried."""
    kind = str(detail.get("eventType") or detail.get("notificationType") or "")
    tags = detail.get("mail", {}).get("tags", {})
    brand_id = (tags.get("brand") or [""])[0]
    mid = (tags.get("message") or [""])[0]
    message = deps.stores.outreach.get_message(brand_id, mid) if brand_id and mid else None
    if message is None:
        return "unknown"
    at = str(detail.get(kind[:1].lower() + kind[1:], {}).get("timestamp") or clock.now_iso())
    campaign_id, creator_id = message.campaign_id, message.creator_id
    status: str | None = None
    note: str | None = None
    if kind == "Delivery":
        status = "delivered" if message.status == "sent" else None
        deps.stores.outreach.mark(brand_id, campaign_id, creator_id, {"delivered": True})
    elif kind == "Bounce":
        bounce = detail.get("bounce", {})
        note = f"{bounce.get('bounceType')}/{bounce.get('bounceSubType')}"
        if bounce.get("bounceType") == "Permanent":
            status = "bounced"
            deps.stores.outreach.suppress(brand_id, message.to_hash, "bounce")
            stop(deps, brand_id, campaign_id, creator_id, "bounced")
    elif kind == "Complaint":
        status = "complained"
        note = detail.get("complaint", {}).get("complaintFeedbackType")
        deps.stores.outreach.suppress(brand_id, message.to_hash, "complaint")
        stop(deps, brand_id, campaign_id, creator_id, "complained")
    elif kind == "Open":
        deps.stores.outreach.mark(brand_id, campaign_id, creator_id, {"opened": True})
    elif kind == "Click":
        note = detail.get("click", {}).get("link")
        deps.stores.outreach.mark(brand_id, campaign_id, creator_id, {"clicked": True})
    elif kind == "DeliveryDelay":
        note = detail.get("deliveryDelay", {}).get("delayType")
    deps.stores.outreach.add_message_event(
        brand_id, mid, MessageEvent(type=kind or "Unknown", at=at, detail=note), status
    )
    return kind or "Unknown"


def handle_inbound(deps: Deps, raw: bytes) -> str:
    """An email to one of our addresses: a reply (reply+…) stops the sequence and keeps a clean
    excerpt; a mail to unsubscribe+… unsubscribes. Anything else is ignored."""
    signing_key = deps.require_mail().signing_key
    recipients, _, text = mail.parse_reply(raw)
    for address in recipients:
        local = address.split("@", 1)[0].lower()
        kind = "unsubscribe" if local.startswith("unsubscribe+") else "reply"
        if kind == "unsubscribe":  # the same signed token as the reply address, any letter case
            address = "reply+" + address.split("+", 1)[1]
        mid = mail.reply_message_id(signing_key, address)
        if mid is None:
            continue
        pointer = deps.stores.outreach.reply_pointer(mid)
        if pointer is None:
            return "unknown"
        brand_id, campaign_id, creator_id = pointer["brand_id"], pointer["campaign_id"], pointer["creator_id"]
        if kind == "unsubscribe":
            unsubscribe(deps, brand_id, creator_id)
            return "unsubscribed"
        stop(deps, brand_id, campaign_id, creator_id, "replied", excerpt=text)
        deps.stores.outreach.add_message_event(
            brand_id, mid, MessageEvent(type="Reply", at=clock.now_iso(), detail=text[:200]), None
        )
        return "replied"
    return "ignored"


def set_sender(deps: Deps, brand_id: str, req: OutreachSettingsPut) -> OutreachSettings:
    """The brand's sender, kept only when SES may send from it (the address or its domain is a
    verified identity)."""
    if not deps.mailer.verified(str(req.from_email)):
        message = (
            f"{req.from_email} is not on an SES identity verified for sending; "
            "verify the address or its domain in SES first"
        )
        raise ValidationFailed(message, details=[{"field": "from_email", "message": message}])
    settings = OutreachSettings(**req.model_dump(mode="json"), updated_at=clock.now_iso())
    deps.stores.outreach.put_settings(brand_id, settings)
    return settings


def pipeline(stores: Stores, brand_id: str, campaign_id: str, *, limit: int, cursor: str | None) -> Pipeline:
    """The campaign's recruiting funnel, over everyone its outreach targeted, and one page of its
    creators' states."""
    stores.campaigns.require(brand_id, campaign_id)  # 404 unless it is this brand's campaign
    everyone = stores.outreach.all_enrollments(brand_id, campaign_id)
    targeted = sum(q.targeted for q in stores.outreach.sequences(brand_id, campaign_id))
    page, next_cursor = stores.outreach.enrollments(brand_id, campaign_id, limit=limit, cursor=cursor)
    return Pipeline(
        campaign_id=campaign_id, funnel=funnel(everyone, targeted), creators=page, next_cursor=next_cursor
    )


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
