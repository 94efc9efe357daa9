"""Appointment seats under concurrency, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from assistant.domain.appointments import AppointmentStatus
from assistant.domain.clock import FakeClock
from assistant.domain.errors import Conflict
from assistant.domain.events import Event, EventType
from assistant.services.appointments import AppointmentService
from assistant.services.tickets import BranchService
from assistant.settings import Settings
from assistant.store.appointments import AppointmentRepository, AppointmentSeatRow
from assistant.store.db import create_engine, migrate, session_factory

LONDON = ZoneInfo("Europe/London")
SLOT = datetime(2025, 6, 9, 10, 0, tzinfo=LONDON)  # a Monday; loans has 2 seats per slot
BOOKINGS = 20


class Harness:
    def __init__(self, service: AppointmentService, events: list[Event], clock: FakeClock) -> None:
        self.service = service
        self.events = events
        self.clock = clock


async def start(settings: Settings, url: str, codes: Callable[[], str] | None = None) -> AsyncIterator[Harness]:
    engine = create_engine(url)
    events: list[Event] = []
    clock = FakeClock(datetime(2025, 6, 9, 8, 30, tzinfo=LONDON))

    async def publish(event: Event) -> None:
        events.append(event)

    try:
        await migrate(engine)
        sessions = session_factory(engine)
        branch = BranchService(settings, sessions, clock, publish)
        await branch.bootstrap()
        extra = {"codes": codes} if codes else {}
        yield Harness(AppointmentService(settings, sessions, clock, publish, branch, **extra), events, clock)
    finally:
        await engine.dispose()


@pytest.fixture
async def on_sqlite(settings: Settings, tmp_path: Path) -> AsyncIterator[Harness]:
    async for harness in start(settings, f"sqlite:///{tmp_path / 'appointments.db'}"):
        yield harness


@pytest.fixture
async def on_postgres(settings: Settings, postgres_url: str) -> AsyncIterator[Harness]:
    async for harness in start(settings, postgres_url):
        yield harness


async def race_for_the_slot(harness: Harness) -> None:
    """BOOKINGS customers book the same 2-seat slot at once: exactly 2 win, the rest hear slot_full."""
    results = await asyncio.wait_for(
        asyncio.gather(
            *(harness.service.book("loans", SLOT, channel="mobile", lang="en") for _ in range(BOOKINGS)),
            return_exceptions=True,
        ),
        timeout=60,
    )
    booked = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(booked) == 2, refused
    assert all(isinstance(r, Conflict) and r.code == "slot_full" for r in refused), refused
    assert len({a.code for a in booked}) == 2
    slots = await harness.service.slots("loans", SLOT.date())
    assert next(s for s in slots["slots"] if s["starts_at"] == SLOT.isoformat())["free"] == 0
    assert [e.type for e in harness.events] == [EventType.APPOINTMENT_BOOKED] * 2


async def test_twenty_concurrent_bookings_two_seats_on_sqlite(on_sqlite: Harness) -> None:
    await race_for_the_slot(on_sqlite)


@pytest.mark.timeout(120)
async def test_twenty_concurrent_bookings_two_seats_on_postgresql(on_postgres: Harness) -> None:
    await race_for_the_slot(on_postgres)


@pytest.mark.timeout(120)
async def test_concurrent_reschedules_into_the_last_seat_on_postgresql(on_postgres: Harness) -> None:
    service = on_postgres.service
    await service.book("loans", SLOT, channel="web", lang="en")  # one of the two seats gone
    movers = [await service.book("loans", SLOT + timedelta(hours=2), channel="web", lang="en") for _ in range(2)]
    results = await asyncio.gather(*(service.reschedule(m.code, SLOT) for m in movers), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1, results
    after = {s["starts_at"]: s["free"] for s in (await service.slots("loans", SLOT.date()))["slots"]}
    assert after[SLOT.isoformat()] == 0
    assert after[(SLOT + timedelta(hours=2)).isoformat()] == 1  # the winner gave its old seat back


async def test_the_database_itself_refuses_a_second_holder_of_a_seat(on_sqlite: Harness) -> None:
    """Not only the repository's checks: a plain INSERT of a taken seat fails in the database."""
    await on_sqlite.service.book("loans", SLOT, channel="web", lang="en")
    second = await on_sqlite.service.book("loans", SLOT + timedelta(minutes=30), channel="web", lang="en")
    sessions = on_sqlite.service.sessions
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(AppointmentSeatRow(service_id="loans", starts_at=SLOT, seat=1, appointment_code=second.code))
    async with sessions.begin() as session:
        taken = await AppointmentRepository(session).seats_taken("loans", SLOT, SLOT + timedelta(days=1))
    assert taken == {SLOT: 1, SLOT + timedelta(minutes=30): 1}


async def test_a_clashing_code_is_drawn_again(settings: Settings, tmp_path: Path) -> None:
    codes = iter(["K7MX3P", "K7MX3P", "Q4RT9W"])
    async for harness in start(settings, f"sqlite:///{tmp_path / 'codes.db'}", lambda: next(codes)):
        first = await harness.service.book("loans", SLOT, channel="web", lang="en")
        second = await harness.service.book("loans", SLOT, channel="web", lang="en")
        assert (first.code, second.code) == ("K7MX3P", "Q4RT9W")


async def test_check_in_publishes_and_issues_one_ticket(on_sqlite: Harness) -> None:
    appointment = await on_sqlite.service.book("invest", SLOT, channel="mobile", lang="en")
    on_sqlite.clock.advance(minutes=80)  # 09:50
    results = await asyncio.gather(*(on_sqlite.service.check_in(appointment.code, "kiosk", None) for _ in range(5)))
    assert len({ticket.id for ticket, _, _ in results}) == 1
    assert sum(created for _, created, _ in results) == 1
    assert all(ticket.priority == "appointment" for ticket, _, _ in results)
    kinds = [e.type for e in on_sqlite.events]
    assert kinds.count(EventType.TICKET_ISSUED) == 1 and kinds.count(EventType.APPOINTMENT_CHECKED_IN) == 1
    checked_in = next(e for e in on_sqlite.events if e.type is EventType.APPOINTMENT_CHECKED_IN)
    assert checked_in.data["appointment"]["code"] == appointment.code
    assert checked_in.data["ticket"]["id"] == results[0][0].id
    stored = await on_sqlite.service.get(appointment.code)
    assert stored.status is AppointmentStatus.CHECKED_IN and stored.ticket_id == results[0][0].id


async def test_cancel_and_reschedule_are_published(on_sqlite: Harness) -> None:
    appointment = await on_sqlite.service.book("loans", SLOT, channel="mobile", lang="en")
    later = SLOT + timedelta(minutes=30)
    moved = await on_sqlite.service.reschedule(appointment.code, later)
    await on_sqlite.service.cancel(moved.code)
    kinds = [e.type for e in on_sqlite.events]
    assert kinds == [EventType.APPOINTMENT_BOOKED, EventType.APPOINTMENT_RESCHEDULED, EventType.APPOINTMENT_CANCELLED]
    rescheduled = on_sqlite.events[1]
    assert rescheduled.data["from"] == SLOT.isoformat()
    assert rescheduled.data["appointment"]["starts_at"] == later.isoformat()
