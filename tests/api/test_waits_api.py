"""The hub's wait estimates and the branch day around them, through the API with a clock the test moves:
a counter on a break until a time, the manager warned of a service nobody can serve, the end of the
day (the line closed, missed appointments no-show), yesterday's tickets out of today's waits, and the
ETA's words in the ticket's language."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sanic import Sanic

from assistant.domain.clock import FakeClock
from assistant.services.end_of_day import close_day
from assistant.settings import Settings
from assistant.web.app import create_app

_names = itertools.count()
LONDON = ZoneInfo("Europe/London")
TUESDAY_10 = datetime(2026, 3, 10, 10, 0, tzinfo=LONDON)  # the demo branch is open 09:00-17:00


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TUESDAY_10)


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Sanic:
    Sanic.test_mode = True
    return create_app(settings, clock=clock, name=f"lobby_waits_{next(_names)}")


@pytest.fixture
def client(app: Sanic):  # type: ignore[no-untyped-def]
    return app.asgi_client


async def ticket(client: Any, service: str = "cash", lang: str = "en") -> dict[str, Any]:
    _, response = await client.post("/api/v1/tickets", json={"service": service, "lang": lang})
    assert response.status == 201, response.json
    return response.json  # type: ignore[no-any-return]


async def post(client: Any, path: str, headers: dict[str, str], body: Any = None) -> Any:
    _, response = await client.post(path, json=body, headers=headers)
    return response


async def test_a_break_until_a_time_closes_the_counter_and_the_eta_counts_from_then(  # type: ignore[no-untyped-def]
    app, client, staff
) -> None:
    await ticket(client, "exchange")  # only c1 serves exchange
    on_break = await post(client, "/api/v1/counters/c1/break", staff, {"until": "10:40"})
    assert on_break.status == 200, on_break.json
    assert on_break.json["state"] == "break"
    assert datetime.fromisoformat(on_break.json["until"]) == TUESDAY_10 + timedelta(minutes=40)
    refused = await post(client, "/api/v1/counters/c1/call-next", staff)
    assert refused.status == 409 and refused.json["error"]["code"] == "counter_closed"
    await app.ctx.branch.waits.settle()  # the estimates are refreshed apart from the requests, a moment later
    second = await ticket(client, "exchange")
    assert second["eta_minutes"][0] >= 40, second  # nobody serves exchange before c1 is back
    _, desks = await client.get("/api/v1/console/counters", headers=staff)
    c1 = next(d for d in desks.json["counters"] if d["id"] == "c1")
    assert c1["state"] == "break" and datetime.fromisoformat(c1["away_until"]) == TUESDAY_10 + timedelta(minutes=40)
    for bad in ({"until": "09:30"}, {}, {"until": "10:50", "minutes": 5}, {"until": "25:00"}):
        response = await post(client, "/api/v1/counters/c1/break", staff, bad)
        assert response.status == 422, bad
    assert (await post(client, "/api/v1/counters/c1/open", staff)).status == 200
    await app.ctx.branch.waits.settle()
    back = await client.get(f"/api/v1/tickets/{second['id']}")
    assert back[1].json["eta_minutes"][0] < 40


async def test_the_manager_is_warned_when_tickets_wait_and_no_open_counter_serves_them(  # type: ignore[no-untyped-def]
    client, staff, manager
) -> None:
    await ticket(client, "exchange")
    _, report = await client.get("/api/v1/dashboard", headers=manager)
    assert report.json["live"]["uncovered"] == []
    assert (await post(client, "/api/v1/counters/c1/close", staff)).status == 200
    _, report = await client.get("/api/v1/dashboard", headers=manager)
    assert report.json["live"]["uncovered"] == [{"service": "exchange", "name": "Foreign exchange", "waiting": 1}]


async def test_the_end_of_the_day_closes_the_line_and_the_missed_appointments(  # type: ignore[no-untyped-def]
    app, client, clock, staff, manager
) -> None:
    waiting = await ticket(client, "cash")
    called = await ticket(client, "cash")
    _, booking = await client.post(
        "/api/v1/appointments", json={"service": "loans", "starts_at": "2026-03-10T11:00:00+00:00"}
    )
    assert booking.status == 201, booking.json
    assert (await post(client, "/api/v1/counters/c1/call-next", staff)).json["id"] == waiting["id"]
    clock.advance(minutes=75)  # 11:15: the 11:00 booking's check-in window (to 11:10) has closed
    closed, missed = await close_day(app.ctx.branch)
    assert closed == [] and missed == [booking.json["code"]]
    _, appointment = await client.get(f"/api/v1/appointments/{booking.json['code']}")
    assert appointment.json["status"] == "no_show"
    clock.advance(hours=6, minutes=20)  # 17:35: closing time and the 30 minutes' overtime are over
    closed, missed = await close_day(app.ctx.branch)
    assert [view.id for view in closed] == [called["id"]] and missed == []
    _, gone = await client.get(f"/api/v1/tickets/{called['id']}")
    assert gone.json["status"] == "abandoned" and gone.json["outcome"] == "branch_closed"
    assert gone.json["eta_minutes"] is None
    _, at_counter = await client.get(f"/api/v1/tickets/{waiting['id']}")
    assert at_counter.json["status"] == "called"  # the counter still serves who is at it
    assert (await close_day(app.ctx.branch)) == ([], [])  # each closed once
    _, log = await client.get("/api/v1/audit?action=day.close", headers=manager)
    assert log.status == 200, log.json
    closes = [e for e in log.json["entries"] if e["action"] == "day.close"]
    runs = sorted((c["after"]["appointments_no_show"], c["after"]["tickets_closed"]) for c in closes)
    assert runs == [(0, [called["number"]]), (1, [])]  # two runs closed something; the third nothing
    assert all(c["actor"]["kind"] == "system" for c in closes)


async def test_yesterdays_tickets_never_count_in_todays_waits(app, client, clock, manager) -> None:  # type: ignore[no-untyped-def]
    left_over = await ticket(client, "cash")
    clock.advance(days=1)  # the hub was down at closing: nothing closed it
    _, queue = await client.get("/api/v1/queue")
    cash = next(s for s in queue.json["services"] if s["service"] == "cash")
    assert cash["waiting"] == 0 and cash["longest_wait_minutes"] == 0
    _, report = await client.get("/api/v1/dashboard", headers=manager)
    assert report.json["live"]["waiting"] == 0 and report.json["live"]["alerts"] == []
    today = await ticket(client, "cash")
    assert today["position"] == 1 and today["number"] == "A001"
    closed, _ = await close_day(app.ctx.branch)  # a day not over yet: only yesterday's ticket goes
    assert [view.id for view in closed] == [left_over["id"]]


async def test_the_eta_is_said_honestly_in_the_tickets_language(app, client) -> None:  # type: ignore[no-untyped-def]
    first = await ticket(client, "loans", "zh")  # the advisor desk is free: called at once
    assert first["eta_wording"] == "under" and first["eta_minutes"][0] == 0
    assert first["eta_text"].startswith("不到") and "分钟" in first["eta_text"]
    line = [await ticket(client, "loans") for _ in range(4)]
    await app.ctx.branch.waits.settle()  # the line projected (apart from the requests) with all five
    _, tracked = await client.get(f"/api/v1/tickets/{line[-1]['id']}")
    last = tracked.json
    assert last["eta_minutes"][0] > 20 and last["eta_point_minutes"] > last["eta_minutes"][0]
    assert last["eta_wording"] in ("range", "over") and "minutes" in last["eta_text"]
    _, zh = await client.get(f"/api/v1/tickets/{last['id']}", params={"lang": "zh"})
    assert "分钟" in zh.json["eta_text"]
    _, queue = await client.get("/api/v1/queue")
    loans = next(s for s in queue.json["services"] if s["service"] == "loans")
    assert loans["eta_minutes"][0] >= last["eta_minutes"][0] and loans["eta_wording"] in ("range", "over")
