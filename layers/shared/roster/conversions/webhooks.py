"""Store webhooks, in the order the guide fixes: verify the signature on the raw body → archive
the authentic body → process idempotently → answer.

- bad or missing signature (or no secret configured): 401, nothing stored
- authentic but unusable: archived, recorded as `failed` (visible, replayable), answered 200 so the
  store keeps the webhook enabled
- a delivery seen before: 200, nothing done again
- the same event being processed by another delivery right now: 409, so the store retries later
- our own failure (AWS): 5xx, so the store retries; the claim's lease is ended (or runs out), so
  the event is never stranded: a store retry or a replay takes it over
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from roster.clock import from_epoch
from roster.conversions import attribution, ledger, order_parsers
from roster.conversions.webhook_signatures import HEADERS, SignatureInvalid, verify
from roster.errors import Conflict, NotFound
from roster.models.orders import OrderEvent
from roster.models.webhooks import Provider, WebhookEvent
from roster.observability import logger
from roster.store.webhooks import WebhookEventRecord, WebhookEventStore, delivery

if TYPE_CHECKING:
    from roster.deps import Deps

BRAND_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
WOO_PING = re.compile(rb"^webhook_id=\d+$")
TOPIC_HEADERS = {
    Provider.SHOPIFY: "x-shopify-topic",
    Provider.WOOCOMMERCE: "x-wc-webhook-topic",
}
EVENT_ID_HEADERS = {
    Provider.SHOPIFY: ("x-shopify-event-id", "x-shopify-webhook-id"),
    Provider.WOOCOMMERCE: ("x-wc-webhook-delivery-id",),
}


def topic(provider: Provider, headers: dict[str, str], payload: Any) -> str:
    if provider in TOPIC_HEADERS:
        return headers.get(TOPIC_HEADERS[provider], "")
    return str(payload.get("type", "")) if isinstance(payload, dict) else ""


def provider_event_id(provider: Provider, headers: dict[str, str], payload: Any, body: bytes) -> str:
    for name in EVENT_ID_HEADERS.get(provider, ()):
        if headers.get(name):
            return headers[name][:128]
    if (
        isinstance(payload, dict)
        and isinstance(payload.get("id"), str | int)
        and provider in (Provider.STRIPE, Provider.ORDERS)
    ):
        return str(payload["id"])[:128]
    return "sha256-" + hashlib.sha256(body).hexdigest()  # no id offered: the body itself identifies it


def receive(
    deps: Deps, provider_name: str, brand_id: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, Any]]:
    try:
        provider = Provider(provider_name)
    except ValueError:
        raise NotFound("no such webhook") from None
    if not BRAND_ID.match(brand_id):
        raise NotFound("no such webhook")
    headers = {k.lower(): v for k, v in headers.items()}
    if provider is Provider.WOOCOMMERCE and WOO_PING.match(body.strip()):
        return 200, {"ok": True, "ping": True}  # WooCommerce's unsigned creation ping
    secret = deps.secrets.get(brand_id, provider)
    if secret is None:
        raise SignatureInvalid("this store has no webhook secret configured")
    verify(provider, secret, body, headers.get(HEADERS[provider]), now=deps.clock())

    payload = _json(body)
    now = int(deps.clock())
    event_id = WebhookEventStore.event_id(provider, provider_event_id(provider, headers, payload, body))
    day = time.strftime("%Y/%m/%d", time.gmtime(now))
    record: WebhookEventRecord = {
        "id": event_id,
        "provider": provider.value,
        "topic": topic(provider, headers, payload)[:100],
        "received_at": from_epoch(now),
        "archive_key": f"{brand_id}/{provider}/{day}/{hashlib.sha256(event_id.encode()).hexdigest()[:32]}",
    }
    deps.archive.put(record["archive_key"], body, {"event-id": event_id[:200], "topic": record["topic"]})
    owner = secrets.token_hex(8)
    existing = deps.stores.webhook_events.claim(brand_id, record, now, owner)
    if existing is not None:
        if existing.get("status") == "processing":
            raise Conflict("this event is being processed; retry shortly")
        return 200, {"ok": True, "duplicate": True, "event_id": event_id}
    outcome = _process_claimed(deps, brand_id, provider, record, payload, owner)
    _note_delivery(deps, brand_id, provider, record)
    return 200, {"ok": True, "event_id": event_id, "status": outcome["status"]}


def _note_delivery(deps: Deps, brand_id: str, provider: Provider, record: WebhookEventRecord) -> None:
    """The store's newest delivery, for the settings page: written after the event is processed and
    best effort, so a failure here can neither hold a claim nor make the store retry an order."""
    try:
        deps.stores.integrations.delivered(brand_id, provider.value, record["id"], record["received_at"])
    except Exception:  # noqa: BLE001 — a display figure; the event itself is safe
        logger.warning(
            "could not note the last delivery", extra={"brand_id": brand_id, "provider": provider.value}
        )


def _json(body: bytes) -> Any:
    """The parsed body, or None when it is not JSON we can read (deep nesting included)."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def _process_claimed(
    deps: Deps, brand_id: str, provider: Provider, record: WebhookEventRecord, payload: Any, owner: str
) -> WebhookEventRecord:
    try:
        return process(deps, brand_id, provider, record, payload)
    except Exception as exc:
        with contextlib.suppress(Exception):  # end the lease now; harmless if this fails too
            deps.stores.webhook_events.abandon(
                brand_id,
                record["id"],
                owner,
                int(deps.clock()),
                f"processing failed ({type(exc).__name__}); a store retry or a replay finishes it",
            )
        raise


def process(
    deps: Deps, brand_id: str, provider: Provider, record: WebhookEventRecord, payload: Any
) -> WebhookEventRecord:
    """Parses and stores the order events; records the outcome over `record`, a delivery just
    received or started over (roster.store.webhooks.delivery). AWS errors propagate (→ 5xx)."""
    record = record.copy()  # the caller's stays the delivery it claimed
    try:
        if payload is None:
            raise order_parsers.UnknownShape("the body is not JSON (or is nested too deeply to read)")
        events = order_parsers.parse(provider, record["topic"], payload)
    except order_parsers.UnknownShape as exc:
        record |= {"status": "failed", "error": exc.message}
    except Exception as exc:  # any parser failure (a bug, a shape we never saw): archived, replayable
        record |= {"status": "failed", "error": f"unreadable {provider} event: {type(exc).__name__}"[:500]}
    else:
        return _store_and_book(deps, brand_id, provider, record, events)
    deps.stores.webhook_events.finish(brand_id, record)
    return record


def _store_and_book(
    deps: Deps,
    brand_id: str,
    provider: Provider,
    record: WebhookEventRecord,
    events: list[OrderEvent],
) -> WebhookEventRecord:
    """Stores the events, attributes the orders, books them and records the outcome, in as few
    requests as the guarantees allow (docs/decisions.md, "Requests per order"): the first reads of
    every order in one batch, after its events are stored (the stored decision, the state item,
    the promo codes and clicks); the campaigns and creators those name in a second; each item read
    once; and the outcome written in the last order's ledger transaction when it appends one."""
    stores = deps.stores
    new_events = [e for e in events if stores.orders.add(brand_id, e, record["id"])]
    order_ids = list(dict.fromkeys(e.order_id for e in events))
    reads = attribution.reads_for(stores, brand_id)
    for order_id in order_ids:
        reads.want_attribution(provider.value, order_id)
        reads.want_state(provider.value, order_id)
    for e in events:
        if e.kind == "order":
            attribution.want(reads, e)
    reads.fetch(consistent=True)  # the state items are the first booking's condition
    decisions = [attribution.attribute(stores, brand_id, e, reads) for e in events if e.kind == "order"]
    decided = {d.order_id: d for d in decisions}
    record |= {
        "status": "processed" if events else "ignored",
        "order_events": len(events),
        "stored": len(new_events),
        "attributed": sum(d.method != "none" for d in decisions),
    }
    finished = False
    for n, order_id in enumerate(order_ids):
        last = n == len(order_ids) - 1
        booked = ledger.settle(
            stores,
            brand_id,
            provider.value,
            order_id,
            decided.get(order_id),
            reads=reads,
            stored=[e for e in new_events if e.order_id == order_id],
            with_entry=[stores.webhook_events.finish_op(brand_id, record)] if last else (),
        )
        finished = booked.with_entry
    if not finished:
        stores.webhook_events.finish(brand_id, record)
    return record


def replay(deps: Deps, brand_id: str, event_id: str) -> WebhookEventRecord:
    """Runs an archived event through processing again (after a parser fix, say). It takes over a
    claim whose lease ran out (a run that died or failed); one under a live lease is a 409."""
    record = delivery(deps.stores.webhook_events.require(brand_id, event_id, consistent=True))
    owner = secrets.token_hex(8)
    if deps.stores.webhook_events.claim(brand_id, record, int(deps.clock()), owner, replay=True) is not None:
        raise Conflict("this event is being processed; retry shortly")
    payload = _json(deps.archive.get(record["archive_key"]))
    return _process_claimed(deps, brand_id, Provider(record["provider"]), record, payload, owner)


def view(record: WebhookEventRecord, now: float) -> WebhookEvent:
    """A record as the API shows it (the model leaves the internal fields out): a claim whose
    lease ran out is `stale` (listed for replay)."""
    lease = record.get("lease_until")
    stale = record.get("status") == "processing" and (not isinstance(lease, int) or lease < now)
    return WebhookEvent.model_validate(record | {"stale": stale})
