"""Store integrations: a brand registers each store's webhook signing secret. The secret goes to
SSM (SecureString); the table keeps only that it is configured and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roster import clock
from roster.conversions.webhook_signatures import HEADERS
from roster.models.integrations import Integration
from roster.models.webhooks import Provider
from roster.store.integrations import IntegrationStore

if TYPE_CHECKING:
    from roster.deps import Deps


def view(brand_id: str, provider: Provider, configured_at: str | None, base_url: str) -> Integration:
    return Integration(
        provider=provider,
        configured=configured_at is not None,
        configured_at=configured_at,
        webhook_url=f"{base_url.rstrip('/')}/webhooks/{provider}/{brand_id}",
        signature_header=HEADERS[provider],
    )


def configure(deps: Deps, brand_id: str, provider: Provider, secret: str, base_url: str) -> Integration:
    deps.secrets.put(brand_id, provider, secret)
    configured_at = clock.now_iso()
    deps.stores.integrations.put(brand_id, provider, configured_at)
    return view(brand_id, provider, configured_at, base_url)


def remove(deps: Deps, brand_id: str, provider: Provider, base_url: str) -> Integration:
    deps.secrets.delete(brand_id, provider)
    deps.stores.integrations.delete(brand_id, provider)
    return view(brand_id, provider, None, base_url)


def list_all(store: IntegrationStore, brand_id: str, base_url: str) -> list[Integration]:
    configured = store.list(brand_id)
    return [view(brand_id, p, configured.get(p), base_url) for p in Provider]
