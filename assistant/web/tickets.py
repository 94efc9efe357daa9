"""Tickets, services and the queue overview; remote tickets' arrival and expiry."""

from __future__ import annotations

import logging

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json

from assistant.protocol import TICKET_ID, ServiceView
from assistant.web import periodic
from assistant.web.audit import staff_actor
from assistant.web.auth import guards_secret, role_of_request
from assistant.web.bodies import TicketCreate
from assistant.web.errors import decode_body

log = logging.getLogger(__name__)

bp = Blueprint("tickets", url_prefix="/api/v1")

# How often the hub looks for remote tickets past their check-in deadline (every worker does; each
# ticket expires once). Module level so a test can make it quick.
EXPIRY_CHECK_SECONDS = 10.0


@bp.get("/branch")
async def branch_info(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    branch = request.app.ctx.branch.branch_json(request.args.get("lang", "en"))  # ?lang=zh: its words in Chinese
    return json({**branch, "notify_position": settings.queue.notify_position})


@bp.get("/services")
async def list_services(request: Request) -> HTTPResponse:
    lang = request.args.get("lang", "en")
    settings = request.app.ctx.settings
    bookable = set(settings.bookable_service_ids())
    services = [
        ServiceView(
            id=s.id,
            name=s.display_name(lang),
            prefix=s.prefix,
            intents=s.intents,
            advisor=s.advisor,
            bookable=s.id in bookable,
        ).to_json()
        for s in settings.services
    ]
    return json({"services": services})


@bp.post("/tickets")
async def create_ticket(request: Request) -> HTTPResponse:
    body = decode_body(request, TicketCreate)
    ticket, created = await request.app.ctx.branch.issue_ticket(
        body.service,
        channel=body.channel,
        lang=body.lang,
        priority=body.priority,
        intent=body.intent,
        appointment_code=body.appointment_code,
        idempotency_key=body.idempotency_key,
        remote=body.remote,
    )
    return json(ticket.to_json(), status=201 if created else 200)


@bp.get("/tickets/<ticket_id:str>")
@guards_secret
async def get_ticket(request: Request, ticket_id: str) -> HTTPResponse:
    """`?lang=en|zh`: names in that language (default: the language the ticket was taken in)."""
    return json((await request.app.ctx.branch.get_ticket(ticket_id, request.args.get("lang"))).to_json())


@bp.delete("/tickets/<ticket_id:str>")
@guards_secret
async def abandon_ticket(request: Request, ticket_id: str) -> HTTPResponse:
    """The customer leaves. The id is the proof: it is the ticket's secret (its QR code and tracking URL
    carry it; no public stream or list does), 128 random bits, and an address naming unknown ids is
    throttled. Staff end a ticket through the counter actions instead."""
    return json((await request.app.ctx.branch.abandon(ticket_id, await staff_actor(request))).to_json())


@bp.post("/tickets/<ref:str>/arrive")
@guards_secret
async def arrive(request: Request, ref: str) -> HTTPResponse:
    """The customer is at the branch: `ref` is the ticket's id (its QR code scanned at the kiosk, or
    "I'm here" on the tracking page) or today's number typed at the kiosk. A remote ticket becomes
    callable in the place it kept; 409 `ticket_expired` once its check-in deadline passed.

    Numbers are guessable, so only the branch's own kiosks and staff (a device or staff token) may
    use one; the id in the QR code is the customer's own secret."""
    if not TICKET_ID.fullmatch(ref.strip()):
        await role_of_request(request)
    return json((await request.app.ctx.branch.arrive(ref, await staff_actor(request))).to_json())


@bp.get("/queue")
async def queue(request: Request) -> HTTPResponse:
    return json(await request.app.ctx.branch.queue_overview(request.args.get("lang", "en")))  # ?lang=: names


@bp.after_server_start
async def start_expiry(app: Sanic) -> None:
    periodic.start(
        app, "remote-ticket-expiry", lambda: EXPIRY_CHECK_SECONDS, app.ctx.branch.expire_overdue,
        "expiring remote tickets",
    )  # fmt: skip


@bp.before_server_stop
async def stop_expiry(app: Sanic) -> None:
    await periodic.stop(app, "remote-ticket-expiry")
