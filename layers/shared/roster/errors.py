"""Domain errors. Each kind maps to one HTTP status in exactly one place, the HTTP edge
(`roster.web.edge.STATUS`); a capability's own error subclasses the kind it is and inherits its status."""

from __future__ import annotations

from typing import Any


class RosterError(Exception):
    """Base class: every domain error carries a stable machine code and a human message."""

    code = "error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(RosterError):
    """The resource does not exist *for this brand* (another brand's resource is also NotFound)."""

    code = "not_found"


class Conflict(RosterError):
    """The write conflicts with existing state (duplicate, concurrent update, bad transition)."""

    code = "conflict"


class ValidationFailed(RosterError):
    """Input is well-formed but breaks a rule the models cannot express on their own."""

    code = "validation_error"


class BadRequest(RosterError):
    """The request itself is unusable (malformed body, bad cursor)."""

    code = "bad_request"


class Unauthorized(RosterError):
    code = "unauthorized"


class Forbidden(RosterError):
    """The caller is known but its role may not do this (a member on an admin-only route)."""

    code = "forbidden"


class PayloadTooLarge(RosterError):
    code = "payload_too_large"


class UnsupportedMediaType(RosterError):
    code = "unsupported_media_type"
