"""The manager dashboard over HTTP: the page, its KPIs, the visits CSV, customer ratings and wait alerts.

The use cases are `assistant.services.dashboard.Dashboard`; here are the routes, the query and the bodies.

* `GET /dashboard` (+ its script and style): the page; it signs in with a manager token.
* `GET /api/v1/dashboard?from=&to=` and `GET /api/v1/dashboard/visits.csv?from=&to=` (manager
  or admin): every KPI of `assistant.domain.kpi` for branch-local days, and one CSV row a ticket.
* `POST /api/v1/ratings` (public, rate limited like the other public writes): a 1-5 score.
* Alerts: a named task checks every `ALERT_CHECK_SECONDS` whether a service's longest wait has
  passed its `target_wait_minutes` (`Dashboard.check_alerts`: one `service.alert` per crossing, across
  every hub process).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import msgspec
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, file, json, raw

from assistant.domain.errors import InvalidInput, NotFound
from assistant.domain.staff import Role
from assistant.events import periodic
from assistant.services.dashboard import Dashboard
from assistant.web.apidoc import PUBLIC_WRITE, PUBLIC_WRITE_SECURITY, Reply, operation
from assistant.web.auth import requires
from assistant.web.bodies import Channel
from assistant.web.errors import decode_body
from assistant.web.schemas_staff import Dashboard as DashboardReport
from assistant.web.schemas_staff import RangeQuery, Rating
from assistant.web.screens import STATIC

bp = Blueprint("dashboard")

ALERT_CHECK_SECONDS = 5.0
MAX_RANGE_DAYS = 366
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}


class RatingCreate(msgspec.Struct, forbid_unknown_fields=True):
    score: Annotated[int, msgspec.Meta(ge=1, le=5)]
    channel: Channel = "kiosk"
    ticket_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    comment: Annotated[str, msgspec.Meta(max_length=500)] | None = None


def parse_range(args: Any, today: date) -> tuple[date, date]:
    """`from`/`to` (YYYY-MM-DD, branch-local, inclusive); `to` defaults to today, `from` to `to`."""

    def read(name: str, default: date) -> date:
        text = args.get(name) or ""
        if not text:
            return default
        if not _DATE.match(text):
            raise InvalidInput(f"{name} must be a date YYYY-MM-DD, got {text[:20]!r}", code="invalid_date")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"{name} is not a real date: {text}", code="invalid_date") from None

    last = read("to", today)
    first = read("from", last)
    if first > last:
        raise InvalidInput("from must not be after to", code="invalid_range")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"a range covers at most {MAX_RANGE_DAYS} days", code="invalid_range")
    return first, last


def dashboard_of(app: Sanic) -> Dashboard:
    """The dashboard's use cases on this app's settings, sessions, clock and event bus."""
    return Dashboard(app.ctx.settings, app.ctx.sessions, app.ctx.branch.clock, app.ctx.branch.publish)


# -- page ----------------------------------------------------------------------------------


@bp.get("/dashboard")
@operation("The manager dashboard (screen)", replies={200: Reply("the page", media="text/html")})
async def page(request: Request) -> HTTPResponse:
    """The manager dashboard (sign in with a manager token)."""
    return await file(STATIC / "dashboard.html", mime_type="text/html; charset=utf-8")


@bp.get("/dashboard/<asset:str>")
@operation(
    "The dashboard's script or style",
    path={"asset": {"type": "string", "enum": sorted(_ASSETS)}},
    replies={200: Reply("the file", media=("text/javascript", "text/css"))},
    errors={404: "not_found: no such asset"},
)
async def dashboard_asset(request: Request, asset: str) -> HTTPResponse:
    if asset not in _ASSETS:
        raise NotFound(f"no dashboard asset {asset}")
    return await file(STATIC / asset, mime_type=_ASSETS[asset])


# -- API -----------------------------------------------------------------------------------


@bp.get("/api/v1/dashboard")
@operation(
    "The live queue and every KPI of a range of days (managers)",
    query=RangeQuery,
    replies={200: Reply("the report", DashboardReport)},
    errors={422: "invalid_date or invalid_range (from after to, or over 366 days)"},
)
@requires(Role.MANAGER)
async def kpis(request: Request) -> HTTPResponse:
    """Live queue and every KPI of branch-local days `from`..`to` (default today)."""
    dashboard = dashboard_of(request.app)
    first, last = parse_range(request.args, dashboard.today())
    return json(await dashboard.report(first, last))


@bp.get("/api/v1/dashboard/visits.csv")
@operation(
    "One CSV row per ticket issued in a range of days (managers)",
    query=RangeQuery,
    replies={200: Reply("RFC 4180, with a header row", media="text/csv")},
    errors={422: "invalid_date or invalid_range (from after to, or over 366 days)"},
)
@requires(Role.MANAGER)
async def visits_csv(request: Request) -> HTTPResponse:
    """One row per ticket issued `from`..`to` (RFC 4180, header row)."""
    dashboard = dashboard_of(request.app)
    first, last = parse_range(request.args, dashboard.today())
    body = await dashboard.visits_csv(first, last)
    return raw(
        body.encode("utf-8"),
        content_type="text/csv; charset=utf-8; header=present",
        headers={"Content-Disposition": f'attachment; filename="visits-{first}-{last}.csv"'},
    )


@bp.post("/api/v1/ratings")
@operation(
    "A customer's 1-5 rating, optionally of one visit",
    body=RatingCreate,
    replies={201: Reply("recorded", Rating)},
    errors={404: "ticket_not_found", 409: "already_rated: this visit has been rated", **PUBLIC_WRITE},
    security=PUBLIC_WRITE_SECURITY,
)
async def rate(request: Request) -> HTTPResponse:
    """A customer's 1-5 rating (kiosk or phone), optionally of one visit (`ticket_id`).

    A public write: rate limited with the others (metrics.PUBLIC_WRITES)."""
    body = decode_body(request, RatingCreate)
    return json(await dashboard_of(request.app).rate(body), status=201)


# -- wiring --------------------------------------------------------------------------------


@bp.after_server_start
async def start_alerts(app: Sanic) -> None:
    periodic.start(
        app.ctx,
        "dashboard-alerts",
        lambda: ALERT_CHECK_SECONDS,
        dashboard_of(app).check_alerts,
        "checking the wait alerts",
    )


@bp.before_server_stop
async def stop_alerts(app: Sanic) -> None:
    await periodic.stop(app.ctx, "dashboard-alerts")


def install(app: Sanic) -> None:
    """The one call in `create_app`: routes, alerts."""
    app.blueprint(bp)


__all__ = ["ALERT_CHECK_SECONDS", "Dashboard", "bp", "install", "parse_range"]
