"""The audit trail's table and repository: append and read, nothing else.

There is deliberately no update or delete here, and the database refuses both (triggers of
migration 0006). The caller owns the transaction: a use case appends its entry in the same
transaction as the change it describes, so the two commit or roll back together.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Index, Integer, Select, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from assistant.domain.audit import CALL_ACTIONS, FINISH_ACTIONS, Actor, ActorKind, AuditAction, AuditEntry
from assistant.domain.staff import TOKEN_PREFIX, token_hash
from assistant.store.models import Base, StaffTokenRow, UtcDateTime

MAX_LIMIT = 1000
CSV_MAX_ROWS = 100_000


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"), Index("ix_audit_log_target", "target_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(80))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str | None] = mapped_column(String(64))
    counter_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A manager's filter: time range, actor (name or id), actions (exact, or `prefix.*`)."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    actions: tuple[str, ...] = ()
    before_id: int | None = None  # paging: entries older than this id
    limit: int = 100


def bearer_actor(token: str, role: str) -> Actor:
    """A token actor known by its token only: `AuditLog.append` resolves its id and name."""
    return Actor(ActorKind.TOKEN, "", role, token_hash=token_hash(token) if token.startswith(TOKEN_PREFIX) else "")


def operator() -> Actor:
    """The person at this machine's shell (`lobby token`, `lobby purge`, `lobby restore`...)."""
    try:
        return Actor.cli(getpass.getuser())
    except (KeyError, OSError):  # no user name for this uid (a bare container)
        return Actor.cli(f"uid {os.getuid()}")


async def record_token_change(
    session: AsyncSession, action: AuditAction, at: datetime, token_id: str, after: dict[str, Any]
) -> None:
    """A token made, revoked or rotated from this machine's shell, in the caller's transaction."""
    await AuditLog(session).record(operator(), action, at, ("token", token_id), None, after)


def _to_entry(row: AuditRow) -> AuditEntry:
    actor = Actor(ActorKind(row.actor_kind), row.actor_name, row.actor_role, row.actor_id)
    return AuditEntry(
        at=row.at, actor=actor, action=AuditAction(row.action), target_kind=row.target_kind,
        target_id=row.target_id, counter_id=row.counter_id, before=row.before, after=row.after, id=row.id,
    )  # fmt: skip


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def resolve(self, actor: Actor) -> Actor:
        """A token actor with its token's id, name (or `token <id8>`) and role, read in this transaction."""
        if actor.resolved:
            return actor
        row = None
        if actor.token_hash:
            query = select(StaffTokenRow.id, StaffTokenRow.name, StaffTokenRow.role)
            row = (await self.session.execute(query.where(StaffTokenRow.token_hash == actor.token_hash))).first()
        if row is None:
            return Actor(ActorKind.TOKEN, actor.name or "unknown token", actor.role, "")
        token_id, name, role = row
        return Actor(ActorKind.TOKEN, name or f"token {token_id[:8]}", role, token_id)

    async def append(self, entry: AuditEntry) -> AuditEntry:
        actor = await self.resolve(entry.actor)
        row = AuditRow(
            at=entry.at, actor_kind=str(actor.kind), actor_id=actor.id or None, actor_name=actor.name[:80],
            actor_role=actor.role[:16], action=str(entry.action), target_kind=entry.target_kind,
            target_id=entry.target_id, counter_id=entry.counter_id, before=entry.before, after=entry.after,
        )  # fmt: skip
        self.session.add(row)
        await self.session.flush()
        return _to_entry(row)

    async def record(
        self,
        actor: Actor | None,
        action: AuditAction,
        at: datetime,
        target: tuple[str, str | None],
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        counter_id: str | None = None,
    ) -> AuditEntry | None:
        """Append one entry; no actor (a customer's own action) records nothing."""
        if actor is None:
            return None
        kind, target_id = target
        return await self.append(AuditEntry(at, actor, action, kind, target_id, counter_id, before, after))

    def _select(self, query: AuditQuery) -> Select[AuditRow]:
        statement = select(AuditRow)
        if query.since is not None:
            statement = statement.where(AuditRow.at >= query.since)
        if query.until is not None:
            statement = statement.where(AuditRow.at < query.until)
        if query.actor:
            statement = statement.where((AuditRow.actor_name == query.actor) | (AuditRow.actor_id == query.actor))
        if query.actions:
            exact = [a for a in query.actions if not a.endswith(".*")]
            prefixes = [a[:-1] for a in query.actions if a.endswith(".*")]
            condition: ColumnElement[bool] = AuditRow.action.in_(exact)
            for prefix in prefixes:
                condition = condition | AuditRow.action.startswith(prefix, autoescape=True)
            statement = statement.where(condition)
        if query.before_id is not None:
            statement = statement.where(AuditRow.id < query.before_id)
        return statement

    async def find(self, query: AuditQuery) -> list[AuditEntry]:
        """Newest first, at most `query.limit` (capped at MAX_LIMIT)."""
        limit = max(1, min(query.limit, MAX_LIMIT))
        statement = self._select(query).order_by(AuditRow.id.desc()).limit(limit)
        return [_to_entry(row) for row in (await self.session.execute(statement)).scalars()]

    async def export(self, query: AuditQuery) -> list[AuditEntry]:
        """Oldest first, every match up to CSV_MAX_ROWS."""
        statement = self._select(query).order_by(AuditRow.id).limit(CSV_MAX_ROWS)
        return [_to_entry(row) for row in (await self.session.execute(statement)).scalars()]

    async def staff_of_tickets(self, ticket_ids: Select[str] | Iterable[str]) -> tuple[dict[str, str], ...]:
        """(called_by, finished_by): ticket id -> the name of whoever last called / finished it."""
        calls = {str(a) for a in CALL_ACTIONS}
        finishes = {str(a) for a in FINISH_ACTIONS}
        rows = await self.session.execute(
            select(AuditRow.target_id, AuditRow.action, AuditRow.actor_name)
            .where(AuditRow.target_kind == "ticket", AuditRow.target_id.in_(ticket_ids))
            .where(AuditRow.action.in_(calls | finishes))
            .order_by(AuditRow.at, AuditRow.id)
        )
        called_by: dict[str, str] = {}
        finished_by: dict[str, str] = {}
        for ticket_id, action, name in rows.all():  # oldest first: the last one wins
            if ticket_id is None:
                continue
            (finished_by if action in finishes else called_by)[ticket_id] = name
        return called_by, finished_by


__all__ = [
    "CSV_MAX_ROWS", "MAX_LIMIT", "AuditLog", "AuditQuery", "AuditRow", "bearer_actor", "operator",
    "record_token_change",
]  # fmt: skip
