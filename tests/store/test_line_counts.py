"""`line_counts` (migration 0009) always equals a GROUP BY of the waiting tickets, on real SQLite and
PostgreSQL, whatever is done to `tickets`: the hub's own inserts and saves, and statements no
repository makes (several rows at once, deletes, TRUNCATE). And an existing database's line is
counted when it is migrated."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.tickets import Priority, Ticket, TicketStatus
from assistant.store.db import migrate, session_factory
from assistant.store.models import LineCountRow, TicketRow
from assistant.store.repo import TicketRepository
from tests.support import migrated_engine

NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)
CLASSES = st.sampled_from([*Priority, "vip"])
SERVICES = st.sampled_from(["cash", "cards", "loans"])
DAYS = st.sampled_from([DAY, DAY - timedelta(days=1)])
STATUSES = st.sampled_from([TicketStatus.WAITING, TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVED])

NEW = st.tuples(st.just("add"), st.lists(st.tuples(CLASSES, SERVICES, DAYS, STATUSES), min_size=1, max_size=6))
SAVE = st.tuples(st.just("save"), st.integers(0, 1000), STATUSES, SERVICES, CLASSES, DAYS)  # one row, as the hub does
CLOSE = st.tuples(st.just("close"), SERVICES)  # every waiting ticket of a service, one statement (end of day)
REOPEN = st.tuples(st.just("reopen"), CLASSES)  # every called one back to the line, as another class
DROP = st.tuples(st.just("drop"), st.integers(0, 1000))  # one row deleted
PURGE = st.tuples(st.just("purge"), DAYS)  # a day's rows deleted
STEPS = st.lists(st.one_of(NEW, SAVE, CLOSE, REOPEN, DROP, PURGE), min_size=1, max_size=12)


def _ticket(kind: str, service: str, day: date, status: TicketStatus) -> Ticket:
    return Ticket(
        id=uuid.uuid4().hex, number=uuid.uuid4().hex[:12], service_id=service, business_date=day,
        channel="kiosk", lang="en", priority=kind, status=status, issued_at=NOW,  # type: ignore[arg-type]
    )  # fmt: skip


async def _counts(session: AsyncSession) -> tuple[dict[Any, int], dict[Any, int]]:
    """(what line_counts says, what a GROUP BY of the waiting tickets says), zero counts left out."""
    kept = await session.execute(
        select(LineCountRow.service_id, LineCountRow.business_date, LineCountRow.priority, LineCountRow.waiting)
    )
    key = (TicketRow.service_id, TicketRow.business_date, TicketRow.priority)
    truth = await session.execute(
        select(*key, func.count()).where(TicketRow.status == TicketStatus.WAITING.value).group_by(*key)
    )
    return (
        {(s, d, p): n for s, d, p, n in kept if n != 0},
        {(s, d, p): n for s, d, p, n in truth},
    )


async def _apply(session: AsyncSession, step: tuple[Any, ...], tickets: list[Ticket]) -> None:
    repo = TicketRepository(session)
    match step:
        case ("add", specs):
            new = [_ticket(*spec) for spec in specs]
            await repo.add_many(new)
            tickets += new
        case ("save", index, status, service, kind, day) if tickets:
            ticket = tickets[index % len(tickets)]
            await repo.save(replace(ticket, status=status, service_id=service, priority=kind, business_date=day))
        case ("close", service):
            await session.execute(
                update(TicketRow)
                .where(TicketRow.service_id == service, TicketRow.status == TicketStatus.WAITING.value)
                .values(status=TicketStatus.ABANDONED.value, outcome="branch_closed")
            )
        case ("reopen", kind):
            await session.execute(
                update(TicketRow)
                .where(TicketRow.status == TicketStatus.CALLED.value)
                .values(status=TicketStatus.WAITING.value, priority=kind)
            )
        case ("drop", index) if tickets:
            await session.execute(delete(TicketRow).where(TicketRow.id == tickets.pop(index % len(tickets)).id))
        case ("purge", day):
            await session.execute(delete(TicketRow).where(TicketRow.business_date == day))


async def _check(url: str, steps: list[tuple[Any, ...]]) -> None:
    async with migrated_engine(url) as engine:
        sessions = session_factory(engine)
        tickets: list[Ticket] = []
        for step in steps:
            async with sessions.begin() as session:  # a transaction per step, as in the hub
                await _apply(session, step, tickets)
            async with sessions.begin() as session:
                kept, truth = await _counts(session)
                assert kept == truth, step
        async with sessions.begin() as session:
            await session.execute(delete(TicketRow))
            assert await _counts(session) == ({}, {})


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
async def test_the_counts_follow_every_change_on_sqlite(tmp_path, steps) -> None:  # type: ignore[no-untyped-def]
    await _check(f"sqlite:///{tmp_path / 'counts.db'}", steps)


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
async def test_the_counts_follow_every_change_on_postgresql(postgres_url, steps) -> None:  # type: ignore[no-untyped-def]
    await _check(postgres_url, steps)


async def _line_before_the_counts(url: str) -> dict[Any, int]:
    """A database at 0008 with a line in it, then migrated: what the GROUP BY says."""
    async with migrated_engine(url, "0008") as engine:
        sessions = session_factory(engine)
        specs = [("normal", "cash", DAY, TicketStatus.WAITING)] * 3 + [("priority", "cash", DAY, TicketStatus.WAITING)]
        specs += [("normal", "cards", DAY, TicketStatus.SERVED), ("vip", "cards", DAY, TicketStatus.WAITING)]
        async with sessions.begin() as session:
            await TicketRepository(session).add_many([_ticket(*spec) for spec in specs])
        await migrate(engine)
        async with sessions.begin() as session:
            kept, truth = await _counts(session)
        assert kept == truth
        return kept


async def test_the_migration_counts_the_line_already_there_on_sqlite(tmp_path) -> None:
    kept = await _line_before_the_counts(f"sqlite:///{tmp_path / 'old.db'}")
    assert kept == {("cash", DAY, "normal"): 3, ("cash", DAY, "priority"): 1, ("cards", DAY, "vip"): 1}


async def test_the_migration_counts_the_line_already_there_on_postgresql(postgres_url) -> None:
    kept = await _line_before_the_counts(postgres_url)
    assert kept == {("cash", DAY, "normal"): 3, ("cash", DAY, "priority"): 1, ("cards", DAY, "vip"): 1}


@pytest.mark.parametrize("statement", ["TRUNCATE tickets", "TRUNCATE tickets CASCADE"])
async def test_truncate_empties_the_counts_on_postgresql(postgres_url, statement) -> None:
    async with migrated_engine(postgres_url) as engine:
        sessions = session_factory(engine)
        async with sessions.begin() as session:
            await TicketRepository(session).add_many([_ticket("normal", "cash", DAY, TicketStatus.WAITING)] * 1)
            assert (await _counts(session))[0] == {("cash", DAY, "normal"): 1}
            await session.execute(text(statement))
            assert await _counts(session) == ({}, {})
