"""Group commit (assistant/store/group.py) on a real SQLite file: tickets asked for together share a
transaction, each caller hears only after the commit, a repeated key never costs a number, and one
caller's failure stays its own."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.clock import SystemClock
from assistant.domain.events import Event
from assistant.services.tickets import BranchService
from assistant.settings import Settings
from assistant.store.db import create_engine, migrate, session_factory
from assistant.store.group import GroupCommit
from assistant.store.models import SequenceRow, TicketRow


@pytest.fixture
async def branch(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'group.db'}")
    await migrate(engine)
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    service = BranchService(settings, session_factory(engine), SystemClock(), publish)
    await service.bootstrap()
    service.published = published  # type: ignore[attr-defined]
    yield service
    await service.waits.close()
    await engine.dispose()


async def test_tickets_taken_together_share_transactions_and_keep_consecutive_numbers(branch) -> None:  # type: ignore[no-untyped-def]
    await branch.issue_ticket("cash", "kiosk", "en")  # the day's first estimate is made on its own
    before = branch.issuer.writes.batches
    results = await asyncio.gather(
        *(branch.issue_ticket("cash" if i % 3 else "cards", "kiosk", "en", idempotency_key=f"k{i}") for i in range(30))
    )
    assert all(created for _, created in results)
    cash = sorted(int(v.number[1:]) for v, _ in results if v.service == "cash")
    cards = sorted(int(v.number[1:]) for v, _ in results if v.service == "cards")
    assert cash == list(range(2, 2 + len(cash))) and cards == list(range(1, 1 + len(cards)))
    assert branch.issuer.writes.batches - before < 30  # fewer commits than tickets
    # every caller's place is the place it has in the committed line
    for view, _ in results:
        assert view.position == (await branch.get_ticket(view.id)).position


async def test_one_key_asked_for_several_times_at_once_is_one_ticket_and_one_number(branch) -> None:  # type: ignore[no-untyped-def]
    same = [branch.issue_ticket("cash", "kiosk", "en", idempotency_key="same") for _ in range(6)]
    results = await asyncio.gather(*same)
    assert len({view.id for view, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(branch.published) == 1  # one ticket.issued
    again, created = await branch.issue_ticket("cash", "kiosk", "en", idempotency_key="same")
    assert not created and again.id == results[0][0].id
    fresh, _ = await branch.issue_ticket("cash", "kiosk", "en")
    assert fresh.number == "A002"  # no number burnt by the repeats
    async with branch.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(TicketRow))).scalar_one() == 2


async def test_a_failing_item_fails_alone_and_nothing_is_answered_before_the_commit(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'items.db'}")
    await migrate(engine)
    sessions = session_factory(engine)
    committed: list[str] = []

    async def write(session: AsyncSession, items: Sequence[str]) -> list[str]:
        for item in items:
            if item == "bad":
                raise ValueError("bad item")
            session.add(SequenceRow(prefix=item, business_date=date(2026, 3, 10), last_value=1))
        await session.flush()
        return [f"wrote {item}" for item in items]

    group: GroupCommit[str, str] = GroupCommit(sessions, write)

    async def submit(item: str) -> str:
        result = await group.submit(item)
        async with sessions() as session:  # what the caller was told is already on disk
            rows = (await session.execute(select(SequenceRow.prefix))).scalars().all()
        assert item in rows
        committed.append(item)
        return result

    outcomes = await asyncio.gather(*(submit(item) for item in ("A", "B", "bad", "C")), return_exceptions=True)
    assert outcomes[:2] == ["wrote A", "wrote B"] and outcomes[3] == "wrote C"
    assert isinstance(outcomes[2], ValueError)
    assert sorted(committed) == ["A", "B", "C"]
    await engine.dispose()
