"""A chat turn's answer (POST /api/v1/chat, the chat socket's "reply"): messages, and the ticket, route or
booking the turn produced. The action server puts the ticket and route into a message's `custom`
payload; the hub's chat gateway lifts them to the top of the reply (one shape end to end).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lobby_wire.enums import StrEnum
from lobby_wire.tickets import TicketView
from lobby_wire.triage import RouteView


class Channel(StrEnum):
    """Where a customer talks to the assistant from (`channel` of chat, triage and ticket requests)."""

    KIOSK = "kiosk"
    MOBILE = "mobile"
    WEB = "web"


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "payload": self.payload}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Button:
        return cls(title=str(data.get("title", "")), payload=str(data.get("payload", "")))


@dataclass(frozen=True, slots=True)
class ChatMessage:
    text: str = ""
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = [button.to_json() for button in self.buttons]
        if self.custom is not None:
            out["custom"] = self.custom
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChatMessage:
        return cls(
            text=str(data.get("text") or ""),
            buttons=tuple(Button.from_json(button) for button in data.get("buttons") or ()),
            custom=data.get("custom"),
        )


@dataclass(frozen=True, slots=True)
class ChatReply:
    """POST /api/v1/chat response."""

    messages: tuple[ChatMessage, ...]
    ticket: TicketView | None = None
    route: RouteView | None = None
    degraded: bool = False
    # A booking made, moved or cancelled in this turn, as GET /api/v1/appointments/{code} shows it.
    appointment: dict[str, Any] | None = None
    # The language of this turn ("en" | "zh", lobby_wire.lang): the kiosk speaks the reply in its voice.
    lang: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"messages": [m.to_json() for m in self.messages]}
        if self.ticket is not None:
            out["ticket"] = self.ticket.to_json()
        if self.route is not None:
            out["route"] = self.route.to_json()
        if self.appointment is not None:
            out["appointment"] = dict(self.appointment)
        if self.degraded:
            out["degraded"] = True
        if self.lang:
            out["lang"] = self.lang
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChatReply:
        ticket = data.get("ticket")
        route = data.get("route")
        return cls(
            messages=tuple(ChatMessage.from_json(m) for m in data.get("messages") or ()),
            ticket=TicketView.from_json(ticket) if ticket else None,
            route=RouteView.from_json(route) if route else None,
            degraded=bool(data.get("degraded", False)),
            appointment=dict(data["appointment"]) if isinstance(data.get("appointment"), dict) else None,
            lang=str(data["lang"]) if data.get("lang") else None,
        )
