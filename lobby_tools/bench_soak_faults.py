"""Faults for `lobby bench soak`: kill -9 a part of the branch and wait for its supervisor to bring it back, or
hold the database's write lock for some seconds; and the memory of each part, sampled while it runs.

The parts are found as `lobby up` supervises them, from outside: the process listening on the part's port
belongs to a process group whose leader is a direct child of `lobby up` (the supervisor starts every part in
a session of its own). That leader is the pid the supervisor holds; it gets SIGKILL, exactly as the kernel's
OOM killer or a crash would end it, and the soak only watches: a new leader under the same `lobby up`
answering the part's health check is the restart. Nothing here restarts anything.

Database blocks: SQLite, another connection holding `BEGIN EXCLUSIVE` (in WAL mode readers go on, every
writer waits on its busy timeout); PostgreSQL, `LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE` (readers of
the tickets wait too).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx

from lobby.listeners import listeners

log = logging.getLogger(__name__)

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
RSS_EVERY_S = 5.0


class FaultKind(StrEnum):
    HUB = "hub"  # kill -9 the hub (`lobby serve`)
    RASA = "rasa"  # kill -9 the Rasa server
    ACTIONS = "actions"  # kill -9 the action server
    DB = "db"  # hold the database's write lock


PARTS = (FaultKind.HUB, FaultKind.RASA, FaultKind.ACTIONS)
# How long a killed part may take to answer again before the soak calls it not restarted (Rasa loads a
# model and TensorFlow: a minute or more on a busy two-core machine).
RESTART_TIMEOUT_S = {FaultKind.HUB: 90.0, FaultKind.ACTIONS: 120.0, FaultKind.RASA: 420.0}
DEFAULT_HOLD_S = 8.0


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    at: float  # seconds after the load started
    hold: float = 0.0  # DB only: how long the lock is held

    def spec(self) -> str:
        """As `--faults` takes it: KIND@SECOND[:HOLD]."""
        return f"{self.kind}@{self.at:g}" + (f":{self.hold:g}" if self.kind is FaultKind.DB else "")

    def label(self) -> str:
        return f"db {self.hold:g} s" if self.kind is FaultKind.DB else f"kill -9 {self.kind}"


SPEC = re.compile(r"^(hub|rasa|actions|db)@(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$")


def parse_faults(spec: str) -> tuple[Fault, ...]:
    """`KIND@SECOND[:HOLD],...` (KIND: hub, rasa, actions, db), e.g. `db@20:8,hub@40,actions@60`."""
    faults = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        match = SPEC.match(item)
        if match is None:
            raise ValueError(f"fault {item!r}: write KIND@SECOND[:HOLD] with KIND hub, rasa, actions or db")
        kind = FaultKind(match.group(1))
        hold = float(match.group(3) or (DEFAULT_HOLD_S if kind is FaultKind.DB else 0))
        faults.append(Fault(kind, float(match.group(2)), hold))
    return tuple(sorted(faults, key=lambda fault: fault.at))


# The long run's schedule as fractions of its length: every kind of fault, each part killed while the
# others serve (Rasa early: it needs a minute or more to come back), one lock shorter and one longer than
# SQLite's 10 s busy timeout, the hub killed twice, and the last quarter quiet (recovery measured, memory
# compared on warm processes).
DEFAULT_SCHEDULE = (
    (FaultKind.DB, 0.10, 8.0),
    (FaultKind.ACTIONS, 0.16, 0.0),
    (FaultKind.RASA, 0.22, 0.0),
    (FaultKind.HUB, 0.52, 0.0),
    (FaultKind.DB, 0.60, 15.0),
    (FaultKind.ACTIONS, 0.68, 0.0),
    (FaultKind.HUB, 0.74, 0.0),
)


def default_faults(seconds: float) -> tuple[Fault, ...]:
    if seconds < 240:  # too short for Rasa to come back (a minute or more): the others only
        return (
            Fault(FaultKind.DB, 0.2 * seconds, min(8.0, 0.1 * seconds)),
            Fault(FaultKind.ACTIONS, 0.45 * seconds),
            Fault(FaultKind.HUB, 0.65 * seconds),
        )
    return tuple(Fault(kind, round(share * seconds, 1), hold) for kind, share, hold in DEFAULT_SCHEDULE)


@dataclass(frozen=True, slots=True)
class Part:
    kind: FaultKind
    port: int
    health_url: str


# -- processes, seen through /proc ----------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, process group) of a live process; None when gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return None if fields[0] in ("Z", "X") else (int(fields[1]), int(fields[2]))


def supervised_pid(up_pid: int, part: Part) -> int | None:
    """The pid `lobby up` holds for `part`: the leader of the group listening on its port, a child of `up_pid`."""
    for listener in listeners(part.port):
        if listener.pid is None:
            continue
        try:
            leader = os.getpgid(listener.pid)
        except ProcessLookupError:
            continue
        stat = _stat(leader)
        if stat is not None and stat[0] == up_pid:
            return leader
    return None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None and stat[0] == pid:
            found.append(int(entry.name))
    return found


def group_rss(leader: int) -> int:
    """Resident bytes of every process in the group `leader` leads (a part with workers counts them all)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or (stat := _stat(int(entry.name))) is None or stat[1] != leader:
            continue
        try:
            total += int((entry / "statm").read_text().split()[1]) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            continue
    return total


# -- the injector -----------------------------------------------------------------------------------


@dataclass(slots=True)
class FaultWindow:
    """One fault as it happened: from the kill (or the lock taken) to the part answering (or the lock let go)."""

    index: int
    fault: Fault
    started: float = 0.0  # monotonic
    ended: float | None = None  # None: not recovered within its timeout
    old_pid: int | None = None
    new_pid: int | None = None
    note: str = ""

    def to_json(self, origin: float) -> dict[str, Any]:
        return {
            "index": self.index,
            "fault": self.fault.label(),
            "kind": str(self.fault.kind),
            "scheduled_s": self.fault.at,
            "started_s": round(self.started - origin, 1),
            "recovered": self.ended is not None,
            "outage_s": round(self.ended - self.started, 1) if self.ended is not None else None,
            **({"killed_pid": self.old_pid, "restarted_pid": self.new_pid} if self.fault.kind in PARTS else {}),
            **({"note": self.note} if self.note else {}),
        }


@dataclass(slots=True)
class Injector:
    up_pid: int
    parts: dict[FaultKind, Part]
    database_url: str
    origin: float  # monotonic time the load started
    windows: list[FaultWindow] = field(default_factory=list)

    async def run(self, faults: tuple[Fault, ...], until: float) -> None:
        """Each fault at its time (later if the one before has not recovered yet), none after `until`."""
        for index, fault in enumerate(faults):
            delay = self.origin + fault.at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.monotonic() >= until:
                log.warning("fault %s skipped: the load is over", fault.label())
                continue
            window = FaultWindow(index, fault)
            self.windows.append(window)
            if fault.kind is FaultKind.DB:
                await self._block_database(window)
            else:
                await self._kill(window, self.parts[fault.kind])

    async def _kill(self, window: FaultWindow, part: Part) -> None:
        old = supervised_pid(self.up_pid, part)
        window.started, window.old_pid = time.monotonic(), old
        if old is None:
            window.note = f"no {part.kind} process under lobby up (pid {self.up_pid}) listening on {part.port}"
            log.error("%s", window.note)
            return
        log.info("fault %d: kill -9 %s (pid %d)", window.index, part.kind, old)
        os.kill(old, signal.SIGKILL)
        deadline = window.started + RESTART_TIMEOUT_S[part.kind]
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                await asyncio.sleep(0.25)
                new = supervised_pid(self.up_pid, part)
                if new is None or new == old:
                    continue
                try:
                    answered = (await http.get(part.health_url)).is_success
                except httpx.HTTPError:
                    answered = False
                if answered:
                    window.ended, window.new_pid = time.monotonic(), new
                    log.info(
                        "fault %d: %s back as pid %d after %.1f s",
                        window.index,
                        part.kind,
                        new,
                        window.ended - window.started,
                    )
                    return
        window.note = f"{part.kind} not answering {part.health_url} {RESTART_TIMEOUT_S[part.kind]:.0f} s after kill -9"
        log.error("fault %d: %s", window.index, window.note)

    async def _block_database(self, window: FaultWindow) -> None:
        hold = window.fault.hold
        if self.database_url.startswith("sqlite"):
            path = self.database_url.split(":///", 1)[1]
            acquired, released = await asyncio.to_thread(_hold_sqlite, path, hold)
        else:
            acquired, released = await _hold_postgres(self.database_url, hold)
        window.started, window.ended = acquired, released
        window.note = "BEGIN EXCLUSIVE" if self.database_url.startswith("sqlite") else "LOCK TABLE tickets"
        log.info("fault %d: database held %.1f s (%s)", window.index, released - acquired, window.note)


def _hold_sqlite(path: str, seconds: float) -> tuple[float, float]:
    """Another connection takes the write lock and sits on it; every writer of the hub waits meanwhile."""
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        acquired = time.monotonic()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        return acquired, time.monotonic()
    finally:
        connection.close()


async def _hold_postgres(url: str, seconds: float) -> tuple[float, float]:
    import asyncpg

    connection = await asyncio.wait_for(asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://")), 10)
    try:
        transaction = connection.transaction()
        await transaction.start()
        await asyncio.wait_for(connection.execute("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"), 60)
        acquired = time.monotonic()
        await asyncio.sleep(seconds)
        await transaction.rollback()
        return acquired, time.monotonic()
    finally:
        await connection.close()


# -- memory ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RssSample:
    at: float
    kind: FaultKind
    pid: int
    rss: int  # bytes


async def sample_rss(up_pid: int, parts: dict[FaultKind, Part], samples: list[RssSample], stop: asyncio.Event) -> None:
    """Every RSS_EVERY_S, each part's resident memory (its whole process group), until `stop`."""
    while not stop.is_set():
        for kind, part in parts.items():
            leader = await asyncio.to_thread(supervised_pid, up_pid, part)
            if leader is not None:
                samples.append(RssSample(time.monotonic(), kind, leader, await asyncio.to_thread(group_rss, leader)))
        try:
            await asyncio.wait_for(stop.wait(), RSS_EVERY_S)
        except TimeoutError:
            pass
