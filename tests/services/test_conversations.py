"""Where Rasa keeps conversations (assistant.services.conversations): the endpoints file the configuration gives.
On PostgreSQL (schema `rasa`) with a Redis lock store it is read back by Rasa itself (.venv-rasa,
tests/services/rasa_store_probe.py); the SQLite default runs under real Rasa servers in
tests/e2e/test_dialogue_persistence.py."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import yaml

from assistant.services.conversations import (
    POSTGRES_SCHEMA,
    TRACKER_PASSWORD_ENV,
    ConversationStores,
    conversation_stores,
)
from assistant.settings import ConfigError, Settings, load_settings
from lobby.dialogue import RASA_ENV, RasaProject
from tests.support import ROOT

PROBE = Path(__file__).with_name("rasa_store_probe.py")


def _settings(tmp_path: Path, **dialogue: str) -> Settings:
    overrides = {f"dialogue.{key}": value for key, value in dialogue.items()}
    return load_settings(ROOT / "branch.yml", environ={}, overrides={"hub.database": "", **overrides})


def _stores(settings: Settings, hub_database: str, base: Path) -> ConversationStores:
    return conversation_stores(settings.dialogue, hub_database, base, settings.branch.id)


def _rasa_reads(stores: ConversationStores, tmp_path: Path, sender: str) -> dict[str, Any]:
    """What Rasa makes of the endpoints file `lobby dialogue` writes for these stores."""
    project = RasaProject(root=tmp_path, venv=ROOT / ".venv-rasa")
    endpoints = project.endpoints_file(5055, stores)
    stores.prepare()
    result = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), str(PROBE), str(endpoints), sender],
        env={**os.environ, **RASA_ENV, **stores.env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    probe: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return probe


def test_by_default_conversations_live_in_a_sqlite_file_beside_the_hubs(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    stores = _stores(settings, f"sqlite+aiosqlite:///{tmp_path / 'lobby.db'}", tmp_path)
    tracker = yaml.safe_load(stores.endpoints_yaml())["tracker_store"]
    assert tracker == {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "lobby-rasa.db")}
    assert stores.lock is None  # one Rasa: its own memory is enough

    stores.prepare()  # Rasa itself on this file: tests/e2e/test_dialogue_persistence.py
    with sqlite3.connect(tmp_path / "lobby-rasa.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # replicas read while one writes
    assert not (tmp_path / "lobby.db").exists()  # the hub's own file is not touched


async def test_on_postgresql_a_rasa_schema_in_the_hubs_database_with_a_redis_lock(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    settings = _settings(tmp_path, lock_store=redis_url)
    hub_url = postgres_url.replace("postgres@", "postgres:not-in-the-file@")  # trust auth ignores it
    stores = _stores(settings, hub_url, tmp_path)
    text = stores.endpoints_yaml()
    assert "not-in-the-file" not in text and stores.env[TRACKER_PASSWORD_ENV] == "not-in-the-file"
    assert stores.env["POSTGRESQL_SCHEMA"] == POSTGRES_SCHEMA

    sender = f"mobile:{uuid.uuid4().hex}"
    seen = await asyncio.to_thread(_rasa_reads, stores, tmp_path, sender)  # prepare() runs its own loop
    assert seen["tracker_store"] == "SQLTrackerStore" and seen["lock_store"] == "RedisLockStore"
    assert seen["user_texts"] == ["i'd like to book an appointment"]
    connection = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        count = await connection.fetchval(f"SELECT count(*) FROM {POSTGRES_SCHEMA}.events WHERE sender_id = $1", sender)
        public = await connection.fetchval("SELECT to_regclass('public.events')")
    finally:
        await connection.close()
    assert count >= 1 and public is None  # Rasa's table is in its schema, not among the hub's


def test_memory_and_own_urls_and_bad_values(tmp_path: Path) -> None:
    memory = _stores(_settings(tmp_path, tracker_store="memory"), "sqlite:///x.db", tmp_path)
    assert memory.tracker is None and memory.endpoints_yaml() == ""
    own = _stores(_settings(tmp_path, tracker_store="sqlite:///var/conversations.db"), "sqlite:///x.db", tmp_path)
    assert own.tracker is not None and own.tracker["db"] == str(tmp_path / "var" / "conversations.db")
    lock = _stores(_settings(tmp_path, lock_store="redis://:secret@10.0.0.5:6380/3"), "sqlite:///x.db", tmp_path)
    assert lock.lock is not None and "secret" not in lock.endpoints_yaml()
    assert (lock.lock["url"], lock.lock["port"], lock.lock["db"]) == ("10.0.0.5", 6380, 3)
    assert str(lock.lock["key_prefix"]).isalnum()  # Rasa refuses any other prefix

    replicas = '["http://127.0.0.1:5005", "http://127.0.0.1:5006"]'
    two = load_settings(ROOT / "branch.yml", environ={"LOBBY_DIALOGUE__RASA_URLS": replicas})
    assert two.dialogue.replica_urls() == ("http://127.0.0.1:5005", "http://127.0.0.1:5006")
    two_in_memory = msgspec_replace(two, tracker_store="memory")
    with pytest.raises(ConfigError, match="shared tracker_store"):
        _stores(two_in_memory, "sqlite:///x.db", tmp_path)
    for key, value in (("lock_store", "memcached://x"), ("tracker_store", "mysql://x/y")):
        with pytest.raises(ConfigError, match=key):
            _settings(tmp_path, **{key: value})
    with pytest.raises(ConfigError, match="rasa_urls"):
        load_settings(ROOT / "branch.yml", environ={"LOBBY_DIALOGUE__RASA_URLS": '["x", "x"]'})


def msgspec_replace(settings: Settings, **dialogue: str) -> Settings:
    import msgspec

    return msgspec.structs.replace(settings, dialogue=msgspec.structs.replace(settings.dialogue, **dialogue))
