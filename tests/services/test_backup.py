"""`lobby backup` / `lobby restore` round trips under load, on SQLite and PostgreSQL.

A real hub takes tickets from concurrent clients while the backup runs. The copy is restored into a
fresh database and checked: every ticket acknowledged before the backup started is there, no number
twice, the numbers it holds run 1..N without a gap (one consistent instant), nothing in it that no
client was given; the hub's ticket use case on the restored database continues the numbering at N + 1.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from assistant.domain.clock import SystemClock
from assistant.services.backup import BackupError, backup, restore
from assistant.services.tickets import BranchService
from assistant.settings import load_settings
from assistant.store.db import create_engine, migrate, session_factory
from lobby.cli import main
from tests.conftest import POSTGRES_ADMIN
from tests.support import ROOT

CLIENTS = 6
BEFORE_BACKUP = 40  # tickets acknowledged before the backup starts
AFTER_BACKUP = 0.4  # seconds of load after it ended
# The load comes from loopback without a token: no rate limit may refuse it.
UNLIMITED = {"LOBBY_HUB__RATE_LIMIT_PER_MINUTE": "1000000", "LOBBY_HUB__RATE_LIMIT_BURST": "1000000"}


@dataclass(frozen=True)
class Acked:
    at: float  # time.monotonic() when the 201 arrived
    id: str
    number: str


async def backup_under_load(hub: str, run_backup: Callable[[], object]) -> tuple[float, list[Acked]]:
    """Clients create tickets until the backup has run; returns (when the backup started, every ack)."""
    acked: list[Acked] = []
    stop = asyncio.Event()

    async def client(index: int) -> None:
        async with httpx.AsyncClient(base_url=hub, timeout=30) as http:
            turn = 0
            while not stop.is_set():
                body = {"service": "cash", "idempotency_key": f"backup-{index}-{turn}"}
                response = await http.post("/api/v1/tickets", json=body)
                assert response.status_code == 201, response.text
                data = response.json()
                acked.append(Acked(time.monotonic(), data["id"], data["number"]))
                turn += 1

    tasks = [asyncio.create_task(client(i), name=f"client-{i}") for i in range(CLIENTS)]
    try:
        deadline = time.monotonic() + 30
        while len(acked) < BEFORE_BACKUP:
            assert time.monotonic() < deadline, f"only {len(acked)} tickets in 30 s"
            assert not any(task.done() for task in tasks), [task.exception() for task in tasks if task.done()]
            await asyncio.sleep(0.02)
        started = time.monotonic()
        await asyncio.wait_for(asyncio.to_thread(run_backup), timeout=60)
        issued_during = [a for a in acked if a.at >= started]
        await asyncio.sleep(AFTER_BACKUP)
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    assert issued_during, "the hub issued no ticket while the backup ran: it was not under load"
    return started, acked


COUNTED = "SELECT service_id, business_date, priority, waiting FROM line_counts WHERE waiting <> 0"
WAITING = (
    "SELECT service_id, business_date, priority, count(*) FROM tickets WHERE status = 'waiting' "
    "GROUP BY service_id, business_date, priority"
)


def check_counts(counted: Sequence[Sequence[Any]], waiting: Sequence[Sequence[Any]]) -> None:
    """The restored `line_counts` (migration 0009) are the restored line's: nothing counted twice by
    the triggers while the rows came back, nothing lost."""
    assert waiting, "no ticket waiting in the copy: nothing to check the counts on"
    assert {tuple(map(str, row)) for row in counted} == {tuple(map(str, row)) for row in waiting}


def check_restored(rows: list[tuple[str, str]], started: float, acked: list[Acked]) -> int:
    """The restored (id, number) rows against what clients were told; returns the highest number."""
    restored_ids = {ticket_id for ticket_id, _ in rows}
    numbers = sorted(int(number[1:]) for _, number in rows)
    before = [a for a in acked if a.at < started]
    missing = [a.number for a in before if a.id not in restored_ids]
    assert not missing, f"acknowledged before the backup but not restored: {missing}"
    assert len(numbers) == len(set(numbers)), "a number restored twice"
    assert numbers == list(range(1, len(numbers) + 1)), "the restored numbers have a gap: not one instant"
    told = {a.id: a.number for a in acked}
    assert all(told.get(ticket_id) == number for ticket_id, number in rows), "restored a ticket nobody was given"
    assert len(rows) < len(acked), "the load went on after the backup, so the copy holds fewer"
    return numbers[-1]


async def numbering_continues(database_url: str, highest: int, some_id: str) -> None:
    """The hub's own ticket use case on the restored database (in this process: a hub process more
    would cost seconds and prove nothing the first one did not) continues at `highest` + 1."""
    settings = load_settings(ROOT / "branch.yml", environ={}, overrides={"hub.database": database_url})
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        branch = BranchService(settings, session_factory(engine), SystemClock(), _ignore)
        await branch.bootstrap()
        assert (await branch.get_ticket(some_id, None)).id == some_id
        ticket, created = await branch.issue_ticket("cash", channel="kiosk", lang="en")
        assert created and ticket.number == f"A{highest + 1:03d}"
    finally:
        await engine.dispose()


async def _ignore(_event: object) -> None:
    return None


@pytest.mark.timeout(120)
async def test_sqlite_backup_while_the_hub_writes_restores_every_acknowledged_ticket(
    start_hub: Callable[..., str], tmp_path: Path
) -> None:
    source = f"sqlite:///{tmp_path / 'branch.db'}"
    copy = tmp_path / "backups" / "branch-backup.db"
    hub = start_hub(source, UNLIMITED)
    started, acked = await backup_under_load(hub, lambda: backup(source, copy))

    # A single self-contained file: no WAL beside it, consistent on its own.
    assert not Path(f"{copy}-wal").exists()
    target = tmp_path / "restored.db"
    report = await asyncio.to_thread(restore, f"sqlite:///{target}", copy)
    with sqlite3.connect(target) as connection:
        rows = connection.execute("SELECT id, number FROM tickets").fetchall()
        audit = connection.execute("SELECT action, actor_kind FROM audit_log ORDER BY id").fetchall()
        check_counts(connection.execute(COUNTED).fetchall(), connection.execute(WAITING).fetchall())
    highest = check_restored(rows, started, acked)
    assert report.tickets == len(rows)
    assert audit[-1] == ("data.restore", "cli")

    # The source says it was backed up, by whom and to where.
    with sqlite3.connect(tmp_path / "branch.db") as connection:
        line = connection.execute("SELECT actor_kind, after FROM audit_log WHERE action = 'data.backup'").fetchone()
    assert line[0] == "cli" and str(copy) in line[1]

    await numbering_continues(f"sqlite:///{target}", highest, rows[0][0])
    with sqlite3.connect(target) as connection:  # the triggers came back too: the new ticket is counted
        check_counts(connection.execute(COUNTED).fetchall(), connection.execute(WAITING).fetchall())


@pytest.fixture
async def second_postgres() -> AsyncIterator[str]:
    """Another fresh PostgreSQL database (the restore target); `postgres_url` checked reachability."""
    name = f"lobby_test_restore_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _postgres_rows(url: str, query: str) -> list[tuple[str, str]]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()


@pytest.mark.timeout(120)
async def test_postgres_backup_while_the_hub_writes_restores_every_acknowledged_ticket(
    start_hub: Callable[..., str], postgres_url: str, second_postgres: str, tmp_path: Path
) -> None:
    copy = tmp_path / "branch.dump"
    hub = start_hub(postgres_url, UNLIMITED)
    started, acked = await backup_under_load(hub, lambda: backup(postgres_url, copy))
    assert copy.read_bytes()[:5] == b"PGDMP"

    # Into the live, non-empty database: refused without --force.
    with pytest.raises(BackupError, match="already has"):
        await asyncio.to_thread(restore, postgres_url, copy)

    report = await asyncio.to_thread(restore, second_postgres, copy)
    rows = await _postgres_rows(second_postgres, "SELECT id, number FROM tickets")
    highest = check_restored(rows, started, acked)
    assert report.tickets == len(rows)
    # The append-only trigger came back with the table.
    audit = await _postgres_rows(second_postgres, "SELECT action, actor_kind FROM audit_log ORDER BY id")
    assert audit[-1] == ("data.restore", "cli")
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await _postgres_rows(second_postgres, "DELETE FROM audit_log RETURNING action, actor_kind")

    check_counts(await _postgres_rows(second_postgres, COUNTED), await _postgres_rows(second_postgres, WAITING))
    await numbering_continues(second_postgres, highest, rows[0][0])
    check_counts(await _postgres_rows(second_postgres, COUNTED), await _postgres_rows(second_postgres, WAITING))


def test_cli_backup_and_restore_refuse_what_would_lose_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The commands' own checks, through `lobby` itself: a non-empty target, a file that is no backup,
    a backup of the other engine, an integrity failure."""
    source = f"sqlite:///{tmp_path / 'a.db'}"
    config = ["--config", str(ROOT / "branch.yml")]
    assert main(["migrate", "--database", source, *config]) == 0
    copy = tmp_path / "a-backup.db"
    assert main(["backup", str(copy), "--database", source, *config]) == 0
    assert "backup: sqlite" in capsys.readouterr().out

    assert main(["restore", str(copy), "--database", source, *config]) == 1
    assert "already holds a database" in capsys.readouterr().err
    assert main(["restore", str(copy), "--database", source, "--force", *config]) == 0

    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    assert main(["restore", str(junk), "--database", f"sqlite:///{tmp_path / 'b.db'}", *config]) == 1
    assert "not a Lobby backup" in capsys.readouterr().err
    assert main(["restore", str(copy), "--database", "postgresql://postgres@127.0.0.1:5432/none", *config]) == 1
    assert "restores into a sqlite database" in capsys.readouterr().err

    damaged = tmp_path / "damaged.db"
    with sqlite3.connect(copy) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tickets'").fetchone()[0]
    data = bytearray(copy.read_bytes())
    data[(root - 1) * page_size : (root - 1) * page_size + 8] = b"\xff" * 8  # the tickets table's page header
    damaged.write_bytes(bytes(data))
    assert main(["restore", str(damaged), "--database", f"sqlite:///{tmp_path / 'c.db'}", *config]) == 1
    assert "lobby restore:" in capsys.readouterr().err
    assert not (tmp_path / "c.db").exists()
