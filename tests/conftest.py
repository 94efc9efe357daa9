"""Shared fixtures: the repo, the demo settings, databases (SQLite file, PostgreSQL), real hub processes.

Real hubs (`hub_server`, `start_hub`) are separate `python -m lobby serve` processes, one per
test or per call, each on its own database; they are forked from one process that has the hub's
modules imported already (tests/hubs.py, tests/hub_zygote.py), which saves most of a start.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings, load_settings
from tests.hubs import HubLauncher, HubStartError
from tests.support import ALWAYS_OPEN, ROOT, free_port

__all__ = ["ALWAYS_OPEN", "REDIS_URL", "make_token", "serve_args"]  # imported by test modules from here

pytest_plugins = ["tests.speech_fixtures"]  # the Korean model and espeak-ng speech, for any directory

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

# `make test` runs this suite on two xdist workers (`-n 2 --dist loadgroup`): tests go one by one to
# whichever worker is free, except these groups, each run whole on one worker in file order. The e2e
# files share one `lobby up` branch (a session fixture: Rasa takes ~40 s to start) and build on each
# other's day (ticket numbers); the Xvfb tests pick a free X display, which two workers could race for;
# the layout matrix's last test checks what the four layouts before it counted.
SERIAL_GROUPS = {
    "tests/e2e/": "branch",
    "tests/kiosk/test_kiosk_xvfb.py": "xvfb",
    "tests/kiosk/test_layout_matrix.py": "layout",
}


# Started first, so that two workers do not end on one long test while the other idles (each ~15-130 s).
LONG_FIRST = (
    "tests/e2e/",
    "tests/tools/test_simulate_real_months.py",  # a real week with ETAs, twice: 60-130 s each
    "tests/tools/test_bench_soak.py",
    "tests/api/test_openapi_contract.py",
    "tests/web/test_dashboard.py",
    "tests/tools/test_simulate_theory.py",
    "tests/tools/test_bench_voice.py",
    "tests/supervision/",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)), len(LONG_FIRST))

    items.sort(key=rank)  # stable: file order within each


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """The groups above, by path. (xdist's own `xdist_group` marks rename node ids, which pytest 9 ignores.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SerialGroups(LoadScopeScheduling):  # larger groups are handed out first
        def _split_scope(self, nodeid: str) -> str:
            return next((group for prefix, group in SERIAL_GROUPS.items() if nodeid.startswith(prefix)), nodeid)

    return SerialGroups(config, log)


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


@pytest.fixture(scope="session")
def hub_launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubLauncher]:
    """The session's hub zygote (started at the first test that needs a real hub)."""
    launcher = HubLauncher(tmp_path_factory.mktemp("hub-zygote") / "zygote.log")
    try:
        yield launcher
    finally:
        launcher.close()


def serve_args(database: str, port: int, config: Path | None = None) -> list[str]:
    """`lobby serve` arguments for a test hub on `port` with its own database (for `HubLauncher.start`)."""
    return ["serve", "--config", str(config or ROOT / "branch.yml"), "--database", database, "--port", str(port)]


@pytest.fixture
def hub_server(tmp_path: Path, hub_launcher: HubLauncher) -> Iterator[str]:
    """A real hub process on 127.0.0.1 with its own SQLite file (tmp_path / "hub.db"); yields its base URL.

    The branch is open round the clock, so tests of the app channel (remote joins) pass at any hour.
    """
    hub_port = free_port()
    env = {"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}", **ALWAYS_OPEN}
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = hub_launcher.start(serve_args(database, hub_port), hub_port, tmp_path / "hub.log", env)
    try:
        try:
            hub.wait_healthy(60)
        except HubStartError as exc:
            pytest.fail(str(exc))
        yield hub.url
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
def start_hub(tmp_path: Path, hub_launcher: HubLauncher) -> Iterator[Callable[..., str]]:
    """Starts real hub processes: `start_hub(database_url, {"LOBBY_…": …}, config=PATH)` -> base URL once healthy.

    Each call starts one more `lobby serve` on a free port (Rasa pointed at a closed port), waits
    up to 60 s for /healthz, and fails with the end of its log if it does not come up. All are
    stopped at teardown. Start hubs sharing a database one after the other: each migrates it.
    """
    started = []

    def start(database: str, env: Mapping[str, str] | None = None, config: Path | None = None) -> str:
        hub_port = free_port()
        environment = {"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}", **(env or {})}
        log_path = tmp_path / f"hub-{len(started)}.log"
        hub = hub_launcher.start(
            serve_args(database, hub_port, config), hub_port, log_path, environment, name=f"hub {len(started)}"
        )
        started.append(hub)
        try:
            hub.wait_healthy(60)
        except HubStartError as exc:
            pytest.fail(str(exc))
        return hub.url

    try:
        yield start
    finally:
        for hub in reversed(started):
            hub.stop()
