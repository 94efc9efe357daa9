"""Counter actions: staff only (a teller token or above); each is audited with the token that did it."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from assistant.domain.staff import Role
from assistant.web.audit import actor_of
from assistant.web.auth import requires
from assistant.web.bodies import CallRequest, FinishRequest, TransferRequest
from assistant.web.counter_service import CLOSED, CounterService
from assistant.web.errors import decode_body
from assistant.web.events import public_ticket
from assistant.web.metrics import observe_call

bp = Blueprint("counters", url_prefix="/api/v1/counters")


def counters(request: Request) -> CounterService:
    return request.app.ctx.counters  # type: ignore[no-any-return]


@bp.get("")
async def list_counters(request: Request) -> HTTPResponse:
    """Public: the ticket at each counter as the lobby may see it (no id; events.public_ticket)."""
    listed = await counters(request).list()
    for counter in listed:
        if counter.get("current"):
            counter["current"] = public_ticket(counter["current"])
    return json({"counters": listed})


@bp.post("/<counter_id:str>/call-next")
@requires(Role.TELLER)
async def call_next(request: Request, counter_id: str) -> HTTPResponse:
    ticket = await counters(request).call_next(counter_id, actor_of(request))
    observe_call(request.app, ticket, request.app.ctx.branch.clock.now())
    return json(ticket.to_json())


@bp.post("/<counter_id:str>/call")
@requires(Role.TELLER)
async def call_specific(request: Request, counter_id: str) -> HTTPResponse:
    body = decode_body(request, CallRequest)
    ticket = await counters(request).call(counter_id, body.ticket_id, actor_of(request))
    observe_call(request.app, ticket, request.app.ctx.branch.clock.now())
    return json(ticket.to_json())


@bp.post("/<counter_id:str>/recall")
@requires(Role.TELLER)
async def recall(request: Request, counter_id: str) -> HTTPResponse:
    return json((await counters(request).recall(counter_id, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/no-show")
@requires(Role.TELLER)
async def no_show(request: Request, counter_id: str) -> HTTPResponse:
    return json((await counters(request).no_show(counter_id, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/start")
@requires(Role.TELLER)
async def start(request: Request, counter_id: str) -> HTTPResponse:
    return json((await counters(request).start(counter_id, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/finish")
@requires(Role.TELLER)
async def finish(request: Request, counter_id: str) -> HTTPResponse:
    body = decode_body(request, FinishRequest) if request.body else FinishRequest()
    return json((await counters(request).finish(counter_id, body.outcome, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/park")
@requires(Role.TELLER)
async def park(request: Request, counter_id: str) -> HTTPResponse:
    return json((await counters(request).park(counter_id, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/transfer")
@requires(Role.TELLER)
async def transfer(request: Request, counter_id: str) -> HTTPResponse:
    body = decode_body(request, TransferRequest)
    return json((await counters(request).transfer(counter_id, body.service, body.counter, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/open")
@requires(Role.TELLER)
async def open_counter(request: Request, counter_id: str) -> HTTPResponse:
    return json(await counters(request).set_state(counter_id, "open", actor_of(request)))


@bp.post("/<counter_id:str>/close")
@requires(Role.TELLER)
async def close_counter(request: Request, counter_id: str) -> HTTPResponse:
    return json(await counters(request).set_state(counter_id, CLOSED, actor_of(request)))
