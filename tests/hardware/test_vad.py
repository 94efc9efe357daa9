"""The endpointer on synthetic signals with known boundaries: positions are exact to a 10 ms frame."""

from __future__ import annotations

import math
import random
import subprocess
import threading
import wave
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest

from hardware.fakes import FakeMicrophone, FakeRecognizer
from hardware.ports import Transcript
from hardware.vad import (
    Endpointer,
    VadConfig,
    VadEvent,
    VadState,
    dbfs,
    level,
    listen,
    until_released,
    utterance,
)

RATE = 16000
FRAME = 160  # samples in a 10 ms frame
CHUNK = 3200  # bytes: 100 ms, like the microphones
TRAILING = 700 * RATE // 1000  # samples of trailing silence before the endpoint


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * round(seconds * RATE)


def tone(seconds: float, amplitude: float = 0.3, frequency: float = 440.0) -> bytes:
    peak = amplitude * 32767
    count = round(seconds * RATE)
    return array("h", (round(peak * math.sin(2 * math.pi * frequency * n / RATE)) for n in range(count))).tobytes()


def noise(seconds: float, dbfs_level: float, seed: int = 7) -> array[int]:
    sigma = 32768 * 10 ** (dbfs_level / 20)
    generator = random.Random(seed)
    return array("h", (max(-32768, min(32767, round(generator.gauss(0, sigma)))) for _ in range(round(seconds * RATE))))


def mix(*signals: bytes) -> bytes:
    """Sum equally long signals sample by sample."""
    arrays = [array("h", signal) for signal in signals]
    assert len({len(values) for values in arrays}) == 1
    return array("h", (max(-32768, min(32767, sum(values))) for values in zip(*arrays, strict=True))).tobytes()


def chunked(audio: bytes, size: int = CHUNK) -> list[bytes]:
    return [audio[start : start + size] for start in range(0, len(audio), size)]


def run(audio: bytes, config: VadConfig | None = None, size: int = CHUNK) -> list[VadEvent]:
    endpointer = Endpointer(config)
    events = []
    for chunk in chunked(audio, size):
        events.append(endpointer.feed(chunk))
        if events[-1].state.final:
            break
    return events


# -- levels ------------------------------------------------------------------------


def test_level_maps_dbfs_to_a_meter() -> None:
    square = array("h", [3277, -3277] * 800).tobytes()  # RMS 0.1 of full scale: -20 dBFS

    assert dbfs(square) == pytest.approx(-20.0, abs=0.01)
    assert level(square) == pytest.approx(40 / 60, abs=0.001)
    assert level(array("h", [32767, -32767] * 800).tobytes()) == pytest.approx(1.0, abs=0.001)
    assert level(silence(0.1)) == 0.0
    assert dbfs(silence(0.1)) == -100.0
    assert dbfs(b"") == -100.0
    assert level(array("h", [32, -32] * 800).tobytes()) == 0.0  # below -60 dBFS the meter rests


# -- endpoints ---------------------------------------------------------------------


def test_tone_burst_in_silence_has_exact_boundaries() -> None:
    events = run(silence(1) + tone(1) + silence(3))

    states = [event.state for event in events]
    assert states == [VadState.WAITING] * 10 + [VadState.SPEECH_STARTED] + [VadState.SPEAKING] * 15 + [VadState.ENDED]
    final = events[-1]
    assert (final.speech_start, final.speech_end, final.endpoint) == (16000, 32000, 32000 + TRAILING)
    assert final.position == 32000 + TRAILING
    assert not final.truncated
    assert events[10].speech_start == 16000  # reported with the chunk in which start_ms was reached


def test_tone_burst_in_noise_adapts_the_floor() -> None:
    background = noise(5, -40).tobytes()
    endpointer = Endpointer()
    final = None
    for chunk in chunked(mix(background, silence(1) + tone(1, 0.1) + silence(3))):
        final = endpointer.feed(chunk)
        if final.state.final:
            break

    assert final is not None and final.state is VadState.ENDED
    assert (final.speech_start, final.speech_end, final.endpoint) == (16000, 32000, 32000 + TRAILING)
    assert endpointer.noise_floor_dbfs == pytest.approx(-40.0, abs=1.0)
    assert endpointer.threshold_dbfs == pytest.approx(endpointer.noise_floor_dbfs + 10.0)


def test_a_pause_shorter_than_the_trailing_silence_does_not_end_the_utterance() -> None:
    one = run(silence(1) + tone(0.5) + silence(0.5) + tone(0.5) + silence(2))[-1]
    two = run(silence(1) + tone(0.5) + silence(0.8) + tone(0.5) + silence(2))[-1]

    assert (one.speech_start, one.speech_end, one.endpoint) == (16000, 40000, 40000 + TRAILING)
    assert (two.speech_start, two.speech_end, two.endpoint) == (16000, 24000, 24000 + TRAILING)


def test_a_click_shorter_than_start_ms_is_not_speech() -> None:
    events = run(silence(1) + tone(0.05, 0.9) + silence(6))

    assert events[-1].state is VadState.TIMED_OUT
    assert events[-1].speech_start is None


def test_nobody_speaking_times_out_after_no_speech_timeout() -> None:
    events = run(noise(8, -45).tobytes())

    final = events[-1]
    assert final.state is VadState.TIMED_OUT
    assert (final.endpoint, final.speech_start) == (5 * RATE, None)
    assert len(events) == 50
    assert all(event.state is VadState.WAITING for event in events[:-1])


def test_max_seconds_truncates_a_long_utterance() -> None:
    final = run(silence(1) + tone(4), VadConfig(max_seconds=3.0))[-1]

    assert final.state is VadState.ENDED
    assert final.truncated
    assert (final.speech_start, final.endpoint) == (16000, 3 * RATE)


def test_slowly_rising_noise_is_followed_not_mistaken_for_speech() -> None:
    """Noise rising 25 dB over 2.5 s (a fan spinning up), then a tone at 3 s."""
    ramp = array("h")
    for step in range(25):  # 100 ms steps of +1 dB from -60 dBFS
        ramp.extend(noise(0.1, -60 + step, seed=step))
    background = ramp.tobytes() + noise(3, -35, seed=99).tobytes()
    audio = mix(background, silence(3) + tone(0.5, 0.5) + silence(2))

    adaptive = run(audio)[-1]
    fixed = run(audio, VadConfig(floor_adaptation=0.0))[-1]

    assert (adaptive.state, adaptive.speech_start, adaptive.speech_end) == (VadState.ENDED, 48000, 56000)
    assert fixed.speech_start is not None and fixed.speech_start < 40000  # a fixed floor hears the fan


@pytest.mark.parametrize("size", [CHUNK, 333, 320, 7, 64000])
def test_chunk_size_does_not_move_the_endpoint(size: int) -> None:
    final = run(silence(1) + tone(1) + silence(3), size=size)[-1]

    assert (final.state, final.speech_start, final.speech_end, final.endpoint) == (
        VadState.ENDED,
        16000,
        32000,
        32000 + TRAILING,
    )


def test_feeding_after_the_end_returns_the_final_event() -> None:
    endpointer = Endpointer(VadConfig(no_speech_timeout=0.5))
    for chunk in chunked(silence(1)):
        endpointer.feed(chunk)
    final = endpointer.last_event

    assert final is not None and final.state is VadState.TIMED_OUT and final.endpoint == 8000
    assert endpointer.feed(tone(1)) is final
    endpointer.reset()
    assert endpointer.feed(silence(0.1)).state is VadState.WAITING


def test_config_rejects_frames_that_are_not_whole_samples() -> None:
    with pytest.raises(ValueError, match="whole number of samples"):
        VadConfig(sample_rate=11025)
    with pytest.raises(ValueError, match="positive"):
        VadConfig(no_speech_timeout=0)


# -- the utterance and the microphone ----------------------------------------------


def test_utterance_yields_pre_roll_to_endpoint_and_stops_the_microphone() -> None:
    audio = silence(1) + tone(1) + silence(5)
    microphone = FakeMicrophone(audio)
    endpointer = Endpointer()

    spoken = b"".join(utterance(microphone.chunks(), endpointer))

    start = (16000 - 200 * RATE // 1000) * 2
    assert spoken == audio[start : (32000 + TRAILING) * 2]
    assert endpointer.last_event is not None and endpointer.last_event.state is VadState.ENDED
    assert microphone.delivered == 27  # chunk 27 ends at 43200 samples, the endpoint
    assert microphone.stopped_early
    assert not microphone.recording


def test_utterance_pre_roll_is_clipped_at_the_start_of_the_audio() -> None:
    audio = silence(0.15) + tone(1) + silence(1)
    endpointer = Endpointer(VadConfig(calibration_ms=100))

    spoken = b"".join(utterance(chunked(audio, 640), endpointer))

    event = endpointer.last_event
    assert event is not None and event.speech_start == 2400  # less than the 200 ms pre-roll in
    assert spoken == audio[: (18400 + TRAILING) * 2]


def test_utterance_of_nobody_is_empty_and_stops_the_microphone() -> None:
    microphone = FakeMicrophone(silence(10))

    assert list(utterance(microphone.chunks(), Endpointer())) == []
    assert microphone.delivered == 50
    assert not microphone.recording


def test_push_to_talk_stops_when_the_button_is_released() -> None:
    microphone = FakeMicrophone(silence(10))
    released = threading.Event()
    heard = []
    for chunk in until_released(microphone.chunks(), released):
        heard.append(chunk)
        if len(heard) == 3:
            released.set()

    assert len(heard) == 3
    assert microphone.stopped_early and not microphone.recording


# -- listen(): microphone -> endpointer -> recognizer -------------------------------


def test_listen_reports_levels_and_partials_and_stops_at_the_endpoint() -> None:
    microphone = FakeMicrophone(silence(1) + tone(1) + silence(5))
    recognizer = FakeRecognizer(Transcript("현금 인출", 0.9), partials=["현금", "현금", "현금 인출"])
    levels: list[float] = []
    partials: list[str] = []
    events: list[VadEvent] = []

    transcript = listen(
        microphone,
        recognizer,
        Endpointer(),
        grammar=["현금 인출"],
        on_level=levels.append,
        on_partial=partials.append,
        on_event=events.append,
    )

    assert transcript.text == "현금 인출"
    assert recognizer.calls == [((43200 - 12800) * 2, 16000, ("현금 인출",))]
    assert partials == ["현금", "현금 인출"]
    assert len(levels) == len(events) == 27  # one per microphone chunk, also while waiting
    assert levels[:10] == [0.0] * 10 and levels[11] == pytest.approx(level(tone(0.1)), abs=0.01)
    assert events[-1].state is VadState.ENDED
    assert microphone.stopped_early and not microphone.recording


def test_listen_to_nobody_gives_an_empty_transcript() -> None:
    microphone = FakeMicrophone(silence(10))
    recognizer = FakeRecognizer("")
    endpointer = Endpointer()

    transcript = listen(microphone, recognizer, endpointer)

    assert transcript.text == ""
    assert recognizer.calls == [(0, 16000, None)]
    assert endpointer.last_event is not None and endpointer.last_event.state is VadState.TIMED_OUT
    assert microphone.delivered == 50 and not microphone.recording


def test_listen_refuses_a_microphone_at_another_rate() -> None:
    with pytest.raises(ValueError, match="8000 Hz"):
        listen(FakeMicrophone(silence(1), sample_rate=8000), FakeRecognizer(), Endpointer())


# -- synthesized speech -------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["안녕하세요", "번호표 주세요", "대출 상담을 받고 싶어요"])
def test_espeak_speech_padded_with_silence_is_found_within_a_frame(
    phrase: str, korean_speech: Callable[[str], Path], tmp_path: Path
) -> None:
    speech = korean_speech(phrase)
    padded = tmp_path / "padded.wav"
    subprocess.run(["sox", str(speech), str(padded), "pad", "1", "2"], check=True, timeout=30)
    with wave.open(str(speech), "rb") as wav:
        samples = array("h", wav.readframes(wav.getnframes()))
    loud = [index for index, sample in enumerate(samples) if abs(sample) >= 328]  # >= 1 % of full scale
    first, last = RATE + loud[0], RATE + loud[-1] + 1
    with wave.open(str(padded), "rb") as wav:
        audio = wav.readframes(wav.getnframes())

    final = run(audio)[-1]

    assert final.state is VadState.ENDED
    assert final.speech_start is not None and abs(final.speech_start - first) < FRAME
    assert final.speech_end is not None and abs(final.speech_end - last) < FRAME
    assert final.endpoint == final.speech_end + TRAILING
