"""The manager dashboard: the page, its KPIs, the visits CSV, customer ratings and wait alerts.

* `GET /dashboard` (+ its script and style): the page; it signs in with a manager token.
* `GET /api/v1/dashboard?from=&to=` and `GET /api/v1/dashboard/visits.csv?from=&to=` (manager
  or admin): every KPI of `assistant.domain.kpi` for branch-local days, and one CSV row a ticket.
* `POST /api/v1/ratings` (public, rate limited like the other public writes): a 1-5 score.
* Alerts: a named task checks every `ALERT_CHECK_SECONDS` whether a service's longest wait has
  passed its `target_wait_minutes`; the first hub process to record the crossing (a partial
  unique index in the database) publishes `service.alert`; it may fire again only after the
  wait has dropped back within the target.
* Who called and finished a ticket (`called_by` / `finished_by` in the CSV, the staff KPIs) is read
  from the audit log (`assistant.store.audit`), written by the counter use cases themselves.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, file, json, raw
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.clock import Clock, business_date
from assistant.domain.errors import Conflict, InvalidInput, NotFound
from assistant.domain.events import Event, EventType
from assistant.domain.kpi import (
    Labelled,
    RatingRecord,
    Visit,
    live_services,
    minutes_json,
    service_minutes,
    summarize,
    wait_minutes,
    walk_minutes,
    within_target,
)
from assistant.domain.schedule import uncovered
from assistant.domain.staff import Role
from assistant.events import periodic
from assistant.services.tickets import Publish
from assistant.settings import Settings
from assistant.store.repo import CounterRepository, TicketRepository
from assistant.store.stats import AlertRepository, RatingRepository, RouteLog, VisitQueries
from assistant.web.apidoc import PUBLIC_WRITE, PUBLIC_WRITE_SECURITY, Reply, operation
from assistant.web.auth import requires
from assistant.web.bodies import Channel
from assistant.web.errors import decode_body
from assistant.web.schemas_staff import Dashboard as DashboardReport
from assistant.web.schemas_staff import RangeQuery, Rating
from assistant.web.screens import STATIC

log = logging.getLogger(__name__)

bp = Blueprint("dashboard")

ALERT_CHECK_SECONDS = 5.0
MAX_RANGE_DAYS = 366
# Not (yet) a member of EventType (assistant/domain/events.py); on the wire it is just the name.
SERVICE_ALERT = EventType.SERVICE_ALERT
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}
CSV_COLUMNS = (
    "ticket_id", "number", "business_date", "service", "service_name", "priority", "channel", "intent",
    "status", "outcome", "counter", "called_by", "finished_by", "issued_at", "called_at", "started_at",
    "finished_at", "wait_minutes", "walk_minutes", "service_minutes", "within_target", "rating",
)  # fmt: skip


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


def _cell(text: str | None) -> str:
    """Free text in a spreadsheet: never let it start a formula."""
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text


class Dashboard:
    """The dashboard's use cases; each owns its transaction."""

    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock, publish: Publish
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.publish = publish
        self.zone = ZoneInfo(settings.branch.timezone)
        self.services = tuple(Labelled(s.id, s.display_name("en"), s.target_wait_minutes) for s in settings.services)
        self.counters = tuple(Labelled(c.id, c.name) for c in settings.counters)

    @classmethod
    def of(cls, app: Sanic) -> Dashboard:
        return cls(app.ctx.settings, app.ctx.sessions, app.ctx.branch.clock, app.ctx.branch.publish)

    def today(self) -> date:
        return business_date(self.clock.now(), self.settings.branch.timezone)

    def _local(self, moment: datetime | None) -> str | None:
        return moment.astimezone(self.zone).isoformat() if moment else None

    async def report(self, first: date, last: date) -> dict[str, Any]:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            visits = await VisitQueries(session).visits(first, last)
            routes = await RouteLog(session).between(first, last)
            ratings = await RatingRepository(session).between(first, last)
            alerts = await AlertRepository(session).between(first, last)
            waiting = await TicketRepository(session).waiting_counts(self.today())  # never yesterday's
            states = await CounterRepository(session).states()
        kpis = summarize(visits, routes, ratings, self.services, self.counters, self.settings.branch.timezone, now)
        live = live_services(self.services, waiting, now)
        names = {s.id: s.name for s in self.services}
        return {
            "branch": {"id": self.settings.branch.id, "name": self.settings.branch.name},
            "timezone": self.settings.branch.timezone,
            "range": {"from": first.isoformat(), "to": last.isoformat(), "days": (last - first).days + 1},
            "at": self._local(now),
            "live": {
                "waiting": sum(count for count, _ in waiting.values()),
                "services": [s.to_json() for s in live],
                "alerts": [s.to_json() for s in live if s.over_target],
                # Tickets waiting and no open counter able to serve them (a break nobody covers): the manager acts.
                "uncovered": [
                    {"service": service, "name": names.get(service, service), "waiting": waiting[service][0]}
                    for service in uncovered(
                        {service: count for service, (count, _) in waiting.items()},
                        {c.id: c.skills for c in self.settings.counters},
                        [c for c, state in states.items() if state == "open"],
                    )
                ],
                "counters": [{"id": c.id, "name": c.name, "state": states.get(c.id, "closed")} for c in self.counters],
            },
            "kpis": kpis.to_json(),
            "alerts": [
                {
                    "service": a.service_id,
                    "name": names.get(a.service_id, a.service_id),
                    "crossed_at": self._local(a.crossed_at),
                    "cleared_at": self._local(a.cleared_at),
                    "longest_wait_minutes": minutes_json(a.longest_wait_seconds / 60),
                    "target_wait_minutes": a.target_minutes,
                }
                for a in alerts
            ],
        }

    async def visits_csv(self, first: date, last: date) -> str:
        async with self.sessions.begin() as session:
            visits = await VisitQueries(session).visits(first, last)
            scores = await RatingRepository(session).scores_of_tickets(first, last)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF, quotes doubled, quoted when needed
        writer.writerow(CSV_COLUMNS)
        for visit in visits:
            writer.writerow(self._row(visit, scores.get(visit.ticket_id)))
        return out.getvalue()

    def _row(self, visit: Visit, score: int | None) -> list[str]:
        service = self.settings.service(visit.service_id)
        within = within_target(visit, service.target_wait_minutes if service else None)

        def minutes(value: float | None) -> str:
            return "" if value is None else f"{value:.2f}"

        return [
            visit.ticket_id, visit.number, visit.business_date.isoformat(), visit.service_id,
            service.display_name("en") if service else visit.service_id, visit.priority, visit.channel,
            _cell(visit.intent), str(visit.status), _cell(visit.outcome), visit.counter_id or "",
            _cell(visit.called_by), _cell(visit.finished_by), self._local(visit.issued_at) or "",
            self._local(visit.called_at) or "", self._local(visit.started_at) or "",
            self._local(visit.finished_at) or "", minutes(wait_minutes(visit)), minutes(walk_minutes(visit)),
            minutes(service_minutes(visit)), "" if within is None else ("yes" if within else "no"),
            "" if score is None else str(score),
        ]  # fmt: skip

    async def rate(self, body: RatingCreate) -> dict[str, Any]:
        now = self.clock.now()
        comment = (body.comment or "").strip() or None
        try:
            async with self.sessions.begin() as session:
                ratings = RatingRepository(session)
                service_id = counter_id = None
                if body.ticket_id is not None:
                    ticket = await TicketRepository(session).get(body.ticket_id)
                    if ticket is None:
                        raise NotFound(f"no ticket {body.ticket_id}", code="ticket_not_found")
                    if await ratings.exists_for(ticket.id):
                        raise Conflict("this visit has already been rated", code="already_rated")
                    service_id, counter_id = ticket.service_id, ticket.counter_id
                record = RatingRecord(body.score, body.channel, now, body.ticket_id, service_id, counter_id)
                rating_id = await ratings.add(record, comment, business_date(now, self.settings.branch.timezone))
        except IntegrityError:  # the same ticket rated twice at once: the other one won
            raise Conflict("this visit has already been rated", code="already_rated") from None
        return {"id": rating_id, "ticket_id": body.ticket_id, "score": body.score, "channel": body.channel}

    async def check_alerts(self) -> list[dict[str, Any]]:
        """Open an alert for each service newly past its target (publishing `service.alert`), close
        those back within it. Returns what this call published."""
        now = self.clock.now()
        raised = []
        async with self.sessions.begin() as session:
            live = live_services(self.services, await TicketRepository(session).waiting_counts(), now)
            alerts = AlertRepository(session)
            open_ids = await alerts.open_services()
            day = business_date(now, self.settings.branch.timezone)
            for service in live:
                target = service.service.target or 0.0
                if service.over_target and service.service.id not in open_ids:
                    if await alerts.raise_alert(service.service.id, now, day, round(service.longest_wait * 60), target):
                        raised.append(service.to_json())
                elif not service.over_target and service.service.id in open_ids:
                    await alerts.clear(service.service.id, now)
        for data in raised:
            log.warning("%s: longest wait %.1f min is past its target", data["service"], data["longest_wait_minutes"])
            await self.publish(Event(SERVICE_ALERT, now, data))
        return raised



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
    dashboard = Dashboard.of(request.app)
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
    dashboard = Dashboard.of(request.app)
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
    return json(await Dashboard.of(request.app).rate(body), status=201)


# -- wiring --------------------------------------------------------------------------------


@bp.after_server_start
async def start_alerts(app: Sanic) -> None:
    periodic.start(
        app.ctx, "dashboard-alerts", lambda: ALERT_CHECK_SECONDS, Dashboard.of(app).check_alerts,
        "checking the wait alerts",
    )


@bp.before_server_stop
async def stop_alerts(app: Sanic) -> None:
    await periodic.stop(app.ctx, "dashboard-alerts")


def install(app: Sanic) -> None:
    """The one call in `create_app`: routes, alerts."""
    app.blueprint(bp)


__all__ = ["ALERT_CHECK_SECONDS", "Dashboard", "bp", "install", "parse_range"]
