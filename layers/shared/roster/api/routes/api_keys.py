"""Routes for a brand's API keys: issue, list, revoke."""

from __future__ import annotations

from http import HTTPStatus as H

from aws_lambda_powertools.event_handler.api_gateway import Router

from roster import auth
from roster.api.deps import WRITE_ERRORS, admin, responses
from roster.deps import deps
from roster.models.auth import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList


def build_router() -> Router:
    """Key rotation: issue a new key, move clients to it, revoke the old one (admin only)."""
    router = Router()

    @router.post(
        "/v1/api-keys",
        tags=["api-keys"],
        summary="Issue another API key for this brand",
        status_code=201,
        responses=responses(201, ApiKeyCreated, H.FORBIDDEN, *WRITE_ERRORS),
    )
    def create_api_key(body: ApiKeyCreate) -> ApiKeyCreated:
        return auth.issue_key(deps().stores.brands, admin(router), body.name)

    @router.get(
        "/v1/api-keys",
        tags=["api-keys"],
        summary="List this brand's API keys (never the keys)",
        responses=responses(200, ApiKeyList, H.FORBIDDEN),
    )
    def list_api_keys() -> ApiKeyList:
        return ApiKeyList(items=auth.list_keys(deps().stores.brands, admin(router).brand_id))

    @router.delete(
        "/v1/api-keys/<key_id>",
        tags=["api-keys"],
        summary="Revoke an API key (takes effect within 60 s)",
        responses=responses(200, ApiKey, H.FORBIDDEN, H.NOT_FOUND, H.CONFLICT),
    )
    def revoke_api_key(key_id: str) -> ApiKey:
        return auth.revoke_key(deps().stores.brands, admin(router), key_id)

    return router
