"""Counter actions (staff). Authentication arrives with the staff-auth issue."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

bp = Blueprint("counters", url_prefix="/api/v1/counters")


@bp.post("/<counter_id:str>/call-next")
async def call_next(request: Request, counter_id: str) -> HTTPResponse:
    return json((await request.app.ctx.branch.call_next(counter_id)).to_json())
