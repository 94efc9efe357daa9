"""One place maps errors to HTTP: {"error": {"code", "message"}}, never a stack trace."""

from __future__ import annotations

import logging
from typing import TypeVar

import msgspec
from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse, json

from assistant.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    LobbyError,
    NotFound,
    NothingToCall,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from assistant.protocol import ApiError

log = logging.getLogger(__name__)

STATUS: dict[type[LobbyError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    NothingToCall: 409,
    Unavailable: 503,
    Unauthorized: 401,
    Forbidden: 403,
    RateLimited: 429,
}

T = TypeVar("T")


def error_response(status: int, code: str, message: str) -> HTTPResponse:
    return json(ApiError(code, message).to_json(), status=status)


def decode_body(request: Request, schema: type[T]) -> T:
    """Validate a JSON body against a msgspec Struct; bad input -> InvalidInput."""
    if not request.body:
        raise InvalidInput("a JSON body is required", code="invalid_json")
    try:
        return msgspec.json.decode(request.body, type=schema)
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc), code="invalid_input") from None
    except msgspec.DecodeError as exc:
        raise InvalidInput(f"malformed JSON: {exc}", code="invalid_json") from None


def _sanic_code(exc: SanicException) -> str:
    return {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 429: "rate_limited"}.get(
        exc.status_code, "bad_request" if exc.status_code < 500 else "server_error"
    )


async def _handle(request: Request, exc: Exception) -> HTTPResponse:
    if isinstance(exc, LobbyError):
        status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 400)
        return error_response(status, exc.code, exc.message)
    if isinstance(exc, SanicException):
        return error_response(exc.status_code, _sanic_code(exc), str(exc) or _sanic_code(exc))
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "something went wrong; the error has been logged")


def install(app: Sanic) -> None:
    app.error_handler.add(Exception, _handle)
