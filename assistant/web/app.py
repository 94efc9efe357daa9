"""The hub's app factory: the only place where the web app is wired."""

from __future__ import annotations

import logging

from sanic import Blueprint, Sanic
from sanic.blueprint_group import BlueprintGroup
from sanic_ext import Extend

from assistant.domain.clock import Clock, SystemClock
from assistant.services.announcements import RendererFactory
from assistant.services.runtime import open_hub
from assistant.settings import Settings
from assistant.web import (
    appointments,
    audit,
    auth,
    chat,
    console,
    counters,
    dashboard,
    display,
    edge,
    end_of_day,
    errors,
    events,
    health,
    metrics,
    screens,
    tickets,
    triage,
    understand,
)

log = logging.getLogger(__name__)

STATIC = screens.STATIC


def create_app(
    settings: Settings,
    *,
    database_url: str | None = None,
    clock: Clock | None = None,
    name: str = "lobby",
    speech: RendererFactory | None = None,
) -> Sanic:
    """The hub's Sanic app. `speech` makes the announcements' WAV renderer (the entry point's choice of
    speaker: the web layer imports no hardware); without one, spoken calls answer 503 `tts_unavailable`."""
    app = Sanic(name)
    app.config.update(
        {
            # sanic-ext leaves routes under its own prefix out of the spec, so
            # it lives under /api/v1/docs and health.py serves /api/v1/openapi.json.
            "OAS_URL_PREFIX": "/api/v1/docs",
            "OAS_URI_TO_JSON": "/openapi.json",
            # The stock UIs load from a CDN; branches are offline: serve a local page.
            "OAS_UI_DEFAULT": "redoc",
            "OAS_UI_REDOC": True,
            "OAS_PATH_TO_REDOC_HTML": str(STATIC / "api-docs.html"),
            "OAS_URI_TO_REDOC": "/redoc",
            "OAS_UI_SWAGGER": False,
            "OAS_TITLE": "Lobby branch hub",
            "OAS_VERSION": "1",
            "REQUEST_MAX_SIZE": 64 * 1024,
            "KEEP_ALIVE_TIMEOUT": 30,
            # On SIGTERM, requests in flight get this long to finish (a ticket's takes milliseconds; its
            # client retries with its idempotency key if cut). Sanic's 15 s default kept a stopping hub
            # alive for as long as a display was still fetching a spoken call's WAV.
            "GRACEFUL_SHUTDOWN_TIMEOUT": 3.0,
            "CORS": False,
            # No HEAD and OPTIONS twins of every route (sanic-ext adds them one by one after startup, each
            # rebuilding the whole router: ~1 s of every start). Nothing here asks for them: the pages
            # are same-origin (no CORS preflight) and health checks GET /healthz; they answer 405 + Allow.
            "HTTP_AUTO_HEAD": False,
            "HTTP_AUTO_OPTIONS": False,
            "HEALTH": False,
        }
    )
    Extend(app)
    app.ext.openapi.add_security_scheme("token", "http", scheme="bearer", description="lobby token create --role ...")
    app.ctx.settings = settings
    app.ctx.speech_renderer = speech
    url = database_url or settings.database_url()
    the_clock = clock or SystemClock()

    errors.install(app)
    hub = settings.hub
    edge.install(app)  # JSON-only bodies, depth limit, security headers
    auth.install(app, hub)  # token lifetime, valid-token cache, failed-attempt throttle
    metrics.install(
        app, metrics.RateLimiter(hub.rate_limit_per_minute, hub.rate_limit_burst, frozenset(hub.rate_limit_trusted))
    )
    blueprints: list[Blueprint | BlueprintGroup] = [health.bp, tickets.bp, counters.bp, appointments.bp]
    blueprints += [triage.bp, chat.bp, events.bp, screens.bp]
    blueprints += [understand.bp]
    blueprints += [console.bp, display.bp]  # the staff screens
    for blueprint in (*blueprints, metrics.bp):
        app.blueprint(blueprint)
    dashboard.install(app)  # /dashboard: routes, ratings limiter, wait alerts
    audit.install(app)  # /api/v1/audit(.csv) for managers, the personal-data retention job
    end_of_day.install(app)  # at closing: tickets still in line closed, missed appointments no-show

    @app.before_server_start
    async def open_resources(app: Sanic) -> None:
        running = app.ctx.services = await open_hub(settings, url, the_clock)
        # The names the handlers read.
        app.ctx.engine = running.engine
        app.ctx.sessions = running.sessions
        app.ctx.events = running.events
        app.ctx.branch = running.branch
        app.ctx.appointments = running.appointments
        app.ctx.counters = running.counters
        app.ctx.rasa = running.rasa

    @app.after_server_stop
    async def close_resources(app: Sanic) -> None:
        await app.ctx.services.close()

    return app
