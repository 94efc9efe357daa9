"""Bearer-token authorisation for staff and device endpoints."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

from sanic import Request
from sanic.response import HTTPResponse
from sanic_ext import openapi

from assistant.domain.errors import Forbidden, Unauthorized
from assistant.domain.staff import Role, allows
from assistant.store.tokens import TokenRepository

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[HTTPResponse]])


async def role_of_request(request: Request) -> Role:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this endpoint needs a staff token: Authorization: Bearer <token>")
    async with request.app.ctx.sessions.begin() as session:
        role = await TokenRepository(session).role_of(token.strip())
    if role is None:
        raise Unauthorized("unknown or revoked token")
    return role


def requires(role: Role) -> Callable[[Handler], Handler]:
    """Decorate a handler: 401 without a valid token, 403 when its role may not do this."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            held = await role_of_request(request)
            if not allows(held, role):
                raise Forbidden(f"a {held} token may not do this; it needs {role}")
            request.ctx.role = held
            return await handler(request, *args, **kwargs)

        return openapi.secured("token")(guarded)  # type: ignore[no-any-return]

    return decorate


def customer_key(token: str) -> str:
    """The key of a bank-app customer token (chat sessions, rate limits): a hash, so the token itself
    is never stored or logged."""
    return hashlib.sha256(token.encode()).hexdigest()[:24]
