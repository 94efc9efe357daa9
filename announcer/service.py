"""`lobby announcer`: each ticket call said aloud on the branch PC's speaker.

It is a client of the hub, like the kiosk: it subscribes to the events WebSocket and, for every
`ticket.called` and `ticket.recalled`, renders the same sentence as `/display`
(`lobby_wire.calls.call_phrase`) with `hardware.speaker` (pyttsx3 + espeak-ng on the
speaker's own thread, cached per phrase), then plays the chime and the sentence, one call after
the other. By default (`--lang ticket`) each call is said in the language its customer took the
ticket in; `--lang en,zh` says every call in those languages, in order. The counter is named in the
language of the sentence, from branch.yml by the counter's id (the event carries its English name).
When the hub goes away it reconnects with backoff; calls made meanwhile are not replayed, and a
call that waited over a minute behind others is skipped (old news in the room).

It imports no web framework (no Sanic, no database): `tests/test_announcer.py` checks that.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hardware.ports import HardwareError, Speaker, Utterance
from lobby_wire.calls import LANGUAGES, announcement_language, call_phrase, chime_seconds, chime_wav

log = logging.getLogger(__name__)

CALL_EVENTS = ("ticket.called", "ticket.recalled")
MAX_DELAY = 10.0  # seconds between reconnection attempts, at most
GAP_SECONDS = 0.25  # silence between the chime and the sentence, and between languages
QUEUED_CALLS = 16
TICKET_LANG = "ticket"  # a language spec meaning: the one the ticket was taken in

# counter id -> language -> the counter's name in it (branch.yml `counters`)
CounterNames = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Call:
    ticket_id: str
    number: str
    counter_name: str
    recall: bool
    received: float  # time.monotonic() when the event arrived
    counter_id: str = ""
    ticket_lang: str = "en"  # the language the ticket was taken in (an announcement language)


@dataclass(frozen=True, slots=True)
class Announced:
    call: Call
    utterances: tuple[Utterance, ...]  # one per language, in order


def events_url(hub_url: str) -> str:
    """http://host:8000 -> ws://host:8000/api/v1/events (https -> wss)."""
    base = hub_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    return f"{base}/api/v1/events"


def call_from_event(message: Mapping[str, Any], received: float) -> Call | None:
    """The call an event announces, or None for any other event (or a call without a counter)."""
    if message.get("type") not in CALL_EVENTS:
        return None
    data = message.get("data") or {}
    ticket = data.get("ticket") or {}
    counter = data.get("counter") or {}
    number = ticket.get("number")
    counter_name = counter.get("name") or ticket.get("counter_name") or ticket.get("counter")
    if not number or not counter_name:
        return None
    recall = message["type"] == "ticket.recalled"
    counter_id = str(counter.get("id") or ticket.get("counter") or "")
    ticket_lang = announcement_language(str(ticket.get("lang") or "en")) or "en"
    return Call(str(ticket.get("id", "")), str(number), str(counter_name), recall, received, counter_id, ticket_lang)


def call_languages(call: Call, languages: Sequence[str]) -> tuple[str, ...]:
    """The languages `call` is said in, in order: TICKET_LANG becomes the ticket's own; each said once."""
    return tuple(dict.fromkeys(call.ticket_lang if lang == TICKET_LANG else lang for lang in languages))


class NamedCounter(Protocol):
    """What the announcer needs of a counter in settings (assistant.settings.CounterConfig)."""

    @property
    def id(self) -> str: ...

    def display_name(self, lang: str | None) -> str: ...


def counter_names(counters: Iterable[NamedCounter]) -> dict[str, dict[str, str]]:
    """Each counter's name per announcement language, from settings' counters (`display_name(lang)`)."""
    return {counter.id: {lang: counter.display_name(lang) for lang in LANGUAGES} for counter in counters}


def counter_name(call: Call, lang: str, names: CounterNames) -> str:
    """The counter of `call` named in `lang`: branch.yml's name by its id, else the name the event gave."""
    return names.get(call.counter_id, {}).get(lang) or call.counter_name


def prepare_chime(directory: Path) -> Utterance:
    """The chime as a WAV file in `directory` (written once; the same sound as /display/chime.wav)."""
    path = directory / "chime.wav"
    sound = chime_wav()
    if not path.exists() or path.read_bytes() != sound:
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part.wav")
        partial.write_bytes(sound)
        partial.replace(path)
    return Utterance("(chime)", path, chime_seconds())


class Announcer:
    def __init__(
        self,
        hub_url: str,
        speaker: Speaker,
        chime: Utterance | None,
        languages: Sequence[str] = (TICKET_LANG,),
        counters: CounterNames | None = None,
        max_age: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.url = events_url(hub_url)
        self.speaker = speaker
        self.chime = chime
        self.languages = tuple(languages)
        self.counters: CounterNames = counters or {}
        self.max_age = max_age
        self.sleep = sleep  # waits while a sound plays (the speaker's play() returns at once)
        self.connected = asyncio.Event()
        self.announced: list[Announced] = []
        self._calls: asyncio.Queue[Call] = asyncio.Queue(QUEUED_CALLS)

    async def run(self) -> None:
        """Listen and speak until cancelled."""
        speaking = asyncio.create_task(self._speak_forever(), name="announcer: speak")
        try:
            await self._listen_forever()
        finally:
            speaking.cancel()
            await asyncio.gather(speaking, return_exceptions=True)

    async def _listen_forever(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import WebSocketException

        delay = 0.5
        while True:
            try:
                async with connect(self.url, open_timeout=10, ping_interval=20, ping_timeout=20) as socket:
                    async for raw in socket:
                        self._on_message(json.loads(raw))
                        if self.connected.is_set():
                            delay = 0.5
                log.warning("the hub closed the events stream; reconnecting")
            except (OSError, TimeoutError, WebSocketException, json.JSONDecodeError) as exc:
                log.warning("events at %s: %s; retrying in %.1f s", self.url, str(exc) or type(exc).__name__, delay)
            self.connected.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)

    def _on_message(self, message: Mapping[str, Any]) -> None:
        if message.get("type") == "snapshot":
            if not self.connected.is_set():
                log.info("listening for calls at %s", self.url)
            self.connected.set()
            return
        call = call_from_event(message, time.monotonic())
        if call is None:
            return
        if self._calls.full():
            dropped = self._calls.get_nowait()
            log.warning("too many calls waiting to be said; skipping %s", dropped.number)
        self._calls.put_nowait(call)

    async def _speak_forever(self) -> None:
        while True:
            call = await self._calls.get()
            if time.monotonic() - call.received > self.max_age:
                log.info("skipping %s: called over %.0f s ago", call.number, self.max_age)
                continue
            try:
                await self.announce(call)
            except HardwareError as exc:
                log.warning("could not say %s: %s", call.number, exc)

    async def announce(self, call: Call) -> Announced:
        """Render the sentence in every language first (no gap after the chime), then play them."""
        utterances = []
        for lang in call_languages(call, self.languages):
            text = call_phrase(call.number, counter_name(call, lang, self.counters), lang)
            utterances.append(await asyncio.to_thread(self.speaker.render, text, lang))
        if self.chime is not None:
            await self._play(self.chime)
        for utterance in utterances:
            await self._play(utterance)
        announced = Announced(call, tuple(utterances))
        self.announced.append(announced)
        said = " / ".join(utterance.text for utterance in utterances)
        log.info("%s %s: %s", "recalled" if call.recall else "called", call.number, said)
        return announced

    async def _play(self, utterance: Utterance) -> None:
        await asyncio.to_thread(self.speaker.play, utterance)
        await self.sleep(utterance.duration_seconds + GAP_SECONDS)


def parse_languages(spec: str) -> tuple[str, ...]:
    languages = []
    for part in spec.split(","):
        if not part.strip():
            continue
        if part.strip().lower() == TICKET_LANG:
            languages.append(TICKET_LANG)
            continue
        lang = announcement_language(part)
        if lang is None:
            raise ValueError(f"no announcements in {part.strip()!r}")
        languages.append(lang)
    if not languages:
        raise ValueError("name at least one language, e.g. ticket, en or en,zh")
    return tuple(dict.fromkeys(languages))
