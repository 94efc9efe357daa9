"""The states an appointment and its check-in are sent in (GET/POST /api/v1/appointments...).

The booking itself travels as the hub's JSON object (the chat reply's `appointment` passes it
through whole), so only its vocabulary is fixed here.
"""

from __future__ import annotations

from lobby_wire.enums import StrEnum


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"


class Arrival(StrEnum):
    """`check_in.arrival` of a check-in: on time (an appointment-class ticket) or late (the normal queue)."""

    ON_TIME = "on_time"
    LATE = "late"


class ClosedReason(StrEnum):
    """`closed` of GET /api/v1/appointments/slots: why a day has no bookable slots."""

    PAST = "past"
    OUTSIDE_HORIZON = "outside_horizon"
    BLACKOUT = "blackout"
    CLOSED = "closed"
