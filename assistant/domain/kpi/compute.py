"""Computing the KPIs of a range of days from visits, routes and ratings."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.domain.kpi.records import (
    HOUR,
    HOURLY_SPAN,
    TOP_INTENTS,
    Labelled,
    RatingRecord,
    RouteRecord,
    Visit,
    left_queue_at,
    service_minutes,
    wait_minutes,
    walk_minutes,
)
from assistant.domain.kpi.results import HourBucket, RangeKpis, Satisfaction, ServiceKpis, WaitStats, WorkerKpis
from assistant.domain.kpi.stats import mean
from assistant.domain.tickets import BRANCH_CLOSED, NOT_ARRIVED, TicketStatus

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
