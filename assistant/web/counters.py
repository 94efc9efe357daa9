"""Counter actions: staff only (a teller token or above); each is audited with the token that did it."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from assistant.domain.staff import CounterStatus, Role
from assistant.services.counters import CounterService
from assistant.web.apidoc import Reply, operation
from assistant.web.audit import actor_of
from assistant.web.auth import requires
from assistant.web.bodies import BreakRequest, CallRequest, FinishRequest, TransferRequest
from assistant.web.errors import decode_body
from assistant.web.events import public_ticket
from assistant.web.metrics import observe_call
from assistant.web.schemas import CounterState
from assistant.web.schemas_staff import CounterList
from lobby_wire.tickets import TicketView

bp = Blueprint("counters", url_prefix="/api/v1/counters")


def counters(request: Request) -> CounterService:
    return request.app.ctx.counters


@bp.get("")
@operation("The counters, their skills and tickets", replies={200: Reply("every counter", CounterList)})
async def list_counters(request: Request) -> HTTPResponse:
    """Public: the ticket at each counter as the lobby may see it (no id; events.public_ticket)."""
    listed = await counters(request).list()
    for counter in listed:
        if counter.get("current"):
            counter["current"] = public_ticket(counter["current"])
    return json({"counters": listed})


@bp.post("/<counter_id:str>/call-next")
@operation(
    "Call the next customer (the ordering policy picks)",
    description="Finishes the ticket at the counter first, if any.",
    replies={200: Reply("the ticket called", TicketView)},
    errors={404: "counter_not_found", 409: "nothing_to_call, or counter_closed"},
)
@requires(Role.TELLER)
async def call_next(request: Request, counter_id: str) -> HTTPResponse:
    ticket = await counters(request).call_next(counter_id, actor_of(request))
    observe_call(request.app, ticket, request.app.ctx.branch.clock.now())
    return json(ticket.to_json())


@bp.post("/<counter_id:str>/call")
@operation(
    "Call one particular waiting or parked ticket",
    body=CallRequest,
    replies={200: Reply("the ticket called", TicketView)},
    errors={
        404: "counter_not_found or ticket_not_found",
        409: "counter_closed, or the ticket is not waiting or parked",
    },
)
@requires(Role.TELLER)
async def call_specific(request: Request, counter_id: str) -> HTTPResponse:
    body = decode_body(request, CallRequest)
    ticket = await counters(request).call(counter_id, body.ticket_id, actor_of(request))
    observe_call(request.app, ticket, request.app.ctx.branch.clock.now())
    return json(ticket.to_json())


@bp.post("/<counter_id:str>/recall")
@operation(
    "Call the ticket at the counter again",
    replies={200: Reply("the ticket (a no-show past queue.max_recalls)", TicketView)},
    errors={404: "counter_not_found", 409: "no_current_ticket or wrong_state"},
)
@requires(Role.TELLER)
async def recall(request: Request, counter_id: str) -> HTTPResponse:
    return json((await counters(request).recall(counter_id, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/no-show")
@operation(
    "The called customer did not come",
    replies={200: Reply("the ticket, a no-show", TicketView)},
    errors={404: "counter_not_found", 409: "no_current_ticket, too_soon (queue.no_show_after_seconds) or wrong_state"},
)
@requires(Role.TELLER)
async def no_show(request: Request, counter_id: str) -> HTTPResponse:
    return json((await counters(request).no_show(counter_id, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/start")
@operation(
    "Start serving the called customer",
    replies={200: Reply("the ticket, being served", TicketView)},
    errors={404: "counter_not_found", 409: "no_current_ticket or wrong_state"},
)
@requires(Role.TELLER)
async def start(request: Request, counter_id: str) -> HTTPResponse:
    return json((await counters(request).start(counter_id, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/finish")
@operation(
    "Finish the ticket at the counter",
    body=FinishRequest,
    body_required=False,
    replies={200: Reply("the ticket, served", TicketView)},
    errors={
        404: "counter_not_found",
        409: "no_current_ticket or wrong_state",
        422: "invalid body or an unknown outcome",
    },
)
@requires(Role.TELLER)
async def finish(request: Request, counter_id: str) -> HTTPResponse:
    body = decode_body(request, FinishRequest) if request.body else FinishRequest()
    return json((await counters(request).finish(counter_id, body.outcome, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/park")
@operation(
    "Park the ticket at the counter (called again later)",
    replies={200: Reply("the ticket, parked", TicketView)},
    errors={404: "counter_not_found", 409: "no_current_ticket or wrong_state"},
)
@requires(Role.TELLER)
async def park(request: Request, counter_id: str) -> HTTPResponse:
    return json((await counters(request).park(counter_id, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/transfer")
@operation(
    "Send the ticket at the counter to another service or counter",
    body=TransferRequest,
    replies={200: Reply("the ticket, waiting again", TicketView)},
    errors={
        404: "counter_not_found (this or the target counter)",
        409: "no_current_ticket or wrong_state",
        422: "invalid body, unknown_service, or neither service nor counter",
    },
)
@requires(Role.TELLER)
async def transfer(request: Request, counter_id: str) -> HTTPResponse:
    body = decode_body(request, TransferRequest)
    return json((await counters(request).transfer(counter_id, body.service, body.counter, actor_of(request))).to_json())


@bp.post("/<counter_id:str>/open")
@operation(
    "Open the counter",
    replies={200: Reply("the counter, open", CounterState)},
    errors={404: "counter_not_found"},
)
@requires(Role.TELLER)
async def open_counter(request: Request, counter_id: str) -> HTTPResponse:
    return json(await counters(request).set_state(counter_id, CounterStatus.OPEN, actor_of(request)))


@bp.post("/<counter_id:str>/break")
@operation(
    'Put the counter on a break until a time ("on break until 13:30")',
    description="Closed to new calls like a paused counter, with the time it is due back: the wait estimates "
    "count it from then. Open it again with .../open.",
    body=BreakRequest,
    replies={200: Reply("the counter, on a break", CounterState)},
    errors={
        404: "counter_not_found",
        409: "counter_busy: finish or transfer its customer first",
        422: "invalid body: give until (HH:MM, later today) or minutes",
    },
)
@requires(Role.TELLER)
async def break_counter(request: Request, counter_id: str) -> HTTPResponse:
    body = decode_body(request, BreakRequest)
    return json(await counters(request).take_break(counter_id, body.until, body.minutes, actor_of(request)))


@bp.post("/<counter_id:str>/close")
@operation(
    "Close the counter",
    replies={200: Reply("the counter, closed", CounterState)},
    errors={404: "counter_not_found", 409: "counter_busy: finish or transfer its customer first"},
)
@requires(Role.TELLER)
async def close_counter(request: Request, counter_id: str) -> HTTPResponse:
    return json(await counters(request).set_state(counter_id, CounterStatus.CLOSED, actor_of(request)))
