"""Liveness and readiness."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from sanic_ext.extensions.openapi.builders import SpecificationBuilder
from sqlalchemy import text

bp = Blueprint("health")


@bp.get("/healthz")
async def healthz(request: Request) -> HTTPResponse:
    try:
        async with request.app.ctx.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # the probe reports, it does not raise
        return json({"status": "error", "database": str(exc)[:200]}, status=503)
    # The hub serves touch without the dialogue engine: report it, but stay "ok".
    dialogue = "up" if await request.app.ctx.rasa.ping() else "down"
    return json({"status": "ok", "branch": request.app.ctx.settings.branch.id, "database": "ok", "dialogue": dialogue})


@bp.get("/api/v1/openapi.json")
@openapi.exclude()
async def openapi_document(request: Request) -> HTTPResponse:
    """The OpenAPI document that sanic-ext builds at start-up."""
    return json(SpecificationBuilder().build(request.app).serialize())
