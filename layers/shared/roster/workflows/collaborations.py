"""Collaborations: one creator in one campaign, driven by the collaboration state machine.

The API and the creator pages act on a collaboration only through the step it waits for: an
action that step does not accept is a 409 naming the current stage. A valid action changes the
record (offers, contract signature, shipment, proposals, post, rating) and resumes the waiting
step with `{"action": ...}`; the workflow's Lambda tasks (`roster.workflows.tasks`) do the rest.
An action the step took is never lost to its timer: when Step Functions timed the step out
before the resume reached it, the wait its timeout branch leads to takes the action instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any, Literal

from ulid import ULID

from roster import clock
from roster.adapters.workflows import StepGone
from roster.errors import Conflict, NotFound, RosterError, ValidationFailed
from roster.ids import collaboration_id
from roster.models.auth import Actor
from roster.models.campaigns import Campaign, CampaignPatch, CampaignStatus
from roster.models.collaborations import (
    BRAND_ACTIONS,
    CREATOR_ACTIONS,
    ActionBody,
    Collaboration,
    DeliverableUnit,
    MediaFile,
    Offer,
    Outcome,
    Proposal,
    Rating,
    Shipment,
    Signature,
    Terms,
    TimelineEvent,
)
from roster.models.posts import Post
from roster.observability import logger
from roster.outreach import sequences
from roster.program import alerts, campaigns
from roster.reporting import reports
from roster.settings import get_settings
from roster.store.registry import Stores
from roster.workflows import deliverables

if TYPE_CHECKING:
    from roster.deps import Deps

Party = Literal["brand", "creator", "roster"]
ALLOWED: dict[str, frozenset[str]] = {
    "brand": BRAND_ACTIONS,
    "creator": CREATOR_ACTIONS,
    "roster": frozenset({"submit-post"}),  # monitoring found the post
}


def document_hash(terms: Terms) -> str:
    canonical = json.dumps(terms.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def execution_input(brand_id: str, campaign: Campaign, c: Collaboration) -> dict[str, Any]:
    return {
        "brand_id": brand_id,
        "collaboration_id": c.id,
        "campaign_id": campaign.id,
        "creator_id": c.creator_id,
        "settings": campaign.workflow.model_dump(mode="json"),
        "answer": {},  # what the last wait got (`id` of the action); every task is told
    }


def start(
    deps: Deps,
    brand_id: str,
    campaign_id: str,
    creator_ids: list[str],
    *,
    collaboration_machine: str,
    campaign_machine: str,
) -> list[Collaboration]:
    """Adds creators to the campaign's collaborations. The first call launches the campaign
    workflow, which starts their executions; later calls start the new ones directly."""
    campaign = deps.stores.campaigns.require(brand_id, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.ACTIVE):
        raise Conflict(f"a {campaign.status} campaign takes no new collaborations")
    creators = [
        deps.stores.creators.require(brand_id, cid) for cid in dict.fromkeys(creator_ids)
    ]  # 404 first
    now = clock.now_iso()
    created: list[Collaboration] = []
    pending: list[Collaboration] = []
    opening = campaign.default_terms
    for creator in creators:
        cid = collaboration_id(brand_id, campaign_id, creator.id)
        c = Collaboration(
            id=cid,
            campaign_id=campaign_id,
            creator_id=creator.id,
            stage="invite",
            status="open",
            offers=[Offer(by="brand", at=now, terms=opening)] if opening else [],
            timeline=[TimelineEvent(at=now, type="created", by="brand")]
            + ([_offered(now, "brand", 1, opening)] if opening else []),
            created_at=now,
            updated_at=now,
        )
        if deps.stores.collaborations.create(
            brand_id, c, deps.workflows.execution_arn(collaboration_machine, cid)
        ):
            created.append(c)
        elif (existing := deps.stores.collaborations.require(brand_id, cid)).status == "open":
            pending.append(existing)  # a retried start: make sure its execution runs
    pending = created + pending
    if not pending:
        return []
    ids = [c.id for c in pending]
    name = f"campaign-{campaign_id}"
    flow = {
        "execution_arn": deps.workflows.execution_arn(campaign_machine, name),
        "status": "active",
        "started_at": now,
        "reports": [],
    }
    if deps.stores.collaborations.claim_campaign_workflow(brand_id, campaign_id, flow):
        try:  # the campaign execution launches them (ids only: inputs stay small)
            deps.workflows.start(
                campaign_machine,
                name,
                {
                    "brand_id": brand_id,
                    "campaign_id": campaign_id,
                    "collaboration_ids": ids,
                    "collaboration_machine": collaboration_machine,
                    "settings": campaign.workflow.model_dump(mode="json"),
                },
            )
        except Exception:
            deps.stores.collaborations.drop_campaign_workflow(brand_id, campaign_id)
            raise
    else:
        launch(deps, brand_id, campaign, ids, collaboration_machine)
    return created


def launch(deps: Deps, brand_id: str, campaign: Campaign, ids: list[str], machine: str) -> int:
    """Starts the collaborations' executions (by name: starting one twice is a no-op)."""
    for cid in ids:
        deps.workflows.start(
            machine,
            cid,
            execution_input(brand_id, campaign, deps.stores.collaborations.require(brand_id, cid)),
        )
    return len(ids)


def _require(value: Any, field: str, action: str) -> Any:
    if value is None or value == "":
        raise ValidationFailed(
            f"`{field}` is required for {action}", details=[{"field": field, "message": "required"}]
        )
    return value


def _offered(at: str, by: Literal["brand", "creator"], number: int, terms: Terms) -> TimelineEvent:
    """The opening offer on the timeline (counters are there as `counter` actions, numbered alike)."""
    return TimelineEvent(
        at=at, type="offer", by=by, detail={"offer": number, "terms": terms.model_dump(mode="json")}
    )


def _ip_hash(ip: str | None) -> str:
    """The signer's address, kept as evidence without keeping it: HMAC-SHA-256 with the signing key
    (a plain SHA-256 of an IPv4 address is reversed by trying all 2^32). The same address gives the
    same hash, so a dispute can still match it against a known one."""
    key = get_settings().outreach_signing_key or ""
    return hmac.new(key.encode(), f"sign-ip:{ip or ''}".encode(), hashlib.sha256).hexdigest()


def _accept_terms(c: Collaboration, by: Literal["brand", "creator"], now: str) -> dict[str, Any]:
    """Negotiation ends when one side accepts the other side's latest offer, as it stands."""
    if not c.offers:
        raise Conflict("there are no terms to accept yet: counter with terms first")
    latest = c.offers[-1]
    if latest.by == by:
        other = "creator" if by == "brand" else "brand"
        raise Conflict(
            f"the latest offer (offer {len(c.offers)}, {latest.at}) is your own: the {other} accepts it "
            "or counters; you can counter again meanwhile"
        )
    latest.accepted_by, latest.accepted_at = by, now
    return {"offer": len(c.offers), "offered_by": latest.by, "offered_at": latest.at}


def _decide_content(c: Collaboration, action: str, body: ActionBody, now: str) -> dict[str, Any]:
    """The brand's decision on the last proposal. Once changes were requested on the last allowed
    round, the brand may still approve it as it is (or grant a round, or cancel)."""
    last = c.proposals[-1] if c.proposals else None
    if last is None or last.decision == "approved":
        raise Conflict("there is no proposal awaiting a decision")
    if last.decision is not None and action == "request-changes":
        raise Conflict(
            f"changes were already requested on round {last.round} and no revision rounds are left: "
            "approve-content approves it as it is, grant-round gives the creator one more round, "
            "cancel ends the collaboration"
        )
    noted: dict[str, Any] = {"round": last.round}
    if last.decision is not None:
        noted["overrides"] = last.decision
    last.decision = "approved" if action == "approve-content" else "changes_requested"
    last.comments, last.decided_at = body.comments or last.comments, now
    return noted


def _apply(
    c: Collaboration,
    action: str,
    body: ActionBody,
    by: Literal["brand", "creator"],
    ip: str | None,
    now: str,
    private: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record change an action makes (`now`: when the action arrived; `private`: the record's
    private fields, changed with it); returns what the workflow gets with the action and what the
    timeline notes beyond the body."""
    output: dict[str, Any] = {"action": action}
    noted: dict[str, Any] = {}
    if action == "counter":
        c.offers.append(Offer(by=by, at=now, terms=_require(body.terms, "terms", action), note=body.note))
        noted["offer"] = len(c.offers)
    elif action == "accept-terms":
        noted = _accept_terms(c, by, now)
    elif action == "sign":
        if c.contract is None:
            raise Conflict("no contract has been issued yet")
        c.contract.signature = Signature(
            name=_require(body.name, "name", action),
            at=now,
            ip_hash=_ip_hash(ip),
            document_hash=c.contract.document_hash,
        )
    elif action == "record-shipment":
        c.shipment = Shipment(
            carrier=_require(body.carrier, "carrier", action),
            tracking_number=_require(body.tracking_number, "tracking_number", action),
            shipped_at=now,
        )
    elif action == "confirm-delivery":
        if c.shipment is None:
            raise Conflict("nothing has been shipped yet")
        c.shipment.delivered_at, c.shipment.confirmed_by = now, by
    elif action == "submit-content":
        # The files uploaded since the last proposal go with this one, in the same write: a file is
        # in exactly one place, the pending list or a proposal (roster.portal.drafts).
        pending = (private or {}).get("uploads") or []
        c.proposals.append(
            Proposal(
                round=len(c.proposals) + 1,
                text=_require(body.text, "text", action),
                note=body.note,
                media_urls=[str(u) for u in body.media_urls],
                media=[MediaFile.model_validate(m) for m in pending],
                submitted_at=now,
            )
        )
        if private is not None:
            private["uploads"] = []
        noted["media"] = len(pending)
    elif action in ("approve-content", "request-changes"):
        noted = _decide_content(c, action, body, now)
    elif action == "grant-round":
        c.extra_rounds += 1
        noted["extra_rounds"] = c.extra_rounds
    elif action == "submit-post":
        url = str(_require(body.url, "url", action))
        deliverables.assign(c, url, body.platform)  # 409 when no due deliverable fits the post
        c.post_url = url
    elif action == "rate":
        c.rating = Rating(score=_require(body.score, "score", action), notes=body.notes)
    elif action == "extend":
        output["seconds"] = _require(body.seconds, "seconds", action)
    return output, noted


def act(
    deps: Deps,
    brand_id: str,
    collaboration_id: str,
    action: str,
    body: ActionBody,
    *,
    by: Party,
    ip: str | None = None,
    actor: Actor | None = None,
) -> Collaboration:
    """One side's action on the step the collaboration waits for; `actor` is who acted for the brand
    (a member or an API key), kept on the timeline beside `by`."""
    received = clock.now_iso()  # an action counts from when it arrived, not from when it lands
    allowed = ALLOWED[by]
    current = deps.stores.collaborations.require(brand_id, collaboration_id)
    if action not in BRAND_ACTIONS | CREATOR_ACTIONS:
        raise NotFound(f"unknown action {action!r}")
    if action not in allowed:
        raise Conflict(
            f"only the {'creator' if by == 'brand' else 'brand'} can {action}", details=[_stage(current)]
        )
    if current.status == "closed":
        raise Conflict(f"the collaboration is closed ({current.outcome})", details=[_stage(current)])
    campaign = deps.stores.campaigns.require(brand_id, current.campaign_id)
    if campaign.status == CampaignStatus.PAUSED:
        raise Conflict("the campaign is paused", details=[_stage(current)])
    waiting = current.waiting_for
    if waiting is None or action not in waiting.actions:
        expected = ", ".join(waiting.actions) if waiting else "nothing yet (the workflow is working)"
        raise Conflict(
            f"{action} is not possible in the {current.stage} stage; it waits for: {expected}",
            details=[_stage(current)],
        )
    holder: dict[str, Any] = {}

    def change(c: Collaboration, private: dict[str, Any]) -> None:
        # No deadline check here: Step Functions' timer decides, and a step it timed out meanwhile
        # still gets the action, through its timeout branch (see `answer` below).
        if c.waiting_for is None or action not in c.waiting_for.actions or not private.get("task_token"):
            raise Conflict("the workflow moved on; reload and try again", details=[_stage(c)])
        output, noted = _apply(c, action, body, "creator" if by == "roster" else by, ip, received, private)
        output["id"] = str(ULID())  # Step Functions keeps it at `$.answer.id` once it has the action
        holder["answer"] = {"output": output, "received_at": received}
        holder["token"] = private["task_token"]
        detail = {
            k: v for k, v in body.model_dump(mode="json", exclude_none=True).items() if k != "media_urls"
        }
        c.timeline.append(TimelineEvent(at=received, type=action, by=by, actor=actor, detail=detail | noted))
        c.waiting_for, private["task_token"] = None, None
        # The last action taken: a wait (or the invitation's `late` task) that finds Step Functions
        # never got it (another `$.answer.id`) takes it, so a timeout cannot swallow it.
        private["answer"] = holder["answer"]
        c.updated_at = clock.now_iso()

    updated, _ = deps.stores.collaborations.mutate(brand_id, collaboration_id, change)
    try:
        deps.workflows.resume(holder["token"], holder["answer"]["output"])
    except StepGone:  # timed out between the write and now: the wait its timeout leads to takes it
        logger.info("action left to the timeout branch", extra={"collaboration_id": collaboration_id})
    alerts.wait_answered(deps, brand_id, collaboration_id, action, by)  # the wait is over
    answered = {"accept": "accepted", "decline": "declined"}.get(action)
    if answered and deps.stores.outreach.get_enrollment(brand_id, updated.campaign_id, updated.creator_id):
        sequences.stop(deps, brand_id, updated.campaign_id, updated.creator_id, answered)
    deps.events.publish(
        "collaboration.action",
        {"brand_id": brand_id, "collaboration_id": collaboration_id, "action": action, "by": by},
    )
    return updated


def _proves(c: Collaboration, post: Post) -> bool:
    """The post is matched to a deliverable whose fee is not booked yet."""
    return any(u.post_id == post.id and u.state in ("posted", "verified") for u in c.deliverables)


def recheck(stores: Stores, brand_id: str, post: Post) -> list[DeliverableUnit]:
    """A post checked again (the brand resubmitting it): when it proves a deliverable not booked
    yet, settles the collaboration, booking what is now verified."""
    c = stores.collaborations.get(brand_id, collaboration_id(brand_id, post.campaign_id, post.creator_id))
    if c is None:
        return []
    return deliverables.settle(stores, brand_id, c.id) if _proves(c, post) else []


def post_found(deps: Deps, brand_id: str, post: Post) -> None:
    """Monitoring saw one of the creator's posts: one already matched to a deliverable may now
    verify it; another, while the live step waits for a post, is submitted (as `roster`). One
    read when neither applies."""
    c = deps.stores.collaborations.get(
        brand_id, collaboration_id(brand_id, post.campaign_id, post.creator_id)
    )
    if c is None:
        return
    if any(u.post_id == post.id for u in c.deliverables):
        if _proves(c, post):
            deliverables.settle(deps.stores, brand_id, c.id)
        return
    if c.status != "open" or c.waiting_for is None or "submit-post" not in c.waiting_for.actions:
        return
    body = ActionBody.model_validate({"url": post.url, "platform": post.platform})
    try:
        act(deps, brand_id, c.id, "submit-post", body, by="roster")
    except RosterError:  # the step moved on meanwhile, or no due deliverable fits this post
        return


def _stage(c: Collaboration) -> dict[str, Any]:
    return {
        "field": "stage",
        "message": c.stage,
        "waiting_for": c.waiting_for.actions if c.waiting_for else [],
    }


def close(
    c: Collaboration, private: dict[str, Any], outcome: Outcome, by: Literal["brand", "creator", "roster"]
) -> None:
    now = clock.now_iso()
    c.status, c.stage, c.outcome = "closed", "closed", outcome
    c.waiting_for, private["task_token"] = None, None
    c.timeline.append(TimelineEvent(at=now, type=f"closed: {outcome}", by=by))
    c.updated_at = now


def update_campaign(
    deps: Deps,
    brand_id: str,
    campaign_id: str,
    patch: CampaignPatch,
) -> Campaign:
    """A change to the campaign (`program.campaigns.update`); a cancellation then reaches every
    open collaboration (`cancel_campaign`)."""
    updated = campaigns.update(deps.stores.campaigns, brand_id, campaign_id, patch)
    if patch.status == CampaignStatus.CANCELLED:
        cancel_campaign(deps, brand_id, campaign_id, updated)
    return updated


def cancel_campaign(deps: Deps, brand_id: str, campaign_id: str, campaign: Campaign | None = None) -> int:
    """A cancelled campaign reaches every open collaboration: its execution stops and it closes
    as cancelled. Then the campaign is wrapped up as at its end: final report, the collaborations
    the cancellation cut short as its open items, `closed_at`. Returns how many were open."""
    closed = 0
    raws = deps.stores.collaborations.all_raw(brand_id, campaign_id)
    cut_short = [_open_item(r) | {"outcome": "cancelled"} for r in raws if r.get("status") == "open"]
    for raw in raws:
        if raw.get("status") != "open":
            continue
        if raw.get("execution_arn"):
            deps.workflows.stop(raw["execution_arn"], "campaign cancelled")
        deps.stores.collaborations.mutate(
            brand_id,
            raw["id"],
            lambda c, p: close(c, p, "cancelled", "brand") if c.status == "open" else None,
        )
        deps.events.publish(
            "collaboration.closed",
            {"brand_id": brand_id, "collaboration_id": raw["id"], "outcome": "cancelled"},
        )
        alerts.collaboration_closed(deps, brand_id, raw["id"], "cancelled")
        closed += 1
    flow = deps.stores.collaborations.get_campaign_workflow(brand_id, campaign_id)
    if flow:
        deps.workflows.stop(flow["execution_arn"], "campaign cancelled")
        wrap_up(deps, brand_id, campaign_id, status="cancelled", open_items=cut_short, campaign=campaign)
    return closed


def _open_item(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "collaboration_id": raw["id"],
        "creator_id": raw["creator_id"],
        "stage": raw.get("stage"),
        "waiting_for": (raw.get("waiting_for") or {}).get("actions", []),
    }


def wrap_up(
    deps: Deps,
    brand_id: str,
    campaign_id: str,
    *,
    status: Literal["closed", "cancelled"] = "closed",
    open_items: list[dict[str, Any]] | None = None,
    campaign: Campaign | None = None,
) -> list[dict[str, Any]]:
    """The campaign's end, once: the final report, the open items (the collaborations still open,
    unless given) and `closed_at`, written only if no wrap-up was (a conditional write: two
    wrap-ups racing never overwrite each other). A wrap-up that finds one done (a retried task,
    the execution after a cancellation) changes nothing, except a cancellation's: the campaign
    then reads cancelled, and if the wrap-up it found was written after the campaign was
    cancelled (the execution's, racing it), the cancellation's open items replace that one's
    view of collaborations it was still closing. A wrap-up at the campaign's end date, before
    the cancellation, keeps its open items. Returns the open items."""
    store = deps.stores.collaborations
    given = open_items  # the cancellation's own list (else this wrap-up computes one)
    # The cancellation passes the campaign it just wrote (its `cancelled_at`); else a strongly
    # consistent read, since the racing rule below compares with that moment.
    campaign = campaign or deps.stores.campaigns.require(brand_id, campaign_id, consistent=True)
    if campaign.status == CampaignStatus.CANCELLED:
        status = "cancelled"
    flow = store.get_campaign_workflow(brand_id, campaign_id) or {}
    if not flow.get("closed_at"):
        report = reports.build(deps.stores, brand_id, "campaign", campaign_id, campaign)
        if open_items is None:
            open_items = [
                _open_item(r) for r in store.all_raw(brand_id, campaign_id) if r.get("status") == "open"
            ]
        fields = {
            "status": status,
            "final_report": report.model_dump(mode="json"),
            "open_items": open_items,
            "closed_at": clock.now_iso(),
        }
        found = store.close_campaign_workflow(brand_id, campaign_id, fields)
        if found is None:
            wrapped = {"brand_id": brand_id, "campaign_id": campaign_id, "status": status}
            deps.events.publish("campaign.wrapped_up", wrapped | {"open_items": len(open_items)})
            return open_items
        flow = found  # the wrap-up that won, as the refused write saw it
    if not flow.get("closed_at"):  # no record at all (dropped): a wrap-up never creates one
        return list(given or [])
    if status == "cancelled":
        raced = bool(campaign.cancelled_at and str(flow.get("closed_at", "")) >= campaign.cancelled_at)
        replace = given if raced else None
        if replace is not None or flow.get("status") != "cancelled":
            store.mark_campaign_workflow_cancelled(brand_id, campaign_id, replace)
        if replace is not None:
            return replace
    return list(flow.get("open_items", []))
