"""Brands, API keys (the stored record and what the API shows) and the request's principal."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Principal(BaseModel):
    """Who is calling: resolved by the authorizer from the API key, the scope of every query."""

    model_config = ConfigDict(frozen=True)

    brand_id: str
    key_id: str


class Brand(BaseModel):
    id: str
    name: str
    created_at: str


class ApiKeyRecord(BaseModel):
    """What is stored for a key: never the key itself, only its SHA-256."""

    id: str
    brand_id: str
    name: str
    prefix: str
    key_hash: str
    created_at: str
    revoked_at: str | None = None


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, description="What the key is for, e.g. 'shopify sync'")


class ApiKey(BaseModel):
    """A key as the brand sees it: never the key or its hash, only the first characters."""

    id: str
    name: str
    prefix: str
    created_at: str
    revoked_at: str | None = None


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The key itself. Shown once: store it now, Roster keeps only a hash")


class ApiKeyList(BaseModel):
    items: list[ApiKey]
