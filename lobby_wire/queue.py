"""The line of each service as the hub shows it (GET /api/v1/queue): the kiosk's attract board and the
action server's "how busy is it" answers read it with this one type, so both read the same fields the
same way (tests/wire checks it against a real hub's answer, in both venvs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class QueueLine:
    """One service of GET /api/v1/queue: `name` in the language asked for, `waiting` tickets, the oldest
    of them waiting `longest_wait_minutes`, and a new ticket's wait (`eta_minutes`, said as `eta_wording`:
    read it with `eta_wording_of`, an older hub sends none). No estimate: no counter serves it today."""

    service: str
    name: str
    waiting: int
    eta_minutes: tuple[int, int] | None
    eta_wording: str | None = None
    longest_wait_minutes: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "name": self.name,
            "waiting": self.waiting,
            "longest_wait_minutes": self.longest_wait_minutes,
            "eta_minutes": list(self.eta_minutes) if self.eta_minutes else None,
            "eta_wording": self.eta_wording,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QueueLine:
        """Raises KeyError, TypeError or ValueError on something that is not a service's line."""
        eta = data.get("eta_minutes")
        return cls(
            service=str(data["service"]),
            name=str(data.get("name") or data["service"]),
            waiting=int(data["waiting"]),
            eta_minutes=(int(eta[0]), int(eta[1])) if eta else None,
            eta_wording=data.get("eta_wording"),
            longest_wait_minutes=float(data.get("longest_wait_minutes") or 0),
        )


def queue_lines(data: Mapping[str, Any]) -> tuple[QueueLine, ...]:
    """The `services` of a GET /api/v1/queue answer (KeyError/TypeError/ValueError when it is not one)."""
    return tuple(QueueLine.from_json(item) for item in data["services"])
