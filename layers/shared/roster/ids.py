"""Sortable identifiers, derived identifiers, secrets, and the one hash an email is known by."""

from __future__ import annotations

import hashlib
import secrets
import string

from ulid import ULID

_BASE62 = string.ascii_letters + string.digits


def new_id() -> str:
    """A ULID: 26 chars, sortable by creation time, so lists come back oldest-first for free."""
    return str(ULID())


def collaboration_id(brand_id: str, campaign_id: str, creator_id: str) -> str:
    """One collaboration per creator per campaign: the id (and execution name) is derived, so
    monitoring and the workflows find it without a lookup."""
    digest = hashlib.sha256(f"collab:{brand_id}:{campaign_id}:{creator_id}".encode()).digest()[:16]
    return str(ULID.from_bytes(digest))


def new_token(length: int = 40) -> str:
    """A base62 secret (40 chars ≈ 238 bits), safe in headers and URLs without escaping."""
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def email_hash(email: str) -> str:
    """The key an email is stored and matched by (the creators' email guard, suppressions, an
    order's customer): one function, so a self-purchase is seen only while these agree."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()
