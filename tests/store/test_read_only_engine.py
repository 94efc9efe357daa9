"""The read-only engine the wait projections' process reads with: it never holds up the hub's writer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from assistant.store.db import create_engine, migrate, session_factory


async def test_a_long_read_never_blocks_the_writer_and_cannot_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lobby.db'}"
    writer = create_engine(url)
    reader = create_engine(url, read_only=True)
    try:
        await migrate(writer)
        async with session_factory(reader)() as reading:
            before = (await reading.execute(text("SELECT count(*) FROM tickets"))).scalar_one()
            # The read transaction is open (a snapshot): the hub's writer goes ahead at once all the same.
            async with session_factory(writer).begin() as writing:
                await asyncio.wait_for(writing.execute(text("CREATE TABLE probe (x INTEGER)")), 2)
            assert (await reading.execute(text("SELECT count(*) FROM tickets"))).scalar_one() == before
            with pytest.raises(OperationalError, match=r"readonly|read-only|query_only"):
                await reading.execute(text("DELETE FROM tickets"))
    finally:
        await reader.dispose()
        await writer.dispose()
