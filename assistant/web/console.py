"""The counter console (/console) and the staff-only reads it needs.

The page itself acts through the counter API (`assistant.web.counters`); this blueprint adds
what that API does not give: the branch's counters, services and outcome codes with the
recall/no-show rules (`GET /api/v1/console/config`), each counter's ticket with its recall count
and the no-show cooldown left (`GET /api/v1/console/counters`), and the tickets in line
(`GET /api/v1/tickets?status=waiting,parked&service=`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file, json

from assistant.domain.errors import InvalidInput
from assistant.domain.staff import Role
from assistant.domain.tickets import OrderingPolicy, TicketStatus
from assistant.i18n import language
from assistant.services import listings
from assistant.services.listings import QUEUED, Desk, DeskTicket, QueuedTicket
from assistant.settings import Settings
from assistant.web.apidoc import Reply, operation
from assistant.web.auth import requires
from assistant.web.schemas_staff import ConsoleConfig, Desks, QueuedTickets, StaffLangQuery, TicketsQuery
from assistant.web.screens import STATIC

bp = Blueprint("console")

_ASSETS = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}


# -- the page -------------------------------------------------------------------


@bp.get("/console")
@operation("The counter console (screen)", replies={200: Reply("the page", media="text/html")})
async def console_page(request: Request) -> HTTPResponse:
    """The counter console: sign in with a staff token, pick a counter, run it (keyboard or mouse)."""
    return await file(STATIC / "console.html", mime_type="text/html; charset=utf-8")


@bp.get("/console/<asset:console\\.(?:js|css)>")
@operation(
    "The console's script or style",
    path={"asset": {"type": "string", "enum": sorted(_ASSETS)}},
    replies={200: Reply("the file", media=("text/javascript", "text/css"))},
    errors={404: "not_found: no such asset"},
)
async def console_asset(request: Request, asset: str) -> HTTPResponse:
    return await file(STATIC / asset, mime_type=_ASSETS[asset])


# -- staff reads ----------------------------------------------------------------


def outcome_label(code: str) -> str:
    """'could_not_help' -> 'Could not help'."""
    text = code.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _minutes(since: datetime, now: datetime) -> float:
    return round(max(0.0, (now - since).total_seconds()) / 60, 1)


@bp.get("/api/v1/console/config")
@operation(
    "What the console needs to draw itself",
    query=StaffLangQuery,
    replies={200: Reply("counters, services, outcomes, recall and no-show rules", ConsoleConfig)},
)
@requires(Role.TELLER)
async def console_config(request: Request) -> HTTPResponse:
    """What the console needs to draw itself: counters, services, finish outcomes, recall and no-show rules."""
    settings: Settings = request.app.ctx.settings
    lang = request.args.get("lang", "en")
    return json(
        {
            "branch": {"id": settings.branch.id, "name": settings.branch.display_name(lang)},
            "timezone": settings.branch.timezone,
            "role": str(request.ctx.role),
            "counters": [{"id": c.id, "name": c.display_name(lang), "skills": c.skills} for c in settings.counters],
            "services": [{"id": s.id, "name": s.display_name(lang), "prefix": s.prefix} for s in settings.services],
            "outcomes": [{"code": code, "label": outcome_label(code)} for code in settings.queue.outcomes],
            "max_recalls": settings.queue.max_recalls,
            "no_show_after_seconds": settings.queue.no_show_after_seconds,
            "priority_classes": list(settings.priority.classes),
        }
    )


def _ticket_basics(ticket: DeskTicket | QueuedTicket, settings: Settings, lang: str) -> dict[str, Any]:
    """What every ticket row of the console carries."""
    service = settings.service(ticket.service_id)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service_id,
        "service_name": service.display_name(lang) if service else ticket.service_id,
        "status": str(ticket.status),
        "priority": str(ticket.priority),
        "issued_at": ticket.issued_at.isoformat(),
        # Where it came from: a remote ticket (the bank's app) is "on the way" until its customer checks in.
        "channel": ticket.origin.channel,
        # The customer's language ("en" | "zh"): the teller greets them in it.
        "lang": language(ticket.origin.lang),
        "remote": ticket.origin.remote,
        "on_the_way": ticket.origin.on_the_way,
        "arrived_at": ticket.origin.arrived_at.isoformat() if ticket.origin.arrived_at else None,
    }


ONLINE = ("mobile", "web")


def _booking_json(ticket: DeskTicket | QueuedTicket) -> dict[str, Any] | None:
    """The appointment a ticket was checked in for: when, who, booked online or not, and why they came
    (intent and notes given when booking), so the teller does not ask again."""
    if not ticket.appointment_code:
        return None
    booked = ticket.booked
    return {
        "code": ticket.appointment_code,
        "starts_at": booked.starts_at.isoformat() if booked else None,
        "name": booked.name if booked else None,
        "channel": booked.channel if booked else None,
        "online": bool(booked and booked.channel in ONLINE),
        "intent": booked.intent if booked else None,
        "notes": booked.notes if booked else None,
    }


def _desk_ticket_json(ticket: DeskTicket, settings: Settings, now: datetime, lang: str) -> dict[str, Any]:
    queue = settings.queue
    remaining = 0.0
    if ticket.status is TicketStatus.CALLED and ticket.called_at is not None:
        remaining = max(0.0, queue.no_show_after_seconds - (now - ticket.called_at).total_seconds())
    return {
        **_ticket_basics(ticket, settings, lang),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "started_at": ticket.started_at.isoformat() if ticket.started_at else None,
        "waited_minutes": _minutes(ticket.issued_at, ticket.called_at or now),
        "recalls": ticket.recalls,
        "max_recalls": queue.max_recalls,
        # The hub turns the recall past the limit into a no-show (Ticket.recall).
        "next_recall_is_no_show": ticket.recalls >= queue.max_recalls,
        # Seconds until the hub accepts a no-show (each call and recall restarts the wait).
        "no_show_in_seconds": round(remaining, 1),
        "transfers": ticket.transfers,
        "intent": ticket.intent,
        "appointment_code": ticket.appointment_code,
        "appointment": _booking_json(ticket),
    }


def _desk_json(desk: Desk, settings: Settings, now: datetime, lang: str) -> dict[str, Any]:
    counter = next(c for c in settings.counters if c.id == desk.counter_id)
    return {
        "id": counter.id,
        "name": counter.display_name(lang),
        "state": desk.state,
        "away_until": desk.away_until.isoformat() if desk.away_until else None,  # on a break: due back
        "skills": counter.skills,
        "ticket": _desk_ticket_json(desk.ticket, settings, now, lang) if desk.ticket else None,
    }


@bp.get("/api/v1/console/counters")
@operation(
    "Every counter's state and ticket, with recalls and the no-show cooldown",
    query=StaffLangQuery,
    replies={200: Reply("the counters now", Desks)},
)
@requires(Role.TELLER)
async def console_counters(request: Request) -> HTTPResponse:
    """Every counter's state and its ticket, with recalls made and the no-show cooldown left."""
    branch = request.app.ctx.branch
    settings: Settings = request.app.ctx.settings
    lang = request.args.get("lang", "en")
    now = branch.clock.now()
    desks = await listings.desks(branch, [c.id for c in settings.counters])
    return json({"counters": [_desk_json(d, settings, now, lang) for d in desks], "at": now.isoformat()})


def _statuses(raw: str | None) -> tuple[TicketStatus, ...]:
    if not raw:
        return QUEUED
    allowed = {status.value: status for status in QUEUED}
    wanted = []
    for part in raw.split(","):
        status = allowed.get(part.strip())
        if status is None:
            raise InvalidInput(f"status must be one or more of {sorted(allowed)}, got {part.strip()!r}")
        wanted.append(status)
    return tuple(dict.fromkeys(wanted))


def _counter_name(settings: Settings, counter_id: str | None, lang: str) -> str | None:
    return next((c.display_name(lang) for c in settings.counters if c.id == counter_id), counter_id)


def _queued_json(
    ticket: QueuedTicket, settings: Settings, policy: OrderingPolicy, now: datetime, lang: str, position: int | None
) -> dict[str, Any]:
    # Waited past priority.age_boost_minutes: the policy lifts it one class.
    base = policy.class_level(ticket.priority, ticket.issued_at, ticket.issued_at)
    boosted = (
        ticket.status is TicketStatus.WAITING and policy.class_level(ticket.priority, ticket.issued_at, now) < base
    )
    return {
        **_ticket_basics(ticket, settings, lang),
        "boosted": boosted,
        "position": position,
        "waited_minutes": _minutes(ticket.issued_at, now),
        "intent": ticket.intent,
        "appointment": _booking_json(ticket),
        "target_counter": ticket.target_counter_id,
        "target_counter_name": (
            _counter_name(settings, ticket.target_counter_id, lang) if ticket.target_counter_id else None
        ),
        "parked_by": ticket.parked_by,
        "parked_by_name": _counter_name(settings, ticket.parked_by, lang) if ticket.parked_by else None,
        "transfers": ticket.transfers,
    }


@bp.get("/api/v1/tickets")
@operation(
    "The tickets in line (waiting and parked)",
    query=TicketsQuery,
    replies={200: Reply("each service's waiting tickets in the policy's order, then its parked ones", QueuedTickets)},
    errors={422: "invalid_input: an unknown status, or unknown_service"},
)
@requires(Role.TELLER)
async def list_tickets(request: Request) -> HTTPResponse:
    """Tickets in line: `status` = waiting, parked or both (default), comma-separated; `service` narrows it.

    Each service's waiting tickets come in the policy's order for that service (`position`, 1 = next),
    then its parked tickets; services in branch.yml order.
    """
    branch = request.app.ctx.branch
    settings: Settings = request.app.ctx.settings
    statuses = _statuses(request.args.get("status"))
    service_id = request.args.get("service") or None
    if service_id is not None and settings.service(service_id) is None:
        raise InvalidInput(f"unknown service {service_id!r}", code="unknown_service")
    lang = request.args.get("lang", "en")
    now = branch.clock.now()
    policy: OrderingPolicy = branch.policy
    tickets = await listings.queued(branch, statuses, service_id)
    order = {service.id: index for index, service in enumerate(settings.services)}

    def rank(ticket: QueuedTicket) -> tuple[Any, ...]:
        waiting = ticket.status is TicketStatus.WAITING
        level = policy.class_level(ticket.priority, ticket.issued_at, now) if waiting else 0
        return (order.get(ticket.service_id, len(order)), not waiting, level, ticket.issued_at, ticket.id)

    out = []
    place: dict[str, int] = {}
    for ticket in sorted(tickets, key=rank):
        position = None
        if ticket.status is TicketStatus.WAITING:
            position = place[ticket.service_id] = place.get(ticket.service_id, 0) + 1
        out.append(_queued_json(ticket, settings, policy, now, lang, position))
    return json({"tickets": out, "at": now.isoformat()})
