"""Chat gateway: forwards a turn to Rasa's REST channel and lifts ticket/route payloads.

When Rasa cannot answer, the hub still serves touch: a "/<intent>" payload is
triaged here, and anything else gets a menu of services as buttons.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import httpx
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from assistant.domain.errors import InvalidInput, Unauthorized
from assistant.protocol import Button, ChatMessage, ChatReply, Decision, RouteView, TicketView
from assistant.web.bodies import ChatRequest
from assistant.web.branch import BranchService
from assistant.web.errors import decode_body

log = logging.getLogger(__name__)

bp = Blueprint("chat", url_prefix="/api/v1")


class RasaUnavailable(Exception):
    pass


class RasaClient:
    """The hub's side of Rasa's REST channel (/webhooks/rest/webhook)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            response = await self._http.post(
                "/webhooks/rest/webhook", json={"sender": sender, "message": message, "metadata": metadata}
            )
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(messages, list):
            raise RasaUnavailable("Rasa answered with something other than a list")
        return [m for m in messages if isinstance(m, dict)]

    async def ping(self, timeout: float = 1.0) -> bool:
        """Is the Rasa server answering? (its root path says hello)"""
        try:
            response = await self._http.get("/", timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._http.aclose()


def reply_from_rasa(messages: list[dict[str, Any]]) -> ChatReply:
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
    return ChatReply(messages=tuple(out), ticket=ticket, route=route, appointment=appointment)


async def touch_reply(branch: BranchService, body: ChatRequest, sender: str) -> ChatReply:
    """Serve a turn without Rasa: triage an "/intent" payload, else offer the menu."""
    intent = body.message[1:].strip() if body.message.startswith("/") else ""
    service = branch.settings.service_for_intent(intent) if intent else None
    if service is not None:
        triage = await branch.triage(intent, {}, body.lang)
        if triage.decision is Decision.DEVICE and triage.device is not None:
            text = f"You can do that now at the {triage.device.name}, {triage.device.location}."
            return ChatReply((ChatMessage(text),), route=triage.device, degraded=True)
        ticket, _ = await branch.issue_ticket(
            service.id, channel=body.channel, lang=body.lang, intent=intent,
            idempotency_key=f"{sender}:{intent}",
        )  # fmt: skip
        text = f"Your ticket is {ticket.spoken_number} for {ticket.service_name}."
        return ChatReply((ChatMessage(text),), ticket=ticket, degraded=True)
    buttons = tuple(
        Button(title=s.display_name(body.lang), payload=f"/{s.intents[0]}")
        for s in branch.settings.services
        if s.intents
    )
    text = "I can't understand messages right now. Please choose a service."
    return ChatReply((ChatMessage(text, buttons=buttons),), degraded=True)


CUSTOMER_TOKEN = re.compile(r"^[A-Za-z0-9._~-]{16,256}$")


def customer_key(token: str) -> str:
    """The session key of a customer token: a hash, so the token itself is never stored or logged."""
    return hashlib.sha256(token.encode()).hexdigest()[:24]


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


@bp.post("/chat")
async def chat(request: Request) -> HTTPResponse:
    body = decode_body(request, ChatRequest)
    rasa: RasaClient = request.app.ctx.rasa
    sender = session_sender(request, body)  # kiosk and mobile sessions never mix
    try:
        messages = await rasa.send(sender, body.message, {"channel": body.channel, "lang": body.lang})
    except RasaUnavailable as exc:
        log.warning("Rasa unavailable, serving touch menu: %s", exc)
        return json((await touch_reply(request.app.ctx.branch, body, sender)).to_json())
    return json(reply_from_rasa(messages).to_json())
