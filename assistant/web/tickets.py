"""Tickets, services and the queue overview; remote tickets' arrival and expiry."""

from __future__ import annotations

import logging

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json

from assistant.events import periodic
from assistant.web.apidoc import PUBLIC_WRITE, PUBLIC_WRITE_SECURITY, Reply, link, operation
from assistant.web.audit import staff_actor
from assistant.web.auth import guards_secret, role_of_request
from assistant.web.bodies import TicketCreate
from assistant.web.errors import decode_body
from assistant.web.schemas import Branch, LangQuery, Queue, ServiceList, TicketLangQuery
from lobby_wire.tickets import TICKET_ID, TicketView
from lobby_wire.triage import ServiceView

log = logging.getLogger(__name__)

bp = Blueprint("tickets", url_prefix="/api/v1")

# How often the hub looks for remote tickets past their check-in deadline (every worker does; each
# ticket expires once). Module level so a test can make it quick.
EXPIRY_CHECK_SECONDS = 10.0

# What a client does next with a ticket it took (OpenAPI links: the answer's `id` goes into these).
TICKET_LINKS = {
    "track": link("GET", "/api/v1/tickets/{ticket_id}", ticket_id="$response.body#/id"),
    "leave": link("DELETE", "/api/v1/tickets/{ticket_id}", ticket_id="$response.body#/id"),
    "arrive": link("POST", "/api/v1/tickets/{ref}/arrive", ref="$response.body#/id"),
}


@bp.get("/branch")
@operation("The branch: name, address, hours, clock", query=LangQuery, replies={200: Reply("the branch", Branch)})
async def branch_info(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    branch = request.app.ctx.branch.branch_json(request.args.get("lang", "en"))  # ?lang=zh: its words in Chinese
    return json({**branch, "notify_position": settings.queue.notify_position})


@bp.get("/services")
@operation("The services, as kiosk tiles", query=LangQuery, replies={200: Reply("every service", ServiceList)})
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
@operation(
    "Take a ticket",
    description="A repeated `idempotency_key` returns the ticket it issued first (200) instead of a new one (201). "
    "`remote` (from the bank's app): only for services that allow it, while the branch is open.",
    body=TicketCreate,
    replies={
        201: Reply("issued", TicketView, links=TICKET_LINKS),
        200: Reply("already issued with this idempotency_key", TicketView, links=TICKET_LINKS),
    },
    errors={
        409: "remote_join_closed: this service cannot be joined from outside the branch now",
        422: "invalid body, unknown_service or unknown_priority",
        **PUBLIC_WRITE,
    },
    security=PUBLIC_WRITE_SECURITY,
)
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
@operation(
    "A ticket: live place in line, ETA, status",
    query=TicketLangQuery,
    replies={200: Reply("the ticket", TicketView)},
    errors={404: "ticket_not_found"},
    security=PUBLIC_WRITE_SECURITY,  # the id is the secret; a kiosk's or staff token is not throttled
)
@guards_secret
async def get_ticket(request: Request, ticket_id: str) -> HTTPResponse:
    """`?lang=en|zh`: names in that language (default: the language the ticket was taken in)."""
    return json((await request.app.ctx.branch.get_ticket(ticket_id, request.args.get("lang"))).to_json())


@bp.delete("/tickets/<ticket_id:str>")
@operation(
    "Leave the queue (abandon the ticket)",
    replies={200: Reply("the ticket, abandoned", TicketView)},
    errors={
        404: "ticket_not_found",
        409: "wrong_state: the ticket is no longer waiting",
        **PUBLIC_WRITE,
    },
    security=PUBLIC_WRITE_SECURITY,
)
@guards_secret
async def abandon_ticket(request: Request, ticket_id: str) -> HTTPResponse:
    """The customer leaves. The id is the proof: it is the ticket's secret (its QR code and tracking URL
    carry it; no public stream or list does), 128 random bits, and an address naming unknown ids is
    throttled. Staff end a ticket through the counter actions instead."""
    return json((await request.app.ctx.branch.abandon(ticket_id, await staff_actor(request))).to_json())


@bp.post("/tickets/<ref:str>/arrive")
@operation(
    "The customer of a remote ticket is at the branch",
    description="`ref`: the ticket's id (its QR code: the customer's own secret) or today's number such as C004 "
    "(a kiosk's or staff token needed: numbers are guessable).",
    replies={200: Reply("the ticket, now callable in the place it kept", TicketView)},
    errors={
        401: "a ticket number without a device or staff token",
        404: "ticket_not_found",
        409: "ticket_expired (its check-in deadline passed) or wrong_state",
        422: "ref is neither a ticket id nor a ticket number",
        **PUBLIC_WRITE,
    },
    security=PUBLIC_WRITE_SECURITY,
)
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
@operation(
    "The queue: waiting and ETA per service, counters' states", query=LangQuery, replies={200: Reply("now", Queue)}
)
async def queue(request: Request) -> HTTPResponse:
    return json(await request.app.ctx.branch.queue_overview(request.args.get("lang", "en")))  # ?lang=: names


@bp.after_server_start
async def start_expiry(app: Sanic) -> None:
    periodic.start(
        app.ctx, "remote-ticket-expiry", lambda: EXPIRY_CHECK_SECONDS, app.ctx.branch.expire_overdue,
        "expiring remote tickets",
    )  # fmt: skip


@bp.before_server_stop
async def stop_expiry(app: Sanic) -> None:
    await periodic.stop(app.ctx, "remote-ticket-expiry")
