"""The hub's wait estimates: the domain's `WaitModel`, learned from this branch's database.

* Learned (rebuilt every `queue.eta_refresh_seconds`, per hub process: a cache, every process learns
  the same from the same database): handling times per service x counter x hour, arrivals per
  weekday x hour, patience and the counters' pickup and turnaround delays, from the last
  `queue.eta_history_days` days; today's served tickets and arrivals on top (assistant/domain/eta_stats.py).
* The present (read at each estimate): today's waiting tickets, each counter's state (open, on a
  break until when, closed), the ticket at it since when, its shifts and breaks (branch.yml), the
  latest call classes, the appointments still to check in today.

One projection serves every waiting ticket; its result is kept while nothing changed (no event, the
same minute), so an event that refreshes every open tracking page costs one projection, not one per
page; under load projections run in the background within a CPU budget (`WaitTimes`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


@dataclass(frozen=True, slots=True)
class _Projection:
    """One projection of the whole line: every waiting ticket's estimate and each ghost's."""

    version: int  # WaitTimes.version when its snapshot was read
    minute: datetime
    today: date
    estimates: dict[str, WaitEstimate | None]
    took: float  # seconds: the snapshot read and the projection


class WaitTimes:
    """The hub's estimates: `for_ticket`, `for_new_ticket` (the queue overview) and `snapshot`.

    Answering never waits for a projection (but the day's first). `changed()` (every event this process
    publishes or receives) marks the latest projection stale; a request then gets the latest while a
    refresh runs in the background (in a worker thread, so the event loop keeps
    answering), at most `BUDGET` of the time: a projection that took T waits T x (1/BUDGET - 1) before
    the next. So ticket creation costs the same with 2,000 waiting as with none, and an estimate is at
    most a few seconds behind the line under load (a new ticket meanwhile gets the estimate of a ticket
    of its service and class taken at the latest projection: its ghost)."""

    BUDGET = 0.1

    def __init__(
        self,
        settings: Settings,
        clock_: Clock,
        policy: OrderingPolicy,
        sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.settings, self.clock, self.policy, self.sessions = settings, clock_, policy, sessions
        self.zone = ZoneInfo(settings.branch.timezone)
        self.plans = {c.id: counter_schedule(settings, c) for c in settings.counters}
        self._model: tuple[datetime, date, WaitModel] | None = None  # learned at (the branch's clock)
        self.version = 0
        self._latest: _Projection | None = None
        self._refresh: asyncio.Task[None] | None = None
        self._relearn: asyncio.Task[None] | None = None
        self._next_allowed = 0.0  # time.monotonic() before which no background projection starts

    def changed(self) -> None:
        """The line or the counters may have changed (an event): the latest projection is stale, and a
        refresh starts (in the background, after its budget wait) for the pages that will ask next."""
        self.version += 1
        if self._latest is not None:
            self._schedule()

    async def close(self) -> None:
        for task in (self._refresh, self._relearn):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def model(self, session: AsyncSession) -> WaitModel:
        """The learned model, relearned from the database every `queue.eta_refresh_seconds` — in the
        background when one is already there (learning reads weeks of tickets), at once on a new day."""
        now = self.clock.now()
        today = business_date(now, self.settings.branch.timezone)
        if self._model is None or self._model[1] != today:
            return await self._learn(session, now, today)
        refresh = timedelta(seconds=self.settings.queue.eta_refresh_seconds)
        if now - self._model[0] >= refresh:
            if self.sessions is None:
                return await self._learn(session, now, today)
            if self._relearn is None or self._relearn.done():
                self._relearn = asyncio.create_task(self._learn_apart(now, today))
        return self._model[2]

    async def _learn(self, session: AsyncSession, now: datetime, today: date) -> WaitModel:
        past = await self._past(session, today)
        model = learn(past, today, now, self.settings, self.policy)
        self._model = (now, today, model)
        return model

    async def _past(self, session: AsyncSession, today: date) -> Sequence[PastTicket]:
        first = today - timedelta(days=self.settings.queue.eta_history_days)
        past = await WaitHistory(session).tickets_since(first)
        log.debug("wait model learning from %d tickets since %s", len(past), first)
        return past

    async def _learn_apart(self, now: datetime, today: date) -> None:
        """Relearn: the history read in a short session, the fits in a worker thread (no transaction open)."""
        assert self.sessions is not None
        try:
            async with self.sessions() as session:
                past = await self._past(session, today)
            model = await asyncio.to_thread(learn, past, today, now, self.settings, self.policy)
            self._model = (now, today, model)
        except Exception:  # the old model serves on; the next estimate tries again
            log.exception("relearning the wait model failed")
            return
        self.changed()  # the estimates of the old model are stale now

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

    async def project(self, session: AsyncSession | None = None) -> dict[str, WaitEstimate | None]:
        """A projection of the line now, kept as the latest. In the caller's `session` (on the spot), or
        apart: the snapshot read in a short session of its own, then the runs in a worker thread, with
        no transaction open (SQLite's one writer and the pool's connection are free for the requests)."""
        started = time.perf_counter()
        version, now = self.version, self.clock.now()
        if session is not None:
            snapshot = await self.snapshot(session, self._ghosts())
            found = (await self.model(session)).estimate(snapshot)
        else:
            assert self.sessions is not None
            async with self.sessions() as own:
                snapshot = await self.snapshot(own, self._ghosts())
                model = await self.model(own)
            found = await asyncio.to_thread(model.estimate, snapshot)
        took = time.perf_counter() - started
        today = business_date(now, self.settings.branch.timezone)
        latest = self._latest
        if latest is None or latest.version <= version:  # a slower, older projection never wins
            self._latest = _Projection(version, _minute(now), today, found, took)
        return found

    async def estimates(self, session: AsyncSession, extra: Sequence[Ticket] = ()) -> dict[str, WaitEstimate | None]:
        """Every waiting ticket's estimate and each service and class's for a ticket taken now (a ghost:
        it changes no one else's), from the latest projection; `extra` (not in today's line) projected
        with them on the spot. The first projection of the day is made on the spot; after that a change
        (an event, a new minute) starts a refresh in the background and the latest answers meanwhile."""
        if extra:
            snapshot = await self.snapshot(session, (*extra, *self._ghosts()))
            return (await self.model(session)).estimate(snapshot)
        now = self.clock.now()
        latest = self._latest
        if latest is None or latest.today != business_date(now, self.settings.branch.timezone):
            return await self.project(session)
        if not self._current():
            if self.sessions is None:  # no way to refresh apart (a bench, a unit test): on the spot
                return await self.project(session)
            self._schedule()
        return latest.estimates

    async def settle(self) -> None:
        """Wait until the model is relearned if that is under way and the latest projection is current
        (tests, benches: what a client sees a moment later)."""
        while True:
            running = [t for t in (self._relearn, self._refresh) if t is not None and not t.done()]
            if running:
                await asyncio.shield(running[0])
                continue
            if self._current() or self.sessions is None:
                return
            self._schedule()

    def _current(self) -> bool:
        """The latest projection saw every change and is of this minute."""
        latest = self._latest
        return latest is not None and latest.version == self.version and latest.minute == _minute(self.clock.now())

    def _schedule(self) -> None:
        if self.sessions is not None and (self._refresh is None or self._refresh.done()):
            try:
                self._refresh = asyncio.get_running_loop().create_task(self._refresh_apart())
            except RuntimeError:  # no event loop (a script's own use): the next estimate asks again
                pass

    async def _refresh_apart(self) -> None:
        """Background projections until one is current, each after its budget wait."""
        assert self.sessions is not None
        while True:
            wait = self._next_allowed - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                await self.project()
            except Exception:  # the latest estimates serve on; the next change tries again
                log.exception("refreshing the wait estimates failed")
                return
            finally:
                took = self._latest.took if self._latest else 0.0
                self._next_allowed = time.monotonic() + took * (1 / self.BUDGET - 1)
            if self._latest is None or self._current():
                return

    async def for_ticket(self, session: AsyncSession, ticket: Ticket) -> WaitEstimate | None:
        if ticket.status is not TicketStatus.WAITING:
            return None
        found = await self.estimates(session)
        if ticket.id in found:
            return found[ticket.id]
        if ticket.business_date == business_date(self.clock.now(), self.settings.branch.timezone):
            # Joined since the latest projection (here or in another process): a ticket of its service and
            # class taken at that projection is the best estimate until the next one.
            ghost = ghost_id(ticket.service_id, ticket.priority)
            if ghost in found:
                return found[ghost]
        # Not in today's line (issued on another day): on its own.
        return (await self.estimates(session, (ticket,))).get(ticket.id)

    async def for_new_ticket(self, session: AsyncSession, service_id: str) -> WaitEstimate | None:
        """What a normal ticket of `service_id` taken now would be told (the queue overview, the display)."""
        return (await self.estimates(session)).get(ghost_id(service_id, Priority.NORMAL))

    def _ghosts(self) -> list[Ticket]:
        now = self.clock.now()
        day = business_date(now, self.settings.branch.timezone)
        return [
            Ticket(
                id=ghost_id(service.id, priority),
                number="G000",
                service_id=service.id,
                business_date=day,
                channel="kiosk",
                lang="en",
                priority=priority,
                status=TicketStatus.WAITING,
                issued_at=now,
            )
            for service in self.settings.services
            for priority in Priority
        ]


def ghost_id(service_id: str, priority: str) -> str:
    """The ghost of a ticket of `service_id` and class `priority` taken at the projection."""
    return f"{GHOST}{service_id}" if priority == Priority.NORMAL else f"{GHOST}{service_id}|{priority}"


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)
