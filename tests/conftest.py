"""Shared fixtures: the repo, the demo settings, databases (SQLite file, PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

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
        env={"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}"},
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
    from datetime import UTC, datetime

    from assistant.domain.staff import Role
    from assistant.store.tokens import issue_token

    return asyncio.run(issue_token(database_url, Role(role), f"test {role}", datetime.now(UTC)))


@pytest.fixture
def hub_token(tmp_path: Path) -> str:
    """A teller token for the `hub_server` of the same test (same SQLite file)."""
    return make_token(f"sqlite:///{tmp_path / 'hub.db'}")
