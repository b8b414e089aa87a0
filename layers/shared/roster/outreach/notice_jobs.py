"""Creator notices that must not wait in a request go through the outreach queue as `notice` jobs,
sent by the outreach send worker beside the sequence steps (`functions/outreach/app.py`):

- `payout`: a booked payout's email to one creator it pays (`roster.workflows.notify.send_payout`),
  one job per creator, so a payout to thousands is not cut short by the booking request's timeout;
- `signin`: creator home's sign-in link (`roster.portal.signin.send_link`). The page enqueues one
  job for every accepted request, `creator_id` null when the address is not on the roster, so a
  known and an unknown address cost the request the same (the time it takes tells nothing); the
  worker makes the token, keeps its hash and emails the link, and drops a job without a creator.

A job holds ids only (no text, no address, no token): the worker reads the rest, so a message on
the queue or in its dead-letter queue says nothing about anyone. A payout notice is claimed before
it is sent (`claim`: a conditional put of its key's hash), so a message SQS delivers twice is sent
once; a send that SES did not take (throttled, a store error before it) gives the claim back and
raises, and the queue's retry sends it. A worker cut short between the claim and the send sends
nothing for that notice (at most once, as for the step emails). A sign-in job is not claimed: the
rare second delivery emails a second link, which like the first works once within 15 minutes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roster.deps import Deps

KIND = "notice"  # the job's `kind`; a job without one is a sequence step (`sequences.send_step`)
CLAIM_KIND = "notice"  # the portal store's single-use kind of a claim: ONCE#notice#<sha256(key)>
CLAIM_SECONDS = 14 * 24 * 3600  # SQS keeps a message at most 14 days: no redelivery outlives it


def payout_job(brand_id: str, payout_id: str, creator_id: str) -> dict[str, Any]:
    return {
        "kind": KIND,
        "notice": "payout",
        "brand_id": brand_id,
        "payout_id": payout_id,
        "creator_id": creator_id,
    }


def signin_job(brand_id: str, creator_id: str | None) -> dict[str, Any]:
    return {"kind": KIND, "notice": "signin", "brand_id": brand_id, "creator_id": creator_id}


def enqueue(d: Deps, jobs: Sequence[dict[str, Any]]) -> None:
    """Queues the jobs (in batches of ten); raises when the queue is missing or refuses them."""
    if jobs:
        d.outreach_queue.send(jobs)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def claim(d: Deps, brand_id: str, key: str) -> bool:
    """Claims the notice `key` (e.g. "payout:<payout>:<creator>"): True for exactly one caller."""
    return d.stores.portal.put_once(brand_id, CLAIM_KIND, _key_hash(key), {}, CLAIM_SECONDS)


def release(d: Deps, brand_id: str, key: str) -> None:
    """Gives a claim back (its send did not happen) so the queue's retry can claim it again."""
    d.stores.portal.drop_once(brand_id, CLAIM_KIND, _key_hash(key))
