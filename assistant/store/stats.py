"""What the manager dashboard reads and the few facts only it records.

Repositories take a session and return domain values (`assistant.domain.kpi`); the caller owns
the transaction. Ranges are branch-local days, matched on the rows' `business_date`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.clock import business_date
from assistant.domain.kpi import RatingRecord, RouteRecord, Visit
from assistant.domain.tickets import TicketStatus
from assistant.store.audit import AuditLog
from assistant.store.models import (
    RatingRow,
    RoutingDecisionRow,
    ServiceAlertRow,
    TicketRow,
)


def _tickets_of(first: date, last: date) -> Select[str]:
    return select(TicketRow.id).where(TicketRow.business_date.between(first, last))


def _insert(session: AsyncSession, table: type) -> sqlite.Insert | postgresql.Insert:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


class VisitQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def visits(self, first: date, last: date) -> list[Visit]:
        """Every ticket issued from `first` to `last`, with who last called and who finished it."""
        rows = (
            await self.session.execute(
                select(TicketRow)
                .where(TicketRow.business_date.between(first, last))
                .order_by(TicketRow.issued_at, TicketRow.number)
            )
        ).scalars()
        called_by, finished_by = await AuditLog(self.session).staff_of_tickets(_tickets_of(first, last))
        return [
            Visit(
                ticket_id=row.id,
                number=row.number,
                service_id=row.service_id,
                business_date=row.business_date,
                channel=row.channel,
                priority=row.priority,
                status=TicketStatus(row.status),
                issued_at=row.issued_at,
                intent=row.intent,
                counter_id=row.counter_id,
                called_at=row.called_at,
                started_at=row.started_at,
                finished_at=row.finished_at,
                outcome=row.outcome,
                called_by=called_by.get(row.id),
                finished_by=finished_by.get(row.id),
                remote=bool(row.remote),
                arrived_at=row.arrived_at,
            )
            for row in rows
        ]


class RouteLog:
    """Triage answers, recorded by `BranchService.triage`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, intent: str, decision: str, service_id: str | None, device_id: str | None, at: datetime, timezone: str
    ) -> None:
        self.session.add(
            RoutingDecisionRow(
                at=at,
                business_date=business_date(at, timezone),
                intent=intent,
                decision=decision,
                service_id=service_id,
                device_id=device_id,
            )
        )
        await self.session.flush()

    async def between(self, first: date, last: date) -> list[RouteRecord]:
        rows = (
            await self.session.execute(
                select(RoutingDecisionRow)
                .where(RoutingDecisionRow.business_date.between(first, last))
                .order_by(RoutingDecisionRow.at)
            )
        ).scalars()
        return [RouteRecord(r.intent, r.decision, r.at, r.service_id, r.device_id) for r in rows]


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def exists_for(self, ticket_id: str) -> bool:
        found = await self.session.execute(select(RatingRow.id).where(RatingRow.ticket_id == ticket_id))
        return found.first() is not None

    async def add(self, rating: RatingRecord, comment: str | None, day: date) -> str:
        rating_id = uuid.uuid4().hex
        self.session.add(
            RatingRow(
                id=rating_id,
                ticket_id=rating.ticket_id,
                score=rating.score,
                channel=rating.channel,
                comment=comment,
                service_id=rating.service_id,
                counter_id=rating.counter_id,
                created_at=rating.at,
                business_date=day,
            )
        )
        await self.session.flush()
        return rating_id

    async def between(self, first: date, last: date) -> list[RatingRecord]:
        rows = (
            await self.session.execute(
                select(RatingRow).where(RatingRow.business_date.between(first, last)).order_by(RatingRow.created_at)
            )
        ).scalars()
        return [RatingRecord(r.score, r.channel, r.created_at, r.ticket_id, r.service_id, r.counter_id) for r in rows]

    async def scores_of_tickets(self, first: date, last: date) -> dict[str, int]:
        """ticket id -> score, for the tickets issued from `first` to `last` (whenever rated)."""
        rows = await self.session.execute(
            select(RatingRow.ticket_id, RatingRow.score).where(RatingRow.ticket_id.in_(_tickets_of(first, last)))
        )
        return {ticket_id: score for ticket_id, score in rows.all() if ticket_id}


@dataclass(frozen=True, slots=True)
class ServiceAlert:
    service_id: str
    crossed_at: datetime
    longest_wait_seconds: int
    target_minutes: float
    cleared_at: datetime | None


class AlertRepository:
    """Open alerts (one per service at most, kept so by a partial unique index) and their history."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_services(self) -> set[str]:
        rows = await self.session.execute(
            select(ServiceAlertRow.service_id).where(ServiceAlertRow.cleared_at.is_(None))
        )
        return set(rows.scalars())

    async def raise_alert(self, service_id: str, at: datetime, day: date, longest_seconds: int, target: float) -> bool:
        """Open an alert; False when one is already open (another hub process got there first)."""
        statement = (
            _insert(self.session, ServiceAlertRow)
            .values(
                service_id=service_id,
                crossed_at=at,
                business_date=day,
                longest_wait_seconds=longest_seconds,
                target_minutes=target,
                cleared_at=None,
            )
            .on_conflict_do_nothing()
            .returning(ServiceAlertRow.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def clear(self, service_id: str, at: datetime) -> None:
        await self.session.execute(
            update(ServiceAlertRow)
            .where(ServiceAlertRow.service_id == service_id, ServiceAlertRow.cleared_at.is_(None))
            .values(cleared_at=at)
        )

    async def between(self, first: date, last: date) -> list[ServiceAlert]:
        rows = (
            await self.session.execute(
                select(ServiceAlertRow)
                .where(ServiceAlertRow.business_date.between(first, last))
                .order_by(ServiceAlertRow.crossed_at)
            )
        ).scalars()
        return [
            ServiceAlert(r.service_id, r.crossed_at, r.longest_wait_seconds, r.target_minutes, r.cleared_at)
            for r in rows
        ]
