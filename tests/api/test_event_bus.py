"""EventBus in one process: local fan-out, own echo ignored, split events, backend down or lost.

An in-memory broker stands in for PostgreSQL/Redis here (it echoes every frame to its sender too,
as NOTIFY and pub/sub do); the last test runs two buses over a real PostgreSQL LISTEN/NOTIFY.
Real hub processes: test_event_bus_hubs.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from assistant.domain.events import Event, EventType
from assistant.events import bus as bus_module
from assistant.events.backends import (
    PG_MAX_PAYLOAD,
    PostgresBackend,
    RedisBackend,
    asyncpg_dsn,
    backend_from_config,
    channel_name,
)
from assistant.events.bus import EventBus, encode_frames
from assistant.settings import ConfigError
from tests.support import RecordedWaits

AT = datetime(2026, 11, 30, 9, tzinfo=UTC)
Receive = Callable[[str], None]


def event(number: str, **extra: Any) -> Event:
    return Event(EventType.TICKET_ISSUED, AT, {"ticket": {"number": number, **extra}})


async def eventually(condition: Callable[[], bool], timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def drain(queue: asyncio.Queue[dict[str, Any] | None]) -> list[dict[str, Any] | None]:
    return [queue.get_nowait() for _ in range(queue.qsize())]


class Broker:
    """In-memory pub/sub: every frame reaches every connected receiver, its sender included."""

    def __init__(self) -> None:
        self.receivers: list[Receive] = []
        self.up = True
        self.frames: list[str] = []


class MemoryBackend:
    name = "memory"

    def __init__(self, broker: Broker, max_frame: int | None = None, hang: bool = False) -> None:
        self.broker = broker
        self.max_frame = max_frame
        self.hang = hang
        self._receive: Receive | None = None
        self._lost = asyncio.Event()

    async def connect(self, receive: Receive) -> None:
        if not self.broker.up:
            raise ConnectionRefusedError("broker down")
        self._lost = asyncio.Event()
        self._receive = receive
        self.broker.receivers.append(receive)

    async def watch(self) -> None:
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), 1)

    async def send(self, frames: Sequence[str]) -> None:
        if self.hang:
            await asyncio.Event().wait()  # the bus must time this out
        if self._receive is None:
            raise ConnectionError("not connected")
        for frame in frames:
            self.broker.frames.append(frame)
            for receive in list(self.broker.receivers):
                asyncio.get_running_loop().call_soon(receive, frame)

    async def disconnect(self) -> None:
        if self._receive in self.broker.receivers:
            self.broker.receivers.remove(self._receive)
        self._receive = None

    def drop(self) -> None:
        self._lost.set()


async def test_a_local_bus_fans_out_to_every_subscriber() -> None:
    bus = EventBus()
    await bus.start()
    one, two = bus.subscribe(), bus.subscribe()
    await bus.publish(event("A001"))
    assert drain(one) == drain(two) == [event("A001").to_json()]
    assert bus.stats()["backend"] == "local" and bus.remote_sent == bus.remote_failures == 0
    await bus.aclose()
    assert one.get_nowait() is None and bus.subscriber_count == 0  # told to reconnect


async def test_each_process_gets_each_event_once_and_ignores_its_own_echo() -> None:
    broker = Broker()
    hub_a, hub_b = EventBus(MemoryBackend(broker)), EventBus(MemoryBackend(broker))
    await hub_a.start()
    await hub_b.start()
    try:
        on_a, on_b = hub_a.subscribe(), hub_b.subscribe()
        await hub_a.publish(event("A001"))
        await hub_b.publish(event("A002"))
        await eventually(lambda: hub_a.remote_received == 1 and hub_b.remote_received == 1)
        await eventually(lambda: len(broker.frames) == 2)
        await asyncio.sleep(0.1)  # both echoes delivered (and ignored) by now
        assert drain(on_a) == [event("A001").to_json(), event("A002").to_json()]
        assert drain(on_b) == [event("A002").to_json(), event("A001").to_json()]  # its own first: no wait
        assert (hub_a.remote_sent, hub_b.remote_sent, hub_a.remote_failures) == (1, 1, 0)
    finally:
        await hub_a.aclose()
        await hub_b.aclose()


async def test_a_large_event_is_split_into_small_frames_and_joined() -> None:
    broker = Broker()
    sender, receiver = EventBus(MemoryBackend(broker, max_frame=200)), EventBus(MemoryBackend(broker))
    await sender.start()
    await receiver.start()
    try:
        queue = receiver.subscribe()
        big = event("A003", note="现金 and cheques " * 300)
        await sender.publish(big)
        await eventually(lambda: receiver.remote_received == 1)
        assert drain(queue) == [big.to_json()]
        assert len(broker.frames) > 20 and max(len(frame) for frame in broker.frames) <= 200
    finally:
        await sender.aclose()
        await receiver.aclose()


def test_frames_fit_a_postgres_notify() -> None:
    frames = encode_frames(uuid.uuid4().hex, 7, event("A004", note="é€" * 20_000).to_json(), PG_MAX_PAYLOAD)
    assert len(frames) > 10
    assert all(len(frame.encode()) < 8000 for frame in frames)


async def test_backend_down_keeps_local_delivery_counts_it_and_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bus_module, "BACKOFF_MAX", 0.2)
    broker = Broker()
    broker.up = False
    bus, peer = EventBus(MemoryBackend(broker)), EventBus(MemoryBackend(broker))
    started = time.monotonic()
    await bus.start()
    assert time.monotonic() - started < 2  # the hub starts without its backend
    try:
        queue = bus.subscribe()
        await bus.publish(event("A005"))
        assert drain(queue) == [event("A005").to_json()]
        await eventually(lambda: bus.remote_failures == 1)
        broker.up = True
        await peer.start()
        await eventually(lambda: bus.remote_connected)
        assert drain(queue) == [None]  # it may have missed events: reconnect for a snapshot
        from_peer = peer.subscribe()
        await bus.publish(event("A006"))
        await eventually(lambda: peer.remote_received == 1)
        assert drain(from_peer) == [event("A006").to_json()]
    finally:
        await bus.aclose()
        await peer.aclose()


async def test_a_lost_connection_is_reestablished_and_subscribers_resync() -> None:
    backend = MemoryBackend(Broker())
    bus = EventBus(backend)
    await bus.start()
    try:
        queue = bus.subscribe()
        backend.drop()
        await eventually(lambda: bus.reconnects == 1)
        assert bus.remote_connected
        assert drain(queue) == [None] and bus.subscriber_count == 0
    finally:
        await bus.aclose()


async def test_a_connection_that_keeps_dropping_backs_off(monkeypatch: pytest.MonkeyPatch) -> None:
    class Flapping(MemoryBackend):
        async def watch(self) -> None:
            return  # lost as soon as it is up

    recorded = RecordedWaits(limit=8)
    monkeypatch.setattr(bus_module, "asyncio", recorded)
    bus = EventBus(Flapping(Broker()))
    await bus.start()
    try:
        await asyncio.wait_for(recorded.reached.wait(), 5)
        # 0.5 s, 1 s, 2 s, ... doubling up to the 30 s ceiling, and a wait before every reconnection
        assert (bus_module.BACKOFF_MIN, bus_module.BACKOFF_MAX) == (0.5, 30.0)
        assert recorded.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
        assert bus.reconnects == len(recorded.waits) - 1
    finally:
        await bus.aclose()


async def test_a_hung_backend_never_stalls_the_publisher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bus_module, "SEND_TIMEOUT", 0.2)
    bus = EventBus(MemoryBackend(Broker(), hang=True))
    await bus.start()
    try:
        queue = bus.subscribe()
        started = time.monotonic()
        for number in ("A007", "A008", "A009"):
            await bus.publish(event(number))
        assert time.monotonic() - started < 0.1
        assert len(drain(queue)) == 3
        await eventually(lambda: bus.remote_failures == 3)
    finally:
        started = time.monotonic()
        await bus.aclose(timeout=0.5)
        assert time.monotonic() - started < 2


def test_configuration_picks_the_backend() -> None:
    assert backend_from_config("", "sqlite:///x.db", "b1") is None
    postgres = backend_from_config("postgres", "postgresql+asyncpg://lobby:secret@db:5433/branch", "b1")
    assert isinstance(postgres, PostgresBackend) and postgres.dsn == "postgresql://lobby:secret@db:5433/branch"
    assert isinstance(backend_from_config("redis://127.0.0.1:6379/2", "sqlite:///x.db", "b1"), RedisBackend)
    with pytest.raises(ConfigError):
        backend_from_config("postgres", "sqlite+aiosqlite:///x.db", "b1")
    with pytest.raises(ConfigError):
        backend_from_config("kafka://somewhere", "sqlite:///x.db", "b1")
    assert asyncpg_dsn("postgresql://u@h/d") == "postgresql://u@h/d"
    assert channel_name("b1") != channel_name("b2")
    assert len(channel_name("x" * 200).encode()) <= 63


async def test_postgres_carries_an_event_larger_than_one_notify(postgres_url: str) -> None:
    channel = channel_name(f"test-{uuid.uuid4().hex[:8]}")
    hub_a = EventBus(PostgresBackend(asyncpg_dsn(postgres_url), channel))
    hub_b = EventBus(PostgresBackend(asyncpg_dsn(postgres_url), channel))
    await hub_a.start()
    await hub_b.start()
    try:
        assert hub_a.remote_connected and hub_b.remote_connected
        on_a, on_b = hub_a.subscribe(), hub_b.subscribe()
        big, small = event("A010", note="现金 and cheques " * 2000), event("A011")
        await hub_a.publish(big)
        await hub_a.publish(small)
        await eventually(lambda: hub_b.remote_received == 2, timeout=10)
        assert drain(on_b) == [big.to_json(), small.to_json()]
        await asyncio.sleep(0.2)  # the echo came back too and was ignored
        assert drain(on_a) == [big.to_json(), small.to_json()]
        assert (hub_a.remote_sent, hub_a.remote_failures, hub_a.remote_received) == (2, 0, 0)
    finally:
        await hub_a.aclose()
        await hub_b.aclose()
