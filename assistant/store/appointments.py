"""Appointment tables and their repository. The caller owns the transaction.

Seats: a slot of a service has `capacity` seats numbered 1..capacity, and each
booking holds one row in `appointment_seats`, whose primary key is
(service_id, starts_at, seat). So the database itself refuses a second holder
of a seat: two concurrent bookings can never take the same last seat, on
SQLite (writers also queue on BEGIN IMMEDIATE) and on PostgreSQL (a competing
insert waits for the first one's transaction, then finds the seat taken).
Cancelling deletes the seat row; a reschedule takes the new seat before it
frees the old one, in the caller's single transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from assistant.domain.appointments import Appointment, AppointmentStatus
from assistant.store.models import Base, UtcDateTime

log = logging.getLogger(__name__)


class AppointmentRow(Base):
    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_slot", "service_id", "starts_at"),)

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(32))
    ticket_id: Mapped[str | None] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(64))  # migration 0005
    notes: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AppointmentSeatRow(Base):
    """One taken seat of a slot; the primary key is the no-double-booking guarantee."""

    __tablename__ = "appointment_seats"
    __table_args__ = (
        Index("ix_appointment_seats_code", "appointment_code"),
        CheckConstraint("seat >= 1", name="ck_appointment_seats_seat"),
    )

    service_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    seat: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    appointment_code: Mapped[str] = mapped_column(String(8), ForeignKey("appointments.code", ondelete="CASCADE"))


_FIELDS = (
    "code", "service_id", "starts_at", "ends_at", "channel", "lang", "name", "phone", "ticket_id",
    "created_at", "updated_at", "intent", "notes",
)  # fmt: skip


def _insert(session: AsyncSession, table: type) -> sqlite.Insert | postgresql.Insert:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _to_domain(row: AppointmentRow) -> Appointment:
    return Appointment(status=AppointmentStatus(row.status), **{name: getattr(row, name) for name in _FIELDS})


class AppointmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, appointment: Appointment) -> bool:
        """Insert; False (and nothing written) when the code is already in use."""
        values = {name: getattr(appointment, name) for name in _FIELDS}
        statement = (
            _insert(self.session, AppointmentRow)
            .values(status=appointment.status.value, **values)
            .on_conflict_do_nothing(index_elements=["code"])
            .returning(AppointmentRow.code)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def get(self, code: str, *, for_update: bool = False) -> Appointment | None:
        """`for_update` locks the row on PostgreSQL (SQLite already holds the write lock)."""
        query = select(AppointmentRow).where(AppointmentRow.code == code)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def save(self, appointment: Appointment) -> None:
        values = {name: getattr(appointment, name) for name in _FIELDS if name != "code"}
        await self.session.execute(
            update(AppointmentRow)
            .where(AppointmentRow.code == appointment.code)
            .values(status=appointment.status.value, **values)
        )

    async def take_seat(self, service_id: str, starts_at: datetime, capacity: int, code: str) -> int | None:
        """Hold the lowest free seat of the slot for `code`; None when all `capacity` are taken.

        Each attempt is an INSERT .. ON CONFLICT DO NOTHING on the seat's key, so
        a seat another transaction took (even one not yet committed) is skipped
        rather than shared.
        """
        taken = set(
            (
                await self.session.execute(
                    select(AppointmentSeatRow.seat).where(
                        AppointmentSeatRow.service_id == service_id, AppointmentSeatRow.starts_at == starts_at
                    )
                )
            ).scalars()
        )
        for seat in range(1, capacity + 1):
            if seat in taken:
                continue
            statement = (
                _insert(self.session, AppointmentSeatRow)
                .values(service_id=service_id, starts_at=starts_at, seat=seat, appointment_code=code)
                .on_conflict_do_nothing()
                .returning(AppointmentSeatRow.seat)
            )
            if (await self.session.execute(statement)).scalar_one_or_none() is not None:
                return seat
            log.debug("seat %d of %s at %s went to another booking", seat, service_id, starts_at)
        return None

    async def free_seat(self, code: str, starts_at: datetime) -> int:
        """Give back the seat `code` holds in the slot at `starts_at`; returns rows freed."""
        result = await self.session.execute(
            delete(AppointmentSeatRow).where(
                AppointmentSeatRow.appointment_code == code, AppointmentSeatRow.starts_at == starts_at
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE: CursorResult

    async def seats_taken(self, service_id: str, start: datetime, end: datetime) -> dict[datetime, int]:
        """Slot start -> seats taken, for slots starting in [start, end)."""
        query = (
            select(AppointmentSeatRow.starts_at, func.count())
            .where(
                AppointmentSeatRow.service_id == service_id,
                AppointmentSeatRow.starts_at >= start,
                AppointmentSeatRow.starts_at < end,
            )
            .group_by(AppointmentSeatRow.starts_at)
        )
        return {starts_at: int(count) for starts_at, count in (await self.session.execute(query)).all()}
