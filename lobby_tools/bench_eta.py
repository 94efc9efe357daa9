"""`lobby bench eta`: what an ETA costs with 200 tickets waiting (the bar: 2 ms a ticket).

Two measurements on the demo branch (branch.yml), at a Tuesday's lunch peak with 200 tickets waiting
across its services, two counters busy and one free, the wait model learned from eight simulated days:

* `model`: `WaitModel.estimate` for every waiting ticket at once (one event refreshes every open
  tracking page) and for one ticket (`only`, a single GET), in process;
* `hub`: the hub's own path (assistant/web/waits.py) on a real SQLite database holding those tickets:
  the snapshot read from the database, the model (cached as the hub caches it), the estimates for all.
Each is the median of `--eta-repeats` runs; per ticket = the time for all / 200.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from assistant.domain.clock import FakeClock, business_date
from assistant.domain.eta import CounterNow, QueueSnapshot, WaitModel
from assistant.domain.tickets import Priority, Ticket, TicketStatus, format_number
from assistant.settings import Settings, load_settings
from lobby_tools.simulation.day import day_history, load_day
from lobby_tools.simulation.engine import policy_from_settings
from lobby_tools.simulation.knowledge import Knowledge

WAITING = 200


def _line(settings: Settings, now: datetime, count: int) -> list[Ticket]:
    services = [s for s in settings.services]
    tickets = []
    for index in range(count):
        service = services[index % len(services)]
        priority = Priority.PRIORITY if index % 10 == 3 else Priority.NORMAL
        tickets.append(
            Ticket(
                id=uuid.uuid4().hex, number=format_number(service.prefix, index + 1), service_id=service.id,
                business_date=business_date(now, settings.branch.timezone), channel="kiosk", lang="en",
                priority=priority, status=TicketStatus.WAITING, issued_at=now - timedelta(seconds=9 * (count - index)),
                arrived_at=now - timedelta(seconds=9 * (count - index)),
            )
        )  # fmt: skip
    return tickets


def _timed(job: Callable[[], Any], repeats: int) -> float:
    """Median milliseconds of `repeats` runs of `job`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_model(settings: Settings, repeats: int) -> dict[str, Any]:
    day = load_day(settings, "demo")
    zone = ZoneInfo(settings.branch.timezone)
    now = datetime.combine(day.date, datetime.strptime("12:30", "%H:%M").time(), tzinfo=zone)
    seeds = {s.id: s.handling_minutes for s in settings.services}
    skills = {c.id: dict(c.skills) for c in settings.counters}
    knowledge = Knowledge.learn(day_history(settings, day, 1, 8), policy_from_settings(settings), seeds, skills)
    model = WaitModel(knowledge.policy, knowledge.handling, knowledge.arrivals, knowledge.patience, knowledge.delays)
    waiting = _line(settings, now, WAITING)
    until = now + timedelta(hours=5)
    busy = now - timedelta(minutes=3)
    counters = [
        CounterNow(c.id, dict(c.skills), ((now, until),), serving=service, since=busy if service else None)
        for c, service in zip(settings.counters, ("cash", "cards", None), strict=False)
    ]
    snapshot = QueueSnapshot(now, zone, tuple(waiting), tuple(counters), doors_close=now + timedelta(hours=4))
    estimates = model.estimate(snapshot)
    everyone = _timed(lambda: model.estimate(snapshot), repeats)
    last = waiting[-1].id
    one = _timed(lambda: model.estimate(snapshot, only=last), repeats)
    return {
        "waiting": WAITING,
        "runs_per_estimate": model.calibration.runs,
        "all_ms": round(everyone, 1),
        "per_ticket_ms": round(everyone / WAITING, 3),
        "one_ticket_ms": round(one, 1),
        "estimated": sum(1 for e in estimates.values() if e is not None),
    }


async def _bench_hub(settings: Settings, repeats: int) -> dict[str, Any]:
    from assistant.services.waits import WaitTimes
    from assistant.store.db import create_engine, migrate, session_factory
    from assistant.store.repo import CounterRepository, TicketRepository

    zone = ZoneInfo(settings.branch.timezone)
    day = load_day(settings, "demo")
    now = datetime.combine(day.date, datetime.strptime("12:30", "%H:%M").time(), tzinfo=zone)
    with tempfile.TemporaryDirectory(prefix="lobby-bench-eta-") as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'eta.db'}")
        await migrate(engine)
        sessions = session_factory(engine)
        async with sessions.begin() as session:
            await CounterRepository(session).ensure([c.id for c in settings.counters], "open", now)
            for ticket in _line(settings, now, WAITING):
                await TicketRepository(session).add(ticket)
        waits = WaitTimes(settings, FakeClock(now), policy_from_settings(settings))
        times = []
        for _ in range(repeats):
            start = time.perf_counter()  # what an event costs: a new line, a new projection
            async with sessions.begin() as session:
                found = await waits.project(session)
            times.append((time.perf_counter() - start) * 1000)
        await engine.dispose()
    everyone = statistics.median(times)
    return {
        "waiting": WAITING,
        "all_ms": round(everyone, 1),
        "per_ticket_ms": round(everyone / WAITING, 3),
        "estimated": sum(1 for e in found.values() if e is not None),
    }


def bench_eta(config: str, repeats: int = 5) -> dict[str, Any]:
    settings = load_settings(config)
    model = bench_model(settings, repeats)
    hub = asyncio.run(_bench_hub(settings, repeats))
    return {"model": model, "hub": hub, "bar_per_ticket_ms": 2.0, "within_bar": hub["per_ticket_ms"] <= 2.0}
