"""Creator home's sign-in link email, sent by the outreach send worker from a `signin` notice job
(`roster.outreach.notice_jobs`) rather than in the sign-in request: the request queues one job for
every address it accepts, on the roster or not, so how long it takes tells nothing. Only the worker
sees the link's token (it keeps its hash, `sessions.issue_link`) and only the email carries it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roster.observability import logger
from roster.outreach import notices
from roster.portal import sessions

if TYPE_CHECKING:
    from roster.deps import Deps


def send_link(d: Deps, job: dict[str, Any]) -> str:
    """The `signin` job: a new single-use link for the creator, emailed. Returns sent, not_sent
    (suppressed, no sender, SES refused it for good) or skipped (no creator: the address is not on
    the roster, or the creator is gone). Raises when SES did not take it now (the queue retries),
    after dropping the link it made: the retry makes a new one."""
    brand_id, creator_id = str(job["brand_id"]), job.get("creator_id")
    if not creator_id:
        return "skipped"
    config = d.require_mail()
    brand = d.stores.brands.get_brand(brand_id)
    creator = d.stores.creators.get(brand_id, str(creator_id))
    if brand is None or creator is None:
        return "skipped"
    token = sessions.issue_link(d.stores.portal, brand_id, creator.id)
    first = creator.name.split()[0] if creator.name.split() else creator.name
    try:
        sent = notices.send(
            d,
            brand_id,
            creator,
            f"Your sign-in link for {brand.name}",
            f"Hi {first},\n"
            f"here is your link to your {brand.name} creator home. It works once, within 15 minutes.\n"
            "If you did not ask for it, ignore this email: nothing happens.",
            link=f"{config.public_url}/h/{brand_id}/link?t={token}",
            link_label="Sign in",
            tags={"notice": "sign-in"},
            retry=True,
        )
    except Exception:
        d.stores.portal.drop_once(brand_id, sessions.LINK_KIND, sessions.digest(token))
        raise
    if not sent:
        d.stores.portal.drop_once(brand_id, sessions.LINK_KIND, sessions.digest(token))
        logger.warning("sign-in link not sent", extra={"brand_id": brand_id, "creator_id": creator.id})
        return "not_sent"
    return "sent"
