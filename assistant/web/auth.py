"""Bearer-token authorisation for staff and device endpoints, and the throttling of failed attempts.

* A token is valid while neither revoked nor expired (`hub.staff_token_days`, `hub.device_token_days`).
  It is looked up on every request (one indexed read), so `lobby token revoke` and `rotate` take effect
  at once in every hub process.
* Failed attempts (a wrong, revoked or expired token; an unknown booking code or ticket id) are counted
  per client address. Past `hub.auth_failure_limit` within `hub.auth_failure_window_seconds` that address
  gets 429 with Retry-After, decided in memory before anything else: a flood of wrong tokens costs no
  database reads, so it cannot slow the queue, and guessing a secret is bounded. Per process, like the
  rate limit: N hub workers allow N times the failures (still nothing a guesser can use).
* A token that was valid here lately (`KNOWN_SECONDS`, remembered by its hash) passes the throttle (and is
  still looked up): someone flooding from the same address (a shared NAT, the branch PC) cannot lock out
  the consoles and kiosks already signed in there.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from sanic import Request, Sanic
from sanic.response import HTTPResponse
from sanic_ext import openapi

from assistant.domain.errors import Forbidden, NotFound, Unauthorized
from assistant.domain.staff import Role, allows, token_hash
from assistant.services.tokens import TokenLifetime, find_token
from assistant.settings import HubConfig
from assistant.web.errors import TooManyAttempts

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[HTTPResponse]])

KNOWN_SECONDS = 3600.0
KNOWN_TOKENS = 4096
TRACKED_ADDRESSES = 10_000  # beyond this, addresses whose failures have all aged out are forgotten


def client_address(request: Request) -> str:
    """Who a request is counted against: the peer's address; an IPv6 client by its /64, since one
    host commonly holds a whole /64 and could otherwise take a fresh address per request."""
    raw = request.remote_addr or request.ip
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


class FailureThrottle:
    """Failed attempts per address in a sliding window; `check` refuses an address past the limit."""

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float] | None:
        failures = self._failures.get(address)
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        return failures

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it may now."""
        if self.limit <= 0:
            return None
        now = self.clock()
        failures = self._recent(address, now)
        if failures is None or len(failures) < self.limit:
            return None
        return max(1, int(failures[-self.limit] + self.window - now + 0.999))

    def check(self, address: str) -> None:
        wait = self.retry_after(address)
        if wait is not None:
            raise TooManyAttempts(f"too many failed attempts from this address; try again in {wait} s", wait)

    def failed(self, address: str) -> None:
        now = self.clock()
        failures = self._recent(address, now)
        if failures is None:
            if len(self._failures) >= TRACKED_ADDRESSES:
                self._failures = {key: kept for key, kept in self._failures.items() if self._recent(key, now)}
            failures = self._failures[address] = deque(maxlen=max(1, self.limit))
        failures.append(now)


@dataclass(frozen=True, slots=True)
class Credential:
    """Who a valid token belongs to (for roles and audits); never the token itself."""

    token_id: str
    name: str
    role: Role
    expires_at: datetime | None


class Authenticator:
    """Checks bearer tokens for one app: their lifetime, and the failure throttle before anything else."""

    def __init__(self, lifetime: TokenLifetime, throttle: FailureThrottle) -> None:
        self.lifetime = lifetime
        self.throttle = throttle
        self._known: dict[str, float] = {}  # hash of a token valid lately -> until when (monotonic)

    @classmethod
    def from_config(cls, hub: HubConfig) -> Authenticator:
        lifetime = TokenLifetime(hub.staff_token_days, hub.device_token_days)
        return cls(lifetime, FailureThrottle(hub.auth_failure_limit, hub.auth_failure_window_seconds))

    async def verify(self, request: Request, token: str) -> Credential:
        """The token's credential, or Unauthorized (counted against the address). Throttled first."""
        address = client_address(request)
        key = token_hash(token)
        if self._known.get(key, 0.0) < time.monotonic():
            self.throttle.check(address)
        now = request.app.ctx.branch.clock.now()
        found = await find_token(request.app.ctx.sessions, token)
        if found is None or found.revoked_at is not None:
            self._known.pop(key, None)
            self.throttle.failed(address)
            raise Unauthorized("unknown or revoked token")
        expires = found.expires_at(self.lifetime)
        if not found.valid_at(now, self.lifetime):
            self._known.pop(key, None)
            self.throttle.failed(address)
            raise Unauthorized(
                f"this token expired on {expires:%Y-%m-%d}; ask for a new one (lobby token rotate {found.id})",
                code="token_expired",
            )
        if len(self._known) >= KNOWN_TOKENS:
            self._known.clear()
        self._known[key] = time.monotonic() + KNOWN_SECONDS
        return Credential(found.id, found.name, found.role, expires)


def install(app: Sanic, hub: HubConfig) -> None:
    app.ctx.auth = Authenticator.from_config(hub)


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this endpoint needs a staff token: Authorization: Bearer <token>")
    return token.strip()


async def credential_of_request(request: Request) -> Credential:
    """The request's valid credential (also kept as `request.ctx.credential`), else 401 (or 429)."""
    credential: Credential | None = getattr(request.ctx, "credential", None)
    if credential is None:
        credential = await request.app.ctx.auth.verify(request, bearer_token(request))
        request.ctx.credential = credential
    return credential


async def role_of_request(request: Request) -> Role:
    return (await credential_of_request(request)).role


async def optional_role(request: Request) -> Role | None:
    """The role of the request's token when it sends one (a bad one is still a 401), else None."""
    return await role_of_request(request) if "authorization" in request.headers else None


def guards_secret(handler: Handler) -> Handler:
    """For a route reached by a secret in its path (a booking code, a ticket id): an address that keeps
    naming unknown ones is throttled like one sending wrong tokens. A device or staff token (a kiosk
    whose customers mistype codes) is not counted."""

    @wraps(handler)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        if await optional_role(request) is not None:
            return await handler(request, *args, **kwargs)
        address = client_address(request)
        request.app.ctx.auth.throttle.check(address)
        try:
            return await handler(request, *args, **kwargs)
        except NotFound:
            request.app.ctx.auth.throttle.failed(address)
            raise

    return guarded  # type: ignore[return-value]


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

        return openapi.secured("token")(guarded)  # type: ignore[return-value]  # sanic-ext wraps it untyped

    return decorate


def customer_key(token: str) -> str:
    """The key of a bank-app customer token (chat sessions, rate limits): a hash, so the token itself
    is never stored or logged."""
    return hashlib.sha256(token.encode()).hexdigest()[:24]
