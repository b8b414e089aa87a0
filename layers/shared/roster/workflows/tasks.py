"""The Lambda tasks of the campaign and collaboration state machines (one function, `task` picks).

Each task is small and idempotent enough to be retried by Step Functions: it records what
happened on the collaboration's timeline and returns only what the next states need (timers,
a yes/no)."""

from __future__ import annotations

import contextlib
import html
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args

from roster import clock
from roster.adapters.events import EventPublisher
from roster.adapters.mailer import Mailer, Rejected, Throttled, Unavailable
from roster.adapters.queue import WorkQueue
from roster.adapters.workflows import StepGone, Workflows
from roster.errors import Conflict, RosterError
from roster.links import links, promo_codes
from roster.models.campaigns import Campaign, CampaignStatus
from roster.models.collaborations import Collaboration, Contract, Outcome, Stage, TimelineEvent, Waiting
from roster.models.creators import Platform
from roster.models.links import LinkCreate
from roster.models.outreach import Audience, OutreachStart
from roster.models.posts import AlertKind
from roster.models.promo_codes import PromoCodeCreate
from roster.monitoring import posts
from roster.observability import logger
from roster.outreach import mail, sequences
from roster.program import alerts
from roster.reporting import reports
from roster.store.registry import Stores
from roster.web.fetch import Fetcher
from roster.workflows import collaborations, deliverables


@dataclass(frozen=True)
class Deps:
    stores: Stores
    workflows: Workflows
    events: EventPublisher
    mailer: Mailer | None
    fetcher: Fetcher
    signing_key: str | None
    mail_domain: str | None
    public_url: str | None
    queue: WorkQueue | None = None  # outreach sends (the invitation sequence)


def _later(seconds: float) -> str:
    return (clock.now() + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def _timers(campaign: Campaign, due_seconds: int) -> dict[str, Any]:
    """Waits of a deadline: until the reminder, then through the grace period."""
    w = campaign.workflow
    remind = max(1, due_seconds - w.reminder_seconds)
    return {
        "remind": remind,
        "grace": min(w.reminder_seconds, due_seconds) + w.grace_seconds,
        "due": _later(due_seconds),
    }


def _note(c: Collaboration, kind: str, **detail: Any) -> None:
    c.timeline.append(TimelineEvent(at=clock.now_iso(), type=kind, by="roster", detail=detail))
    c.updated_at = clock.now_iso()


def _email_creator(d: Deps, brand_id: str, c: Collaboration, subject: str, text: str) -> bool:
    """A plain notice from the brand's sender (reminders, brief); False when it is not sent. A
    failed send is logged, never fatal: the workflow must not die over an email."""
    settings = d.stores.outreach.get_settings(brand_id)
    if not (settings and d.mailer and d.signing_key and d.mail_domain and d.public_url):
        return False
    creator = d.stores.creators.get(brand_id, c.creator_id)
    if sequences.refusal(d.stores, brand_id, creator):
        return False
    token = mail.unsubscribe_token(d.signing_key, brand_id, creator.id)
    page = mail.collaboration_url(d.public_url, d.signing_key, brand_id, c.id)
    body = f"{text}\n\nYour collaboration page: {page}"
    # The collaboration id stands in for a message id: mail to unsubscribe+<token> resolves to it.
    d.stores.outreach.put_reply_pointer(c.id, brand_id, c.campaign_id, creator.id)
    mailto = mail.reply_address(d.signing_key, c.id, d.mail_domain).replace("reply+", "unsubscribe+", 1)
    raw = mail.build(
        from_name=settings.from_name,
        from_email=settings.from_email,
        to=creator.email,
        subject=subject,
        html="".join(f"<p>{html.escape(line)}</p>" for line in body.split("\n") if line),
        text=body,
        reply_to=settings.from_email,
        unsubscribe_url=f"{d.public_url}/u/{token}",
        unsubscribe_mailto=mailto,
        postal_address=settings.postal_address,
    )
    try:
        d.mailer.send(settings.from_email, creator.email, raw, {"brand": brand_id, "collaboration": c.id})
    except (Rejected, Throttled, Unavailable) as exc:
        logger.warning("collaboration email not sent", extra={"collaboration_id": c.id, "error": str(exc)})
        return False
    return True


def _alert(d: Deps, brand_id: str, c: Collaboration, kind: AlertKind, message: str, key: str) -> None:
    posts.raise_alert(
        d.stores,
        d.events,
        brand_id,
        c.campaign_id,
        c.creator_id,
        kind,
        message,
        post_id=None,
        key=f"{c.id}:{key}",
        collaboration_id=c.id,
    )


def run(d: Deps, event: dict[str, Any]) -> dict[str, Any]:
    task = event["task"]
    brand_id = event["brand_id"]
    if task in CAMPAIGN_TASKS:
        return CAMPAIGN_TASKS[task](d, brand_id, event["campaign_id"], event)
    cid = event["collaboration_id"]

    def change(fn: Any) -> Collaboration:
        updated, _ = d.stores.collaborations.mutate(brand_id, cid, fn)
        return updated

    if task == "wait":  # the most frequent task needs nothing but the record it updates
        _wait(d, brand_id, cid, event)
        return {}
    if task == "late":
        return _late(d, brand_id, cid, event)
    raw = d.stores.collaborations.get_raw(brand_id, cid)
    c = Collaboration.model_validate(raw)
    campaign = d.stores.campaigns.get(brand_id, c.campaign_id)
    result: dict[str, Any] = {}
    # After a timeout: an action the step took that Step Functions did not get is on its way to
    # the next wait, so nobody is nudged about it.
    answered = _undelivered(raw, event) is not None

    if task == "enter":
        stage = event["stage"]
        timers = _timers(campaign, int(event["due_seconds"])) if event.get("due_seconds") else None

        def entered(x: Collaboration, private: dict[str, Any]) -> None:
            x.stage = stage
            private["due"] = timers["due"] if timers else None
            _note(x, f"stage: {stage}", **({"due": timers["due"]} if timers else {}))

        change(entered)
        if stage == "invite" and campaign.workflow.invite_steps:
            _invite(d, brand_id, campaign, c)
        result = timers or {}
    elif task == "contract":

        def freeze(x: Collaboration, private: dict[str, Any]) -> None:
            # Exactly the offer one side accepted from the other (the last one, for a negotiation
            # that ended before acceptances were recorded).
            accepted = [n for n, o in enumerate(x.offers, 1) if o.accepted_at] or [len(x.offers)]
            number = accepted[-1] or None
            terms = x.offers[number - 1].terms if number else campaign.default_terms
            if terms is None:
                raise Conflict("no terms to put in a contract")
            x.stage = "contract"
            x.contract = Contract(
                terms=terms,
                offer=number,
                document_hash=collaborations.document_hash(terms),
                issued_at=clock.now_iso(),
            )
            if all(u.state == "due" for u in x.deliverables):  # a retried task: nothing posted yet
                x.deliverables = deliverables.units_for(x.id, terms)
            private["due"] = result["due"]
            _note(
                x, "contract issued", offer=number, document_hash=x.contract.document_hash, due=result["due"]
            )

        # The due date comes from the execution's own settings (decision 60), not today's campaign.
        result = _timers(campaign, int(event.get("due_seconds") or campaign.workflow.sign_due_seconds))
        change(freeze)
    elif task == "extend":
        extra = int(event["extra"])  # `extend` requires `seconds`
        result = _timers(campaign, extra)

        def extended(x: Collaboration, private: dict[str, Any]) -> None:
            private["due"] = result["due"]
            _note(x, "deadline extended", due=result["due"])

        change(extended)
    elif task in ("remind", "missed", "stalled", "exhausted") and campaign.status == CampaignStatus.PAUSED:
        # A paused campaign holds its nudges: the waits go on, nobody is chased meanwhile.
        change(lambda x, p: _note(x, f"{task} held: campaign paused", stage=event["stage"]))
    elif task in ("remind", "missed", "stalled", "exhausted") and answered:
        change(lambda x, p: _note(x, f"{task} skipped: answered", stage=event["stage"]))
    elif task == "remind":
        sent = _email_creator(
            d,
            brand_id,
            c,
            f"Reminder: {campaign.name}",
            f"A friendly reminder: {event['stage']} is due soon for {campaign.name}.",
        )
        change(lambda x, p: _note(x, "reminder", stage=event["stage"], emailed=sent))
        d.events.publish(
            "collaboration.reminder", {"brand_id": brand_id, "collaboration_id": cid, "stage": event["stage"]}
        )
    elif task in ("missed", "stalled"):
        what = "deadline missed" if task == "missed" else "waiting too long"
        message = (
            f"{c.stage}: {what} (collaboration {cid}); decide: extend or cancel"
            if task == "missed"
            else f"{c.stage}: {what} (collaboration {cid})"
        )
        _alert(
            d,
            brand_id,
            c,
            "deadline" if task == "missed" else "stalled",
            message,
            f"{task}:{event['stage']}:{clock.now_iso()[:13]}",
        )
        change(lambda x, p: _note(x, f"brand alerted: {what}", stage=event["stage"]))
        d.events.publish(
            f"collaboration.{task}", {"brand_id": brand_id, "collaboration_id": cid, "stage": event["stage"]}
        )
    # Side effects (links, codes, emails, bookings) happen once, outside the record's
    # read-modify-write, which may run again on a concurrent write.
    elif task == "onboard":
        detail = _onboard(d, brand_id, campaign, c)
        change(lambda x, p: _record(x, "onboard", "onboarded", detail))
    elif task == "revise":
        allowed = campaign.workflow.content_rounds + c.extra_rounds
        change(lambda x, p: _note(x, "changes requested", rounds_left=max(0, allowed - len(x.proposals))))
        result = {"more": len(c.proposals) < allowed}
    elif task == "exhausted":
        allowed = campaign.workflow.content_rounds + c.extra_rounds
        _alert(
            d,
            brand_id,
            c,
            "stalled",
            f"content: no revision rounds left ({len(c.proposals)} of {allowed} used; collaboration {cid});"
            " decide: approve-content (the last proposal as it is), grant-round (one more) or cancel",
            f"rounds:{len(c.proposals)}:{clock.now_iso()[:13]}",
        )
        change(lambda x, p: _note(x, "brand alerted: no revision rounds left", stage="content"))
        d.events.publish(
            "collaboration.rounds_exhausted",
            {"brand_id": brand_id, "collaboration_id": cid, "stage": "content"},
        )
    elif task == "check_post":
        post_id, detail = _check_post(d, brand_id, campaign, c)

        def checked(x: Collaboration, private: dict[str, Any]) -> None:
            _record(x, "live", "post checked", detail, post_id=post_id)
            result.update(_more_posts(campaign, x, private.get("due")))

        change(checked)
    elif task == "measure":
        detail = _measure(d, brand_id, campaign, c)
        change(lambda x, p: _record(x, "measure", "measured", detail))
    elif task == "finish":
        outcome: Outcome = event["outcome"]
        if outcome not in get_args(Outcome):
            raise ValueError(f"unknown outcome {outcome!r}")
        change(lambda x, p: collaborations.close(x, p, outcome, "roster") if x.status == "open" else None)
        alerts.collaboration_closed(d.stores, d.events, brand_id, cid, outcome)
        d.events.publish(
            "collaboration.closed", {"brand_id": brand_id, "collaboration_id": cid, "outcome": outcome}
        )
    else:
        raise ValueError(f"unknown workflow task {task!r}")
    return result


def _undelivered(private: dict[str, Any], event: dict[str, Any]) -> dict[str, Any] | None:
    """The last action taken on the collaboration when Step Functions never got it: its step
    timed out between the action's write and the resume (`$.answer.id`, passed to every task as
    `answer`, is another). Executions of the definition before this change pass no `answer`:
    nothing is taken for them."""
    if "answer" not in event:
        return None
    taken = private.get("answer")
    got = event["answer"] or {}
    return taken if taken and taken["output"].get("id") != got.get("id") else None


def _wait(d: Deps, brand_id: str, cid: str, event: dict[str, Any]) -> None:
    """A human step starts: its token is stored with what it waits for. An action the step before
    took that Step Functions never got (it timed that step out meanwhile) answers this one at once:
    every step's timeout leads to a wait that takes the same actions (the invitation's to `late`)."""
    taken: dict[str, Any] = {}

    def store_token(x: Collaboration, private: dict[str, Any]) -> None:
        if x.status == "closed":
            raise Conflict("the collaboration is closed")
        taken.clear()
        x.stage = event["stage"]
        late = _undelivered(private, event)
        if late and late["output"]["action"] in event["actions"]:
            taken.update(late)
            x.waiting_for, private["task_token"] = None, None
            _note(x, "action honoured", action=late["output"]["action"], received_at=late["received_at"])
            return
        if late:  # cannot happen with the generated definitions; never take it later by surprise
            logger.warning("a late action no wait takes", extra={"collaboration_id": cid})
            private["answer"] = None
        x.waiting_for = Waiting(
            actions=event["actions"],
            since=clock.now_iso(),
            until=_later(int(event["seconds"])),
            due=private.get("due"),
        )
        private["task_token"] = event["token"]

    d.stores.collaborations.mutate(brand_id, cid, store_token)
    if taken:  # should this wait time out first (a second-long timer), the next one takes it
        with contextlib.suppress(StepGone):
            d.workflows.resume(event["token"], taken["output"])


def _late(d: Deps, brand_id: str, cid: str, event: dict[str, Any]) -> dict[str, Any]:
    """A step whose timeout ends it (the invitation), after a hold longer than any request takes:
    an action it took that Step Functions never got is its answer; else the step is over."""
    result: dict[str, Any] = {}

    def closing(x: Collaboration, private: dict[str, Any]) -> None:
        result.clear()
        late = _undelivered(private, event)
        if late:
            result.update(late["output"])
            _note(x, "action honoured", action=result["action"], received_at=late["received_at"])
        else:
            x.waiting_for, private["task_token"] = None, None
            result.update(action="timeout", id=(event.get("answer") or {}).get("id", ""))

    d.stores.collaborations.mutate(brand_id, cid, closing)
    return result


def _invite(d: Deps, brand_id: str, campaign: Campaign, c: Collaboration) -> None:
    """The invitation is an outreach sequence to this creator; it stops when they answer."""
    try:
        if d.queue is None:
            raise Conflict("no outreach queue configured")
        sequence = sequences.start(
            d.stores,
            d.queue,
            brand_id,
            campaign.id,
            OutreachStart(
                steps=campaign.workflow.invite_steps, audience=Audience(creator_ids=[c.creator_id])
            ),
        )
        detail: dict[str, Any] = {"sequence_id": sequence.id, "enrolled": sequence.enrolled}
        if sequence.skipped:
            detail["skipped"] = sequence.skipped[0]["reason"]
    except RosterError as exc:
        detail = {"error": exc.message}
    d.stores.collaborations.mutate(brand_id, c.id, lambda x, p: _note(x, "invitation", **detail))


def _record(x: Collaboration, stage: Stage, kind: str, detail: dict[str, Any], **fields: Any) -> None:
    x.stage = stage
    for name, value in fields.items():
        setattr(x, name, value)
    _note(x, kind, **detail)


def _onboard(d: Deps, brand_id: str, campaign: Campaign, c: Collaboration) -> dict[str, Any]:
    issued: dict[str, Any] = {}
    found = d.stores.links.all(brand_id, campaign_id=campaign.id, creator_id=c.creator_id)
    if found:
        issued["link"] = found[0].code
    elif campaign.landing_url:
        try:
            made = links.create(
                d.stores,
                brand_id,
                LinkCreate(
                    campaign_id=campaign.id, creator_id=c.creator_id, destination=campaign.landing_url
                ),
            )
            issued["link"] = made.code
        except RosterError as exc:
            issued["link_error"] = exc.message
    codes = d.stores.promo_codes.all(brand_id, campaign_id=campaign.id, creator_id=c.creator_id)
    if codes:
        issued["promo_code"] = codes[0].code
    else:
        try:
            issued["promo_code"] = promo_codes.create(
                d.stores,
                brand_id,
                PromoCodeCreate(campaign_id=campaign.id, creator_id=c.creator_id, pattern="{HANDLE}{N}"),
            ).code
        except RosterError as exc:
            issued["promo_code_error"] = exc.message
    brief = campaign.brief or ""
    text = f"Welcome to {campaign.name}!\n\n{brief}".strip()
    if issued.get("promo_code"):
        text += f"\n\nYour promo code: {issued['promo_code']}"
    if issued.get("link") and d.public_url:
        text += f"\nYour tracking link: {d.public_url}/r/{issued['link']}"
    issued["brief_emailed"] = _email_creator(d, brand_id, c, f"Your brief for {campaign.name}", text)
    return issued


def _check_post(
    d: Deps, brand_id: str, campaign: Campaign, c: Collaboration
) -> tuple[str | None, dict[str, Any]]:
    """Proof of post for the post just submitted: it is read and checked like a monitored one
    (again when it was not compliant: a resubmission after a fixed caption), then the
    collaboration is settled: a verified deliverable's fixed fee is booked once."""
    url = c.post_url or ""
    detail: dict[str, Any] = {}
    if not url:
        return None, detail
    pid = posts.post_id(url)
    unit = next((u for u in c.deliverables if u.post_id == pid), None)
    existing = d.stores.posts.get(brand_id, campaign.id, pid)
    if existing is None or not existing.proves_disclosure():
        platform = unit.platform if unit else existing.platform if existing else Platform.BLOG
        ctx = posts.context(d.stores, brand_id, campaign.id, c.creator_id, link_base_url=d.public_url)
        # An unreadable page: the creator's caption is checked instead, else the post is `unknown`.
        caption = posts.submitted_caption(c, url)
        existing = posts.check_page(
            d.stores, d.events, ctx, url, platform, d.fetcher, None, caption=caption
        ).post
        if existing and existing.page_error:
            detail["page_error"] = existing.page_error
    if existing:
        detail["disclosure"] = existing.disclosure.result
    if unit:
        detail["deliverable"] = deliverables.label(unit)
    booked = deliverables.settle(d.stores, brand_id, c.id)
    if c.contract and c.contract.terms.fee_per_deliverable:
        detail["fixed_fee_booked"] = sum(u.fee.amount for u in booked if u.fee)
    return (existing.id if existing else None), detail


def _more_posts(campaign: Campaign, c: Collaboration, due: str | None) -> dict[str, Any]:
    """Whether the live step waits for another post (a deliverable is still due), with the waits
    left until the same due date (a post does not move the deadline)."""
    due = due or _later(campaign.workflow.post_due_seconds)
    left = max(1, int((datetime.fromisoformat(due) - clock.now()).total_seconds()))
    still = sum(1 for u in c.deliverables if u.state == "due")
    return {**_timers(campaign, left), "due": due, "more": still > 0, "due_deliverables": still}


def _clicks(d: Deps, brand_id: str, campaign_id: str, creator_id: str) -> int:
    found = d.stores.links.all(brand_id, campaign_id=campaign_id, creator_id=creator_id)
    return sum(
        int(i.get("clicks", 0))
        for link in found
        for i in d.stores.stats.days(brand_id, "link", link.code, "0000-00-00", "9999-99-99")
    )


def _measure(d: Deps, brand_id: str, campaign: Campaign, c: Collaboration) -> dict[str, Any]:
    mine = _clicks(d, brand_id, campaign.id, c.creator_id)
    peers = [
        _clicks(d, brand_id, campaign.id, raw["creator_id"])
        for raw in d.stores.collaborations.all_raw(brand_id, campaign.id)
        if raw["creator_id"] != c.creator_id
        and raw.get("stage") in ("measure", "close", "closed", "live")
        and raw.get("outcome") in (None, "completed")  # not those who declined or were cancelled
    ]
    if not peers:
        return {"clicks": mine, "compared_with": "no other creator yet"}
    median = statistics.median(peers)
    below = median > 0 and mine < campaign.workflow.underperform_ratio * median
    if below:
        _alert(
            d,
            brand_id,
            c,
            "underperforming",
            f"{mine} clicks vs a campaign median of {median:g}",
            "underperforming",
        )
        _email_creator(
            d,
            brand_id,
            c,
            f"{campaign.name}: a boost idea",
            "Thanks for your post! It is picking up slower than others in the campaign; "
            "a story or a pinned comment with your link often helps.",
        )
        d.events.publish("collaboration.underperforming", {"brand_id": brand_id, "collaboration_id": c.id})
    return {"clicks": mine, "campaign_median": median, "underperforming": below}


def _launch(d: Deps, brand_id: str, campaign_id: str, event: dict[str, Any]) -> dict[str, Any]:
    campaign = d.stores.campaigns.get(brand_id, campaign_id)
    started = collaborations.launch(
        d.stores, d.workflows, brand_id, campaign, event["collaboration_ids"], event["machine"]
    )
    return {"started": started}


def _report(d: Deps, brand_id: str, campaign_id: str, event: dict[str, Any]) -> dict[str, Any]:
    campaign = d.stores.campaigns.get(brand_id, campaign_id)
    report = reports.build(d.stores, brand_id, "campaign", campaign_id, campaign)
    flow = d.stores.collaborations.get_campaign_workflow(brand_id, campaign_id) or {}
    entries = [*flow.get("reports", []), {"at": clock.now_iso(), "report": report.model_dump(mode="json")}][
        -60:
    ]
    d.stores.collaborations.put_campaign_workflow(brand_id, campaign_id, {**flow, "reports": entries})
    ended = clock.now().date() > campaign.end_date or campaign.status in (
        CampaignStatus.COMPLETED,
        CampaignStatus.CANCELLED,
    )
    return {"ended": ended}


def _wrap_up(d: Deps, brand_id: str, campaign_id: str, event: dict[str, Any]) -> dict[str, Any]:
    open_items = collaborations.wrap_up(d.stores, d.events, brand_id, campaign_id)
    logger.info("campaign wrapped up", extra={"campaign_id": campaign_id, "open_items": len(open_items)})
    return {"open_items": len(open_items)}


CAMPAIGN_TASKS = {"launch": _launch, "report": _report, "wrap_up": _wrap_up}
