"""Wire types shared by the hub and its clients (kiosk, hardware, actions).

Standard library only: the kiosk, the hardware adapters and tests import this
module without pulling in the hub's frameworks. Every type converts to and from
the JSON shape of the hub API v1 (DESIGN.md §4) explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# How a ticket is referred to at check-in: its id (in its tracking URL and QR code) or the day's number.
TICKET_ID = re.compile(r"[0-9a-f]{32}")
TICKET_NUMBER = re.compile(r"[A-Za-z]{1,4}[0-9]{3,5}")


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    SERVED = "served"
    NO_SHOW = "no_show"
    ABANDONED = "abandoned"


class Decision(StrEnum):
    DEVICE = "device"
    TICKET = "ticket"
    APPOINTMENT = "appointment"
    INFO = "info"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket as the API shows it (POST/GET /api/v1/tickets).

    `position` is the place in line while waiting: 1 means "you are next";
    0 once the ticket is no longer waiting.
    """

    id: str
    number: str
    service: str
    service_name: str
    status: TicketStatus
    position: int
    eta_minutes: tuple[int, int] | None
    issued_at: str
    track_url: str
    counter: str | None = None
    priority: str = "normal"
    counter_name: str | None = None
    # Taken from the bank's app: `arrive_by` (branch-local ISO time) is the check-in deadline while the
    # customer is on the way, null once they arrived. `outcome` says how a finished ticket ended
    # ("not_arrived": a remote ticket that expired).
    remote: bool = False
    arrive_by: str | None = None
    outcome: str | None = None
    # The language the ticket was taken in ("en" | "zh"): its tracking page, pushes and the console follow it.
    lang: str = "en"
    # The wait model's median (minutes) beside the range, and how the range is said: "range" ("about 5 to
    # 10 minutes"), "under" ("less than 5": it starts at 0), "over" ("more than 40": too wide to mean more);
    # `eta_text` says it in the ticket's (or the asked) language.
    eta_point_minutes: float | None = None
    eta_wording: str | None = None
    eta_text: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "service": self.service,
            "service_name": self.service_name,
            "status": str(self.status),
            "position": self.position,
            "eta_minutes": list(self.eta_minutes) if self.eta_minutes else None,
            "issued_at": self.issued_at,
            "track_url": self.track_url,
            "counter": self.counter,
            "counter_name": self.counter_name,
            "priority": self.priority,
            "remote": self.remote,
            "arrive_by": self.arrive_by,
            "outcome": self.outcome,
            "lang": self.lang,
            "eta_point_minutes": self.eta_point_minutes,
            "eta_wording": self.eta_wording,
            "eta_text": self.eta_text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketView:
        eta = data.get("eta_minutes")
        return cls(
            id=str(data["id"]),
            number=str(data["number"]),
            service=str(data["service"]),
            service_name=str(data.get("service_name") or data["service"]),
            status=TicketStatus(data["status"]),
            position=int(data["position"]),
            eta_minutes=(int(eta[0]), int(eta[1])) if eta else None,
            issued_at=str(data["issued_at"]),
            track_url=str(data["track_url"]),
            counter=data.get("counter"),
            priority=str(data.get("priority") or "normal"),
            counter_name=data.get("counter_name"),
            remote=bool(data.get("remote", False)),
            arrive_by=data.get("arrive_by"),
            outcome=data.get("outcome"),
            lang=str(data.get("lang") or "en"),
            eta_point_minutes=data.get("eta_point_minutes"),
            eta_wording=data.get("eta_wording"),
            eta_text=data.get("eta_text"),
        )

    @property
    def ahead(self) -> int:
        """How many tickets will be called before this one."""
        return max(0, self.position - 1)

    @property
    def spoken_number(self) -> str:
        """'A023' -> 'A 23': how a number reads well aloud."""
        prefix = self.number.rstrip("0123456789")
        digits = self.number[len(prefix) :]
        return f"{prefix} {int(digits)}" if digits else self.number


@dataclass(frozen=True, slots=True)
class RouteView:
    """Where a self-service device can do what the customer needs now."""

    service: str
    device_id: str
    kind: str
    name: str
    location: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "device_id": self.device_id,
            "kind": self.kind,
            "name": self.name,
            "location": self.location,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RouteView:
        return cls(
            service=str(data["service"]),
            device_id=str(data["device_id"]),
            kind=str(data["kind"]),
            name=str(data["name"]),
            location=str(data["location"]),
            reason=str(data.get("reason", "")),
        )


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "payload": self.payload}


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
            buttons=tuple(
                Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
                for b in data.get("buttons") or ()
            ),
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


@dataclass(frozen=True, slots=True)
class ServiceView:
    """A service as a kiosk tile shows it (GET /api/v1/services)."""

    id: str
    name: str
    prefix: str
    intents: tuple[str, ...] = field(default=())
    advisor: bool = False  # an advisor's conversation rather than a quick counter job
    bookable: bool = False  # takes appointments (GET /api/v1/appointments/slots)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "intents": list(self.intents),
            "advisor": self.advisor,
            "bookable": self.bookable,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceView:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            prefix=str(data["prefix"]),
            intents=tuple(str(i) for i in data.get("intents") or ()),
            advisor=bool(data.get("advisor", False)),
            bookable=bool(data.get("bookable", False)),
        )


@dataclass(frozen=True, slots=True)
class TriageView:
    """POST /api/v1/triage response."""

    decision: Decision
    service: str | None
    reason: str
    device: RouteView | None = None
    bookable: bool = False  # the service also takes appointments: the assistant may offer one
    # Why a customer outside the branch (the app) cannot join this queue now; None when they can.
    remote_join_refusal: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "decision": str(self.decision),
            "service": self.service,
            "reason": self.reason,
            "bookable": self.bookable,
            "remote_join_refusal": self.remote_join_refusal,
        }
        if self.device is not None:
            out["device"] = self.device.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TriageView:
        device = data.get("device")
        return cls(
            decision=Decision(data["decision"]),
            service=data.get("service"),
            reason=str(data.get("reason", "")),
            device=RouteView.from_json(device) if device else None,
            bookable=bool(data.get("bookable", False)),
            remote_join_refusal=data.get("remote_join_refusal"),
        )


@dataclass(frozen=True, slots=True)
class ApiError:
    """The one error shape of the API: {"error": {"code", "message"}}."""

    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}
