"""The names of what the hub's WebSockets send: bus events, and the frames around them.

`EventName` is every event the queue engine emits (DESIGN.md §4): the lobby display, the console,
the dashboard, `lobby announcer` and the tracking page subscribe to them by name. `FrameType` names
the other frames of the sockets: the first `snapshot`, a chat `reply`, an `error`, and the pushes the
chat socket and a ticket's own stream send about one ticket.
"""

from __future__ import annotations

from lobby_wire.enums import StrEnum


class EventName(StrEnum):
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
    STAFF_ALERT = "staff.alert"  # a customer asked for a person (staff stream only)
    SERVICE_ALERT = "service.alert"  # a service's longest wait passed its target (staff stream only)
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
    APPOINTMENT_CHECKED_IN = "appointment.checked_in"


class FrameType(StrEnum):
    """`type` of a socket frame that is not a bus event."""

    SNAPSHOT = "snapshot"  # the first frame of every stream
    REPLY = "reply"  # the chat socket's answer to a message
    ERROR = "error"  # {"type": "error", "error": {"code", "message"}}; the socket stays open
    TICKET_MOVED = "ticket.moved"  # a ticket's own stream: others moved its place or ETA
    TICKET_NEARLY_YOUR_TURN = "ticket.nearly_your_turn"  # chat socket pushes about the customer's ticket
    TICKET_EXPIRED = "ticket.expired"
    TICKET_BRANCH_CLOSED = "ticket.branch_closed"
