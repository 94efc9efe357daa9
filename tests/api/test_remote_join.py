"""Joining a queue from the bank's app: allowed per service, and only while the branch is open."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from sanic import Sanic

from assistant.domain.clock import FakeClock
from assistant.settings import Settings
from assistant.web.app import create_app

_names = itertools.count()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 9, 8, 30, tzinfo=ZoneInfo("Europe/London")))  # a Monday, before 09:00


@pytest.fixture
def client(settings: Settings, clock: FakeClock) -> Any:
    Sanic.test_mode = True
    services = tuple(
        msgspec.structs.replace(s, remote_join=False) if s.id == "exchange" else s for s in settings.services
    )
    configured = msgspec.structs.replace(settings, services=services)
    return create_app(configured, clock=clock, name=f"lobby_remote_{next(_names)}").asgi_client


async def test_remote_tickets_only_while_open_and_where_allowed(client: Any, clock: FakeClock) -> None:
    remote = {"service": "cards", "channel": "mobile", "remote": True}
    _, closed = await client.post("/api/v1/tickets", json=remote)
    assert closed.status == 409 and closed.json["error"]["code"] == "remote_join_closed"
    assert closed.json["error"]["message"].startswith("the branch is closed now; we're open Monday to Wednesday 9 am")
    _, walk_in = await client.post("/api/v1/tickets", json={"service": "cards", "channel": "mobile"})
    assert walk_in.status == 201  # not remote (e.g. the branch's own tablet): the rule does not apply
    _, triage = await client.post("/api/v1/triage", json={"intent": "report_lost_card", "channel": "mobile"})
    assert triage.json["remote_join_refusal"].startswith("the branch is closed now")

    clock.advance(hours=1)  # 09:30: open
    _, opened = await client.post("/api/v1/tickets", json=remote)
    assert opened.status == 201 and opened.json["service"] == "cards"
    _, triage = await client.post("/api/v1/triage", json={"intent": "report_lost_card", "channel": "mobile"})
    assert triage.json["remote_join_refusal"] is None

    _, exchange = await client.post("/api/v1/tickets", json={**remote, "service": "exchange"})
    assert exchange.status == 409
    assert exchange.json["error"]["message"] == "Foreign exchange takes customers at the branch only"
    _, queue = await client.get("/api/v1/queue")
    assert {s["service"]: s["waiting"] for s in queue.json["services"]}["exchange"] == 0  # refusals issue nothing


async def test_the_touch_menu_applies_the_same_rules_to_the_app(client: Any, clock: FakeClock) -> None:
    """Rasa is down here: the hub's own menu answers, and from the app it takes remote tickets only."""
    app_customer = {"X-Customer-Token": "app-customer-0123456789"}
    body = {"message": "/report_lost_card", "channel": "mobile"}
    _, closed = await client.post("/api/v1/chat", json=body, headers=app_customer)
    assert closed.status == 200 and "ticket" not in closed.json
    text = closed.json["messages"][0]["text"]
    assert text.startswith("Sorry, you can't join this queue from the app: the branch is closed now; we're open")
    _, queue = await client.get("/api/v1/queue")
    assert sum(s["waiting"] for s in queue.json["services"]) == 0

    clock.advance(hours=1)  # 09:30: open
    _, opened = await client.post("/api/v1/chat", json=body, headers=app_customer)
    ticket = opened.json["ticket"]
    assert ticket["remote"] is True and ticket["arrive_by"] == "2025-06-09T10:15:00+01:00"
    said = opened.json["messages"][0]["text"]
    assert said.endswith("Please check in at the branch kiosk by 10:15: scan your ticket's QR code there.")
    _, kiosk = await client.post("/api/v1/chat", json={**body, "channel": "kiosk", "sender": "kiosk-1"})
    assert kiosk.json["ticket"]["remote"] is False and kiosk.json["ticket"]["arrive_by"] is None


def test_the_wire_types_round_trip() -> None:
    from lobby_wire import ServiceView, TriageView

    triage = {"decision": "ticket", "service": "cards", "reason": "r", "bookable": False}
    triage["remote_join_refusal"] = "closed"
    assert TriageView.from_json(triage).to_json() == triage
    service = {"id": "cards", "name": "Cards", "prefix": "C", "intents": ["reset_pin"]}
    service.update(advisor=False, bookable=False)
    assert ServiceView.from_json(service).to_json() == service
