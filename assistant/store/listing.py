"""Read-only queries for staff screens (the counter console): who waits, and what is at each counter.

Nothing here changes state; the caller owns the (read) transaction, as everywhere in the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.tickets import Priority, TicketStatus
from assistant.store.appointments import AppointmentRow
from assistant.store.models import CounterRow, TicketRow


@dataclass(frozen=True, slots=True)
class BookedSlot:
    """The appointment an appointment ticket was checked in for."""

    code: str
    starts_at: datetime
    name: str | None


@dataclass(frozen=True, slots=True)
class QueuedTicket:
    """A ticket in line (waiting) or set aside by a counter (parked), with what staff need to see."""

    id: str
    number: str
    service_id: str
    status: TicketStatus
    priority: Priority
    issued_at: datetime
    intent: str | None
    appointment_code: str | None
    booked: BookedSlot | None  # None for walk-ins, and for a code with no appointment row
    target_counter_id: str | None  # transferred to a named counter: only that one may call it
    parked_by: str | None  # the counter that parked it
    transfers: int


@dataclass(frozen=True, slots=True)
class DeskTicket:
    """The ticket at a counter, with its call history (recalls, when it was last called)."""

    id: str
    number: str
    service_id: str
    status: TicketStatus
    priority: Priority
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    recalls: int
    transfers: int
    intent: str | None
    appointment_code: str | None


@dataclass(frozen=True, slots=True)
class Desk:
    counter_id: str
    state: str
    ticket: DeskTicket | None


QUEUED = (TicketStatus.WAITING, TicketStatus.PARKED)
_AT_COUNTER = (TicketStatus.CALLED.value, TicketStatus.SERVING.value)


class ListingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def queued(
        self, statuses: Iterable[TicketStatus] = QUEUED, service_id: str | None = None
    ) -> list[QueuedTicket]:
        """Tickets in `statuses` (waiting and parked by default), of one service or all, oldest first."""
        wanted = [status.value for status in statuses]
        query = (
            select(TicketRow, AppointmentRow.starts_at, AppointmentRow.name)
            .outerjoin(AppointmentRow, AppointmentRow.code == TicketRow.appointment_code)
            .where(TicketRow.status.in_(wanted))
        )
        if service_id is not None:
            query = query.where(TicketRow.service_id == service_id)
        rows = (await self.session.execute(query.order_by(TicketRow.issued_at, TicketRow.number))).all()
        out = []
        for row, starts_at, name in rows:
            booked = None
            if row.appointment_code and starts_at is not None:
                booked = BookedSlot(code=row.appointment_code, starts_at=starts_at, name=name)
            status = TicketStatus(row.status)
            out.append(
                QueuedTicket(
                    id=row.id,
                    number=row.number,
                    service_id=row.service_id,
                    status=status,
                    priority=Priority(row.priority),
                    issued_at=row.issued_at,
                    intent=row.intent,
                    appointment_code=row.appointment_code,
                    booked=booked,
                    target_counter_id=row.target_counter_id,
                    parked_by=row.counter_id if status is TicketStatus.PARKED else None,
                    transfers=row.transfers,
                )
            )
        return out

    async def desks(self, counter_ids: Sequence[str]) -> list[Desk]:
        """Each counter's state and the ticket called to it or being served there, in `counter_ids` order."""
        query = (
            select(CounterRow, TicketRow)
            .outerjoin(TicketRow, TicketRow.id == CounterRow.current_ticket_id)
            .where(CounterRow.id.in_(list(counter_ids)))
        )
        found = {}
        for counter, ticket in (await self.session.execute(query)).all():
            desk_ticket = None
            if ticket is not None and ticket.status in _AT_COUNTER:
                desk_ticket = DeskTicket(
                    id=ticket.id,
                    number=ticket.number,
                    service_id=ticket.service_id,
                    status=TicketStatus(ticket.status),
                    priority=Priority(ticket.priority),
                    issued_at=ticket.issued_at,
                    called_at=ticket.called_at,
                    started_at=ticket.started_at,
                    recalls=ticket.recalls,
                    transfers=ticket.transfers,
                    intent=ticket.intent,
                    appointment_code=ticket.appointment_code,
                )
            found[counter.id] = Desk(counter_id=counter.id, state=counter.state, ticket=desk_ticket)
        return [found.get(cid, Desk(counter_id=cid, state="closed", ticket=None)) for cid in counter_ids]
