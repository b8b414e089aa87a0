"""The brand API's resolver answers its errors here, in the shape and with the status table of the
HTTP edge (`roster.web.edge`): domain errors, request validation, unknown routes, AWS failures."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from botocore.exceptions import ClientError

from roster import errors
from roster.observability import logger
from roster.web.edge import error_body, malformed_json_message, status_for

# Worth a retry by the client: capacity limits and transactions that lost a race with another.
RETRYABLE = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionConflictException",
    "TransactionCanceledException",
    "TransactionInProgressException",
    # Cognito (sign-in, invitations)
    "TooManyRequestsException",
    "LimitExceededException",
    "TooManyFailedAttemptsException",
}


def error_response(
    status: HTTPStatus, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=error_body(code, message, details),
    )


def for_domain_error(exc: errors.RosterError) -> Response[Any]:
    return error_response(status_for(exc), exc.code, exc.message, exc.details)


def for_validation_error(exc: RequestValidationError) -> Response[Any]:
    problems = exc.errors()
    if unreadable := next((p for p in problems if p.get("type") == "json_invalid"), None):
        reason = (unreadable.get("ctx") or {}).get("error")
        return error_response(HTTPStatus.BAD_REQUEST, "malformed_json", malformed_json_message(reason))
    details = []
    for p in problems:
        loc = [str(part) for part in p.get("loc", ())]
        where = loc[0] if loc else ""
        field = ".".join(loc[1:]) if where == "body" else ".".join(loc)
        details.append({"field": field or where or None, "message": p.get("msg", p.get("type", "invalid"))})
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", "the request is not valid", details
    )


def register(app: APIGatewayHttpResolver) -> None:
    app.exception_handler(errors.RosterError)(for_domain_error)
    app.exception_handler(RequestValidationError)(for_validation_error)

    @app.not_found
    def _not_found(_: NotFoundError) -> Response[Any]:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route")

    @app.exception_handler(ClientError)
    def _aws(exc: ClientError) -> Response[Any]:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in RETRYABLE:
            logger.warning("retryable AWS error", extra={"aws_error": code})
            return error_response(
                HTTPStatus.SERVICE_UNAVAILABLE, "busy", "the service is busy; retry with backoff"
            )
        logger.exception("AWS call failed", extra={"aws_error": code})
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "internal error")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "internal error")
