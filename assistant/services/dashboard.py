"""The manager dashboard's use cases: the KPI report, the visits CSV, customer ratings and wait alerts.

Each owns its transaction; `assistant.web.dashboard` serves them (the page, the routes, the query
parsing and the request bodies) and runs `check_alerts` every few seconds.

* The report: every KPI of `assistant.domain.kpi` for branch-local days, with the live line.
* Alerts: a service whose longest wait has passed its `target_wait_minutes` gets one alert; the first
  hub process to record the crossing (a partial unique index in the database) publishes
  `service.alert`; it may fire again only after the wait has dropped back within the target.
* Who called and finished a ticket (`called_by` / `finished_by` in the CSV, the staff KPIs) is read
  from the audit log (`assistant.store.audit`), written by the counter use cases themselves.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.clock import Clock, business_date
from assistant.domain.errors import Conflict, NotFound
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
from assistant.domain.staff import CounterStatus
from assistant.services.tickets import Publish
from assistant.settings import Settings
from assistant.store.repo import CounterRepository, TicketRepository
from assistant.store.stats import AlertRepository, RatingRepository, RouteLog, VisitQueries

log = logging.getLogger(__name__)

# Not (yet) a member of EventType (assistant/domain/events.py); on the wire it is just the name.
SERVICE_ALERT = EventType.SERVICE_ALERT
CSV_COLUMNS = (
    "ticket_id", "number", "business_date", "service", "service_name", "priority", "channel", "intent",
    "status", "outcome", "counter", "called_by", "finished_by", "issued_at", "called_at", "started_at",
    "finished_at", "wait_minutes", "walk_minutes", "service_minutes", "within_target", "rating",
)  # fmt: skip


class RatingInput(Protocol):
    """A customer's rating as the web layer decoded it (`assistant.web.dashboard.RatingCreate`)."""

    @property
    def score(self) -> int: ...
    @property
    def channel(self) -> str: ...
    @property
    def ticket_id(self) -> str | None: ...
    @property
    def comment(self) -> str | None: ...


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
                        [c for c, state in states.items() if state == CounterStatus.OPEN],
                    )
                ],
                "counters": [
                    {"id": c.id, "name": c.name, "state": states.get(c.id, CounterStatus.CLOSED)} for c in self.counters
                ],
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

    async def rate(self, body: RatingInput) -> dict[str, Any]:
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


__all__ = ["CSV_COLUMNS", "SERVICE_ALERT", "Dashboard", "RatingInput"]
