"""Events the engine emits; the hub fans them out (DESIGN.md §4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    TICKET_ISSUED = "ticket.issued"
    TICKET_CALLED = "ticket.called"
    TICKET_STARTED = "ticket.started"
    TICKET_PARKED = "ticket.parked"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_SERVED = "ticket.served"
    TICKET_TRANSFERRED = "ticket.transferred"
    TICKET_ABANDONED = "ticket.abandoned"
    TICKET_ARRIVED = "ticket.arrived"  # a remote ticket's customer checked in at the branch
    COUNTER_OPENED = "counter.opened"
    COUNTER_CLOSED = "counter.closed"
    DEVICE_STATUS = "device.status"
    STAFF_ALERT = "staff.alert"  # a customer asked for a person
    SERVICE_ALERT = "service.alert"  # a service's longest wait passed its target
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
    APPOINTMENT_CHECKED_IN = "appointment.checked_in"


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"type": str(self.type), "at": self.at.isoformat(), "data": self.data}
