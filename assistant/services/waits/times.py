"""Wait times for every open ticket, from the latest projection, refreshed in the background."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.clock import Clock, business_date
from assistant.domain.eta import GHOST, CounterNow, Expected, QueueSnapshot, WaitEstimate, WaitModel
from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus
from assistant.services.waits.apart import Projector, ProjectorGone, can_work_apart, preforked
from assistant.services.waits.inputs import counter_windows, learn, log, opening
from assistant.settings import Settings, counter_schedule
from assistant.store.history import PastTicket, WaitHistory
from assistant.store.repo import TicketRepository


@dataclass(frozen=True, slots=True)
class _Projection:
    """One projection of the whole line: every waiting ticket's estimate and each ghost's."""

    version: int  # WaitTimes.version when its snapshot was read
    minute: datetime
    today: date
    estimates: Mapping[str, WaitEstimate | None]
    took: float  # seconds: the snapshot read and the projection


class WaitTimes:
    """The hub's estimates: `for_ticket`, `for_new_ticket` (the queue overview) and `snapshot`.

    Answering never waits for a projection (but the day's first). `changed()` (every event this process
    publishes or receives) marks the latest projection stale; a request then gets the latest while a
    refresh runs in the background (in a worker thread, so the event loop keeps
    answering), at most `BUDGET` of the time: a projection that took T waits T x (1/BUDGET - 1) before
    the next. So ticket creation costs the same with 2,000 waiting as with none, and an estimate is at
    most a few seconds behind the line under load (a new ticket meanwhile gets the estimate of a ticket
    of its service and class taken at the latest projection: its ghost).

    When `work_apart` named the database, the background projections run in a process of their own
    (assistant/services/waits/apart.py): in a thread their pure Python holds the GIL against every
    request in flight (with 2,000 waiting, a ticket's p99 doubled). `lobby serve` forks it before the
    server starts; a hub without one spawns it once a projection takes `APART_AFTER` (a long line), and
    any hub spawns a new one if it died (at most once in `RESTART_SECONDS`). Meanwhile a thread serves."""

    BUDGET = 0.1
    APART_AFTER = 0.02  # seconds: a projection this slow is worth a process of its own
    RESTART_SECONDS = 30.0  # at most one start of the projection process in this time (one died or failed)

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
        self._database_url: str | None = None  # set by work_apart: the projection process may read it
        self.projector: Projector | None = None  # running (or starting) when projections are made apart
        self._starting: asyncio.Task[None] | None = None
        self._start_after = 0.0  # time.monotonic() before which no projection process is started again

    def work_apart(self, database_url: str) -> None:
        """Let slow background projections run in a process of their own that reads `database_url`
        (a file or a server: a process cannot see another's in-memory SQLite database)."""
        if not can_work_apart(database_url):
            return
        self._database_url = database_url
        if preforked(database_url):
            self._start_projector()

    def changed(self) -> None:
        """The line or the counters may have changed (an event): the latest projection is stale, and a
        refresh starts (in the background, after its budget wait) for the pages that will ask next."""
        self.version += 1
        if self._latest is not None:
            self._schedule()

    async def close(self) -> None:
        for task in (self._refresh, self._relearn, self._starting):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        projector, self.projector = self.projector, None
        if projector is not None:
            await projector.close()

    async def warm(self, wait_seconds: float = 10.0) -> None:
        """Before the hub answers: the model learned and the day's first projection made (the first
        customer does not wait for weeks of history to be read), and the projection process given up
        to `wait_seconds` to come up (the thread serves meanwhile if it takes longer)."""
        if self.sessions is not None:
            async with self.sessions() as session:
                await self.project(session)
        starting = self._starting
        if starting is not None and not starting.done():
            await asyncio.wait({starting}, timeout=wait_seconds)

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

    async def project(self, session: AsyncSession | None = None) -> Mapping[str, WaitEstimate | None]:
        """A projection of the line now, kept as the latest. In the caller's `session` (on the spot), or
        apart: by the projection process when one runs, else the snapshot read in a short session of its
        own and the runs in a worker thread, with no transaction open (SQLite's one writer and the pool's
        connection are free for the requests)."""
        started = time.perf_counter()
        version, now = self.version, self.clock.now()
        found: Mapping[str, WaitEstimate | None] | None = None
        if session is not None:
            snapshot = await self.snapshot(session, self._ghosts())
            found = (await self.model(session)).estimate(snapshot)
        elif self.projector is not None:
            try:
                found = await self.projector.project(now)
            except ProjectorGone:
                log.warning("the projection process is gone; projecting in a thread", exc_info=True)
                projector, self.projector = self.projector, None
                await projector.close()
        if found is None:
            assert self.sessions is not None
            async with self.sessions() as own:
                snapshot = await self.snapshot(own, self._ghosts())
                model = await self.model(own)
            found = await asyncio.to_thread(model.estimate, snapshot)
        took = time.perf_counter() - started
        if session is None and self.projector is None and took >= self.APART_AFTER:
            self._start_projector()
        today = business_date(now, self.settings.branch.timezone)
        latest = self._latest
        if latest is None or latest.version <= version:  # a slower, older projection never wins
            self._latest = _Projection(version, _minute(now), today, found, took)
        return found

    async def estimates(self, session: AsyncSession, extra: Sequence[Ticket] = ()) -> Mapping[str, WaitEstimate | None]:
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

    def _start_projector(self) -> None:
        """Start the projection process in the background (the thread serves until it is ready)."""
        if self._database_url is None or self.projector is not None or time.monotonic() < self._start_after:
            return
        if self._starting is not None and not self._starting.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop yet: the first background projection starts it
            return
        self._start_after = time.monotonic() + self.RESTART_SECONDS
        self._starting = loop.create_task(self._start_apart(self._database_url))

    async def _start_apart(self, database_url: str) -> None:
        projector = Projector(self.settings, database_url)
        try:
            await projector.start()
        except Exception:  # the thread goes on serving; a later slow projection tries again
            log.warning("could not start the projection process", exc_info=True)
            return
        self.projector = projector

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
