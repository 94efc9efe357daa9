"""Issue 13, defect 1: the event streams carry no secrets, and every write on a ticket or booking proves
possession. Against a real hub process on 127.0.0.1, through real WebSockets.

* The public stream (`/api/v1/events`: the lobby display, the announcer) shows what a lobby screen shows:
  no ticket id (the secret in a ticket's QR code and tracking URL), no booking code or name, no kiosk
  session, no staff alert. The event names stay those of DESIGN §4.
* The staff stream (`/api/v1/events/staff`) has everything, for a staff token only.
* A ticket's own stream (`/api/v1/tickets/{id}/events`: the tracking page) has that ticket only.
* A stranger who reads the public stream cannot cancel a ticket or a booking; guessing is throttled.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.conftest import ALWAYS_OPEN, make_token

Messages = list[dict[str, Any]]


async def collect(ws: Any, until: set[str], into: Messages, timeout: float = 15) -> None:
    """Read into `into` until every type in `until` has been seen."""
    async with asyncio.timeout(timeout):
        while not until <= {message["type"] for message in into}:
            into.append(json.loads(await ws.recv()))


async def closed_with(url: str, first: dict[str, Any] | None = None, **options: Any) -> int:
    """Connect, optionally send one message, and return the close code the hub answers with."""
    async with websockets.connect(url, open_timeout=10, **options) as ws:
        if first is not None:
            await ws.send(json.dumps(first))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with asyncio.timeout(10):
                while True:
                    await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def a_free_slot(http: httpx.AsyncClient, service: str = "loans") -> str:
    for ahead in range(1, 15):
        day = (date.today() + timedelta(days=ahead)).isoformat()
        slots = (await http.get("/api/v1/appointments/slots", params={"service": service, "date": day})).json()
        free = [slot["starts_at"] for slot in slots.get("slots", []) if slot["free"] > 0]
        if free:
            return str(free[0])
    raise AssertionError("no free slot in the next two weeks")


async def test_each_stream_shows_only_what_its_reader_may_see(hub_server: str, hub_token: str, tmp_path: Path) -> None:
    ws_base = hub_server.replace("http://", "ws://")
    device = make_token(f"sqlite:///{tmp_path / 'hub.db'}", "device")
    staff_headers = {"Authorization": f"Bearer {hub_token}"}
    public: Messages = []
    staff: Messages = []
    mine: Messages = []
    async with (
        websockets.connect(f"{ws_base}/api/v1/events", open_timeout=10) as public_ws,
        websockets.connect(f"{ws_base}/api/v1/events/staff", open_timeout=10) as staff_ws,
        httpx.AsyncClient(base_url=hub_server, timeout=10) as http,
    ):
        await staff_ws.send(json.dumps({"token": hub_token}))  # as the console does: a browser sets no headers
        await collect(public_ws, {"snapshot"}, public)
        await collect(staff_ws, {"snapshot"}, staff)

        first = (await http.post("/api/v1/tickets", json={"service": "cards", "lang": "zh"})).json()
        second = (await http.post("/api/v1/tickets", json={"service": "cards"})).json()
        other = (await http.post("/api/v1/tickets", json={"service": "exchange"})).json()
        booking = {"service": "loans", "starts_at": await a_free_slot(http), "name": "Ada Lovelace"}
        booked = (await http.post("/api/v1/appointments", json=booking)).json()
        alert = {"reason": "wants a person", "channel": "kiosk", "sender": "kiosk-session-4242", "lang": "en"}
        assert (await http.post("/api/v1/staff-alerts", json=alert)).status_code == 202

        async with websockets.connect(f"{ws_base}/api/v1/tickets/{second['id']}/events", open_timeout=10) as own:
            await collect(own, {"snapshot"}, mine)
            assert mine[0]["ticket"]["id"] == second["id"] and mine[0]["ticket"]["position"] == 2
            await http.post("/api/v1/counters/c2/call-next", headers=staff_headers)  # calls `first`
            await collect(own, {"ticket.moved"}, mine)
            await http.post("/api/v1/counters/c2/call-next", headers=staff_headers)  # calls `second`
            await collect(own, {"ticket.called"}, mine)

        await collect(public_ws, {"ticket.issued", "appointment.booked", "ticket.called"}, public)
        await collect(staff_ws, {"staff.alert", "ticket.called"}, staff)

    # The public stream: numbers, services, counters, statuses, languages; none of the secrets.
    public_text = json.dumps(public)
    for secret in (first["id"], second["id"], other["id"], booked["code"], "Ada Lovelace", "kiosk-session-4242"):
        assert secret not in public_text
    assert "track_url" not in public_text and "staff.alert" not in public_text
    issued = [m["data"]["ticket"] for m in public if m["type"] == "ticket.issued"]
    assert [t["number"] for t in issued] == [first["number"], second["number"], other["number"]]
    assert issued[0]["lang"] == "zh" and issued[0]["service"] == "cards" and issued[0]["status"] == "waiting"
    called = next(m["data"] for m in public if m["type"] == "ticket.called")
    assert called["ticket"]["number"] == first["number"] and called["counter"] == {"id": "c2", "name": "Counter 2"}
    assert next(m for m in public if m["type"] == "appointment.booked")["data"]["appointment"]["service"] == "loans"

    # The staff stream: everything, as before.
    staff_text = json.dumps(staff)
    assert first["id"] in staff_text and booked["code"] in staff_text
    assert next(m for m in staff if m["type"] == "staff.alert")["data"] == alert

    # The ticket's own stream: its snapshot, its place moving up, its call; nobody else's ticket.
    assert [m["type"] for m in mine] == ["snapshot", "ticket.moved", "ticket.called"]
    assert mine[1]["data"]["ticket"]["position"] == 1
    assert mine[2]["data"]["ticket"]["status"] == "called" and mine[2]["data"]["counter"]["id"] == "c2"
    assert first["id"] not in json.dumps(mine) and other["number"] not in json.dumps(mine)

    # Who may not open what.
    assert await closed_with(f"{ws_base}/api/v1/events/staff", {"token": "lby_not-a-real-token"}) == 4401
    assert await closed_with(f"{ws_base}/api/v1/events/staff", {"token": device}) == 4403  # a kiosk is no staff
    assert await closed_with(f"{ws_base}/api/v1/tickets/{'0' * 32}/events") == 4404


async def test_a_stranger_cannot_cancel_and_guessing_is_throttled(start_hub: Any, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    hub = start_hub(database, {"LOBBY_HUB__AUTH_FAILURE_LIMIT": "3", **ALWAYS_OPEN})
    async with httpx.AsyncClient(base_url=hub, timeout=10) as http:
        ticket = (await http.post("/api/v1/tickets", json={"service": "cash"})).json()
        booked = (await http.post("/api/v1/appointments", json={
            "service": "invest", "starts_at": await a_free_slot(http, "invest"), "name": "Grace Hopper",
        })).json()  # fmt: skip
        # Their holders can: the ticket's id (its QR code) and the booking's code are the proof.
        assert (await http.delete(f"/api/v1/tickets/{ticket['id']}")).json()["status"] == "abandoned"
        assert (await http.delete(f"/api/v1/appointments/{booked['code']}")).json()["status"] == "cancelled"
        # A stranger has neither: what it makes up is unknown, and after three tries it is refused outright.
        guesses = [await http.delete(f"/api/v1/appointments/{code}") for code in ("AAAAAA", "BBBBBB", "CCCCCC")]
        assert [guess.status_code for guess in guesses] == [404, 404, 404]
        refused = await http.delete(f"/api/v1/tickets/{'f' * 32}")
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 300


def test_the_public_stream_is_a_whitelist() -> None:
    """Whatever an event gains later (who did it, a new kind of event) stays off the public stream until
    someone decides it belongs there."""
    from assistant.web.events import public_message

    opened = {"type": "counter.opened", "at": "t", "data": {"counter": {"id": "c1", "state": "open"}, "by": "Ana"}}
    assert public_message(opened) == {**opened, "data": {"counter": {"id": "c1", "state": "open"}}}
    ticket = {"id": "f" * 32, "number": "A001", "track_url": "http://hub/t/" + "f" * 32, "status": "waiting", "x": 1}
    shown = public_message({"type": "ticket.issued", "at": "t", "data": {"ticket": ticket, "by": "Ana"}})
    assert shown == {"type": "ticket.issued", "at": "t", "data": {"ticket": {"number": "A001", "status": "waiting"}}}
    for kind in ("staff.alert", "service.alert", "audit.logged", "something.new"):
        assert public_message({"type": kind, "at": "t", "data": {"sender": "kiosk-1"}}) is None
