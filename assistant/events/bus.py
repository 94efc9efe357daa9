"""Events across hub processes: the local fan-out plus PostgreSQL LISTEN/NOTIFY or Redis pub/sub.

`EventBus` is the `EventHub` of one hub process that also carries every event to the other
hub processes of the branch (DESIGN.md §7; `hub.events` in the configuration):

* `publish(event)` fans out locally at once, then queues the event for a named sender task:
  neither a slow WebSocket subscriber nor a slow or dead backend can stall the request.
* A named listener task keeps one backend connection (LISTEN on the hub's PostgreSQL
  database, or a Redis subscription) and reconnects with exponential backoff. Events from
  *other* processes are fanned out locally; a process's own echo is recognised by its origin
  id and ignored, so no subscriber sees an event twice.
* What is sent while the backend is down reaches only this process (counted in
  `remote_failures`). After every (re)connection the local subscribers are told to reconnect
  (code 1013), so each screen gets a fresh snapshot instead of silently missing events.

Wire frame: ``v1|ORIGIN|SEQ|PART|TOTAL|BODY``, BODY being a slice of the event's ASCII JSON.
NOTIFY payloads must be shorter than 8000 bytes, so a larger event goes out in parts, in one
transaction, and the receivers join them. The channel is per branch (`channel_name`); Redis
pub/sub ignores the database number, so branches sharing a Redis are kept apart by it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import OrderedDict
from typing import Any

from assistant.domain.events import Event
from assistant.events.backends import Backend, backend_from_config
from assistant.events.hub import EventHub

log = logging.getLogger(__name__)

VERSION = "v1"
START_TIMEOUT = 5.0  # start() waits this long for the first connection attempt
CONNECT_TIMEOUT = 10.0  # a backend bounds its own steps; this bounds the whole of connect()
SEND_TIMEOUT = 5.0
CLOSE_TIMEOUT = 3.0  # to flush what is queued at shut-down
IDLE_WAKE = 1.0  # the sender's longest wait for work before it looks again
BACKOFF_MIN = 0.5
BACKOFF_MAX = 30.0
STABLE_AFTER = 30.0  # a connection lost after this long is retried at once; a shorter one backs off
OUTBOX = 1024  # events queued for the backend; beyond that they stay local (and are counted)
PARTIALS = 64  # split events being joined at once; the oldest incomplete one is dropped


def encode_frames(origin: str, seq: int, message: dict[str, Any], max_frame: int | None) -> list[str]:
    body = json.dumps(message, separators=(",", ":"))  # ASCII (ensure_ascii): characters == bytes
    header = f"{VERSION}|{origin}|{seq}|"
    size = len(body) if max_frame is None else max_frame - len(header) - 24  # room for "PART|TOTAL|"
    if size <= 0:
        raise ValueError(f"frames of {max_frame} characters cannot carry a header of {len(header)}")
    parts = [body[start : start + size] for start in range(0, len(body), size)] or [""]
    return [f"{header}{index}|{len(parts)}|{part}" for index, part in enumerate(parts)]


class EventBus(EventHub):
    """An EventHub whose events also reach (and come from) the other hub processes of the branch."""

    def __init__(self, backend: Backend | None = None, *, origin: str | None = None) -> None:
        """`backend` None: this process only. `origin` identifies this process on the wire (default: random)."""
        super().__init__()
        self.backend = backend
        self.origin = origin or uuid.uuid4().hex
        self.remote_sent = 0  # events handed to the backend
        self.remote_received = 0  # events from other processes fanned out here
        self.remote_failures = 0  # events that reached only this process (backend down, slow or full)
        self.reconnects = 0  # connections after the first
        self._connected = False
        self._ever_connected = False
        self._failing = False
        self._seq = 0
        self._outbox: asyncio.Queue[list[str] | None] = asyncio.Queue(OUTBOX)
        self._partial: OrderedDict[tuple[str, str], dict[int, str]] = OrderedDict()
        self._attempted = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._sender: asyncio.Task[None] | None = None

    @classmethod
    def from_config(cls, events: str, database_url: str, branch_id: str) -> EventBus:
        """`events` is `hub.events`; `database_url` the URL the hub's engine really uses."""
        return cls(backend_from_config(events, database_url, branch_id))

    @property
    def remote_connected(self) -> bool:
        return self._connected

    def stats(self) -> dict[str, Any]:
        """Counters for /metrics or a health probe."""
        return {
            "backend": self.backend.name if self.backend else "local",
            "connected": self._connected,
            "subscribers": self.subscriber_count,
            "remote_sent": self.remote_sent,
            "remote_received": self.remote_received,
            "remote_failures": self.remote_failures,
            "reconnects": self.reconnects,
        }

    async def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the listener and sender; wait (bounded) for the first connection attempt only."""
        if self.backend is None or self._listener is not None:
            return
        self._listener = asyncio.create_task(self._listen_loop(), name=f"event-bus-listen-{self.backend.name}")
        self._sender = asyncio.create_task(self._send_loop(), name=f"event-bus-send-{self.backend.name}")
        try:
            await asyncio.wait_for(self._attempted.wait(), timeout)
        except TimeoutError:
            log.warning("event backend %s: no answer in %.0f s; local events only for now", self.backend.name, timeout)

    async def publish(self, event: Event) -> None:
        message = event.to_json()
        self.deliver(message)
        if self.backend is None or self._sender is None:
            return
        self._seq += 1
        try:
            self._outbox.put_nowait(encode_frames(self.origin, self._seq, message, self.backend.max_frame))
        except asyncio.QueueFull:
            self._remote_failed(f"{OUTBOX} events already waiting for the backend")

    def receive(self, frame: str) -> None:
        """A frame from the backend: fan out events of other processes, ignore our own echo."""
        try:
            version, origin, seq, part_text, total_text, body = frame.split("|", 5)
            part, total = int(part_text), int(total_text)
        except ValueError:
            log.warning("ignoring a malformed event frame: %.80r", frame)
            return
        if version != VERSION or origin == self.origin:
            return
        if total > 1:
            joined = self._join(origin, seq, part, total, body)
            if joined is None:
                return
            body = joined
        try:
            message = json.loads(body)
        except ValueError:
            log.warning("ignoring an event that is not JSON from process %s", origin[:8])
            return
        if not isinstance(message, dict) or "type" not in message:
            log.warning("ignoring an event without a type from process %s", origin[:8])
            return
        self.remote_received += 1
        self.deliver(message)

    def _join(self, origin: str, seq: str, part: int, total: int, body: str) -> str | None:
        key = (origin, seq)
        parts = self._partial.setdefault(key, {})
        parts[part] = body
        if len(parts) < total:
            while len(self._partial) > PARTIALS:
                dropped, _ = self._partial.popitem(last=False)
                log.warning("dropping an incomplete split event %s/%s", dropped[0][:8], dropped[1])
            return None
        del self._partial[key]
        return "".join(parts[index] for index in range(total))

    def _remote_failed(self, reason: str) -> None:
        self.remote_failures += 1
        if not self._failing:
            self._failing = True
            log.warning("events reach only this hub process until the backend is back (%s)", reason)
        else:
            log.debug("event not sent to other hub processes: %s", reason)

    async def _send_loop(self) -> None:
        assert self.backend is not None
        while True:
            try:
                frames = await asyncio.wait_for(self._outbox.get(), IDLE_WAKE)
            except TimeoutError:
                continue
            if frames is None:  # aclose(): everything queued before it has been sent
                return
            if not self._connected:
                self._remote_failed(f"{self.backend.name} not connected")
                continue
            try:
                await asyncio.wait_for(self.backend.send(frames), SEND_TIMEOUT)
            except Exception as exc:
                self._remote_failed(f"{type(exc).__name__}: {exc}")
                continue
            self.remote_sent += 1
            if self._failing:
                self._failing = False
                log.info("events reach the other hub processes again")

    async def _listen_loop(self) -> None:
        assert self.backend is not None
        backend, delay = self.backend, BACKOFF_MIN
        while True:
            try:
                await asyncio.wait_for(backend.connect(self.receive), CONNECT_TIMEOUT)
            except Exception as exc:
                self._attempted.set()
                log.warning("event backend %s unreachable (%s); retrying in %.1f s", backend.name, exc, delay)
                await self._close_backend()
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            if self._ever_connected:
                self.reconnects += 1
            log.info("event backend %s connected%s", backend.name, " again" if self._ever_connected else "")
            self._connected = self._ever_connected = True
            self._attempted.set()
            self._resync()
            up_since = asyncio.get_running_loop().time()
            try:
                await backend.watch()
                reason = "connection closed"
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
            self._connected = False
            await self._close_backend()
            if asyncio.get_running_loop().time() - up_since >= STABLE_AFTER:
                delay = BACKOFF_MIN
                log.warning("event backend %s lost (%s); reconnecting", backend.name, reason)
                continue
            log.warning("event backend %s lost (%s); reconnecting in %.1f s", backend.name, reason, delay)
            await asyncio.sleep(delay)  # a connection that keeps dropping must not spin
            delay = min(delay * 2, BACKOFF_MAX)

    def _resync(self) -> None:
        """Events from other processes may have been missed: subscribers reconnect for a snapshot."""
        self._partial.clear()
        if self.subscriber_count:
            log.info("asking %d event subscribers to reconnect for a fresh snapshot", self.subscriber_count)
            EventHub.close(self)

    async def _close_backend(self) -> None:
        if self.backend is None:
            return
        try:
            await asyncio.wait_for(self.backend.disconnect(), CLOSE_TIMEOUT)
        except Exception as exc:
            log.debug("closing the event backend connection: %s", exc)

    async def aclose(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Send what is queued (bounded by `timeout`), stop both tasks, close the connection and subscribers."""
        if self._sender is not None:
            with contextlib.suppress(asyncio.QueueFull):
                self._outbox.put_nowait(None)
            await asyncio.wait({self._sender}, timeout=timeout)
        for task in (self._sender, self._listener):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=timeout)
        self._sender = self._listener = None
        self._connected = False
        await self._close_backend()
        self.close()
