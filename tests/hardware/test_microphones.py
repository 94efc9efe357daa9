"""Contract tests of the microphones: WAV file, ALSA arecord, none."""

from __future__ import annotations

import shutil
import subprocess
import time
import wave
from pathlib import Path

import pytest

from hardware.microphone import (
    ArecordMicrophone,
    FileMicrophone,
    NullMicrophone,
    capture_device_status,
    microphone_from_config,
)
from hardware.ports import HardwareError, HardwareState, Microphone


def write_wav(path: Path, seconds: float, rate: int = 16000, channels: int = 1, width: int = 2) -> bytes:
    frames = int(rate * seconds)
    data = bytes((index * 7) % 256 for index in range(frames * channels * width))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(data)
    return data


def test_file_microphone_yields_the_pcm_in_tenth_of_a_second_chunks(tmp_path: Path) -> None:
    pcm = write_wav(tmp_path / "speech.wav", seconds=1.05)
    microphone = FileMicrophone(tmp_path / "speech.wav")

    chunks = list(microphone.chunks())

    assert microphone.status().state is HardwareState.READY
    assert b"".join(chunks) == pcm
    assert [len(chunk) for chunk in chunks[:-1]] == [3200] * 10
    assert len(chunks[-1]) == 1600


def test_file_microphone_stops_at_max_seconds(tmp_path: Path) -> None:
    pcm = write_wav(tmp_path / "speech.wav", seconds=2)
    chunks = list(FileMicrophone(tmp_path / "speech.wav").chunks(max_seconds=0.25))
    assert b"".join(chunks) == pcm[:8000]


def test_file_microphone_can_pace_in_real_time(tmp_path: Path) -> None:
    write_wav(tmp_path / "speech.wav", seconds=0.4)
    started = time.monotonic()
    list(FileMicrophone(tmp_path / "speech.wav", realtime=True).chunks())
    assert time.monotonic() - started >= 0.35


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"channels": 2}, "2 channels (need mono)"),
        ({"width": 1}, "8-bit samples (need 16-bit)"),
        ({"rate": 44100}, "44100 Hz (need 16000 Hz)"),
    ],
)
def test_wrong_wav_format_is_a_clear_error(tmp_path: Path, kwargs: dict[str, int], problem: str) -> None:
    write_wav(tmp_path / "bad.wav", seconds=0.2, **kwargs)
    microphone = FileMicrophone(tmp_path / "bad.wav")

    with pytest.raises(HardwareError) as caught:
        list(microphone.chunks())

    assert caught.value.code == "microphone_format"
    assert problem in caught.value.message
    assert microphone.status().state is HardwareState.FAULT


def test_not_a_wav_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "noise.wav").write_bytes(b"not a riff file at all")
    with pytest.raises(HardwareError) as caught:
        list(FileMicrophone(tmp_path / "noise.wav").chunks())
    assert caught.value.code == "microphone_format"
    assert FileMicrophone(tmp_path / "absent.wav").status().state is HardwareState.MISSING


def test_any_rate_when_asked(tmp_path: Path) -> None:
    write_wav(tmp_path / "speech.wav", seconds=0.3, rate=8000)
    microphone = FileMicrophone(tmp_path / "speech.wav", sample_rate=None)
    assert sum(len(chunk) for chunk in microphone.chunks()) == 4800
    assert microphone.sample_rate == 8000


def has_capture_card() -> bool:
    if shutil.which("arecord") is None:
        return False
    listing = subprocess.run(["arecord", "-l"], capture_output=True, text=True, timeout=5, check=False)
    return "card " in listing.stdout


@pytest.mark.skipif(has_capture_card(), reason="this machine has a capture card; the no-device path is not testable")
def test_arecord_without_a_capture_device_is_missing_quickly() -> None:
    microphone = ArecordMicrophone()

    started = time.monotonic()
    status = microphone.status()
    assert status.state is HardwareState.MISSING
    assert status.detail
    with pytest.raises(HardwareError) as caught:
        list(microphone.chunks(max_seconds=1))
    assert caught.value.code in {"microphone_fault", "microphone_missing"}
    assert time.monotonic() - started < 5


ARECORD_WITH_TWO_CARDS = """**** List of CAPTURE Hardware Devices ****
card 0: PCH [HDA Intel PCH], device 0: ALC3246 Analog [ALC3246 Analog]
  Subdevices: 1/1
  Subdevice #0: subdevice #0
card 1: Array [USB PnP Sound Device], device 0: USB Audio [USB Audio]
  Subdevices: 1/1
  Subdevice #0: subdevice #0
"""


def fake_tool(directory: Path, stdout: str = "", stderr: str = "", exit_code: int = 0) -> str:
    """An executable standing in for `arecord`: for `-l` prints what a real one prints, anything else fails."""
    (directory / "listing.out").write_text(stdout)
    (directory / "listing.err").write_text(stderr)
    tool = directory / "arecord"
    tool.write_text(
        '#!/bin/sh\n[ "$*" = "-l" ] || { echo "unexpected arguments: $*" >&2; exit 64; }\n'
        f'cat "{directory}/listing.out"\ncat "{directory}/listing.err" >&2\nexit {exit_code}\n'
    )
    tool.chmod(0o755)
    return str(tool)


def test_capture_status_reads_the_first_card_from_the_device_listing(tmp_path: Path) -> None:
    status = capture_device_status(fake_tool(tmp_path, stdout=ARECORD_WITH_TWO_CARDS))
    assert status.name == "microphone"
    assert status.state is HardwareState.READY
    assert status.detail == "card 0: PCH [HDA Intel PCH], device 0: ALC3246 Analog [ALC3246 Analog]"


def test_capture_status_without_a_card_is_missing_with_arecords_reason(tmp_path: Path) -> None:
    # What arecord says on a machine without sound cards (this CI machine, for one).
    tool = fake_tool(tmp_path, stderr="arecord: device_list:274: no soundcards found...\n", exit_code=1)
    status = capture_device_status(tool)
    assert status.state is HardwareState.MISSING
    assert status.detail == "no capture device (arecord: device_list:274: no soundcards found...)"
    silent = capture_device_status(fake_tool(tmp_path, stdout="**** List of CAPTURE Hardware Devices ****\n"))
    assert (silent.state, silent.detail) == (HardwareState.MISSING, "no capture device (no capture card)")


def test_capture_status_without_arecord_is_missing(tmp_path: Path) -> None:
    status = capture_device_status(str(tmp_path / "no-such-arecord"))
    assert status.state is HardwareState.MISSING
    assert status.detail == f"{tmp_path / 'no-such-arecord'} not installed"


def test_microphone_factory(tmp_path: Path) -> None:
    assert isinstance(microphone_from_config("default"), ArecordMicrophone)
    assert microphone_from_config("arecord:plughw:1,0").device == "plughw:1,0"  # type: ignore[attr-defined]
    from_file = microphone_from_config(f"file://{tmp_path / 'a.wav'}")
    assert isinstance(from_file, FileMicrophone) and from_file.path == tmp_path / "a.wav"
    relative = microphone_from_config("file://audio/a.wav")
    assert isinstance(relative, FileMicrophone) and relative.path.is_absolute()
    none = microphone_from_config("none:")
    assert isinstance(none, NullMicrophone) and isinstance(none, Microphone)
    assert none.status().state is HardwareState.MISSING
    with pytest.raises(HardwareError):
        none.chunks()
    with pytest.raises(ValueError):
        microphone_from_config("pulse://default")
