"""Where a customer goes (POST /api/v1/triage) and what the branch offers (GET /api/v1/services).

The hub's routing brain decides; the kiosk and the action server read its answer with these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lobby_wire.enums import StrEnum


class Decision(StrEnum):
    """The routing brain's answer: a device now, a counter ticket, an appointment, information, a person."""

    DEVICE = "device"
    TICKET = "ticket"
    APPOINTMENT = "appointment"
    INFO = "info"
    STAFF = "staff"


class DeviceState(StrEnum):
    """A self-service device's state (PUT /api/v1/devices/{id}/status `state`)."""

    ONLINE = "online"
    BUSY = "busy"
    OFFLINE = "offline"
    OUT_OF_SERVICE = "out_of_service"


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


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
            reason=str(data.get("reason") or ""),
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
        """Raises KeyError, TypeError or ValueError (an unknown decision among them) on another shape."""
        device = data.get("device")
        return cls(
            decision=Decision(data["decision"]),
            service=_optional_str(data.get("service")),
            reason=str(data.get("reason") or ""),
            device=RouteView.from_json(device) if device else None,
            bookable=bool(data.get("bookable", False)),
            remote_join_refusal=_optional_str(data.get("remote_join_refusal")),
        )
