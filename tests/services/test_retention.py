"""Personal data retention on a fake clock and in a real hub: what is blanked, what stays, what is audited.

Bookings and ratings are made through the hub's own use cases 91 days before "now"; the purge (90 days)
blanks the customers' names, phones, notes and comments, keeps every number the dashboard shows,
audits what it did once, and leaves the blanked words nowhere in the database file.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest
from sqlalchemy import select, text

from assistant.domain.audit import Actor, ActorKind
from assistant.domain.clock import FakeClock
from assistant.domain.events import Event
from assistant.services.appointments import AppointmentService
from assistant.services.retention import purge
from assistant.services.tickets import BranchService
from assistant.settings import Settings
from assistant.store.appointments import AppointmentRow
from assistant.store.audit import AuditLog, AuditQuery
from assistant.store.db import create_engine, migrate, session_factory
from assistant.store.models import RatingRow
from assistant.web.dashboard import Dashboard, RatingCreate
from lobby.cli import main
from tests.support import ROOT

LONDON = ZoneInfo("Europe/London")
OLD_DAY = datetime(2025, 6, 9, 8, 30, tzinfo=LONDON)  # a Monday
NOW = OLD_DAY + timedelta(days=91)  # Monday 8 September
SECRET_WORDS = ("Ada Lovelace", "+44 20 7946 0000", "my late husband's loan", "The queue was long")


@dataclass
class Branch:
    settings: Settings
    database: Path
    clock: FakeClock
    appointments: AppointmentService
    dashboard: Dashboard
    sessions: object


async def _ignore(_event: Event) -> None:
    return None


@pytest.fixture
async def branch(settings: Settings, tmp_path: Path) -> AsyncIterator[Branch]:
    database = tmp_path / "lobby.db"
    engine = create_engine(f"sqlite:///{database}")
    clock = FakeClock(OLD_DAY)
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        hub = BranchService(settings, sessions, clock, _ignore)
        await hub.bootstrap()
        service = AppointmentService(settings, sessions, clock, _ignore, hub)
        yield Branch(settings, database, clock, service, Dashboard(settings, sessions, clock, _ignore), sessions)
    finally:
        await engine.dispose()


async def seed(branch: Branch, day: datetime, name: str, phone: str, notes: str, comment: str) -> str:
    """A booking with the customer's details and a rating with a comment, on `day`."""
    booked = await branch.appointments.book(
        "loans", day.replace(hour=10, minute=0), channel="mobile", lang="en", name=name, phone=phone, notes=notes
    )
    await branch.dashboard.rate(RatingCreate(score=2, channel="kiosk", comment=comment))
    return booked.code


def file_bytes(database: Path) -> bytes:
    """The database as it lies on disk: its file and its write-ahead log."""
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_purge_blanks_old_personal_data_keeps_the_statistics_and_audits_once(branch: Branch) -> None:
    old = await seed(branch, OLD_DAY, "Ada Lovelace", "+44 20 7946 0000", "my late husband's loan", SECRET_WORDS[3])
    branch.clock.advance(days=91)
    recent = await seed(branch, NOW, "Grace Hopper", "+44 20 7946 1111", "a new account", "Quick")
    day = OLD_DAY.date()
    before = (await branch.dashboard.report(day, day))["kpis"]
    on_disk = file_bytes(branch.database)
    assert all(word.encode() in on_disk for word in SECRET_WORDS)  # so the check below means something

    result = await purge(branch.settings, branch.sessions, NOW, Actor.system("retention"))  # type: ignore[arg-type]
    assert (result.appointments, result.ratings, result.days) == (1, 1, 90)

    async with branch.sessions.begin() as session:  # type: ignore[attr-defined]
        bookings = {row.code: row for row in (await session.execute(select(AppointmentRow))).scalars()}
        ratings = sorted(
            (row.created_at, row.score, row.comment) for row in (await session.execute(select(RatingRow))).scalars()
        )
        entries = await AuditLog(session).find(AuditQuery())
    assert (bookings[old].name, bookings[old].phone, bookings[old].notes) == (None, None, None)
    assert (bookings[old].service_id, bookings[old].status, bookings[old].channel) == ("loans", "booked", "mobile")
    assert (bookings[recent].name, bookings[recent].phone) == ("Grace Hopper", "+44 20 7946 1111")
    assert [(score, comment) for _, score, comment in ratings] == [(2, None), (2, "Quick")]
    assert (await branch.dashboard.report(day, day))["kpis"] == before  # the statistics did not move
    (entry,) = entries
    assert (str(entry.action), entry.actor.kind, entry.actor.name, entry.at) == (
        "retention.purge", ActorKind.SYSTEM, "retention", NOW,
    )  # fmt: skip
    assert entry.after is not None and (entry.after["appointments"], entry.after["ratings"]) == (1, 1)
    on_disk = file_bytes(branch.database)
    assert not [word for word in SECRET_WORDS if word.encode() in on_disk], "blanked words left in the file"

    again = await purge(branch.settings, branch.sessions, NOW, Actor.system("retention"))  # type: ignore[arg-type]
    assert again.changed == 0
    async with branch.sessions.begin() as session:  # type: ignore[attr-defined]
        assert len(await AuditLog(session).find(AuditQuery())) == 1  # nothing done, nothing written


async def test_conversations_in_rasas_tracker_store_are_deleted_when_old(branch: Branch) -> None:
    """Rasa's SQL tracker store next to the hub's SQLite file (dialogue.tracker_store default)."""
    tracker = branch.database.with_name("lobby-rasa.db")
    with sqlite3.connect(tracker) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                           "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), "
                           "action_name VARCHAR(255), data TEXT)")  # fmt: skip
        for sender, moment in (("old", OLD_DAY), ("new", NOW)):
            text = json.dumps({"event": "user", "text": "my name is Ada, call me on 07946 000000"})
            connection.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                               (sender, moment.timestamp(), text))  # fmt: skip
    result = await purge(branch.settings, branch.sessions, NOW, Actor.system("retention"))  # type: ignore[arg-type]
    assert result.conversation_events == 1
    with sqlite3.connect(tracker) as connection:
        assert connection.execute("SELECT sender_id FROM events").fetchall() == [("new",)]


def test_lobby_purge_counts_on_a_dry_run_then_blanks(settings: Settings, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = tmp_path / "cli.db"

    async def seed_old() -> None:  # a booking 91 days old by the real clock
        engine = create_engine(f"sqlite:///{database}")
        try:
            await migrate(engine)
            sessions = session_factory(engine)
            then = datetime.now(LONDON) - timedelta(days=91)
            monday = (then - timedelta(days=then.weekday())).replace(hour=8, minute=30, second=0, microsecond=0)
            clock = FakeClock(monday)
            configured = msgspec.structs.replace(
                settings, appointments=msgspec.structs.replace(settings.appointments, blackout_dates=())
            )
            hub = BranchService(configured, sessions, clock, _ignore)
            await hub.bootstrap()
            service = AppointmentService(configured, sessions, clock, _ignore, hub)
            await service.book("loans", monday.replace(hour=10, minute=0), channel="web", lang="en", name="Ada")
        finally:
            await engine.dispose()

    asyncio.run(seed_old())
    args = ["purge", "--database", f"sqlite:///{database}", "--config", str(ROOT / "branch.yml")]
    assert main([*args, "--dry-run"]) == 0
    counted = json.loads(capsys.readouterr().out)
    assert (counted["dry_run"], counted["appointments"]) == (True, 1)
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM appointments").fetchall() == [("Ada",)]
    assert main([*args, "--days", "100"]) == 0  # kept 100 days: not old enough
    assert json.loads(capsys.readouterr().out)["appointments"] == 0
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["appointments"] == 1
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM appointments").fetchall() == [(None,)]
        assert connection.execute("SELECT actor_kind, action FROM audit_log").fetchall() == [("cli", "retention.purge")]


@pytest.mark.timeout(90)
async def test_the_hub_purges_on_its_own_schedule(
    settings: Settings, tmp_path: Path, start_hub: Callable[..., str]
) -> None:
    """A real hub process with `retention.personal_data_days: 1`, checking every half second."""
    database = tmp_path / "hub.db"
    engine = create_engine(f"sqlite:///{database}")
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        rating = RatingCreate(score=5, channel="kiosk", comment="lovely staff")
        clock = FakeClock(datetime.now(LONDON) - timedelta(days=2))
        await Dashboard(settings, sessions, clock, _ignore).rate(rating)
    finally:
        await engine.dispose()
    env = {"LOBBY_RETENTION__PERSONAL_DATA_DAYS": "1", "LOBBY_RETENTION__CHECK_MINUTES": "0.008"}
    await asyncio.to_thread(start_hub, f"sqlite:///{database}", env)
    deadline = time.monotonic() + 30
    while True:
        with sqlite3.connect(database, timeout=10) as connection:
            comments = connection.execute("SELECT comment FROM ratings").fetchall()
            audit = connection.execute("SELECT actor_kind, actor_name, action FROM audit_log").fetchall()
        if comments == [(None,)] and audit:
            break
        assert time.monotonic() < deadline, f"not purged within 30 s: {comments} {audit}"
        await asyncio.sleep(0.25)
    assert audit == [("system", "retention", "retention.purge")]
    assert date.today()  # the hub ran on the real clock


async def test_conversations_in_the_rasa_schema_of_postgresql_are_deleted_when_old(
    settings: Settings, postgres_url: str
) -> None:
    """On PostgreSQL Rasa keeps conversations in the schema `rasa` of the hub's database."""
    engine = create_engine(postgres_url)
    try:
        await migrate(engine)
        async with engine.begin() as connection:
            await connection.execute(text("CREATE SCHEMA rasa"))
            await connection.execute(text(
                "CREATE TABLE rasa.events (id SERIAL PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255), "
                "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
            ))  # fmt: skip
            for sender, moment in (("old", OLD_DAY), ("new", NOW)):
                await connection.execute(
                    text(
                        "INSERT INTO rasa.events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')"
                    ),
                    {"s": sender, "t": moment.timestamp()},
                )
        on_postgres = msgspec.structs.replace(
            settings, hub=msgspec.structs.replace(settings.hub, database=postgres_url)
        )
        result = await purge(on_postgres, session_factory(engine), NOW, Actor.system("retention"))
        async with engine.begin() as connection:
            left = (await connection.execute(text("SELECT sender_id FROM rasa.events"))).all()
    finally:
        await engine.dispose()
    assert result.conversation_events == 1 and [tuple(row) for row in left] == [("new",)]
