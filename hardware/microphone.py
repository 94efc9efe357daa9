"""Microphones: a WAV file (tests, demos), ALSA `arecord`, or none.

All yield 16-bit mono little-endian PCM in chunks of about `chunk_seconds`.
`arecord` is used rather than a Python audio binding: alsa-utils is present on
the kiosk image, the process is bounded by `-d` (so a stuck device cannot hang
a read forever) and is killed when the consumer stops iterating.
"""

from __future__ import annotations

import logging
import math
import shutil
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path

from hardware.alsa import alsa_device_status
from hardware.ports import HardwareError, HardwareState, HardwareStatus, Microphone

logger = logging.getLogger(__name__)

SAMPLE_WIDTH = 2  # bytes: 16-bit PCM


class FileMicrophone(Microphone):
    """Plays a 16-bit mono PCM WAV file as if it were spoken into a microphone."""

    def __init__(
        self,
        path: Path,
        sample_rate: int | None = 16000,
        chunk_seconds: float = 0.1,
        realtime: bool = False,
    ) -> None:
        """`sample_rate=None` accepts the file's rate (and exposes it as `sample_rate`)."""
        self.path = path
        self.expected_rate = sample_rate
        if sample_rate is not None:
            self.sample_rate = sample_rate
        self.chunk_seconds = chunk_seconds
        self.realtime = realtime

    def _open(self) -> wave.Wave_read:
        try:
            wav = wave.open(str(self.path), "rb")
        except FileNotFoundError as exc:
            raise HardwareError("microphone_missing", f"audio file not found: {self.path}") from exc
        except (wave.Error, EOFError, OSError) as exc:
            raise HardwareError("microphone_format", f"{self.path} is not a PCM WAV file: {exc}") from exc
        problems = []
        if wav.getnchannels() != 1:
            problems.append(f"{wav.getnchannels()} channels (need mono)")
        if wav.getsampwidth() != SAMPLE_WIDTH:
            problems.append(f"{8 * wav.getsampwidth()}-bit samples (need 16-bit)")
        if self.expected_rate is not None and wav.getframerate() != self.expected_rate:
            problems.append(f"{wav.getframerate()} Hz (need {self.expected_rate} Hz)")
        if problems:
            wav.close()
            raise HardwareError(
                "microphone_format",
                f"{self.path}: {', '.join(problems)}; convert with `sox IN -r 16000 -c 1 -b 16 OUT.wav`",
            )
        self.sample_rate = wav.getframerate()
        return wav

    def status(self) -> HardwareStatus:
        try:
            self._open().close()
        except HardwareError as exc:
            state = HardwareState.MISSING if exc.code == "microphone_missing" else HardwareState.FAULT
            return HardwareStatus("microphone", state, exc.message)
        return HardwareStatus("microphone", HardwareState.READY, str(self.path))

    def chunks(self, max_seconds: float = 10.0) -> Iterator[bytes]:
        wav = self._open()
        with wav:
            frames_per_chunk = max(1, int(self.sample_rate * self.chunk_seconds))
            frames_left = int(self.sample_rate * max_seconds)
            while frames_left > 0:
                data = wav.readframes(min(frames_per_chunk, frames_left))
                if not data:
                    return
                frames_left -= len(data) // SAMPLE_WIDTH
                yield data
                if self.realtime:
                    time.sleep(len(data) / SAMPLE_WIDTH / self.sample_rate)


def capture_device_status(recorder: str = "arecord") -> HardwareStatus:
    """Is there a recorder binary and a capture card? (`arecord -l`, bounded)."""
    return alsa_device_status("microphone", recorder, "capture")


class ArecordMicrophone(Microphone):
    """Records from ALSA with `arecord -f S16_LE -r 16000 -c 1 -t raw`."""

    def __init__(self, device: str | None = None, sample_rate: int = 16000, chunk_seconds: float = 0.1) -> None:
        self.device = device  # e.g. "plughw:1,0"; None: ALSA's default
        self.sample_rate = sample_rate
        self.chunk_seconds = chunk_seconds

    def status(self) -> HardwareStatus:
        return capture_device_status()

    def chunks(self, max_seconds: float = 10.0) -> Iterator[bytes]:
        binary = shutil.which("arecord")
        if binary is None:
            raise HardwareError("microphone_missing", "arecord not installed")
        command = [binary, "-q", "-f", "S16_LE", "-r", str(self.sample_rate), "-c", "1", "-t", "raw"]
        command += ["-d", str(max(1, math.ceil(max_seconds)))]
        if self.device:
            command += ["-D", self.device]
        chunk_bytes = max(SAMPLE_WIDTH, int(self.sample_rate * self.chunk_seconds) * SAMPLE_WIDTH)
        bytes_left = int(self.sample_rate * max_seconds) * SAMPLE_WIDTH
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        produced = 0
        try:
            while bytes_left > 0:
                data = process.stdout.read(min(chunk_bytes, bytes_left))
                if not data:
                    break
                produced += len(data)
                bytes_left -= len(data)
                yield data
            if produced == 0:
                process.wait(timeout=5)
                error = process.stderr.read().decode(errors="replace").strip()
                raise HardwareError("microphone_fault", f"arecord produced no audio: {error or process.returncode}")
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=2)
            process.stdout.close()
            process.stderr.close()


class NullMicrophone(Microphone):
    """No microphone configured: the kiosk offers touch input only."""

    def status(self) -> HardwareStatus:
        return HardwareStatus("microphone", HardwareState.MISSING, "no microphone configured")

    def chunks(self, max_seconds: float = 10.0) -> Iterator[bytes]:
        raise HardwareError("microphone_missing", "no microphone configured")


def microphone_from_config(spec: str) -> Microphone:
    """Microphone for `spec`: "default"/"arecord:[DEVICE]" (ALSA), "file://PATH.wav", "none:"/""."""
    spec = spec.strip()
    if spec in ("", "none", "none:"):
        return NullMicrophone()
    if spec == "default":
        return ArecordMicrophone()
    if spec.startswith("arecord:"):
        return ArecordMicrophone(device=spec.removeprefix("arecord:") or None)
    if spec.startswith("file://"):
        raw_path = spec.removeprefix("file://")
        if not raw_path:
            raise ValueError(f"microphone {spec!r} has no path")
        return FileMicrophone(Path(raw_path).absolute())
    raise ValueError(f"unsupported microphone {spec!r} (default, arecord:DEVICE, file://PATH.wav, none:)")
