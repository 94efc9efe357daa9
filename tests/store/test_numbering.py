"""Ticket numbering under concurrency, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.domain.clock import SystemClock
from assistant.domain.events import Event
from assistant.services.tickets import BranchService
from assistant.settings import Settings
from assistant.store.db import create_engine, migrate, session_factory


async def issue_concurrently(settings: Settings, url: str, count: int) -> list[str]:
    engine = create_engine(url)
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    try:
        await migrate(engine)
        await migrate(engine)  # idempotent
        service = BranchService(settings, session_factory(engine), SystemClock(), publish)
        await service.bootstrap()
        results = await asyncio.gather(
            *(service.issue_ticket("cash", channel="kiosk", lang="en") for _ in range(count))
        )
    finally:
        await engine.dispose()
    assert len(published) == count
    return [ticket.number for ticket, created in results if created]


def assert_consecutive(numbers: list[str], count: int) -> None:
    assert len(numbers) == count
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, count + 1)]


async def test_fifty_concurrent_tickets_on_sqlite(settings: Settings, tmp_path: Path) -> None:
    numbers = await issue_concurrently(settings, f"sqlite:///{tmp_path / 'numbering.db'}", 50)
    assert_consecutive(numbers, 50)


@pytest.mark.timeout(120)
async def test_fifty_concurrent_tickets_on_postgresql(settings: Settings, postgres_url: str) -> None:
    numbers = await issue_concurrently(settings, postgres_url, 50)
    assert_consecutive(numbers, 50)


async def test_numbers_survive_a_restart(settings: Settings, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    first = await issue_concurrently(settings, url, 3)
    second = await issue_concurrently(settings, url, 2)  # a new engine: as after a crash
    assert_consecutive(first + second, 5)
