"""Current waits per service, as the attract screen shows them (from the hub's public `GET /api/v1/queue`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ServiceWait:
    service: str
    name: str  # in the language it was asked for
    waiting: int
    eta_minutes: tuple[int, int] | None
    # How the hub's wait model words the range ("range" | "under" | "over", kiosk.i18n.eta_text): the kiosk
    # only says it. An older hub sends none: its range is said as a range.
    eta_wording: str = "range"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ServiceWait:
        eta = data.get("eta_minutes")
        return cls(
            service=str(data["service"]),
            name=str(data.get("name") or data["service"]),
            waiting=int(data.get("waiting") or 0),
            eta_minutes=(int(eta[0]), int(eta[1])) if eta else None,
            eta_wording=str(data.get("eta_wording") or "range"),
        )


def waits_from_queue(data: Mapping[str, Any]) -> tuple[ServiceWait, ...]:
    """The `services` of a `GET /api/v1/queue` answer (KeyError/TypeError/ValueError when it is not one)."""
    return tuple(ServiceWait.from_json(item) for item in data["services"])
