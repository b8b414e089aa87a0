"""Store integrations: the webhook secret a brand sets and what the API shows of it."""

from __future__ import annotations

from pydantic import Field, SecretStr

from roster.models.common import RequestModel, ResponseModel
from roster.models.webhooks import Provider, WebhookEvent


class IntegrationSecret(RequestModel):
    secret: SecretStr = Field(
        min_length=16,
        max_length=512,
        description="The webhook signing secret the store shows you; stored in SSM",
    )


class Integration(ResponseModel):
    provider: Provider
    configured: bool
    configured_at: str | None = None
    webhook_url: str = Field(description="Where the store should send its webhooks")
    signature_header: str = Field(description="The header the store signs with")
    last_delivery: WebhookEvent | None = Field(
        default=None, description="The newest delivery this store sent (by arrival), as it stands now"
    )


class IntegrationList(ResponseModel):
    items: list[Integration]
