"""A database locked longer than the hub will wait is a 503 the client retries, never a 500 (issue 13 soak)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sanic import Sanic

from assistant.domain.clock import SystemClock
from assistant.settings import Settings
from assistant.store import db
from assistant.web.app import create_app


@pytest.fixture
def app(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Sanic:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)  # wait 0.3 s for a lock, not 10 s
    return create_app(settings, clock=SystemClock(), name="lobby_busy")


async def test_a_locked_database_answers_503_and_the_retry_gets_the_ticket(client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    _, first = await client.post("/api/v1/tickets", json={"service": "cards"})
    assert first.status == 201
    path = Path(settings.database_url().split("///", 1)[1])
    # Another process (a backup, a stuck tool) takes the write lock. Taken from a thread: the hub runs in
    # this event loop and may be inside a short transaction of its own (a background projection after
    # the first ticket), which it must be able to finish meanwhile.
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    body = {"service": "cards", "idempotency_key": "kiosk-9:turn-1"}
    try:
        await asyncio.to_thread(holder.execute, "BEGIN EXCLUSIVE")
        _, busy = await client.post("/api/v1/tickets", json=body)
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    assert busy.status == 503, busy.text
    assert busy.json == {"error": {"code": "database_busy", "message": busy.json["error"]["message"]}}
    assert busy.headers["retry-after"] == "2"
    _, retried = await client.post("/api/v1/tickets", json=body)
    _, again = await client.post("/api/v1/tickets", json=body)
    assert retried.status == 201 and again.status == 200 and again.json["id"] == retried.json["id"]
    assert retried.json["number"] == "C002"  # the refused attempt took no number


def test_is_busy_tells_a_lock_from_a_bug() -> None:
    from sqlalchemy import exc

    locked = exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    broken = exc.OperationalError("INSERT", {}, sqlite3.OperationalError("no such table: tickets"))
    assert db.is_busy(locked) and db.is_busy(exc.TimeoutError("QueuePool limit reached"))
    assert not db.is_busy(broken) and not db.is_busy(ValueError("database is locked"))
