"""Fakes of the hardware ports for tests of the layers above (kiosk, view-models).

Each subclasses its port, records what it was asked to do, and can be told to
fail the way the real device does (HardwareError with the same codes).
"""

from __future__ import annotations

import hashlib
import logging
import wave
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from hardware.ports import (
    HardwareError,
    HardwareState,
    HardwareStatus,
    Microphone,
    Speaker,
    SpeechRecognizer,
    TicketPrint,
    TicketPrinter,
    Transcript,
    Utterance,
)
from hardware.vad import level

logger = logging.getLogger(__name__)


class FakePrinter(TicketPrinter):
    def __init__(self, fail_with: HardwareError | None = None) -> None:
        self.jobs: list[TicketPrint] = []
        self.fail_with = fail_with

    def fail(self, code: str = "printer_offline", message: str = "fake printer offline") -> None:
        self.fail_with = HardwareError(code, message)

    def recover(self) -> None:
        self.fail_with = None

    def status(self) -> HardwareStatus:
        if self.fail_with is not None:
            return HardwareStatus("printer", HardwareState.FAULT, self.fail_with.message)
        return HardwareStatus("printer", HardwareState.READY, "fake")

    def print_ticket(self, job: TicketPrint) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.jobs.append(job)


class FakeSpeaker(Speaker):
    """Writes a short silent WAV per phrase; records renders, plays and stops."""

    def __init__(self, voice_dir: Path, duration_seconds: float = 0.2, sample_rate: int = 16000) -> None:
        self.voice_dir = voice_dir
        self.duration_seconds = duration_seconds
        self.sample_rate = sample_rate
        self.rendered: list[tuple[str, str]] = []  # (text, lang)
        self.played: list[Utterance] = []
        self.stops = 0

    def status(self) -> HardwareStatus:
        return HardwareStatus("speaker", HardwareState.READY, "fake")

    def render(self, text: str, lang: str = "en") -> Utterance:
        self.rendered.append((text, lang))
        digest = hashlib.sha256(f"{lang}\x00{text}".encode()).hexdigest()[:16]
        path = self.voice_dir / f"fake-{digest}.wav"
        frames = int(self.sample_rate * self.duration_seconds)
        self.voice_dir.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.sample_rate)
            wav.writeframes(b"\x00\x00" * frames)
        return Utterance(text, path, frames / self.sample_rate)

    def play(self, utterance: Utterance) -> None:
        self.played.append(utterance)

    def stop(self) -> None:
        self.stops += 1

    @property
    def spoken_texts(self) -> list[str]:
        return [utterance.text for utterance in self.played]


class FakeMicrophone(Microphone):
    """Yields the given PCM bytes in chunks (0.1 s each by default).

    Records what a live microphone would show: how many chunks it delivered and
    whether the consumer stopped it (closed the stream) before the audio ran out.
    """

    def __init__(self, audio: bytes = b"", chunk_bytes: int = 3200, sample_rate: int = 16000) -> None:
        self.audio = audio
        self.chunk_bytes = chunk_bytes
        self.sample_rate = sample_rate
        self.missing = False
        self.delivered = 0  # chunks yielded by the last stream
        self.recording = False  # a stream is open
        self.stopped_early = False  # the last stream was closed before its end

    def status(self) -> HardwareStatus:
        if self.missing:
            return HardwareStatus("microphone", HardwareState.MISSING, "fake microphone unplugged")
        return HardwareStatus("microphone", HardwareState.READY, "fake")

    def chunks(self, max_seconds: float = 10.0) -> Iterator[bytes]:
        if self.missing:
            raise HardwareError("microphone_missing", "fake microphone unplugged")
        limit = min(len(self.audio), int(self.sample_rate * max_seconds) * 2)
        pieces = [
            self.audio[start : min(start + self.chunk_bytes, limit)] for start in range(0, limit, self.chunk_bytes)
        ]
        self.delivered = 0
        self.stopped_early = False
        self.recording = True
        return self._stream(pieces)

    def _stream(self, pieces: list[bytes]) -> Iterator[bytes]:
        try:
            for piece in pieces:
                self.delivered += 1
                yield piece
        finally:
            self.recording = False
            self.stopped_early = self.delivered < len(pieces)


class FakeRecognizer(SpeechRecognizer):
    """Consumes the audio and returns the configured transcript.

    `partials` are announced one per chunk (the i-th after the i-th chunk) like
    a decoder revising its guess; repeats and empty strings are not announced.
    """

    def __init__(self, transcript: Transcript | str = "", partials: Sequence[str] = ()) -> None:
        self.transcript = Transcript(transcript) if isinstance(transcript, str) else transcript
        self.partials = tuple(partials)
        self.calls: list[tuple[int, int, tuple[str, ...] | None]] = []  # (bytes heard, rate, grammar)

    def status(self) -> HardwareStatus:
        return HardwareStatus("recognizer", HardwareState.READY, "fake")

    def transcribe(
        self,
        audio: Iterator[bytes],
        sample_rate: int = 16000,
        grammar: Sequence[str] | None = None,
        *,
        on_partial: Callable[[str], None] | None = None,
        on_level: Callable[[float], None] | None = None,
    ) -> Transcript:
        heard = 0
        last_partial = ""
        try:
            for index, chunk in enumerate(audio):
                heard += len(chunk)
                if on_level is not None:
                    on_level(level(chunk))
                partial = self.partials[index] if index < len(self.partials) else ""
                if on_partial is not None and partial and partial != last_partial:
                    last_partial = partial
                    on_partial(partial)
        finally:
            close = getattr(audio, "close", None)
            if callable(close):
                close()
        self.calls.append((heard, sample_rate, tuple(grammar) if grammar is not None else None))
        return self.transcript
