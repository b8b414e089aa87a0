"""Secrets in SSM Parameter Store (SecureString): per-brand webhook secrets and deployment-wide
platform API keys. Never in the table, never logged, cached in memory briefly so a burst of
deliveries costs one SSM call."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient


class Parameters:
    """SecureString parameters under one prefix, each read at most once a `cache_seconds`."""

    def __init__(
        self,
        prefix: str,
        client: SSMClient | None = None,
        *,
        cache_seconds: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.prefix = prefix.rstrip("/")
        self.client: SSMClient = client or boto3.client("ssm")
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._cache: dict[str, tuple[float, str | None]] = {}

    def read(self, name: str) -> str | None:
        hit = self._cache.get(name)
        if hit and self.clock() - hit[0] < self.cache_seconds:
            return hit[1]
        try:
            value: str | None = self.client.get_parameter(Name=name, WithDecryption=True)["Parameter"][
                "Value"
            ]
        except self.client.exceptions.ParameterNotFound:
            value = None
        self._cache[name] = (self.clock(), value)
        return value


class WebhookSecrets(Parameters):
    """A brand's signing secret per store provider: `<prefix>/brands/<brand>/webhooks/<provider>`."""

    def name(self, brand_id: str, provider: str) -> str:
        return f"{self.prefix}/brands/{brand_id}/webhooks/{provider}"

    def put(self, brand_id: str, provider: str, secret: str) -> None:
        name = self.name(brand_id, provider)
        self.client.put_parameter(Name=name, Value=secret, Type="SecureString", Overwrite=True)
        self._cache[name] = (self.clock(), secret)

    def get(self, brand_id: str, provider: str) -> str | None:
        return self.read(self.name(brand_id, provider))

    def delete(self, brand_id: str, provider: str) -> None:
        name = self.name(brand_id, provider)
        with contextlib.suppress(self.client.exceptions.ParameterNotFound):  # deleting is idempotent
            self.client.delete_parameter(Name=name)
        self._cache.pop(name, None)


class PlatformKeys(Parameters):
    """A deployment-wide platform API key (read only), e.g. `<prefix>/platforms/youtube/api-key`."""

    def get(self, platform: str) -> str | None:
        return self.read(f"{self.prefix}/platforms/{platform}/api-key")
