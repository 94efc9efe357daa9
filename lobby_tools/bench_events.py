"""Event fan-out latency: how long until every WebSocket subscriber has a newly issued ticket.

`bench_fanout` starts real hub processes on 127.0.0.1 (fresh SQLite file unless a database is
given), connects N subscribers to /api/v1/events, then issues tickets one at a time through
POST /api/v1/tickets and times, for each, the moment the POST was sent until the first and the
last subscriber received its ticket.issued. With `events_backend` and `hubs=2` the tickets go to
the first hub and the subscribers listen on the second: the latency then includes the backend.

The subscribers run in this one process, so on a small machine part of what is measured is the
client side decoding N copies of each event; compare runs on the same machine only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import websockets

from lobby.supervisor import Managed
from lobby_tools.measure import free_port, percentile

log = logging.getLogger(__name__)

EVENT_TIMEOUT = 10.0  # seconds for one event to reach every subscriber
START_TIMEOUT = 60.0


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p99_ms": round(percentile(values, 0.99) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


class _Arrivals:
    """When each subscriber received each ticket.issued; wakes the waiter once all have it."""

    def __init__(self, subscribers: int) -> None:
        self.subscribers = subscribers
        self.times: dict[str, list[float]] = defaultdict(list)
        self.complete: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.closed = 0

    def record(self, ticket_id: str) -> None:
        self.times[ticket_id].append(time.perf_counter())
        if len(self.times[ticket_id]) == self.subscribers:
            self.complete[ticket_id].set()


async def _subscriber(ws: Any, arrivals: _Arrivals) -> None:
    """Reads until cancelled; counts a subscription the hub closes."""
    try:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "ticket.issued":
                arrivals.record(message["data"]["ticket"]["number"])  # the public stream carries no ids
    except websockets.ConnectionClosed:
        pass
    arrivals.closed += 1


async def _measure(publish_to: str, listen_on: str, subscribers: int, events: int) -> dict[str, Any]:
    arrivals = _Arrivals(subscribers)
    ws_url = listen_on.replace("http://", "ws://") + "/api/v1/events"
    sockets = await asyncio.gather(*(websockets.connect(ws_url, open_timeout=30) for _ in range(subscribers)))
    readers: list[asyncio.Task[None]] = []
    try:
        async with asyncio.timeout(30):
            for ws in sockets:
                assert json.loads(await ws.recv())["type"] == "snapshot"
        readers = [asyncio.create_task(_subscriber(ws, arrivals), name=f"bench-ws-{n}") for n, ws in enumerate(sockets)]
        first, last, post = [], [], []
        async with httpx.AsyncClient(base_url=publish_to, timeout=30) as http:
            services = [service["id"] for service in (await http.get("/api/v1/services")).json()["services"]]
            for index in range(events):
                started = time.perf_counter()
                response = await http.post("/api/v1/tickets", json={"service": services[index % len(services)]})
                post.append(time.perf_counter() - started)
                if response.status_code != 201:
                    raise RuntimeError(f"POST /api/v1/tickets: {response.status_code} {response.text[:200]}")
                ticket_id = response.json()["number"]
                await asyncio.wait_for(arrivals.complete[ticket_id].wait(), EVENT_TIMEOUT)
                times = arrivals.times[ticket_id]
                first.append(min(times) - started)
                last.append(max(times) - started)
    finally:
        for task in readers:
            task.cancel()
        if readers:
            await asyncio.wait(readers, timeout=10)
        await asyncio.wait_for(asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True), 30)
    return {
        "all_subscribers": _summary(last),
        "first_subscriber": _summary(first),
        "post_response": _summary(post),
        "subscribers_dropped": arrivals.closed,  # closed by the hub during the run (too slow)
    }


def bench_fanout(
    config: str = "branch.yml",
    *,
    subscribers: int = 100,
    events: int = 50,
    database: str | None = None,
    events_backend: str = "",
    hubs: int = 1,
) -> dict[str, Any]:
    """Fan-out latency of ticket.issued to `subscribers` WebSockets over `events` tickets (JSON-ready dict).

    `events_backend` is a `hub.events` value ("", "postgres", "redis://HOST:PORT/DB"); with
    `hubs` = 2 tickets are issued on the first hub and the subscribers listen on the second.
    """
    if hubs not in (1, 2) or (hubs == 2 and not events_backend):
        raise ValueError("hubs is 1, or 2 with an events backend")
    if events_backend == "postgres" and not (database or "").startswith("postgres"):
        raise ValueError("events_backend=postgres needs a PostgreSQL database URL")
    env = {"LOBBY_HUB__EVENTS": events_backend, "LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}"}
    env["LOBBY_HUB__RATE_LIMIT_PER_MINUTE"] = "0"  # every ticket comes from 127.0.0.1: measure fan-out, not the limit
    if events_backend:
        env["LOBBY_BRANCH__ID"] = f"bench-{uuid.uuid4().hex[:10]}"  # its own channel on a shared broker
    started: list[Managed] = []
    with tempfile.TemporaryDirectory(prefix="lobby-bench-") as tmp:
        url = database or f"sqlite+aiosqlite:///{tmp}/bench.db"
        try:
            bases = []
            for number in range(hubs):  # one after the other: each migrates the shared database
                port = free_port()
                command = [sys.executable, "-m", "lobby", "serve", "--config", config]
                command += ["--database", url, "--port", str(port)]
                hub = Managed(
                    f"hub {number}",
                    command,
                    f"http://127.0.0.1:{port}/healthz",
                    Path.cwd(),
                    env=env,
                    log_path=Path(tmp) / f"hub-{number}.log",
                )
                started.append(hub)
                hub.start()
                hub.wait_healthy(START_TIMEOUT)
                bases.append(f"http://127.0.0.1:{port}")
            result = asyncio.run(_measure(bases[0], bases[-1], subscribers, events))
        finally:
            for hub in reversed(started):
                hub.stop()
    return {
        "fanout": {
            "database": url.split(":")[0],
            "events_backend": events_backend.split("://")[0] or "local",
            "hubs": hubs,
            "subscribers": subscribers,
            "events": events,
            **result,
        }
    }
