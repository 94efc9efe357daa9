"""The hub API's wire shapes as the action server needs them: frozen dataclasses with explicit JSON.

The action server runs in the Rasa environment (Python 3.10, DESIGN.md §1), so
it cannot import the hub's packages (``assistant.protocol`` needs 3.11); the
few shapes it needs are mirrored here. `from_json` raises KeyError, TypeError
or ValueError on a body that is not the documented shape; the client turns
that into :class:`HubUnavailable`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

DECISIONS = frozenset({"device", "ticket", "appointment", "info", "staff"})

EntityValue = str | int | float


def eta_wording(data: Mapping[str, Any]) -> str:
    """How the hub's wait model says a ticket's or a service's ETA: "range" ("about 5 to 10 minutes"),
    "under" ("less than 5": the range starts at 0) or "over" ("more than 40": too wide or open-ended).
    The hub decides; the actions only say it. An older hub sends none: its range is said as a range."""
    return str(data.get("eta_wording") or "range")


class HubUnavailable(Exception):
    """The hub could not be used for this turn; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class HubRefused(HubUnavailable):
    """The hub answered, and said no (4xx): `code` is its error code, e.g. `slot_full`, `too_early`.

    A subclass so code that only knows "the hub failed" still handles it; the
    appointment actions catch it first and tell the customer what the hub said.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status


@dataclass(frozen=True, slots=True)
class TriageRequest:
    intent: str
    entities: Mapping[str, EntityValue]
    channel: str
    lang: str

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "entities": dict(self.entities),
            "channel": self.channel,
            "lang": self.lang,
        }


@dataclass(frozen=True, slots=True)
class Route:
    """A self-service device that can do the job now."""

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
    def from_json(cls, data: Mapping[str, Any]) -> Route:
        return cls(
            service=str(data["service"]),
            device_id=str(data["device_id"]),
            kind=str(data["kind"]),
            name=str(data["name"]),
            location=str(data["location"]),
            reason=str(data.get("reason") or ""),
        )


@dataclass(frozen=True, slots=True)
class Triage:
    """POST /api/v1/triage response."""

    decision: str
    service: str | None
    reason: str
    device: Route | None = None
    bookable: bool = False
    remote_join_refusal: str | None = None  # why the app's customer cannot join this queue now

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Triage:
        decision = str(data["decision"])
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        device = data.get("device")
        if decision == "device" and not device:
            raise ValueError("decision 'device' without a device")
        service = data.get("service")
        return cls(
            decision=decision,
            service=str(service) if service is not None else None,
            reason=str(data.get("reason") or ""),
            device=Route.from_json(device) if device else None,
            bookable=bool(data.get("bookable", False)),
            remote_join_refusal=str(data["remote_join_refusal"]) if data.get("remote_join_refusal") else None,
        )


@dataclass(frozen=True, slots=True)
class TicketRequest:
    service: str
    channel: str
    lang: str
    intent: str
    idempotency_key: str

    @property
    def remote(self) -> bool:
        """Taken through the app, not at the branch's kiosk: the hub applies its remote-join rules."""
        return self.channel != "kiosk"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "service": self.service,
            "channel": self.channel,
            "lang": self.lang,
            "intent": self.intent,
            "idempotency_key": self.idempotency_key,
        }
        if self.remote:
            body["remote"] = True
        return body


@dataclass(frozen=True, slots=True)
class Ticket:
    """POST /api/v1/tickets response; `raw` is forwarded to the client as received."""

    id: str
    number: str
    service: str
    service_name: str
    position: int
    eta_minutes: tuple[int, int] | None
    raw: Mapping[str, Any]
    status: str = "waiting"
    # Taken from the app: the branch-local time by which the customer must check in at the kiosk.
    arrive_by: datetime | None = None
    eta_wording: str = "range"  # how the hub words `eta_minutes` (eta_wording)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ticket:
        eta = data.get("eta_minutes")
        arrive_by = data.get("arrive_by")
        return cls(
            id=str(data["id"]),
            number=str(data["number"]),
            service=str(data["service"]),
            service_name=str(data.get("service_name") or data["service"]),
            position=int(data["position"]),
            eta_minutes=(int(eta[0]), int(eta[1])) if eta else None,
            raw=dict(data),
            status=str(data.get("status") or "waiting"),
            arrive_by=datetime.fromisoformat(str(arrive_by)) if arrive_by else None,
            eta_wording=eta_wording(data),
        )

    @property
    def spoken_number(self) -> str:
        """'C004' -> 'C 4': how a ticket number reads well aloud (the hub's own reading when it sends one)."""
        if spoken := str(self.raw.get("spoken_number") or "").strip():
            return spoken
        prefix = self.number.rstrip("0123456789")
        digits = self.number[len(prefix) :]
        return f"{prefix} {int(digits)}" if digits else self.number


@dataclass(frozen=True, slots=True)
class Service:
    """GET /api/v1/services entry."""

    id: str
    name: str
    intents: tuple[str, ...]
    bookable: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Service:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            intents=tuple(str(i) for i in data.get("intents") or ()),
            bookable=bool(data.get("bookable", False)),
        )


@dataclass(frozen=True, slots=True)
class QueueLine:
    """One service of GET /api/v1/queue."""

    service: str
    waiting: int
    eta_minutes: tuple[int, int] | None
    eta_wording: str = "range"  # how the hub words `eta_minutes` (eta_wording)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QueueLine:
        eta = data.get("eta_minutes")
        return cls(
            service=str(data["service"]),
            waiting=int(data["waiting"]),
            eta_minutes=(int(eta[0]), int(eta[1])) if eta else None,
            eta_wording=eta_wording(data),
        )


@dataclass(frozen=True, slots=True)
class BranchClock:
    """GET /api/v1/branch: the branch's timezone and the hub's clock, for relative dates."""

    timezone: str
    now: datetime
    info_text: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BranchClock:
        now = datetime.fromisoformat(str(data["now"]))
        if now.tzinfo is None:
            raise ValueError("branch clock without a UTC offset")
        return cls(timezone=str(data["timezone"]), now=now, info_text=str(data.get("info_text") or ""))


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime  # in the branch's timezone, as the hub sends it
    free: int


@dataclass(frozen=True, slots=True)
class DaySlots:
    """GET /api/v1/appointments/slots: every slot of a day; `closed` says why there are none."""

    service: str
    day: date
    closed: str | None
    slots: tuple[Slot, ...]

    @property
    def free(self) -> tuple[Slot, ...]:
        return tuple(slot for slot in self.slots if slot.free > 0)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DaySlots:
        slots = []
        for raw in data.get("slots") or ():
            starts_at = datetime.fromisoformat(str(raw["starts_at"]))
            if starts_at.tzinfo is None:
                raise ValueError("slot without a UTC offset")
            slots.append(Slot(starts_at=starts_at, free=int(raw["free"])))
        return cls(
            service=str(data["service"]),
            day=date.fromisoformat(str(data["date"])),
            closed=str(data["closed"]) if data.get("closed") else None,
            slots=tuple(slots),
        )


@dataclass(frozen=True, slots=True)
class Appointment:
    """An appointment as the hub sends it (times in the branch's timezone); `raw` goes to the client."""

    code: str
    service: str
    service_name: str
    starts_at: datetime
    status: str
    check_in_from: datetime
    raw: Mapping[str, Any]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Appointment:
        starts_at = datetime.fromisoformat(str(data["starts_at"]))
        if starts_at.tzinfo is None:
            raise ValueError("appointment time without a UTC offset")
        return cls(
            code=str(data["code"]),
            service=str(data["service"]),
            service_name=str(data.get("service_name") or data["service"]),
            starts_at=starts_at,
            status=str(data["status"]),
            check_in_from=datetime.fromisoformat(str(data.get("check_in_from") or data["starts_at"])),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class CheckIn:
    """POST /api/v1/appointments/{code}/check-in: the ticket and what the hub says about the arrival."""

    ticket: Ticket
    arrival: str  # on_time | late
    message: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckIn:
        details = data.get("check_in") or {}
        return cls(
            ticket=Ticket.from_json(data),
            arrival=str(details.get("arrival") or "on_time"),
            message=str(details.get("message") or ""),
        )
