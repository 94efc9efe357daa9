"""Hands-free listening: an energy-based voice activity detector with endpointing.

Pure Python over 16-bit mono little-endian PCM (`array('h')`, no numpy, no
audioop), deterministic and cheap (1-2 ms of CPU per second of audio):

* The audio is cut into frames of `frame_ms` (10 ms) whatever the chunk size;
  each frame's energy is its mean square in dBFS.
* The first `calibration_ms` (300 ms) set the noise floor (the quietest frame,
  so a customer who starts talking at once does not raise it much); afterwards
  quiet frames keep adapting it slowly while nobody speaks.
* Speech starts once `start_ms` of consecutive frames are `threshold_db` above
  the floor (and above `min_speech_dbfs`); its onset is the first of them.
* Speech ends after `trailing_silence_ms` (700 ms) of frames below the
  threshold (minus `hysteresis_db`, so decaying syllables count as speech).
* `max_seconds` caps an utterance (ENDED, `truncated`); `no_speech_timeout`
  gives up when nobody starts speaking (TIMED_OUT).

All positions are sample offsets from the first sample fed, exact to a frame,
and every time limit is counted in audio, not wall-clock time, so a WAV file
and a live microphone give the same result.

`utterance()` turns a microphone's chunks into the audio of one utterance
(`pre_roll_ms` before the onset up to the endpoint) and closes the microphone
at the endpoint; `listen()` runs microphone -> endpointer -> recognizer and
reports levels, partial transcripts and VAD events through callbacks. Those
callbacks run on the caller's thread (a worker, never the Qt thread): the
kiosk forwards them with a signal.
"""

from __future__ import annotations

import logging
import math
import operator
import sys
import threading
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from hardware.ports import Microphone, SpeechRecognizer, Transcript

logger = logging.getLogger(__name__)

SAMPLE_WIDTH = 2  # bytes per 16-bit sample
FULL_SCALE_SQUARED = 32768.0 * 32768.0
SILENCE_DBFS = -100.0  # what digital silence (all zeros) measures
LEVEL_FLOOR_DBFS = -60.0  # level() maps [-60 dBFS, 0 dBFS] to [0, 1]


def _samples(pcm: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % SAMPLE_WIDTH])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _dbfs(samples: Sequence[int]) -> float:
    if not samples:
        return SILENCE_DBFS
    mean_square = sum(map(operator.mul, samples, samples)) / len(samples)
    if mean_square <= 0:
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 10.0 * math.log10(mean_square / FULL_SCALE_SQUARED))


def dbfs(chunk: bytes) -> float:
    """RMS level of 16-bit PCM in dB relative to full scale (-100 for silence, 0 for a full-scale square)."""
    return _dbfs(_samples(chunk))


def level(chunk: bytes) -> float:
    """A level-meter value in 0..1: RMS dBFS mapped linearly from -60 dBFS (0) to 0 dBFS (1)."""
    return min(1.0, max(0.0, (dbfs(chunk) - LEVEL_FLOOR_DBFS) / -LEVEL_FLOOR_DBFS))


class VadState(StrEnum):
    WAITING = "waiting"  # nobody speaking yet
    SPEECH_STARTED = "speech_started"  # speech began in this chunk
    SPEAKING = "speaking"
    ENDED = "ended"  # endpoint reached (trailing silence, or max_seconds: `truncated`)
    TIMED_OUT = "timed_out"  # no speech within no_speech_timeout (or max_seconds)

    @property
    def final(self) -> bool:
        return self in (VadState.ENDED, VadState.TIMED_OUT)


@dataclass(frozen=True, slots=True)
class VadConfig:
    sample_rate: int = 16000
    frame_ms: int = 10
    calibration_ms: int = 300
    start_ms: int = 100
    trailing_silence_ms: int = 700
    max_seconds: float = 10.0
    no_speech_timeout: float = 5.0
    pre_roll_ms: int = 200
    threshold_db: float = 10.0  # speech is this much louder than the noise floor ...
    min_speech_dbfs: float = -50.0  # ... and at least this loud
    hysteresis_db: float = 3.0  # once speaking, frames this much below the threshold still count
    floor_adaptation: float = 0.05  # per quiet frame while waiting (time constant ~200 ms)

    def __post_init__(self) -> None:
        if self.sample_rate <= 0 or self.frame_ms <= 0 or self.sample_rate * self.frame_ms % 1000:
            raise ValueError(f"frame_ms={self.frame_ms} is not a whole number of samples at {self.sample_rate} Hz")
        if min(self.calibration_ms, self.start_ms, self.trailing_silence_ms, self.pre_roll_ms) < 0:
            raise ValueError("VAD durations must not be negative")
        if self.max_seconds <= 0 or self.no_speech_timeout <= 0:
            raise ValueError("max_seconds and no_speech_timeout must be positive")

    @property
    def frame_samples(self) -> int:
        return self.sample_rate * self.frame_ms // 1000

    def frames(self, milliseconds: float) -> int:
        """Whole frames covering `milliseconds` (rounded up)."""
        return math.ceil(milliseconds / self.frame_ms - 1e-9)

    def samples(self, milliseconds: float) -> int:
        return round(milliseconds * self.sample_rate / 1000)


@dataclass(frozen=True, slots=True)
class VadEvent:
    """What one chunk changed. Positions are sample offsets from the first sample fed."""

    state: VadState
    level: float  # of this chunk, 0..1 (see level())
    position: int  # samples fed so far
    speech_start: int | None = None  # onset: first sample of the first loud frame
    speech_end: int | None = None  # end of the last loud frame (once ENDED)
    endpoint: int | None = None  # where the utterance stops (ENDED / TIMED_OUT)
    truncated: bool = False  # ENDED by max_seconds while still speaking


@dataclass(slots=True)
class _Tracker:
    """Mutable per-utterance state of an Endpointer."""

    frames: int = 0  # frames analysed
    pending: bytes = b""  # tail of the last chunk, shorter than a frame
    calibration: list[float] = field(default_factory=list)
    floor: float | None = None
    run: int = 0  # consecutive loud frames while waiting
    silence: int = 0  # consecutive quiet frames while speaking
    speech_start: int | None = None
    speech_end: int | None = None
    endpoint: int | None = None
    truncated: bool = False
    state: VadState = VadState.WAITING


class Endpointer:
    """Feed chunks, get VadEvents; one utterance at a time (`reset()` starts the next)."""

    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()
        self._frame_bytes = self.config.frame_samples * SAMPLE_WIDTH
        self._start_frames = max(1, self.config.frames(self.config.start_ms))
        self._end_frames = max(1, self.config.frames(self.config.trailing_silence_ms))
        self._calibration_frames = self.config.frames(self.config.calibration_ms)
        self._max_frames = self.config.frames(self.config.max_seconds * 1000)
        self._no_speech_frames = self.config.frames(self.config.no_speech_timeout * 1000)
        self._track = _Tracker()
        self.last_event: VadEvent | None = None

    def reset(self) -> None:
        self._track = _Tracker()
        self.last_event = None

    @property
    def noise_floor_dbfs(self) -> float | None:
        return self._track.floor

    @property
    def threshold_dbfs(self) -> float | None:
        floor = self._track.floor
        return None if floor is None else max(floor + self.config.threshold_db, self.config.min_speech_dbfs)

    def feed(self, chunk: bytes) -> VadEvent:
        """Analyse one chunk (any length). After ENDED/TIMED_OUT the final event is returned unchanged."""
        track = self._track
        if track.state.final and self.last_event is not None:
            return self.last_event
        started_here = False
        data = track.pending + chunk
        whole = len(data) - len(data) % self._frame_bytes
        for offset in range(0, whole, self._frame_bytes):
            before = track.state
            self._frame(_dbfs(_samples(data[offset : offset + self._frame_bytes])))
            started_here = started_here or (before is VadState.WAITING and track.state is VadState.SPEAKING)
            if track.state.final:
                break
        track.pending = b"" if track.state.final else data[whole:]
        state = track.state
        if started_here and not state.final:
            state = VadState.SPEECH_STARTED
        consumed = track.frames * self.config.frame_samples + len(track.pending) // SAMPLE_WIDTH
        self.last_event = VadEvent(
            state=state,
            level=level(chunk),
            position=consumed if not track.state.final else track.endpoint or consumed,
            speech_start=track.speech_start,
            speech_end=track.speech_end,
            endpoint=track.endpoint,
            truncated=track.truncated,
        )
        if state.final:
            logger.debug("VAD %s: %s", state, self.last_event)
        return self.last_event

    def _frame(self, energy: float) -> None:
        track = self._track
        config = self.config
        track.frames += 1
        frame_end = track.frames * config.frame_samples
        if track.floor is None:
            track.calibration.append(energy)
            if len(track.calibration) >= self._calibration_frames:
                track.floor = min(track.calibration)
        elif track.state is VadState.WAITING:
            threshold = max(track.floor + config.threshold_db, config.min_speech_dbfs)
            if energy >= threshold:
                track.run += 1
                if track.run >= self._start_frames:
                    track.state = VadState.SPEAKING
                    track.speech_start = frame_end - track.run * config.frame_samples
                    track.speech_end = frame_end
            else:
                track.run = 0
                track.floor += config.floor_adaptation * (energy - track.floor)
        else:  # SPEAKING
            threshold = max(track.floor + config.threshold_db, config.min_speech_dbfs) - config.hysteresis_db
            if energy >= threshold:
                track.silence = 0
                track.speech_end = frame_end
            else:
                track.silence += 1
                if track.silence >= self._end_frames:
                    self._finish(VadState.ENDED, frame_end)
                    return
        if track.state is VadState.WAITING and track.frames >= min(self._no_speech_frames, self._max_frames):
            self._finish(VadState.TIMED_OUT, frame_end)
        elif track.state is VadState.SPEAKING and track.frames >= self._max_frames:
            track.truncated = True
            self._finish(VadState.ENDED, frame_end)

    def _finish(self, state: VadState, endpoint: int) -> None:
        self._track.state = state
        self._track.endpoint = endpoint


def utterance(
    chunks: Iterable[bytes],
    endpointer: Endpointer,
    on_event: Callable[[VadEvent], None] | None = None,
) -> Iterator[bytes]:
    """Yield the audio of one utterance: `pre_roll_ms` before the onset up to the endpoint.

    Nothing is yielded if nobody speaks (TIMED_OUT). `chunks` is closed (a live
    microphone stops recording) when the endpoint is reached, when the audio
    runs out, or when the consumer closes this generator. `endpointer.last_event`
    tells afterwards how it ended.
    """
    config = endpointer.config
    source = iter(chunks)
    lookback = config.samples(config.pre_roll_ms + config.start_ms + config.frame_ms) * SAMPLE_WIDTH
    held: deque[tuple[int, bytes]] = deque()  # (byte offset, chunk) before the onset
    offset = 0
    started = False
    try:
        for chunk in source:
            event = endpointer.feed(chunk)
            if on_event is not None:
                on_event(event)
            begin, offset = offset, offset + len(chunk)
            stop = event.endpoint * SAMPLE_WIDTH if event.endpoint is not None else None
            if started:
                piece = chunk if stop is None else chunk[: max(0, stop - begin)]
                if piece:
                    yield piece
            else:
                held.append((begin, chunk))
                if event.speech_start is None:
                    while held and held[0][0] + len(held[0][1]) <= offset - lookback:
                        held.popleft()
                else:
                    started = True
                    first = max(0, event.speech_start - config.samples(config.pre_roll_ms)) * SAMPLE_WIDTH
                    for held_begin, held_chunk in held:
                        low = max(first, held_begin) - held_begin
                        high = len(held_chunk) if stop is None else min(len(held_chunk), stop - held_begin)
                        if high > low:
                            yield held_chunk[low:high]
                    held.clear()
            if event.state.final:
                return
    finally:
        close = getattr(source, "close", None)
        if callable(close):
            close()


def until_released(chunks: Iterable[bytes], released: threading.Event) -> Iterator[bytes]:
    """Push-to-talk: pass chunks through until `released` is set, then close the microphone."""
    source = iter(chunks)
    try:
        for chunk in source:
            if released.is_set():
                return
            yield chunk
    finally:
        close = getattr(source, "close", None)
        if callable(close):
            close()


def listen(
    microphone: Microphone,
    recognizer: SpeechRecognizer,
    endpointer: Endpointer,
    *,
    grammar: Sequence[str] | None = None,
    on_level: Callable[[float], None] | None = None,
    on_partial: Callable[[str], None] | None = None,
    on_event: Callable[[VadEvent], None] | None = None,
) -> Transcript:
    """Hands-free: record until the endpoint, decode, return the transcript (blocking; run off-thread).

    Levels are reported for every microphone chunk (also before anyone speaks),
    partial transcripts as the recognizer revises them. The microphone is
    stopped at the VAD endpoint or at the recognizer's own end of utterance,
    whichever comes first. Empty text if nobody spoke (`endpointer.last_event`
    is then TIMED_OUT).
    """
    if microphone.sample_rate != endpointer.config.sample_rate:
        raise ValueError(
            f"microphone delivers {microphone.sample_rate} Hz, endpointer expects {endpointer.config.sample_rate} Hz"
        )
    endpointer.reset()

    def observe(event: VadEvent) -> None:
        if on_level is not None:
            on_level(event.level)
        if on_event is not None:
            on_event(event)

    audio = utterance(microphone.chunks(endpointer.config.max_seconds), endpointer, on_event=observe)
    return recognizer.transcribe(audio, microphone.sample_rate, grammar, on_partial=on_partial)
