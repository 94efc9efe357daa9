"""`lobby bench soak --minutes N`: the whole branch under a steady crowd while its parts are killed and its
database is blocked; then the books are checked.

The branch is started as `make run` starts it (`lobby up --no-kiosk`, on free ports, a scratch database:
SQLite by default, `--database postgres` for a scratch PostgreSQL database, or a URL). Against it:
20 kiosks (chat turns and tickets with idempotency keys, over HTTP), 50 app chats (the chat WebSocket),
10 lobby displays (the events WebSocket) and 3 counter consoles (call-next, start, finish with a teller
token) — assistant/bench_soak_load.py. Meanwhile a fault schedule (assistant/bench_soak_faults.py) kills the
hub, Rasa and the action server with SIGKILL — `lobby up`'s supervisor must restart each — and holds the
database's write lock for some seconds.

At the end the kiosks finish the tickets they were still asking for, `lobby up` is stopped with SIGTERM,
and the database is read: every ticket a kiosk was given (201, or 200 for a retry whose first answer was
lost) must be there, under its key and number; no number twice in a day, no key twice. The report
(assistant/bench_soak_report.py) has latency per phase, errors by kind, the hub's answering share outside
its own restarts, each part's memory at the start and the end, and the bars of issue 13.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lobby.listeners import listeners
from lobby.supervisor import StartupError, wait_for_urls
from lobby_tools.bench_remote import ALWAYS_OPEN
from lobby_tools.bench_soak_faults import (
    Fault,
    FaultKind,
    Injector,
    Part,
    RssSample,
    children,
    default_faults,
    parse_faults,
    sample_rss,
)
from lobby_tools.bench_soak_load import Load, Recorder
from lobby_tools.bench_soak_report import (
    StoredTicket,
    audit,
    display_report,
    errors_by_kind,
    hub_answering,
    latency_by_phase,
    rss_report,
)
from lobby_tools.measure import free_port, postgres_database

log = logging.getLogger(__name__)

COUNTERS = ("c1", "c2", "c3")  # branch.yml's counters: one console each
ANSWERING_BAR = 0.999  # the probe's share answered outside the hub's own restarts
SUPERVISOR_WORDS = ("died", "restarting", "is back", "GIVING UP", "given up", "not healthy")


@dataclass(frozen=True, slots=True)
class SoakOptions:
    config: str
    seconds: float
    faults: tuple[Fault, ...]
    database: str | None = None  # None or "sqlite": scratch SQLite; "postgres": scratch PostgreSQL; else a URL
    postgres_admin: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    load: Load = field(default_factory=Load)
    launcher: tuple[str, ...] = (sys.executable, "-m", "lobby")  # tests: `lobby up` with stand-in dialogue
    cwd: Path = field(default_factory=Path.cwd)
    drain_s: float = 120.0  # how long kiosks may keep asking for their last ticket after the load stops
    ready_timeout_s: float = 900.0  # Rasa may have to train first


@dataclass(slots=True)
class Branch:
    process: subprocess.Popen[bytes]
    hub: str
    parts: dict[FaultKind, Part]
    database: str
    output: Path
    started_s: float = 0.0
    stop: dict[str, Any] = field(default_factory=dict)


def bench_soak(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.minutes * 60
    options = SoakOptions(
        config=str(Path(args.config).resolve()),
        seconds=seconds,
        faults=parse_faults(args.faults) if args.faults is not None else default_faults(seconds),
        database=args.database,
        postgres_admin=args.postgres,
    )
    return run_soak(options)


def run_soak(options: SoakOptions) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lobby-soak-") as tmp:
        database, scratch = _database(options, Path(tmp))
        try:
            with running_branch(options, database, Path(tmp)) as branch:
                result = asyncio.run(_soak(options, branch))
            result["audit"] = audit(result.pop("_recorder"), read_tickets(database))
            result["branch"] = {
                "start_s": round(branch.started_s, 1),
                "stop": branch.stop,
                "supervisor_log": supervisor_lines(branch.output),
            }
        finally:
            if scratch:
                postgres_database(options.postgres_admin, scratch, drop=True)
    result["bars"] = bars(result)
    result["passed"] = all(bar["met"] for bar in result["bars"].values())
    return result


def _database(options: SoakOptions, tmp: Path) -> tuple[str, str | None]:
    """(database URL, name of a scratch PostgreSQL database to drop afterwards, if one was made)."""
    choice = options.database or "sqlite"
    if choice == "sqlite":
        return f"sqlite:///{tmp / 'soak.db'}", None
    if choice in ("postgres", "postgresql"):
        name = f"lobby_soak_{os.getpid()}"
        url = postgres_database(options.postgres_admin, name)
        if url is None:
            raise RuntimeError(f"no PostgreSQL at {options.postgres_admin} for a scratch database")
        return url, name
    return choice, None


@contextmanager
def running_branch(options: SoakOptions, database: str, tmp: Path) -> Iterator[Branch]:
    """`lobby up --no-kiosk` on free ports until startup has finished; stopped with SIGTERM afterwards."""
    hub_port, rasa_port, actions_port = free_port(), free_port(), free_port()
    hub = f"http://127.0.0.1:{hub_port}"
    env = {
        **os.environ,
        "LOBBY_HUB__PORT": str(hub_port),
        "LOBBY_HUB__PUBLIC_URL": hub,
        "LOBBY_HUB__DATABASE": database,
        "LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "LOBBY_DIALOGUE__ACTIONS_PORT": str(actions_port),
        # 50 phones would be 50 addresses; here they are all 127.0.0.1 (kiosks and consoles carry tokens).
        "LOBBY_HUB__RATE_LIMIT_PER_MINUTE": "0",
        **ALWAYS_OPEN,  # tickets and calls whatever the hour the soak runs
    }
    parts = {
        FaultKind.HUB: Part(FaultKind.HUB, hub_port, f"{hub}/healthz"),
        FaultKind.ACTIONS: Part(FaultKind.ACTIONS, actions_port, f"http://127.0.0.1:{actions_port}/health"),
        FaultKind.RASA: Part(FaultKind.RASA, rasa_port, f"http://127.0.0.1:{rasa_port}/status"),
    }
    output = tmp / "up.log"
    command = [*options.launcher, "up", "--no-kiosk", "--config", options.config]
    with output.open("wb") as sink:
        process = subprocess.Popen(command, cwd=options.cwd, env=env, stdout=sink, stderr=subprocess.STDOUT)
    branch = Branch(process, hub, parts, database, output)
    try:
        began = time.monotonic()
        try:
            wait_for_urls(process, [part.health_url for part in parts.values()], options.ready_timeout_s)
            _wait_started(process, output, options.ready_timeout_s - (time.monotonic() - began))
        except StartupError as exc:
            raise RuntimeError(f"lobby up did not start: {exc}\n{output.read_text()[-3000:]}") from exc
        branch.started_s = time.monotonic() - began
        yield branch
    finally:
        branch.stop = stop_branch(process, parts)


def _wait_started(process: subprocess.Popen[bytes], output: Path, timeout: float) -> None:
    """Until `lobby up` says it is up: only then does its supervisor restart a part that dies (before, a
    death is a failed start)."""
    deadline = time.monotonic() + max(timeout, 5)
    while b" is up in " not in output.read_bytes():
        if process.poll() is not None:
            raise StartupError(f"lobby up exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise StartupError("lobby up never said it was up")
        time.sleep(0.5)


def stop_branch(process: subprocess.Popen[bytes], parts: dict[FaultKind, Part]) -> dict[str, Any]:
    """SIGTERM, as systemd stops it: every part must stop and free its port, and `lobby up` exit 0."""
    groups = children(process.pid)
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code: int | None = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        code = None
        process.kill()
        process.wait(timeout=10)
    seconds = time.monotonic() - began
    held = {str(kind): [found.describe() for found in listeners(part.port)] for kind, part in parts.items()}
    held = {kind: owners for kind, owners in held.items() if owners}
    for group in groups:  # whatever `lobby up` left behind must not outlive the soak
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return {"signal": "SIGTERM", "exit_code": code, "seconds": round(seconds, 1), "ports_still_held": held}


async def _soak(options: SoakOptions, branch: Branch) -> dict[str, Any]:
    from assistant.domain.staff import Role
    from assistant.store.tokens import issue_token

    now = datetime.now(UTC)
    device = await issue_token(branch.database, Role.DEVICE, "soak kiosks", now)
    staff = await issue_token(branch.database, Role.TELLER, "soak consoles", now)
    load = options.load
    origin = time.monotonic()
    stop_at = origin + options.seconds
    recorder = Recorder(
        branch.hub,
        device,
        staff,
        COUNTERS[: load.consoles],
        uuid.uuid4().hex[:8],
        stop_at,
        give_up_at=stop_at + options.drain_s,
    )
    injector = Injector(branch.process.pid, branch.parts, branch.database, origin)
    rss: list[RssSample] = []
    rss_done = asyncio.Event()
    clients = [
        *(asyncio.create_task(recorder.kiosk(i, load), name=f"kiosk-{i}") for i in range(load.kiosks)),
        *(asyncio.create_task(recorder.app_chat(i, load), name=f"app-{i}") for i in range(load.app_chats)),
        *(asyncio.create_task(recorder.display(i), name=f"display-{i}") for i in range(load.displays)),
        *(asyncio.create_task(recorder.console(c, load), name=f"console-{c}") for c in recorder.counters),
        asyncio.create_task(recorder.probe(), name="probe"),
    ]
    memory = asyncio.create_task(sample_rss(branch.process.pid, branch.parts, rss, rss_done), name="rss")
    faults = asyncio.create_task(injector.run(options.faults, stop_at), name="faults")
    load_at_start = os.getloadavg()[0]
    await asyncio.sleep(options.seconds)
    load_at_end = os.getloadavg()[0]
    rss_done.set()
    await memory
    _, late = await asyncio.wait(clients, timeout=options.drain_s + 60)
    for task in late:
        log.warning("client %s still running after the drain; cancelled", task.get_name())
        task.cancel()
    try:
        await asyncio.wait_for(faults, timeout=max(0.0, stop_at + 450 - time.monotonic()))
    except TimeoutError:
        log.error("the fault injector did not finish")
    first_fault = min((w.started for w in injector.windows if w.started), default=stop_at)
    return {
        "minutes": round(options.seconds / 60, 2),
        "database": "sqlite" if branch.database.startswith("sqlite") else "postgresql",
        "clients": {
            "kiosks": load.kiosks,
            "app_chats": load.app_chats,
            "displays": load.displays,
            "consoles": load.consoles,
        },
        "schedule": ",".join(fault.spec() for fault in options.faults),
        # The machine's 1-minute load average (other work on it slows every latency here).
        "load_average": {"start": round(load_at_start, 2), "end": round(load_at_end, 2), "cpus": os.cpu_count()},
        **latency_by_phase(recorder, injector.windows, origin),
        **errors_by_kind(recorder.samples),
        "hub_answering": hub_answering(recorder.samples, injector.windows, stop_at),
        "displays": display_report(recorder, load.displays),
        "rss": rss_report(rss, first_fault, origin),
        "_recorder": recorder,
    }


def read_tickets(database: str) -> list[StoredTicket]:
    """Every ticket in the database, read after the branch has stopped."""
    query = "SELECT id, number, business_date, idempotency_key, channel FROM tickets"
    if database.startswith("sqlite"):
        connection = sqlite3.connect(database.split(":///", 1)[1], timeout=30)
        try:
            rows = connection.execute(query).fetchall()
        finally:
            connection.close()
    else:
        import asyncpg

        async def fetch() -> list[Any]:
            connection = await asyncio.wait_for(asyncpg.connect(database), 10)
            try:
                return list(await connection.fetch(query))
            finally:
                await connection.close()

        rows = asyncio.run(fetch())
    return [StoredTicket(str(r[0]), str(r[1]), str(r[2]), r[3], str(r[4])) for r in rows]


def supervisor_lines(output: Path, limit: int = 60) -> list[str]:
    """What `lobby up`'s supervisor said about deaths and restarts (evidence that it, not the soak, restarted)."""
    lines = output.read_text(errors="replace").splitlines()
    return [line[:300] for line in lines if any(word in line for word in SUPERVISOR_WORDS)][:limit]


def bars(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Issue 13's bars, each with the figure it was judged on."""
    books = result["audit"]
    answering = result["hub_answering"]["probe"]["share"]
    windows = result["faults"]
    stop = result["branch"]["stop"]
    return {
        "none_lost": {
            "met": not books["lost"] and books["acknowledged"] == books["present"],
            "acknowledged": books["acknowledged"],
            "present": books["present"],
        },
        "no_duplicates": {"met": books["duplicate_count"] == 0, "duplicates": books["duplicate_count"]},
        "hub_answering": {
            "met": answering is not None and answering >= ANSWERING_BAR,
            "share": answering,
            "bar": ANSWERING_BAR,
        },
        "rss_growth": {"met": result["rss"]["met"], "bar_pct": result["rss"]["bar_pct"]},
        "every_part_restarted": {"met": all(window["recovered"] for window in windows), "faults": len(windows)},
        "clean_stop": {"met": stop.get("exit_code") == 0 and not stop.get("ports_still_held"), **stop},
    }
