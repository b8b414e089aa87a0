"""Brands, API keys (the stored record and what the API shows), the request's principal and the
actor that records who did something."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["admin", "member"]


class Actor(BaseModel):
    """Who did something on the brand's side, kept beside `by` on timelines and records."""

    model_config = ConfigDict(frozen=True)

    type: Literal["member", "api_key"]
    id: str = Field(description="The member's id or the API key's id")
    name: str = Field(description="The member's name or the API key's name, at the time")


class Principal(BaseModel):
    """Who is calling, resolved by the authorizer from an API key or a member's ID token: the brand
    scopes every query, the role decides the admin-only routes (an API key acts as admin)."""

    model_config = ConfigDict(frozen=True)

    brand_id: str
    key_id: str | None = None
    member_id: str | None = None
    name: str = ""
    role: Role = "admin"

    @property
    def actor(self) -> Actor:
        if self.member_id:
            return Actor(type="member", id=self.member_id, name=self.name)
        return Actor(type="api_key", id=self.key_id or "", name=self.name)

    @property
    def actor_id(self) -> str:
        """The member's or the API key's id (what `by` fields that name the caller hold)."""
        return self.actor.id


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
    created_by: Actor | None = None
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
    created_by: Actor | None = Field(
        default=None, description="Who issued it (absent for a brand's first key, made with the brand)"
    )
    revoked_at: str | None = None


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The key itself. Shown once: store it now, Roster keeps only a hash")


class ApiKeyList(BaseModel):
    items: list[ApiKey]
