"""Where Rasa keeps conversations (its tracker store) and the per-conversation locks (its lock store).

By default conversations live on the hub's own database engine, so `kill -9` of Rasa, a restart or a
second replica loses no half-finished booking: a SQLite file next to the hub's (its own file, so
Rasa's writes never hold the lock the hub's ticket writes wait on), or a `rasa` schema in the hub's
PostgreSQL database (its `events` table never meets the hub's tables). Several replicas also need a
shared lock store (Redis): without one, two turns of one conversation on two replicas would both
read the same tracker and the second save would drop the first turn.

Rasa reads these from the endpoints file (`rasa run --endpoints`); passwords are not written there
but given to the Rasa process in its environment (`${VAR}` in the file, which Rasa expands).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from assistant.settings import ConfigError, DialogueConfig

log = logging.getLogger(__name__)


class ConversationStoreError(RuntimeError):
    """Rasa's conversation store cannot be made ready (e.g. its PostgreSQL schema cannot be created)."""


TRACKER_PASSWORD_ENV = "LOBBY_RASA_TRACKER_PASSWORD"
LOCK_PASSWORD_ENV = "LOBBY_RASA_LOCK_PASSWORD"
POSTGRES_SCHEMA = "rasa"  # Rasa's own schema in the hub's PostgreSQL database
SQLITE_TIMEOUT_S = 15
SCHEMA_TIMEOUT_S = 30


Scalar = str | int | bool
# A value written as it is (unquoted) into the endpoints file: an environment reference Rasa expands.
_ENV_REF = re.compile(r"\$\{[A-Z_]+\}")


@dataclass(frozen=True, slots=True)
class ConversationStores:
    tracker: Mapping[str, Scalar] | None = None  # the endpoints file's `tracker_store`; None: in memory
    lock: Mapping[str, Scalar] | None = None  # its `lock_store`; None: in each Rasa's memory
    env: Mapping[str, str] = field(default_factory=dict)  # for the Rasa process: passwords, the schema
    postgres_schema_url: str | None = None  # create POSTGRES_SCHEMA in this database before Rasa starts
    sqlite_file: Path | None = None  # put this SQLite file in WAL mode before Rasa starts

    def endpoints_yaml(self) -> str:
        """The `tracker_store` and `lock_store` sections of Rasa's endpoints file ("" for memory)."""
        return "".join(
            _section(name, body) for name, body in (("tracker_store", self.tracker), ("lock_store", self.lock))
        )

    def describe(self) -> str:
        """For the log: where conversations and locks live (no passwords)."""
        where = "in memory (lost when Rasa stops)"
        if self.tracker is not None:
            where = f"{self.tracker['dialect']} {self.tracker['db']}"
            where += f" on {self.tracker['url']}" if "url" in self.tracker else ""
            where += f" (schema {self.env['POSTGRESQL_SCHEMA']})" if "POSTGRESQL_SCHEMA" in self.env else ""
        locks = f"redis {self.lock['url']}:{self.lock['port']}/{self.lock['db']}" if self.lock else "in memory"
        return f"conversations: {where}; locks: {locks}"

    def prepare(self) -> None:
        """What Rasa does not do itself: create the PostgreSQL schema, switch the SQLite file to WAL (a
        replica reads while another writes). Idempotent; run before every start."""
        if self.sqlite_file is not None:
            self.sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(self.sqlite_file, timeout=SQLITE_TIMEOUT_S) as connection:
                connection.execute("PRAGMA journal_mode=WAL")
            connection.close()
        if self.postgres_schema_url is not None:
            try:
                _create_schema(self.postgres_schema_url)
            except (OSError, TimeoutError, SQLAlchemyError) as exc:
                raise ConversationStoreError(f"cannot create the schema {POSTGRES_SCHEMA!r} for Rasa: {exc}") from exc


def _section(name: str, body: Mapping[str, Scalar] | None) -> str:
    if body is None:
        return ""
    lines = [f"{name}:"]
    for key, value in body.items():
        if isinstance(value, str) and _ENV_REF.fullmatch(value):
            written = value  # plain, so Rasa's YAML loader expands it
        else:
            written = json.dumps(value)  # a JSON string or number is a YAML scalar
        lines.append(f"  {key}: {written}")
    return "\n".join(lines) + "\n"


def conversation_stores(
    dialogue: DialogueConfig, hub_database_url: str, base_dir: Path, branch_id: str
) -> ConversationStores:
    """The stores `dialogue.tracker_store` and `dialogue.lock_store` name (see `DialogueConfig`)."""
    lock, lock_env = _lock_store(dialogue.lock_store, branch_id)
    if dialogue.tracker_store == "memory":
        if len(dialogue.replica_urls()) > 1:
            raise ConfigError("dialogue: several Rasa replicas need a shared tracker_store, not memory")
        return ConversationStores(lock=lock, env=lock_env)
    own = bool(dialogue.tracker_store)
    url = make_url(dialogue.tracker_store or hub_database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_path(url, base_dir, own)
        sqlite = {"type": "SQL", "dialect": "sqlite", "db": str(path)}
        return ConversationStores(tracker=sqlite, lock=lock, env=lock_env, sqlite_file=path)
    if backend == "postgresql":
        tracker, env = _postgres_tracker(url)
        if own:  # a database of its own: Rasa's tables where Rasa puts them
            return ConversationStores(tracker=tracker, lock=lock, env={**env, **lock_env})
        env["POSTGRESQL_SCHEMA"] = POSTGRES_SCHEMA  # Rasa sets its connections' search path to it
        hub = url.render_as_string(hide_password=False)
        return ConversationStores(tracker=tracker, lock=lock, env={**env, **lock_env}, postgres_schema_url=hub)
    raise ConfigError(f"dialogue: no tracker store for a {backend} database (SQLite or PostgreSQL)")


def _sqlite_path(url: URL, base_dir: Path, own: bool) -> Path:
    database = url.database or ""
    if database in ("", ":memory:"):
        return base_dir / "var" / "rasa.db"
    path = Path(database) if Path(database).is_absolute() else base_dir / database
    return path if own else path.with_name(f"{path.stem}-rasa{path.suffix or '.db'}")


def _postgres_tracker(url: URL) -> tuple[dict[str, Scalar], dict[str, str]]:
    tracker: dict[str, Scalar] = {"type": "SQL", "dialect": "postgresql", "url": url.host or "127.0.0.1"}
    tracker["port"] = url.port or 5432
    tracker["db"] = url.database or "postgres"
    if url.username:
        tracker["username"] = url.username
    env: dict[str, str] = {}
    if url.password:
        tracker["password"] = f"${{{TRACKER_PASSWORD_ENV}}}"
        env[TRACKER_PASSWORD_ENV] = str(url.password)
    return tracker, env


def _lock_store(lock_url: str, branch_id: str) -> tuple[dict[str, Scalar] | None, dict[str, str]]:
    if not lock_url:
        return None, {}
    url = make_url(lock_url)
    lock: dict[str, Scalar] = {"type": "redis", "url": url.host or "127.0.0.1", "port": url.port or 6379}
    lock["db"] = int(url.database or 0)
    # Conversations of two branches sharing a Redis never wait on each other's locks.
    lock["key_prefix"] = "lobby" + re.sub(r"[^A-Za-z0-9]", "", branch_id)
    if url.drivername == "rediss":
        lock["use_ssl"] = True
    env: dict[str, str] = {}
    if url.password:
        lock["password"] = f"${{{LOCK_PASSWORD_ENV}}}"
        env[LOCK_PASSWORD_ENV] = str(url.password)
    return lock, env


def _create_schema(database_url: str) -> None:
    import asyncio

    from sqlalchemy import text

    from assistant.store.db import create_engine

    async def create() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{POSTGRES_SCHEMA}"'))
        finally:
            await engine.dispose()

    asyncio.run(asyncio.wait_for(create(), SCHEMA_TIMEOUT_S))
    log.info("PostgreSQL schema %r ready for Rasa's conversations", POSTGRES_SCHEMA)
