"""The alert life cycle: open → resolved, by the brand (with a note) or by Roster when the cause is
gone (with the reason), and open again when a resolved problem comes back.

An alert's id is derived from its campaign and the problem (`alert_id`), so raising the same problem
twice (a retry, the stream's at-least-once delivery, the next monitor run) stores one alert.
Whether a resolved alert opens again is the raiser's call (`reopen`): only when the problem has just
*appeared* again (a post re-checked from compliant back to missing). A problem that merely persists
(the same post seen in the feed again) re-raises nothing, so the brand's resolution stands.

What removes a cause, and who calls what here:
- a post checked again without the problem (`roster.monitoring.posts.record`): its disclosure, brand-rule and
  unreadable alerts; a creator's first post: their missing-post alert;
- an action that answers a collaboration's waiting step (`roster.workflows.collaborations.act`): its deadline
  and stalled alerts (the wait they were about is over: the brand decided, or the creator acted);
- a collaboration that ends without completing (cancelled, declined, no answer): all its alerts.
Budget alerts stay open until the brand resolves them: spend does not go back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from roster import clock
from roster.errors import NotFound
from roster.models.auth import Actor
from roster.models.posts import Alert, AlertKind, AlertResolution
from roster.store.posts import AlertFilters

if TYPE_CHECKING:
    from roster.deps import Deps

ROSTER = "roster"  # `resolution.by` when Roster resolved the alert
WAIT_KINDS: tuple[AlertKind, ...] = ("deadline", "stalled")
# A collaboration that ends this way leaves nothing for the brand to act on.
ENDED_OUTCOMES = frozenset({"cancelled", "declined", "no_answer"})


def alert_id(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:24]


def raise_alert(
    deps: Deps,
    brand_id: str,
    campaign_id: str,
    creator_id: str,
    kind: AlertKind,
    message: str,
    *,
    post_id: str | None,
    key: str,
    collaboration_id: str | None = None,
    reopen: bool = False,
) -> Alert | None:
    """Raises the alert once (the same problem on the same post or creator is one alert) and
    publishes `alert.raised` for outreach or workflows to act on. With `reopen` (the problem has
    just appeared), an alert resolved before for the same problem opens again and is published
    again. None when nothing was raised."""
    now = clock.now_iso()
    alert = Alert(
        id=alert_id(campaign_id, key),
        kind=kind,
        campaign_id=campaign_id,
        creator_id=creator_id,
        collaboration_id=collaboration_id,
        post_id=post_id,
        message=message,
        status="open",
        created_at=now,
    )
    found = deps.stores.posts.create_alert(brand_id, alert)
    if found is not None:
        existing, unpublished = found
        if unpublished and existing.status == "open":
            alert = existing  # stored by a run that failed before publishing: publish it now
        elif not reopen or existing.status != "resolved":
            return None
        else:
            reopened = deps.stores.posts.reopen_alert(brand_id, existing, at=now, message=message)
            if reopened is None:
                return None
            alert = reopened
    # Stored first, published second, then marked: a failure in between leaves it `unpublished`,
    # and the retry (a stream batch, a queue message, a workflow task) publishes it.
    deps.events.publish("alert.raised", {"brand_id": brand_id, **alert.model_dump(mode="json")})
    deps.stores.posts.mark_published(brand_id, alert.id)
    return alert


def resolve(
    deps: Deps, brand_id: str, alert_id: str, *, by: str, note: str | None, actor: Actor | None = None
) -> Alert:
    """The brand resolves an alert (`by`: the member's or API key's id, `actor` who that is).
    Resolving it again returns it unchanged: the first resolution stands. Unknown (or another
    brand's) → NotFound."""
    resolution = AlertResolution(at=clock.now_iso(), by=by, actor=actor, reason=note)
    alert, changed = deps.stores.posts.resolve_alert(brand_id, alert_id, resolution)
    if alert is None:
        raise NotFound("no such alert")
    if changed:
        _published(deps, brand_id, alert)
    return alert


def resolve_where(deps: Deps, brand_id: str, filters: AlertFilters, reason: str) -> list[Alert]:
    """Roster resolves the open alerts matching `filters` because their cause is gone."""
    found = deps.stores.posts.open_alerts(brand_id, filters)
    return resolve_ids(deps, brand_id, (a.id for a in found), reason)


def resolve_ids(deps: Deps, brand_id: str, ids: Iterable[str], reason: str) -> list[Alert]:
    """Roster resolves these alerts (where still open): their cause is gone."""
    resolved = []
    for i in ids:
        resolution = AlertResolution(at=clock.now_iso(), by=ROSTER, reason=reason)
        alert, changed = deps.stores.posts.resolve_alert(brand_id, i, resolution)
        if alert is not None and changed:
            _published(deps, brand_id, alert)
            resolved.append(alert)
    return resolved


def wait_answered(deps: Deps, brand_id: str, collaboration_id: str, action: str, by: str) -> list[Alert]:
    """An action answered the collaboration's waiting step: its deadline and stalled alerts are
    about a wait that is over."""
    return resolve_where(
        deps,
        brand_id,
        {"collaboration_id": collaboration_id, "kind": WAIT_KINDS},
        f"answered by the {by}: {action}",
    )


def collaboration_closed(deps: Deps, brand_id: str, collaboration_id: str, outcome: str) -> list[Alert]:
    """A collaboration that ends without completing resolves all its open alerts. A completed one
    keeps them (a live post without a disclosure is still a problem)."""
    if outcome not in ENDED_OUTCOMES:
        return []
    return resolve_where(deps, brand_id, {"collaboration_id": collaboration_id}, f"collaboration {outcome}")


def _published(deps: Deps, brand_id: str, alert: Alert) -> None:
    deps.events.publish("alert.resolved", {"brand_id": brand_id, **alert.model_dump(mode="json")})
