"""Engines, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalize_url(url: str) -> str:
    """Accept plain sqlite:/// and postgresql:// URLs; use the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


# PostgreSQL states that mean "wait and try again": lock_not_available, query_canceled (a statement or
# lock timeout), deadlock_detected, serialization_failure.
_PG_BUSY_STATES = frozenset({"55P03", "57014", "40P01", "40001"})


def is_busy(error: BaseException) -> bool:
    """The database could not be had in time (a lock held elsewhere, every pooled connection busy).

    Nothing was written: the client should retry (503 with Retry-After; clients send idempotency keys),
    which is a different thing from a bug (500).
    """
    if isinstance(error, sa_exc.TimeoutError):  # waited pool_timeout for a connection
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    original = error.orig
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if state in _PG_BUSY_STATES:
        return True
    text = str(original).lower()
    return isinstance(error, sa_exc.OperationalError) and ("database is locked" in text or "is busy" in text)


def create_engine(url: str, read_only: bool = False) -> AsyncEngine:
    """The hub's engine. `read_only`: a reader beside a hub (the wait projections' process): one
    connection, and on SQLite deferred transactions that read a WAL snapshot and never take the
    write lock, so a long read never holds up the hub's writer."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if read_only:
            return create_async_engine(
                url, pool_size=1, max_overflow=1, pool_pre_ping=True,
                execution_options={"postgresql_readonly": True},
            )  # fmt: skip
        return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # One connection per process: SQLite runs one writer at a time anyway, and
    # queueing in the pool (FIFO) beats queueing in SQLite's busy handler, which
    # sleeps up to 100 ms between retries (p99 of 1.7 s at 16 clients before).
    # Other processes on the same file still wait on busy_timeout.
    engine = create_async_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=1,
        max_overflow=0,
        pool_timeout=30,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take manual control of transactions so every one starts IMMEDIATE:
        # writers queue on the lock instead of failing on a read->write upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the hub answers. NORMAL (WAL) may lose the last commits at a power
        # cut: tickets already handed out. The cost is measured by `lobby bench hub` (README).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _upgrade(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)
    log.info("database schema at %s (%s)", revision, engine.url.render_as_string(hide_password=True))
