from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from roster import auth
from roster.api.deps import principal
from roster.models.auth import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList
from roster.store import stores


def build_router() -> Router:
    """Key rotation: issue a new key, move clients to it, revoke the old one."""
    router = Router()

    @router.post("/v1/api-keys", tags=["api-keys"], summary="Issue another API key for this brand")
    def create_api_key(body: ApiKeyCreate) -> Response[ApiKeyCreated]:
        created = auth.issue_key(stores().brands, principal(router).brand_id, body.name)
        return Response(HTTPStatus.CREATED, content_types.APPLICATION_JSON, created)

    @router.get("/v1/api-keys", tags=["api-keys"], summary="List this brand's API keys (never the keys)")
    def list_api_keys() -> ApiKeyList:
        return ApiKeyList(items=auth.list_keys(stores().brands, principal(router).brand_id))

    @router.delete(
        "/v1/api-keys/<key_id>", tags=["api-keys"], summary="Revoke an API key (takes effect within 60 s)"
    )
    def revoke_api_key(key_id: str) -> ApiKey:
        return auth.revoke_key(stores().brands, principal(router), key_id)

    return router
