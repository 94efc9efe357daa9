"""Spoken announcements of ticket calls, rendered offline by the hub (pyttsx3 + espeak-ng).

`GET /api/v1/announcements/{number}.wav?lang=en|zh|ticket` says "Ticket A 23, please go to Counter 2."
(or "请A023号到2号窗口办理。") for the counter the ticket was last called to; without `lang` (or with
`lang=ticket`) in the ticket's own language, the one its customer spoke when they took it. The
phrase comes from `assistant.announce_phrase` (the same words `lobby announcer` says); the WAV is
rendered once per phrase by `hardware.speaker.WavSpeaker` — one engine on its own thread, files cached under
`<hardware.voice_dir>/announcements/` by a hash of text, language and voice — and awaited here
off the event loop. The speaker is created when the server starts and starts its engine at the
first request: nothing happens at import.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from pathlib import Path

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, file

from assistant.announce_phrase import LANGUAGES, announcement_language, call_phrase
from assistant.domain.errors import Conflict, InvalidInput, Unavailable
from assistant.web.apidoc import Reply, operation
from assistant.web.schemas import AnnouncementQuery
from hardware.ports import HardwareError, Speaker, Utterance
from hardware.speaker import WavSpeaker

log = logging.getLogger(__name__)

RENDER_TIMEOUT = 20.0  # seconds; a cold espeak-ng start plus one sentence takes well under one
MEMORY_ENTRIES = 512  # phrases whose file is known without asking the speaker thread

bp = Blueprint("announcements", url_prefix="/api/v1/announcements")


class Announcements:
    """Phrase -> WAV, each phrase rendered once even when several screens ask at the same moment."""

    def __init__(self, speaker: Speaker, timeout: float = RENDER_TIMEOUT) -> None:
        self.speaker = speaker
        self.timeout = timeout
        self.rendered = 0  # phrases synthesized by this process (not found in any cache)
        self._known: OrderedDict[tuple[str, str], Utterance] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Task[tuple[Utterance, bool]]] = {}

    @classmethod
    def for_directory(cls, directory: Path) -> Announcements:
        return cls(WavSpeaker(directory))

    def cached(self, text: str, lang: str) -> Utterance | None:
        utterance = self._known.get((text, lang))
        if utterance is not None and utterance.wav_path.exists():
            self._known.move_to_end((text, lang))
            return utterance
        return None

    async def render(self, text: str, lang: str) -> tuple[Utterance, bool]:
        """The WAV of `text` in `lang` and whether it had to be synthesized now (False: from a cache)."""
        key = (text, lang)
        if (known := self.cached(text, lang)) is not None:
            return known, False
        task = self._pending.get(key)
        if task is None:
            # WavSpeaker.render blocks until its engine thread is done: wait for it in a worker thread.
            task = asyncio.create_task(asyncio.to_thread(self._render, text, lang), name=f"tts {text[:40]}")
            self._pending[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        try:
            utterance, synthesized = await asyncio.wait_for(asyncio.shield(task), self.timeout)
        except TimeoutError:
            raise Unavailable(f"speech synthesis took over {self.timeout:.0f} s", code="tts_timeout") from None
        except HardwareError as exc:
            raise Unavailable(f"speech synthesis failed: {exc}", code="tts_unavailable") from None
        self._known[key] = utterance
        while len(self._known) > MEMORY_ENTRIES:
            self._known.popitem(last=False)
        return utterance, synthesized

    def _render(self, text: str, lang: str) -> tuple[Utterance, bool]:
        """In a worker thread. The speaker counts its cache misses (approximate when renders overlap)."""
        before = getattr(self.speaker, "synth_count", None)
        utterance = self.speaker.render(text, lang)
        synthesized = before is None or getattr(self.speaker, "synth_count", None) != before
        if synthesized:
            self.rendered += 1
        return utterance, synthesized

    def _forget(self, key: tuple[str, str], task: asyncio.Task[tuple[Utterance, bool]]) -> None:
        self._pending.pop(key, None)
        if not task.cancelled() and task.exception() is not None:  # retrieved: logged once, by the speaker
            log.debug("rendering %r failed: %s", key[0], task.exception())

    def close(self) -> None:
        self.speaker.close()


def announcements(request: Request) -> Announcements:
    return request.app.ctx.announcements


@bp.before_server_start
async def open_announcements(app: Sanic) -> None:
    settings = app.ctx.settings
    app.ctx.announcements = Announcements.for_directory(
        settings.resolve(settings.hardware.voice_dir).absolute() / "announcements"
    )


@bp.after_server_stop
async def close_announcements(app: Sanic) -> None:
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
