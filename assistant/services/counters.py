"""Counter use cases: call, recall, start, finish, no-show, park, transfer, open, close.

Each runs in one transaction (the counter's row, its ticket and the audit entry saying who did it
change together), then publishes what happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.audit import Actor, AuditAction, ticket_state
from assistant.domain.clock import business_date
from assistant.domain.errors import Conflict, InvalidInput, NotFound, NothingToCall
from assistant.domain.events import Event, EventType
from assistant.domain.schedule import cover_skills
from assistant.domain.staff import CounterStatus
from assistant.domain.tickets import AT_COUNTER, Ticket, TicketStatus
from assistant.services.tickets import BranchService
from assistant.settings import CounterConfig
from assistant.store.audit import AuditLog
from assistant.store.repo import CounterRepository, TicketRepository
from lobby_wire.tickets import TicketView

log = logging.getLogger(__name__)


def break_end(now: datetime, zone: ZoneInfo, until: str | None, minutes: int | None) -> datetime:
    """When a break that starts `now` ends: today's `until` ("13:30", branch-local, later than now) or
    `minutes` from now. Exactly one of the two."""
    if (until is None) == (minutes is None):
        raise InvalidInput("give until (HH:MM) or minutes", code="invalid_input")
    if minutes is not None:
        return now + timedelta(minutes=minutes)
    assert until is not None
    hours, mins = (int(part) for part in until.split(":"))
    back = now.astimezone(zone).replace(hour=hours, minute=mins, second=0, microsecond=0)
    if back <= now:
        raise InvalidInput(f"{until} has passed; a break ends later today", code="invalid_input")
    return back


class CounterService:
    def __init__(self, branch: BranchService) -> None:
        self.branch = branch
        self.settings = branch.settings

    def _counter(self, counter_id: str) -> CounterConfig:
        counter = next((c for c in self.settings.counters if c.id == counter_id), None)
        if counter is None:
            raise NotFound(f"no counter {counter_id}", code="counter_not_found")
        return counter

    async def _current(self, session: AsyncSession, counter_id: str) -> Ticket | None:
        row = await CounterRepository(session).get(counter_id)
        if row is None or not row.current_ticket_id:
            return None
        ticket = await TicketRepository(session).get(row.current_ticket_id)
        return ticket if ticket is not None and ticket.status in AT_COUNTER else None

    async def _covered_skills(self, session: AsyncSession, counter: CounterConfig) -> dict[str, float]:
        """Its skills with break cover: a service no open counter has at full weight is a main skill of
        the open counters best at it (assistant/domain/schedule.py), so it is not left behind theirs."""
        states = await CounterRepository(session).states()
        opened = [c for c, state in states.items() if state == CounterStatus.OPEN]
        return cover_skills({c.id: c.skills for c in self.settings.counters}, opened).get(counter.id, counter.skills)

    async def _require_open(self, session: AsyncSession, counter: CounterConfig) -> None:
        row = await CounterRepository(session).get(counter.id)
        if row is None or row.state != CounterStatus.OPEN:
            raise Conflict(f"{counter.name} is closed; open it first", code="counter_closed")

    async def _publish(self, kind: EventType, view: TicketView, counter: CounterConfig) -> None:
        data = {"ticket": view.to_json(), "counter": {"id": counter.id, "name": counter.name}}
        await self.branch.publish(Event(kind, self.branch.clock.now(), data))

    # -- calling ---------------------------------------------------------------

    async def call_next(self, counter_id: str, actor: Actor | None = None) -> TicketView:
        counter = self._counter(counter_id)
        return await self._call(counter, lambda waiting, recent, now, skills: self.branch.policy.choose(
            waiting, skills, now, recent, counter_id=counter.id
        ), actor=actor)  # fmt: skip

    async def call(self, counter_id: str, ticket_id: str, actor: Actor | None = None) -> TicketView:
        """Call one particular waiting or parked ticket."""
        counter = self._counter(counter_id)
        async with self.branch.sessions.begin() as session:
            ticket = await TicketRepository(session).get(ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id}", code="ticket_not_found")
        return await self._call(counter, lambda *_: ticket, specific=ticket_id, actor=actor)

    async def _call(
        self,
        counter: CounterConfig,
        pick: Callable[[list[Ticket], list[str], Any, dict[str, float]], Ticket | None],
        specific: str | None = None,
        actor: Actor | None = None,
    ) -> TicketView:
        now = self.branch.clock.now()
        async with self.branch.sessions.begin() as session:
            await self._require_open(session, counter)
            tickets = TicketRepository(session)
            audit = AuditLog(session)
            current = await self._current(session, counter.id)
            if current is not None:
                # Calling the next customer finishes the one at the counter.
                finished = current.finish(now, "done")
                await tickets.save(finished)
                await audit.record(
                    actor, AuditAction.TICKET_FINISH, now, ("ticket", current.id),
                    ticket_state(current), ticket_state(finished), counter.id,
                )  # fmt: skip
            if specific is not None:
                chosen = await tickets.get(specific)  # re-read inside this transaction
            else:
                today = business_date(now, self.settings.branch.timezone)
                waiting = await tickets.waiting(counter.skills, counter_id=counter.id, day=today)  # not yesterday's
                recent = await tickets.recent_call_classes(today)
                chosen = pick(waiting, recent, now, await self._covered_skills(session, counter))
            if chosen is None:
                raise NothingToCall(f"nobody is waiting for {counter.name}")
            called = chosen.call(counter.id, now)
            await tickets.save(called)
            await CounterRepository(session).set_current(counter.id, called.id, now)
            action = AuditAction.TICKET_CALL if specific is not None else AuditAction.TICKET_CALL_NEXT
            await audit.record(
                actor, action, now, ("ticket", called.id), ticket_state(chosen), ticket_state(called), counter.id
            )
            view = await self.branch.view(session, called)
        await self._publish(EventType.TICKET_CALLED, view, counter)
        log.info("%s called %s", counter.name, view.number)
        return view

    # -- the ticket at the counter --------------------------------------------

    async def _on_current(
        self,
        counter_id: str,
        change: Callable[[Ticket], Ticket],
        event: Callable[[Ticket], EventType],
        releases: Callable[[Ticket], bool],
        action: AuditAction,
        actor: Actor | None,
    ) -> TicketView:
        counter = self._counter(counter_id)
        async with self.branch.sessions.begin() as session:
            current = await self._current(session, counter.id)
            if current is None:
                raise Conflict(f"{counter.name} has nobody at the counter", code="no_current_ticket")
            changed = change(current)
            await TicketRepository(session).save(changed)
            now = self.branch.clock.now()
            if releases(changed):
                await CounterRepository(session).set_current(counter.id, None, now)
            await AuditLog(session).record(
                actor, action, now, ("ticket", current.id), ticket_state(current), ticket_state(changed), counter.id
            )
            view = await self.branch.view(session, changed)
        await self._publish(event(changed), view, counter)
        return view

    async def recall(self, counter_id: str, actor: Actor | None = None) -> TicketView:
        limit = self.settings.queue.max_recalls
        now = self.branch.clock.now()
        return await self._on_current(
            counter_id,
            lambda t: t.recall(now, limit),
            lambda t: EventType.TICKET_NO_SHOW if t.status is TicketStatus.NO_SHOW else EventType.TICKET_RECALLED,
            lambda t: t.status is TicketStatus.NO_SHOW,
            AuditAction.TICKET_RECALL,
            actor,
        )

    async def no_show(self, counter_id: str, actor: Actor | None = None) -> TicketView:
        now = self.branch.clock.now()
        wait = self.settings.queue.no_show_after_seconds

        def mark(ticket: Ticket) -> Ticket:
            if ticket.called_at is not None and (now - ticket.called_at).total_seconds() < wait:
                raise Conflict(f"give the customer {wait} s to come after a call before no-show", code="too_soon")
            return ticket.no_show(now)

        return await self._on_current(
            counter_id, mark, lambda _t: EventType.TICKET_NO_SHOW, lambda _t: True, AuditAction.TICKET_NO_SHOW, actor
        )

    async def start(self, counter_id: str, actor: Actor | None = None) -> TicketView:
        now = self.branch.clock.now()
        return await self._on_current(
            counter_id, lambda t: t.start(now), lambda _t: EventType.TICKET_STARTED, lambda _t: False,
            AuditAction.TICKET_START, actor,
        )  # fmt: skip

    async def finish(self, counter_id: str, outcome: str, actor: Actor | None = None) -> TicketView:
        if outcome not in self.settings.queue.outcomes:
            raise InvalidInput(f"unknown outcome {outcome!r}; one of {list(self.settings.queue.outcomes)}")
        now = self.branch.clock.now()
        return await self._on_current(
            counter_id, lambda t: t.finish(now, outcome), lambda _t: EventType.TICKET_SERVED, lambda _t: True,
            AuditAction.TICKET_FINISH, actor,
        )  # fmt: skip

    async def park(self, counter_id: str, actor: Actor | None = None) -> TicketView:
        now = self.branch.clock.now()
        return await self._on_current(
            counter_id, lambda t: t.park(now), lambda _t: EventType.TICKET_PARKED, lambda _t: True,
            AuditAction.TICKET_PARK, actor,
        )  # fmt: skip

    async def transfer(
        self, counter_id: str, service_id: str | None, target_counter: str | None, actor: Actor | None = None
    ) -> TicketView:
        if service_id is not None and self.settings.service(service_id) is None:
            raise InvalidInput(f"unknown service {service_id!r}", code="unknown_service")
        if target_counter is not None:
            self._counter(target_counter)
        now = self.branch.clock.now()
        return await self._on_current(
            counter_id,
            lambda t: t.transfer(now, service_id=service_id, counter_id=target_counter),
            lambda _t: EventType.TICKET_TRANSFERRED,
            lambda _t: True,
            AuditAction.TICKET_TRANSFER,
            actor,
        )

    # -- the counter itself ----------------------------------------------------

    async def set_state(self, counter_id: str, state: CounterStatus, actor: Actor | None = None) -> dict[str, Any]:
        counter = self._counter(counter_id)
        now = self.branch.clock.now()
        async with self.branch.sessions.begin() as session:
            if state == CounterStatus.CLOSED and await self._current(session, counter.id) is not None:
                raise Conflict(f"finish or transfer the customer at {counter.name} first", code="counter_busy")
            repo = CounterRepository(session)
            row = await repo.get(counter.id)
            before = {
                "state": row.state if row is not None else CounterStatus.CLOSED
            }  # read before the update refreshes it
            await repo.set_state(counter.id, state, now)
            action = AuditAction.COUNTER_OPEN if state == CounterStatus.OPEN else AuditAction.COUNTER_CLOSE
            await AuditLog(session).record(
                actor, action, now, ("counter", counter.id), before, {"state": state}, counter.id
            )
        kind = EventType.COUNTER_OPENED if state == CounterStatus.OPEN else EventType.COUNTER_CLOSED
        data = {"counter": {"id": counter.id, "name": counter.name, "state": state}}
        await self.branch.publish(Event(kind, now, data))
        return data["counter"]

    async def take_break(
        self, counter_id: str, until: str | None, minutes: int | None, actor: Actor | None = None
    ) -> dict[str, Any]:
        """On a break until `until` ("13:30", branch-local, today) or for `minutes`: closed to calls, due back then."""
        counter = self._counter(counter_id)
        now = self.branch.clock.now()
        back = break_end(now, ZoneInfo(self.settings.branch.timezone), until, minutes)
        async with self.branch.sessions.begin() as session:
            if await self._current(session, counter.id) is not None:
                raise Conflict(f"finish or transfer the customer at {counter.name} first", code="counter_busy")
            repo = CounterRepository(session)
            row = await repo.get(counter.id)
            before = {"state": row.state if row is not None else CounterStatus.CLOSED}
            await repo.set_state(counter.id, CounterStatus.BREAK, now, away_until=back)
            after = {"state": CounterStatus.BREAK, "until": back.isoformat()}
            await AuditLog(session).record(
                actor, AuditAction.COUNTER_CLOSE, now, ("counter", counter.id), before, after, counter.id
            )
        data = {
            "counter": {"id": counter.id, "name": counter.name, "state": CounterStatus.BREAK, "until": back.isoformat()}
        }
        await self.branch.publish(Event(EventType.COUNTER_CLOSED, now, data))
        log.info("%s on a break until %s", counter.name, back.isoformat())
        return data["counter"]

    async def list(self) -> list[dict[str, Any]]:
        async with self.branch.sessions.begin() as session:
            states = await CounterRepository(session).states()
            out = []
            for counter in self.settings.counters:
                current = await self._current(session, counter.id)
                out.append(
                    {
                        "id": counter.id,
                        "name": counter.name,
                        "state": states.get(counter.id, CounterStatus.CLOSED),
                        "skills": counter.skills,
                        "current": (await self.branch.view(session, current)).to_json() if current else None,
                    }
                )
        return out
