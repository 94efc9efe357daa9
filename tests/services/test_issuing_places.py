"""Issuer (assistant/services/issuing.py) with the branch's policy and clock counts the places of a batch's
new tickets together and hands them to the view: every caller is told the place the committed line
gives its ticket, a repeated key gets its first ticket, and the line is counted in one statement per
batch instead of one per ticket. On a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.clock import FakeClock
from assistant.domain.events import Event
from assistant.domain.tickets import Ticket
from assistant.services.issuing import Issuer
from assistant.services.tickets import BranchService
from assistant.settings import Settings
from assistant.store.db import session_factory
from lobby_wire.tickets import TicketView
from tests.support import migrated_engine

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@asynccontextmanager
async def _branch(settings: Settings, url: str) -> AsyncIterator[BranchService]:
    async def publish(event: Event) -> None:
        pass

    async with migrated_engine(url) as engine:
        service = BranchService(settings, session_factory(engine), FakeClock(START), publish)
        await service.bootstrap()
        try:
            yield service
        finally:
            await service.waits.close()


async def test_a_batch_tells_each_caller_its_place_on_sqlite(settings: Settings, tmp_path: Path) -> None:
    async with _branch(settings, f"sqlite:///{tmp_path / 'issuing.db'}") as branch:
        await _batch_tells_each_caller_its_place_counted_once_for_all(branch)


async def test_a_batch_tells_each_caller_its_place_on_postgresql(settings: Settings, postgres_url: str) -> None:
    async with _branch(settings, postgres_url) as branch:
        await _batch_tells_each_caller_its_place_counted_once_for_all(branch)


async def test_without_a_policy_the_view_counts_each_place(settings: Settings, tmp_path: Path) -> None:
    async with _branch(settings, f"sqlite:///{tmp_path / 'plain.db'}") as branch:
        told: list[int | None] = []

        async def view(session: AsyncSession, ticket: Ticket, *, position: int | None = None) -> TicketView:
            told.append(position)
            return await branch.view(session, ticket, position=position)

        branch.issuer = Issuer(branch.sessions, view)
        results = await asyncio.gather(*(branch.issue_ticket("cash", "kiosk", "en") for _ in range(4)))
        assert told == [None] * 4
        assert sorted(view.position for view, _ in results) == [1, 2, 3, 4]


async def _batch_tells_each_caller_its_place_counted_once_for_all(branch: BranchService) -> None:
    told: dict[str, int | None] = {}  # ticket id -> the position the issuer handed the view

    async def view(session: AsyncSession, ticket: Ticket, *, position: int | None = None) -> TicketView:
        told.setdefault(ticket.id, position)
        return await branch.view(session, ticket, position=position)

    branch.issuer = Issuer(branch.sessions, view, policy=branch.policy, clock=branch.clock)
    clock = branch.clock
    assert isinstance(clock, FakeClock)
    # a line already: normal tickets, an old one (boosted), a priority one; and a key taken before
    for minutes, priority in ((40, "normal"), (10, "priority"), (5, "normal"), (1, "normal")):
        clock.advance(minutes=minutes)
        await branch.issue_ticket("cash", "kiosk", "en", priority=priority)
    await branch.issue_ticket("cards", "kiosk", "en", idempotency_key="before")
    clock.advance(seconds=30)
    told.clear()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = branch.sessions.kw["bind"]
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    batches = branch.issuer.writes.batches
    kinds = ["normal", "priority", "appointment"]
    asks = [
        branch.issue_ticket(("cash", "cards")[n % 2], "kiosk", "en", priority=kinds[n % 3], idempotency_key=f"k{n % 9}")
        for n in range(12)
    ] + [branch.issue_ticket("cards", "kiosk", "en", idempotency_key="before")]
    results = await asyncio.gather(*asks)
    event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert branch.issuer.writes.batches == batches + 1  # one transaction for all
    created = [view for view, new in results if new]
    assert len(created) == 9  # keys k0..k8; k0, k1, k2 asked twice, "before" once more
    for shown, _ in results:  # the place each caller was told is its place in the committed line
        assert shown.position == (await branch.get_ticket(shown.id)).position
    assert all(told[view.id] == view.position for view in created)  # counted by the issuer, not the view
    assert told[results[-1][0].id] is None  # the old ticket of a repeated key: the view counts it
    assert [view.id for view, _ in results[9:12]] == [view.id for view, _ in results[0:3]]
    counting = [s for s in statements if "count(*)" in s.lower() and "tickets" in s.lower()]
    assert len(counting) <= 2, counting  # the batch's places in one; the repeated old key's in one
