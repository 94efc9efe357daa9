"""Brokers that carry events between hub processes: PostgreSQL LISTEN/NOTIFY and Redis pub/sub.

Each backend is one connection owned by `EventBus`'s listener task, which reconnects with
backoff; a backend only connects, watches (pings with a timeout), sends and disconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import asyncpg
import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy.engine import make_url

from assistant.settings import ConfigError

log = logging.getLogger(__name__)

Receive = Callable[[str], None]

CONNECT_TIMEOUT = 5.0
PING_INTERVAL = 10.0
PING_TIMEOUT = 5.0
READ_WAKE = 1.0  # the longest single wait for a Redis message
CLOSE_TIMEOUT = 3.0
PG_MAX_PAYLOAD = 7999  # a NOTIFY payload must be shorter than 8000 bytes (frames are ASCII)
PG_IDENTIFIER = 63  # NAMEDATALEN - 1: longer channel names are refused or truncated
CLIENT_NAME = "lobby-events"


class Backend(Protocol):
    """One broker connection, owned by the bus's listener task."""

    name: str
    max_frame: int | None  # the longest frame one message may carry (None: no limit)

    async def connect(self, receive: Receive) -> None:
        """Connect and subscribe (bounded); from then on every frame on the channel goes to `receive`."""

    async def watch(self) -> None:
        """Return or raise once the connection is lost (pings on an interval, each with a timeout)."""

    async def send(self, frames: Sequence[str]) -> None:
        """Send the frames of one event in order; raise if not connected."""

    async def disconnect(self) -> None:
        """Close the connection (bounded); safe when not connected."""


def channel_name(branch_id: str) -> str:
    """One channel per branch: branches may share a PostgreSQL server or a Redis."""
    channel = f"lobby_events.{branch_id}"
    if len(channel.encode()) > PG_IDENTIFIER:
        channel = f"lobby_events.{hashlib.sha256(branch_id.encode()).hexdigest()[:32]}"
    return channel


def redis_client_name(channel: str) -> str:
    """How this branch's connections appear in CLIENT LIST (no spaces allowed)."""
    return f"{CLIENT_NAME}:{re.sub(r'[^A-Za-z0-9._:-]', '_', channel)}"


def asyncpg_dsn(database_url: str) -> str:
    """The hub's SQLAlchemy URL (postgresql+asyncpg://…) as a plain DSN for asyncpg.connect."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ConfigError(f"hub.events=postgres needs the hub database on PostgreSQL, not {parsed.get_backend_name()}")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def backend_from_config(events: str, database_url: str, branch_id: str) -> Backend | None:
    """`hub.events`: "" (None: this process only), "postgres", or "redis://HOST:PORT/DB"."""
    if not events:
        return None
    if events == "postgres":
        return PostgresBackend(asyncpg_dsn(database_url), channel_name(branch_id))
    if events.startswith(("redis://", "rediss://", "unix://")):
        return RedisBackend(events, channel_name(branch_id))
    raise ConfigError(f"hub.events: expected '', 'postgres' or 'redis://HOST:PORT/DB', not {events!r}")


class PostgresBackend:
    """LISTEN on a dedicated connection; NOTIFY through the same one (one lock, no concurrent use)."""

    name = "postgres"
    max_frame: int | None = PG_MAX_PAYLOAD

    def __init__(self, dsn: str, channel: str) -> None:
        self.dsn = dsn
        self.channel = channel
        self._connection: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._lock = asyncio.Lock()

    def _require(self) -> asyncpg.Connection:
        if self._connection is None or self._connection.is_closed():
            raise ConnectionError("not connected to PostgreSQL")
        return self._connection

    async def connect(self, receive: Receive) -> None:
        self._lost = asyncio.Event()
        self._connection = await asyncpg.connect(
            self.dsn, timeout=CONNECT_TIMEOUT, server_settings={"application_name": CLIENT_NAME}
        )
        self._connection.add_termination_listener(lambda _connection: self._lost.set())

        def on_notify(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
            receive(payload)

        await asyncio.wait_for(self._connection.add_listener(self.channel, on_notify), CONNECT_TIMEOUT)

    async def watch(self) -> None:
        connection = self._require()
        while not connection.is_closed():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), PING_INTERVAL)
            if self._lost.is_set():
                return
            async with asyncio.timeout(PING_TIMEOUT):
                async with self._lock:
                    await connection.execute("SELECT 1")

    async def send(self, frames: Sequence[str]) -> None:
        connection = self._require()
        async with self._lock:
            if len(frames) == 1:
                await connection.execute("SELECT pg_notify($1, $2)", self.channel, frames[0])
                return
            async with connection.transaction():  # the parts are delivered together, in order
                for frame in frames:
                    await connection.execute("SELECT pg_notify($1, $2)", self.channel, frame)

    async def disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        try:
            await asyncio.wait_for(connection.close(), CLOSE_TIMEOUT)
        except Exception as exc:
            log.debug("closing the LISTEN connection: %s; terminating it", exc)
            connection.terminate()


class RedisBackend:
    """A subscription on one connection; PUBLISH through the client's pool. Retries are ours, not redis-py's."""

    name = "redis"
    max_frame: int | None = None

    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel
        self._client: aioredis.Redis | None = None
        self._pubsub: PubSub | None = None
        self._receive: Receive | None = None

    async def connect(self, receive: Receive) -> None:
        self._receive = receive
        self._client = aioredis.Redis.from_url(
            self.url,
            decode_responses=True,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=PING_TIMEOUT,
            retry=Retry(NoBackoff(), 0),  # a lost connection surfaces here; the bus reconnects and resyncs
            client_name=redis_client_name(self.channel),
        )
        self._pubsub = self._client.pubsub()
        async with asyncio.timeout(CONNECT_TIMEOUT):
            await self._pubsub.subscribe(self.channel)
            while True:  # the confirmation: from here on nothing published is missed
                message = await self._pubsub.get_message(timeout=READ_WAKE)
                if message is not None and message["type"] == "subscribe":
                    return

    async def watch(self) -> None:
        pubsub = self._pubsub
        if pubsub is None:
            raise ConnectionError("not subscribed")
        loop = asyncio.get_running_loop()
        last_seen = next_ping = loop.time()
        while True:
            message = await asyncio.wait_for(pubsub.get_message(timeout=READ_WAKE), READ_WAKE + PING_TIMEOUT)
            now = loop.time()
            if message is not None:
                last_seen = now
                if message["type"] == "message" and self._receive is not None:
                    self._receive(message["data"])
            if now >= next_ping:
                if now - last_seen > PING_INTERVAL + PING_TIMEOUT:
                    raise ConnectionError(f"no answer from Redis for {now - last_seen:.0f} s")
                await asyncio.wait_for(pubsub.ping(), PING_TIMEOUT)  # the pong arrives as a message
                next_ping = now + PING_INTERVAL

    async def send(self, frames: Sequence[str]) -> None:
        if self._client is None:
            raise ConnectionError("not connected to Redis")
        for frame in frames:
            await self._client.publish(self.channel, frame)

    async def disconnect(self) -> None:
        pubsub, client = self._pubsub, self._client
        self._pubsub = self._client = None
        for closable in (pubsub, client):
            if closable is None:
                continue
            try:
                await asyncio.wait_for(closable.aclose(), CLOSE_TIMEOUT)
            except Exception as exc:
                log.debug("closing the Redis connection: %s", exc)
