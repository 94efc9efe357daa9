"""SQLAlchemy tables. Changes go through an Alembic migration (migrations/versions)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python, UTC in the database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("business_date", "number", name="uq_tickets_day_number"),
        Index("ix_tickets_waiting", "status", "service_id", "issued_at"),
        # a ticket's place in line, counted without visiting the table (migration 0008)
        Index("ix_tickets_line", "status", "service_id", "business_date", "priority", "issued_at", "id"),
        Index("ix_tickets_day_called", "business_date", "called_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(12))
    service_id: Mapped[str] = mapped_column(String(40))
    business_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    intent: Mapped[str | None] = mapped_column(String(64))
    appointment_code: Mapped[str | None] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    counter_id: Mapped[str | None] = mapped_column(String(40))
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str | None] = mapped_column(String(40))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    target_counter_id: Mapped[str | None] = mapped_column(String(40))
    remote: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))  # migration 0005
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LineCountRow(Base):
    """How many tickets wait per (service, day, class): kept by triggers on `tickets` (migration 0009),
    read to place a new ticket without walking the line (`assistant.store.line`)."""

    __tablename__ = "line_counts"

    service_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    priority: Mapped[str] = mapped_column(String(16), primary_key=True)
    waiting: Mapped[int] = mapped_column(Integer)


class SequenceRow(Base):
    """Last ticket number handed out per prefix and branch-local day."""

    __tablename__ = "ticket_sequences"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class CounterRow(Base):
    __tablename__ = "counters"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    current_ticket_id: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    away_until: Mapped[datetime | None] = mapped_column(UtcDateTime())  # state "break": due back (migration 0007)


class DeviceRow(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StaffTokenRow(Base):
    """A bearer token for staff or devices; only its SHA-256 is stored."""

    __tablename__ = "staff_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


# -- manager dashboard (migration 0004) ----------------------------------------------


class RoutingDecisionRow(Base):
    """One triage answer (device, ticket, ...): the device routes give the self-service share."""

    __tablename__ = "routing_decisions"
    __table_args__ = (Index("ix_routing_decisions_day", "business_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    business_date: Mapped[date] = mapped_column(Date)
    intent: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[str | None] = mapped_column(String(40))
    device_id: Mapped[str | None] = mapped_column(String(40))


class RatingRow(Base):
    """A customer's 1-5 rating from the kiosk or the phone; at most one per ticket."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="ck_ratings_score"),
        Index("ix_ratings_day", "business_date"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ticket_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    score: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(String(500))
    service_id: Mapped[str | None] = mapped_column(String(40))
    counter_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    business_date: Mapped[date] = mapped_column(Date)


class ServiceAlertRow(Base):
    """A service's longest wait passed its target. At most one open (uncleared) row per service:
    the partial unique index is what makes "one alert per crossing" hold across hub processes."""

    __tablename__ = "service_alerts"
    __table_args__ = (
        Index(
            "uq_service_alerts_open",
            "service_id",
            unique=True,
            sqlite_where=text("cleared_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL"),
        ),
        Index("ix_service_alerts_day", "business_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(40))
    crossed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    business_date: Mapped[date] = mapped_column(Date)
    longest_wait_seconds: Mapped[int] = mapped_column(Integer)
    target_minutes: Mapped[float] = mapped_column(Float)
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
