"""The audit log's table on a real SQLite file and a real PostgreSQL: append-only in the database
itself, the 0005 -> 0006 migration carries the old staff_actions over, the manager's filters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from assistant.domain.audit import Actor, ActorKind, AuditAction, AuditEntry
from assistant.domain.staff import Role
from assistant.store.audit import AuditLog, AuditQuery
from assistant.store.db import create_engine, migrate, session_factory
from assistant.store.tokens import issue_token, rotate_token, token_admin

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANA = Actor(ActorKind.TOKEN, "Ana", "teller", "tok-ana")
BEN = Actor(ActorKind.TOKEN, "Ben", "manager", "tok-ben")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        yield engine
    finally:
        await engine.dispose()


async def _append(engine: AsyncEngine, *entries: AuditEntry) -> None:
    async with session_factory(engine).begin() as session:
        for entry in entries:
            await AuditLog(session).append(entry)


def _entry(minutes: int, actor: Actor, action: AuditAction, target: str = "t1") -> AuditEntry:
    return AuditEntry(T0 + timedelta(minutes=minutes), actor, action, "ticket", target, "c1",
                      {"status": "waiting"}, {"status": "called"})  # fmt: skip


async def test_the_database_refuses_to_change_or_delete_a_line(engine: AsyncEngine) -> None:
    await _append(engine, _entry(0, ANA, AuditAction.TICKET_CALL_NEXT))
    statements = ["UPDATE audit_log SET actor_name = 'someone else'", "DELETE FROM audit_log"]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
    async with session_factory(engine).begin() as session:
        (kept,) = await AuditLog(session).find(AuditQuery())
    assert (kept.actor.name, kept.action, kept.before, kept.after) == (
        "Ana", AuditAction.TICKET_CALL_NEXT, {"status": "waiting"}, {"status": "called"},
    )  # fmt: skip


def test_the_repository_has_no_way_to_change_the_past() -> None:
    writers = [name for name in dir(AuditLog) if name.startswith(("update", "delete", "remove", "edit", "save"))]
    assert writers == []


async def test_filters_by_time_actor_and_action_newest_first_with_paging(engine: AsyncEngine) -> None:
    await _append(
        engine,
        _entry(0, ANA, AuditAction.TICKET_CALL_NEXT),
        _entry(5, ANA, AuditAction.TICKET_FINISH),
        _entry(10, BEN, AuditAction.COUNTER_CLOSE, target="c1"),
        _entry(15, BEN, AuditAction.TICKET_TRANSFER, target="t2"),
        _entry(20, ANA, AuditAction.TICKET_RECALL, target="t2"),
    )
    async with session_factory(engine).begin() as session:
        log = AuditLog(session)

        async def actions(**query: object) -> list[str]:
            return [str(entry.action) for entry in await log.find(AuditQuery(**query))]  # type: ignore[arg-type]

        assert await actions() == [
            "ticket.recall", "ticket.transfer", "counter.close", "ticket.finish", "ticket.call_next",
        ]  # fmt: skip
        assert await actions(actor="Ben") == ["ticket.transfer", "counter.close"]
        assert await actions(actor="tok-ana", actions=("ticket.finish",)) == ["ticket.finish"]
        assert await actions(actions=("counter.*", "ticket.recall")) == ["ticket.recall", "counter.close"]
        window = {"since": T0 + timedelta(minutes=5), "until": T0 + timedelta(minutes=15)}
        assert await actions(**window) == ["counter.close", "ticket.finish"]
        first = await log.find(AuditQuery(limit=2))
        rest = await log.find(AuditQuery(limit=2, before_id=first[-1].id))
        assert [str(e.action) for e in rest] == ["counter.close", "ticket.finish"]
        exported = await log.export(AuditQuery(actor="Ana"))
        assert [e.at for e in exported] == sorted(e.at for e in exported) and len(exported) == 3
        called_by, finished_by = await log.staff_of_tickets(["t1", "t2"])
    assert (called_by, finished_by) == ({"t1": "Ana"}, {"t1": "Ana"})


async def test_migration_carries_staff_actions_into_the_audit_log(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        await migrate(engine, "0005")
        async with engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO staff_tokens (id, token_hash, role, name, created_at) "
                "VALUES ('tok1', 'h1', 'teller', 'Ana', '2026-03-02 08:00:00.000000')"
            ))  # fmt: skip
            for action, ticket, minute in (("called", "t1", 1), ("finished", "t1", 5), ("called", "t2", 6)):
                await connection.execute(
                    text("INSERT INTO staff_actions (ticket_id, counter_id, action, token_id, staff_name, at) "
                         "VALUES (:ticket, 'c1', :action, 'tok1', 'Ana', :at)"),
                    {"ticket": ticket, "action": action, "at": f"2026-03-02 09:0{minute}:00.000000"},
                )  # fmt: skip
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            entries = await AuditLog(session).export(AuditQuery())
            tables = await session.run_sync(lambda s: s.connection().dialect.get_table_names(s.connection()))
        assert "staff_actions" not in tables
        assert [(str(e.action), e.target_id, e.actor.name, e.actor.role, e.actor.id, e.at.minute) for e in entries] == [
            ("ticket.call", "t1", "Ana", "teller", "tok1", 1),
            ("ticket.finish", "t1", "Ana", "teller", "tok1", 5),
            ("ticket.call", "t2", "Ana", "teller", "tok1", 6),
        ]
    finally:
        await engine.dispose()


async def test_tokens_made_rotated_and_revoked_from_the_shell_are_audited(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tokens.db'}"
    await issue_token(url, Role.TELLER, "Ana", T0)
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            (created,) = await AuditLog(session).find(AuditQuery())
        token_id = created.target_id
        assert token_id is not None
        await rotate_token(url, token_id, T0 + timedelta(days=1))
        async with session_factory(engine).begin() as session:
            new_id = (await AuditLog(session).find(AuditQuery(limit=1)))[0].after["replaced_by"]  # type: ignore[index]
        await token_admin(url, "revoke", new_id, T0 + timedelta(days=2))
        async with session_factory(engine).begin() as session:
            entries = await AuditLog(session).export(AuditQuery())
    finally:
        await engine.dispose()
    assert [(str(e.action), e.target_kind, e.target_id, e.actor.kind, e.at) for e in entries] == [
        ("token.create", "token", token_id, ActorKind.CLI, T0),
        ("token.rotate", "token", token_id, ActorKind.CLI, T0 + timedelta(days=1)),
        ("token.revoke", "token", new_id, ActorKind.CLI, T0 + timedelta(days=2)),
    ]
    assert entries[0].after == {"role": "teller", "name": "Ana"} and entries[0].actor.name
    assert "lby_" not in str([e.to_json() for e in entries])  # never the token itself
