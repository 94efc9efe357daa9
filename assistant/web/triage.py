"""Triage and devices."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from assistant.domain.events import Event, EventType
from assistant.domain.staff import Role
from assistant.web.apidoc import PUBLIC_WRITE, PUBLIC_WRITE_SECURITY, Reply, operation
from assistant.web.audit import actor_of
from assistant.web.auth import requires
from assistant.web.bodies import DeviceStatusUpdate, StaffAlert, TriageRequest
from assistant.web.errors import decode_body
from assistant.web.schemas import Accepted, DeviceList, DeviceStatus, LangQuery
from lobby_wire.triage import TriageView

bp = Blueprint("routing", url_prefix="/api/v1")


@bp.post("/triage")
@operation(
    "Route a need: a device now, a ticket, an appointment, information or a person",
    description="The routing brain, with the devices' live states. `entities` may say an amount, a currency, ...",
    body=TriageRequest,
    replies={200: Reply("the decision, its reason in `lang`", TriageView)},
    errors={422: "invalid body or too_deep", **PUBLIC_WRITE},
    security=PUBLIC_WRITE_SECURITY,
)
async def triage(request: Request) -> HTTPResponse:
    body = decode_body(request, TriageRequest)
    view = await request.app.ctx.branch.triage(body.intent, body.entities, body.lang)
    return json(view.to_json())


@bp.get("/devices")
@operation("Self-service devices and their states", query=LangQuery, replies={200: Reply("every device", DeviceList)})
async def devices(request: Request) -> HTTPResponse:
    """Every self-service device and its state; `?lang=zh` gives names and locations in Chinese."""
    return json({"devices": await request.app.ctx.branch.devices(request.args.get("lang", "en"))})


@bp.put("/devices/<device_id:str>/status")
@operation(
    "Report a device's state (device monitors, kiosks)",
    body=DeviceStatusUpdate,
    replies={200: Reply("recorded and broadcast as device.status", DeviceStatus)},
    errors={404: "device_not_found"},
)
@requires(Role.DEVICE)
async def device_status(request: Request, device_id: str) -> HTTPResponse:
    body = decode_body(request, DeviceStatusUpdate)
    branch = request.app.ctx.branch
    return json(await branch.set_device_status(device_id, body.state, body.detail, actor_of(request)))


@bp.post("/staff-alerts")
@operation(
    "A customer asks for a person: tell every staff screen",
    body=StaffAlert,
    replies={202: Reply("every staff screen is told (event staff.alert)", Accepted)},
    errors=PUBLIC_WRITE,
    security=PUBLIC_WRITE_SECURITY,
)
async def staff_alert(request: Request) -> HTTPResponse:
    """A customer asked for a person: tell every staff screen (event `staff.alert`)."""
    body = decode_body(request, StaffAlert)
    branch = request.app.ctx.branch
    data = {"reason": body.reason, "channel": body.channel, "sender": body.sender, "lang": body.lang}
    await branch.publish(Event(EventType.STAFF_ALERT, branch.clock.now(), data))
    return json({"status": "alerted"}, status=202)
