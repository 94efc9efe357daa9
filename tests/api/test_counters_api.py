"""Counter flow and staff auth through the API, with a clock the test moves."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sanic import Sanic

from assistant.domain.clock import FakeClock
from assistant.settings import Settings
from assistant.web.app import create_app
from tests.conftest import make_token

_names = itertools.count()
LONDON = ZoneInfo("Europe/London")  # the demo branch's time zone


@pytest.fixture
def clock() -> FakeClock:
    """Today at 10:00 in the branch's time zone: the tests move it by up to an hour, and a run near
    midnight must not carry "today's" handling times into tomorrow."""
    return FakeClock(datetime.now(LONDON).replace(hour=10, minute=0, second=0, microsecond=0))


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Sanic:
    Sanic.test_mode = True
    return create_app(settings, clock=clock, name=f"lobby_counters_{next(_names)}")


@pytest.fixture
def client(app: Sanic):  # type: ignore[no-untyped-def]
    return app.asgi_client


async def post(client: Any, path: str, headers: dict[str, str], body: Any = None) -> Any:
    _, response = await client.post(path, json=body, headers=headers)
    return response


async def new_ticket(client: Any, service: str = "cash", priority: str = "normal") -> dict[str, Any]:
    _, response = await client.post("/api/v1/tickets", json={"service": service, "priority": priority})
    assert response.status == 201
    return response.json  # type: ignore[no-any-return]


@pytest.fixture
def device(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(settings.database_url(), 'device')}"}


async def test_staff_endpoints_need_the_right_token(client, device) -> None:  # type: ignore[no-untyped-def]
    await new_ticket(client)
    for headers, status, code in (
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer lby_not-a-real-token"}, 401, "unauthorized"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, 401, "unauthorized"),
        (device, 403, "forbidden"),
    ):
        response = await post(client, "/api/v1/counters/c1/call-next", headers)
        assert response.status == status and response.json["error"]["code"] == code
    _, queue = await client.get("/api/v1/queue")
    assert next(s for s in queue.json["services"] if s["service"] == "cash")["waiting"] == 1  # nothing changed


async def test_recall_limit_then_no_show(client, staff, clock: FakeClock, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    ticket = await new_ticket(client)
    await post(client, "/api/v1/counters/c1/call-next", staff)
    early = await post(client, "/api/v1/counters/c1/no-show", staff)
    assert early.status == 409 and early.json["error"]["code"] == "too_soon"
    assert settings.queue.max_recalls == 2
    for _ in range(settings.queue.max_recalls):
        clock.advance(seconds=20)
        recalled = await post(client, "/api/v1/counters/c1/recall", staff)
        assert recalled.status == 200 and recalled.json["status"] == "called"
    gone = await post(client, "/api/v1/counters/c1/recall", staff)
    assert gone.json["status"] == "no_show" and gone.json["id"] == ticket["id"]
    nothing = await post(client, "/api/v1/counters/c1/recall", staff)
    assert nothing.status == 409 and nothing.json["error"]["code"] == "no_current_ticket"


async def test_no_show_after_the_grace_period(client, staff, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    await new_ticket(client)
    await post(client, "/api/v1/counters/c1/call-next", staff)
    clock.advance(seconds=61)
    response = await post(client, "/api/v1/counters/c1/no-show", staff)
    assert response.status == 200 and response.json["status"] == "no_show"


async def test_start_finish_with_outcome(client, staff, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    await new_ticket(client)
    clock.advance(minutes=7)
    await post(client, "/api/v1/counters/c1/call-next", staff)
    _, scrape = await client.get("/metrics")
    assert 'lobby_ticket_wait_seconds_bucket{le="600.0",service="cash"} 1.0' in scrape.body.decode()
    assert 'lobby_ticket_wait_seconds_bucket{le="300.0",service="cash"} 0.0' in scrape.body.decode()
    started = await post(client, "/api/v1/counters/c1/start", staff)
    assert started.json["status"] == "serving"
    bad = await post(client, "/api/v1/counters/c1/finish", staff, {"outcome": "magic"})
    assert bad.status == 422
    clock.advance(minutes=4)
    done = await post(client, "/api/v1/counters/c1/finish", staff, {"outcome": "referred"})
    assert done.status == 200 and done.json["status"] == "served"


async def test_transfer_keeps_the_number_and_can_target_a_counter(client, staff) -> None:  # type: ignore[no-untyped-def]
    ticket = await new_ticket(client, "cash")
    await post(client, "/api/v1/counters/c1/call-next", staff)
    moved = await post(client, "/api/v1/counters/c1/transfer", staff, {"service": "cards"})
    assert (moved.json["number"], moved.json["service"], moved.json["status"]) == (ticket["number"], "cards", "waiting")
    assert moved.json["issued_at"] == ticket["issued_at"]
    await post(client, "/api/v1/counters/c2/call-next", staff)  # c2 serves cards
    to_desk = await post(client, "/api/v1/counters/c2/transfer", staff, {"counter": "c3"})
    assert to_desk.json["status"] == "waiting"
    # c3 has no cards skill, but the ticket was sent to it by name; c1 (cards 0.5) must not take it.
    nobody = await post(client, "/api/v1/counters/c1/call-next", staff)
    assert nobody.status == 409
    called = await post(client, "/api/v1/counters/c3/call-next", staff)
    assert called.json["id"] == ticket["id"] and called.json["counter"] == "c3"
    empty = await post(client, "/api/v1/counters/c3/transfer", staff, {})
    assert empty.status == 422


async def test_park_then_call_that_ticket(client, staff) -> None:  # type: ignore[no-untyped-def]
    parked_one = await new_ticket(client)
    other = await new_ticket(client)
    await post(client, "/api/v1/counters/c1/call-next", staff)
    parked = await post(client, "/api/v1/counters/c1/park", staff)
    assert parked.json["status"] == "parked"
    nxt = await post(client, "/api/v1/counters/c1/call-next", staff)
    assert nxt.json["id"] == other["id"]
    again = await post(client, "/api/v1/counters/c1/call", staff, {"ticket_id": parked_one["id"]})
    assert again.json["id"] == parked_one["id"] and again.json["status"] == "called"
    _, served = await client.get(f"/api/v1/tickets/{other['id']}")
    assert served.json["status"] == "served"  # calling the next finishes the current one


async def test_open_close_and_list(client, staff) -> None:  # type: ignore[no-untyped-def]
    await new_ticket(client)
    await post(client, "/api/v1/counters/c1/call-next", staff)
    busy = await post(client, "/api/v1/counters/c1/close", staff)
    assert busy.status == 409 and busy.json["error"]["code"] == "counter_busy"
    await post(client, "/api/v1/counters/c1/finish", staff, {"outcome": "done"})
    closed = await post(client, "/api/v1/counters/c1/close", staff)
    assert closed.json["state"] == "closed"
    await new_ticket(client)
    refused = await post(client, "/api/v1/counters/c1/call-next", staff)
    assert refused.status == 409 and refused.json["error"]["code"] == "counter_closed"
    _, listing = await client.get("/api/v1/counters")
    states = {c["id"]: c["state"] for c in listing.json["counters"]}
    assert states == {"c1": "closed", "c2": "open", "c3": "open"}
    _, queue = await client.get("/api/v1/queue")
    cash = next(s for s in queue.json["services"] if s["service"] == "cash")
    assert cash["eta_minutes"] is not None  # c2 still serves cash at weight 0.5
    await post(client, "/api/v1/counters/c1/open", staff)
    assert (await post(client, "/api/v1/counters/c1/call-next", staff)).status == 200


async def test_priority_share_through_the_api(client, staff) -> None:  # type: ignore[no-untyped-def]
    normal = await new_ticket(client, "cash")
    vips = [await new_ticket(client, "cash", "priority") for _ in range(3)]
    order = []
    for _ in range(4):
        response = await post(client, "/api/v1/counters/c1/call-next", staff)
        order.append(response.json["id"])
    # branch.yml's normal_share [1, 3]: after one priority call, normal calls are owed while normal tickets wait
    assert order == [vips[0]["id"], normal["id"], vips[1]["id"], vips[2]["id"]]


async def test_eta_follows_recent_handling_times(app, client, staff, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    """The wait model learns today's handling times: after three 15-minute exchanges (configured: 5)
    the next customer's estimate behind one exchange is longer than it was behind one at the start.
    (The model is relearned and the line projected apart from the requests: `settle` waits for that.)"""
    first = await new_ticket(client, "exchange")  # only c1 (weight 1.0) serves it
    await post(client, "/api/v1/counters/c1/call-next", staff)
    await post(client, "/api/v1/counters/c1/start", staff)
    await app.ctx.branch.waits.settle()
    fresh = await new_ticket(client, "exchange")  # behind one exchange just started, at the seed's 5 min
    assert fresh["eta_point_minutes"] is not None and fresh["eta_point_minutes"] < 6
    clock.advance(minutes=15)
    await post(client, "/api/v1/counters/c1/finish", staff, {"outcome": "done"})
    for _ in range(2):  # today every exchange takes 15 minutes
        await post(client, "/api/v1/counters/c1/call-next", staff)
        await post(client, "/api/v1/counters/c1/start", staff)
        clock.advance(minutes=15)
        await post(client, "/api/v1/counters/c1/finish", staff, {"outcome": "done"})
        await new_ticket(client, "exchange")
    await post(client, "/api/v1/counters/c1/call-next", staff)
    await post(client, "/api/v1/counters/c1/start", staff)
    await app.ctx.branch.waits.settle()
    slow = await new_ticket(client, "exchange")  # behind one exchange just started, after three slow ones
    assert first["id"] != slow["id"] and slow["position"] == fresh["position"] == 1
    assert slow["eta_point_minutes"] > 1.3 * fresh["eta_point_minutes"]
    assert slow["eta_minutes"][1] > fresh["eta_minutes"][1]


async def test_numbers_restart_each_branch_day_and_history_stays(client, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    yesterday = [await new_ticket(client, "cash") for _ in range(2)]
    assert [t["number"] for t in yesterday] == ["A001", "A002"]
    clock.advance(days=1)
    today = await new_ticket(client, "cash")
    assert today["number"] == "A001" and today["id"] != yesterday[0]["id"]
    _, old = await client.get(f"/api/v1/tickets/{yesterday[0]['id']}")
    assert old.status == 200 and old.json["number"] == "A001" and old.json["issued_at"] == yesterday[0]["issued_at"]
