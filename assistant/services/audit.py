"""The audit trail as managers read it, and the scheduled personal-data purge.

`assistant.web.audit` parses the manager's filters into an `AuditQuery` and serves the answers; the
reads (each its own transaction), the CSV and the purge the hub runs on a schedule are here.
`AuditQuery`, `MAX_LIMIT`, `bearer_actor` and `PurgeResult` are the store's values, named here so the
web layer reaches them through the use cases.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.audit import Actor, AuditEntry
from assistant.services.retention import purge
from assistant.settings import Settings
from assistant.store.audit import MAX_LIMIT, AuditLog, AuditQuery, bearer_actor
from assistant.store.retention import PurgeResult

CSV_COLUMNS = (
    "id", "at", "actor_kind", "actor_id", "actor_name", "actor_role", "action", "target_kind", "target_id",
    "counter", "before", "after",
)  # fmt: skip


async def find_entries(sessions: async_sessionmaker[AsyncSession], query: AuditQuery) -> list[AuditEntry]:
    """One page of entries matching `query`, newest first (at most `query.limit`)."""
    async with sessions.begin() as session:
        return await AuditLog(session).find(query)


async def export_entries(sessions: async_sessionmaker[AsyncSession], query: AuditQuery) -> list[AuditEntry]:
    """Every entry matching `query`, oldest first (no limit but the store's cap): for the CSV."""
    async with sessions.begin() as session:
        return await AuditLog(session).export(query)


def _cell(text: str | None) -> str:
    """Free text in a spreadsheet: never let it start a formula."""
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text


def _state(state: dict[str, Any] | None) -> str:
    return "" if state is None else json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def audit_csv(entries: list[AuditEntry], zone: ZoneInfo) -> str:
    """The entries as RFC 4180 CSV (as the visits CSV), times in the branch's zone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        actor = entry.actor
        writer.writerow([
            entry.id, entry.at.astimezone(zone).isoformat(), str(actor.kind), actor.id or "", _cell(actor.name),
            actor.role, str(entry.action), entry.target_kind, _cell(entry.target_id), entry.counter_id or "",
            _state(entry.before), _state(entry.after),
        ])  # fmt: skip
    return out.getvalue()


async def scheduled_purge(settings: Settings, sessions: async_sessionmaker[AsyncSession], now: datetime) -> PurgeResult:
    """One retention run as the hub itself (`assistant.services.retention.purge`)."""
    return await purge(settings, sessions, now, Actor.system("retention"))


__all__ = [
    "CSV_COLUMNS",
    "MAX_LIMIT",
    "AuditQuery",
    "PurgeResult",
    "audit_csv",
    "bearer_actor",
    "export_entries",
    "find_entries",
    "scheduled_purge",
]
