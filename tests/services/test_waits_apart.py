"""The wait projections' process (assistant/services/waits/apart.py, child.py): the same estimates as
in the hub, no GIL shared with the requests, and no process left behind whatever happens to the hub."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from assistant.domain.clock import FakeClock
from assistant.services.runtime import HubServices, open_hub
from assistant.services.waits import WaitTimes
from assistant.services.waits.apart import Estimates, Projector, ProjectorGone
from assistant.settings import Settings, ordering_policy
from assistant.store.db import create_engine, session_factory
from tests.support import ALWAYS_OPEN

TUESDAY_10 = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
async def hub(settings: Settings) -> AsyncIterator[HubServices]:
    """The hub's services on a file database (what `lobby serve` runs, without the HTTP in front)."""
    services = await open_hub(settings, settings.database_url(), FakeClock(TUESDAY_10))
    try:
        yield services
    finally:
        await services.close()


async def take(hub: HubServices, service: str, priority: str = "normal") -> str:
    view, created = await hub.branch.issue_ticket(service, "kiosk", "en", priority)
    assert created
    return view.id


async def fill(hub: HubServices) -> None:
    for service, priority in [("cash", "normal"), ("cards", "normal"), ("cash", "priority")] * 4:
        await take(hub, service, priority)


async def test_the_process_projects_exactly_what_the_hub_would(hub: HubServices, settings: Settings) -> None:
    """Same database, same moment, same code: the child's estimates equal a projection made in the hub."""
    await fill(hub)
    url = settings.database_url()
    projector = Projector(settings, url)
    await projector.start()
    try:
        assert projector.process is not None  # no prefork in a test app: spawned
        apart = await projector.project(TUESDAY_10)
    finally:
        await projector.close()
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:  # a fresh WaitTimes: learns from the same rows
            here = await WaitTimes(settings, FakeClock(TUESDAY_10), ordering_policy(settings)).project(session)
    finally:
        await engine.dispose()
    assert isinstance(apart, Estimates)
    waiting = [key for key in here if not key.startswith("ghost-")]
    assert len(waiting) == 12 and set(apart) == set(here)
    assert {key: apart[key] for key in apart} == dict(here)


async def test_closing_kills_the_process_at_once(settings: Settings, hub: HubServices) -> None:
    await fill(hub)
    projector = Projector(settings, settings.database_url())
    await projector.start()
    pid = projector.pid
    assert pid is not None and _alive(pid)
    started = time.monotonic()
    await projector.close()
    assert time.monotonic() - started < 2
    assert not _alive(pid)
    with pytest.raises(ProjectorGone):
        await projector.project(TUESDAY_10)


async def test_a_hub_moves_slow_projections_apart_and_replaces_a_dead_process(
    hub: HubServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WaitTimes, "APART_AFTER", 0.0)  # every projection counts as slow
    monkeypatch.setattr(WaitTimes, "RESTART_SECONDS", 0.0)
    monkeypatch.setattr(WaitTimes, "BUDGET", 1.0)  # no budget wait between background projections
    waits = hub.branch.waits
    assert waits.projector is None  # no prefork here, and nothing slow yet
    await take(hub, "cash")
    await waits.settle()
    first = await _projector(waits)
    await take(hub, "cards")
    await waits.settle()
    assert isinstance(waits._latest.estimates, Estimates)  # type: ignore[union-attr]  # made by the child
    os.kill(first, signal.SIGKILL)
    ticket = await take(hub, "cash")  # the child is dead: a thread projects, and a new child starts
    await waits.settle()
    latest = waits._latest
    assert latest is not None and ticket in latest.estimates
    second = await _projector(waits)
    assert second != first
    await take(hub, "cards")
    await waits.settle()
    assert isinstance(waits._latest.estimates, Estimates)  # type: ignore[union-attr]


async def test_a_hub_on_an_in_memory_database_keeps_its_projections_in_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.settings import load_settings

    monkeypatch.setattr(WaitTimes, "APART_AFTER", 0.0)
    settings = load_settings(Path(__file__).parents[2] / "branch.yml", environ={})
    waits = WaitTimes(settings, FakeClock(TUESDAY_10), ordering_policy(settings))
    waits.work_apart("sqlite+aiosqlite:///:memory:")
    waits.work_apart("sqlite://")
    assert waits._database_url is None and waits.projector is None


def test_lobby_serve_forks_its_projection_process_and_takes_it_down(
    start_hub: Callable[..., str], tmp_path: Path
) -> None:
    """A real `lobby serve`: its projection process is a fork of it, made before serving; SIGTERM to the hub
    takes it down; and so does SIGKILL (the child sees its socket close)."""
    for how in (signal.SIGTERM, signal.SIGKILL):
        url = start_hub(f"sqlite:///{tmp_path / f'hub-{how}.db'}", ALWAYS_OPEN)
        hub = _pid_listening(url)
        children = _children(hub)
        assert len(children) == 1, children
        child = children[0]
        assert Path(f"/proc/{child}/cmdline").read_bytes() == Path(f"/proc/{hub}/cmdline").read_bytes()
        assert Path(f"/proc/{child}/comm").read_text().strip() == "lobby-waits"  # what ps -o comm shows
        for _ in range(3):  # tickets and their tracking: the hub answers with the child's estimates
            ticket = httpx.post(f"{url}/api/v1/tickets", json={"service": "cash"}, timeout=10).json()
            assert ticket["eta_minutes"] is not None
        os.kill(hub, how)
        _wait_gone(hub)
        _wait_gone(child)


async def _projector(waits: WaitTimes) -> int:
    for _ in range(200):
        if waits.projector is not None and waits.projector.pid is not None:
            return waits.projector.pid
        await asyncio.sleep(0.05)
    raise AssertionError("no projection process started")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pid: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        assert time.monotonic() < deadline, f"process {pid} is still there"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(n) for n in (task / "children").read_text().split()]
    return [p for p in found if _alive(p)]


def _pid_listening(url: str) -> int:
    port = int(url.rsplit(":", 1)[1])
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd).removeprefix("socket:[").rstrip("]") in inodes:
                    return int(proc.name)
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
    raise AssertionError(f"nobody listens on {port}")
