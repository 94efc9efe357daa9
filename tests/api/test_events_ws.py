"""The events WebSocket against a real hub process on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.conftest import make_token


async def next_event(ws: Any, wanted: str, timeout: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == wanted:
                return message


async def test_snapshot_then_issued_and_called(hub_server: str, hub_token: str) -> None:
    ws_url = hub_server.replace("http://", "ws://") + "/api/v1/events"
    async with websockets.connect(ws_url, open_timeout=10) as ws, httpx.AsyncClient(base_url=hub_server) as http:
        snapshot = await next_event(ws, "snapshot")
        assert {s["service"] for s in snapshot["data"]["services"]} >= {"cash", "cards"}
        created = (await http.post("/api/v1/tickets", json={"service": "cards"})).json()
        issued = await next_event(ws, "ticket.issued")
        assert issued["data"]["ticket"]["number"] == created["number"]
        await http.post("/api/v1/counters/c2/call-next", headers={"Authorization": f"Bearer {hub_token}"})
        called = await next_event(ws, "ticket.called")
        assert called["data"]["ticket"]["number"] == created["number"]
        assert "id" not in called["data"]["ticket"]  # the public stream never carries a ticket's secret
        assert called["data"]["counter"] == {"id": "c2", "name": "Counter 2"}


@pytest.fixture
def device_token(tmp_path: Path) -> str:
    return make_token(f"sqlite:///{tmp_path / 'hub.db'}", "device")


async def test_every_subscriber_gets_every_event(hub_server: str, device_token: str) -> None:
    ws_url = hub_server.replace("http://", "ws://") + "/api/v1/events"
    async with websockets.connect(ws_url) as one, websockets.connect(ws_url) as two:
        await next_event(one, "snapshot")
        await next_event(two, "snapshot")
        async with httpx.AsyncClient(base_url=hub_server) as http:
            headers = {"Authorization": f"Bearer {device_token}"}
            body = {"state": "offline", "detail": "jammed"}
            await http.put("/api/v1/devices/atm-1/status", json=body, headers=headers)
        for ws in (one, two):
            event = await next_event(ws, "device.status")
            assert event["data"] == {"id": "atm-1", "state": "offline", "detail": "jammed"}


async def test_staff_alert_reaches_the_staff_screens(hub_server: str, hub_token: str) -> None:
    ws_url = hub_server.replace("http://", "ws://") + "/api/v1/events/staff"
    staff = {"Authorization": f"Bearer {hub_token}"}
    async with (
        websockets.connect(ws_url, additional_headers=staff) as ws,
        httpx.AsyncClient(base_url=hub_server) as http,
    ):
        await next_event(ws, "snapshot")
        body = {"reason": "wants to talk to someone", "channel": "kiosk", "sender": "k1", "lang": "en"}
        response = await http.post("/api/v1/staff-alerts", json=body)
        assert response.status_code == 202
        alert = await next_event(ws, "staff.alert")
        assert alert["data"] == body
        bad = await http.post("/api/v1/staff-alerts", json={"reason": "x" * 1000})
        assert bad.status_code == 422
