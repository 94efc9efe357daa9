"""The counter console's staff reads (/api/v1/console/*, GET /api/v1/tickets) and its page, on a fake clock.

Monday 9 June 2025, 08:30 in London: the branch opens at 09:00, so an appointment can be booked and
checked in inside its window by moving the clock.
"""

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
STAFF_READS = ("/api/v1/console/config", "/api/v1/console/counters", "/api/v1/tickets", "/api/v1/tickets?status=parked")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 9, 8, 30, tzinfo=ZoneInfo("Europe/London")))


@pytest.fixture
def client(settings: Settings, clock: FakeClock):  # type: ignore[no-untyped-def]
    Sanic.test_mode = True
    return create_app(settings, clock=clock, name=f"lobby_console_{next(_names)}").asgi_client


@pytest.fixture
def device(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(settings.database_url(), 'device')}"}


async def get(client: Any, path: str, headers: dict[str, str], **params: str) -> Any:
    _, response = await client.get(path, headers=headers, params=params or None)
    return response


async def post(client: Any, path: str, headers: dict[str, str] | None = None, body: Any = None) -> Any:
    _, response = await client.post(path, json=body, headers=headers or {})
    assert response.status in (200, 201), response.json
    return response.json


def error_of(response: Any) -> dict[str, str]:
    body = response.json
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]  # type: ignore[no-any-return]


async def test_staff_reads_refuse_missing_wrong_and_device_tokens(client, staff, manager, device) -> None:  # type: ignore[no-untyped-def]
    await post(client, "/api/v1/tickets", body={"service": "cash"})
    for path in STAFF_READS:
        for headers, status, code in (
            ({}, 401, "unauthorized"),
            ({"Authorization": "Bearer lby_not-a-real-token"}, 401, "unauthorized"),
            ({"Authorization": "Bearer"}, 401, "unauthorized"),  # no token ("Bearer " arrives so: OWS is cut)
            ({"Authorization": "Basic dXNlcjpwdw=="}, 401, "unauthorized"),
            (device, 403, "forbidden"),
        ):
            response = await get(client, path, headers)
            assert response.status == status, (path, headers, response.json)
            assert error_of(response)["code"] == code
        for allowed in (staff, manager):
            assert (await get(client, path, allowed)).status == 200, path
    # POST /api/v1/tickets (public, another blueprint on the same path) still answers
    assert (await post(client, "/api/v1/tickets", body={"service": "cash"}))["number"] == "A002"


async def test_config_gives_counters_services_outcomes_and_the_recall_rules(client, staff, settings) -> None:  # type: ignore[no-untyped-def]
    response = await get(client, "/api/v1/console/config", staff)
    config = response.json
    assert config["branch"] == {"id": settings.branch.id, "name": settings.branch.name}
    assert config["timezone"] == "Europe/London" and config["role"] == "teller"
    assert [c["id"] for c in config["counters"]] == ["c1", "c2", "c3"]
    assert config["counters"][0] == {"id": "c1", "name": "Counter 1", "skills": settings.counters[0].skills}
    assert [s["id"] for s in config["services"]] == [s.id for s in settings.services]
    assert config["services"][2] == {"id": "cards", "name": "Cards and PIN", "prefix": "C"}
    assert config["outcomes"] == [
        {"code": "done", "label": "Done"}, {"code": "referred", "label": "Referred"},
        {"code": "follow_up", "label": "Follow up"}, {"code": "could_not_help", "label": "Could not help"},
    ]  # fmt: skip
    assert (config["max_recalls"], config["no_show_after_seconds"]) == (2, 60)
    assert config["priority_classes"] == ["appointment", "priority", "normal"]


async def test_waiting_list_shows_class_wait_booking_and_intent_in_calling_order(
    client: Any, clock: FakeClock, staff: dict[str, str]
) -> None:
    booking = {"service": "loans", "starts_at": "2025-06-09T10:00:00+01:00", "name": "Ada Lovelace"}
    booked = await post(client, "/api/v1/appointments", body=booking)
    clock.advance(minutes=60)  # 09:30
    walk_in = await post(client, "/api/v1/tickets", body={"service": "loans", "intent": "apply_loan"})
    clock.advance(minutes=5)
    vip = await post(client, "/api/v1/tickets", body={"service": "loans", "priority": "priority"})
    cash = await post(client, "/api/v1/tickets", body={"service": "cash", "intent": "withdraw_cash"})
    clock.advance(minutes=15)  # 09:50: the check-in window of the 10:00 booking is open
    checked_in = await post(client, f"/api/v1/appointments/{booked['code']}/check-in")
    assert checked_in["priority"] == "appointment"

    listing = (await get(client, "/api/v1/tickets", staff, status="waiting")).json
    assert listing["at"] == clock.now().isoformat()
    rows = {row["number"]: row for row in listing["tickets"]}
    # Services in branch.yml order (cash before loans); inside one, the policy's order for that service:
    # the appointment, then the walk-in (20 min: age-boosted to the priority class, and earlier), then the vip.
    assert [row["number"] for row in listing["tickets"]] == [
        cash["number"],
        checked_in["number"],
        walk_in["number"],
        vip["number"],
    ]
    assert [row["position"] for row in listing["tickets"]] == [1, 1, 2, 3]
    appointment = rows[checked_in["number"]]
    assert appointment["priority"] == "appointment" and appointment["service_name"] == "Loans and mortgages"
    assert appointment["appointment"] == {
        "code": booked["code"], "starts_at": "2025-06-09T09:00:00+00:00", "name": "Ada Lovelace",
        "channel": "kiosk", "online": False, "intent": None, "notes": None,
    }  # fmt: skip
    assert (appointment["channel"], appointment["remote"], appointment["on_the_way"]) == ("kiosk", False, False)
    assert appointment["waited_minutes"] == 0.0
    assert rows[walk_in["number"]]["intent"] == "apply_loan" and rows[walk_in["number"]]["appointment"] is None
    assert rows[walk_in["number"]]["waited_minutes"] == 20.0
    # 20 minutes is past priority.age_boost_minutes (15): a normal ticket is lifted one class; 15 min for the vip
    assert rows[walk_in["number"]]["boosted"] is True and rows[vip["number"]]["boosted"] is False
    assert rows[vip["number"]]["priority"] == "priority"
    # The listing's position agrees with what the customer sees on their ticket
    _, mine = await client.get(f"/api/v1/tickets/{walk_in['id']}")
    assert mine.json["position"] == rows[walk_in["number"]]["position"]

    only_cash = (await get(client, "/api/v1/tickets", staff, service="cash")).json["tickets"]
    assert [row["id"] for row in only_cash] == [cash["id"]] and only_cash[0]["intent"] == "withdraw_cash"


async def test_parked_and_transferred_tickets_say_where_they_belong(client: Any, staff: dict[str, str]) -> None:
    first = await post(client, "/api/v1/tickets", body={"service": "cash"})
    second = await post(client, "/api/v1/tickets", body={"service": "cash"})
    await post(client, "/api/v1/counters/c1/call-next", staff)
    await post(client, "/api/v1/counters/c1/park", staff)
    await post(client, "/api/v1/counters/c1/call-next", staff)
    await post(client, "/api/v1/counters/c1/transfer", staff, {"counter": "c3"})

    parked = (await get(client, "/api/v1/tickets", staff, status="parked")).json["tickets"]
    assert [row["id"] for row in parked] == [first["id"]]
    assert (parked[0]["status"], parked[0]["parked_by"], parked[0]["parked_by_name"]) == ("parked", "c1", "Counter 1")
    assert parked[0]["position"] is None
    waiting = (await get(client, "/api/v1/tickets", staff, status="waiting")).json["tickets"]
    assert [row["id"] for row in waiting] == [second["id"]]
    assert (waiting[0]["target_counter"], waiting[0]["target_counter_name"]) == ("c3", "Advisor desk")
    assert waiting[0]["transfers"] == 1 and waiting[0]["number"] == second["number"]
    both = (await get(client, "/api/v1/tickets", staff)).json["tickets"]
    assert [row["id"] for row in both] == [second["id"], first["id"]]  # waiting before parked within a service
    assert (await get(client, "/api/v1/tickets", staff, status="waiting,parked")).json["tickets"] == both


async def test_bad_filters_are_422(client: Any, staff: dict[str, str]) -> None:
    for params, code in (
        ({"status": "served"}, "invalid_input"),
        ({"status": "waiting,nope"}, "invalid_input"),
        ({"service": "no-such-service"}, "unknown_service"),
    ):
        response = await get(client, "/api/v1/tickets", staff, **params)
        assert response.status == 422 and error_of(response)["code"] == code, params


async def test_counters_show_recalls_and_the_no_show_cooldown(
    client: Any, clock: FakeClock, staff: dict[str, str]
) -> None:
    clock.advance(minutes=40)
    ticket = await post(client, "/api/v1/tickets", body={"service": "cash", "intent": "deposit_cash"})
    clock.advance(minutes=3)
    await post(client, "/api/v1/counters/c1/call-next", staff)
    await post(client, "/api/v1/counters/c2/close", staff)

    async def desk(counter: str = "c1") -> dict[str, Any]:
        body = (await get(client, "/api/v1/console/counters", staff)).json
        assert body["at"] == clock.now().isoformat()
        return next(c for c in body["counters"] if c["id"] == counter)  # type: ignore[no-any-return]

    idle = await desk("c2")
    assert (idle["name"], idle["state"], idle["ticket"]) == ("Counter 2", "closed", None)
    at_c1 = await desk()
    assert at_c1["state"] == "open" and at_c1["skills"]["cash"] == 1.0
    current = at_c1["ticket"]
    assert (current["id"], current["number"], current["status"]) == (ticket["id"], ticket["number"], "called")
    assert (current["recalls"], current["max_recalls"], current["next_recall_is_no_show"]) == (0, 2, False)
    assert current["no_show_in_seconds"] == 60 and current["waited_minutes"] == 3.0
    assert current["intent"] == "deposit_cash" and current["service_name"] == "Cash and cheques"

    clock.advance(seconds=25)
    assert (await desk())["ticket"]["no_show_in_seconds"] == 35
    await post(client, "/api/v1/counters/c1/recall", staff)
    recalled = (await desk())["ticket"]
    assert recalled["recalls"] == 1 and recalled["no_show_in_seconds"] == 60  # a recall restarts the wait
    await post(client, "/api/v1/counters/c1/recall", staff)
    assert (await desk())["ticket"]["next_recall_is_no_show"] is True
    clock.advance(seconds=61)
    assert (await desk())["ticket"]["no_show_in_seconds"] == 0
    await post(client, "/api/v1/counters/c1/start", staff)
    serving = (await desk())["ticket"]
    assert serving["status"] == "serving" and datetime.fromisoformat(serving["started_at"]) == clock.now()
    assert serving["no_show_in_seconds"] == 0
    await post(client, "/api/v1/counters/c1/finish", staff, {"outcome": "done"})
    assert (await desk())["ticket"] is None


async def test_the_page_and_its_assets_are_served_locally(client: Any) -> None:
    _, page = await client.get("/console")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    html = page.body.decode()
    assert '<script src="/console/console.js">' in html and 'href="/console/console.css"' in html
    assert "http://" not in html and "https://" not in html  # nothing from the internet
    _, script = await client.get("/console/console.js")
    assert script.status == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "/api/v1/console/counters" in script.body.decode()
    _, style = await client.get("/console/console.css")
    assert style.status == 200 and style.headers["content-type"].startswith("text/css")
    _, other = await client.get("/console/app.py")
    assert other.status == 404
