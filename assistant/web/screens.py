"""Web screens served by the hub (all assets local: branches are often offline)."""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

STATIC = Path(__file__).parent / "static"

bp = Blueprint("screens")


@bp.get("/t/<ticket_id:str>")
async def track(request: Request, ticket_id: str) -> HTTPResponse:
    """The page a ticket's QR code opens: live position, ETA and status."""
    return await file(STATIC / "track.html", mime_type="text/html; charset=utf-8")
