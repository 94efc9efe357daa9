"""`lobby backup`, `restore`, `purge` and `announcer`: the commands over the hub's use cases and clients.

Each loads the branch settings once and hands plain values to the use case or client it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lobby.common import settings_from

if TYPE_CHECKING:  # each command imports what it runs on when it runs: `lobby` itself starts light
    from assistant.store.retention import PurgeResult

log = logging.getLogger("lobby")


# -- lobby backup / lobby restore ------------------------------------------------------------


def _database(args: argparse.Namespace) -> str:
    return settings_from(args).database_url()


def cmd_backup(args: argparse.Namespace) -> int:
    from assistant.services.backup import DEFAULT_TIMEOUT_S, BackupError, backup

    try:
        report = backup(_database(args), Path(args.path), args.timeout or DEFAULT_TIMEOUT_S)
    except BackupError as exc:
        print(f"lobby backup: {exc}", file=sys.stderr)
        return 1
    print(report.line())
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from assistant.services.backup import DEFAULT_TIMEOUT_S, BackupError, restore

    try:
        report = restore(_database(args), Path(args.path), args.force, args.timeout or DEFAULT_TIMEOUT_S)
    except BackupError as exc:
        print(f"lobby restore: {exc}", file=sys.stderr)
        return 1
    print(report.line())
    return 0


def add_data_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    saved = command("backup", cmd_backup, "copy the database to PATH (consistent while the hub runs)")
    saved.add_argument("path", help="the backup file to write (an SQLite file, or a pg_dump archive)")
    back = command("restore", cmd_restore, "load a `lobby backup` file into an empty database")
    back.add_argument("path", help="the backup file to read")
    back.add_argument("--force", action="store_true", help="replace what the target database holds")
    for parser in (saved, back):
        parser.add_argument(
            "--timeout", type=float, default=None, help="seconds pg_dump/pg_restore may take (default half an hour)"
        )


# -- lobby purge -----------------------------------------------------------------------------


def cmd_purge(args: argparse.Namespace) -> int:
    from assistant.services.retention import purge
    from assistant.store.audit import operator
    from assistant.store.db import create_engine, migrate, session_factory

    settings = settings_from(args)

    async def run() -> PurgeResult:
        engine = create_engine(settings.database_url())
        try:
            await migrate(engine)
            now = datetime.now(UTC)
            return await purge(settings, session_factory(engine), now, operator(), args.dry_run, args.days)
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    print(json.dumps({"dry_run": bool(args.dry_run), **result.to_json()}, indent=2))
    return 0


def _days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of days, at least 1: {text!r}")
    return int(text)


def add_purge_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    purge_cmd = command("purge", cmd_purge, "blank customers' personal data older than retention.personal_data_days")
    purge_cmd.add_argument("--days", type=_days, default=None, help="keep this many days instead (at least 1)")
    purge_cmd.add_argument("--dry-run", action="store_true", help="count what would go; change nothing")


def cmd_announcer(args: argparse.Namespace) -> int:
    from announcer.service import TICKET_LANG, Announcer, counter_names, parse_languages, prepare_chime
    from hardware.speaker import speaker_from_config

    settings = settings_from(args)
    try:
        languages = parse_languages(args.lang or TICKET_LANG)
    except ValueError as exc:
        print(f"lobby announcer: {exc}")
        return 2
    voice_dir = settings.resolve(settings.hardware.voice_dir).absolute()
    speaker = speaker_from_config(args.speaker or settings.hardware.speaker, voice_dir)
    status = speaker.status()
    log.info("speaker: %s (%s)", status.state, status.detail)
    names = counter_names(settings.counters)
    hub_url = args.hub_url or settings.hub.public_url
    announcer = Announcer(hub_url, speaker, prepare_chime(voice_dir), languages, counters=names)
    try:
        asyncio.run(announcer.run())
    finally:
        speaker.close()
    return 0


def add_announcer_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    announcer = command("announcer", cmd_announcer, "say each ticket call on this PC's speaker (chime, then the call)")
    announcer.add_argument("--hub-url", default=None, help="the hub (default hub.public_url)")
    announcer.add_argument("--speaker", default=None, help="default | wav: | none: (default hardware.speaker)")
    announcer.add_argument(
        "--lang",
        default=None,
        help="languages the call is said in, in order: ticket (the ticket's own, default), en, zh or en,zh",
    )
