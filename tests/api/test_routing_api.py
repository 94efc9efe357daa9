from __future__ import annotations


async def test_triage_uses_live_device_status(client, manager) -> None:  # type: ignore[no-untyped-def]
    body = {"intent": "withdraw_cash", "entities": {"amount": "200"}, "channel": "kiosk", "lang": "en"}
    _, response = await client.post("/api/v1/triage", json=body)
    assert response.status == 200
    assert response.json["decision"] == "device" and response.json["device"]["device_id"] == "atm-1"
    assert response.json["device"]["location"]

    broken = {"state": "out_of_service", "detail": "no cash"}
    _, update = await client.put("/api/v1/devices/atm-1/status", json=broken, headers=manager)
    assert update.status == 200
    _, response = await client.post("/api/v1/triage", json=body)
    assert response.json["device"]["device_id"] == "rec-1"

    _, devices = await client.get("/api/v1/devices")
    atm = next(d for d in devices.json["devices"] if d["id"] == "atm-1")
    assert atm["state"] == "out_of_service" and atm["detail"] == "no cash"


async def test_triage_lost_card_is_a_ticket(client) -> None:  # type: ignore[no-untyped-def]
    _, response = await client.post("/api/v1/triage", json={"intent": "report_lost_card"})
    assert response.json["decision"] == "ticket" and response.json["service"] == "cards"
    assert "device" not in response.json


async def test_triage_and_devices_reject_bad_input(client, manager) -> None:  # type: ignore[no-untyped-def]
    _, response = await client.post("/api/v1/triage", json={"intent": "buy_a_boat"})
    assert response.status == 422 and response.json["error"]["code"] == "unknown_intent"
    _, response = await client.put("/api/v1/devices/atm-1/status", json={"state": "exploded"}, headers=manager)
    assert response.status == 422 and response.json["error"]["code"] == "invalid_input"
    _, response = await client.put("/api/v1/devices/nope/status", json={"state": "online"}, headers=manager)
    assert response.status == 404 and response.json["error"]["code"] == "device_not_found"


async def test_chat_without_rasa_falls_back_to_touch(client) -> None:  # type: ignore[no-untyped-def]
    # The test settings point Rasa at a free port where nothing listens.
    _, menu = await client.post("/api/v1/chat", json={"sender": "s1", "message": "hello", "channel": "kiosk"})
    assert menu.status == 200 and menu.json["degraded"] is True
    payloads = [b["payload"] for b in menu.json["messages"][0]["buttons"]]
    assert "/report_lost_card" in payloads and len(payloads) >= 8
    _, ticket = await client.post("/api/v1/chat", json={"sender": "s1", "message": "/report_lost_card"})
    assert ticket.json["ticket"]["service"] == "cards" and ticket.json["ticket"]["number"] == "C001"
    _, too_long = await client.post("/api/v1/chat", json={"sender": "s1", "message": "x" * 5000})
    assert too_long.status == 422


def test_rasa_payloads_are_lifted_once() -> None:
    from assistant.web.chat import reply_from_rasa

    route = {"service": "cash", "device_id": "atm-1", "kind": "atm", "name": "ATM 1", "location": "outside"}
    reply = reply_from_rasa(
        [
            {"recipient_id": "x", "text": "You can do that now at ATM 1, outside."},
            {"recipient_id": "x", "custom": {"route": route}},
            {"recipient_id": "x", "text": "Anything else?", "buttons": [{"title": "No", "payload": "/deny"}]},
        ]
    )
    assert reply.route is not None and reply.route.device_id == "atm-1"
    assert [m.text for m in reply.messages] == ["You can do that now at ATM 1, outside.", "Anything else?"]
    assert reply.messages[1].buttons[0].payload == "/deny"
    assert all(m.custom is None for m in reply.messages)
