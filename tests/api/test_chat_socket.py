"""The chat WebSocket for the bank's app, against a real hub process (Rasa down: the hub's touch menu answers)."""

# ruff: noqa: RUF001

from __future__ import annotations

import json

import httpx
import pytest
import websockets

from tests.api.test_events_ws import next_event

TOKEN = "app-customer-7f3a9c0b1d2e"


async def test_remote_ticket_is_told_when_to_come_and_when_called(hub_server: str, hub_token: str) -> None:
    staff = {"Authorization": f"Bearer {hub_token}"}
    url = hub_server.replace("http://", "ws://") + f"/api/v1/chat/ws?token={TOKEN}"
    async with httpx.AsyncClient(base_url=hub_server, timeout=10) as http:
        walk_ins = [(await http.post("/api/v1/tickets", json={"service": "cards"})).json() for _ in range(4)]
        async with websockets.connect(url, open_timeout=10) as ws:
            assert json.loads(await ws.recv()) == {"type": "snapshot", "tickets": []}
            await ws.send(json.dumps({"message": "/report_lost_card"}))
            reply = await next_event(ws, "reply")
            mine = reply["ticket"]
            assert mine["position"] == 5 and reply["degraded"] is True

            # the queue moves: at 3rd in line (queue.notify_position) the customer is told to come
            for _ in range(2):
                await http.post("/api/v1/counters/c2/call-next", headers=staff)
            near = await next_event(ws, "ticket.nearly_your_turn")
            assert near["ticket"]["id"] == mine["id"] and near["ticket"]["position"] == 3
            spoken = f"C {int(mine['number'][1:])}"
            assert near["text"].startswith(f"Time to head to the branch: 2 people are ahead of ticket {spoken}. ")
            assert "Please check in at the branch kiosk by " in near["text"] and mine["arrive_by"]

            for _ in range(2):
                await http.post("/api/v1/counters/c2/call-next", headers=staff)
            # Next in line but on the way: the counter is told nobody else waits, and the customer is not called.
            refused = await http.post("/api/v1/counters/c2/call-next", headers=staff)
            assert refused.json()["error"]["code"] == "nothing_to_call"
            arrived = await http.post(f"/api/v1/tickets/{mine['id']}/arrive")  # scanned at the kiosk
            assert arrived.json()["arrive_by"] is None
            await http.post("/api/v1/counters/c2/call-next", headers=staff)
            called = await next_event(ws, "ticket.called")
            assert called["ticket"]["id"] == mine["id"] and called["text"].endswith("please go to Counter 2 now.")
        async with websockets.connect(url, open_timeout=10) as again:  # the app reopened: its ticket is back
            snapshot = await next_event(again, "snapshot")
            assert [(t["id"], t["status"]) for t in snapshot["tickets"]] == [(mine["id"], "called")]
            assert [t["number"] for t in walk_ins] == sorted(t["number"] for t in walk_ins)


async def test_a_chinese_conversation_is_answered_and_told_in_chinese(hub_server: str, hub_token: str) -> None:
    """The app's customer writes in Chinese: the touch menu answers in Chinese, the ticket takes the
    conversation's language, and its pushes come in it; the next turn in English is answered in English."""
    staff = {"Authorization": f"Bearer {hub_token}"}
    url = hub_server.replace("http://", "ws://") + f"/api/v1/chat/ws?token={TOKEN}-zh"
    async with httpx.AsyncClient(base_url=hub_server, timeout=10) as http:
        for _ in range(3):
            await http.post("/api/v1/tickets", json={"service": "cards"})
        async with websockets.connect(url, open_timeout=10) as ws:
            await next_event(ws, "snapshot")
            await ws.send(json.dumps({"message": "我的卡丢了"}))  # no lang sent: the words decide
            menu = await next_event(ws, "reply")
            assert menu["lang"] == "zh" and menu["messages"][0]["text"].startswith("抱歉")
            await ws.send(json.dumps({"message": "/report_lost_card"}))  # a button: the last turn's language
            reply = await next_event(ws, "reply")
            mine = reply["ticket"]
            assert reply["lang"] == mine["lang"] == "zh" and mine["position"] == 4
            assert reply["messages"][0]["text"].startswith(f"您的号码是{mine['number']}，办理银行卡与密码。请在")

            await http.post("/api/v1/counters/c2/call-next", headers=staff)
            near = await next_event(ws, "ticket.nearly_your_turn")
            assert near["text"].startswith(f"请您动身前往网点：{mine['number']}号前面还有2位。请在")
            await ws.send(json.dumps({"message": "where is the ATM?"}))
            assert (await next_event(ws, "reply"))["lang"] == "en"  # language follows the customer

            await http.post(f"/api/v1/tickets/{mine['id']}/arrive")
            for _ in range(3):
                await http.post("/api/v1/counters/c2/call-next", headers=staff)
            called = await next_event(ws, "ticket.called")
            assert called["ticket"]["id"] == mine["id"]
            assert called["text"] == f"请{mine['number']}号现在到2号窗口办理。"  # the ticket's language, not the turn's


async def test_bad_messages_get_errors_and_the_socket_stays_open(hub_server: str) -> None:
    url = hub_server.replace("http://", "ws://") + f"/api/v1/chat/ws?token={TOKEN}-2"
    async with websockets.connect(url, open_timeout=10) as ws:
        await ws.send("not json")
        assert (await next_event(ws, "error"))["error"]["code"] == "invalid_json"
        await ws.send(json.dumps({"message": "x" * 2000}))
        assert (await next_event(ws, "error"))["error"]["code"] == "invalid_input"
        await ws.send(json.dumps({"message": "hello", "admin": True}))
        assert (await next_event(ws, "error"))["error"]["code"] == "invalid_input"
        await ws.send(json.dumps({"message": "hello"}))
        assert (await next_event(ws, "reply"))["messages"]  # still serving
    async with httpx.AsyncClient(base_url=hub_server) as http:
        queue = (await http.get("/api/v1/queue")).json()
    assert sum(s["waiting"] for s in queue["services"]) == 0  # nothing issued by any of that


async def test_no_token_no_socket(hub_server: str) -> None:
    url = hub_server.replace("http://", "ws://") + "/api/v1/chat/ws?token=short"
    async with websockets.connect(url, open_timeout=10) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_flooding_the_chat_is_refused_and_issues_nothing(hub_server: str) -> None:
    """A customer token past the public-write limit gets 429s; oversize and malformed bodies get 4xx."""
    headers = {"X-Customer-Token": "flooding-customer-0001"}
    body = {"message": "hello", "channel": "mobile"}
    async with httpx.AsyncClient(base_url=hub_server, timeout=10, headers=headers) as http:
        statuses = [(await http.post("/api/v1/chat", json=body)).status_code for _ in range(40)]
        assert statuses.count(429) >= 10 and set(statuses) <= {200, 429}
        refused = (await http.post("/api/v1/chat", json=body)).json()
        assert refused["error"]["code"] == "rate_limited"
        other = {"X-Customer-Token": "another-customer-0002"}
        assert (await http.post("/api/v1/chat", json={**body, "message": "x" * 1001}, headers=other)).status_code == 422
        assert (await http.post("/api/v1/chat", content=b"{not json", headers=other)).status_code in (400, 422)
        queue = (await http.get("/api/v1/queue")).json()
    assert sum(s["waiting"] for s in queue["services"]) == 0


def test_only_events_that_can_change_what_a_customer_is_told_cost_a_read() -> None:
    from assistant.web.chat import concerns

    def event(kind: str, **ticket: object) -> dict[str, object]:
        return {"type": kind, "data": {"ticket": {"id": "t-other", "service": "cash", "remote": False, **ticket}}}

    mine, lines = {"t-mine"}, {"cards"}
    assert concerns(event("ticket.no_show", id="t-mine"), mine, lines)  # their own (e.g. expired)
    assert concerns(event("ticket.called", service="cards"), mine, lines)  # their line moved
    assert not concerns(event("ticket.called", service="cards"), mine, set())  # already told: only their call
    assert not concerns(event("ticket.issued", service="cards"), mine, lines)  # nobody moves forward
    assert concerns(event("ticket.issued", remote=True), set(), set())  # maybe theirs, from another tab
    assert concerns(event("ticket.transferred"), mine, lines)
    assert not concerns(event("ticket.issued"), mine, lines)  # a kiosk ticket in another line
    assert not concerns(event("ticket.called"), set(), set())  # nothing open: no reads at all
    assert not concerns(event("ticket.transferred"), set(), set())
    assert not concerns({"type": "counter.opened", "data": {"counter": {"id": "c1"}}}, mine, lines)
