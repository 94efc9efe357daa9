"""The end of a branch day, run every `CHECK_SECONDS` by each hub process.

What it closes, and why exactly once, is `assistant.services.end_of_day.close_day`: tickets still in
line when the day is over leave as abandoned (outcome `branch_closed`), booked appointments nobody
checked in for become `no_show`, and each run that closed something leaves a `day.close` audit entry.
"""

from __future__ import annotations

from sanic import Blueprint, Sanic

from assistant.events import periodic
from assistant.services.end_of_day import close_day

bp = Blueprint("end_of_day")

CHECK_SECONDS = 60.0


@bp.after_server_start
async def start_closing(app: Sanic) -> None:
    async def job() -> None:
        await close_day(app.ctx.branch)

    periodic.start(app.ctx, "end-of-day", lambda: CHECK_SECONDS, job, "closing the day")


@bp.before_server_stop
async def stop_closing(app: Sanic) -> None:
    await periodic.stop(app.ctx, "end-of-day")


def install(app: Sanic) -> None:
    """The one call in `create_app`: the end-of-day job."""
    app.blueprint(bp)


__all__ = ["CHECK_SECONDS", "bp", "install"]
