"""Tickets, services and the queue overview."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from assistant.protocol import ServiceView
from assistant.web.bodies import TicketCreate
from assistant.web.errors import decode_body

bp = Blueprint("tickets", url_prefix="/api/v1")


@bp.get("/branch")
async def branch_info(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    return json({**request.app.ctx.branch.branch_json(), "notify_position": settings.queue.notify_position})


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
async def get_ticket(request: Request, ticket_id: str) -> HTTPResponse:
    return json((await request.app.ctx.branch.get_ticket(ticket_id)).to_json())


@bp.delete("/tickets/<ticket_id:str>")
async def abandon_ticket(request: Request, ticket_id: str) -> HTTPResponse:
    return json((await request.app.ctx.branch.abandon(ticket_id)).to_json())


@bp.get("/queue")
async def queue(request: Request) -> HTTPResponse:
    return json(await request.app.ctx.branch.queue_overview())
