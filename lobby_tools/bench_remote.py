"""Online to offline, timed: customers join the queue from the app over the chat WebSocket, check in
at the kiosk, and hear on that socket when a counter calls them.

`bench_remote` starts a real hub on 127.0.0.1 (a fresh SQLite file, the branch open round the clock,
no dialogue engine: the hub's own touch menu issues the tickets, so Rasa's turn time — measured by
`lobby bench chat` — is not in these numbers), opens one chat socket per customer, and times:

* join      "/report_lost_card" sent on the socket until the reply carrying the remote ticket;
* arrive    POST /api/v1/tickets/{id}/arrive (what the kiosk sends when it scans the QR code);
* call      a teller's POST call-next until that customer's socket has `ticket.called`.

Customers arrive and are called one at a time, so each call picks the customer who just arrived
(the others are still on the way). Client and hub share the machine: compare runs on one machine.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from lobby.supervisor import Managed
from lobby_tools.measure import free_port, latency_stats

START_TIMEOUT = 60.0
PUSH_TIMEOUT = 10.0
ALWAYS_OPEN = {
    f"LOBBY_BRANCH__OPENING_HOURS__{day}": '["00:00", "23:59"]'
    for day in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
}


async def _next(ws: Any, wanted: str) -> dict[str, Any]:
    async with asyncio.timeout(PUSH_TIMEOUT):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message.get("type") == wanted:
                return message


async def _measure(base: str, token: str, customers: int) -> dict[str, Any]:
    ws_base = base.replace("http://", "ws://")
    sockets = [
        await websockets.connect(f"{ws_base}/api/v1/chat/ws?token=bench-customer-{n:04d}-0123456789", open_timeout=30)
        for n in range(customers)
    ]
    joins, arrivals, calls = [], [], []
    tickets = []
    try:
        for ws in sockets:
            started = time.perf_counter()
            await ws.send(json.dumps({"message": "/report_lost_card"}))
            reply = await _next(ws, "reply")
            joins.append(time.perf_counter() - started)
            ticket = reply.get("ticket") or {}
            if not ticket.get("remote"):
                raise RuntimeError(f"no remote ticket in the reply: {reply}")
            tickets.append(ticket)
        staff = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for ws, ticket in zip(sockets, tickets, strict=True):
                started = time.perf_counter()
                arrived = await http.post(f"/api/v1/tickets/{ticket['id']}/arrive")
                arrivals.append(time.perf_counter() - started)
                if arrived.status_code != 200:
                    raise RuntimeError(f"arrive: {arrived.status_code} {arrived.text[:200]}")
                started = time.perf_counter()
                called = await http.post("/api/v1/counters/c2/call-next", headers=staff)
                if called.status_code != 200 or called.json()["id"] != ticket["id"]:
                    raise RuntimeError(f"call-next: {called.status_code} {called.text[:200]}")
                while (await _next(ws, "ticket.called"))["ticket"]["id"] != ticket["id"]:
                    pass
                calls.append(time.perf_counter() - started)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {
        "join_reply": latency_stats(joins),
        "arrive_post": latency_stats(arrivals),
        "call_to_push": latency_stats(calls),
    }


def bench_remote(config: str = "branch.yml", customers: int = 20) -> dict[str, Any]:
    from assistant.domain.staff import Role
    from assistant.store.tokens import issue_token

    with tempfile.TemporaryDirectory(prefix="lobby-bench-remote-") as tmp:
        database = f"sqlite+aiosqlite:///{tmp}/bench.db"
        port = free_port()
        command = [sys.executable, "-m", "lobby", "serve", "--config", config]
        command += ["--database", database, "--port", str(port)]
        env = {"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}", **ALWAYS_OPEN}
        hub = Managed("hub", command, f"http://127.0.0.1:{port}/healthz", Path.cwd(), env=env,
                      log_path=Path(tmp) / "hub.log")  # fmt: skip
        hub.start()
        try:
            hub.wait_healthy(START_TIMEOUT)  # migrated: the token can go in
            token = asyncio.run(issue_token(f"sqlite:///{tmp}/bench.db", Role.TELLER, "bench", datetime.now(UTC)))
            result = asyncio.run(_measure(f"http://127.0.0.1:{port}", token, customers))
        finally:
            hub.stop()
    return {"remote": {"customers": customers, **result}}
