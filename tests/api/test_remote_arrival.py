"""A ticket taken from the bank's app keeps its place until its customer checks in at the branch, and
expires as a no-show when they do not come in time (queue.remote_arrival_minutes)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from sanic import Sanic

from assistant.domain.clock import FakeClock
from assistant.domain.events import Event
from assistant.services.tickets import BranchService
from assistant.settings import Settings
from assistant.store.db import create_engine, migrate, session_factory
from assistant.web import tickets
from assistant.web.app import create_app

_names = itertools.count()
LONDON = ZoneInfo("Europe/London")
REMOTE = {"service": "cards", "channel": "mobile", "remote": True}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 9, 9, 30, tzinfo=LONDON))  # a Monday, open


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Sanic:
    Sanic.test_mode = True
    return create_app(settings, clock=clock, name=f"lobby_arrival_{next(_names)}")


async def _post(client: Any, path: str, status: int = 200, **kwargs: Any) -> Any:
    _, response = await client.post(path, **kwargs)
    assert response.status == status, response.json
    return response.json


async def test_a_remote_ticket_keeps_its_place_and_is_called_once_it_arrives(
    app: Sanic, clock: FakeClock, staff: dict[str, str]
) -> None:
    client = app.asgi_client
    remote = await _post(client, "/api/v1/tickets", 201, json=REMOTE)
    assert remote["remote"] is True and remote["arrive_by"] == "2025-06-09T10:15:00+01:00"  # 09:30 + 45 min
    clock.advance(minutes=2)
    walk_in = await _post(client, "/api/v1/tickets", 201, json={"service": "cards"})
    assert (walk_in["remote"], walk_in["arrive_by"], walk_in["position"]) == (False, None, 2)

    listing = (await client.get("/api/v1/tickets", headers=staff))[1].json["tickets"]
    on_the_way = {row["number"]: row["on_the_way"] for row in listing}
    assert on_the_way == {remote["number"]: True, walk_in["number"]: False}

    # The customer on the way is not called: the walk-in behind them is.
    called = await _post(client, "/api/v1/counters/c2/call-next", headers=staff)
    assert called["number"] == walk_in["number"]
    _, nobody = await client.post("/api/v1/counters/c2/call-next", headers=staff)
    assert nobody.status == 409 and nobody.json["error"]["code"] == "nothing_to_call"

    clock.advance(minutes=10)  # the kiosk scans the QR code (its id) or the customer types the number
    _, guessed = await client.post(f"/api/v1/tickets/{remote['number']}/arrive")
    assert guessed.status == 401  # numbers are guessable: only the branch's kiosks and staff
    arrived = await _post(client, f"/api/v1/tickets/{remote['number'].lower()}/arrive", headers=staff)
    assert (arrived["id"], arrived["arrive_by"], arrived["position"]) == (remote["id"], None, 1)
    again = await _post(client, f"/api/v1/tickets/{remote['id']}/arrive")  # idempotent
    assert again["status"] == "waiting" and again["arrive_by"] is None

    listing = (await client.get("/api/v1/tickets", headers=staff))[1].json["tickets"]
    assert listing[0]["on_the_way"] is False and listing[0]["arrived_at"] == "2025-06-09T08:42:00+00:00"
    called = await _post(client, "/api/v1/counters/c2/call-next", headers=staff)
    assert called["id"] == remote["id"]


async def test_bad_references_get_clear_errors(app: Sanic, staff: dict[str, str]) -> None:
    client = app.asgi_client
    for ref, status, code in (
        ("0" * 32, 404, "ticket_not_found"),
        ("Z999", 404, "ticket_not_found"),
        ("not-a-ticket", 422, "invalid_input"),
        ("A" * 40, 422, "invalid_input"),
    ):
        _, response = await client.post(f"/api/v1/tickets/{ref}/arrive", headers=staff)
        assert (response.status, response.json["error"]["code"]) == (status, code), ref


async def test_not_arriving_in_time_expires_the_ticket_once(
    app: Sanic, clock: FakeClock, settings: Settings, staff: dict[str, str]
) -> None:
    client = app.asgi_client
    late = await _post(client, "/api/v1/tickets", 201, json=REMOTE)
    clock.advance(minutes=5)
    kept = await _post(client, "/api/v1/tickets", 201, json=REMOTE)
    await _post(client, f"/api/v1/tickets/{kept['id']}/arrive")
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    engine = create_engine(settings.database_url())
    try:
        sessions = session_factory(engine)
        branch, other_worker = (BranchService(settings, sessions, clock, publish) for _ in range(2))
        clock.advance(minutes=39)  # 44 minutes after joining: still time
        assert await branch.expire_overdue() == []
        # Both count as waiting, but only the one in the branch (arrived 39 min ago) has been waiting there.
        cards = next(s for s in (await branch.queue_overview())["services"] if s["service"] == "cards")
        assert (cards["waiting"], cards["longest_wait_minutes"]) == (2, 39.0)
        clock.advance(minutes=2)
        # Two hub workers sweep at once: the ticket expires exactly once.
        results = await asyncio.gather(branch.expire_overdue(), other_worker.expire_overdue())
        expired = [view for result in results for view in result]
        assert [(v.id, v.status.value, v.outcome) for v in expired] == [(late["id"], "no_show", "not_arrived")]
        assert [(e.to_json()["type"], e.data["ticket"]["id"]) for e in published] == [("ticket.no_show", late["id"])]
        assert await branch.expire_overdue() == []  # the arrived one stays
    finally:
        await engine.dispose()

    _, gone = await client.get(f"/api/v1/tickets/{late['id']}")
    assert (gone.json["status"], gone.json["outcome"], gone.json["arrive_by"]) == ("no_show", "not_arrived", None)
    _, refused = await client.post(f"/api/v1/tickets/{late['id']}/arrive")
    assert refused.status == 409 and refused.json["error"]["code"] == "ticket_expired"
    assert refused.json["error"]["message"].startswith(f"ticket {late['number']} expired at 10:15")
    listing = (await client.get("/api/v1/tickets", headers=staff))[1].json["tickets"]
    assert [row["id"] for row in listing] == [kept["id"]]


@pytest.fixture
async def quick_sweep(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    monkeypatch.setattr(tickets, "EXPIRY_CHECK_SECONDS", 0.05)
    yield


async def test_the_hub_sweeps_by_itself_and_tells_the_app(
    quick_sweep: None, settings: Settings, clock: FakeClock
) -> None:
    """A real server on 127.0.0.1 expires an overdue ticket without anyone asking, and the customer's chat
    socket hears of it (`ticket.expired`). Rasa is down here: the hub's touch menu issues the ticket."""
    import json

    import httpx
    import websockets

    from tests.api.test_events_ws import next_event
    from tests.support import free_port

    port = free_port()
    queue = msgspec.structs.replace(settings.queue, remote_arrival_minutes=1)
    app = create_app(msgspec.structs.replace(settings, queue=queue), clock=clock, name=f"lobby_sweep_{next(_names)}")
    engine = create_engine(settings.database_url())
    await migrate(engine)
    await engine.dispose()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        url = f"ws://127.0.0.1:{port}/api/v1/chat/ws?token=app-customer-0a1b2c3d4e5f"
        async with websockets.connect(url, open_timeout=10) as ws:
            await ws.send(json.dumps({"message": "/report_lost_card"}))
            ticket = (await next_event(ws, "reply"))["ticket"]
            assert ticket["remote"] is True and ticket["arrive_by"]
            clock.advance(minutes=2)
            expired = await next_event(ws, "ticket.expired")
            assert expired["ticket"]["id"] == ticket["id"] and expired["ticket"]["outcome"] == "not_arrived"
            assert expired["text"].startswith(f"Ticket C {int(ticket['number'][1:])} has expired")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            assert (await http.get(f"/api/v1/tickets/{ticket['id']}")).json()["status"] == "no_show"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()


async def test_two_workers_on_postgresql_expire_a_ticket_once(
    settings: Settings, clock: FakeClock, postgres_url: str
) -> None:
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    engines = [create_engine(postgres_url) for _ in range(2)]  # two hub processes: two pools
    try:
        await migrate(engines[0])
        workers = [BranchService(settings, session_factory(engine), clock, publish) for engine in engines]
        tickets = [(await workers[0].issue_ticket("cards", "mobile", "en", remote=True))[0] for _ in range(5)]
        clock.advance(minutes=46)
        results = await asyncio.gather(*(worker.expire_overdue() for worker in workers))
        expired = sorted(view.id for result in results for view in result)
        assert expired == sorted(ticket.id for ticket in tickets)  # each once, whichever worker got it
        assert len([e for e in published if e.type == "ticket.no_show"]) == 5
    finally:
        for engine in engines:
            await engine.dispose()
