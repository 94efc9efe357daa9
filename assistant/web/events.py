"""Event fan-out: each WebSocket subscriber gets a bounded queue; a slow one is dropped, never waited for.

The fan-out is `assistant.events.hub.EventHub` (one process) and `assistant.events.bus.EventBus`
(the hub processes of a branch, DESIGN.md §7). Events travel whole between processes; what each
subscriber may see is decided here, at the edge, by the stream it opened:

* `GET /api/v1/events` (public: the lobby display, `lobby announcer`): what a lobby screen shows.
  Tickets by number, service, counter, status, place and language; never a ticket's id (the secret in
  its QR code and tracking URL, which lets its holder cancel it), a booking's code or name, or a
  kiosk's session. `staff.alert` and `service.alert` are not on it. Event names are those of DESIGN §4.
* `GET /api/v1/events/staff` (the console, the dashboard): everything, for a staff token (teller,
  manager or admin) sent as `Authorization: Bearer` or, from a browser, as the first message
  `{"token": "..."}` within `AUTH_SECONDS`. Refused: close 4401 (bad token), 4403 (a device token),
  4429 (this address sent too many wrong tokens).
* `GET /api/v1/tickets/{id}/events` (the tracking page `/t/{id}`): one ticket, for whoever holds its id.
  First `{"type": "snapshot", "ticket": {...}}`, then that ticket's own events with their names and
  `ticket.moved` when others moved its place or ETA, each with the ticket as it is now. 4404: no such ticket.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from sanic import Blueprint, Request
from sanic.server.websockets.impl import WebsocketImplProtocol

from assistant.domain.errors import LobbyError, NotFound, RateLimited, Unauthorized
from assistant.domain.staff import Role, allows
from assistant.events.hub import EventHub
from assistant.web.apidoc import Reply, operation
from assistant.web.auth import client_address
from assistant.web.schemas import EventMessage

log = logging.getLogger(__name__)

AUTH_SECONDS = 5.0  # a staff stream's browser sends its token as the first message within this time

# What the public stream shows of a ticket, a counter and a booking: what a lobby screen may show.
PUBLIC_TICKET = (
    "number", "service", "service_name", "status", "position", "eta_minutes",
    "counter", "counter_name", "priority", "remote", "outcome", "lang",
)  # fmt: skip
PUBLIC_COUNTER = ("id", "name", "state")
PUBLIC_APPOINTMENT = ("service", "service_name", "starts_at", "ends_at", "status")
PUBLIC_DEVICE = ("id", "state", "detail")
COUNTER_EVENTS = frozenset({"counter.opened", "counter.closed"})

# WebSocket close codes of the guarded streams (4000-4999: the application's own).
CLOSE_UNAUTHORIZED, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_THROTTLED = 4401, 4403, 4404, 4429


def _only(data: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {key: data[key] for key in fields if key in data} if isinstance(data, Mapping) else {}


def public_ticket(ticket: Mapping[str, Any]) -> dict[str, Any]:
    """A ticket as anyone in the lobby may see it: no id, no tracking URL."""
    return _only(ticket, PUBLIC_TICKET)


def public_message(message: Mapping[str, Any]) -> dict[str, Any] | None:
    """The event as the public stream carries it, or None when it is for staff only.

    A whitelist: an event type nobody has decided about stays off the public stream."""
    kind = str(message.get("type", ""))
    data = message.get("data") or {}
    if kind in COUNTER_EVENTS:
        shown = {"counter": _only(data.get("counter"), PUBLIC_COUNTER)}
    elif kind == "device.status":
        shown = _only(data, PUBLIC_DEVICE)
    elif kind.startswith("ticket."):
        shown = {"ticket": public_ticket(data.get("ticket") or {})}
        if "counter" in data:
            shown["counter"] = _only(data["counter"], PUBLIC_COUNTER)
    elif kind.startswith("appointment."):
        shown = {"appointment": _only(data.get("appointment"), PUBLIC_APPOINTMENT)}
        if "ticket" in data:
            shown["ticket"] = public_ticket(data["ticket"])
    else:
        return None
    return {"type": kind, "at": message.get("at"), "data": shown}


bp = Blueprint("events", url_prefix="/api/v1")


async def _stream(
    request: Request,
    ws: WebsocketImplProtocol,
    shown: Callable[[Mapping[str, Any]], Mapping[str, Any] | None],
) -> None:
    """The queue overview as a snapshot, then every event as `shown` lets this subscriber see it."""
    hub: EventHub = request.app.ctx.events
    queue = hub.subscribe()
    try:
        # Shielded: a client that goes away mid-read must not cancel the query halfway, which would
        # leave the (single, SQLite) connection inside a transaction and lock the database.
        snapshot = await asyncio.shield(request.app.ctx.branch.queue_overview())
        await ws.send(json.dumps({"type": "snapshot", "data": snapshot}))
        while True:
            message = await queue.get()
            if message is None:
                await ws.close(code=1013, reason="events missed; reconnect for a snapshot")
                return
            visible = shown(message)
            if visible is not None:
                await ws.send(json.dumps(visible))
    finally:
        hub.unsubscribe(queue)


@bp.websocket("/events")
@operation(
    "The public event stream (WebSocket): what a lobby screen shows",
    description="A snapshot of the queue, then every public event; tickets without their ids, no booking codes or "
    "names. Each frame is an EventMessage.",
    replies={101: Reply("switching to the WebSocket; frames as described", EventMessage)},
    errors={426: "bad_request: not a WebSocket upgrade"},
)
async def events(request: Request, ws: WebsocketImplProtocol) -> None:
    """The public stream: what a lobby screen shows (see the module's docstring)."""
    await _stream(request, ws, public_message)


async def _staff_token(request: Request, ws: WebsocketImplProtocol) -> str:
    """The bearer token of the header, else of the first message `{"token": "..."}`."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    try:
        first = await asyncio.wait_for(ws.recv(), AUTH_SECONDS)
        token = json.loads(first or "{}").get("token", "")
    except (TimeoutError, ValueError, AttributeError, RecursionError):
        token = ""
    if not isinstance(token, str) or not token.strip():
        raise Unauthorized(f'send {{"token": "<staff token>"}} first, within {AUTH_SECONDS:.0f} s')
    return token.strip()


def _close_code(error: LobbyError) -> int:
    if isinstance(error, RateLimited):
        return CLOSE_THROTTLED
    return CLOSE_NOT_FOUND if isinstance(error, NotFound) else CLOSE_UNAUTHORIZED


@bp.websocket("/events/staff")
@operation(
    "The staff event stream (WebSocket): every event, whole",
    description="For a teller, manager or admin token, as `Authorization: Bearer` or (from a browser) as the first "
    'message {"token": "..."} within 5 s. Closed with 4401 (bad token), 4403 (a device token) or 4429 '
    "(too many wrong tokens from this address). Each frame is an EventMessage.",
    replies={101: Reply("switching to the WebSocket; frames as described", EventMessage)},
    errors={426: "bad_request: not a WebSocket upgrade"},
)
async def staff_events(request: Request, ws: WebsocketImplProtocol) -> None:
    """Every event, whole, for a teller, manager or admin token."""
    try:  # verify() throttles a flooding address, but lets a token valid here lately through
        credential = await request.app.ctx.auth.verify(request, await _staff_token(request, ws))
    except LobbyError as error:
        await ws.close(code=_close_code(error), reason=error.message[:120])
        return
    if not allows(credential.role, Role.TELLER):
        await ws.close(code=CLOSE_FORBIDDEN, reason=f"a {credential.role} token may not see staff events")
        return
    await _stream(request, ws, lambda message: message)


def _concerns(message: Mapping[str, Any], mine: Mapping[str, Any]) -> bool:
    """Could this event change what the holder of ticket `mine` is shown? Its own events always; while it
    waits, a change in its line (someone called, leaving, transferred, issued ahead) or in the counters."""
    kind = str(message.get("type", ""))
    data = message.get("data") or {}
    found = data.get("ticket")
    ticket: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    if ticket.get("id") == mine["id"]:
        return True
    if mine.get("status") != "waiting":
        return False
    if kind in ("counter.opened", "counter.closed"):
        return True
    return kind.startswith("ticket.") and (ticket.get("service") == mine.get("service") or kind == "ticket.transferred")


@bp.websocket("/tickets/<ticket_id:str>/events")
@operation(
    "One ticket's event stream (WebSocket), for whoever holds its id",
    description="First a snapshot of the ticket, then its own events and `ticket.moved` when its place or ETA "
    "changed. Closed with 4404 for no such ticket, 4429 when this address named too many unknown ones.",
    replies={101: Reply("switching to the WebSocket; frames as described", EventMessage)},
    errors={426: "bad_request: not a WebSocket upgrade"},
)
async def ticket_events(request: Request, ws: WebsocketImplProtocol, ticket_id: str) -> None:
    """One ticket's stream, for whoever holds its id (the tracking page): see the module's docstring."""
    throttle = request.app.ctx.auth.throttle
    address = client_address(request)
    branch = request.app.ctx.branch
    try:
        throttle.check(address)
        mine = (await asyncio.shield(branch.get_ticket(ticket_id))).to_json()
    except LobbyError as error:
        if isinstance(error, NotFound):
            throttle.failed(address)  # a made-up id counts like a wrong token
        await ws.close(code=_close_code(error), reason=error.message[:120])
        return
    hub: EventHub = request.app.ctx.events
    queue = hub.subscribe()
    try:
        await ws.send(json.dumps({"type": "snapshot", "ticket": mine}))
        while True:
            message = await queue.get()
            if message is None:
                await ws.close(code=1013, reason="events missed; reconnect for a snapshot")
                return
            if not _concerns(message, mine):
                continue
            data = message.get("data") or {}
            own = isinstance(data.get("ticket"), Mapping) and data["ticket"].get("id") == mine["id"]
            fresh = (await asyncio.shield(branch.get_ticket(ticket_id))).to_json()
            if not own and fresh == mine:
                continue  # their place and ETA did not change: nothing to say
            mine = fresh
            out: dict[str, Any] = {"ticket": fresh}
            if own and "counter" in data:
                out["counter"] = _only(data["counter"], PUBLIC_COUNTER)
            kind = message["type"] if own else "ticket.moved"
            await ws.send(json.dumps({"type": kind, "at": message.get("at"), "data": out}))
    finally:
        hub.unsubscribe(queue)
