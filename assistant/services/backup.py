"""`lobby backup PATH` / `lobby restore PATH`: a consistent copy of the branch's database, and back.

* SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in one step inside
  one read transaction, so the copy is the database as of one instant even while the hub keeps
  writing (WAL: the hub's writers are not blocked). The copy is checked (`integrity_check`) and
  switched to a single self-contained file (journal_mode=DELETE) before it is renamed into place.
* PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot) and `pg_restore`, both from
  the postgresql-client package; the password, if any, goes in the environment, not the command line.

A restore goes into an empty database (a new SQLite file, a freshly created PostgreSQL database)
unless `--force` replaces what is there; then the schema is migrated (an older backup comes up to
date) and the audit log records it. Ticket numbering continues from the restored sequences.
Both steps are audited: `data.backup` in the source, `data.restore` in the target.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, make_url

from assistant.domain.audit import Actor, AuditAction
from assistant.store.audit import AuditLog, operator
from assistant.store.db import create_engine, migrate, normalize_url, session_factory
from assistant.store.models import TicketRow

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
BUSY_TIMEOUT_S = 30
DEFAULT_TIMEOUT_S = 1800.0


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class DataReport:
    action: str  # backup | restore
    engine: str  # sqlite | postgresql
    path: str
    bytes: int
    seconds: float
    tickets: int | None  # tickets in the copy (SQLite; PostgreSQL after a restore)

    def line(self) -> str:
        tickets = "" if self.tickets is None else f", {self.tickets} tickets"
        return f"{self.action}: {self.engine} {self.path} ({self.bytes} bytes{tickets}) in {self.seconds:.2f} s"

    def to_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "path": self.path, "bytes": self.bytes, "tickets": self.tickets}


def _url(database_url: str) -> URL:
    return make_url(normalize_url(database_url))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(url.database)


# -- SQLite ----------------------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    return connection


def _check_sqlite(path: Path) -> int:
    """Integrity of a copy; returns its ticket count."""
    connection = _connect(path)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"{path} fails its integrity check: {verdict}")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"tickets", "alembic_version"} <= tables:
            raise BackupError(f"{path} is an SQLite file but not a Lobby database (no tickets table)")
        return int(connection.execute("SELECT count(*) FROM tickets").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is damaged: {exc}") from None
    finally:
        connection.close()


def _sqlite_backup(source: Path, target: Path) -> int:
    if not source.exists():
        raise BackupError(f"no database at {source}")
    partial = Path(tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)[1])
    try:
        src, dst = _connect(source), _connect(partial)
        try:
            src.backup(dst)  # pages=-1: every page in one step, one read snapshot of the source
            dst.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        finally:
            dst.close()
            src.close()
        tickets = _check_sqlite(partial)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return tickets


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    connection = _connect(path)
    try:
        return connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    finally:
        connection.close()


def _sqlite_restore(backup: Path, target: Path, force: bool) -> int:
    tickets = _check_sqlite(backup)
    if _sqlite_has_tables(target) and not force:
        raise BackupError(f"{target} already holds a database; restore into a new file, or --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = _connect(backup), _connect(target)
    try:
        src.backup(dst)  # through the target's own connection: its readers and writers see all or nothing
        dst.execute("PRAGMA journal_mode=WAL")  # as the hub runs it
    finally:
        dst.close()
        src.close()
    return tickets


# -- PostgreSQL ------------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the postgresql-client package (scripts/setup.sh does)")
    return found


def _run(command: list[str], env: dict[str, str], timeout: float) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{Path(command[0]).name} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _pg_backup(url: URL, target: Path, timeout: float) -> None:
    dsn, env = _libpq(url)
    partial = Path(tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)[1])
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
              f"--dbname={dsn}"], env, timeout)  # fmt: skip
        _run([_tool("pg_restore"), "--list", str(partial)], env, timeout)  # readable back
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


async def _pg_user_tables(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:

            def count(sync: Any) -> int:
                inspector = inspect(sync)
                schemas = [s for s in inspector.get_schema_names() if s not in ("information_schema",)]
                return sum(len(inspector.get_table_names(schema=s)) for s in schemas if not s.startswith("pg_"))

            return await connection.run_sync(count)
    finally:
        await engine.dispose()


def _pg_restore(url: URL, backup: Path, force: bool, timeout: float, tables: int) -> None:
    if tables and not force:
        raise BackupError(
            f"database {url.database} already has {tables} tables; restore into a new database "
            "(createdb NAME), or --force to replace them"
        )
    dsn, env = _libpq(url)
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, f"--dbname={dsn}", str(backup)], env, timeout)


# -- the audit and the two commands ----------------------------------------------------------


async def _audit(database_url: str, action: AuditAction, report: DataReport, actor: Actor, migrate_first: bool) -> int:
    """Record the step (migrating first after a restore); returns the tickets the database holds."""
    engine = create_engine(database_url)
    try:
        if migrate_first:
            await migrate(engine)
        async with session_factory(engine).begin() as session:
            tickets = int((await session.execute(select(func.count()).select_from(TicketRow))).scalar_one())
            tables = await session.run_sync(lambda sync: set(inspect(sync.connection()).get_table_names()))
            if "audit_log" in tables:
                after = {**report.to_json(), "tickets": tickets}
                await AuditLog(session).record(actor, action, datetime.now(UTC), ("database", None), None, after)
            else:
                log.warning("%s: this database predates the audit log; `lobby migrate` adds it", action)
            return tickets
    finally:
        await engine.dispose()


def backup(database_url: str, path: Path, timeout: float = DEFAULT_TIMEOUT_S) -> DataReport:
    """Copy the database to `path` (replaced atomically when done); audited in the source."""
    url = _url(database_url)
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tickets: int | None = None
    if url.get_backend_name() == "sqlite":
        tickets = _sqlite_backup(_sqlite_path(url), path)
    elif url.get_backend_name() == "postgresql":
        _pg_backup(url, path, timeout)
    else:
        raise BackupError(f"no backup for a {url.get_backend_name()} database")
    report = DataReport("backup", url.get_backend_name(), str(path), path.stat().st_size,
                        time.monotonic() - started, tickets)  # fmt: skip
    asyncio.run(_audit(database_url, AuditAction.DATA_BACKUP, report, operator(), migrate_first=False))
    return report


def restore(database_url: str, path: Path, force: bool = False, timeout: float = DEFAULT_TIMEOUT_S) -> DataReport:
    """Load `path` (a `lobby backup` file) into the database, migrate it, audit it there."""
    url = _url(database_url)
    path = path.resolve()
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    engine = url.get_backend_name()
    kind = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PG_DUMP_MAGIC) else None
    if kind is None:
        raise BackupError(f"{path} is not a Lobby backup (neither an SQLite file nor a pg_dump archive)")
    if kind != engine:
        raise BackupError(f"{path} is a {kind} backup; it restores into a {kind} database, not {engine}")
    started = time.monotonic()
    if engine == "sqlite":
        _sqlite_restore(path, _sqlite_path(url), force)
    else:
        _pg_restore(url, path, force, timeout, asyncio.run(_pg_user_tables(database_url)))
    report = DataReport("restore", engine, str(path), path.stat().st_size, time.monotonic() - started, None)
    tickets = asyncio.run(_audit(database_url, AuditAction.DATA_RESTORE, report, operator(), migrate_first=True))
    return DataReport(report.action, engine, report.path, report.bytes, time.monotonic() - started, tickets)


__all__ = ["BackupError", "DataReport", "backup", "restore"]
