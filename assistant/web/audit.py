"""The audit trail over HTTP (managers), who is acting, and the personal-data retention job.

* `GET /api/v1/audit?since=&until=&actor=&action=&limit=&before=` (manager or admin): entries newest
  first. `since` / `until` are dates (YYYY-MM-DD, branch-local; `until` inclusive) or ISO times
  with an offset; `actor` a token's name or id (or `hub`, an operator's user name); `action` one or
  more actions, comma-separated, `ticket.*` for a family; `limit` 1..1000 (100); `before` an entry id
  (the previous page's `next_before`).
* `GET /api/v1/audit.csv` (same filters, oldest first, no limit but the store's cap): the
  dashboard's "Download audit log" button.
* `actor_of(request)`: the staff or device token behind a request that passed `auth.requires`, as
  an audit `Actor`; the writing transaction resolves it to the token's id and name.
* The retention purge (`assistant.store.retention`) runs on every hub process: shortly after start,
  then every `retention.check_minutes`.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json, raw

from assistant.domain.audit import Actor, ActorKind, AuditAction, AuditEntry
from assistant.domain.errors import InvalidInput
from assistant.domain.staff import Role
from assistant.events import periodic
from assistant.services.audit import (
    MAX_LIMIT,
    AuditQuery,
    PurgeResult,
    audit_csv,
    bearer_actor,
    export_entries,
    find_entries,
    scheduled_purge,
)
from assistant.settings import Settings
from assistant.web.apidoc import Reply, operation
from assistant.web.auth import requires, role_of_request
from assistant.web.schemas_staff import AuditPage
from assistant.web.schemas_staff import AuditQuery as AuditFilters

log = logging.getLogger(__name__)

bp = Blueprint("audit", url_prefix="/api/v1")

DEFAULT_LIMIT = 100
FIRST_PURGE_SECONDS = 5.0
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FAMILIES = frozenset(action.value.partition(".")[0] for action in AuditAction)


def actor_of(request: Request) -> Actor:
    """Who made this request: the credential `auth` verified (token id, name, role), else the bearer
    token it checked, which the writing transaction resolves."""
    credential = getattr(request.ctx, "credential", None)
    token_id = getattr(credential, "token_id", None)
    if credential is not None and token_id:
        name = getattr(credential, "name", "") or f"token {token_id[:8]}"
        return Actor(ActorKind.TOKEN, name, str(getattr(credential, "role", "")), token_id)
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    role = getattr(request.ctx, "role", None)
    return bearer_actor(token, str(role) if role is not None else "")


STAFF_ROLES = frozenset({Role.TELLER, Role.MANAGER, Role.ADMIN})


async def staff_actor(request: Request) -> Actor | None:
    """On a route customers use too (cancel a ticket or booking, check in): the staff member acting for
    the customer, when the request carries a staff token (checked here if no guard did: a wrong one is
    a 401); None for the customer themself or a kiosk (a device acting for its customer), whose routine
    actions are not audited."""
    credential = getattr(request.ctx, "credential", None)
    role = getattr(credential, "role", None) or getattr(request.ctx, "role", None)
    if role is None and "authorization" in request.headers:
        role = request.ctx.role = await role_of_request(request)
    if role is None or str(role) not in STAFF_ROLES:
        return None
    return actor_of(request)


# -- the query -------------------------------------------------------------------------------


def _moment(name: str, text: str, zone: ZoneInfo, end_of_day: bool) -> datetime:
    """A date (branch-local; `end_of_day`: the midnight after it) or an ISO time (branch-local without
    an offset), as UTC; 422 `invalid_time` for anything else, years 1 and 9999 included."""
    wrong = InvalidInput(
        f"{name} must be a date YYYY-MM-DD or an ISO time with an offset, got {text[:40]!r}", code="invalid_time"
    )
    try:
        if _DATE.match(text):
            start = datetime.combine(date.fromisoformat(text), time(0), zone)
            moment = start + timedelta(days=1) if end_of_day else start
        else:
            moment = datetime.fromisoformat(text)
            moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise wrong from None


def _actions(text: str) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    for action in wanted:
        known = action[:-2] in _FAMILIES if action.endswith(".*") else action in AuditAction._value2member_map_
        if not known:
            raise InvalidInput(
                f"unknown action {action[:40]!r}; one of {sorted(a.value for a in AuditAction)} or a family "
                f"such as {sorted(f + '.*' for f in _FAMILIES)}",
                code="unknown_action",
            )
    return wanted


def _int(name: str, text: str | None, default: int | None, low: int, high: int) -> int | None:
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:  # isdigit(): fullwidth digits too
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}, got {text[:20]!r}")
    return int(text)


def parse_query(args: Any, timezone: str) -> AuditQuery:
    """The manager's filters from the query string; bad ones -> InvalidInput (422)."""
    zone = ZoneInfo(timezone)
    since = _moment("since", args.get("since"), zone, False) if args.get("since") else None
    until = _moment("until", args.get("until"), zone, True) if args.get("until") else None
    if since is not None and until is not None and since >= until:
        raise InvalidInput("since must be before until", code="invalid_range")
    return AuditQuery(
        since=since,
        until=until,
        actor=(args.get("actor") or "").strip() or None,
        actions=_actions(args.get("action") or ""),
        before_id=_int("before", args.get("before"), None, 1, 2**31 - 1),  # an INTEGER id
        limit=_int("limit", args.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT) or DEFAULT_LIMIT,
    )


# -- output ----------------------------------------------------------------------------------


def _local(entry: AuditEntry, zone: ZoneInfo) -> dict[str, Any]:
    data = entry.to_json()
    data["at"] = entry.at.astimezone(zone).isoformat()
    return data


# -- routes ----------------------------------------------------------------------------------


@bp.get("/audit")
@operation(
    "The audit trail, newest first (managers)",
    query=AuditFilters,
    replies={200: Reply("a page of entries", AuditPage)},
    errors={422: "invalid_time, invalid_range, unknown_action, or limit or before out of range"},
)
@requires(Role.MANAGER)
async def read_audit(request: Request) -> HTTPResponse:
    """Audit entries, newest first (filters in the module docstring); `next_before` pages on."""
    settings: Settings = request.app.ctx.settings
    query = parse_query(request.args, settings.branch.timezone)
    entries = await find_entries(request.app.ctx.sessions, query)
    zone = ZoneInfo(settings.branch.timezone)
    more = len(entries) == query.limit and entries[-1].id is not None
    return json({
        "entries": [_local(entry, zone) for entry in entries],
        "next_before": entries[-1].id if more else None,
        "timezone": settings.branch.timezone,
    })  # fmt: skip


@bp.get("/audit.csv")
@operation(
    "The audit trail as CSV, oldest first (managers)",
    query=AuditFilters,
    replies={200: Reply("RFC 4180, with a header row", media="text/csv")},
    errors={422: "invalid_time, invalid_range, unknown_action, or limit or before out of range"},
)
@requires(Role.MANAGER)
async def audit_csv_export(request: Request) -> HTTPResponse:
    """Every matching entry, oldest first, as CSV (RFC 4180, header row)."""
    settings: Settings = request.app.ctx.settings
    query = parse_query(request.args, settings.branch.timezone)
    entries = await export_entries(request.app.ctx.sessions, query)
    body = audit_csv(entries, ZoneInfo(settings.branch.timezone))
    days = [request.args.get(key) or "" for key in ("since", "until")]
    name = "-".join(["audit", *(day for day in days if _DATE.match(day))])
    return raw(
        body.encode("utf-8"),
        content_type="text/csv; charset=utf-8; header=present",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


# -- retention -------------------------------------------------------------------------------


async def purge_now(app: Sanic) -> PurgeResult:
    """One retention run on the hub's clock, as the hub itself."""
    return await scheduled_purge(app.ctx.settings, app.ctx.sessions, app.ctx.branch.clock.now())


@bp.after_server_start
async def start_retention(app: Sanic) -> None:
    started = False

    def interval() -> float:
        """Short the first time (a hub restarted often still purges), then `retention.check_minutes`."""
        nonlocal started
        every = float(app.ctx.settings.retention.check_minutes) * 60
        first, started = not started, True
        return min(FIRST_PURGE_SECONDS, every) if first else every

    periodic.start(app.ctx, "retention", interval, lambda: purge_now(app), "purging old personal data")


@bp.before_server_stop
async def stop_retention(app: Sanic) -> None:
    await periodic.stop(app.ctx, "retention")


def install(app: Sanic) -> None:
    """The one call in `create_app`: the audit API and the retention job."""
    app.blueprint(bp)


__all__ = ["actor_of", "audit_csv", "bp", "install", "parse_query", "purge_now", "staff_actor"]
