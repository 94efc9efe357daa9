"""Projections made apart: a child process reads the line and plays it forward, the hub only asks.

A projection of a long line is pure Python (40 runs of the rest of the day). In a worker thread it
holds the hub's GIL in 5 ms slices, and every request in flight waits for the GIL at each of its
hand-offs (the database thread, the socket): with 2,000 waiting, a ticket's p99 doubled. A process of
its own shares no GIL; it runs at a lower CPU priority (`NICE`), so requests come first where the
hub and it share a core, and on a machine with more cores it runs beside the hub at no cost to it.

`lobby serve` forks the child before the server starts (`child.prefork`: nothing but imports has run, no
thread, no event loop), so it costs no start-up of its own and is there for the first ticket; a hub
built without it (an app in a test) spawns one when projections become slow (`WaitTimes` decides),
and any hub spawns a new one if its child died. The child reads the database
itself (a read-only connection: on SQLite a deferred transaction in WAL mode never blocks the hub's
writer). It runs the hub's own code: `WaitTimes.project` on the spot, with the hub's settings, at the
moment the hub names (so a simulated clock holds). It answers compact estimates (tuples, no objects),
which `Estimates` turns back into `WaitEstimate`s when asked. It ends when the hub kills it
(`close`) or when its input closes (the hub died).

Frames on the pipes: a 4-byte big-endian length, then a pickle. A spawned child is first sent
(settings, database URL); every child says ("ok", None) when it has opened the database, then answers
each moment it is sent with ("ok", estimates) or ("error", text).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
import struct
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from assistant.domain.eta import WaitEstimate

log = logging.getLogger(__name__)

NICE = 10  # the child's niceness: where it shares a core with the hub, it gets ~10% of it under load
START_TIMEOUT = 30.0  # seconds for the child to import and open the database
_HEADER = struct.Struct(">I")

Compact = tuple[float, float, float, bool] | None


class ProjectorGone(RuntimeError):
    """The child died, refused or broke the protocol: the hub projects in a thread again."""


class Estimates(Mapping[str, WaitEstimate | None]):
    """A child's answer: ticket id -> estimate, built from the compact tuple when asked."""

    __slots__ = ("_compact",)

    def __init__(self, compact: dict[str, Compact]) -> None:
        self._compact = compact

    def __getitem__(self, key: str) -> WaitEstimate | None:
        values = self._compact[key]
        return None if values is None else WaitEstimate(*values)

    def __contains__(self, key: object) -> bool:
        return key in self._compact

    def __iter__(self) -> Iterator[str]:
        return iter(self._compact)

    def __len__(self) -> int:
        return len(self._compact)


def compact(found: Mapping[str, WaitEstimate | None]) -> dict[str, Compact]:
    return {key: None if e is None else (e.low, e.point, e.high, e.open_ended) for key, e in found.items()}


def can_work_apart(database_url: str) -> bool:
    """Whether another process can read this database (not an in-memory SQLite one)."""
    return ":memory:" not in database_url and not database_url.rstrip("/").endswith(":")


# database URL -> (pid, the hub's end of the socket pair) of the child `child.prefork` made for it
_PREFORKED: dict[str, tuple[int, socket.socket]] = {}


def preforked(database_url: str) -> bool:
    """Whether `prefork` made a child for this database that no hub has taken yet."""
    return database_url in _PREFORKED


def register(database_url: str, pid: int, sock: socket.socket) -> None:
    """A child forked for `database_url` (assistant/services/waits/child.py), for its hub to take."""
    _PREFORKED[database_url] = (pid, sock)


class Projector:
    """The hub's side: `start`, then `project(now)` one at a time, `close` at the end."""

    def __init__(self, settings: Any, database_url: str) -> None:
        self.settings, self.database_url = settings, database_url
        self.process: asyncio.subprocess.Process | None = None  # a spawned child
        self.pid: int | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Take the child `prefork` made for this database, or spawn one; wait until it has opened the
        database (raises ProjectorGone if it cannot)."""
        preforked = _PREFORKED.pop(self.database_url, None)
        hello: object = None
        if preforked is not None:
            self.pid, sock = preforked
            self._reader, self._writer = await asyncio.open_connection(sock=sock)
        else:
            root = str(Path(__file__).resolve().parents[3])  # the checkout: the child imports the same code
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "assistant.services.waits.child",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
            )  # fmt: skip
            self.pid, self._reader, self._writer = self.process.pid, self.process.stdout, self.process.stdin
            hello = (self.settings, self.database_url)
        try:
            await asyncio.wait_for(self._ask(hello, send=hello is not None), START_TIMEOUT)
        except BaseException:
            await self.close()
            raise
        log.info("wait projections run in process %s", self.pid)

    async def project(self, now: datetime) -> Estimates:
        """Every waiting ticket's estimate (and each ghost's) at `now`, made by the child."""
        return Estimates(await self._ask(now))

    async def _ask(self, message: object, send: bool = True) -> Any:
        async with self._lock:
            reader, writer = self._reader, self._writer
            if reader is None or writer is None:
                raise ProjectorGone("the projection process is not running")
            try:
                if send:
                    writer.write(_frame(message))
                    await writer.drain()
                (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
                status, value = pickle.loads(await reader.readexactly(size))
            except (OSError, EOFError, asyncio.IncompleteReadError, pickle.UnpicklingError, ValueError) as error:
                raise ProjectorGone(f"the projection process broke off: {error!r}") from error
            if status != "ok":
                raise ProjectorGone(f"the projection process failed: {value}")
            return value

    async def close(self) -> None:
        """Kill the child (it holds no lock and writes nothing) and reap it."""
        pid, process, writer = self.pid, self.process, self._writer
        self.pid = self.process = self._reader = self._writer = None
        if writer is not None:
            writer.close()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if process is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait(), 5)
            return
        with contextlib.suppress(ChildProcessError):  # a forked child: ours to reap
            await asyncio.to_thread(os.waitpid, pid, 0)


def read_frame(source: IO[bytes]) -> Any:
    header = source.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    body = source.read(size)
    if len(body) < size:
        raise EOFError
    return pickle.loads(body)


def write_frame(sink: IO[bytes], message: object) -> None:
    sink.write(_frame(message))
    sink.flush()


def _frame(message: object) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body
