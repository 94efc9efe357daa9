"""The places of a batch of new tickets counted together (`TicketRepository.places_of_new`) are the places
`place_in_line` gives each of them, on real SQLite and PostgreSQL, for any line and any batch: mixed
services, days and classes, classes the policy does not name, tickets old enough for the age boost,
several issued at the same instant; and they take one statement whatever the length of the line."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, event
from sqlalchemy.ext.asyncio import AsyncEngine

from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus, place_in_line
from assistant.store.db import session_factory
from assistant.store.models import SequenceRow, TicketRow
from assistant.store.repo import TicketRepository
from tests.support import migrated_engine

NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)
POLICIES = [
    OrderingPolicy(classes=("appointment", "priority", "normal"), normal_share=(2, 1), age_boost_minutes=15),
    OrderingPolicy(classes=("appointment", "priority", "normal"), age_boost_minutes=0),  # no boost
    OrderingPolicy(classes=("appointment", "priority", "normal"), age_boost_minutes=-5),  # none either
    OrderingPolicy(classes=("appointment", "priority", "normal"), age_boost_minutes=1e-9),  # under a µs: none
    OrderingPolicy(classes=("appointment", "priority", "normal"), age_boost_minutes=0.05),  # 3 s: new ones too
    OrderingPolicy(classes=("priority", "normal"), age_boost_minutes=15),  # "appointment" is unknown here
    OrderingPolicy(classes=(), normal_share=(0, 0), age_boost_minutes=15),  # one class: arrival order
]
Spec = tuple[str, float, str, TicketStatus, date]  # class, seconds before NOW, service, status, day
CLASSES = st.sampled_from([*Priority, "vip"])  # "vip": a class no policy names (ranked last)
SERVICES = st.sampled_from(["cash", "cash", "cards"])
# seconds before NOW: ties, both sides of the 15-minute boost and of the 3-second one
LINE_AGES = st.sampled_from([0, 0.001, 1, 2.999, 3, 60, 899.999, 900, 901, 5400])
BATCH_AGES = st.sampled_from([0, 0, 0, 0.001, 0.002, 0.5, 3, 900, 4000])  # mostly new, a few old ones

LINE = st.lists(
    st.tuples(
        CLASSES, LINE_AGES, SERVICES,
        st.sampled_from([TicketStatus.WAITING, TicketStatus.WAITING, TicketStatus.CALLED]),
        st.sampled_from([DAY, DAY, DAY - timedelta(days=1)]),
    ),
    max_size=14,
)  # fmt: skip
BATCH = st.lists(
    st.tuples(
        CLASSES, BATCH_AGES, SERVICES, st.just(TicketStatus.WAITING),
        st.sampled_from([DAY, DAY, DAY, DAY - timedelta(days=1)]),
    ),
    min_size=1,
    max_size=10,
)  # fmt: skip


def _ticket(spec: Spec) -> Ticket:
    kind, age, service, status, day = spec
    issued = NOW - timedelta(seconds=age)
    return Ticket(
        id=uuid.uuid4().hex, number=uuid.uuid4().hex[:12], service_id=service, business_date=day, channel="kiosk",
        lang="en", priority=kind, status=status, issued_at=issued, arrived_at=issued,  # type: ignore[arg-type]
    )  # fmt: skip


def _waiting(kind: str, age: float, n: int) -> Ticket:
    return _ticket((kind, age, ("cash", "cards")[n % 2], TicketStatus.WAITING, DAY))


def _new_of_a_known_class(policy: OrderingPolicy, ticket: Ticket) -> bool:
    return ticket.priority in policy.classes and not policy.waited_past_boost(ticket.issued_at, NOW)


@contextmanager
def _statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _check(url: str, policy: OrderingPolicy, line: list[Spec], batch: list[Spec]) -> None:
    """The batch's places are `place_in_line`'s, which are the policy's order in Python."""
    async with migrated_engine(url) as engine:
        old, new = [_ticket(spec) for spec in line], [_ticket(spec) for spec in batch]
        async with session_factory(engine).begin() as session:
            repo = TicketRepository(session)
            await repo.add_many(old + new)
            with _statements(engine) as seen:
                places = await repo.places_of_new(policy, new, NOW)
            assert set(places) == {ticket.id for ticket in new}
            # one statement for the new ones; those boosted or of a class the policy does not name: one each
            alone = sum(1 for ticket in new if not _new_of_a_known_class(policy, ticket))
            assert len(seen) == (alone < len(new)) + alone, seen
            for ticket in new:
                line_of = (ticket.service_id, ticket.business_date, TicketStatus.WAITING)
                same = [
                    (t.id, str(t.priority), t.issued_at)
                    for t in old + new
                    if (t.service_id, t.business_date, t.status) == line_of
                ]
                counted = await repo.place_in_line(policy, ticket, NOW)
                assert places[ticket.id] == counted, (ticket, same)
                assert counted == place_in_line(policy, ticket, same, NOW), (ticket, same)
            await session.execute(delete(TicketRow))  # the next example starts from an empty line


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policy=st.sampled_from(POLICIES), line=LINE, batch=BATCH)
async def test_batch_places_are_each_tickets_place_on_sqlite(
    tmp_path: Path, policy: OrderingPolicy, line: list[Spec], batch: list[Spec]
) -> None:
    await _check(f"sqlite:///{tmp_path / 'batch.db'}", policy, line, batch)


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policy=st.sampled_from(POLICIES), line=LINE, batch=BATCH)
async def test_batch_places_are_each_tickets_place_on_postgresql(
    postgres_url: str, policy: OrderingPolicy, line: list[Spec], batch: list[Spec]
) -> None:
    await _check(postgres_url, policy, line, batch)


W, CALLED = TicketStatus.WAITING, TicketStatus.CALLED
# A batch of four normal "cash" tickets issued over 2 ms (two at the same instant), and in that span:
# tickets of the same line that are not waiting, of another class, another day and another service.
SPAN_LINE = [
    ("normal", 0.001, "cash", CALLED, DAY),
    ("priority", 0.001, "cash", W, DAY),
    ("normal", 0.001, "cash", W, DAY - timedelta(days=1)),
    ("normal", 0.001, "cards", W, DAY),
    ("normal", 0.0015, "cash", W, DAY),
    ("normal", 60, "cash", W, DAY),
    ("normal", 1000, "cash", W, DAY),
]
SPAN_BATCH = [("normal", 0.002, "cash", W, DAY), ("normal", 0, "cash", W, DAY), ("normal", 0, "cash", W, DAY),
              ("normal", 0.0005, "cash", W, DAY), ("priority", 0, "cash", W, DAY)]  # fmt: skip


async def test_only_waiting_tickets_of_the_group_in_its_span_count_on_sqlite(tmp_path: Path) -> None:
    await _check(f"sqlite:///{tmp_path / 'span.db'}", POLICIES[0], SPAN_LINE, SPAN_BATCH)


async def test_only_waiting_tickets_of_the_group_in_its_span_count_on_postgresql(postgres_url: str) -> None:
    await _check(postgres_url, POLICIES[0], SPAN_LINE, SPAN_BATCH)


async def test_tickets_right_at_an_uneven_boost_cutoff_are_placed_as_the_policy_orders_them(tmp_path: Path) -> None:
    """A boost of 30/7 minutes ends 257.142857 s after issue (the microsecond the database's cutoff
    falls on): a ticket issued exactly then is boosted for `class_level` as for the database's count, so
    the batch's places are the policy's order, ties falling both ways."""
    policy = OrderingPolicy(classes=("appointment", "priority", "normal"), age_boost_minutes=30 / 7)
    edge = timedelta(minutes=policy.age_boost_minutes).total_seconds()
    assert policy.waited_past_boost(NOW - timedelta(seconds=edge), NOW)  # the premise: they agree
    line = [("normal", edge, "cash", W, DAY), ("normal", 600, "cash", W, DAY), ("normal", 1, "cash", W, DAY)]
    batch = [("normal", edge, "cash", W, DAY)] * 3 + [("normal", 0, "cash", W, DAY)] * 2
    for _ in range(5):  # ids are random: ties fall both ways
        await _check(f"sqlite:///{tmp_path / 'edge.db'}", policy, line, batch)


async def test_a_batch_is_placed_in_one_statement_however_long_the_line(tmp_path: Path) -> None:
    """Eight new tickets of two services and two classes issued over 2 ms: one statement, with 10 or 400 waiting."""
    policy = POLICIES[0]
    async with migrated_engine(f"sqlite:///{tmp_path / 'one.db'}") as engine:
        sessions = session_factory(engine)
        for waiting in (10, 400):
            line = [_waiting(("normal", "priority")[n % 5 == 0], n * 7 % 5400, n) for n in range(waiting)]
            batch = [_waiting(("normal", "priority")[n % 4 == 0], n % 3 / 1000, n) for n in range(8)]
            async with sessions.begin() as session:
                repo = TicketRepository(session)
                await repo.add_many(line + batch)
                with _statements(engine) as seen:
                    places = await repo.places_of_new(policy, batch, NOW)
                assert len(seen) == 1, seen
                assert places == {t.id: await repo.place_in_line(policy, t, NOW) for t in batch}
                assert sorted(places.values())[-1] > waiting // 2  # the line was counted, not skipped
                await session.execute(delete(TicketRow))


async def _round_trip(url: str) -> None:
    """The Core INSERT and the batch key lookup keep every column (times stay timezone-aware UTC)."""
    async with migrated_engine(url) as engine:
        full = Ticket(
            id=uuid.uuid4().hex, number="B042", service_id="cards", business_date=DAY, channel="mobile", lang="zh",
            priority=Priority.PRIORITY, status=TicketStatus.SERVED, issued_at=NOW - timedelta(minutes=30),
            intent="replace_card", appointment_code="X7K2", idempotency_key="chat-1:ticket", counter_id="c2",
            called_at=NOW - timedelta(minutes=9), started_at=NOW - timedelta(minutes=8), finished_at=NOW,
            outcome="done", recalls=1, transfers=2, target_counter_id="c3", remote=True,
            arrived_at=NOW - timedelta(minutes=20),
        )  # fmt: skip
        bare = _ticket(("normal", 0, "cash", TicketStatus.WAITING, DAY))
        async with session_factory(engine).begin() as session:
            repo = TicketRepository(session)
            await repo.add_many([full, bare])
            assert await repo.get(full.id) == full and await repo.get(bare.id) == bare
            assert await repo.by_idempotency_keys(["chat-1:ticket", "unknown"]) == {"chat-1:ticket": full}
            assert await repo.by_idempotency_keys(["unknown"]) == {}
            assert await repo.by_idempotency_keys([]) == {}
            found = await repo.by_idempotency_keys(["chat-1:ticket"])
            assert found["chat-1:ticket"].issued_at.tzinfo is not None


async def test_rows_round_trip_on_sqlite(tmp_path: Path) -> None:
    await _round_trip(f"sqlite:///{tmp_path / 'trip.db'}")


async def test_rows_round_trip_on_postgresql(postgres_url: str) -> None:
    await _round_trip(postgres_url)


async def _sequences(url: str) -> None:
    """Several prefixes and days take their numbers in one upsert; each continues where it stood."""
    async with migrated_engine(url) as engine:
        sessions = session_factory(engine)
        yesterday = DAY - timedelta(days=1)
        async with sessions.begin() as session:
            repo = TicketRepository(session)
            assert await repo.next_sequence("A", DAY, 2) == 2
            with _statements(engine) as seen:
                lasts = await repo.next_sequences({("C", DAY): 3, ("A", DAY): 4, ("A", yesterday): 1})
            assert len(seen) == 1
            assert lasts == {("A", DAY): 6, ("C", DAY): 3, ("A", yesterday): 1}
            assert await repo.next_sequences({}) == {}
        async with sessions.begin() as session:
            repo = TicketRepository(session)
            assert await repo.next_sequences({("A", DAY): 1, ("C", DAY): 2}) == {("A", DAY): 7, ("C", DAY): 5}
            await session.execute(delete(SequenceRow))


async def test_sequences_on_sqlite(tmp_path: Path) -> None:
    await _sequences(f"sqlite:///{tmp_path / 'seq.db'}")


async def test_sequences_on_postgresql(postgres_url: str) -> None:
    await _sequences(postgres_url)
