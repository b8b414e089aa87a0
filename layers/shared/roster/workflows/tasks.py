"""The Lambda tasks of the campaign and collaboration state machines (one function, `task` picks).

Each task is small and idempotent enough to be retried by Step Functions: it records what
happened on the collaboration's timeline and returns only what the next states need (timers,
a yes/no)."""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from roster import clock
from roster.adapters.workflows import StepGone
from roster.errors import Conflict, RosterError
from roster.links import links, promo_codes
from roster.models.campaigns import Campaign, CampaignStatus
from roster.models.collaborations import Collaboration, Contract, Outcome, Stage, Task, TimelineEvent, Waiting
from roster.models.creators import Platform
from roster.models.links import LinkCreate
from roster.models.outreach import Audience, OutreachStart
from roster.models.posts import AlertKind
from roster.models.promo_codes import PromoCodeCreate
from roster.monitoring import posts
from roster.observability import logger
from roster.outreach import mail, notices, sequences
from roster.program import alerts
from roster.reporting import reports
from roster.workflows import collaborations, deliverables, notify

if TYPE_CHECKING:
    from roster.deps import Deps


def _timers(campaign: Campaign, due_seconds: int) -> dict[str, Any]:
    """Waits of a deadline: until the reminder, then through the grace period."""
    w = campaign.workflow
    remind = max(1, due_seconds - w.reminder_seconds)
    return {
        "remind": remind,
        "grace": min(w.reminder_seconds, due_seconds) + w.grace_seconds,
        "due": clock.later(due_seconds),
    }


def _note(c: Collaboration, kind: str, **detail: Any) -> None:
    c.timeline.append(TimelineEvent(at=clock.now_iso(), type=kind, by="roster", detail=detail))
    c.updated_at = clock.now_iso()


def _email_creator(d: Deps, brand_id: str, c: Collaboration, subject: str, text: str) -> bool:
    """A plain notice from the brand's sender (reminders, brief) with the collaboration page's
    link; False when it is not sent (`roster.outreach.notices`)."""
    config = d.mail
    if config is None:
        return False
    creator = d.stores.creators.require(brand_id, c.creator_id)
    page = mail.collaboration_url(config.public_url, config.signing_key, brand_id, c.id)
    return notices.send(
        d,
        brand_id,
        creator,
        subject,
        text,
        link=page,
        pointer_id=c.id,
        campaign_id=c.campaign_id,
        tags={"collaboration": c.id},
    )


def _alert(d: Deps, brand_id: str, c: Collaboration, kind: AlertKind, message: str, key: str) -> None:
    posts.raise_alert(
        d,
        brand_id,
        c.campaign_id,
        c.creator_id,
        kind,
        message,
        post_id=None,
        key=f"{c.id}:{key}",
        collaboration_id=c.id,
    )


type Handler = Callable[[Deps, dict[str, Any]], dict[str, Any]]


def run(d: Deps, event: dict[str, Any]) -> dict[str, Any]:
    """Runs the task the event names; what it returns is what the next states read."""
    handler = TASKS.get(event["task"])
    if handler is None:
        raise ValueError(f"unknown workflow task {event['task']!r}")
    return handler(d, event)


@dataclass(frozen=True)
class Context:
    """What a collaboration task works on: the record as the task starts and its campaign."""

    d: Deps
    event: dict[str, Any]
    brand_id: str
    cid: str
    c: Collaboration
    campaign: Campaign
    # After a timeout: an action the step took that Step Functions did not get is on its way to
    # the next wait, so nobody is nudged about it.
    answered: bool

    def change(self, fn: Callable[[Collaboration, dict[str, Any]], None]) -> Collaboration:
        """The record's read-modify-write, which may run `fn` again on a concurrent write: side
        effects (links, codes, emails, bookings) happen once, outside it."""
        updated, _ = self.d.stores.collaborations.mutate(self.brand_id, self.cid, fn)
        return updated


def _on_collaboration(task: Callable[[Context], dict[str, Any]]) -> Handler:
    def handler(d: Deps, event: dict[str, Any]) -> dict[str, Any]:
        brand_id, cid = event["brand_id"], event["collaboration_id"]
        raw = d.stores.collaborations.require_raw(brand_id, cid)
        c = Collaboration.model_validate(raw)
        campaign = d.stores.campaigns.require(brand_id, c.campaign_id)
        return task(Context(d, event, brand_id, cid, c, campaign, _undelivered(raw, event) is not None))

    return handler


def _on_campaign(task: Callable[[Deps, str, str, dict[str, Any]], dict[str, Any]]) -> Handler:
    return lambda d, event: task(d, event["brand_id"], event["campaign_id"], event)


def _nudge(send: Callable[[Context], None]) -> Callable[[Context], dict[str, Any]]:
    """A reminder or an alert, unless it is held or no longer needed."""

    def nudge(s: Context) -> dict[str, Any]:
        task = s.event["task"]
        if s.campaign.status == CampaignStatus.PAUSED:
            # A paused campaign holds its nudges: the waits go on, nobody is chased meanwhile.
            s.change(lambda x, p: _note(x, f"{task} held: campaign paused", stage=s.event["stage"]))
        elif s.answered:
            s.change(lambda x, p: _note(x, f"{task} skipped: answered", stage=s.event["stage"]))
        else:
            send(s)
        return {}

    return nudge


def _enter(s: Context) -> dict[str, Any]:
    stage = s.event["stage"]
    timers = _timers(s.campaign, int(s.event["due_seconds"])) if s.event.get("due_seconds") else None

    def entered(x: Collaboration, private: dict[str, Any]) -> None:
        x.stage = stage
        private["due"] = timers["due"] if timers else None
        _note(x, f"stage: {stage}", **({"due": timers["due"]} if timers else {}))

    s.change(entered)
    if stage == "invite" and s.campaign.workflow.invite_steps:
        _invite(s.d, s.brand_id, s.campaign, s.c)
    return timers or {}


def _contract(s: Context) -> dict[str, Any]:
    campaign = s.campaign
    # The due date comes from the execution's own settings, not today's campaign (decisions.md,
    # Workflows → Timers).
    result = _timers(campaign, int(s.event.get("due_seconds") or campaign.workflow.sign_due_seconds))

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
        _note(x, "contract issued", offer=number, document_hash=x.contract.document_hash, due=result["due"])

    s.change(freeze)
    return result


def _extend(s: Context) -> dict[str, Any]:
    result = _timers(s.campaign, int(s.event["extra"]))  # `extend` requires `seconds`

    def extended(x: Collaboration, private: dict[str, Any]) -> None:
        private["due"] = result["due"]
        _note(x, "deadline extended", due=result["due"])

    s.change(extended)
    return result


def _remind(s: Context) -> None:
    stage = s.event["stage"]
    sent = _email_creator(
        s.d,
        s.brand_id,
        s.c,
        f"Reminder: {s.campaign.name}",
        f"A friendly reminder: {stage} is due soon for {s.campaign.name}.",
    )
    s.change(lambda x, p: _note(x, "reminder", stage=stage, emailed=sent))
    s.d.events.publish(
        "collaboration.reminder", {"brand_id": s.brand_id, "collaboration_id": s.cid, "stage": stage}
    )


def _missed(s: Context) -> None:
    _overdue(s, Task.MISSED, "deadline", "deadline missed", "; decide: extend or cancel")


def _stalled(s: Context) -> None:
    _overdue(s, Task.STALLED, "stalled", "waiting too long")


def _overdue(s: Context, task: Task, kind: AlertKind, what: str, decide: str = "") -> None:
    stage = s.event["stage"]
    message = f"{s.c.stage}: {what} (collaboration {s.cid}){decide}"
    _tell_brand(s, kind, message, f"{task}:{stage}:{clock.now_iso()[:13]}", what, task, stage)


def _exhausted(s: Context) -> None:
    used, allowed = len(s.c.proposals), _rounds(s)
    message = (
        f"content: no revision rounds left ({used} of {allowed} used; collaboration {s.cid});"
        " decide: approve-content (the last proposal as it is), grant-round (one more) or cancel"
    )
    key = f"rounds:{used}:{clock.now_iso()[:13]}"
    _tell_brand(s, "stalled", message, key, "no revision rounds left", "rounds_exhausted", "content")


def _tell_brand(
    s: Context, kind: AlertKind, message: str, key: str, what: str, topic: str, stage: str
) -> None:
    """The brand is alerted, the timeline says so and `collaboration.<topic>` is published."""
    _alert(s.d, s.brand_id, s.c, kind, message, key)
    s.change(lambda x, p: _note(x, f"brand alerted: {what}", stage=stage))
    s.d.events.publish(
        f"collaboration.{topic}", {"brand_id": s.brand_id, "collaboration_id": s.cid, "stage": stage}
    )


def _rounds(s: Context) -> int:
    """The content rounds this collaboration may use: the campaign's and those the brand granted."""
    return s.campaign.workflow.content_rounds + s.c.extra_rounds


def _onboard(s: Context) -> dict[str, Any]:
    detail = _welcome(s.d, s.brand_id, s.campaign, s.c)
    s.change(lambda x, p: _record(x, "onboard", "onboarded", detail))
    return {}


def _revise(s: Context) -> dict[str, Any]:
    allowed = _rounds(s)
    s.change(lambda x, p: _note(x, "changes requested", rounds_left=max(0, allowed - len(x.proposals))))
    return {"more": len(s.c.proposals) < allowed}


def _check_post(s: Context) -> dict[str, Any]:
    post_id, detail = _proof_of_post(s.d, s.brand_id, s.campaign, s.c)
    result: dict[str, Any] = {}

    def checked(x: Collaboration, private: dict[str, Any]) -> None:
        _record(x, "live", "post checked", detail, post_id=post_id)
        result.update(_more_posts(s.campaign, x, private.get("due")))

    s.change(checked)
    return result


def _measure(s: Context) -> dict[str, Any]:
    detail = _compare(s.d, s.brand_id, s.campaign, s.c)
    s.change(lambda x, p: _record(x, "measure", "measured", detail))
    return {}


def _finish(s: Context) -> dict[str, Any]:
    outcome: Outcome = s.event["outcome"]
    if outcome not in get_args(Outcome):
        raise ValueError(f"unknown outcome {outcome!r}")
    s.change(lambda x, p: collaborations.close(x, p, outcome, "roster") if x.status == "open" else None)
    alerts.collaboration_closed(s.d, s.brand_id, s.cid, outcome)
    s.d.events.publish(
        "collaboration.closed", {"brand_id": s.brand_id, "collaboration_id": s.cid, "outcome": outcome}
    )
    return {}


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


def _wait(d: Deps, event: dict[str, Any]) -> dict[str, Any]:
    """A human step starts: its token is stored with what it waits for. An action the step before
    took that Step Functions never got (it timed that step out meanwhile) answers this one at once:
    every step's timeout leads to a wait that takes the same actions (the invitation's to `late`)."""
    brand_id, cid = event["brand_id"], event["collaboration_id"]
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
            until=clock.later(int(event["seconds"])),
            due=private.get("due"),
        )
        private["task_token"] = event["token"]

    stored, _ = d.stores.collaborations.mutate(brand_id, cid, store_token)
    if taken:  # should this wait time out first (a second-long timer), the next one takes it
        with contextlib.suppress(StepGone):
            d.workflows.resume(event["token"], taken["output"])
    else:  # the creator's email for this step (once per step, never failing it)
        notify.step(d, brand_id, stored, event)
    return {}


def _late(d: Deps, event: dict[str, Any]) -> dict[str, Any]:
    """A step whose timeout ends it (the invitation), after a hold longer than any request takes:
    an action it took that Step Functions never got is its answer; else the step is over."""
    brand_id, cid = event["brand_id"], event["collaboration_id"]
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
        if not d.settings.outreach_queue_url:
            raise Conflict("no outreach queue configured")
        sequence = sequences.start(
            d,
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


def _welcome(d: Deps, brand_id: str, campaign: Campaign, c: Collaboration) -> dict[str, Any]:
    """The tracking link and promo code (issued unless the creator has them) and the brief, emailed."""
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
    if issued.get("link") and d.settings.link_base_url:
        text += f"\nYour tracking link: {d.settings.link_base_url}/r/{issued['link']}"
    issued["brief_emailed"] = _email_creator(d, brand_id, c, f"Your brief for {campaign.name}", text)
    return issued


def _proof_of_post(
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
        ctx = posts.context(
            d.stores, brand_id, campaign.id, c.creator_id, link_base_url=d.settings.link_base_url
        )
        # An unreadable page: the creator's caption is checked instead, else the post is `unknown`.
        caption = posts.submitted_caption(c, url)
        # The page alone, never a platform API: this function may not read their keys (no SSM).
        existing = posts.check_page(d, ctx, url, platform, caption=caption, apis=False).post
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
    due = due or clock.later(campaign.workflow.post_due_seconds)
    left = max(1, int((clock.parse(due) - clock.now()).total_seconds()))
    still = sum(1 for u in c.deliverables if u.state == "due")
    return {**_timers(campaign, left), "due": due, "more": still > 0, "due_deliverables": still}


def _clicks(d: Deps, brand_id: str, campaign_id: str, creator_id: str) -> int:
    found = d.stores.links.all(brand_id, campaign_id=campaign_id, creator_id=creator_id)
    return sum(
        int(i.get("clicks", 0))
        for link in found
        for i in d.stores.stats.days(brand_id, "link", link.code, "0000-00-00", "9999-99-99")
    )


def _compare(d: Deps, brand_id: str, campaign: Campaign, c: Collaboration) -> dict[str, Any]:
    """The creator's clicks against the campaign's median; far below it, the brand is alerted and
    the creator gets a boost idea."""
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
    campaign = d.stores.campaigns.require(brand_id, campaign_id)
    started = collaborations.launch(d, brand_id, campaign, event["collaboration_ids"], event["machine"])
    return {"started": started}


def _report(d: Deps, brand_id: str, campaign_id: str, event: dict[str, Any]) -> dict[str, Any]:
    campaign = d.stores.campaigns.require(brand_id, campaign_id)
    report = reports.build(d.stores, brand_id, "campaign", campaign_id, campaign)
    flow = d.stores.collaborations.get_campaign_workflow(brand_id, campaign_id) or {}
    entries = [*flow.get("reports", []), {"at": clock.now_iso(), "report": report.model_dump(mode="json")}][
        -60:
    ]
    d.stores.collaborations.record_campaign_report(brand_id, campaign_id, entries)
    ended = clock.now().date() > campaign.end_date or campaign.status in (
        CampaignStatus.COMPLETED,
        CampaignStatus.CANCELLED,
    )
    return {"ended": ended}


def _wrap_up(d: Deps, brand_id: str, campaign_id: str, event: dict[str, Any]) -> dict[str, Any]:
    open_items = collaborations.wrap_up(d, brand_id, campaign_id)
    logger.info("campaign wrapped up", extra={"campaign_id": campaign_id, "open_items": len(open_items)})
    return {"open_items": len(open_items)}


TASKS: dict[Task, Handler] = {
    Task.WAIT: _wait,  # the most frequent task needs nothing but the record it updates
    Task.LATE: _late,
    Task.ENTER: _on_collaboration(_enter),
    Task.CONTRACT: _on_collaboration(_contract),
    Task.EXTEND: _on_collaboration(_extend),
    Task.REMIND: _on_collaboration(_nudge(_remind)),
    Task.MISSED: _on_collaboration(_nudge(_missed)),
    Task.STALLED: _on_collaboration(_nudge(_stalled)),
    Task.EXHAUSTED: _on_collaboration(_nudge(_exhausted)),
    Task.ONBOARD: _on_collaboration(_onboard),
    Task.REVISE: _on_collaboration(_revise),
    Task.CHECK_POST: _on_collaboration(_check_post),
    Task.MEASURE: _on_collaboration(_measure),
    Task.FINISH: _on_collaboration(_finish),
    Task.LAUNCH: _on_campaign(_launch),
    Task.REPORT: _on_campaign(_report),
    Task.WRAP_UP: _on_campaign(_wrap_up),
}
