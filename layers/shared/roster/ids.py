"""Sortable identifiers and secrets."""

from __future__ import annotations

import secrets
import string

from ulid import ULID

_BASE62 = string.ascii_letters + string.digits


def new_id() -> str:
    """A ULID: 26 chars, sortable by creation time, so lists come back oldest-first for free."""
    return str(ULID())


def new_token(length: int = 40) -> str:
    """A base62 secret (40 chars ≈ 238 bits), safe in headers and URLs without escaping."""
    return "".join(secrets.choice(_BASE62) for _ in range(length))
