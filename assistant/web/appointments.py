"""Appointments over HTTP (DESIGN.md §4): thin handlers over `AppointmentService`.

GET /slots lists every still-bookable slot of the day with its free seats
(0 when full), so a screen can grey out full slots; `closed` says why a day
has none (past, outside_horizon, blackout, closed).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw

from assistant.domain.errors import InvalidInput
from assistant.services.appointments import AppointmentService
from assistant.settings import BranchInfo
from assistant.web.apidoc import PUBLIC_WRITE, PUBLIC_WRITE_SECURITY, Reply, link, operation
from assistant.web.audit import staff_actor
from assistant.web.auth import guards_secret
from assistant.web.bodies import Channel, Lang, Name
from assistant.web.errors import decode_body
from assistant.web.schemas import Appointment, BookingLangQuery, CheckIn, Slots, SlotsQuery
from lobby_wire.tickets import TicketView

__all__ = ["AppointmentService", "bp"]

log = logging.getLogger(__name__)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

StartsAt = Annotated[datetime, msgspec.Meta(tz=True)]


class AppointmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    service: Name
    starts_at: StartsAt
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=32, pattern=r"^\+?[0-9][0-9 ()\-]{4,30}$")] | None = None
    channel: Channel = "kiosk"
    lang: Lang = "en"
    # Why they come, shown to the teller after check-in: the recognised intent and the customer's words.
    intent: Name | None = None
    notes: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class AppointmentMove(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: StartsAt


class CheckInRequest(msgspec.Struct, forbid_unknown_fields=True):
    channel: Channel = "kiosk"
    lang: Lang | None = None  # default: the language the appointment was booked in


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_notes(notes: str | None) -> str | None:
    """The customer's words as staff will read them: control characters out, spaces trimmed, empty is None."""
    text = _CONTROL.sub(" ", notes or "").strip()
    return text or None


def _ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def appointment_ics(appointment: dict[str, Any], branch: BranchInfo, now: datetime) -> str:
    """One VEVENT in UTC: the service and branch, where, the code, and when check-in opens."""
    opens = datetime.fromisoformat(appointment["check_in_from"]).strftime("%H:%M")
    description = f"Booking code {appointment['code']}. Check in at the kiosk from {opens}."
    if appointment.get("status") == "cancelled":
        description = f"Cancelled. {description}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Lobby//Branch appointments//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{appointment['code']}@{branch.id}.lobby",
        f"DTSTAMP:{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART:{_ics_time(appointment['starts_at'])}",
        f"DTEND:{_ics_time(appointment['ends_at'])}",
        f"SUMMARY:{_ics_text(appointment['service_name'] + ' - ' + branch.name)}",
        f"LOCATION:{_ics_text(branch.address or branch.name)}",
        f"DESCRIPTION:{_ics_text(description)}",
        "STATUS:CANCELLED" if appointment.get("status") == "cancelled" else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


# -- HTTP ----------------------------------------------------------------------

bp = Blueprint("appointments", url_prefix="/api/v1/appointments")

# What a client does next with a booking (OpenAPI links: the answer's `code` goes into these).
_CODE = "$response.body#/code"
BOOKING_LINKS = {
    "read": link("GET", "/api/v1/appointments/{code}", code=_CODE),
    "calendar": link("GET", "/api/v1/appointments/{code}/calendar.ics", code=_CODE),
    "cancel": link("DELETE", "/api/v1/appointments/{code}", code=_CODE),
    "move": link("POST", "/api/v1/appointments/{code}/reschedule", code=_CODE),
    "check_in": link("POST", "/api/v1/appointments/{code}/check-in", code=_CODE),
}
_SLOT = {"service": "$response.body#/service", "starts_at": "$response.body#/slots/0/starts_at"}
SLOT_LINKS = {"book": link("POST", "/api/v1/appointments", body=_SLOT)}


def _service(request: Request) -> AppointmentService:
    service: AppointmentService = request.app.ctx.appointments
    return service


@bp.get("/slots")
@operation(
    "The bookable slots of a day, with free seats",
    query=SlotsQuery,
    replies={200: Reply("every slot still bookable (`closed` says why there is none)", Slots, links=SLOT_LINKS)},
    errors={422: "invalid_input (service or date missing or malformed), unknown_service or no_appointments"},
)
async def list_slots(request: Request) -> HTTPResponse:
    service_id = request.args.get("service", "")
    day_text = request.args.get("date", "")
    if not service_id:
        raise InvalidInput("the query parameter service is required", code="invalid_input")
    if not _DATE.match(day_text):
        raise InvalidInput("the query parameter date must be YYYY-MM-DD", code="invalid_input")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise InvalidInput(f"{day_text} is not a date", code="invalid_input") from None
    return json(await _service(request).slots(service_id, day))


@bp.post("")
@operation(
    "Book an appointment",
    body=AppointmentCreate,
    replies={201: Reply("booked: keep the code, it is what proves the booking", Appointment, links=BOOKING_LINKS)},
    errors={
        409: "slot_full",
        422: "invalid body, unknown_service, no_appointments, in_the_past, outside_horizon, closed, or not a slot",
        503: "unavailable: no unused booking code could be drawn; try again",
        **PUBLIC_WRITE,
    },
    security=PUBLIC_WRITE_SECURITY,
)
async def book(request: Request) -> HTTPResponse:
    body = decode_body(request, AppointmentCreate)
    service = _service(request)
    appointment = await service.book(
        body.service,
        body.starts_at,
        channel=body.channel,
        lang=body.lang,
        name=body.name,
        phone=body.phone,
        intent=body.intent,
        notes=clean_notes(body.notes),
    )
    return json(service.to_json(appointment), status=201)


@bp.get("/<code:str>")
@operation(
    "A booking, by its code",
    query=BookingLangQuery,
    replies={200: Reply("the booking", Appointment)},
    errors={404: "appointment_not_found"},
    security=PUBLIC_WRITE_SECURITY,
)
@guards_secret
async def get_appointment(request: Request, code: str) -> HTTPResponse:
    service = _service(request)
    return json(service.to_json(await service.get(code), request.args.get("lang")))


@bp.get("/<code:str>/calendar.ics")
@operation(
    "A booking as an iCalendar file",
    replies={200: Reply("one VEVENT (STATUS:CANCELLED once cancelled)", media="text/calendar")},
    errors={404: "appointment_not_found"},
    security=PUBLIC_WRITE_SECURITY,
)
@guards_secret
async def calendar(request: Request, code: str) -> HTTPResponse:
    """The booking as an iCalendar file the customer's phone adds to its calendar."""
    service = _service(request)
    appointment = await service.get(code)
    body = appointment_ics(service.to_json(appointment), request.app.ctx.settings.branch, service.clock.now())
    headers = {"Content-Disposition": f'attachment; filename="appointment-{appointment.code}.ics"'}
    return raw(body.encode(), content_type="text/calendar; charset=utf-8", headers=headers)


@bp.delete("/<code:str>")
@operation(
    "Cancel a booking (the code proves it is yours)",
    query=BookingLangQuery,
    replies={200: Reply("the booking, cancelled", Appointment)},
    errors={
        404: "appointment_not_found",
        409: "appointment_cancelled, appointment_checked_in or appointment_no_show",
        **PUBLIC_WRITE,
    },
    security=PUBLIC_WRITE_SECURITY,
)
@guards_secret
async def cancel(request: Request, code: str) -> HTTPResponse:
    """Cancel a booking. The code is the proof of possession: only its customer (and staff) is told it,
    no public stream or page shows it, and an address naming unknown codes is throttled after
    `hub.auth_failure_limit` (31^6 = 887 million codes: guessing one in use is hopeless)."""
    service = _service(request)
    return json(service.to_json(await service.cancel(code, await staff_actor(request)), request.args.get("lang")))


@bp.post("/<code:str>/reschedule")
@operation(
    "Move a booking to another slot",
    body=AppointmentMove,
    query=BookingLangQuery,
    replies={200: Reply("the booking, moved (unchanged when it is the same slot)", Appointment)},
    errors={
        404: "appointment_not_found",
        409: "slot_full, or the booking is no longer booked (appointment_cancelled, ...)",
        422: "invalid body, in_the_past, outside_horizon, closed, or not a slot",
        **PUBLIC_WRITE,
    },
    security=PUBLIC_WRITE_SECURITY,
)
@guards_secret
async def reschedule(request: Request, code: str) -> HTTPResponse:
    body = decode_body(request, AppointmentMove)
    service = _service(request)
    moved = await service.reschedule(code, body.starts_at, await staff_actor(request))
    return json(service.to_json(moved, request.args.get("lang")))


@bp.post("/<code:str>/check-in")
@operation(
    "Check in for a booking: a priority ticket",
    description="On time (within the check-in window): the appointment's priority; late: the normal queue. "
    "Checking in again returns the same ticket (200).",
    body=CheckInRequest,
    body_required=False,
    replies={
        201: Reply("checked in: the ticket, with how the check-in went", TicketView, also={"check_in": CheckIn}),
        200: Reply("already checked in: the same ticket", TicketView, also={"check_in": CheckIn}),
    },
    errors={
        404: "appointment_not_found",
        409: "too_early, appointment_expired, or the booking is no longer booked (appointment_cancelled, ...)",
        **PUBLIC_WRITE,
    },
    security=PUBLIC_WRITE_SECURITY,
)
@guards_secret
async def check_in(request: Request, code: str) -> HTTPResponse:
    body = decode_body(request, CheckInRequest) if request.body else CheckInRequest()
    actor = await staff_actor(request)
    ticket, created, details = await _service(request).check_in(code, body.channel, body.lang, actor)
    return json({**ticket.to_json(), "check_in": details}, status=201 if created else 200)
