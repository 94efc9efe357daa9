"""Chat gateway: forwards a turn to Rasa's REST channel and lifts ticket/route payloads.

Each turn's language is decided here (`lobby_wire.lang.detect_lang`, the client's `lang` as the
hint) and sent to Rasa with the turn (`assistant.services.rasa.prepare_turn`); the reply says it
(`ChatReply.lang`). When Rasa cannot answer, the hub still serves touch, in that language: a
"/<intent>" payload is triaged here, and anything else gets a menu of services as buttons. Pushes
on the chat socket speak each ticket's own language.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Annotated, Any

import msgspec
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic.server.websockets.impl import WebsocketImplProtocol

from assistant.domain.errors import Conflict, InvalidInput, Unauthorized
from assistant.domain.tickets import BRANCH_CLOSED, NOT_ARRIVED
from assistant.i18n import say, sentences, ticket_number
from assistant.services.listings import customer_tickets
from assistant.services.rasa import RasaClient, RasaUnavailable, Turn, prepare_turn
from assistant.services.tickets import BranchService
from assistant.services.wording import arrive_by_text, branch_closed_text, called_text, expired_text, nearly_text
from assistant.web.apidoc import PUBLIC_WRITE, PUBLIC_WRITE_SECURITY, Reply, operation
from assistant.web.auth import customer_key
from assistant.web.bodies import ChatRequest, Lang
from assistant.web.errors import decode_body
from assistant.web.schemas import ChatSocketFrame, ChatSocketQuery, CustomerHeaders
from lobby_wire.chat import Button, ChatMessage, ChatReply
from lobby_wire.tickets import TicketView
from lobby_wire.triage import Decision, RouteView

log = logging.getLogger(__name__)

bp = Blueprint("chat", url_prefix="/api/v1")


def reply_from_rasa(messages: list[dict[str, Any]], lang: str | None = None) -> ChatReply:
    out: list[ChatMessage] = []
    ticket: TicketView | None = None
    route: RouteView | None = None
    appointment: dict[str, Any] | None = None
    for raw in messages:
        message = ChatMessage.from_json(raw)
        custom = message.custom or {}
        if isinstance(custom.get("ticket"), dict):
            ticket = TicketView.from_json(custom["ticket"])
        if isinstance(custom.get("route"), dict):
            route = RouteView.from_json(custom["route"])
        if isinstance(custom.get("appointment"), dict):
            appointment = dict(custom["appointment"])
        rest = {key: value for key, value in custom.items() if key not in ("ticket", "route", "appointment")}
        if message.text or message.buttons or rest:
            # The lifted ticket/route travels once, at the top level of the reply.
            out.append(ChatMessage(message.text, message.buttons, rest or None))
    return ChatReply(messages=tuple(out), ticket=ticket, route=route, appointment=appointment, lang=lang)


async def touch_reply(branch: BranchService, turn: Turn, channel: str, sender: str) -> ChatReply:
    """Serve a turn without Rasa, in the turn's language: triage an "/intent" payload, else offer the menu."""
    lang = turn.lang
    intent = turn.payload.intent if turn.payload else ""
    service = branch.settings.service_for_intent(intent) if intent else None
    if turn.payload is not None and service is not None:
        entities = {key: value for key, value in turn.payload.entities.items() if key != "lang"}
        triage = await branch.triage(intent, entities, lang)
        if triage.decision is Decision.DEVICE and triage.device is not None:
            text = say("touch.device", lang, device=triage.device.name, location=triage.device.location)
            return ChatReply((ChatMessage(text),), route=triage.device, degraded=True, lang=lang)
        try:
            ticket, _ = await branch.issue_ticket(
                service.id, channel=channel, lang=lang, intent=intent,
                idempotency_key=f"{sender}:{intent}",
                remote=channel != "kiosk",  # from the app: the remote-join rules apply
            )  # fmt: skip
        except Conflict as exc:
            if exc.code != "remote_join_closed":
                raise
            reason = branch.remote_join_refusal(service.id, lang) or exc.message
            return ChatReply((ChatMessage(say("touch.remote_closed", lang, reason=reason)),), degraded=True, lang=lang)
        number = ticket_number(ticket.number, lang)
        text = say("touch.ticket", lang, number=number, service=service.display_name(lang))
        if ticket.arrive_by:
            text = sentences([text, arrive_by_text(ticket.arrive_by, lang)], lang)
        return ChatReply((ChatMessage(text),), ticket=ticket, degraded=True, lang=lang)
    buttons = tuple(
        Button(title=s.display_name(lang), payload=f"/{s.intents[0]}") for s in branch.settings.services if s.intents
    )
    return ChatReply((ChatMessage(say("touch.menu", lang), buttons=buttons),), degraded=True, lang=lang)


CUSTOMER_TOKEN = re.compile(r"^[A-Za-z0-9._~-]{16,256}$")


def session_sender(request: Request, body: ChatRequest) -> str:
    """Whose conversation this is. Kiosk: the kiosk's own session id. Mobile and web: the customer
    token the bank's app sends (X-Customer-Token), so a customer's sessions follow them and never
    mix with a kiosk's or another customer's."""
    if body.channel == "kiosk":
        if not body.sender:
            raise InvalidInput("sender is required on the kiosk channel", code="invalid_input")
        return f"kiosk:{body.sender}"
    token = request.headers.get("x-customer-token", "")
    if not CUSTOMER_TOKEN.match(token):
        raise Unauthorized(
            f"the {body.channel} channel needs an X-Customer-Token header (16-256 letters, digits or ._~-)",
            code="customer_token_required",
        )
    return f"{body.channel}:{customer_key(token)}"


async def answer(request: Request, body: ChatRequest, sender: str) -> ChatReply:
    """One chat turn: Rasa when it answers, else the touch menu the hub serves itself; both in the turn's language."""
    rasa: RasaClient = request.app.ctx.rasa
    turn = prepare_turn(body.message, hint=body.lang)
    try:
        messages = await rasa.send(sender, turn.message, {"channel": body.channel, "lang": turn.lang})
    except RasaUnavailable as exc:
        log.warning("Rasa unavailable, serving touch menu: %s", exc)
        return await touch_reply(request.app.ctx.branch, turn, body.channel, sender)
    return reply_from_rasa(messages, turn.lang)


@bp.post("/chat")
@operation(
    "One chat turn with the assistant",
    description="Forwarded to the dialogue engine; a ticket, route or booking it produced is lifted to the top "
    "level. When the engine does not answer, the hub serves touch itself (`degraded`: a menu of services as "
    "buttons, or a ticket for a `/intent` payload). Kiosk sessions are keyed by `sender`, mobile and web ones by "
    "the X-Customer-Token header.",
    body=ChatRequest,
    headers=CustomerHeaders,
    replies={200: Reply("the assistant's answer, in the turn's language", ChatReply)},
    errors={
        401: "customer_token_required (mobile and web), or a wrong bearer token",
        409: "the ticket asked for cannot be issued now",
        422: "invalid body, or no sender on the kiosk channel",
        **PUBLIC_WRITE,
    },
    security=PUBLIC_WRITE_SECURITY,
)
async def chat(request: Request) -> HTTPResponse:
    body = decode_body(request, ChatRequest)
    sender = session_sender(request, body)  # kiosk and mobile sessions never mix
    return json((await answer(request, body, sender)).to_json())


# -- the chat WebSocket: replies and pushes for the bank's app ---------------------------------


def concerns(message: dict[str, Any], mine: set[str], lines: set[str]) -> bool:
    """Could this event change what a customer is told? Only then is the database read again.

    `mine`: ids of their open tickets; `lines`: the services where one of them waits and has not yet
    been told "nearly your turn". Their own tickets always; a ticket leaving such a line (their place
    moves up); a transfer (it may leave their line); a remote ticket issued anywhere (it may be theirs,
    taken in another tab of the app). A new ticket never moves anyone forward, and counters and devices
    change nothing they are told: a customer with nothing open costs no reads at all."""
    kind = str(message.get("type", ""))
    if not kind.startswith("ticket."):
        return False
    ticket = (message.get("data") or {}).get("ticket") or {}
    if ticket.get("id") in mine:
        return True
    if kind == "ticket.issued":
        return bool(ticket.get("remote"))
    return ticket.get("service") in lines or (kind == "ticket.transferred" and bool(lines))


class ChatSocketMessage(msgspec.Struct, forbid_unknown_fields=True):
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    lang: Lang | None = None  # the app's language; else the socket's last turn decides mixed sentences


def _push_for(ticket: TicketView, notify_position: int, told: dict[str, str]) -> dict[str, Any] | None:
    """The push a ticket deserves now, once per state: nearly your turn, then called (or expired).
    Its text is in the ticket's language (the conversation's, when it was taken)."""
    if ticket.outcome == BRANCH_CLOSED and told.get(ticket.id) != "closed":
        told[ticket.id] = "closed"
        return {"type": "ticket.branch_closed", "text": branch_closed_text(ticket), "ticket": ticket.to_json()}
    if ticket.outcome == NOT_ARRIVED and told.get(ticket.id) != "expired":
        told[ticket.id] = "expired"
        return {"type": "ticket.expired", "text": expired_text(ticket), "ticket": ticket.to_json()}
    if ticket.status == "called" and told.get(ticket.id) != "called":
        told[ticket.id] = "called"
        return {"type": "ticket.called", "text": called_text(ticket), "ticket": ticket.to_json()}
    if ticket.status == "waiting" and 0 < ticket.position <= notify_position and ticket.id not in told:
        told[ticket.id] = "near"
        return {"type": "ticket.nearly_your_turn", "text": nearly_text(ticket), "ticket": ticket.to_json()}
    return None


@bp.websocket("/chat/ws")
@operation(
    "The bank app's chat socket (WebSocket): replies and pushes",
    description='First a `snapshot` of the customer\'s open tickets; then send {"message", "lang"} and get '
    "`reply` frames; pushes `ticket.nearly_your_turn`, `ticket.called` and `ticket.expired`. Closed with 4401 "
    "without a customer token or with another channel. Each frame is a ChatSocketFrame.",
    query=ChatSocketQuery,
    replies={101: Reply("switching to the WebSocket; frames as described", ChatSocketFrame)},
    errors={426: "bad_request: not a WebSocket upgrade"},
)
async def chat_socket(request: Request, ws: WebsocketImplProtocol) -> None:
    """`?token=CUSTOMER_TOKEN[&channel=mobile|web]`: first {"type": "snapshot", "tickets": [...]} (the
    customer's open tickets), then send {"message", "lang"}, get {"type": "reply", ...}; pushes
    `ticket.nearly_your_turn` (at `queue.notify_position`), `ticket.called` and `ticket.expired` for
    this customer's tickets. A bad message gets {"type": "error", "error": {...}} and the socket stays open."""
    channel = request.args.get("channel", "mobile")
    token = request.args.get("token", "")
    if channel not in ("mobile", "web") or not CUSTOMER_TOKEN.match(token):
        await ws.close(code=4401, reason="a customer token (?token=) and channel mobile or web are required")
        return
    sender = f"{channel}:{customer_key(token)}"
    branch: BranchService = request.app.ctx.branch
    notify_position = request.app.ctx.settings.queue.notify_position
    told: dict[str, str] = {}
    seen: set[str] = set()  # this customer's tickets seen open on this socket
    lines: set[str] = set()  # the services they wait in
    last_lang: str | None = None  # the language of this socket's last turn: the hint for the next one
    events = request.app.ctx.events.subscribe()

    async def push_due(tickets: list[TicketView] | None = None) -> None:
        """Push what is due for this customer's tickets (`tickets`: their open ones, if just read)."""
        tickets = list(tickets) if tickets is not None else await customer_tickets(branch, sender)
        open_ids = {ticket.id for ticket in tickets}
        for closed in seen - open_ids:  # served, abandoned or expired since: re-read to tell which
            tickets.append(await branch.get_ticket(closed))
        seen.clear()
        seen.update(open_ids)
        for ticket in tickets:
            push = _push_for(ticket, notify_position, told)
            if push is not None:
                await ws.send(json_dumps(push))
        lines.clear()  # after the pushes: a ticket told "nearly your turn" waits only for its own call
        lines.update(t.service for t in tickets if t.id in open_ids and t.status == "waiting" and t.id not in told)

    async def push_updates() -> None:
        nonlocal events
        # First what this customer already holds, so a reopened app (or page) shows its tickets again.
        mine = await customer_tickets(branch, sender)
        await ws.send(json_dumps({"type": "snapshot", "tickets": [ticket.to_json() for ticket in mine]}))
        await push_due(mine)
        while True:
            message = await events.get()
            while message is not None and not concerns(message, seen, lines):
                message = await events.get()
            if message is None:  # dropped as a slow subscriber: subscribe again and re-read the tickets
                events = request.app.ctx.events.subscribe()
            await push_due()

    async def replies() -> None:
        nonlocal last_lang
        while True:
            raw = await ws.recv()
            if raw is None:
                return
            try:
                incoming = msgspec.json.decode(raw if isinstance(raw, bytes) else raw.encode(), type=ChatSocketMessage)
            except msgspec.ValidationError as exc:
                await ws.send(json_dumps({"type": "error", "error": {"code": "invalid_input", "message": str(exc)}}))
                continue
            except msgspec.DecodeError:
                error = {"code": "invalid_json", "message": "send a JSON object {message, lang}"}
                await ws.send(json_dumps({"type": "error", "error": error}))
                continue
            hint = incoming.lang or last_lang
            body = ChatRequest(message=incoming.message, channel=channel, lang=hint)
            reply = await answer(request, body, sender)
            last_lang = reply.lang
            await ws.send(json_dumps({"type": "reply", **reply.to_json()}))
            await push_due()  # a ticket taken just now may already be near

    tasks = [asyncio.create_task(push_updates()), asyncio.create_task(replies())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        request.app.ctx.events.unsubscribe(events)


def json_dumps(data: dict[str, Any]) -> str:
    return msgspec.json.encode(data).decode()
