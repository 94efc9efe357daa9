"""The API's response shapes for the OpenAPI document (customers' side: tickets, queue, bookings, devices).

The wire dataclasses of `lobby_wire` (TicketView, TriageView, ChatReply, ServiceView, ApiError)
describe themselves; the answers the handlers build as plain dicts are declared here as msgspec
Structs, field for field, so `msgspec.json.schema_components` writes their JSON Schema (see
`assistant.web.apidoc`). They document, they do not serialise: the handlers stay as they are, and the
contract test (tests/api/test_openapi_contract.py) checks real answers against these shapes.

`UNSET` marks a key that is present only sometimes (not "required" in the document).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from assistant.domain.appointments import AppointmentStatus, Arrival, ClosedReason
from assistant.domain.routing import DeviceState
from assistant.domain.staff import CounterStatus
from lobby_wire.errors import ApiError
from lobby_wire.tickets import TicketStatus, TicketView
from lobby_wire.triage import ServiceView

Minutes = Annotated[float, Meta(ge=0)]
EtaRange = Annotated[tuple[int, int], Meta(description="[low, high] minutes; null when no counter serves it now")]
LangCode = Literal["en", "zh"]
Moment = Annotated[datetime, Meta(tz=True)]  # ISO 8601 with its UTC offset: "date-time" in the document


class Error(msgspec.Struct):
    """Every 4xx and 5xx answer of the API: a stable `code` for programs and a `message` for people."""

    error: ApiError


# -- small plain answers -------------------------------------------------------------------------


class Health(msgspec.Struct):
    """GET /healthz. 200 while the database answers (the dialogue engine may be down: the hub serves
    touch); 503 with `status` "error" and the database's complaint otherwise."""

    status: Literal["ok", "error"]
    database: str  # "ok", or the error (at most 200 characters)
    branch: str | UnsetType = UNSET
    dialogue: Literal["up", "down"] | UnsetType = UNSET


class Accepted(msgspec.Struct):
    """POST /api/v1/staff-alerts: every staff screen has been told."""

    status: Literal["alerted"]


# -- branch, services, queue ---------------------------------------------------------------------


class Branch(msgspec.Struct):
    """GET /api/v1/branch: who and where the branch is, and its clock; words in `?lang=`."""

    id: str
    name: str
    timezone: str
    now: Moment  # the branch's local time, for relative dates ("tomorrow")
    # "mon" -> ["09:00", "17:00"]; a missing day is closed. (A list, not a tuple: schemathesis misreads
    # `prefixItems` under `additionalProperties`.)
    opening_hours: dict[str, Annotated[list[str], Meta(min_length=2, max_length=2)]]
    hours_text: str
    address: str
    phone: str
    facilities: list[str]
    info_text: str
    lang: LangCode
    notify_position: int  # the chat pushes "nearly your turn" at this place in line


class ServiceList(msgspec.Struct):
    """GET /api/v1/services: the services as kiosk tiles show them."""

    services: list[ServiceView]


class ServiceQueue(msgspec.Struct):
    service: str
    name: str
    waiting: Annotated[int, Meta(ge=0)]
    longest_wait_minutes: Minutes
    eta_minutes: EtaRange | None
    # How a new ticket's wait is said: "range", "under" (less than the high end), "over" (more than the low end).
    eta_wording: Literal["range", "under", "over"] | None = None


class CounterState(msgspec.Struct):
    """A counter open, closed or on a break (also the answer of POST .../open, .../close and .../break)."""

    id: str
    name: str
    state: CounterStatus
    until: Moment | None = None  # on a break: when it is due back


class Queue(msgspec.Struct):
    """GET /api/v1/queue (and the `snapshot` on /api/v1/events): waiting per service, counters' states."""

    services: list[ServiceQueue]
    counters: list[CounterState]
    at: Moment


class PublicTicket(msgspec.Struct):
    """A ticket as anyone in the lobby may see it (the public event stream, the counters' list): no id, no
    tracking URL — the id is the secret in its QR code."""

    number: str
    service: str
    service_name: str
    status: TicketStatus
    position: Annotated[int, Meta(ge=0)]
    eta_minutes: EtaRange | None
    counter: str | None
    counter_name: str | None
    priority: str
    remote: bool
    outcome: str | None
    lang: str


# -- triage and devices --------------------------------------------------------------------------


class Device(msgspec.Struct):
    id: str
    kind: str  # atm | cash_recycler | stm | vtm
    name: str
    location: str
    state: DeviceState
    detail: str


class DeviceList(msgspec.Struct):
    """GET /api/v1/devices: every self-service device and its last reported state."""

    devices: list[Device]


class DeviceStatus(msgspec.Struct):
    """PUT /api/v1/devices/{device_id}/status: the state now recorded (and broadcast as `device.status`)."""

    id: str
    state: DeviceState
    detail: str


# -- appointments --------------------------------------------------------------------------------


class Slot(msgspec.Struct):
    starts_at: Moment
    ends_at: Moment
    capacity: Annotated[int, Meta(ge=0)]
    free: Annotated[int, Meta(ge=0)]  # 0: full (shown greyed out)


class Slots(msgspec.Struct):
    """GET /api/v1/appointments/slots: every still-bookable slot of the day; `closed` says why there is none."""

    service: str
    date: date
    timezone: str
    closed: ClosedReason | None
    slots: list[Slot]


class Appointment(msgspec.Struct):
    """A booking. The phone number and notes are never echoed back: the code is all it takes."""

    code: str
    service: str
    service_name: str
    starts_at: Moment  # branch-local
    ends_at: Moment
    status: AppointmentStatus
    check_in_from: Moment
    check_in_until: Moment
    name: str | None
    ticket_id: str | None  # once checked in
    intent: str | None


class CheckIn(msgspec.Struct):
    """How the check-in went: `on_time` (the appointment's priority) or `late` (the normal queue)."""

    code: str
    arrival: Arrival
    message: str


# -- the lobby display ---------------------------------------------------------------------------


class CounterRef(msgspec.Struct):
    id: str | None
    name: str | None


class Call(msgspec.Struct):
    ticket: PublicTicket  # in the ticket's own language; no id (this list is public)
    counter: CounterRef  # its name in `?lang=`
    called_at: Moment | None
    recalls: Annotated[int, Meta(ge=0)]


class Calls(msgspec.Struct):
    """GET /api/v1/calls: today's last calls, newest first (a recall counts as a new call)."""

    calls: list[Call]


# -- the WebSockets (documented on their GET; the messages are JSON text frames) ----------------


class EventMessage(msgspec.Struct):
    """One frame of the event streams. GET /api/v1/events and /api/v1/events/staff: first {"type": "snapshot",
    "data": Queue}, then {"type", "at", "data"} per event (`ticket.issued`, `ticket.called`, ..., `counter.opened`,
    `device.status`, `appointment.booked`, ...); on the public stream a ticket is a PublicTicket. GET
    /api/v1/tickets/{ticket_id}/events: first {"type": "snapshot", "ticket": TicketView}, then that ticket's events
    and `ticket.moved`, each with `data.ticket` as it is now."""

    type: str
    data: dict[str, Any] | UnsetType = UNSET
    at: str | UnsetType | None = UNSET
    ticket: TicketView | UnsetType = UNSET


class ChatSocketFrame(msgspec.Struct):
    """One frame of GET /api/v1/chat/ws: `snapshot` (the customer's open tickets), `reply` (a ChatReply's
    keys), a push (`ticket.nearly_your_turn`, `ticket.called`, `ticket.expired`, `ticket.branch_closed`, with
    `text` and `ticket`)
    or `error` (with `error`: {code, message}; the socket stays open)."""

    type: str
    tickets: list[TicketView] | UnsetType = UNSET
    text: str | UnsetType = UNSET
    ticket: TicketView | UnsetType = UNSET
    error: ApiError | UnsetType = UNSET


# -- parameters (path, query, header): what the handlers read, with the limits they enforce ------

AnyLang = Annotated[
    str, Meta(description="en or zh (zh-CN, zh-TW, ... read as zh): the language of names and words; others read as en")
]


class LangQuery(msgspec.Struct):
    lang: AnyLang = "en"


class TicketLangQuery(msgspec.Struct):
    lang: Annotated[str, Meta(description="en or zh; default: the language the ticket was taken in")] | UnsetType = (
        UNSET
    )


class BookingLangQuery(msgspec.Struct):
    lang: Annotated[str, Meta(description="en or zh; default: the language of the booking")] | UnsetType = UNSET


class SlotsQuery(msgspec.Struct):
    service: Annotated[str, Meta(min_length=1, description="a bookable service's id (GET /api/v1/services)")]
    date: Annotated[date, Meta(description="the branch-local day, YYYY-MM-DD")]


class QrQuery(msgspec.Struct):
    data: Annotated[str, Meta(min_length=1, max_length=512, description="what the code says: a URL or a code")]


class CallsQuery(msgspec.Struct):
    last: Annotated[int, Meta(ge=1, le=20, description="how many calls, newest first")] = 6
    lang: AnyLang = "en"


class AnnouncementQuery(msgspec.Struct):
    lang: Annotated[str, Meta(description="en or zh, or `ticket`: the ticket's own language (the default)")] = "ticket"


class CustomerHeaders(msgspec.Struct, rename={"customer_token": "X-Customer-Token"}):
    customer_token: (
        Annotated[
            str,
            Meta(
                description="the bank app's customer token (16-256 of A-Z a-z 0-9 . _ ~ -): keys "
                "mobile and web conversations; the kiosk channel does without"
            ),
        ]
        | UnsetType
    ) = UNSET


class ChatSocketQuery(msgspec.Struct):
    token: Annotated[str, Meta(description="the customer token (as X-Customer-Token on POST /api/v1/chat)")]
    channel: Literal["mobile", "web"] = "mobile"
