"""A ticket as it crosses the wire (POST/GET /api/v1/tickets, chat replies, pushes) and how its number is said.

The hub builds `TicketView` from its queue; the kiosk, the hardware (the printed ticket) and the
action server read it back with `from_json`. One definition, so a field added on one side is a
field the other side sees (tests/wire checks both venvs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lobby_wire.enums import StrEnum

# How a ticket is referred to at check-in: its id (in its tracking URL and QR code) or the day's number.
TICKET_ID = re.compile(r"[0-9a-f]{32}")
TICKET_NUMBER = re.compile(r"[A-Za-z]{1,4}[0-9]{3,5}")


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"  # set aside by a counter (e.g. fetching documents); can be called again
    SERVED = "served"
    NO_SHOW = "no_show"
    ABANDONED = "abandoned"


class Priority(StrEnum):
    """A ticket's class in the queue (`priority` of a ticket)."""

    APPOINTMENT = "appointment"
    PRIORITY = "priority"
    NORMAL = "normal"


class EtaWording(StrEnum):
    """How the hub's wait model says an ETA range (`eta_wording` of a ticket or a queue line).

    "range": "about 5 to 10 minutes"; "under": "less than 5" (the range starts at 0); "over": "more than
    40" (too wide or open-ended to mean more). The hub decides; its clients only say it.
    """

    RANGE = "range"
    UNDER = "under"
    OVER = "over"


def eta_wording_of(value: object) -> str:
    """The wording a client uses for an `eta_wording` it was sent: an older hub sends none, and its
    range is said as a range."""
    return str(value) if value else EtaWording.RANGE.value


def split_ticket_number(number: str) -> tuple[str, int] | None:
    """'A023' -> ('A', 23); 'C1004' -> ('C', 1004); None when it does not end in digits."""
    prefix = number.rstrip("0123456789")
    digits = number[len(prefix) :]
    return (prefix, int(digits)) if digits else None


def spoken_ticket_number(number: str) -> str:
    """'A023' -> 'A 23': how a ticket number reads well aloud (the leading zeros would be said "zero").

    The one reading for every process: the kiosk's voice, the lobby announcements, the action server's
    replies. A number without trailing digits is said as it is.
    """
    parts = split_ticket_number(number)
    return f"{parts[0]} {parts[1]}" if parts else number


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
    # The wait model's median (minutes) beside the range, and how the range is said (EtaWording);
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
        """Raises KeyError, TypeError or ValueError on a body that is not a ticket."""
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
        """'A023' -> 'A 23' (spoken_ticket_number)."""
        return spoken_ticket_number(self.number)

    @property
    def arrival_deadline(self) -> datetime | None:
        """`arrive_by` as a datetime (branch-local, with its UTC offset); ValueError if it is not ISO 8601."""
        return datetime.fromisoformat(self.arrive_by) if self.arrive_by else None
