"""Spoken announcements of ticket calls, rendered offline by the hub (pyttsx3 + espeak-ng).

`GET /api/v1/announcements/{number}.wav?lang=en|zh|ticket` says "Ticket A 23, please go to Counter 2."
(or "请A023号到2号窗口办理。") for the counter the ticket was last called to; without `lang` (or with
`lang=ticket`) in the ticket's own language, the one its customer spoke when they took it. The
phrase comes from `lobby_wire.calls` (the same words `lobby announcer` says); the WAV from
`assistant.services.announcements`, with the renderer the entry point gave `create_app` (`lobby serve`:
`hardware.speaker.WavSpeaker`; none: 503 `tts_unavailable`). The renderer is made when the server
starts and starts its engine at the first request: nothing happens at import.
"""

from __future__ import annotations

import asyncio
import logging

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, file

from assistant.domain.errors import Conflict, InvalidInput, Unavailable
from assistant.services.announcements import Announcements
from assistant.web.apidoc import Reply, operation
from assistant.web.schemas import AnnouncementQuery
from lobby_wire.calls import LANGUAGES, announcement_language, call_phrase

log = logging.getLogger(__name__)

bp = Blueprint("announcements", url_prefix="/api/v1/announcements")


def announcements(request: Request) -> Announcements:
    found: Announcements | None = request.app.ctx.announcements
    if found is None:
        raise Unavailable("this hub was started without a speech renderer", code="tts_unavailable")
    return found


@bp.before_server_start
async def open_announcements(app: Sanic) -> None:
    settings, renderer = app.ctx.settings, app.ctx.speech_renderer
    directory = settings.resolve(settings.hardware.voice_dir).absolute() / "announcements"
    app.ctx.announcements = Announcements(renderer(directory)) if renderer is not None else None


@bp.after_server_stop
async def close_announcements(app: Sanic) -> None:
    if app.ctx.announcements is not None:
        await asyncio.to_thread(app.ctx.announcements.close)  # joins the engine thread (bounded)


TICKET_LANG = "ticket"  # ?lang=ticket: the ticket's own language


def requested_language(request: Request) -> str | None:
    """The language asked for, or None for the ticket's own (`lang` omitted or "ticket")."""
    raw = request.args.get("lang") or TICKET_LANG
    if raw == TICKET_LANG:
        return None
    lang = announcement_language(raw)
    if lang is None:
        choices = ", ".join((*LANGUAGES, TICKET_LANG))
        raise InvalidInput(f"no announcements in {raw!r}; one of {choices}", code="unsupported_language")
    return lang


@bp.get("/<ticket_id:ext=wav>")
@operation(
    "A ticket's call, said aloud (WAV)",
    description="`ticket_id`: today's number (A023, what the public display knows) or the ticket's id. Rendered "
    "once per phrase, then cached; `ETag` lets a browser revalidate it.",
    path={"ticket_id": {"type": "string", "minLength": 1}},
    query=AnnouncementQuery,
    replies={
        200: Reply("the announcement", media="audio/wav", headers={"ETag": "the phrase's file"}),
        304: Reply("not modified (If-None-Match)", media=()),
    },
    errors={
        404: "ticket_not_found",
        409: "not_called: the ticket is at no counter",
        422: "unsupported_language",
        503: "tts_timeout or tts_unavailable: speech synthesis failed",
    },
)
async def ticket_announcement(request: Request, ticket_id: str, ext: str) -> HTTPResponse:
    """The call of a ticket said aloud (audio/wav), in `lang` (en, zh; default: the ticket's own language).

    The ticket is named by today's number (A023: what the public display knows) or by its id.
    404 `ticket_not_found` for an unknown ticket, 409 `not_called` for a ticket that is at no counter.
    A recall asks again and gets the same (cached) file; `ETag` lets a browser revalidate it.
    """
    asked = requested_language(request)
    branch = request.app.ctx.branch
    ticket = await branch.find_ticket(ticket_id)
    if not ticket.counter:
        raise Conflict(f"ticket {ticket.number} is not called to a counter", code="not_called")
    lang = asked or announcement_language(ticket.lang) or "en"
    counter = next((c for c in branch.settings.counters if c.id == ticket.counter), None)
    text = call_phrase(ticket.number, counter.display_name(lang) if counter else ticket.counter, lang)
    utterance, synthesized = await announcements(request).render(text, lang)
    etag = f'"{utterance.wav_path.stem}"'
    headers = {"ETag": etag, "X-Announcement-Cache": "miss" if synthesized else "hit"}  # file() adds no-cache
    if request.headers.get("if-none-match") == etag:
        return HTTPResponse(status=304, headers=headers)
    return await file(utterance.wav_path, mime_type="audio/wav", headers=headers, request_headers=request.headers)
