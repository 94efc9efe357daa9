"""Lobby's wire package: what crosses a process boundary, stdlib only, Python >= 3.10.

Installed in both environments (the hub's .venv and Rasa's .venv-rasa), so the
hub, the kiosk, the hardware package, the Rasa NLU components and the action
server share one definition instead of re-declaring it. tests/wire runs in both
environments and fails when a shape or a value drifts.

* `tickets`: TicketView, TicketStatus, Priority, EtaWording, the spoken ticket number.
* `queue`: QueueLine (a service's line in GET /api/v1/queue).
* `triage`: TriageView, RouteView, ServiceView, Decision, DeviceState.
* `chat`: ChatReply, ChatMessage, Button, Channel.
* `appointments`: AppointmentStatus, Arrival, ClosedReason.
* `events`: EventName (the bus events), FrameType (the sockets' other frames).
* `errors`: ApiError, ErrorCode (what the hub sends), ClientFailure (what a client reports).
* `lang`, `clarify`: the language of a turn, the clarification rule.
* `enums`: the StrEnum every wire enum derives from, the same on 3.10 and 3.11+.

The names below are importable from the package itself (`from lobby_wire import TicketView`).
"""

from lobby_wire.appointments import AppointmentStatus, Arrival, ClosedReason
from lobby_wire.chat import Button, Channel, ChatMessage, ChatReply
from lobby_wire.enums import StrEnum
from lobby_wire.errors import TRANSIENT_FAILURES, ApiError, ClientFailure, ErrorCode, http_failure
from lobby_wire.events import EventName, FrameType
from lobby_wire.queue import QueueLine, queue_lines
from lobby_wire.tickets import (
    TICKET_ID,
    TICKET_NUMBER,
    EtaWording,
    Priority,
    TicketStatus,
    TicketView,
    eta_wording_of,
    split_ticket_number,
    spoken_ticket_number,
)
from lobby_wire.triage import Decision, DeviceState, RouteView, ServiceView, TriageView

__all__ = [
    "TICKET_ID",
    "TICKET_NUMBER",
    "TRANSIENT_FAILURES",
    "ApiError",
    "AppointmentStatus",
    "Arrival",
    "Button",
    "Channel",
    "ChatMessage",
    "ChatReply",
    "ClientFailure",
    "ClosedReason",
    "Decision",
    "DeviceState",
    "ErrorCode",
    "EtaWording",
    "EventName",
    "FrameType",
    "Priority",
    "QueueLine",
    "RouteView",
    "ServiceView",
    "StrEnum",
    "TicketStatus",
    "TicketView",
    "TriageView",
    "eta_wording_of",
    "http_failure",
    "queue_lines",
    "split_ticket_number",
    "spoken_ticket_number",
]
