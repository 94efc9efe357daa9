"""Speech output: pyttsx3 (espeak-ng) renders WAV files, `aplay` plays them.

pyttsx3 is not thread-safe and its espeak driver is a process-wide singleton,
so one daemon thread ("lobby-tts") owns the engine and serves render requests
from a queue; a module lock guards the engine should two speakers exist.
Rendered files are cached by a hash of text, language and voice, so the
recurring phrases of a lobby ("Ticket A 23, counter 3") are synthesized once.
pyttsx3 is imported only inside the worker thread.

pyttsx3's runAndWait() begins by cancelling whatever espeak-ng is still doing:
its queued endLoop calls the driver's stop(), which cancels while
`espeak_IsPlaying()`, i.e. while espeak's command queue is busy. That queue is
still busy for a moment after the previous utterance was reported finished
(and while it applies a rate or volume), and starting then cancels the new
utterance (finished-utterance with completed=False, no WAV written) or leaves
the driver's stop flag set, so that the next one is cancelled. Setting a voice
then is worse: espeak-ng loads it on the calling thread, under the feet of its
synthesis thread, and can crash the process. A render therefore first waits for
espeak to be idle, then sets the voice; one that still yields no audio is
rendered once more (logged as a warning) before it is reported as failed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardware.alsa import alsa_device_status
from hardware.ports import HardwareError, HardwareState, HardwareStatus, Speaker, Utterance

logger = logging.getLogger(__name__)

_ENGINE_LOCK = threading.Lock()  # the espeak driver is one per process
IDLE_WAIT_S = 5.0  # longest wait for espeak-ng's queue to empty before a render starts (it takes ms)
_LANG_ALIASES = {"zh": ("cmn", "zh"), "zh-cn": ("cmn", "zh"), "zh-tw": ("cmn", "zh"), "jp": ("ja",)}


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())


def wait_for_espeak_idle(timeout: float = IDLE_WAIT_S) -> bool:
    """Wait until espeak-ng has nothing queued, so that pyttsx3's runAndWait() does not cancel the
    utterance it is about to start (see the module docstring). True when idle in time, and at once
    when the espeak driver is not loaded (pyttsx3's sapi5 and nsss drivers have no such queue)."""
    espeak = sys.modules.get("pyttsx3.drivers._espeak")
    if espeak is None:
        return True
    deadline = time.monotonic() + timeout
    while espeak.IsPlaying():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def pick_voice(voices: Mapping[str, str], lang: str) -> str | None:
    """Best voice id for `lang` among {voice id: language code}: exact, then regional, then shortest."""
    wanted = _LANG_ALIASES.get(lang.lower(), (lang.lower(),))
    for code in wanted:
        exact = [voice for voice, language in voices.items() if language.lower() == code]
        if exact:
            return sorted(exact, key=len)[0]
        regional = [voice for voice, language in voices.items() if language.lower().startswith(code + "-")]
        if regional:
            return sorted(regional, key=lambda voice: (len(voices[voice]), voices[voice]))[0]
    return None


def playback_device_status(player: str = "aplay") -> HardwareStatus:
    """Is there a player binary and at least one sound card? (`aplay -l`, bounded)."""
    return alsa_device_status("speaker", player, "playback")


@dataclass(frozen=True, slots=True)
class _Engine:
    """The pyttsx3 engine with what the worker learnt about it at start."""

    engine: Any
    voices: Mapping[str, str]  # voice id -> language code
    default_voice: str | None
    # Set by pyttsx3's "finished-utterance" callback. pyttsx3 2.99's espeak driver
    # writes the WAV from espeak's thread, and its runAndWait() may return as soon
    # as synthesis *starts* (a queued endLoop that runs first): wait for this.
    finished: threading.Event
    # Set with `finished` when the driver reports the utterance cancelled (completed=False).
    cancelled: threading.Event
    # pyttsx3.init() hands every speaker of the process the same engine: the token to disconnect
    # this worker's callback when it lets the engine go.
    subscription: dict[str, Any]

    def release(self) -> None:
        self.engine.disconnect(self.subscription)


@dataclass(frozen=True, slots=True)
class _RenderRequest:
    text: str
    lang: str
    future: Future[Utterance]


class Pyttsx3Speaker(Speaker):
    def __init__(
        self,
        voice_dir: Path,
        voices: Mapping[str, str] | None = None,
        rate: int | None = None,
        player: str = "aplay",
        render_timeout: float = 30.0,
        device_check_ttl: float = 30.0,
    ) -> None:
        self.voice_dir = voice_dir
        self.voice_overrides = dict(voices or {})  # lang -> espeak voice id, from configuration
        self.rate = rate
        self.player = player
        self.render_timeout = render_timeout
        self.device_check_ttl = device_check_ttl
        self.synth_count = 0  # files actually synthesized (cache misses)
        self._requests: queue.Queue[_RenderRequest | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._engine_error: str | None = None
        self._play_lock = threading.Lock()
        self._playing: subprocess.Popen[bytes] | None = None
        self._device: tuple[float, HardwareStatus] | None = None
        self._closed = False

    # -- status --------------------------------------------------------------
    def status(self) -> HardwareStatus:
        if importlib.util.find_spec("pyttsx3") is None:
            return HardwareStatus("speaker", HardwareState.MISSING, "pyttsx3 not installed")
        if self._engine_error is not None:
            return HardwareStatus("speaker", HardwareState.FAULT, f"speech synthesis: {self._engine_error}")
        return self._device_status()

    def _device_status(self) -> HardwareStatus:
        now = time.monotonic()
        if self._device is None or now - self._device[0] > self.device_check_ttl:
            self._device = (now, playback_device_status(self.player))
        return self._device[1]

    # -- rendering (worker thread) ---------------------------------------------
    def render(self, text: str, lang: str = "en") -> Utterance:
        if self._closed:
            raise HardwareError("speaker_closed", "speaker is closed")
        request = _RenderRequest(text, lang, Future())
        self._ensure_worker()
        self._requests.put(request)
        try:
            return request.future.result(timeout=self.render_timeout)
        except TimeoutError as exc:
            raise HardwareError("tts_timeout", f"speech synthesis took over {self.render_timeout} s") from exc

    def _ensure_worker(self) -> None:
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="lobby-tts", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        engine: _Engine | None = None
        while (request := self._requests.get()) is not None:
            if not request.future.set_running_or_notify_cancel():
                continue
            try:
                with _ENGINE_LOCK:
                    if engine is None:
                        engine = self._start_engine()
                    utterance = self._render_one(engine, request.text, request.lang)
            except Exception as exc:
                logger.exception("speech synthesis failed for %r", request.text)
                self._engine_error = str(exc)
                if engine is not None:
                    engine.release()
                engine = None  # start afresh on the next request
                error = exc if isinstance(exc, HardwareError) else HardwareError("tts_failed", str(exc))
                request.future.set_exception(error)
            else:
                self._engine_error = None
                request.future.set_result(utterance)
        if engine is not None:
            engine.release()

    def _start_engine(self) -> _Engine:
        import pyttsx3

        wait_for_espeak_idle()  # a new espeak driver sets its default voice (after another speaker's render)
        engine = pyttsx3.init()
        # A new engine holds every command until its first runAndWait(), which would then apply the
        # voice and rate after `wait_for_espeak_idle`; let it take them at once, as after any run.
        proxy = getattr(engine, "proxy", None)
        if proxy is not None and hasattr(proxy, "setBusy"):
            proxy.setBusy(False)
        # pyttsx3 2.99's espeak driver print()s "Audio saved to ..." for every
        # file; route that module's print to our debug log instead of stdout.
        driver_module = sys.modules.get("pyttsx3.drivers.espeak")
        if driver_module is not None:
            driver_module.print = lambda *args, **_: logger.debug(" ".join(map(str, args)))  # type: ignore[attr-defined]
        if self.rate is not None:
            engine.setProperty("rate", self.rate)
        voices = {
            str(voice.id): str(voice.languages[0]) if voice.languages else "" for voice in engine.getProperty("voices")
        }
        default_voice = engine.getProperty("voice")
        finished, cancelled = threading.Event(), threading.Event()

        def on_finished(completed: bool = True, **_: object) -> None:
            if not completed:
                cancelled.set()
            finished.set()

        subscription = engine.connect("finished-utterance", on_finished)
        logger.info("pyttsx3 engine started with %d voices (default %s)", len(voices), default_voice)
        default = str(default_voice) if default_voice else None
        return _Engine(engine, voices, default, finished, cancelled, subscription)

    def _voice_for(self, handle: _Engine, lang: str) -> str | None:
        """The engine's voice id for `lang`: a configured voice (an id such as "sit/cmn", or an espeak-ng
        language such as "cmn", as `kiosk.i18n.Catalog.voice` names them), else the best match."""
        wanted = self.voice_overrides.get(lang)
        if wanted and wanted not in handle.voices:
            wanted = pick_voice(handle.voices, wanted) or wanted
        return wanted or pick_voice(handle.voices, lang)

    def _render_one(self, handle: _Engine, text: str, lang: str) -> Utterance:
        voice = self._voice_for(handle, lang)
        if voice is None:
            logger.warning("no voice for language %r; using the engine default", lang)
            voice = handle.default_voice
        digest = hashlib.sha256(f"{voice}\x00{lang}\x00{self.rate}\x00{text}".encode()).hexdigest()[:24]
        path = self.voice_dir / f"{digest}.wav"
        if path.exists():
            return Utterance(text, path, wav_duration(path))
        self.voice_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part.wav")
        started = time.perf_counter()
        problem = self._synthesize(handle, text, voice, partial)
        if problem is not None:
            logger.warning("espeak-ng rendered no audio for %r (%s): %s; rendering it once more", text, voice, problem)
            problem = self._synthesize(handle, text, voice, partial)
        if problem is not None:
            raise HardwareError("tts_failed", f"no audio rendered for {text!r} ({voice}): {problem}")
        os.replace(partial, path)  # never leave a half-written file behind a cache hit
        self.synth_count += 1
        logger.debug("rendered %r (%s) in %.3f s", text, voice, time.perf_counter() - started)
        return Utterance(text, path, wav_duration(path))

    def _synthesize(self, handle: _Engine, text: str, voice: str | None, partial: Path) -> str | None:
        """One synthesis of `text` into `partial`: None when it holds audio, else what went wrong."""
        if not wait_for_espeak_idle():
            return f"espeak-ng still busy after {IDLE_WAIT_S:.0f} s"  # not started: a voice set now could crash it
        if voice is not None:  # only once idle: espeak-ng loads a voice on this thread
            handle.engine.setProperty("voice", voice)
        handle.finished.clear()
        handle.cancelled.clear()
        handle.engine.save_to_file(text, str(partial))
        handle.engine.runAndWait()
        if not handle.finished.wait(self.render_timeout):
            raise HardwareError("tts_timeout", f"speech synthesis of {text!r} took over {self.render_timeout:.0f} s")
        if partial.exists() and wav_duration(partial) > 0:
            return None
        partial.unlink(missing_ok=True)
        return "cancelled by the espeak driver" if handle.cancelled.is_set() else "empty or missing WAV"

    # -- playback ------------------------------------------------------------
    def play(self, utterance: Utterance) -> None:
        device = self._device_status()
        if not device.ready:
            self.stop()
            logger.warning("not playing %r: %s", utterance.text, device.detail)
            return
        binary = shutil.which(self.player) or self.player
        with self._play_lock:
            _terminate(self._playing)
            self._playing = None
            try:
                self._playing = subprocess.Popen(
                    [binary, "-q", str(utterance.wav_path)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            except OSError as exc:
                logger.warning("cannot start %s: %s", self.player, exc)
                self._device = (time.monotonic(), HardwareStatus("speaker", HardwareState.FAULT, str(exc)))

    def stop(self) -> None:
        with self._play_lock:
            _terminate(self._playing)
            self._playing = None

    def close(self) -> None:
        """Stop playback and the worker thread (bounded wait)."""
        self._closed = True
        self.stop()
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._requests.put(None)
            thread.join(timeout=5)


def _terminate(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=2)


class NullSpeaker(Speaker):
    """No speech output configured."""

    def status(self) -> HardwareStatus:
        return HardwareStatus("speaker", HardwareState.MISSING, "no speaker configured")

    def render(self, text: str, lang: str = "en") -> Utterance:
        raise HardwareError("speaker_missing", "no speaker configured")

    def play(self, utterance: Utterance) -> None:
        logger.debug("no speaker: not playing %r", utterance.text)

    def stop(self) -> None:
        return None

    def close(self) -> None:
        return None


class WavSpeaker(Pyttsx3Speaker):
    """Speech rendered to WAV files in `voice_dir` and not played: for machines
    without a sound device that still need the audio (tests, recording, remote players)."""

    def _device_status(self) -> HardwareStatus:
        return HardwareStatus("speaker", HardwareState.READY, f"speech rendered to WAV files in {self.voice_dir}")

    def play(self, utterance: Utterance) -> None:
        logger.info("speech %r rendered to %s (%.1f s)", utterance.text, utterance.wav_path, utterance.duration_seconds)


def speaker_from_config(spec: str, voice_dir: Path, voices: Mapping[str, str] | None = None) -> Speaker:
    """Speaker for `spec`: "default"/"pyttsx3" render into `voice_dir` and play with aplay,
    "wav:" only renders into `voice_dir`, "none:"/"" -> NullSpeaker."""
    spec = spec.strip()
    if spec in ("", "none", "none:"):
        return NullSpeaker()
    if spec in ("default", "pyttsx3", "pyttsx3:"):
        return Pyttsx3Speaker(voice_dir.absolute(), voices=voices)
    if spec in ("wav", "wav:"):
        return WavSpeaker(voice_dir.absolute(), voices=voices)
    raise ValueError(f"unsupported speaker {spec!r} (default, pyttsx3, wav:, none:)")
