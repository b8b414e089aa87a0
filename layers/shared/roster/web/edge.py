"""The HTTP edge: what every function behind API Gateway (payload 2.0) shares — the request body
as bytes, JSON and HTML answers, and the one table from domain errors to HTTP status, used by the
brand API's resolver (`roster.api.errors`) and by the functions outside it (redirect, store
webhooks, creator pages, unsubscribe).

Here in `web`, below every capability, because the redirect (in `links`) answers through it too.
Standard library only: the redirect's cold start is measured against boto3 alone
(docs/performance.md). So the table names only the kernel's errors; a capability's own error
subclasses one of them and gets its status along the MRO.
"""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

from roster import errors

# Most specific class wins (`status_for` walks the MRO): `RenderError(ValidationFailed)` is a 422.
STATUS: dict[type[errors.RosterError], HTTPStatus] = {
    errors.BadRequest: HTTPStatus.BAD_REQUEST,
    errors.Unauthorized: HTTPStatus.UNAUTHORIZED,
    errors.Forbidden: HTTPStatus.FORBIDDEN,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Conflict: HTTPStatus.CONFLICT,
    errors.PayloadTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    errors.UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    errors.ValidationFailed: HTTPStatus.UNPROCESSABLE_ENTITY,
}


def status_for(exc: errors.RosterError) -> HTTPStatus:
    """The status of the nearest class in `exc`'s MRO that the table names; a bare `RosterError`
    (no kind of its own) is the caller's fault, 400."""
    return next((STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS), HTTPStatus.BAD_REQUEST)


def raw_body(event: dict[str, Any]) -> bytes:
    """The request body as sent: API Gateway base64-encodes the bodies it does not take for text."""
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()


def answer(status: int, body: str, headers: dict[str, str]) -> dict[str, Any]:
    """An API Gateway answer with a text body."""
    return {"statusCode": int(status), "headers": headers, "body": body, "isBase64Encoded": False}


def json_answer(status: int, body: Any) -> dict[str, Any]:
    return answer(status, json.dumps(body), {"Content-Type": "application/json"})


def html_answer(status: int, page: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    """A page for a person (a link's visitor, a creator): never cached, as each is about one
    link, one token or one moment (a stale 404 would hide a link that works again)."""
    headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", **(extra or {})}
    return answer(status, page, headers)


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Roster's error shape, the same from every function: {"error": {"code", "message", "details"}}."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_answer(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return json_answer(status, error_body(code, message, details))


def for_error(exc: errors.RosterError) -> dict[str, Any]:
    return error_answer(status_for(exc), exc.code, exc.message, exc.details)


def malformed_json_message(reason: str | None) -> str:
    return "the request body is not valid JSON" + (f": {reason}" if reason else "")
