"""Placing new tickets costs the same however long the line (issue 16): counted in SQLite's own virtual
machine instructions (its progress handler), which are deterministic, not in seconds. The line comes
at a steady rate (a ticket every 5 s), so a longer line reaches further back: what a new ticket may
still walk is the tickets behind it and the last `age_boost_minutes` of arrivals, never the line."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete

from assistant.domain.tickets import OrderingPolicy, Ticket, TicketStatus
from assistant.store.db import session_factory
from assistant.store.models import TicketRow
from assistant.store.repo import TicketRepository
from tests.support import migrated_engine

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)
POLICY = OrderingPolicy(classes=("appointment", "priority", "normal"), normal_share=(1, 3), age_boost_minutes=15)


def _ticket(kind: str, issued: datetime) -> Ticket:
    return Ticket(
        id=uuid.uuid4().hex, number=uuid.uuid4().hex[:12], service_id="cash", business_date=DAY, channel="kiosk",
        lang="en", priority=kind, status=TicketStatus.WAITING, issued_at=issued, arrived_at=issued,  # type: ignore[arg-type]
    )  # fmt: skip


async def _instructions(url: str, waiting: int) -> tuple[int, int]:
    """(VM instructions to place a batch of 8 new tickets of two classes, and one ticket's place read
    afterwards) with `waiting` tickets in line, one in five of them priority."""
    async with migrated_engine(url) as engine:
        async with session_factory(engine).begin() as session:
            repo = TicketRepository(session)
            line = [
                _ticket("priority" if n % 5 == 0 else "normal", NOW - timedelta(seconds=5 * (waiting - n)))
                for n in range(waiting)
            ]
            await repo.add_many(line)
            batch = [_ticket("priority" if n % 4 == 0 else "normal", NOW + timedelta(milliseconds=n)) for n in range(8)]
            await repo.add_many(batch)
            raw = (await (await session.connection()).get_raw_connection()).driver_connection
            steps = [0]

            def count() -> int:
                steps[0] += 1
                return 0  # go on

            await raw.set_progress_handler(count, 1)
            places = await repo.places_of_new(POLICY, batch, NOW + timedelta(milliseconds=8))
            batch_steps, steps[0] = steps[0], 0
            assert await repo.place_in_line(POLICY, batch[-1], NOW + timedelta(milliseconds=8)) == places[batch[-1].id]
            await raw.set_progress_handler(None, 1)
            assert max(places.values()) == waiting + 8  # the whole line was counted
            await session.execute(delete(TicketRow))
            return batch_steps, steps[0]


async def test_placing_new_tickets_costs_the_same_with_400_or_4000_waiting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    short = await _instructions(f"sqlite:///{tmp_path / 'short.db'}", 400)
    long = await _instructions(f"sqlite:///{tmp_path / 'long.db'}", 4000)
    for few, many in zip(short, long, strict=True):
        assert many <= few * 1.05 + 50, (short, long)  # a walk of the line: ~9x (47,022 against 5,262 before)
