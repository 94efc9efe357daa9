"""What the wait model is learned from: the opening day, counter windows, past tickets by hour."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.domain.eta import WaitModel
from assistant.domain.eta_stats import (
    CounterCall,
    Issued,
    Served,
    Waited,
    fit_arrivals,
    fit_delays,
    fit_handling,
    fit_patience,
)
from assistant.domain.hours import DAYS
from assistant.domain.schedule import CounterSchedule, clock
from assistant.domain.staff import CounterStatus
from assistant.domain.tickets import BRANCH_CLOSED, OrderingPolicy, TicketStatus
from assistant.settings import Settings
from assistant.store.history import CounterState, PastTicket

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Day:
    """Today's opening hours as aware datetimes: doors close at `closes`, counters stop at `ends`."""

    opens: datetime
    closes: datetime
    ends: datetime


def opening(settings: Settings, now: datetime) -> Day | None:
    """Today's hours in the branch's zone (None: closed all day)."""
    zone = ZoneInfo(settings.branch.timezone)
    local = now.astimezone(zone)
    span = settings.branch.opening_hours.get(DAYS[local.weekday()])
    if not span:
        return None
    opens = datetime.combine(local.date(), clock(str(span[0])), tzinfo=zone)
    closes = datetime.combine(local.date(), clock(str(span[1])), tzinfo=zone)
    return Day(opens, closes, closes + timedelta(minutes=settings.queue.closing_overtime_minutes))


def counter_windows(
    plan: CounterSchedule, state: CounterState | None, now: datetime, day: Day | None, zone: ZoneInfo
) -> tuple[tuple[datetime, datetime], ...]:
    """When a counter takes customers from now to the end of the day: open now until its shift or break
    ends (the branch's closing when it works outside its plan), then its later shifts; on a break, its
    plan from when it is due back; closed, its plan from its next shift on (not the current one)."""
    end = day.ends if day else now + timedelta(hours=1)
    # A shift that ends at closing time goes on through the overtime: the counters serve who is inside.
    planned = [(a, end if day is not None and b == day.closes else b) for a, b in plan.availability(now, end, zone)]
    if state is None or state.state not in (CounterStatus.OPEN, CounterStatus.BREAK):
        return tuple((a, b) for a, b in planned if a > now)
    if state.state == CounterStatus.BREAK:
        back = state.away_until
        if back is None:
            return ()
        return tuple((max(a, back), b) for a, b in planned if b > back)
    current = next((b for a, b in planned if a <= now < b), None)
    if current is None:
        current = day.ends if day is not None and now < day.ends else now + timedelta(minutes=30)
    later = [(a, b) for a, b in planned if a >= current]
    return ((now, current), *later)


def learn(
    past: Sequence[PastTicket],
    today: date,
    now: datetime,
    settings: Settings,
    policy: OrderingPolicy,
) -> WaitModel:
    """The wait model from past tickets (today's among them): the same fits as `lobby simulate`."""
    zone = ZoneInfo(settings.branch.timezone)
    seeds = {s.id: s.handling_minutes for s in settings.services}
    skills = {c.id: dict(c.skills) for c in settings.counters}
    served, issued, waited, calls = _records(past, zone)
    handling = fit_handling([r for day, r in served if day != today], seeds, skills).with_today(
        r for day, r in served if day == today
    )
    arrivals = fit_arrivals([i for i in issued if i.day != today])
    day = opening(settings, now)
    opens = day.opens if day else now
    arrivals = arrivals.with_today(
        now.astimezone(zone).weekday(),
        list(_hours(opens, now, zone)),
        [(i.service_id, i.priority) for i in issued if i.day == today],
        max(0.0, (now - opens).total_seconds() / 60),
    )
    return WaitModel(policy, handling, arrivals, fit_patience(waited), fit_delays(calls))


def _handled(ticket: PastTicket) -> bool:
    return (
        ticket.status is TicketStatus.SERVED
        and ticket.counter_id is not None
        and ticket.started_at is not None
        and ticket.finished_at is not None
        and ticket.finished_at > ticket.started_at  # finished without "start": no measured time
    )


def _records(
    past: Sequence[PastTicket], zone: ZoneInfo
) -> tuple[list[tuple[date, Served]], list[Issued], list[Waited], list[CounterCall]]:
    served: list[tuple[date, Served]] = []
    issued, waited, calls = [], [], []
    for ticket in past:
        local = ticket.issued_at.astimezone(zone)
        issued.append(Issued(ticket.business_date, local.hour, ticket.service_id, ticket.priority))
        if _handled(ticket):
            assert ticket.started_at is not None and ticket.finished_at is not None and ticket.counter_id
            minutes = (ticket.finished_at - ticket.started_at).total_seconds() / 60
            hour = ticket.started_at.astimezone(zone).hour
            served.append((ticket.business_date, Served(ticket.service_id, ticket.counter_id, hour, minutes)))
        if ticket.called_at is not None:
            waited.append(Waited((ticket.called_at - ticket.ready_at).total_seconds() / 60, False))
            if ticket.counter_id and ticket.finished_at is not None:
                origin = datetime.combine(ticket.business_date, datetime.min.time(), tzinfo=zone)
                minute = lambda moment, origin=origin: (moment - origin).total_seconds() / 60  # noqa: E731
                calls.append(
                    CounterCall(ticket.counter_id, ticket.business_date, minute(ticket.ready_at),
                                minute(ticket.called_at), minute(ticket.finished_at))
                )  # fmt: skip
        elif ticket.status is TicketStatus.ABANDONED and ticket.finished_at and ticket.outcome != BRANCH_CLOSED:
            waited.append(Waited((ticket.finished_at - ticket.ready_at).total_seconds() / 60, True))
    return served, issued, waited, calls


def _hours(start: datetime, now: datetime, zone: ZoneInfo) -> Iterable[tuple[int, float]]:
    moment = start
    while moment < now:
        local = moment.astimezone(zone)
        stop = min(moment + timedelta(minutes=60 - local.minute - local.second / 60), now)
        yield local.hour, (stop - moment).total_seconds() / 3600
        moment = stop
