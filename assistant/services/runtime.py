"""The hub's running services: opened once when a hub process starts, closed when it stops.

`open_hub` is what `assistant.web.app` calls before serving: it opens the engine, brings the schema
up to date, makes the session factory, starts the event bus (local fan-out, plus the other hub
processes when `hub.events` says how), and builds the use cases on top. The web layer keeps the
objects on `app.ctx` under the names its handlers read; it never touches the database itself, so the
two database questions it has (is it there? was this error a busy database?) are answered here too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from assistant.domain.clock import Clock
from assistant.events.bus import EventBus
from assistant.services.appointments import AppointmentService
from assistant.services.counters import CounterService
from assistant.services.rasa import RasaClient
from assistant.services.tickets import BranchService
from assistant.settings import Settings
from assistant.store.db import create_engine, is_busy, migrate, session_factory

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HubServices:
    """Everything one hub process serves with; `close` releases it in the reverse order of opening."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    events: EventBus
    branch: BranchService
    appointments: AppointmentService
    counters: CounterService
    rasa: RasaClient

    async def close(self) -> None:
        await self.branch.waits.close()
        await self.events.aclose()
        await self.rasa.close()
        await self.engine.dispose()


async def open_hub(settings: Settings, database_url: str, clock: Clock) -> HubServices:
    """Open the database (migrated to the latest schema), the event bus and the use cases."""
    engine = create_engine(database_url)
    await migrate(engine)
    sessions = session_factory(engine)
    # Local fan-out, plus the other hub processes when hub.events says how (the URL is the engine's own).
    events = EventBus.from_config(settings.hub.events, database_url, settings.branch.id)
    await events.start()
    branch = BranchService(settings, sessions, clock, events.publish)
    branch.waits.work_apart(database_url)  # long lines: projections in a process of their own
    # Other hub processes' events (over the bus) change the line too: the estimates must know.
    events.watch(lambda _message: branch.waits.changed())
    await branch.bootstrap()
    await branch.waits.warm()  # the model learned, the first projection made, the projection process up
    appointments = AppointmentService(settings, sessions, clock, branch.publish, branch)
    counters = CounterService(branch)
    rasa = RasaClient(settings.dialogue.replica_urls(), settings.dialogue.timeout_seconds)
    return HubServices(engine, sessions, events, branch, appointments, counters, rasa)


async def ping_database(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Ask the database one trivial question; raises whatever keeps it from answering (the health probe)."""
    async with sessions() as session:
        await session.execute(text("SELECT 1"))


def database_busy(error: BaseException) -> bool:
    """Whether `error` means the database could not be had in time (retry: a 503), not a bug (a 500).

    The judgement is the store's (`assistant.store.db.is_busy`: SQLite locks, PostgreSQL lock and
    serialization states, an exhausted pool); the web layer asks here, since it does not import the store."""
    return is_busy(error)


__all__ = ["HubServices", "database_busy", "open_hub", "ping_database"]
