"""Spoken announcements of ticket calls: each phrase rendered to a WAV once, then served from a cache.

The renderer is a port given by the entry point (`lobby serve` gives `hardware.speaker.WavSpeaker`:
pyttsx3 + espeak-ng on its own thread, files cached under `<hardware.voice_dir>/announcements/` by a
hash of text, language and voice); the hub itself imports no hardware. Renders run off the event
loop, and a phrase several screens ask for at the same moment is rendered once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from assistant.domain.errors import Unavailable

log = logging.getLogger(__name__)

RENDER_TIMEOUT = 20.0  # seconds; a cold espeak-ng start plus one sentence takes well under one
MEMORY_ENTRIES = 512  # phrases whose file is known without asking the speaker thread


class Rendered(Protocol):
    """A phrase rendered to a WAV file (`hardware.ports.Utterance`)."""

    @property
    def wav_path(self) -> Path: ...


class Renderer(Protocol):
    """Text to a WAV file, blocking (`hardware.ports.Speaker` has this shape)."""

    def render(self, text: str, lang: str = "en") -> Rendered: ...

    def close(self) -> None: ...


# Given the announcements' directory, a renderer (the entry point's choice of speaker).
RendererFactory = Callable[[Path], Renderer]


class Announcements:
    """Phrase -> WAV, each phrase rendered once even when several screens ask at the same moment."""

    def __init__(self, speaker: Renderer, timeout: float = RENDER_TIMEOUT) -> None:
        self.speaker = speaker
        self.timeout = timeout
        self.rendered = 0  # phrases synthesized by this process (not found in any cache)
        self._known: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Task[tuple[Rendered, bool]]] = {}

    def cached(self, text: str, lang: str) -> Rendered | None:
        utterance = self._known.get((text, lang))
        if utterance is not None and utterance.wav_path.exists():
            self._known.move_to_end((text, lang))
            return utterance
        return None

    async def render(self, text: str, lang: str) -> tuple[Rendered, bool]:
        """The WAV of `text` in `lang` and whether it had to be synthesized now (False: from a cache)."""
        key = (text, lang)
        if (known := self.cached(text, lang)) is not None:
            return known, False
        task = self._pending.get(key)
        if task is None:
            # render() blocks until the speaker's engine thread is done: wait for it in a worker thread.
            task = asyncio.create_task(asyncio.to_thread(self._render, text, lang), name=f"tts {text[:40]}")
            self._pending[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        try:
            utterance, synthesized = await asyncio.wait_for(asyncio.shield(task), self.timeout)
        except TimeoutError:
            raise Unavailable(f"speech synthesis took over {self.timeout:.0f} s", code="tts_timeout") from None
        except Exception as exc:  # the renderer's own error (a HardwareError of the speaker): said, not raised
            raise Unavailable(f"speech synthesis failed: {exc}", code="tts_unavailable") from None
        self._known[key] = utterance
        while len(self._known) > MEMORY_ENTRIES:
            self._known.popitem(last=False)
        return utterance, synthesized

    def _render(self, text: str, lang: str) -> tuple[Rendered, bool]:
        """In a worker thread. The speaker counts its cache misses (approximate when renders overlap)."""
        before = getattr(self.speaker, "synth_count", None)
        utterance = self.speaker.render(text, lang)
        synthesized = before is None or getattr(self.speaker, "synth_count", None) != before
        if synthesized:
            self.rendered += 1
        return utterance, synthesized

    def _forget(self, key: tuple[str, str], task: asyncio.Task[tuple[Rendered, bool]]) -> None:
        self._pending.pop(key, None)
        if not task.cancelled() and task.exception() is not None:  # retrieved: logged once, by the speaker
            log.debug("rendering %r failed: %s", key[0], task.exception())

    def close(self) -> None:
        self.speaker.close()
