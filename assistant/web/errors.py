"""One place maps errors to HTTP: {"error": {"code", "message"}}, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping
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
from assistant.services.runtime import database_busy
from assistant.web.bodies import check_depth
from lobby_wire.errors import ApiError

log = logging.getLogger(__name__)


class TooManyAttempts(RateLimited):
    """429 with a Retry-After header: the client may try again in `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code)
        self.retry_after = retry_after


class UnsupportedMediaType(LobbyError):
    code = "unsupported_media_type"


STATUS: dict[type[LobbyError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    NothingToCall: 409,
    Unavailable: 503,
    Unauthorized: 401,
    Forbidden: 403,
    RateLimited: 429,
    UnsupportedMediaType: 415,
}

T = TypeVar("T")


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    return json(ApiError(code, message).to_json(), status=status, headers=dict(headers or {}))


def decode_body(request: Request, schema: type[T]) -> T:
    """Validate a JSON body against a msgspec Struct; bad input -> InvalidInput."""
    if not request.body:
        raise InvalidInput("a JSON body is required", code="invalid_json")
    check_depth(request.body)  # also done for every body at the edge; here for bodies read otherwise
    try:
        return msgspec.json.decode(request.body, type=schema)
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc), code="invalid_input") from None
    except msgspec.DecodeError as exc:
        raise InvalidInput(f"malformed JSON: {exc}", code="invalid_json") from None


def _sanic_code(exc: SanicException) -> str:
    return {
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
        415: "unsupported_media_type",
        429: "rate_limited",
    }.get(exc.status_code, "bad_request" if exc.status_code < 500 else "server_error")


def _allowed_methods(request: Request) -> str:
    """The methods `request.path` takes. Sanic's router names them on a 405 for a fixed path only, not for a
    path with parameters (/api/v1/tickets/{id}): there, ask the router method by method."""
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        try:
            request.app.router.get(request.path, method, request.headers.get("host"))
        except SanicException:
            continue
        allowed.append(method)
    return ", ".join(allowed)


async def _handle(request: Request, exc: Exception) -> HTTPResponse:
    if isinstance(exc, LobbyError):
        status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 400)
        retry = getattr(exc, "retry_after", None)
        return error_response(status, exc.code, exc.message, {"Retry-After": str(retry)} if retry else None)
    if isinstance(exc, SanicException):
        # Keep what Sanic says in headers: `Allow` on a 405, for one.
        headers = {key: str(value) for key, value in (getattr(exc, "headers", None) or {}).items()}
        if exc.status_code == 405 and not any(key.lower() == "allow" for key in headers):
            headers["Allow"] = _allowed_methods(request)
        return error_response(exc.status_code, _sanic_code(exc), str(exc) or _sanic_code(exc), headers)
    if database_busy(exc):
        log.warning("database busy on %s %s: %s", request.method, request.path, exc)
        return error_response(
            503, "database_busy", "the branch database is busy; try again in a moment", {"Retry-After": "2"}
        )
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "something went wrong; the error has been logged")


def install(app: Sanic) -> None:
    app.error_handler.add(Exception, _handle)
