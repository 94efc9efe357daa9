"""/api/v1/dashboard, visits.csv, ratings and wait alerts through the real API, on a scripted day.

`play_scripted_day` drives the day of tests/domain/test_kpi.py (numbers computed by hand there)
through the hub's own endpoints with a FakeClock: triage, tickets, two tellers at two counters,
an abandonment, a no-show, ratings. The web test replays it into the database of a real hub.
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sanic import Sanic

from assistant.domain.clock import FakeClock
from assistant.domain.events import Event
from assistant.domain.staff import Role
from assistant.services.dashboard import Dashboard
from assistant.settings import Settings
from assistant.store.db import create_engine, session_factory
from assistant.store.tokens import issue_token
from assistant.web.app import create_app
from tests.conftest import make_token

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; London is on UTC in March
DAY = "2026-03-02"
_names = itertools.count()


def named_token(database_url: str, role: str, name: str) -> str:
    """A real staff token with a name (what per-staff productivity is keyed by)."""
    with ThreadPoolExecutor(1) as pool:
        coroutine = issue_token(database_url, Role(role), name, T0)
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _ok(client: Any, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
    _, response = await getattr(client, method)(path, **kwargs)
    assert response.status == status, (path, response.status, response.text)
    return response.json


async def play_scripted_day(client: Any, clock: FakeClock, ana: dict[str, str], ben: dict[str, str]) -> dict[str, str]:
    """The scripted day of tests/domain/test_kpi.py; returns ticket number -> id. Ends at 10:20."""
    ids: dict[str, str] = {}

    def at(hour: int, minute: int) -> None:
        target = T0.replace(hour=hour, minute=minute)
        assert target >= clock.now()
        clock.advance(seconds=(target - clock.now()).total_seconds())

    async def triage(intent: str, decision: str, **entities: Any) -> None:
        body = {"intent": intent, "entities": entities, "channel": "kiosk"}
        assert (await _ok(client, "post", "/api/v1/triage", json=body))["decision"] == decision

    async def issue(number: str, service: str, intent: str | None, channel: str = "kiosk") -> None:
        body = {"service": service, "channel": channel, **({"intent": intent} if intent else {})}
        ticket = await _ok(client, "post", "/api/v1/tickets", 201, json=body)
        assert ticket["number"] == number
        ids[number] = ticket["id"]

    async def counter(staff: dict[str, str], counter_id: str, action: str, expect: str | None = None) -> None:
        body = {"outcome": "done"} if action == "finish" else None
        ticket = await _ok(client, "post", f"/api/v1/counters/{counter_id}/{action}", headers=staff, json=body)
        if expect is not None:
            assert ticket["number"] == expect, (action, ticket["number"])

    async def rate(score: int, channel: str, number: str | None = None, comment: str | None = None) -> None:
        body: dict[str, Any] = {"score": score, "channel": channel}
        if number:
            body["ticket_id"] = ids[number]
        if comment:
            body["comment"] = comment
        await _ok(client, "post", "/api/v1/ratings", 201, json=body)

    await triage("withdraw_cash", "device", amount=200)  # 09:00, to the ATM
    await triage("withdraw_cash", "ticket", amount=8000)  # above every machine
    await issue("A001", "cash", "withdraw_cash")
    at(9, 1)
    await triage("deposit_cheque", "device")  # the smart teller
    at(9, 2)
    await triage("report_lost_card", "ticket")
    await issue("C001", "cards", "report_lost_card", channel="mobile")
    at(9, 4)
    await issue("A002", "cash", None, channel="counter")  # issued by staff: no intent
    at(9, 5)
    await triage("close_account", "ticket")
    await issue("D001", "accounts", "close_account")
    await counter(ana, "c1", "call-next", "A001")
    at(9, 6)
    await counter(ana, "c1", "start")
    await counter(ben, "c2", "call-next", "C001")
    await triage("deposit_cash", "ticket", amount=9000)
    await issue("A003", "cash", "deposit_cash")
    at(9, 7)
    await counter(ben, "c2", "start")
    at(9, 10)
    await triage("make_complaint", "ticket")
    await issue("H001", "help", "make_complaint")
    await counter(ana, "c1", "finish", "A001")
    await counter(ana, "c1", "call-next", "A002")
    at(9, 11)
    await rate(5, "kiosk", "A001")
    at(9, 12)
    await counter(ana, "c1", "start")
    at(9, 15)
    await counter(ana, "c1", "finish", "A002")
    await counter(ben, "c2", "finish", "C001")
    await counter(ben, "c2", "call-next", "D001")
    at(9, 16)
    await counter(ben, "c2", "start")
    await rate(4, "mobile", "C001", comment="Quick, thanks")
    at(9, 20)
    await _ok(client, "delete", f"/api/v1/tickets/{ids['A003']}")  # left
    at(9, 26)
    await counter(ben, "c2", "finish", "D001")
    await counter(ben, "c2", "call-next", "H001")
    at(9, 27)
    await rate(3, "mobile", "D001")
    at(9, 28)
    await counter(ben, "c2", "no-show", "H001")
    at(9, 30)
    await rate(2, "kiosk", comment='The queue was "long"')
    at(10, 5)
    await triage("exchange_currency", "ticket")
    await issue("E001", "exchange", "exchange_currency")
    at(10, 20)
    return ids


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Sanic:
    Sanic.test_mode = True
    return create_app(settings, clock=clock, name=f"lobby_dashboard_{next(_names)}")


@pytest.fixture
def tellers(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    url = settings.database_url()
    return bearer(named_token(url, "teller", "Ana")), bearer(named_token(url, "teller", 'Ben "B"'))


async def test_the_dashboard_matches_the_scripted_day(app: Sanic, clock: FakeClock, tellers, manager) -> None:  # type: ignore[no-untyped-def]
    client = app.asgi_client
    await play_scripted_day(client, clock, *tellers)
    report = await _ok(client, "get", f"/api/v1/dashboard?from={DAY}&to={DAY}", headers=manager)
    assert report["range"] == {"from": DAY, "to": DAY, "days": 1}
    assert report == await _ok(client, "get", "/api/v1/dashboard", headers=manager)  # default: today

    kpis = report["kpis"]
    assert (kpis["issued"], kpis["called"], kpis["served"]) == (7, 5, 4)
    assert (kpis["avg_wait_minutes"], kpis["p90_wait_minutes"]) == (8.2, 16.0)
    assert (kpis["within_target"], kpis["sla_share"]) == (4, 0.8)
    assert (kpis["avg_service_minutes"], kpis["avg_walk_minutes"]) == (6.25, 1.25)
    assert (kpis["abandoned"], kpis["abandonment_rate"]) == (1, 0.1429)
    assert (kpis["no_show"], kpis["no_show_rate"]) == (1, 0.1429)
    assert (kpis["device_routes"], kpis["triaged_tickets"], kpis["self_service_share"]) == (2, 6, 0.25)
    assert kpis["satisfaction"]["ratings"] == 4
    assert (kpis["satisfaction"]["avg_score"], kpis["satisfaction"]["csat"]) == (3.5, 0.5)
    assert kpis["top_intents"][0] == {"intent": "withdraw_cash", "count": 2, "device_routes": 1, "tickets": 1}

    counters = {c["id"]: (c["called"], c["served"], c["no_show"], c["avg_service_minutes"], c["avg_rating"])
                for c in kpis["counters"]}  # fmt: skip
    assert counters == {"c1": (2, 2, 0, 3.5, 5.0), "c2": (3, 2, 1, 9.0, 3.5), "c3": (0, 0, 0, None, None)}
    staff = [(s["name"], s["called"], s["served"], s["no_show"], s["avg_service_minutes"]) for s in kpis["staff"]]
    assert staff == [("Ana", 2, 2, 0, 3.5), ('Ben "B"', 3, 2, 1, 9.0)]
    services = {s["service"]: s for s in kpis["services"]}
    assert (services["cash"]["issued"], services["cash"]["avg_wait_minutes"], services["cash"]["sla_share"]) == (
        3, 5.5, 1.0,
    )  # fmt: skip
    assert [(h["start"][11:16], h["issued"], h["called"], h["waiting_at_end"]) for h in kpis["hourly"]] == [
        ("09:00", 6, 5, 0),
        ("10:00", 1, 0, 1),
    ]

    live = report["live"]
    assert live["waiting"] == 1
    assert [(a["service"], a["longest_wait_minutes"]) for a in live["alerts"]] == [("exchange", 15.0)]
    assert report["at"] == "2026-03-02T10:20:00+00:00"

    other_day = await _ok(client, "get", "/api/v1/dashboard?from=2026-03-03&to=2026-03-03", headers=manager)
    assert other_day["kpis"]["issued"] == 0 and other_day["kpis"]["avg_wait_minutes"] is None
    assert other_day["live"]["waiting"] == 1  # live is now, whatever the range


async def test_visits_csv_has_one_quoted_row_per_ticket(app: Sanic, clock: FakeClock, tellers, manager) -> None:  # type: ignore[no-untyped-def]
    client = app.asgi_client
    ids = await play_scripted_day(client, clock, *tellers)
    _, response = await client.get(f"/api/v1/dashboard/visits.csv?from={DAY}&to={DAY}", headers=manager)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == f'attachment; filename="visits-{DAY}-{DAY}.csv"'
    text = response.body.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[-1] == "" and len(lines) == 1 + 7 + 1  # header, 7 tickets, CRLF after the last
    assert lines[0].startswith("ticket_id,number,business_date,service,service_name,")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["number"] for r in rows] == ["A001", "C001", "A002", "D001", "A003", "H001", "E001"]
    a001 = rows[0]
    assert {k: a001[k] for k in ("ticket_id", "status", "counter", "called_by", "finished_by", "intent")} == {
        "ticket_id": ids["A001"], "status": "served", "counter": "c1", "called_by": "Ana", "finished_by": "Ana",
        "intent": "withdraw_cash",
    }  # fmt: skip
    assert (a001["issued_at"], a001["called_at"]) == ("2026-03-02T09:00:00+00:00", "2026-03-02T09:05:00+00:00")
    assert (a001["wait_minutes"], a001["walk_minutes"], a001["service_minutes"]) == ("5.00", "1.00", "4.00")
    assert (a001["within_target"], a001["rating"]) == ("yes", "5")
    h001 = rows[5]
    assert (h001["status"], h001["wait_minutes"], h001["within_target"], h001["walk_minutes"]) == (
        "no_show", "16.00", "no", "",
    )  # fmt: skip
    assert rows[4]["status"] == "abandoned" and rows[4]["wait_minutes"] == "" and rows[4]["counter"] == ""
    # RFC 4180: a field with a comma is quoted, a quote inside one is doubled.
    assert ',"Help, app and complaints",' in lines[6]
    assert ',"Ben ""B""","Ben ""B""",' in lines[2]
    assert rows[1]["called_by"] == 'Ben "B"'


async def test_staff_endpoints_refuse_missing_and_wrong_role_tokens(app: Sanic, settings: Settings) -> None:
    client = app.asgi_client
    url = settings.database_url()
    teller, device = bearer(make_token(url, "teller")), bearer(make_token(url, "device"))
    manager, admin = bearer(make_token(url, "manager")), bearer(make_token(url, "admin"))
    for path in ("/api/v1/dashboard", "/api/v1/dashboard/visits.csv"):
        for headers, status, code in (
            ({}, 401, "unauthorized"),
            ({"Authorization": "Bearer lby_not-a-real-token"}, 401, "unauthorized"),
            ({"Authorization": "Basic dXNlcjpwdw=="}, 401, "unauthorized"),
            (teller, 403, "forbidden"),
            (device, 403, "forbidden"),
        ):
            _, response = await client.get(path, headers=headers)
            assert (response.status, response.json["error"]["code"]) == (status, code), (path, headers)
        for allowed in (manager, admin):
            _, response = await client.get(path, headers=allowed)
            assert response.status == 200, (path, response.text)


@pytest.mark.parametrize(
    ("query", "code"),
    [("from=2026-3-2", "invalid_date"), ("to=2026-02-30", "invalid_date"), ("from=2026-03-03&to=2026-03-02",
     "invalid_range"), ("from=2025-01-01&to=2026-03-02", "invalid_range")],
)  # fmt: skip
async def test_a_bad_range_is_a_422(app: Sanic, manager, query: str, code: str) -> None:  # type: ignore[no-untyped-def]
    _, response = await app.asgi_client.get(f"/api/v1/dashboard?{query}", headers=manager)
    assert (response.status, response.json["error"]["code"]) == (422, code)


async def test_ratings_are_validated(app: Sanic) -> None:
    client = app.asgi_client
    ticket = await _ok(client, "post", "/api/v1/tickets", 201, json={"service": "cash"})
    for body, status, code in (
        ({"score": 6, "channel": "kiosk"}, 422, "invalid_input"),
        ({"score": 0}, 422, "invalid_input"),
        ({"score": "5"}, 422, "invalid_input"),
        ({"score": 4, "channel": "fax"}, 422, "invalid_input"),
        ({"score": 4, "comment": "x" * 501}, 422, "invalid_input"),
        ({"score": 4, "extra": 1}, 422, "invalid_input"),
        ({"score": 4, "ticket_id": "no-such-ticket"}, 404, "ticket_not_found"),
    ):
        _, response = await client.post("/api/v1/ratings", json=body)
        assert (response.status, response.json["error"]["code"]) == (status, code), body
    first = await _ok(client, "post", "/api/v1/ratings", 201, json={"score": 4, "ticket_id": ticket["id"]})
    assert (first["score"], first["channel"], first["ticket_id"]) == (4, "kiosk", ticket["id"])
    _, again = await client.post("/api/v1/ratings", json={"score": 1, "ticket_id": ticket["id"]})
    assert (again.status, again.json["error"]["code"]) == (409, "already_rated")


async def test_ratings_are_rate_limited_like_other_public_writes(tmp_path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    from msgspec import structs

    hub = structs.replace(settings.hub, rate_limit_per_minute=6, rate_limit_burst=3, rate_limit_trusted=())
    Sanic.test_mode = True
    client = create_app(structs.replace(settings, hub=hub), name=f"lobby_dashboard_{next(_names)}").asgi_client
    statuses = []
    for _ in range(5):
        _, response = await client.post("/api/v1/ratings", json={"score": 5})
        statuses.append(response.status)
    assert statuses == [201, 201, 201, 429, 429]
    assert response.json["error"]["code"] == "rate_limited"
    _, forged = await client.post("/api/v1/ratings", json={"score": 5}, headers=bearer("lby_made-up"))
    assert forged.status == 401


async def test_an_alert_is_published_once_per_crossing(app: Sanic, clock: FakeClock, settings: Settings, staff) -> None:  # type: ignore[no-untyped-def]
    client = app.asgi_client
    await _ok(client, "post", "/api/v1/tickets", 201, json={"service": "exchange"})  # target 10 minutes
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    engine = create_engine(settings.database_url())
    try:
        dashboard = Dashboard(settings, session_factory(engine), clock, publish)
        clock.advance(minutes=10)
        assert await dashboard.check_alerts() == []  # 10 minutes is within a 10-minute target
        clock.advance(seconds=30)
        raised = await dashboard.check_alerts()
        assert [(a["service"], a["longest_wait_minutes"], a["target_wait_minutes"]) for a in raised] == [
            ("exchange", 10.5, 10),
        ]
        other_process = Dashboard(settings, session_factory(engine), clock, publish)
        clock.advance(minutes=5)
        # Still the same crossing, for this process and for another one sharing the database.
        assert await dashboard.check_alerts() == [] and await other_process.check_alerts() == []
        assert [(e.to_json()["type"], e.data["service"]) for e in published] == [("service.alert", "exchange")]

        await _ok(client, "post", "/api/v1/counters/c1/call-next", headers=staff)  # back within target
        assert await dashboard.check_alerts() == []
        await _ok(client, "post", "/api/v1/tickets", 201, json={"service": "exchange"})
        clock.advance(minutes=11)
        assert [a["service"] for a in await dashboard.check_alerts()] == ["exchange"]  # a new crossing
        assert len(published) == 2
    finally:
        await engine.dispose()

    _, history = await client.get("/api/v1/dashboard", headers=bearer(make_token(settings.database_url(), "manager")))
    alerts = history.json["alerts"]
    assert [(a["service"], a["cleared_at"] is not None) for a in alerts] == [("exchange", True), ("exchange", False)]
