"""Prometheus metrics (/metrics) and per-client rate limiting of public writes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sanic import Blueprint, HTTPResponse, Request, Sanic
from sanic.response import raw

from assistant.domain.errors import RateLimited
from assistant.protocol import TicketView
from assistant.web.auth import customer_key, role_of_request

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
        if self.per_minute <= 0 or client in self.trusted:
            return True
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_minute / 60)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1, now)
        if len(self._buckets) > 10_000:  # forget idle clients; this is a cache, not state
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 600}
        return True


PUBLIC_WRITES = (
    "/api/v1/tickets",
    "/api/v1/chat",
    "/api/v1/triage",
    "/api/v1/appointments",
    "/api/v1/staff-alerts",
    "/api/v1/ratings",
)


def _client_key(request: Request) -> str:
    """Who a public write is counted against: the customer (token hash, for the bank's app, whose
    requests may all come through one server) or else the client address."""
    token = request.headers.get("x-customer-token", "")
    if token:
        return "customer:" + customer_key(token)
    return request.remote_addr or request.ip


def install(app: Sanic, limiter: RateLimiter) -> None:
    metrics = Metrics()
    app.ctx.metrics = metrics

    @app.on_request
    async def before(request: Request) -> None:
        request.ctx.started = time.perf_counter()
        if request.method in ("POST", "PUT", "DELETE") and request.path.startswith(PUBLIC_WRITES):
            if "authorization" in request.headers:
                await role_of_request(request)  # a valid token (kiosk, staff) is not limited; a bad one is a 401
            elif not limiter.allow(_client_key(request)):
                metrics.rate_limited.inc()
                raise RateLimited("too many requests from this address; wait a moment and try again")

    @app.on_response
    async def after(request: Request, response: HTTPResponse) -> None:
        route = request.route.path if request.route else "unmatched"
        metrics.requests.labels(request.method, route, str(response.status)).inc()
        started = getattr(request.ctx, "started", None)
        if started is not None:
            metrics.latency.labels(route).observe(time.perf_counter() - started)


@bp.get("/metrics")
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
