"""The hub API through Sanic's ASGI client, on a real SQLite file per test."""

from __future__ import annotations

from typing import Any


def error_of(response: Any) -> dict[str, str]:
    body = response.json
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    return body["error"]


async def test_health(client) -> None:  # type: ignore[no-untyped-def]
    _, response = await client.get("/healthz")
    assert response.status == 200 and response.json["status"] == "ok"
    assert response.json["dialogue"] == "down"  # the test settings point Rasa at a closed port


async def test_ticket_numbers_positions_and_lookup(client) -> None:  # type: ignore[no-untyped-def]
    _, first = await client.post("/api/v1/tickets", json={"service": "cards", "channel": "kiosk"})
    _, second = await client.post("/api/v1/tickets", json={"service": "cards", "channel": "mobile"})
    assert first.status == 201 and second.status == 201
    assert [first.json["number"], second.json["number"]] == ["C001", "C002"]
    assert [first.json["position"], second.json["position"]] == [1, 2]
    low, high = second.json["eta_minutes"]
    assert 0 <= low < high
    assert second.json["track_url"].endswith(f"/t/{second.json['id']}")
    _, fetched = await client.get(f"/api/v1/tickets/{first.json['id']}")
    assert fetched.status == 200 and fetched.json["number"] == "C001" and fetched.json["status"] == "waiting"


async def test_idempotency_key_returns_the_same_ticket(client) -> None:  # type: ignore[no-untyped-def]
    body = {"service": "cash", "idempotency_key": "kiosk-1:turn-7"}
    _, first = await client.post("/api/v1/tickets", json=body)
    _, again = await client.post("/api/v1/tickets", json=body)
    assert first.status == 201 and again.status == 200
    assert again.json["id"] == first.json["id"]
    _, other = await client.post("/api/v1/tickets", json={"service": "cash"})
    assert other.json["number"] == "A002"


async def test_call_next_serves_in_order_and_says_when_nobody_waits(client, staff) -> None:  # type: ignore[no-untyped-def]
    _, first = await client.post("/api/v1/tickets", json={"service": "cards"})
    _, second = await client.post("/api/v1/tickets", json={"service": "cards"})
    _, called = await client.post("/api/v1/counters/c2/call-next", headers=staff)
    assert called.status == 200 and called.json["id"] == first.json["id"]
    assert called.json["status"] == "called" and called.json["counter"] == "c2"
    _, moved_up = await client.get(f"/api/v1/tickets/{second.json['id']}")
    assert moved_up.json["position"] == 1
    _, called = await client.post("/api/v1/counters/c2/call-next", headers=staff)
    assert called.json["id"] == second.json["id"]
    _, finished = await client.get(f"/api/v1/tickets/{first.json['id']}")
    assert finished.json["status"] == "served"
    _, empty = await client.post("/api/v1/counters/c2/call-next", headers=staff)
    assert empty.status == 409 and error_of(empty)["code"] == "nothing_to_call"
    _, unknown = await client.post("/api/v1/counters/c99/call-next", headers=staff)
    assert unknown.status == 404 and error_of(unknown)["code"] == "counter_not_found"


async def test_counter_only_calls_its_skills(client, staff) -> None:  # type: ignore[no-untyped-def]
    await client.post("/api/v1/tickets", json={"service": "loans"})
    _, response = await client.post("/api/v1/counters/c1/call-next", headers=staff)
    assert response.status == 409
    _, response = await client.post("/api/v1/counters/c3/call-next", headers=staff)
    assert response.status == 200 and response.json["service"] == "loans"


async def test_abandon(client) -> None:  # type: ignore[no-untyped-def]
    _, ticket = await client.post("/api/v1/tickets", json={"service": "cash"})
    _, left = await client.delete(f"/api/v1/tickets/{ticket.json['id']}")
    assert left.status == 200 and left.json["status"] == "abandoned"
    _, again = await client.delete(f"/api/v1/tickets/{ticket.json['id']}")
    assert again.status == 409 and error_of(again)["code"] == "wrong_state"


async def test_bad_input_gets_clear_errors_and_creates_nothing(client) -> None:  # type: ignore[no-untyped-def]
    cases = [
        ({"service": "nope"}, "unknown_service"),
        ({"service": "cash", "channel": "fax"}, "invalid_input"),
        ({"service": "cash", "surprise": 1}, "invalid_input"),
        ({"service": "cash", "priority": "royal"}, "unknown_priority"),
        ({"service": "cash", "idempotency_key": "x" * 500}, "invalid_input"),
        ({}, "invalid_input"),
    ]
    for body, code in cases:
        _, response = await client.post("/api/v1/tickets", json=body)
        assert response.status == 422, body
        assert error_of(response)["code"] == code, body
    _, malformed = await client.post("/api/v1/tickets", content=b"{not json")
    assert malformed.status == 422 and error_of(malformed)["code"] == "invalid_json"
    _, missing = await client.get("/api/v1/tickets/does-not-exist")
    assert missing.status == 404 and error_of(missing)["code"] == "ticket_not_found"
    _, queue = await client.get("/api/v1/queue")
    assert sum(s["waiting"] for s in queue.json["services"]) == 0


async def test_services_and_queue(client) -> None:  # type: ignore[no-untyped-def]
    _, services = await client.get("/api/v1/services", params={"lang": "zh"})
    by_id = {s["id"]: s for s in services.json["services"]}
    assert len(by_id) >= 8 and by_id["cards"]["name"] == "银行卡与密码"
    assert {s for s, v in by_id.items() if v["bookable"]} == {"loans", "invest", "business"}
    assert by_id["loans"]["advisor"] is True and by_id["cash"]["advisor"] is False
    await client.post("/api/v1/tickets", json={"service": "cash"})
    _, queue = await client.get("/api/v1/queue")
    cash = next(s for s in queue.json["services"] if s["service"] == "cash")
    assert cash["waiting"] == 1 and cash["eta_minutes"] is not None
    assert {c["id"] for c in queue.json["counters"]} == {"c1", "c2", "c3"}


async def test_openapi_document_lists_the_api(client) -> None:  # type: ignore[no-untyped-def]
    _, response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    for path in ("/api/v1/tickets", "/api/v1/triage", "/api/v1/chat", "/api/v1/counters/{counter_id}/call-next"):
        assert path in response.json["paths"]
