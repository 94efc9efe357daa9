"""The manager's KPIs: pure arithmetic over the visits, routes and ratings of a date range.

Every number on /dashboard is defined here, once. Times are timezone-aware; minutes are
floats (they are durations, not money). A KPI with nothing to measure is ``None``, never 0.

Inputs
    A *visit* is one ticket (`Visit`). The range is a set of branch-local days: a ticket belongs
    to the day it was issued on (its `business_date`), a route or a rating to the day it was made.

Definitions
    issued            tickets issued in the range.
    wait              ``called_at - issued_at``, for *called* tickets: those with a `called_at`
                      (called, serving, served, parked, no-show, or abandoned after a call).
                      A ticket taken in the bank's app waits from its customer's check-in at the
                      branch (`arrived_at`), not from joining: the wait in the branch.
                      `called_at` is the latest (re)call, as the queue stores it: a recall moves
                      it, and a transfer back to the queue clears it (the ticket is measured again
                      when the new service calls it).
    avg wait          arithmetic mean of the waits.
    p90 wait          nearest-rank 90th percentile: the waits sorted, the value at position
                      ``ceil(0.9 * n)`` (1-based).
    service time      ``finished_at - started_at`` of *served* tickets whose start was pressed.
                      Finishing without pressing start (or call-next finishing the customer at
                      the counter) stores ``started_at = finished_at``: no measured time, so such
                      tickets are left out rather than counted as 0.
    walk-to-counter   ``started_at - called_at`` of tickets whose start was pressed (serving,
                      or served with ``started_at < finished_at``).
    abandonment rate  abandoned tickets / issued tickets (customers who left; `DELETE` ticket). Tickets
                      still in line when the branch closed (outcome `branch_closed`) did not leave:
                      they are counted apart (`closed_unserved`), in neither rate.
    no-show rate      no-show tickets / issued tickets (remote tickets that expired included).
    remote joins      tickets taken in the bank's app; remote expired: those whose customer
                      did not check in in time (outcome `not_arrived`).
    SLA share         called tickets with ``wait <= target_wait_minutes`` of their service /
                      called tickets.
    self-service      device routes / (device routes + tickets issued from triage). A device
      share           route is a triage answer that sent the customer to a machine; a ticket
                      "from triage" is one that carries an intent (the kiosk and the assistant
                      pass the triaged intent when they issue it; staff-issued, check-in and
                      plain tile tickets without an intent are not in either side).
    top intents       device routes + tickets with an intent, counted by intent, most first
                      (ties by name): what customers came for, each visit counted once.
    satisfaction      ratings (1-5) made in the range: count, mean score, CSAT = share of
                      scores >= 4, and how many of each score.
    per counter       for each counter: called = called tickets last called there; served;
                      no-shows; mean service time of its served tickets; mean rating of the
                      ratings given for tickets of that counter.
    per staff         by the name of the staff token. A served ticket is credited to whoever
                      pressed finish, else (finished by call-next) to whoever last called it;
                      called = tickets whose last recorded call was theirs. Only actions the hub
                      recorded count: tickets handled before recording began are left out.
    hourly series     branch-local hours from the first to the last hour with a ticket issued,
                      called or finished: tickets issued and called in the hour, the mean wait
                      of those called, and how many waited at the end of the hour (or now, for
                      the current hour). "Waiting at t": issued before t and not yet called,
                      abandoned or finished at t. When the activity spans more than 7 days the
                      buckets are branch-local days instead (`bucket` says which).
    live              waiting now = tickets whose status is waiting; longest wait of a service =
                      now - the oldest issue time among them; a service is *over target* when
                      its longest wait is more than its target (an alert).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from assistant.domain.tickets import BRANCH_CLOSED, NOT_ARRIVED, TicketStatus

SATISFIED_SCORE = 4  # CSAT counts scores of 4 and 5
TOP_INTENTS = 10
HOUR = timedelta(hours=1)
HOURLY_SPAN = timedelta(days=7)  # a longer range gets one bucket a day


@dataclass(frozen=True, slots=True)
class Visit:
    """One ticket, as the KPIs see it."""

    ticket_id: str
    number: str
    service_id: str
    business_date: date
    channel: str
    priority: str
    status: TicketStatus
    issued_at: datetime
    intent: str | None = None
    counter_id: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    called_by: str | None = None  # staff name of the last recorded call
    finished_by: str | None = None  # staff name of the recorded finish
    remote: bool = False  # taken in the bank's app
    arrived_at: datetime | None = None  # its customer's check-in at the branch

    @property
    def staff(self) -> str | None:
        """Who a served ticket is credited to."""
        return self.finished_by or self.called_by


@dataclass(frozen=True, slots=True)
class RouteRecord:
    """One triage answer."""

    intent: str
    decision: str  # device | ticket | appointment | info | staff
    at: datetime
    service_id: str | None = None
    device_id: str | None = None


@dataclass(frozen=True, slots=True)
class RatingRecord:
    score: int
    channel: str
    at: datetime
    ticket_id: str | None = None
    service_id: str | None = None
    counter_id: str | None = None


@dataclass(frozen=True, slots=True)
class Labelled:
    """A service or counter as the dashboard lists it; `target` is the service's wait target."""

    id: str
    name: str
    target: float | None = None


# -- the measures of one visit ------------------------------------------------


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def wait_minutes(visit: Visit) -> float | None:
    if visit.called_at is None:
        return None
    start = visit.arrived_at if visit.remote and visit.arrived_at is not None else visit.issued_at
    return _minutes(min(start, visit.called_at), visit.called_at)


def start_pressed(visit: Visit) -> bool:
    if visit.started_at is None:
        return False
    return visit.finished_at is None or visit.started_at < visit.finished_at


def service_minutes(visit: Visit) -> float | None:
    if visit.status is not TicketStatus.SERVED or not start_pressed(visit):
        return None
    assert visit.started_at is not None and visit.finished_at is not None
    return _minutes(visit.started_at, visit.finished_at)


def walk_minutes(visit: Visit) -> float | None:
    if visit.called_at is None or not start_pressed(visit):
        return None
    assert visit.started_at is not None
    return _minutes(visit.called_at, visit.started_at)


def within_target(visit: Visit, target: float | None) -> bool | None:
    wait = wait_minutes(visit)
    if wait is None or target is None:
        return None
    return wait <= target


def left_queue_at(visit: Visit) -> datetime | None:
    """When the ticket stopped waiting: its call, or its end when it never was called."""
    return visit.called_at or visit.finished_at


# -- statistics ------------------------------------------------------------------


def mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest rank: sorted, the value at 1-based position ceil(fraction * n)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def minutes_json(value: float | None) -> float | None:
    return _round(value, 2)


def share_json(value: float | None) -> float | None:
    return _round(value, 4)


# -- results -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaitStats:
    called: int
    avg_wait: float | None
    p90_wait: float | None
    within_target: int
    sla_share: float | None

    @classmethod
    def of(cls, visits: Sequence[Visit], targets: Mapping[str, float]) -> WaitStats:
        called = [v for v in visits if v.called_at is not None]
        waits = [w for v in called if (w := wait_minutes(v)) is not None]
        within = sum(1 for v in called if within_target(v, targets.get(v.service_id)))
        return cls(len(called), mean(waits), percentile(waits, 0.9), within, share(within, len(called)))

    def to_json(self) -> dict[str, Any]:
        return {
            "called": self.called,
            "avg_wait_minutes": minutes_json(self.avg_wait),
            "p90_wait_minutes": minutes_json(self.p90_wait),
            "within_target": self.within_target,
            "sla_share": share_json(self.sla_share),
        }


@dataclass(frozen=True, slots=True)
class ServiceKpis:
    service: Labelled
    issued: int
    served: int
    abandoned: int
    no_show: int
    waits: WaitStats
    avg_service: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service.id,
            "name": self.service.name,
            "target_wait_minutes": self.service.target,
            "issued": self.issued,
            "served": self.served,
            "abandoned": self.abandoned,
            "no_show": self.no_show,
            **self.waits.to_json(),
            "avg_service_minutes": minutes_json(self.avg_service),
        }


@dataclass(frozen=True, slots=True)
class WorkerKpis:
    """A counter or a member of staff."""

    id: str
    name: str
    called: int
    served: int
    no_show: int
    avg_service: float | None
    avg_rating: float | None = None
    ratings: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "called": self.called,
            "served": self.served,
            "no_show": self.no_show,
            "avg_service_minutes": minutes_json(self.avg_service),
            "ratings": self.ratings,
            "avg_rating": _round(self.avg_rating, 2),
        }


@dataclass(frozen=True, slots=True)
class Satisfaction:
    ratings: int
    avg_score: float | None
    csat: float | None
    by_score: tuple[int, int, int, int, int]  # how many 1s .. 5s
    by_channel: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, ratings: Sequence[RatingRecord]) -> Satisfaction:
        scores = [r.score for r in ratings]
        counts = Counter(scores)
        satisfied = sum(1 for s in scores if s >= SATISFIED_SCORE)
        return cls(
            len(scores),
            mean([float(s) for s in scores]),
            share(satisfied, len(scores)),
            (counts[1], counts[2], counts[3], counts[4], counts[5]),
            dict(sorted(Counter(r.channel for r in ratings).items())),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ratings": self.ratings,
            "avg_score": _round(self.avg_score, 2),
            "csat": share_json(self.csat),
            "by_score": {str(score): count for score, count in enumerate(self.by_score, start=1)},
            "by_channel": dict(self.by_channel),
        }


@dataclass(frozen=True, slots=True)
class HourBucket:
    start: datetime  # branch-local
    end: datetime  # an hour later, or a day when the range is long
    issued: int
    called: int
    avg_wait: float | None
    waiting_at_end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "issued": self.issued,
            "called": self.called,
            "avg_wait_minutes": minutes_json(self.avg_wait),
            "waiting_at_end": self.waiting_at_end,
        }


@dataclass(frozen=True, slots=True)
class RangeKpis:
    issued: int
    waits: WaitStats
    avg_service: float | None
    avg_walk: float | None
    served: int
    abandoned: int
    no_show: int
    device_routes: int
    triaged_tickets: int
    top_intents: tuple[tuple[str, int, int], ...]  # (intent, device routes, tickets)
    satisfaction: Satisfaction
    services: tuple[ServiceKpis, ...]
    counters: tuple[WorkerKpis, ...]
    staff: tuple[WorkerKpis, ...]
    hourly: tuple[HourBucket, ...]
    remote_joins: int = 0
    remote_expired: int = 0
    closed_unserved: int = 0  # still in line when the branch closed (not customers who left)

    @property
    def abandonment_rate(self) -> float | None:
        return share(self.abandoned, self.issued)

    @property
    def no_show_rate(self) -> float | None:
        return share(self.no_show, self.issued)

    @property
    def self_service_share(self) -> float | None:
        return share(self.device_routes, self.device_routes + self.triaged_tickets)

    def to_json(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "served": self.served,
            **self.waits.to_json(),
            "avg_service_minutes": minutes_json(self.avg_service),
            "avg_walk_minutes": minutes_json(self.avg_walk),
            "abandoned": self.abandoned,
            "abandonment_rate": share_json(self.abandonment_rate),
            "closed_unserved": self.closed_unserved,
            "no_show": self.no_show,
            "no_show_rate": share_json(self.no_show_rate),
            "remote_joins": self.remote_joins,
            "remote_expired": self.remote_expired,
            "device_routes": self.device_routes,
            "triaged_tickets": self.triaged_tickets,
            "self_service_share": share_json(self.self_service_share),
            "top_intents": [
                {"intent": intent, "count": routes + tickets, "device_routes": routes, "tickets": tickets}
                for intent, routes, tickets in self.top_intents
            ],
            "satisfaction": self.satisfaction.to_json(),
            "services": [s.to_json() for s in self.services],
            "counters": [c.to_json() for c in self.counters],
            "staff": [s.to_json() for s in self.staff],
            "hourly": [h.to_json() for h in self.hourly],
        }


# -- computing them --------------------------------------------------------------------


def _left(visit: Visit) -> bool:
    """The customer left the line (not: the branch closed with them still in it)."""
    return visit.status is TicketStatus.ABANDONED and visit.outcome != BRANCH_CLOSED


def _served_times(visits: Iterable[Visit]) -> list[float]:
    return [m for v in visits if (m := service_minutes(v)) is not None]


def _worker(
    worker: Labelled, visits: Sequence[Visit], called: Sequence[Visit], ratings: Sequence[RatingRecord]
) -> WorkerKpis:
    served = [v for v in visits if v.status is TicketStatus.SERVED]
    scores = [float(r.score) for r in ratings]
    return WorkerKpis(
        worker.id,
        worker.name,
        called=len(called),
        served=len(served),
        no_show=sum(1 for v in called if v.status is TicketStatus.NO_SHOW),
        avg_service=mean(_served_times(served)),
        avg_rating=mean(scores),
        ratings=len(scores),
    )


def top_intents(visits: Sequence[Visit], routes: Sequence[RouteRecord]) -> tuple[tuple[str, int, int], ...]:
    by_route = Counter(r.intent for r in routes if r.decision == "device")
    by_ticket = Counter(v.intent for v in visits if v.intent)
    intents = sorted(set(by_route) | set(by_ticket), key=lambda i: (-(by_route[i] + by_ticket[i]), i))
    return tuple((i, by_route[i], by_ticket[i]) for i in intents[:TOP_INTENTS])


def _floor(moment: datetime, zone: ZoneInfo, daily: bool) -> datetime:
    local = moment.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    return datetime.combine(local.date(), time(0), zone) if daily else local


def _next(start: datetime, zone: ZoneInfo, daily: bool) -> datetime:
    if daily:
        return datetime.combine(start.date() + timedelta(days=1), time(0), zone)
    # Step in UTC so a day with a clock change still has every real hour once.
    return (start.astimezone(UTC) + HOUR).astimezone(zone)


def hourly(visits: Sequence[Visit], timezone: str, now: datetime) -> tuple[HourBucket, ...]:
    """See "hourly series" in the module docstring (one bucket a day past HOURLY_SPAN)."""
    zone = ZoneInfo(timezone)
    moments = [m for v in visits for m in (v.issued_at, v.called_at, v.finished_at) if m is not None and m <= now]
    if not moments:
        return ()
    daily = max(moments) - min(moments) > HOURLY_SPAN
    issued = sorted(v.issued_at for v in visits)
    left = sorted(m for v in visits if (m := left_queue_at(v)) is not None)
    calls = sorted((v.called_at, w) for v in visits if v.called_at is not None and (w := wait_minutes(v)) is not None)
    call_times = [at for at, _ in calls]
    buckets: list[HourBucket] = []
    start, last = _floor(min(moments), zone, daily), _floor(max(moments), zone, daily)
    while start <= last:
        end = _next(start, zone, daily)
        first_call, end_call = bisect_left(call_times, start), bisect_left(call_times, end)
        waits = [w for _, w in calls[first_call:end_call]]
        at = min(end, now)
        # Waiting at `at`: issued before it, minus those that left the queue by then.
        waiting = bisect_left(issued, at) - bisect_right(left, at)
        buckets.append(
            HourBucket(
                start, end, bisect_left(issued, end) - bisect_left(issued, start), len(waits), mean(waits), waiting
            )
        )
        start = end
    return tuple(buckets)


def summarize(
    visits: Sequence[Visit],
    routes: Sequence[RouteRecord],
    ratings: Sequence[RatingRecord],
    services: Sequence[Labelled],
    counters: Sequence[Labelled],
    timezone: str,
    now: datetime,
) -> RangeKpis:
    """All the KPIs of one date range (see the module docstring for each definition)."""
    targets = {s.id: s.target for s in services if s.target is not None}
    by_status = Counter(v.status for v in visits)

    service_rows = []
    known_services = {s.id for s in services}
    extra = sorted({v.service_id for v in visits} - known_services)
    for service in (*services, *(Labelled(s, s) for s in extra)):
        mine = [v for v in visits if v.service_id == service.id]
        service_rows.append(
            ServiceKpis(
                service,
                issued=len(mine),
                served=sum(1 for v in mine if v.status is TicketStatus.SERVED),
                abandoned=sum(1 for v in mine if _left(v)),
                no_show=sum(1 for v in mine if v.status is TicketStatus.NO_SHOW),
                waits=WaitStats.of(mine, targets),
                avg_service=mean(_served_times(mine)),
            )
        )

    called = [v for v in visits if v.called_at is not None]
    known_counters = {c.id for c in counters}
    extra_counters = sorted({v.counter_id for v in called if v.counter_id} - known_counters)
    counter_rows = tuple(
        _worker(
            counter,
            [v for v in called if v.counter_id == counter.id],
            [v for v in called if v.counter_id == counter.id],
            [r for r in ratings if r.counter_id == counter.id],
        )
        for counter in (*counters, *(Labelled(c, c) for c in extra_counters))
    )

    rated = {r.ticket_id: r for r in ratings if r.ticket_id}
    names = sorted({v.staff for v in called if v.staff} | {v.called_by for v in called if v.called_by})
    staff_rows = tuple(
        _worker(
            Labelled(name, name),
            [v for v in called if v.staff == name],
            [v for v in called if v.called_by == name],
            [rated[v.ticket_id] for v in called if v.staff == name and v.ticket_id in rated],
        )
        for name in names
    )

    walks = [w for v in visits if (w := walk_minutes(v)) is not None]
    return RangeKpis(
        issued=len(visits),
        waits=WaitStats.of(visits, targets),
        avg_service=mean(_served_times(visits)),
        avg_walk=mean(walks),
        served=by_status[TicketStatus.SERVED],
        abandoned=sum(1 for v in visits if _left(v)),
        no_show=by_status[TicketStatus.NO_SHOW],
        closed_unserved=sum(1 for v in visits if v.outcome == BRANCH_CLOSED),
        device_routes=sum(1 for r in routes if r.decision == "device"),
        triaged_tickets=sum(1 for v in visits if v.intent),
        top_intents=top_intents(visits, routes),
        satisfaction=Satisfaction.of(ratings),
        services=tuple(service_rows),
        counters=counter_rows,
        staff=staff_rows,
        hourly=hourly(visits, timezone, now),
        remote_joins=sum(1 for v in visits if v.remote),
        remote_expired=sum(1 for v in visits if v.remote and v.outcome == NOT_ARRIVED),
    )


# -- live ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveService:
    service: Labelled
    waiting: int
    longest_wait: float  # minutes; 0 when nobody waits

    @property
    def over_target(self) -> bool:
        return self.service.target is not None and self.waiting > 0 and self.longest_wait > self.service.target

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service.id,
            "name": self.service.name,
            "waiting": self.waiting,
            "longest_wait_minutes": round(self.longest_wait, 2),
            "target_wait_minutes": self.service.target,
            "over_target": self.over_target,
        }


def live_services(
    services: Sequence[Labelled], waiting: Mapping[str, tuple[int, datetime | None]], now: datetime
) -> tuple[LiveService, ...]:
    """`waiting`: service -> (tickets waiting, oldest issue time)."""
    out = []
    for service in services:
        count, oldest = waiting.get(service.id, (0, None))
        longest = max(0.0, _minutes(oldest, now)) if oldest is not None and count else 0.0
        out.append(LiveService(service, count, longest))
    return tuple(out)
