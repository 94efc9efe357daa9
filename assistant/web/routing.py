"""Triage and devices."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from assistant.domain.events import Event, EventType
from assistant.domain.staff import Role
from assistant.web.audit import actor_of
from assistant.web.auth import requires
from assistant.web.bodies import DeviceStatusUpdate, StaffAlert, TriageRequest
from assistant.web.errors import decode_body

bp = Blueprint("routing", url_prefix="/api/v1")


@bp.post("/triage")
async def triage(request: Request) -> HTTPResponse:
    body = decode_body(request, TriageRequest)
    view = await request.app.ctx.branch.triage(body.intent, body.entities, body.lang)
    return json(view.to_json())


@bp.get("/devices")
async def devices(request: Request) -> HTTPResponse:
    """Every self-service device and its state; `?lang=zh` gives names and locations in Chinese."""
    return json({"devices": await request.app.ctx.branch.devices(request.args.get("lang", "en"))})


@bp.put("/devices/<device_id:str>/status")
@requires(Role.DEVICE)
async def device_status(request: Request, device_id: str) -> HTTPResponse:
    body = decode_body(request, DeviceStatusUpdate)
    branch = request.app.ctx.branch
    return json(await branch.set_device_status(device_id, body.state, body.detail, actor_of(request)))


@bp.post("/staff-alerts")
async def staff_alert(request: Request) -> HTTPResponse:
    """A customer asked for a person: tell every staff screen (event `staff.alert`)."""
    body = decode_body(request, StaffAlert)
    branch = request.app.ctx.branch
    data = {"reason": body.reason, "channel": body.channel, "sender": body.sender, "lang": body.lang}
    await branch.publish(Event(EventType.STAFF_ALERT, branch.clock.now(), data))
    return json({"status": "alerted"}, status=202)
