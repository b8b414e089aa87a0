"""Collaborations: one creator in one campaign, driven by the collaboration state machine.

The API and the creator pages act on a collaboration only through the step it waits for: an
action that step does not accept is a 409 naming the current stage. A valid action changes the
record (offers, contract signature, shipment, proposals, post, rating) and resumes the waiting
step with `{"action": ...}`; the workflow's Lambda tasks (`roster.workflow_tasks`) do the rest.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Literal

from ulid import ULID

from roster import clock, deliverables, outreach
from roster.adapters.events import EventPublisher
from roster.adapters.workflows import StepGone, Workflows
from roster.errors import Conflict, NotFound, RosterError, ValidationFailed
from roster.models.campaigns import Campaign, CampaignStatus
from roster.models.collaborations import (
    BRAND_ACTIONS,
    CREATOR_ACTIONS,
    ActionBody,
    Collaboration,
    DeliverableUnit,
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
from roster.store.registry import Stores

Party = Literal["brand", "creator", "roster"]
ALLOWED: dict[str, frozenset[str]] = {
    "brand": BRAND_ACTIONS,
    "creator": CREATOR_ACTIONS,
    "roster": frozenset({"submit-post"}),  # monitoring found the post
}


def collaboration_id(brand_id: str, campaign_id: str, creator_id: str) -> str:
    """One collaboration per creator per campaign: the id (and execution name) is derived."""
    digest = hashlib.sha256(f"collab:{brand_id}:{campaign_id}:{creator_id}".encode()).digest()[:16]
    return str(ULID.from_bytes(digest))


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
    }


def start(
    stores: Stores,
    wf: Workflows,
    brand_id: str,
    campaign_id: str,
    creator_ids: list[str],
    *,
    collaboration_machine: str,
    campaign_machine: str,
) -> list[Collaboration]:
    """Adds creators to the campaign's collaborations. The first call launches the campaign
    workflow, which starts their executions; later calls start the new ones directly."""
    campaign = stores.campaigns.get(brand_id, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.ACTIVE):
        raise Conflict(f"a {campaign.status} campaign takes no new collaborations")
    creators = [stores.creators.get(brand_id, cid) for cid in dict.fromkeys(creator_ids)]  # 404 first
    now = clock.now_iso()
    created: list[Collaboration] = []
    pending: list[Collaboration] = []
    for creator in creators:
        cid = collaboration_id(brand_id, campaign_id, creator.id)
        c = Collaboration(
            id=cid,
            campaign_id=campaign_id,
            creator_id=creator.id,
            stage="invite",
            status="open",
            offers=[Offer(by="brand", at=now, terms=campaign.default_terms)]
            if campaign.default_terms
            else [],
            timeline=[TimelineEvent(at=now, type="created", by="brand")],
            created_at=now,
            updated_at=now,
        )
        if stores.collaborations.create(brand_id, c, wf.execution_arn(collaboration_machine, cid)):
            created.append(c)
        elif (existing := stores.collaborations.get(brand_id, cid)).status == "open":
            pending.append(existing)  # a retried start: make sure its execution runs
    pending = created + pending
    if not pending:
        return []
    ids = [c.id for c in pending]
    name = f"campaign-{campaign_id}"
    flow = {
        "execution_arn": wf.execution_arn(campaign_machine, name),
        "status": "active",
        "started_at": now,
        "reports": [],
    }
    if stores.collaborations.claim_campaign_workflow(brand_id, campaign_id, flow):
        try:  # the campaign execution launches them (ids only: inputs stay small)
            wf.start(
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
            stores.collaborations.drop_campaign_workflow(brand_id, campaign_id)
            raise
    else:
        launch(stores, wf, brand_id, campaign, ids, collaboration_machine)
    return created


def launch(
    stores: Stores, wf: Workflows, brand_id: str, campaign: Campaign, ids: list[str], machine: str
) -> int:
    """Starts the collaborations' executions (by name: starting one twice is a no-op)."""
    for cid in ids:
        wf.start(machine, cid, execution_input(brand_id, campaign, stores.collaborations.get(brand_id, cid)))
    return len(ids)


def _require(value: Any, field: str, action: str) -> Any:
    if value is None or value == "":
        raise ValidationFailed(
            f"`{field}` is required for {action}", details=[{"field": field, "message": "required"}]
        )
    return value


def _apply(
    c: Collaboration, action: str, body: ActionBody, by: Literal["brand", "creator"], ip: str | None
) -> dict[str, Any]:
    """The record change an action makes; returns what the workflow gets with the action."""
    now = clock.now_iso()
    output: dict[str, Any] = {"action": action}
    if action == "counter":
        c.offers.append(Offer(by=by, at=now, terms=_require(body.terms, "terms", action), note=body.note))
    elif action == "accept-terms":
        if not c.offers:
            raise Conflict("there are no terms to accept yet: counter with terms first")
    elif action == "sign":
        if c.contract is None:
            raise Conflict("no contract has been issued yet")
        c.contract.signature = Signature(
            name=_require(body.name, "name", action),
            at=now,
            ip_hash=hashlib.sha256((ip or "").encode()).hexdigest(),
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
        c.proposals.append(
            Proposal(
                round=len(c.proposals) + 1,
                text=_require(body.text, "text", action),
                media_urls=[str(u) for u in body.media_urls],
                submitted_at=now,
            )
        )
    elif action in ("approve-content", "request-changes"):
        if not c.proposals or c.proposals[-1].decision is not None:
            raise Conflict("there is no proposal awaiting a decision")
        last = c.proposals[-1]
        last.decision = "approved" if action == "approve-content" else "changes_requested"
        last.comments, last.decided_at = body.comments, now
    elif action == "submit-post":
        url = str(_require(body.url, "url", action))
        deliverables.assign(c, url, body.platform)  # 409 when no due deliverable fits the post
        c.post_url = url
    elif action == "rate":
        c.rating = Rating(score=_require(body.score, "score", action), notes=body.notes)
    elif action == "extend":
        output["seconds"] = _require(body.seconds, "seconds", action)
    return output


def act(
    stores: Stores,
    wf: Workflows,
    events: EventPublisher,
    brand_id: str,
    collaboration_id: str,
    action: str,
    body: ActionBody,
    *,
    by: Party,
    ip: str | None = None,
) -> Collaboration:
    allowed = ALLOWED[by]
    current = stores.collaborations.get(brand_id, collaboration_id)
    if action not in BRAND_ACTIONS | CREATOR_ACTIONS:
        raise NotFound(f"unknown action {action!r}")
    if action not in allowed:
        raise Conflict(
            f"only the {'creator' if by == 'brand' else 'brand'} can {action}", details=[_stage(current)]
        )
    if current.status == "closed":
        raise Conflict(f"the collaboration is closed ({current.outcome})", details=[_stage(current)])
    campaign = stores.campaigns.get(brand_id, current.campaign_id)
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
        if c.waiting_for is None or action not in c.waiting_for.actions or not private.get("task_token"):
            raise Conflict("the workflow moved on; reload and try again", details=[_stage(c)])
        if datetime.fromisoformat(c.waiting_for.until) <= clock.now():  # timing out: record nothing
            raise Conflict("that step just timed out; reload and try again", details=[_stage(c)])
        holder["output"] = _apply(c, action, body, "creator" if by == "roster" else by, ip)
        holder["token"] = private["task_token"]
        detail = {
            k: v for k, v in body.model_dump(mode="json", exclude_none=True).items() if k != "media_urls"
        }
        c.timeline.append(TimelineEvent(at=clock.now_iso(), type=action, by=by, detail=detail))
        c.waiting_for, private["task_token"] = None, None
        c.updated_at = clock.now_iso()

    updated, _ = stores.collaborations.mutate(brand_id, collaboration_id, change)
    try:
        wf.resume(holder["token"], holder["output"])
    except StepGone as exc:
        raise Conflict("that step just timed out; reload and try again", details=[_stage(updated)]) from exc
    answered = {"accept": "accepted", "decline": "declined"}.get(action)
    if answered and stores.outreach.get_enrollment(brand_id, updated.campaign_id, updated.creator_id):
        outreach.stop(stores, events, brand_id, updated.campaign_id, updated.creator_id, answered)
    events.publish(
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
    try:
        c = stores.collaborations.get(brand_id, collaboration_id(brand_id, post.campaign_id, post.creator_id))
    except NotFound:
        return []
    return deliverables.settle(stores, brand_id, c.id) if _proves(c, post) else []


def post_found(stores: Stores, wf: Workflows, events: EventPublisher, brand_id: str, post: Post) -> None:
    """Monitoring saw one of the creator's posts: one already matched to a deliverable may now
    verify it; another, while the live step waits for a post, is submitted (as `roster`). One
    read when neither applies."""
    try:
        c = stores.collaborations.get(brand_id, collaboration_id(brand_id, post.campaign_id, post.creator_id))
    except NotFound:
        return
    if any(u.post_id == post.id for u in c.deliverables):
        if _proves(c, post):
            deliverables.settle(stores, brand_id, c.id)
        return
    if c.status != "open" or c.waiting_for is None or "submit-post" not in c.waiting_for.actions:
        return
    body = ActionBody.model_validate({"url": post.url, "platform": post.platform})
    try:
        act(stores, wf, events, brand_id, c.id, "submit-post", body, by="roster")
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


def cancel_campaign(
    stores: Stores, wf: Workflows, events: EventPublisher, brand_id: str, campaign_id: str
) -> int:
    """A cancelled campaign reaches every open collaboration: its execution stops and it closes
    as cancelled. Returns how many were open."""
    closed = 0
    for raw in stores.collaborations.all_raw(brand_id, campaign_id):
        if raw.get("status") != "open":
            continue
        if raw.get("execution_arn"):
            wf.stop(raw["execution_arn"], "campaign cancelled")
        stores.collaborations.mutate(
            brand_id,
            raw["id"],
            lambda c, p: close(c, p, "cancelled", "brand") if c.status == "open" else None,
        )
        events.publish(
            "collaboration.closed",
            {"brand_id": brand_id, "collaboration_id": raw["id"], "outcome": "cancelled"},
        )
        closed += 1
    flow = stores.collaborations.get_campaign_workflow(brand_id, campaign_id)
    if flow:
        wf.stop(flow["execution_arn"], "campaign cancelled")
        stores.collaborations.put_campaign_workflow(brand_id, campaign_id, {**flow, "status": "cancelled"})
    return closed
