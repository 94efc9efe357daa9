"""Personal data retention: blank what identifies a customer once it is older than the branch keeps it.

What is personal: a booking's name, phone and notes (the customer's own words), a rating's comment,
and the conversations Rasa keeps in its SQL tracker store (its `events` table, wherever
`dialogue.tracker_store` puts it). What stays: everything the statistics use (service, channel,
language, times, status, intent, score), so the dashboard's past months do not change.

A booking is old once both its time and its last change are past the cutoff; a rating once it
was given before it. Blanking is idempotent: only rows still holding something are touched, so
every hub process may run it on its schedule. On SQLite, `secure_delete` zeroes the space freed
and the WAL is checkpointed afterwards (it would otherwise keep the pages as they were), so a
blanked name does not linger in the files.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, inspect, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.audit import Actor, AuditAction
from assistant.store.appointments import AppointmentRow
from assistant.store.audit import AuditLog
from assistant.store.db import create_engine
from assistant.store.models import RatingRow

log = logging.getLogger(__name__)

# Rasa's SQLTrackerStore table: only purged when it looks exactly like one (it is not ours).
TRACKER_TABLE = "events"
TRACKER_COLUMNS = frozenset({"sender_id", "type_name", "timestamp", "data"})
CHECKPOINT_TIMEOUT_S = 10


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: datetime
    days: int
    appointments: int
    ratings: int
    conversation_events: int

    @property
    def changed(self) -> int:
        return self.appointments + self.ratings + self.conversation_events

    def to_json(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat(), "days": self.days, "appointments": self.appointments,
            "ratings": self.ratings, "conversation_events": self.conversation_events,
        }  # fmt: skip


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


class PersonalData:
    """Blanks personal fields older than a cutoff. The caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def blank_appointments(self, cutoff: datetime, dry_run: bool = False) -> int:
        old = (AppointmentRow.starts_at < cutoff, AppointmentRow.updated_at < cutoff)
        holding = or_(AppointmentRow.name.is_not(None), AppointmentRow.phone.is_not(None),
                      AppointmentRow.notes.is_not(None))  # fmt: skip
        statement = update(AppointmentRow).where(*old, holding).values(name=None, phone=None, notes=None)
        if dry_run:
            return await self._would(AppointmentRow, *old, holding)
        return _count(await self.session.execute(statement.execution_options(synchronize_session=False)))

    async def blank_rating_comments(self, cutoff: datetime, dry_run: bool = False) -> int:
        where = (RatingRow.created_at < cutoff, RatingRow.comment.is_not(None))
        if dry_run:
            return await self._would(RatingRow, *where)
        statement = update(RatingRow).where(*where).values(comment=None)
        return _count(await self.session.execute(statement.execution_options(synchronize_session=False)))

    async def _would(self, table: type, *where: Any) -> int:
        return int((await self.session.execute(select(func.count()).select_from(table).where(*where))).scalar_one())


async def delete_tracker_events(database_url: str, schema: str | None, cutoff: datetime, dry_run: bool = False) -> int:
    """Rasa's conversation events older than the cutoff, in its SQL tracker store (its own engine: the
    store may be another file or database). Nothing when the table is not there (yet)."""
    engine = create_engine(database_url)
    table = f'"{schema}".{TRACKER_TABLE}' if schema else TRACKER_TABLE
    try:
        async with engine.begin() as connection:

            def columns(sync: Any) -> set[str]:
                inspector = inspect(sync)
                if not inspector.has_table(TRACKER_TABLE, schema=schema):
                    return set()
                return {column["name"] for column in inspector.get_columns(TRACKER_TABLE, schema=schema)}

            if not TRACKER_COLUMNS <= await connection.run_sync(columns):
                return 0
            verb = "SELECT count(*) FROM" if dry_run else "DELETE FROM"
            result = await connection.execute(
                text(f"{verb} {table} WHERE timestamp < :cutoff"), {"cutoff": cutoff.timestamp()}
            )
            return int(result.scalar_one()) if dry_run else _count(result)
    finally:
        await engine.dispose()


async def purge_personal_data(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    days: int,
    actor: Actor,
    dry_run: bool = False,
    conversation_events: int = 0,
) -> PurgeResult:
    """Blank personal data older than `days` before `now` in one transaction, with its audit entry
    (only when something was removed: the hourly run that finds nothing leaves no line).
    `conversation_events`: what `delete_tracker_events` removed just before, for the same entry."""
    cutoff = now - timedelta(days=days)
    async with sessions.begin() as session:
        bind = session.get_bind()
        sqlite = bind.dialect.name == "sqlite"
        if sqlite and not dry_run:
            await session.execute(text("PRAGMA secure_delete = ON"))
        try:
            data = PersonalData(session)
            result = PurgeResult(
                cutoff=cutoff,
                days=days,
                appointments=await data.blank_appointments(cutoff, dry_run),
                ratings=await data.blank_rating_comments(cutoff, dry_run),
                conversation_events=conversation_events,
            )
            if result.changed and not dry_run:
                await AuditLog(session).record(actor, AuditAction.RETENTION_PURGE, now, ("retention", None),
                                               None, result.to_json())  # fmt: skip
        finally:
            if sqlite and not dry_run:
                await session.execute(text("PRAGMA secure_delete = OFF"))
    if result.changed and not dry_run:
        log.info("retention: removed personal data older than %d days (%s)", days, result.to_json())
        database = bind.url.database if isinstance(bind, Engine) else None  # a session is bound to an engine
        if sqlite and database:
            await _fold_wal(database)
    return result


async def _fold_wal(database: str) -> None:
    """Copy the WAL into the database and empty it: until then the WAL still holds the pages as they
    were before the purge. Best effort: with readers busy it is partial, and the next run tries again."""

    def checkpoint() -> tuple[int, int, int]:
        with closing(sqlite3.connect(database, timeout=CHECKPOINT_TIMEOUT_S)) as connection:
            return tuple(connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())

    try:
        busy, _, _ = await asyncio.wait_for(asyncio.to_thread(checkpoint), CHECKPOINT_TIMEOUT_S + 5)
    except (sqlite3.Error, TimeoutError) as exc:
        log.warning("retention: could not checkpoint the WAL of %s: %s", database, exc)
        return
    if busy:
        log.info("retention: the WAL of %s is busy; old pages go at the next checkpoint", database)


__all__ = ["PersonalData", "PurgeResult", "delete_tracker_events", "purge_personal_data"]
