"""Routes for store integrations: set, list and remove a brand's webhook secrets."""

from __future__ import annotations

from http import HTTPStatus as H

from aws_lambda_powertools.event_handler.api_gateway import Router

from roster.api.deps import WRITE_ERRORS, admin, public_base_url, responses
from roster.deps import deps
from roster.models.integrations import Integration, IntegrationList, IntegrationSecret
from roster.models.webhooks import Provider


def build_router() -> Router:
    """Store webhook secrets (admin only): set or rotate (PUT), see which are configured (GET), remove
    (DELETE)."""
    router = Router()

    @router.put(
        "/v1/integrations/<provider>",
        tags=["integrations"],
        summary="Set or rotate a store's webhook signing secret (kept in SSM, never returned)",
        responses=responses(200, Integration, H.FORBIDDEN, *WRITE_ERRORS),
    )
    def put_integration(provider: Provider, body: IntegrationSecret) -> Integration:
        from roster.conversions import integrations

        brand_id = admin(router).brand_id
        return integrations.configure(
            deps(),
            brand_id,
            provider,
            body.secret.get_secret_value(),
            public_base_url(router),
        )

    @router.get(
        "/v1/integrations",
        tags=["integrations"],
        summary="Which store integrations are configured, and their webhook URLs",
        responses=responses(200, IntegrationList, H.FORBIDDEN),
    )
    def list_integrations() -> IntegrationList:
        from roster.conversions import integrations

        brand_id = admin(router).brand_id
        return IntegrationList(items=integrations.list_all(deps().stores, brand_id, public_base_url(router)))

    @router.delete(
        "/v1/integrations/<provider>",
        tags=["integrations"],
        summary="Remove a store integration (its webhooks are then refused)",
        responses=responses(200, Integration, H.FORBIDDEN, H.NOT_FOUND),
    )
    def delete_integration(provider: Provider) -> Integration:
        from roster.conversions import integrations

        brand_id = admin(router).brand_id
        return integrations.remove(deps(), brand_id, provider, public_base_url(router))

    return router
