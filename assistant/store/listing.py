"""Read-only queries for staff screens (the counter console): who waits, and what is at each counter.

Nothing here changes state; the caller owns the (read) transaction, as everywhere in the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.staff import CounterStatus
from assistant.domain.tickets import Priority, TicketStatus
from assistant.store.appointments import AppointmentRow
from assistant.store.models import CounterRow, TicketRow


@dataclass(frozen=True, slots=True)
class BookedSlot:
    """The appointment an appointment ticket was checked in for."""

    code: str
    starts_at: datetime
    name: str | None
    channel: str  # where it was booked: "mobile"/"web" is online
    intent: str | None  # what the customer asked for when booking
    notes: str | None  # in their own words


@dataclass(frozen=True, slots=True)
class Origin:
    """How the ticket reached the queue: its channel, and for a remote one (the bank's app) when its
    customer checked in at the branch (None: still on the way)."""

    channel: str
    remote: bool
    arrived_at: datetime | None
    lang: str = "en"  # the conversation's language: the teller sees which language to greet in

    @property
    def on_the_way(self) -> bool:
        """As `Ticket.on_the_way`: joined remotely, not yet checked in."""
        return self.remote and self.arrived_at is None


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
    origin: Origin


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
    booked: BookedSlot | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class Desk:
    counter_id: str
    state: str
    ticket: DeskTicket | None
    away_until: datetime | None = None  # state "break": when it is due back


QUEUED = (TicketStatus.WAITING, TicketStatus.PARKED)
# The appointment columns a listed ticket carries (see _booked).
_BOOKING = (
    AppointmentRow.starts_at, AppointmentRow.name, AppointmentRow.channel, AppointmentRow.intent, AppointmentRow.notes,
)  # fmt: skip


def _booked(row: TicketRow, starts_at: datetime | None, *rest: str | None) -> BookedSlot | None:
    if not row.appointment_code or starts_at is None:
        return None
    name, channel, intent, notes = rest
    return BookedSlot(row.appointment_code, starts_at, name, channel or "", intent, notes)


def _origin(row: TicketRow) -> Origin:
    return Origin(channel=row.channel, remote=bool(row.remote), arrived_at=row.arrived_at, lang=row.lang)


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
            select(TicketRow, *_BOOKING)
            .outerjoin(AppointmentRow, AppointmentRow.code == TicketRow.appointment_code)
            .where(TicketRow.status.in_(wanted))
        )
        if service_id is not None:
            query = query.where(TicketRow.service_id == service_id)
        rows = (await self.session.execute(query.order_by(TicketRow.issued_at, TicketRow.number))).all()
        out = []
        for row, starts_at, *booking in rows:
            booked = _booked(row, starts_at, *booking)
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
                    origin=_origin(row),
                )
            )
        return out

    async def desks(self, counter_ids: Sequence[str]) -> list[Desk]:
        """Each counter's state and the ticket called to it or being served there, in `counter_ids` order."""
        query = (
            select(CounterRow, TicketRow, *_BOOKING)
            .outerjoin(TicketRow, TicketRow.id == CounterRow.current_ticket_id)
            .outerjoin(AppointmentRow, AppointmentRow.code == TicketRow.appointment_code)
            .where(CounterRow.id.in_(list(counter_ids)))
        )
        found = {}
        for counter, ticket, starts_at, *booking in (await self.session.execute(query)).all():
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
                    booked=_booked(ticket, starts_at, *booking),
                    origin=_origin(ticket),
                )
            found[counter.id] = Desk(
                counter_id=counter.id, state=counter.state, ticket=desk_ticket, away_until=counter.away_until
            )
        return [found.get(cid, Desk(counter_id=cid, state=CounterStatus.CLOSED, ticket=None)) for cid in counter_ids]
