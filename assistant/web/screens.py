"""Web screens served by the hub (all assets local: branches are often offline)."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file, raw

from assistant.domain.errors import InvalidInput, NotFound
from assistant.web.apidoc import Reply, operation
from assistant.web.schemas import QrQuery

STATIC = Path(__file__).parent / "static"

bp = Blueprint("screens")


QR_MAX_CHARS = 512  # a tracking URL or a booking code; not a file store

# The customer pages' scripts and styles (the words per language: i18n.js); only these are served. Files,
# never inline: the Content-Security-Policy (edge.py) lets pages run only the hub's own files.
_JS, _CSS = "text/javascript; charset=utf-8", "text/css; charset=utf-8"
_SHARED_ASSETS = {
    "i18n.js": _JS,
    "live.js": _JS,  # every page's reconnecting WebSocket (the staff screens load it too)
    "track.js": _JS,
    "track.css": _CSS,
    "chat.js": _JS,
    "chat.css": _CSS,
}


@bp.get("/chat")
@operation("The web chat page (screen)", replies={200: Reply("the page", media="text/html")})
async def chat_page(request: Request) -> HTTPResponse:
    """The reference web chat for the bank's app and website (DESIGN §4)."""
    return await file(STATIC / "chat.html", mime_type="text/html; charset=utf-8")


@bp.get("/static/<asset:str>")
@operation(
    "A script or style the customer pages share",
    path={"asset": {"type": "string", "enum": sorted(_SHARED_ASSETS)}},
    replies={200: Reply("the file", media=("text/javascript", "text/css"))},
    errors={404: "not_found: no such asset"},
)
async def shared_asset(request: Request, asset: str) -> HTTPResponse:
    """A script the customer pages share, served from here so they work without the internet."""
    mime = _SHARED_ASSETS.get(asset)
    if mime is None:
        raise NotFound(f"no shared asset {asset}", code="not_found")
    return await file(STATIC / asset, mime_type=mime)  # file() says no-cache: a new release is seen at once


@bp.get("/api/v1/qr.svg")
@operation(
    "A QR code as SVG",
    query=QrQuery,
    replies={200: Reply("the code", media="image/svg+xml")},
    errors={422: "invalid_input: data missing or over 512 characters"},
)
async def qr_svg(request: Request) -> HTTPResponse:
    """A QR code of `data` as SVG, drawn here so pages need no script from the internet."""
    data = request.args.get("data", "")
    if not data or len(data) > QR_MAX_CHARS:
        raise InvalidInput(f"data must be 1 to {QR_MAX_CHARS} characters", code="invalid_input")
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=4, border=2, title=data[:80])
    return raw(buffer.getvalue(), content_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


@bp.get("/t/<ticket_id:str>")
@operation("A ticket's tracking page (screen: what its QR code opens)", replies={200: Reply("page", media="text/html")})
async def track(request: Request, ticket_id: str) -> HTTPResponse:
    """The page a ticket's QR code opens: live position, ETA and status."""
    return await file(STATIC / "track.html", mime_type="text/html; charset=utf-8")
