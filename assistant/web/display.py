"""The lobby display: which counter calls which ticket, the last calls, waiting and ETA per service.

`/display?last=6` is a plain page (static/display.*, no framework, nothing from the
internet). It subscribes to `/api/v1/events` (snapshot, then changes), reads `GET /api/v1/queue`
and `GET /api/v1/calls?last=N` when it (re)connects, and for each call plays the chime
(`/display/chime.wav`, synthesized by `lobby_wire.calls`) then the spoken call
(`/api/v1/announcements/{number}.wav`, see `announcements.py`) in the ticket's own language, the
one its customer spoke; `?lang=en`, `?lang=zh` or `?lang=en,zh` says every call in those languages instead.

`bp` groups the screen, its small API and the announcements: the app registers it once.
"""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file, json, raw

from assistant.domain.clock import business_date
from assistant.domain.errors import InvalidInput, NotFound
from assistant.services.listings import last_calls
from assistant.web import announcements
from assistant.web.apidoc import Reply, operation
from assistant.web.events import public_ticket
from assistant.web.schemas import Calls, CallsQuery
from lobby_wire.calls import chime_wav

STATIC = Path(__file__).parent / "static"
DEFAULT_LAST = 6
MAX_LAST = 20

_ASSETS = {
    "display.js": "text/javascript; charset=utf-8",
    "display.css": "text/css; charset=utf-8",
}

screen = Blueprint("display_screen")
api = Blueprint("display_api", url_prefix="/api/v1")


@screen.get("/display")
@operation("The lobby display (screen)", replies={200: Reply("the page", media="text/html")})
async def display(request: Request) -> HTTPResponse:
    """The lobby screen (`?last=N` calls kept visible, default 6; `?lang=en,zh` announcement languages,
    default each ticket's own)."""
    return await file(STATIC / "display.html", mime_type="text/html; charset=utf-8")  # file() says no-cache


@screen.get("/display/chime.wav")
@operation("The chime played before each call", replies={200: Reply("the sound", media="audio/wav")})
async def chime(request: Request) -> HTTPResponse:
    return raw(chime_wav(), content_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"})


@screen.get("/display/<asset:str>")
@operation(
    "The display's script or style",
    path={"asset": {"type": "string", "enum": sorted(_ASSETS)}},
    replies={200: Reply("the file", media=("text/javascript", "text/css"))},
    errors={404: "not_found: no such asset"},
)
async def display_asset(request: Request, asset: str) -> HTTPResponse:
    mime = _ASSETS.get(asset)
    if mime is None:
        raise NotFound(f"no display asset {asset}", code="not_found")
    return await file(STATIC / asset, mime_type=mime)  # file() says no-cache


def _last(request: Request) -> int:
    raw_value = request.args.get("last", str(DEFAULT_LAST))
    if not (raw_value.isascii() and raw_value.isdigit()):  # int() also takes " 7", "+7", "1_0", Arabic-Indic 7
        raise InvalidInput(f"last must be a number, not {raw_value[:20]!r}", code="invalid_input")
    last = int(raw_value)
    if not 1 <= last <= MAX_LAST:
        raise InvalidInput(f"last must be between 1 and {MAX_LAST}", code="invalid_input")
    return last


@api.get("/calls")
@operation(
    "Today's last calls, newest first",
    query=CallsQuery,
    replies={200: Reply("a recall counts as a new call", Calls)},
    errors={422: "invalid_input: last is not a number from 1 to 20"},
)
async def calls(request: Request) -> HTTPResponse:
    """The last `last` calls of today (default 6, at most 20), newest first: a recall counts as a new call.

    Each is `{ticket, counter: {id, name}, called_at, recalls}` (`ticket` as on the public event stream:
    as in GET /api/v1/tickets/{id} without its id and tracking URL, in its own language; the counter's
    name in `?lang=`, default en).
    """
    limit = _last(request)
    branch = request.app.ctx.branch
    lang = request.args.get("lang", "en")
    names = {counter.id: counter.display_name(lang) for counter in branch.settings.counters}
    day = business_date(branch.clock.now(), branch.settings.branch.timezone)
    out = [
        {
            "ticket": public_ticket(call.ticket.to_json()),  # no id: this list is public
            "counter": {"id": call.counter_id, "name": names.get(call.counter_id or "", call.counter_id)},
            "called_at": call.called_at.isoformat() if call.called_at else None,
            "recalls": call.recalls,
        }
        for call in await last_calls(branch, day, limit)
    ]
    return json({"calls": out})


bp = Blueprint.group(screen, api, announcements.bp)
