"""Prometheus metrics (/metrics) and per-address rate limiting of public writes.

The limit is per client address (`auth.client_address`: an IPv6 client per /64). A customer token
(X-Customer-Token, which anyone can make up) only splits its address's budget: each token gets at
most `CUSTOMER_SHARE` of it, so one customer behind a shared address (a branch's Wi-Fi, the bank
app's server) cannot use it all up, and a fresh token per request buys nothing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sanic import Blueprint, HTTPResponse, Request, Sanic
from sanic.response import raw

from assistant.web.apidoc import Reply, operation
from assistant.web.auth import client_address, customer_key, role_of_request
from assistant.web.errors import TooManyAttempts
from lobby_wire.tickets import TicketView

bp = Blueprint("metrics")


def observe_call(app: Sanic, ticket: TicketView, at: datetime) -> None:
    """A ticket was called: record how long it waited."""
    waited = (at - datetime.fromisoformat(ticket.issued_at)).total_seconds()
    app.ctx.metrics.ticket_wait.labels(ticket.service).observe(max(0.0, waited))


LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
WAIT_BUCKETS = tuple(60 * m for m in (1, 2, 5, 10, 15, 20, 30, 45, 60, 90))


class Metrics:
    """One registry per app, so several apps (tests, workers) never share series."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lobby_http_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "lobby_http_request_seconds", "HTTP request latency", ["route"], buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )  # fmt: skip
        self.waiting = Gauge("lobby_queue_waiting", "Tickets waiting", ["service"], registry=self.registry)
        self.longest = Gauge(
            "lobby_queue_longest_wait_seconds", "Longest current wait", ["service"], registry=self.registry
        )
        self.subscribers = Gauge("lobby_event_subscribers", "Event WebSocket subscribers", registry=self.registry)
        self.rate_limited = Counter("lobby_rate_limited", "Requests refused by the rate limit", registry=self.registry)
        self.ticket_wait = Histogram(
            "lobby_ticket_wait_seconds", "From issue to call, per service", ["service"], buckets=WAIT_BUCKETS,
            registry=self.registry,
        )  # fmt: skip
        self.bus = Gauge("lobby_event_bus", "Cross-process event bus counters", ["counter"], registry=self.registry)


@dataclass
class RateLimiter:
    """Token bucket per client address: `per_minute` sustained, `burst` at once."""

    per_minute: int
    burst: int
    trusted: frozenset[str] = frozenset()
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, client: str, now: float | None = None) -> bool:
        return self.allow_within(client, None, now)

    def allow_within(self, address: str, customer: str | None, now: float | None = None) -> bool:
        """One request from `address`, by `customer` (a token's key) if it says: both budgets must have room."""
        if self.per_minute <= 0 or address in self.trusted:
            return True
        now = time.monotonic() if now is None else now
        buckets = [(address, float(self.per_minute), float(self.burst))]
        if customer is not None:
            share = CUSTOMER_SHARE
            buckets.append((f"{address}|{customer}", self.per_minute * share, max(1.0, self.burst * share)))
        levels = [self._level(key, rate, burst, now) for key, rate, burst in buckets]
        allowed = all(level >= 1 for level in levels)
        for (key, _, _), level in zip(buckets, levels, strict=True):
            self._buckets[key] = (level - 1 if allowed else level, now)
        if len(self._buckets) > 10_000:  # forget idle clients; this is a cache, not state
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 600}
        return allowed

    def _level(self, key: str, per_minute: float, burst: float, now: float) -> float:
        tokens, last = self._buckets.get(key, (burst, now))
        return min(burst, tokens + (now - last) * per_minute / 60)


# A customer token's part of its address's budget (rate and burst).
CUSTOMER_SHARE = 0.5

PUBLIC_WRITES = (
    "/api/v1/tickets",
    "/api/v1/chat",
    "/api/v1/triage",
    "/api/v1/appointments",
    "/api/v1/staff-alerts",
    "/api/v1/ratings",
)


def _customer(request: Request) -> str | None:
    """The customer a public write says it is for (a key of its X-Customer-Token), if any."""
    token = request.headers.get("x-customer-token", "")
    return customer_key(token) if token else None


def install(app: Sanic, limiter: RateLimiter) -> None:
    metrics = Metrics()
    app.ctx.metrics = metrics

    @app.on_request
    async def before(request: Request) -> None:
        request.ctx.started = time.perf_counter()
        if request.method in ("POST", "PUT", "DELETE") and request.path.startswith(PUBLIC_WRITES):
            if "authorization" in request.headers:
                await role_of_request(request)  # a valid token (kiosk, staff) is not limited; a bad one is a 401
            elif not limiter.allow_within(client_address(request), _customer(request)):
                metrics.rate_limited.inc()
                wait = max(1, math.ceil(60 / max(1, limiter.per_minute)))
                raise TooManyAttempts("too many requests from this address; wait a moment and try again", wait)

    @app.on_response
    async def after(request: Request, response: HTTPResponse) -> None:
        route = request.route.path if request.route else "unmatched"
        metrics.requests.labels(request.method, route, str(response.status)).inc()
        started = getattr(request.ctx, "started", None)
        if started is not None:
            metrics.latency.labels(route).observe(time.perf_counter() - started)


@bp.get("/metrics")
@operation("Prometheus metrics", replies={200: Reply("the text exposition format", media="text/plain")})
async def scrape(request: Request) -> HTTPResponse:
    metrics: Metrics = request.app.ctx.metrics
    overview = await request.app.ctx.branch.queue_overview()
    for service in overview["services"]:
        metrics.waiting.labels(service["service"]).set(service["waiting"])
        metrics.longest.labels(service["service"]).set(service["longest_wait_minutes"] * 60)
    metrics.subscribers.set(request.app.ctx.events.subscriber_count)
    for name, value in request.app.ctx.events.stats().items():
        if isinstance(value, bool | int | float):
            metrics.bus.labels(name).set(float(value))
    return raw(generate_latest(metrics.registry), content_type=CONTENT_TYPE_LATEST)
