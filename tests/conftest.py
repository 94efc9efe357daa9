"""Shared fixtures: the repo, the demo settings, databases (SQLite file, PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import pytest

from assistant import bench_remote
from assistant.settings import Settings, load_settings
from tests.support import ROOT, free_port

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        ROOT / "branch.yml",
        environ={},
        overrides={
            "hub.database": f"sqlite+aiosqlite:///{tmp_path / 'lobby.db'}",
            # A port nobody listens on: tests that want Rasa start one themselves.
            "dialogue.rasa_url": f"http://127.0.0.1:{free_port()}",
        },
    )


async def _postgres_reachable() -> str | None:
    import asyncpg

    try:
        connection = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN), timeout=3)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    import asyncpg

    problem = await _postgres_reachable()
    if problem is not None:
        if os.environ.get("LOBBY_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required (LOBBY_REQUIRE_POSTGRES) but unreachable: {problem}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 unreachable: {problem}")
    name = f"lobby_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def port() -> Iterator[int]:
    yield free_port()


# The branch open round the clock, so tests of the app channel (remote joins) pass at any hour.
ALWAYS_OPEN = bench_remote.ALWAYS_OPEN


@pytest.fixture
def hub_server(tmp_path: Path) -> Iterator[str]:
    """A real hub process on 127.0.0.1 with its own SQLite file; yields its base URL."""
    import sys

    from assistant.supervisor import Managed

    hub_port = free_port()
    command = [sys.executable, "-m", "assistant", "serve", "--config", str(ROOT / "branch.yml")]
    command += ["--database", f"sqlite:///{tmp_path / 'hub.db'}", "--port", str(hub_port)]
    hub = Managed(
        "hub",
        command,
        f"http://127.0.0.1:{hub_port}/healthz",
        ROOT,
        env={"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}", **ALWAYS_OPEN},
        log_path=tmp_path / "hub.log",
    )
    hub.start()
    try:
        hub.wait_healthy(60)
        yield f"http://127.0.0.1:{hub_port}"
    finally:
        hub.stop()


def make_token(database_url: str, role: str = "teller") -> str:
    """A real staff token in `database_url` (migrating it if needed)."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from assistant.domain.staff import Role
    from assistant.store.tokens import issue_token

    # Its own thread and loop: callable from sync tests, async tests and Playwright's loop alike.
    with ThreadPoolExecutor(1) as pool:
        coroutine = issue_token(database_url, Role(role), f"test {role}", datetime.now(UTC))
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


@pytest.fixture
def hub_token(tmp_path: Path) -> str:
    """A teller token for the `hub_server` of the same test (same SQLite file)."""
    return make_token(f"sqlite:///{tmp_path / 'hub.db'}")


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_url() -> str:
    """The test Redis (127.0.0.1:6379); skips, or fails under LOBBY_REQUIRE_REDIS, when unreachable.

    The Redis may be shared: tests use their own channel names and never flush it.
    """
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3)
    try:
        await asyncio.wait_for(client.ping(), timeout=5)
    except Exception as exc:
        if os.environ.get("LOBBY_REQUIRE_REDIS"):
            pytest.fail(f"Redis required (LOBBY_REQUIRE_REDIS) but unreachable: {type(exc).__name__}: {exc}")
        pytest.skip(f"Redis at 127.0.0.1:6379 unreachable: {type(exc).__name__}: {exc}")
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
def start_hub(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Starts real hub processes: `start_hub(database_url, {"LOBBY_…": …}, config=PATH)` -> base URL once healthy.

    Each call starts one more `lobby serve` on a free port (Rasa pointed at a closed port), waits
    up to 60 s for /healthz, and fails with the end of its log if it does not come up. All are
    stopped at teardown. Start hubs sharing a database one after the other: each migrates it.
    """
    import sys

    from assistant.supervisor import Managed, StartupError

    started: list[Managed] = []

    def start(database: str, env: Mapping[str, str] | None = None, config: Path | None = None) -> str:
        hub_port = free_port()
        command = [sys.executable, "-m", "assistant", "serve", "--config", str(config or ROOT / "branch.yml")]
        command += ["--database", database, "--port", str(hub_port)]
        log_path = tmp_path / f"hub-{len(started)}.log"
        hub = Managed(
            f"hub {len(started)}",
            command,
            f"http://127.0.0.1:{hub_port}/healthz",
            ROOT,
            env={"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}", **(env or {})},
            log_path=log_path,
        )
        started.append(hub)
        hub.start()
        try:
            hub.wait_healthy(60)
        except StartupError as exc:
            pytest.fail(f"{exc}\n{log_path.read_text(errors='replace')[-3000:]}")
        return f"http://127.0.0.1:{hub_port}"

    try:
        yield start
    finally:
        for hub in reversed(started):
            hub.stop()
