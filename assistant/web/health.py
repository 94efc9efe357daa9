"""Liveness and readiness."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from assistant.services.runtime import ping_database
from assistant.web.apidoc import Reply, document, operation
from assistant.web.schemas import Health

bp = Blueprint("health")


@bp.get("/healthz")
@operation(
    "Liveness and readiness",
    description="200 while the database answers; `dialogue` says whether the dialogue engine does (the hub "
    "serves touch without it). 503 when the database does not answer (a probe's answer, not the error shape).",
    replies={200: Reply("the hub serves", Health), 503: Reply("the database does not answer", Health)},
)
async def healthz(request: Request) -> HTTPResponse:
    try:
        await ping_database(request.app.ctx.sessions)
    except Exception as exc:  # the probe reports, it does not raise
        return json({"status": "error", "database": str(exc)[:200]}, status=503)
    # The hub serves touch without the dialogue engine: report it, but stay "ok".
    dialogue = "up" if await request.app.ctx.rasa.ping() else "down"
    return json({"status": "ok", "branch": request.app.ctx.settings.branch.id, "database": "ok", "dialogue": dialogue})


@bp.get("/api/v1/openapi.json")
@openapi.exclude()
async def openapi_document(request: Request) -> HTTPResponse:
    """The OpenAPI 3.1 document (`assistant.web.apidoc`); built once per process, it does not change."""
    spec = getattr(request.app.ctx, "openapi_document", None)
    if spec is None:
        spec = request.app.ctx.openapi_document = document(request.app)
    return json(spec)
