"""The hub API's shapes that only the action server reads: frozen dataclasses with explicit JSON.

The shapes every client shares (tickets, queue lines, triage, routes, services, decisions, error
codes, the spoken ticket number) come from `lobby_wire`, the stdlib-only wire package both environments
import (the action server runs on Python 3.10, DESIGN.md §1). What is left here is what only the
actions use: their request bodies, the branch clock, appointment slots and bookings
(a booking is forwarded to the client as the hub sent it, `raw`), and the client's exceptions.
`from_json` raises KeyError, TypeError or ValueError on a body that is not the documented shape;
the client turns that into :class:`HubUnavailable` (`bad_response`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lobby_wire import Channel, TicketView

EntityValue = str | int | float


def ticket_from_json(data: Mapping[str, Any]) -> TicketView:
    """A ticket the hub sent, read as every client reads it (lobby_wire.TicketView), with its check-in
    deadline checked here: an `arrive_by` that is not ISO 8601 is a bad answer now, not a crash while
    the reply is being worded."""
    ticket = TicketView.from_json(dict(data))
    _ = ticket.arrival_deadline  # ValueError when `arrive_by` is not ISO 8601
    return ticket


class HubUnavailable(Exception):
    """The hub could not be used for this turn; `code` says why (lobby_wire.ClientFailure, `http_<status>`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = message


class HubRefused(HubUnavailable):
    """The hub answered, and said no (4xx): `code` is its error code (lobby_wire.ErrorCode), e.g. `slot_full`.

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
class TicketRequest:
    service: str
    channel: str
    lang: str
    intent: str
    idempotency_key: str

    @property
    def remote(self) -> bool:
        """Taken through the app, not at the branch's kiosk: the hub applies its remote-join rules."""
        return self.channel != Channel.KIOSK

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

    ticket: TicketView
    arrival: str  # lobby_wire.Arrival: on_time | late
    message: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckIn:
        details = data.get("check_in") or {}
        return cls(
            ticket=ticket_from_json(data),
            arrival=str(details.get("arrival") or "on_time"),
            message=str(details.get("message") or ""),
        )
