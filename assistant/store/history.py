"""Read-only queries behind the wait model (assistant/web/waits.py): the branch's recent history
(what it learns from) and its present (the snapshot it projects from).

Nothing here changes state; the caller owns the (read) transaction, as everywhere in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.appointments import AppointmentStatus
from assistant.domain.tickets import AT_COUNTER, Priority, Ticket, TicketStatus
from assistant.store.appointments import AppointmentRow
from assistant.store.models import CounterRow, TicketRow
from assistant.store.repo import _to_domain

_LINE_COLUMNS = (
    TicketRow.id, TicketRow.number, TicketRow.service_id, TicketRow.channel, TicketRow.lang, TicketRow.priority,
    TicketRow.issued_at, TicketRow.arrived_at, TicketRow.remote, TicketRow.target_counter_id,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PastTicket:
    """The times of one ticket, as the wait model learns from them."""

    service_id: str
    priority: str
    status: TicketStatus
    outcome: str | None
    counter_id: str | None
    business_date: date
    issued_at: datetime
    arrived_at: datetime | None
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def ready_at(self) -> datetime:
        """When the customer was in the branch to be called (a remote ticket: its check-in)."""
        return self.arrived_at or self.issued_at


@dataclass(frozen=True, slots=True)
class CounterState:
    """A counter now: its state ("open", "closed", "break"), due back when on a break, the ticket at it."""

    counter_id: str
    state: str
    away_until: datetime | None
    serving: str | None  # service of the ticket at the counter
    since: datetime | None  # called (or started) at
    last_finished: datetime | None  # its latest customer today finished at


class WaitHistory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tickets_since(self, first_day: date) -> list[PastTicket]:
        """Every ticket of the branch-local days from `first_day` on, oldest first."""
        query = (
            select(
                TicketRow.service_id, TicketRow.priority, TicketRow.status, TicketRow.outcome, TicketRow.counter_id,
                TicketRow.business_date, TicketRow.issued_at, TicketRow.arrived_at, TicketRow.called_at,
                TicketRow.started_at, TicketRow.finished_at,
            )
            .where(TicketRow.business_date >= first_day)
            .order_by(TicketRow.issued_at)
        )  # fmt: skip
        rows = (await self.session.execute(query)).all()
        return [PastTicket(row[0], row[1], TicketStatus(row[2]), *row[3:]) for row in rows]

    async def waiting(self, day: date) -> list[Ticket]:
        """Today's waiting tickets (yesterday's left-overs are the end-of-day job's, never today's line),
        with what the wait model reads of them: plain rows, no ORM objects (thousands may wait)."""
        query = select(*_LINE_COLUMNS).where(
            TicketRow.status == TicketStatus.WAITING.value, TicketRow.business_date == day
        )
        line: list[Ticket] = []
        result = await self.session.stream(query)
        async for rows in result.partitions(500):  # the event loop answers others between partitions
            line += [
                Ticket(
                    id=row[0], number=row[1], service_id=row[2], business_date=day, channel=row[3], lang=row[4],
                    priority=Priority(row[5]), status=TicketStatus.WAITING, issued_at=row[6], arrived_at=row[7],
                    remote=row[8], target_counter_id=row[9],
                )
                for row in rows
            ]  # fmt: skip
        return line

    async def counters(self, day: date) -> dict[str, CounterState]:
        rows = (await self.session.execute(select(CounterRow))).scalars().all()
        columns = (TicketRow.counter_id, TicketRow.service_id, TicketRow.called_at, TicketRow.started_at)
        at_counter = select(*columns).where(
            TicketRow.status.in_([s.value for s in AT_COUNTER]), TicketRow.counter_id.is_not(None)
        )
        serving = {row[0]: (row[1], row[3] or row[2]) for row in (await self.session.execute(at_counter)).all()}
        finished = select(TicketRow.counter_id, func.max(TicketRow.finished_at)).where(
            TicketRow.business_date == day, TicketRow.counter_id.is_not(None), TicketRow.finished_at.is_not(None)
        )
        last = dict((await self.session.execute(finished.group_by(TicketRow.counter_id))).all())
        return {
            row.id: CounterState(
                counter_id=row.id,
                state=row.state,
                away_until=row.away_until,
                serving=serving.get(row.id, (None, None))[0],
                since=serving.get(row.id, (None, None))[1],
                last_finished=last.get(row.id),
            )
            for row in rows
        }

    async def in_line(self, last_day: date) -> list[Ticket]:
        """Tickets still in line (waiting or parked) of the branch-local days up to `last_day`."""
        query = select(TicketRow).where(
            TicketRow.status.in_([TicketStatus.WAITING.value, TicketStatus.PARKED.value]),
            TicketRow.business_date <= last_day,
        )
        return [_to_domain(row) for row in (await self.session.execute(query.order_by(TicketRow.issued_at))).scalars()]

    async def unchecked_before(self, starts_before: datetime) -> list[str]:
        """Codes of booked appointments starting before `starts_before` that nobody checked in for."""
        query = select(AppointmentRow.code).where(
            AppointmentRow.status == AppointmentStatus.BOOKED.value, AppointmentRow.starts_at < starts_before
        )
        return list((await self.session.execute(query)).scalars())

    async def mark_no_show(self, code: str, at: datetime) -> bool:
        """A booked appointment becomes a no-show; False when it changed meanwhile (checked in, cancelled)."""
        result = await self.session.execute(
            update(AppointmentRow)
            .where(AppointmentRow.code == code, AppointmentRow.status == AppointmentStatus.BOOKED.value)
            .values(status=AppointmentStatus.NO_SHOW.value, updated_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE: CursorResult

    async def booked(self, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """(starts_at, service) of appointments booked between `start` and `end` and not checked in yet."""
        query = select(AppointmentRow.starts_at, AppointmentRow.service_id).where(
            AppointmentRow.status == AppointmentStatus.BOOKED.value,
            AppointmentRow.starts_at >= start,
            AppointmentRow.starts_at < end,
        )
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]
