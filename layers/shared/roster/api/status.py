"""Domain errors → HTTP status and Roster's error body, without the API resolver: the functions
outside the brand API (store webhooks, creator pages) answer in the same shape without loading
Powertools' event handler at cold start."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from roster import errors
from roster.conversions.order_parsers import UnknownShape
from roster.conversions.webhook_signatures import SignatureInvalid

STATUS: dict[type[errors.RosterError], HTTPStatus] = {
    SignatureInvalid: HTTPStatus.UNAUTHORIZED,
    UnknownShape: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.BadRequest: HTTPStatus.BAD_REQUEST,
    errors.Unauthorized: HTTPStatus.UNAUTHORIZED,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Conflict: HTTPStatus.CONFLICT,
    errors.PayloadTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    errors.UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    errors.ValidationFailed: HTTPStatus.UNPROCESSABLE_ENTITY,
}


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def json_response(status: int, body: Any) -> dict[str, Any]:
    """An API Gateway (payload 2.0) JSON answer."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def error_response(exc: errors.RosterError) -> dict[str, Any]:
    return json_response(
        int(STATUS.get(type(exc), HTTPStatus.BAD_REQUEST)), error_body(exc.code, exc.message, exc.details)
    )
