"""Answering never waits for a projection of the line (issue 16: ticket creation costs the same however
long the line): a new ticket is told what a ticket of its service and class taken at the latest
projection was (its ghost), and the line is projected again in the background, within a budget."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sanic import Sanic

from assistant.domain.clock import FakeClock
from assistant.services.waits import WaitTimes, ghost_id
from assistant.settings import Settings
from assistant.web.app import create_app

_names = itertools.count()
TUESDAY_10 = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def app(settings: Settings) -> Sanic:
    Sanic.test_mode = True
    return create_app(settings, clock=FakeClock(TUESDAY_10), name=f"lobby_waits_bg_{next(_names)}")


async def take(client: Any, service: str = "cash", priority: str = "normal") -> dict[str, Any]:
    _, response = await client.post("/api/v1/tickets", json={"service": service, "priority": priority})
    assert response.status == 201, response.json
    return response.json  # type: ignore[no-any-return]


async def test_a_new_ticket_is_told_its_ghosts_estimate_and_gets_its_own_a_moment_later(app: Sanic) -> None:
    client = app.asgi_client
    for _ in range(6):
        await take(client)
    waits: WaitTimes = app.ctx.branch.waits
    await waits.settle()
    latest = waits._latest
    assert latest is not None
    for priority in ("normal", "priority"):
        ghost = latest.estimates[ghost_id("cash", priority)]
        assert ghost is not None
        new = await take(client, "cash", priority)
        assert new["eta_minutes"] == list(ghost.shown()) and new["eta_point_minutes"] == round(ghost.point, 1)
    await waits.settle()
    own = waits._latest
    assert own is not None and own.version > latest.version and new["id"] in own.estimates
    _, tracked = await client.get(f"/api/v1/tickets/{new['id']}")
    assert tracked.json["eta_point_minutes"] == round(own.estimates[new["id"]].point, 1)  # type: ignore[union-attr]


async def test_requests_never_project_after_the_first(app: Sanic, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the day's first estimate is made on a request; every later one is made apart (a worker thread)."""
    on_request: list[bool] = []
    project = WaitTimes.project

    async def spy(self: WaitTimes, session: Any = None) -> Any:
        on_request.append(session is not None)  # in a request's session, or apart in its own
        return await project(self, session)

    monkeypatch.setattr(WaitTimes, "project", spy)
    client = app.asgi_client
    for _ in range(8):  # within one address's burst budget
        await take(client, "cash")
        await take(client, "cards")
    await app.ctx.branch.waits.settle()
    assert on_request[0] is True  # the first: nothing to answer from yet
    assert len(on_request) > 1 and not any(on_request[1:])


async def test_background_projections_keep_to_their_budget(app: Sanic) -> None:
    """After a projection that took T the next starts no sooner than T x (1/BUDGET - 1) later."""
    client = app.asgi_client
    await take(client)
    waits: WaitTimes = app.ctx.branch.waits
    await waits.settle()
    await take(client)
    await waits.settle()
    latest = waits._latest
    assert latest is not None
    import time

    gap = waits._next_allowed - time.monotonic()
    assert gap > 0 and gap <= latest.took * (1 / waits.BUDGET - 1) + 0.01


async def test_a_background_projection_holds_no_transaction_while_it_runs(app: Sanic, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """SQLite has one writer and the hub one connection to it: the runs (seconds with a long line) must not
    keep a transaction open, or every ticket (and every other hub process) waits for them."""
    import asyncio
    import threading

    from assistant.domain.eta import WaitModel

    client = app.asgi_client
    await take(client)
    waits: WaitTimes = app.ctx.branch.waits
    await waits.settle()
    running, release = threading.Event(), threading.Event()
    estimate = WaitModel.estimate

    def slow(self: WaitModel, snapshot: Any, only: str | None = None) -> Any:
        running.set()
        release.wait(10)
        return estimate(self, snapshot, only)

    monkeypatch.setattr(WaitModel, "estimate", slow)
    await take(client)  # a change: a refresh starts in the background
    assert await asyncio.to_thread(running.wait, 10)
    try:  # meanwhile another ticket is written and answered, through the one connection
        second = await asyncio.wait_for(take(client, "cards"), 5)
    finally:
        release.set()
    assert second["number"] == "C001"
    await waits.settle()
