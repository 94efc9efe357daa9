"""A ticket's place in line counted by the database agrees with the policy's order in Python
(`assistant.domain.tickets.place_in_line`), on real SQLite and PostgreSQL, for any line."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete

from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus, place_in_line
from assistant.store.db import session_factory
from assistant.store.models import TicketRow
from assistant.store.repo import TicketRepository
from tests.support import migrated_engine

NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)
POLICY = OrderingPolicy(classes=("appointment", "priority", "normal"), normal_share=(2, 1), age_boost_minutes=15)

# (class, minutes before now it was issued, status, service): a line with ties, boosts and other services
TICKETS = st.lists(
    st.tuples(
        st.sampled_from([*Priority, "vip"]),  # "vip": a class the policy does not name (ranked last)
        st.sampled_from([0, 1, 5, 14, 15, 16, 30, 90]),
        st.sampled_from([TicketStatus.WAITING, TicketStatus.WAITING, TicketStatus.CALLED]),
        st.sampled_from(["cash", "cash", "cards"]),
    ),
    min_size=1,
    max_size=12,
)


def _ticket(index: int, kind: str, minutes: float, status: TicketStatus, service: str) -> Ticket:
    issued = NOW - timedelta(minutes=minutes)
    return Ticket(
        id=f"{index:02d}{uuid.uuid4().hex[:30]}", number=f"A{index + 1:03d}", service_id=service, business_date=DAY,
        channel="kiosk", lang="en", priority=kind, status=status, issued_at=issued,  # type: ignore[arg-type]
        arrived_at=issued,
    )  # fmt: skip


async def _check(url: str, line: list[tuple[str, float, TicketStatus, str]], policy: OrderingPolicy) -> None:
    async with migrated_engine(url) as engine:
        sessions = session_factory(engine)
        tickets = [_ticket(i, *spec) for i, spec in enumerate(line)]
        async with sessions.begin() as session:
            repo = TicketRepository(session)
            for ticket in tickets:
                await repo.add(ticket)
            for ticket in tickets:
                if ticket.status is not TicketStatus.WAITING:
                    continue
                same = [
                    (t.id, str(t.priority), t.issued_at)
                    for t in tickets
                    if t.service_id == ticket.service_id and t.status is TicketStatus.WAITING
                ]
                expected = place_in_line(policy, ticket, same, NOW)
                assert await repo.place_in_line(policy, ticket, NOW) == expected, (ticket, same)
            await session.execute(delete(TicketRow))  # the next example starts from an empty line


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=TICKETS)
async def test_the_database_counts_the_place_the_policy_gives_on_sqlite(tmp_path, line) -> None:  # type: ignore[no-untyped-def]
    await _check(f"sqlite:///{tmp_path / 'place.db'}", line, POLICY)


@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=TICKETS)
async def test_the_database_counts_the_place_the_policy_gives_on_postgresql(postgres_url, line) -> None:  # type: ignore[no-untyped-def]
    await _check(postgres_url, line, POLICY)


@pytest.mark.parametrize(
    "policy",
    [
        OrderingPolicy(classes=("appointment", "priority", "normal"), age_boost_minutes=0),  # no boost
        OrderingPolicy(classes=(), normal_share=(0, 0), age_boost_minutes=0),  # one class: arrival order
    ],
)
async def test_other_policies_too(tmp_path, policy: OrderingPolicy) -> None:  # type: ignore[no-untyped-def]
    line = [("normal", 30, TicketStatus.WAITING, "cash"), ("priority", 1, TicketStatus.WAITING, "cash"),
            ("appointment", 0, TicketStatus.WAITING, "cash"), ("normal", 16, TicketStatus.WAITING, "cash")]  # fmt: skip
    await _check(f"sqlite:///{tmp_path / 'place.db'}", line, policy)


ODD = OrderingPolicy(classes=("appointment", "priority", "normal"), age_boost_minutes=30 / 7)  # not whole µs
AT_THE_CUTOFF = [
    ("normal", 30 / 7, TicketStatus.WAITING, "cash"),  # issued exactly at now - boost: boosted
    ("normal", 30 / 7 - 2 / 60e6, TicketStatus.WAITING, "cash"),  # 2 µs later: not
    ("priority", 1, TicketStatus.WAITING, "cash"),
    ("vip", 30 / 7, TicketStatus.WAITING, "cash"),
    ("normal", 0, TicketStatus.WAITING, "cash"),
]


async def test_the_boost_boundary_is_the_same_microsecond_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    await _check(f"sqlite:///{tmp_path / 'place.db'}", AT_THE_CUTOFF, ODD)


async def test_the_boost_boundary_is_the_same_microsecond_on_postgresql(postgres_url) -> None:  # type: ignore[no-untyped-def]
    await _check(postgres_url, AT_THE_CUTOFF, ODD)
