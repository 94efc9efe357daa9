"""The hub's runtime (`assistant.services.runtime`): what `create_app` opens before serving, and the two
database questions the web layer asks through it (is the database there, was an error a busy one)."""

from __future__ import annotations

import asyncio
from typing import Any

from sanic import Sanic
from sqlalchemy import exc

from assistant.domain.clock import SystemClock
from assistant.services.runtime import database_busy, open_hub, ping_database
from assistant.settings import Settings
from assistant.store.db import create_engine, session_factory
from tests.support import free_port


async def test_open_hub_migrates_wires_the_bus_and_closes(settings: Settings) -> None:
    services = await open_hub(settings, settings.database_url(), SystemClock())
    try:
        await ping_database(services.sessions)
        events = services.events.subscribe()
        ticket, created = await services.branch.issue_ticket("cards", channel="kiosk", lang="en")
        assert created and ticket.number == "C001"  # the schema is there: migrated on open
        message = await asyncio.wait_for(events.get(), 5)
        assert message is not None and message["type"] == "ticket.issued"  # the use cases publish on the bus
        assert message["data"]["ticket"]["id"] == ticket.id
        assert services.counters.branch is services.branch  # one branch service under every use case
    finally:
        await services.close()


async def test_health_is_503_when_the_database_does_not_answer(app: Sanic, client: Any) -> None:
    _, up = await client.get("/healthz")
    assert up.status == 200 and up.json["database"] == "ok"
    served = app.ctx.sessions
    nowhere = create_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/test")  # nobody listens there
    app.ctx.sessions = session_factory(nowhere)
    try:
        _, down = await client.get("/healthz")
    finally:
        app.ctx.sessions = served
        await nowhere.dispose()
    assert down.status == 503 and down.json["status"] == "error", down.text
    assert down.json["database"]  # what went wrong, for the operator


def test_a_busy_database_is_told_from_a_bug() -> None:
    locked = exc.OperationalError("INSERT ...", {}, Exception("database is locked"))
    broken = exc.OperationalError("INSERT ...", {}, Exception("no such table: tickets"))
    assert database_busy(locked) and database_busy(exc.TimeoutError("QueuePool limit reached"))
    assert not database_busy(broken) and not database_busy(ValueError("database is locked"))
