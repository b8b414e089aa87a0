"""Store integrations: a brand registers each store's webhook signing secret. The secret goes to
SSM (SecureString); the table keeps only that it is configured and when, and which delivery each
store sent last."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from roster import clock
from roster.conversions import webhooks
from roster.conversions.webhook_signatures import HEADERS
from roster.models.integrations import Integration
from roster.models.webhooks import Provider, WebhookEvent
from roster.store.registry import Stores

if TYPE_CHECKING:
    from roster.deps import Deps


def view(
    brand_id: str,
    provider: Provider,
    configured_at: str | None,
    base_url: str,
    last_delivery: WebhookEvent | None = None,
) -> Integration:
    return Integration(
        provider=provider,
        configured=configured_at is not None,
        configured_at=configured_at,
        webhook_url=f"{base_url.rstrip('/')}/webhooks/{provider}/{brand_id}",
        signature_header=HEADERS[provider],
        last_delivery=last_delivery,
    )


def _last_deliveries(stores: Stores, brand_id: str) -> dict[str, WebhookEvent]:
    """provider → its newest delivery as it stands now (status, error: a replay shows)."""
    now = time.time()
    found: dict[str, WebhookEvent] = {}
    for provider, event_id in stores.integrations.last_deliveries(brand_id).items():
        record = stores.webhook_events.get(brand_id, event_id)
        if record is not None:
            found[provider] = webhooks.view(record, now)
    return found


def configure(deps: Deps, brand_id: str, provider: Provider, secret: str, base_url: str) -> Integration:
    deps.secrets.put(brand_id, provider, secret)
    configured_at = clock.now_iso()
    deps.stores.integrations.put(brand_id, provider, configured_at)
    last = _last_deliveries(deps.stores, brand_id).get(provider)
    return view(brand_id, provider, configured_at, base_url, last)


def remove(deps: Deps, brand_id: str, provider: Provider, base_url: str) -> Integration:
    deps.secrets.delete(brand_id, provider)
    deps.stores.integrations.delete(brand_id, provider)
    last = _last_deliveries(deps.stores, brand_id).get(provider)
    return view(brand_id, provider, None, base_url, last)


def list_all(stores: Stores, brand_id: str, base_url: str) -> list[Integration]:
    configured = stores.integrations.list(brand_id)
    last = _last_deliveries(stores, brand_id)
    return [view(brand_id, p, configured.get(p), base_url, last.get(p)) for p in Provider]
