"""The hub's wait estimates: the domain's `WaitModel`, learned from this branch's database.

* Learned (rebuilt every `queue.eta_refresh_seconds`, per hub process: a cache, every process learns
  the same from the same database): handling times per service x counter x hour, arrivals per
  weekday x hour, patience and the counters' pickup and turnaround delays, from the last
  `queue.eta_history_days` days; today's served tickets and arrivals on top (assistant/domain/eta_stats.py).
* The present (read at each estimate): today's waiting tickets, each counter's state (open, on a
  break until when, closed), the ticket at it since when, its shifts and breaks (branch.yml), the
  latest call classes, the appointments still to check in today.

One projection serves every waiting ticket; its result is kept while nothing changed (the same
waiting tickets, counters and minute), so an event that refreshes every open tracking page costs
one projection, not one per page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.clock import Clock, business_date
from assistant.domain.eta import GHOST, CounterNow, Expected, QueueSnapshot, WaitEstimate, WaitModel
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
from assistant.domain.tickets import BRANCH_CLOSED, OrderingPolicy, Priority, Ticket, TicketStatus
from assistant.settings import Settings, counter_schedule
from assistant.store.history import CounterState, PastTicket, WaitHistory
from assistant.store.repo import TicketRepository

log = logging.getLogger(__name__)

OPEN, BREAK = "open", "break"
CACHED_ESTIMATES = 8


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
    if state is None or state.state not in (OPEN, BREAK):
        return tuple((a, b) for a, b in planned if a > now)
    if state.state == BREAK:
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


class WaitTimes:
    """The hub's estimates: `for_ticket`, `for_new_ticket` (the queue overview) and `snapshot`."""

    def __init__(self, settings: Settings, clock_: Clock, policy: OrderingPolicy) -> None:
        self.settings, self.clock, self.policy = settings, clock_, policy
        self.zone = ZoneInfo(settings.branch.timezone)
        self.plans = {c.id: counter_schedule(settings, c) for c in settings.counters}
        self._model: tuple[datetime, date, WaitModel] | None = None  # learned at (the branch's clock)
        self._estimates: dict[tuple[object, ...], dict[str, WaitEstimate | None]] = {}

    async def model(self, session: AsyncSession) -> WaitModel:
        """The learned model, rebuilt from the database every `queue.eta_refresh_seconds`."""
        now = self.clock.now()
        today = business_date(now, self.settings.branch.timezone)
        refresh = timedelta(seconds=self.settings.queue.eta_refresh_seconds)
        if self._model is not None and self._model[1] == today and now - self._model[0] < refresh:
            return self._model[2]
        first = today - timedelta(days=self.settings.queue.eta_history_days)
        past = await WaitHistory(session).tickets_since(first)
        model = learn(past, today, now, self.settings, self.policy)
        self._model = (now, today, model)
        log.debug("wait model learned from %d tickets since %s", len(past), first)
        return model

    async def snapshot(self, session: AsyncSession, extra: Sequence[Ticket] = ()) -> QueueSnapshot:
        now = self.clock.now()
        today = business_date(now, self.settings.branch.timezone)
        history = WaitHistory(session)
        waiting = await history.waiting(today)
        states = await history.counters(today)
        day = opening(self.settings, now)
        counters = []
        for config in self.settings.counters:
            state = states.get(config.id)
            counters.append(
                CounterNow(
                    id=config.id,
                    skills=dict(config.skills),
                    windows=counter_windows(self.plans[config.id], state, now, day, self.zone),
                    serving=state.serving if state else None,
                    since=state.since if state else None,
                    idle_since=(state.last_finished if state else None) if not (state and state.serving) else None,
                )
            )
        recent = await TicketRepository(session).recent_call_classes(today)
        expected: list[Expected] = []
        if day is not None:
            late = timedelta(minutes=self.settings.appointments.check_in_window_minutes[1])
            booked = await history.booked(now - late, day.closes)
            expected = [Expected(max(starts, now), service) for starts, service in booked]
        return QueueSnapshot(
            now=now,
            zone=self.zone,
            waiting=(*waiting, *extra),
            counters=tuple(counters),
            recent=tuple(recent),
            doors_close=day.closes if day else now,
            expected=tuple(expected),
        )

    async def estimates(self, session: AsyncSession, extra: Sequence[Ticket] = ()) -> dict[str, WaitEstimate | None]:
        """Every waiting ticket's estimate, each service's for a ticket taken now (a ghost: it changes no
        one else's) and `extra`'s, from one projection kept while nothing changed."""
        snapshot = await self.snapshot(session, (*extra, *self._ghosts()))
        model = await self.model(session)
        key = _key(snapshot, model)
        found = self._estimates.get(key)
        if found is None:
            found = model.estimate(snapshot)
            if len(self._estimates) >= CACHED_ESTIMATES:
                self._estimates.pop(next(iter(self._estimates)))
            self._estimates[key] = found
        return found

    async def for_ticket(self, session: AsyncSession, ticket: Ticket) -> WaitEstimate | None:
        if ticket.status is not TicketStatus.WAITING:
            return None
        found = await self.estimates(session)
        if ticket.id in found:
            return found[ticket.id]
        # Not in today's line (issued on another day, or just now by another process): on its own.
        return (await self.estimates(session, (ticket,))).get(ticket.id)

    async def for_new_ticket(self, session: AsyncSession, service_id: str) -> WaitEstimate | None:
        """What a normal ticket of `service_id` taken now would be told (the queue overview, the display)."""
        return (await self.estimates(session)).get(f"{GHOST}{service_id}")

    def _ghosts(self) -> list[Ticket]:
        now = self.clock.now()
        day = business_date(now, self.settings.branch.timezone)
        return [
            Ticket(
                id=f"{GHOST}{service.id}", number="G000", service_id=service.id, business_date=day, channel="kiosk",
                lang="en", priority=Priority.NORMAL, status=TicketStatus.WAITING, issued_at=now,
            )
            for service in self.settings.services
        ]


def _key(snapshot: QueueSnapshot, model: WaitModel) -> tuple[object, ...]:
    """What an estimate depends on: the minute, the line, the counters, the model."""
    minute = snapshot.now.replace(second=0, microsecond=0)
    line = tuple(sorted((t.id, t.status, t.arrived_at is None) for t in snapshot.waiting))
    # a window that is open now starts "now": its end and the counter's state are what matter
    desks = tuple(
        (c.id, tuple((a if a > snapshot.now else None, b) for a, b in c.windows), c.serving, c.since)
        for c in snapshot.counters
    )
    return (minute, line, desks, tuple(snapshot.recent), id(model))
