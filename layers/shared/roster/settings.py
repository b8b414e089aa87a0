"""Environment settings, validated once per cold start.

Nothing reads environment variables at import time: `roster.deps` calls `get_settings()` when a
part is first built, the first call validates and caches, and tests call `roster.deps.reset()`
after changing the environment.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    table_name: str = Field(alias="TABLE_NAME", min_length=3)
    stage: Literal["local", "dev", "prod", "test"] = Field(default="dev", alias="STAGE")
    max_json_body_bytes: int = Field(default=256 * 1024, alias="MAX_JSON_BODY_BYTES", gt=0)
    max_import_body_bytes: int = Field(default=2 * 1024 * 1024, alias="MAX_IMPORT_BODY_BYTES", gt=0)
    max_import_rows: int = Field(default=500, alias="MAX_IMPORT_ROWS", gt=0, le=5000)
    default_page_size: int = Field(default=50, alias="DEFAULT_PAGE_SIZE", gt=0, le=100)
    secrets_prefix: str = Field(
        default="/roster/dev", alias="SECRETS_PREFIX", pattern=r"^/[A-Za-z0-9_.\-/]+$"
    )
    archive_bucket: str | None = Field(default=None, alias="ARCHIVE_BUCKET", min_length=3)
    link_base_url: str | None = Field(
        default=None,
        alias="LINK_BASE_URL",
        pattern=r"^https?://[^/?#]+$",
        description="e.g. https://go.brand.com",
    )
    monitor_queue_url: str | None = Field(default=None, alias="MONITOR_QUEUE_URL", min_length=8)
    monitor_allow_loopback: bool = Field(
        default=False,
        alias="MONITOR_ALLOW_LOOPBACK",
        description="Let feed URLs reach 127.0.0.1 (local stack and tests only; refused elsewhere)",
    )
    fetch_timeout_seconds: float = Field(default=10.0, alias="FETCH_TIMEOUT_SECONDS", gt=0, le=60)
    fetch_max_bytes: int = Field(default=2 * 1024 * 1024, alias="FETCH_MAX_BYTES", gt=0, le=20 * 1024 * 1024)
    youtube_api_base: str = Field(
        default="https://www.googleapis.com", alias="YOUTUBE_API_BASE", pattern=r"^https?://[^/?#]+$"
    )
    bluesky_api_base: str = Field(
        default="https://public.api.bsky.app",
        alias="BLUESKY_API_BASE",
        pattern=r"^https?://[^/?#]+$",
        description="The Bluesky AppView discovery reads profiles from (its public, unauthenticated one)",
    )

    outreach_queue_url: str | None = Field(default=None, alias="OUTREACH_QUEUE_URL", min_length=8)
    enrichment_queue_url: str | None = Field(default=None, alias="ENRICHMENT_QUEUE_URL", min_length=8)
    ses_configuration_set: str | None = Field(default=None, alias="SES_CONFIGURATION_SET", min_length=1)
    mail_domain: str | None = Field(
        default=None,
        alias="MAIL_DOMAIN",
        pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$",
        description="Domain of reply and unsubscribe addresses (SES receives mail for it)",
    )
    outreach_signing_key: str | None = Field(
        default=None,
        alias="OUTREACH_SIGNING_KEY",
        min_length=16,
        description="HMAC key of reply/unsubscribe tokens",
    )
    ses_max_send_rate: float = Field(
        default=10.0, alias="SES_MAX_SEND_RATE", gt=0, le=1000, description="Messages per second per worker"
    )

    uploads_bucket: str | None = Field(
        default=None, alias="UPLOADS_BUCKET", min_length=3, description="Creators' content drafts (private)"
    )
    uploads_endpoint_url: str | None = Field(
        default=None,
        alias="UPLOADS_ENDPOINT_URL",
        pattern=r"^https?://[^?#]+$",
        description="Where browsers upload to and read drafts from (local stack only; default: S3's own)",
    )
    max_upload_bytes: int = Field(
        default=1024**3, alias="MAX_UPLOAD_BYTES", gt=0, le=5 * 1024**3, description="Largest draft file"
    )
    creator_link_days: int = Field(
        default=30,
        alias="CREATOR_LINK_DAYS",
        gt=0,
        le=3650,
        description="A collaboration's page link stops working this many days after it closes",
    )
    collaboration_state_machine_arn: str | None = Field(
        default=None, alias="COLLABORATION_STATE_MACHINE_ARN", pattern=r"^arn:aws[a-z-]*:states:"
    )
    campaign_state_machine_arn: str | None = Field(
        default=None, alias="CAMPAIGN_STATE_MACHINE_ARN", pattern=r"^arn:aws[a-z-]*:states:"
    )

    # Team members sign in with Cognito (docs/decisions.md, "Team members and sign-in").
    # The same pattern as `roster.auth._POOL_ID` (the authorizer reads its settings without pydantic).
    user_pool_id: str | None = Field(
        default=None, alias="USER_POOL_ID", pattern=r"^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$"
    )
    user_pool_client_id: str | None = Field(default=None, alias="USER_POOL_CLIENT_ID", min_length=1)
    user_pool_jwks_url: str | None = Field(
        default=None,
        alias="USER_POOL_JWKS_URL",
        pattern=r"^https?://",
        description="Where the pool's signing keys are read (default: the issuer's "
        "/.well-known/jwks.json; the local stack points it at moto)",
    )

    @model_validator(mode="after")
    def _loopback_only_locally(self) -> Settings:
        if self.monitor_allow_loopback and self.stage not in ("local", "test"):
            raise ValueError("MONITOR_ALLOW_LOOPBACK is only allowed when STAGE is local or test")
        return self


@cache
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
