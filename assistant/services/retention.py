"""Personal data retention: the use case the hub runs on a schedule and `lobby purge` runs by hand.

`retention.personal_data_days` (branch.yml, default 90) says how long a customer's personal data is
kept: booking names, phones and notes and rating comments are blanked in the hub's database
(`assistant.store.retention`), and conversations older than that are deleted from Rasa's SQL tracker
store, wherever `dialogue.tracker_store` puts it. Anonymous facts stay, so statistics do not change.
Each run that removed anything leaves one `retention.purge` line in the audit log with the counts.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.audit import Actor
from assistant.services.conversations import conversation_stores
from assistant.settings import Settings
from assistant.store.retention import PurgeResult, delete_tracker_events, purge_personal_data

log = logging.getLogger(__name__)


def tracker_location(settings: Settings) -> tuple[str, str | None] | None:
    """(database URL, schema) of Rasa's SQL tracker store, or None (in memory, or not made yet)."""
    dialogue = settings.dialogue
    if getattr(dialogue, "tracker_store", "memory") == "memory":
        return None
    stores = conversation_stores(dialogue, settings.database_url(), Path(settings.base_dir), settings.branch.id)
    if stores.sqlite_file is not None:
        return (f"sqlite:///{stores.sqlite_file}", None) if stores.sqlite_file.exists() else None
    if stores.postgres_schema_url is not None:
        return stores.postgres_schema_url, str(stores.env.get("POSTGRESQL_SCHEMA") or "rasa")
    if stores.tracker is not None and make_url(dialogue.tracker_store).get_backend_name() == "postgresql":
        return dialogue.tracker_store, None
    return None


async def purge(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    actor: Actor,
    dry_run: bool = False,
    days: int | None = None,
) -> PurgeResult:
    """Delete old conversations from the tracker store, then blank the hub's personal fields and audit
    both in one transaction. A tracker store that cannot be reached is logged and skipped: the hub's
    own data is purged anyway, and the next run tries the conversations again."""
    keep = days or settings.retention.personal_data_days
    events = 0
    try:
        location = tracker_location(settings)
        if location is not None:
            events = await delete_tracker_events(*location, now - timedelta(days=keep), dry_run)
    except Exception:
        log.warning("retention: could not purge Rasa's conversations this time", exc_info=True)
    return await purge_personal_data(sessions, now, keep, actor, dry_run, conversation_events=events)


__all__ = ["purge", "tracker_location"]
