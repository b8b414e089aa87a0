from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
