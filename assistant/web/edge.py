"""What every request and response passes at the edge: JSON-only bodies, a depth limit, security headers.

* A request that says its body is anything but JSON gets 415 `unsupported_media_type`: every endpoint
  takes JSON, and a cross-site HTML form or a "simple" fetch (text/plain, urlencoded, multipart: what
  browsers send without asking the server first, and always with one of these types) can then change
  nothing. A body without a Content-Type (curl, scripts) is read as JSON.
* A JSON body nested deeper than `bodies.MAX_JSON_DEPTH` gets 422 `too_deep` before anything decodes it.
* Every response says how a browser must treat it: a Content-Security-Policy allowing only this hub's
  own scripts, styles, images, sounds and sockets (the pages have no inline script or style), no
  framing, no MIME sniffing, and no Referer, which would carry a tracking page's ticket id to any link.
"""

from __future__ import annotations

import logging

from sanic import HTTPResponse, Request, Sanic

from assistant.web.bodies import check_depth
from assistant.web.errors import UnsupportedMediaType

log = logging.getLogger(__name__)

WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def check_request(request: Request) -> None:
    """415 for a request that says its body is not JSON; 422 for JSON nested too deep."""
    if request.method not in WITH_BODY:
        return
    content_type = request.headers.get("content-type", "")
    if content_type and not is_json(content_type):
        raise UnsupportedMediaType(f"send JSON with Content-Type: application/json (not {content_type})")
    if request.body:
        check_depth(request.body)


def install(app: Sanic) -> None:
    async def edge_checks(request: Request) -> None:
        check_request(request)

    # Before the rate limit and token checks: the cheapest refusals first.
    app.register_middleware(edge_checks, "request", priority=100)

    @app.on_response(priority=100)
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            if name not in response.headers:
                response.headers[name] = value
