"""The audit log through the hub's API on a fake clock: who did what to which ticket, counter, device or
booking, before and after, when; written with the change or not at all; read and exported by managers."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sanic import Sanic

from assistant.domain.clock import FakeClock
from assistant.domain.staff import Role
from assistant.settings import Settings
from assistant.store.db import create_engine, migrate, session_factory
from assistant.store.tokens import TokenRepository
from assistant.web.app import create_app

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2025, 6, 9, 8, 30, tzinfo=LONDON)  # a Monday
_names = itertools.count()
ACTIONS = "ticket.*,counter.*,device.*,appointment.*"  # all but the tokens each test makes


def tokens(settings: Settings, *holders: tuple[str, str]) -> list[dict[str, str]]:
    """Authorization headers of real tokens (role, name) made at T0, in one go (`lobby token create` is
    tested, and audited, in tests/store/test_audit_store.py)."""

    async def make() -> list[str]:
        engine = create_engine(settings.database_url())
        try:
            await migrate(engine)
            async with session_factory(engine).begin() as session:
                return [(await TokenRepository(session).create(Role(role), name, T0))[1] for role, name in holders]
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        return [{"Authorization": f"Bearer {made}"} for made in pool.submit(asyncio.run, make()).result(60)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def client(settings: Settings, clock: FakeClock):  # type: ignore[no-untyped-def]
    Sanic.test_mode = True
    return create_app(settings, clock=clock, name=f"lobby_audit_{next(_names)}").asgi_client


async def call(client: Any, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
    _, response = await getattr(client, method)(path, headers=headers or {}, **kw)
    assert response.status < 300, (path, response.status, response.text)
    return response.json


async def audit(client: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    return (await call(client, "get", "/api/v1/audit", headers, params=params))["entries"]  # type: ignore[no-any-return]


async def test_every_counter_action_is_audited_with_who_what_before_and_after(
    client: Any, settings: Settings, clock: FakeClock
) -> None:
    ana, ben = tokens(settings, ("teller", "Ana"), ("manager", "Ben"))
    a1 = await call(client, "post", "/api/v1/tickets", json={"service": "cash"})
    a2 = await call(client, "post", "/api/v1/tickets", json={"service": "cash"})
    d1 = await call(client, "post", "/api/v1/tickets", json={"service": "accounts"})
    c1 = "/api/v1/counters/c1"
    await call(client, "post", f"{c1}/close", ana)
    clock.advance(minutes=1)
    await call(client, "post", f"{c1}/open", ana)
    assert (await call(client, "post", f"{c1}/call-next", ana))["number"] == a1["number"]
    await call(client, "post", f"{c1}/recall", ana)
    await call(client, "post", f"{c1}/start", ana)
    await call(client, "post", f"{c1}/park", ana)
    await call(client, "post", f"{c1}/call", ana, json={"ticket_id": a1["id"]})
    await call(client, "post", f"{c1}/transfer", ana, json={"service": "cards"})
    await call(client, "post", f"{c1}/call-next", ana)  # A002
    clock.advance(minutes=2)
    await call(client, "post", f"{c1}/no-show", ana)
    first = await call(client, "post", "/api/v1/counters/c2/call-next", ben)  # D001 or the transferred A001
    clock.advance(minutes=3)
    second = await call(client, "post", "/api/v1/counters/c2/call-next", ben)  # finishes the first
    await call(client, "post", "/api/v1/counters/c2/finish", ben, json={"outcome": "referred"})
    assert {first["id"], second["id"]} == {a1["id"], d1["id"]}

    entries = list(reversed(await audit(client, ben, action=ACTIONS)))  # oldest first
    assert [(e["action"], e["actor"]["name"], e["target"]["id"], e["counter"]) for e in entries] == [
        ("counter.close", "Ana", "c1", "c1"),
        ("counter.open", "Ana", "c1", "c1"),
        ("ticket.call_next", "Ana", a1["id"], "c1"),
        ("ticket.recall", "Ana", a1["id"], "c1"),
        ("ticket.start", "Ana", a1["id"], "c1"),
        ("ticket.park", "Ana", a1["id"], "c1"),
        ("ticket.call", "Ana", a1["id"], "c1"),
        ("ticket.transfer", "Ana", a1["id"], "c1"),
        ("ticket.call_next", "Ana", a2["id"], "c1"),
        ("ticket.no_show", "Ana", a2["id"], "c1"),
        ("ticket.call_next", "Ben", first["id"], "c2"),
        ("ticket.finish", "Ben", first["id"], "c2"),  # the customer at the counter, when the next is called
        ("ticket.call_next", "Ben", second["id"], "c2"),
        ("ticket.finish", "Ben", second["id"], "c2"),
    ]
    by_action = {e["action"]: e for e in entries}
    assert (by_action["counter.close"]["before"], by_action["counter.close"]["after"]) == (
        {"state": "open"}, {"state": "closed"},
    )  # fmt: skip
    recall = by_action["ticket.recall"]
    assert (recall["before"]["recalls"], recall["after"]["recalls"]) == (0, 1)
    transfer = by_action["ticket.transfer"]
    assert (transfer["before"]["service"], transfer["after"]["service"], transfer["after"]["status"]) == (
        "cash", "cards", "waiting",
    )  # fmt: skip
    implicit, explicit = entries[-3], entries[-1]
    assert (implicit["before"]["status"], implicit["after"]["status"], implicit["after"]["outcome"]) == (
        "called", "served", "done",
    )  # fmt: skip
    assert (explicit["before"]["status"], explicit["after"]["status"], explicit["after"]["outcome"]) == (
        "called", "served", "referred",
    )  # fmt: skip
    assert all(e["actor"]["kind"] == "token" and e["actor"]["id"] for e in entries)
    assert {e["actor"]["role"] for e in entries} == {"teller", "manager"}
    # When: the hub's (injected) clock, in the branch's time zone.
    assert entries[0]["at"] == T0.isoformat() and entries[-1]["at"] == "2025-06-09T08:36:00+01:00"


async def test_no_change_no_line_and_a_line_that_cannot_be_written_undoes_the_change(
    client: Any, settings: Settings
) -> None:
    ana, manager = tokens(settings, ("teller", "Ana"), ("manager", "Mo"))
    _, refused = await client.post("/api/v1/counters/c1/call-next", headers=ana)  # nobody waiting
    assert refused.status == 409
    ticket = await call(client, "post", "/api/v1/tickets", json={"service": "cash"})
    assert await audit(client, manager, action=ACTIONS) == []

    database = Path(settings.database_url().split("///", 1)[1])
    with sqlite3.connect(database) as connection:  # the audit table refuses new lines for a moment
        connection.execute("CREATE TRIGGER no_insert BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END")
    _, failed = await client.post("/api/v1/counters/c1/call-next", headers=ana)
    assert failed.status == 500 and "Traceback" not in failed.text
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TRIGGER no_insert")
    still = await call(client, "get", f"/api/v1/tickets/{ticket['id']}")
    assert still["status"] == "waiting", "the call was kept although its audit line was not"
    desks = await call(client, "get", "/api/v1/console/counters", ana)
    assert next(d for d in desks["counters"] if d["id"] == "c1")["ticket"] is None


async def test_devices_staff_cancellations_and_bookings_are_audited_customers_are_not(
    client: Any, settings: Settings
) -> None:
    kiosk, ana, manager = tokens(settings, ("device", "kiosk 1"), ("teller", "Ana"), ("manager", "Mo"))
    status = "/api/v1/devices/atm-1/status"
    await call(client, "put", status, kiosk, json={"state": "out_of_service", "detail": "no cash"})
    await call(client, "put", status, kiosk, json={"state": "out_of_service", "detail": "no cash"})  # no change
    await call(client, "put", status, kiosk, json={"state": "online"})

    mine = await call(client, "post", "/api/v1/tickets", json={"service": "cash"})
    await call(client, "delete", f"/api/v1/tickets/{mine['id']}")  # the customer leaves: theirs, not audited
    theirs = await call(client, "post", "/api/v1/tickets", json={"service": "cash"})
    await call(client, "delete", f"/api/v1/tickets/{theirs['id']}", ana)  # staff cancels it for them

    booking = {"service": "loans", "starts_at": "2025-06-09T10:00:00+01:00", "name": "Ada Lovelace",
               "phone": "+44 20 7946 0000", "notes": "about my mortgage"}  # fmt: skip
    code = (await call(client, "post", "/api/v1/appointments", json=booking))["code"]
    await call(client, "post", f"/api/v1/appointments/{code}/reschedule", ana,
               json={"starts_at": "2025-06-09T11:00:00+01:00"})  # fmt: skip
    await call(client, "delete", f"/api/v1/appointments/{code}", ana)

    entries = list(reversed(await audit(client, manager, action=ACTIONS)))
    assert [(e["action"], e["actor"]["name"], e["target"]["id"]) for e in entries] == [
        ("device.status", "kiosk 1", "atm-1"),
        ("device.status", "kiosk 1", "atm-1"),
        ("ticket.abandon", "Ana", theirs["id"]),
        ("appointment.reschedule", "Ana", code),
        ("appointment.cancel", "Ana", code),
    ]
    assert (entries[0]["before"], entries[0]["after"]) == (
        {"state": "online", "detail": ""}, {"state": "out_of_service", "detail": "no cash"},
    )  # fmt: skip
    assert entries[3]["before"]["starts_at"] == "2025-06-09T09:00:00+00:00"
    assert entries[3]["after"]["starts_at"] == "2025-06-09T10:00:00+00:00"
    # The log can never be purged, so it holds no personal data.
    assert not any(word in str(entries) for word in ("Ada", "7946", "mortgage"))


async def test_managers_filter_and_export_csv_others_may_not_read(
    client: Any, settings: Settings, clock: FakeClock
) -> None:
    ana, evil, manager, device = tokens(
        settings, ("teller", "Ana"), ("teller", "=HYPERLINK(1)"), ("manager", "Mo"), ("device", "k")
    )
    clock.advance(minutes=1)
    for _ in range(3):
        await call(client, "post", "/api/v1/tickets", json={"service": "cash"})
    await call(client, "post", "/api/v1/counters/c1/call-next", ana)
    await call(client, "post", "/api/v1/counters/c1/call-next", evil)
    await call(client, "post", "/api/v1/counters/c2/close", evil)

    for headers, status in (({}, 401), (ana, 403), (device, 403)):
        for path in ("/api/v1/audit", "/api/v1/audit.csv"):
            _, response = await client.get(path, headers=headers)
            assert response.status == status and set(response.json["error"]) == {"code", "message"}

    assert [e["action"] for e in await audit(client, manager, actor="Ana")] == ["ticket.call_next"]
    assert len(await audit(client, manager, action="ticket.*")) == 3  # A001 finished, A002 called, A001 called
    assert [e["action"] for e in await audit(client, manager, action="counter.close,ticket.finish")] == [
        "counter.close", "ticket.finish",
    ]  # fmt: skip
    assert await audit(client, manager, since="2025-06-10") == []
    assert len(await audit(client, manager, since="2025-06-09", until="2025-06-09")) == 4
    assert len(await audit(client, manager, since="2025-06-09T08:32:00+01:00")) == 0
    assert len(await audit(client, manager, until="2025-06-09T08:31:00+01:00")) == 0
    page = await call(client, "get", "/api/v1/audit", manager, params={"limit": 3, "action": ACTIONS})
    rest = await audit(client, manager, limit=3, action=ACTIONS, before=page["next_before"])
    assert len(page["entries"]) == 3 and len(rest) == 1 and rest[0]["action"] == "ticket.call_next"

    for params, code in (
        ({"since": "yesterday"}, "invalid_time"), ({"since": "2025-02-30"}, "invalid_time"),
        ({"until": "9999-12-31"}, "invalid_time"), ({"since": "0001-01-01T00:00:00+05:00"}, "invalid_time"),
        ({"before": str(2**40)}, "invalid_input"),
        ({"action": "ticket.delete"}, "unknown_action"), ({"limit": "0"}, "invalid_input"),
        ({"limit": "5000"}, "invalid_input"), ({"since": "2025-06-10", "until": "2025-06-09"}, "invalid_range"),
    ):  # fmt: skip
        _, bad = await client.get("/api/v1/audit", headers=manager, params=params)
        assert (bad.status, bad.json["error"]["code"]) == (422, code), params

    query = {"since": "2025-06-09", "until": "2025-06-09", "action": ACTIONS}
    _, exported = await client.get("/api/v1/audit.csv", headers=manager, params=query)
    assert exported.status == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"] == 'attachment; filename="audit-2025-06-09-2025-06-09.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.body.decode(), newline="")))
    assert [(r["action"], r["actor_name"]) for r in rows] == [
        ("ticket.call_next", "Ana"), ("ticket.finish", "'=HYPERLINK(1)"),
        ("ticket.call_next", "'=HYPERLINK(1)"), ("counter.close", "'=HYPERLINK(1)"),
    ]  # fmt: skip
    assert rows[0]["at"] == "2025-06-09T08:31:00+01:00" and '"status":"called"' in rows[0]["after"]
