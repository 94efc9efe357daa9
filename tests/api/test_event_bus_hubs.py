"""Events across real hub processes (`lobby serve`) over PostgreSQL LISTEN/NOTIFY and Redis pub/sub.

Two hubs share one database and one event backend: a ticket issued through either hub reaches
the WebSocket subscribers of both, exactly once each. Each test uses its own branch id, hence
its own channel, so a shared Redis or PostgreSQL server is never disturbed (nothing is flushed).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import redis.asyncio as aioredis
import websockets

from assistant.events.backends import CLIENT_NAME, channel_name, redis_client_name
from tests.conftest import POSTGRES_ADMIN
from tests.support import free_port

StartHub = Callable[..., str]


def branch_env(events: str) -> dict[str, str]:
    return {"LOBBY_HUB__EVENTS": events, "LOBBY_BRANCH__ID": f"bus-test-{uuid.uuid4().hex[:10]}"}


async def subscribe(base: str) -> Any:
    ws = await websockets.connect(base.replace("http://", "ws://") + "/api/v1/events", open_timeout=10)
    async with asyncio.timeout(10):
        assert json.loads(await ws.recv())["type"] == "snapshot"
    return ws


async def issue(base: str, service: str = "cards") -> str:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        response = await http.post("/api/v1/tickets", json={"service": service})
    assert response.status_code == 201, response.text
    return str(response.json()["number"])  # what the public stream names a ticket by


async def issued_ids(ws: Any, wanted: set[str], timeout: float = 10, settle: float = 1.0) -> Counter[str]:
    """ticket.issued numbers seen until all `wanted` arrived, then during `settle` quiet seconds."""
    seen: Counter[str] = Counter()
    async with asyncio.timeout(timeout):
        while not wanted <= set(seen):
            message = json.loads(await ws.recv())
            if message["type"] == "ticket.issued":
                seen[message["data"]["ticket"]["number"]] += 1
    while True:  # anything arriving twice arrives now
        try:
            async with asyncio.timeout(settle):
                message = json.loads(await ws.recv())
        except TimeoutError:
            return seen
        if message["type"] == "ticket.issued":
            seen[message["data"]["ticket"]["number"]] += 1


async def assert_events_cross(hub_a: str, hub_b: str) -> None:
    ws_a, ws_b = await subscribe(hub_a), await subscribe(hub_b)
    try:
        from_a, from_b = await issue(hub_a), await issue(hub_b, "cash")
        expected = Counter({from_a: 1, from_b: 1})
        assert await issued_ids(ws_b, {from_a, from_b}) == expected
        assert await issued_ids(ws_a, {from_a, from_b}) == expected
    finally:
        await ws_a.close()
        await ws_b.close()


async def assert_told_to_resync(ws: Any, timeout: float = 15) -> None:
    """The hub closes the subscription with 1013 once its backend connection is back."""
    async with asyncio.timeout(timeout):
        try:
            while True:
                await ws.recv()
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1013


async def test_two_hubs_share_events_over_postgres(postgres_url: str, start_hub: StartHub) -> None:
    env = branch_env("postgres")
    hub_a = start_hub(postgres_url, env)
    hub_b = start_hub(postgres_url, env)  # after A: both migrate the same database at start-up
    await assert_events_cross(hub_a, hub_b)


async def test_postgres_listen_connections_dropped_and_back(postgres_url: str, start_hub: StartHub) -> None:
    env = branch_env("postgres")
    hub_a, hub_b = start_hub(postgres_url, env), start_hub(postgres_url, env)
    ws_a, ws_b = await subscribe(hub_a), await subscribe(hub_b)
    admin = await asyncpg.connect(POSTGRES_ADMIN, timeout=5)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = $1 AND application_name = $2",
            postgres_url.rsplit("/", 1)[1],
            CLIENT_NAME,
        )
    finally:
        await admin.close()
    assert killed == 2  # one LISTEN connection per hub
    await assert_told_to_resync(ws_a)
    await assert_told_to_resync(ws_b)
    await assert_events_cross(hub_a, hub_b)


async def test_two_hubs_share_events_over_redis(redis_url: str, start_hub: StartHub, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    env = branch_env(redis_url)
    hub_a = start_hub(database, env)
    hub_b = start_hub(database, env)
    await assert_events_cross(hub_a, hub_b)


async def test_redis_connections_dropped_and_back(redis_url: str, start_hub: StartHub, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    env = branch_env(redis_url)
    hub_a, hub_b = start_hub(database, env), start_hub(database, env)
    ws_a, ws_b = await subscribe(hub_a), await subscribe(hub_b)
    ours = redis_client_name(channel_name(env["LOBBY_BRANCH__ID"]))
    client = aioredis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=5)
    try:
        ids = [entry["id"] for entry in await client.client_list() if entry.get("name") == ours]
        assert len(ids) >= 2  # at least each hub's subscription
        for client_id in ids:  # only this test's hubs: the Redis may be shared
            await client.client_kill_filter(_id=client_id)
    finally:
        await client.aclose()
    await assert_told_to_resync(ws_a)
    await assert_told_to_resync(ws_b)
    await assert_events_cross(hub_a, hub_b)


async def test_backend_down_at_publish_time_keeps_local_delivery(start_hub: StartHub, tmp_path: Path) -> None:
    env = branch_env(f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    hub = start_hub(f"sqlite:///{tmp_path / 'hub.db'}", env)
    ws = await subscribe(hub)
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        ticket = await issue(hub)  # 201, not an error
        assert loop.time() - started < 2
        assert await issued_ids(ws, {ticket}) == Counter({ticket: 1})
    finally:
        await ws.close()
    log = (tmp_path / "hub-0.log").read_text(errors="replace")
    assert "event backend redis unreachable" in log
    assert "events reach only this hub process" in log
