"""Contract tests of the pyttsx3 (espeak-ng) speaker: real synthesis, real WAV files."""

from __future__ import annotations

import array
import ctypes.util
import os
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.ports import HardwareError, HardwareState, Speaker, Utterance
from hardware.speaker import (
    NullSpeaker,
    Pyttsx3Speaker,
    pick_voice,
    playback_device_status,
    speaker_from_config,
)

SENTENCE = "Ticket A 23, please go to counter 3"

requires_espeak = pytest.mark.skipif(
    ctypes.util.find_library("espeak-ng") is None and ctypes.util.find_library("espeak") is None,
    reason="libespeak-ng not installed: pyttsx3 has no speech engine on this machine",
)


@pytest.fixture
def speaker(tmp_path: Path) -> Iterator[Pyttsx3Speaker]:
    speaker = Pyttsx3Speaker(tmp_path / "voice")
    yield speaker
    speaker.close()


def samples(path: Path) -> array.array[int]:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        data = array.array("h", wav.readframes(wav.getnframes()))
    return data


@requires_espeak
def test_render_writes_a_real_wav(speaker: Pyttsx3Speaker) -> None:
    started = time.perf_counter()
    utterance = speaker.render(SENTENCE, "en")
    print(f"\n[tts] rendered {SENTENCE!r} in {time.perf_counter() - started:.3f} s")

    assert utterance.text == SENTENCE
    assert utterance.wav_path.parent == speaker.voice_dir
    with wave.open(str(utterance.wav_path), "rb") as wav:
        duration = wav.getnframes() / wav.getframerate()
    assert 0.8 < duration < 10
    assert utterance.duration_seconds == pytest.approx(duration)
    assert max(abs(sample) for sample in samples(utterance.wav_path)) > 1000  # not silence
    assert not list(speaker.voice_dir.glob("*.part.wav"))


@requires_espeak
def test_repeated_phrase_is_served_from_the_cache(speaker: Pyttsx3Speaker) -> None:
    first = speaker.render(SENTENCE, "en")
    written = first.wav_path.stat().st_mtime_ns

    again = speaker.render(SENTENCE, "en")

    assert again == first
    assert speaker.synth_count == 1
    assert again.wav_path.stat().st_mtime_ns == written


@requires_espeak
def test_each_language_gets_its_own_voice_and_file(speaker: Pyttsx3Speaker) -> None:
    english = speaker.render("3", "en")
    korean = speaker.render("3", "ko")
    chinese = speaker.render("请到三号柜台", "zh")

    assert len({english.wav_path, korean.wav_path, chinese.wav_path}) == 3
    assert samples(english.wav_path) != samples(korean.wav_path)
    assert chinese.duration_seconds > 0.8
    assert speaker.status().state is not HardwareState.FAULT


def test_pick_voice_prefers_exact_then_regional() -> None:
    voices = {"gmw/en-us": "en-us", "gmw/en": "en-gb", "sit/cmn": "cmn", "sit/yue": "yue", "ko": "ko"}

    assert pick_voice(voices, "en") == "gmw/en"
    assert pick_voice(voices, "en-us") == "gmw/en-us"
    assert pick_voice(voices, "zh") == "sit/cmn"
    assert pick_voice(voices, "ko") == "ko"
    assert pick_voice(voices, "tlh") is None


@requires_espeak
def test_play_without_a_sound_device_does_not_raise(speaker: Pyttsx3Speaker) -> None:
    utterance = speaker.render(SENTENCE, "en")
    device = playback_device_status()

    speaker.play(utterance)
    speaker.stop()

    if device.ready:
        pytest.skip(f"this machine has a sound card ({device.detail}); nothing to check")
    status = speaker.status()
    assert status.state is HardwareState.MISSING
    assert status.detail  # says why: aplay missing or no playback device


def test_a_new_play_or_stop_kills_the_previous_player(tmp_path: Path) -> None:
    """A stand-in `aplay` that lists a card and then plays for 30 s."""
    pids = tmp_path / "pids"
    player = tmp_path / "fake-aplay"
    player.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-l" ]; then echo "card 0: Fake [Fake], device 0: Fake"; exit 0; fi\n'
        f'echo $$ >> "{pids}"\n'
        "exec sleep 30\n"
    )
    player.chmod(0o755)
    speaker = Pyttsx3Speaker(tmp_path / "voice", player=str(player))
    utterance = Utterance("hello", tmp_path / "hello.wav", 1.0)
    try:
        assert speaker.status().state is HardwareState.READY
        speaker.play(utterance)
        first = wait_for_pids(pids, 1)[0]
        speaker.play(utterance)
        second = wait_for_pids(pids, 2)[1]
        assert not process_alive(first)
        assert process_alive(second)
        speaker.stop()
        assert not process_alive(second)
    finally:
        speaker.close()


def wait_for_pids(path: Path, count: int, timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            pids = [int(line) for line in path.read_text().split()]
            if len(pids) >= count:
                return pids
        time.sleep(0.02)
    raise AssertionError(f"player did not start {count} time(s) within {timeout} s")


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@requires_espeak
def test_close_stops_the_worker_thread(tmp_path: Path) -> None:
    speaker = Pyttsx3Speaker(tmp_path / "voice")
    speaker.render("one", "en")
    worker = speaker._thread  # other tests' speakers may have TTS threads of their own
    assert worker is not None and worker.name == "lobby-tts" and worker.daemon and worker.is_alive()

    speaker.close()

    assert not worker.is_alive()
    with pytest.raises(HardwareError) as caught:
        speaker.render("two", "en")
    assert caught.value.code == "speaker_closed"


def test_missing_player_is_reported(tmp_path: Path) -> None:
    speaker = Pyttsx3Speaker(tmp_path / "voice", player="no-such-player-binary")
    status = speaker.status()
    assert status.state is HardwareState.MISSING
    assert "no-such-player-binary not installed" in status.detail
    speaker.play(Utterance("hello", tmp_path / "hello.wav", 1.0))  # logs, returns
    speaker.close()


def test_speaker_factory(tmp_path: Path) -> None:
    null = speaker_from_config("none:", tmp_path)
    assert isinstance(null, NullSpeaker) and isinstance(null, Speaker)
    assert null.status().state is HardwareState.MISSING
    with pytest.raises(HardwareError):
        null.render("hello")
    real = speaker_from_config("default", tmp_path / "voice")
    assert isinstance(real, Pyttsx3Speaker) and real.voice_dir == tmp_path / "voice"
    real.close()
    with pytest.raises(ValueError):
        speaker_from_config("festival", tmp_path)


def test_wav_speaker_renders_without_a_sound_device(tmp_path: Path) -> None:
    speaker = speaker_from_config("wav:", tmp_path / "voice")
    try:
        assert speaker.status().ready
        utterance = speaker.render("Your ticket is C 4.", "en")
        speaker.play(utterance)  # nothing to play on; the WAV is the output
        assert utterance.wav_path.parent == tmp_path / "voice"
        assert 0.8 < utterance.duration_seconds < 10
    finally:
        speaker.close()  # type: ignore[attr-defined]


@requires_espeak
def test_configured_voices_may_be_espeak_languages_as_the_kiosk_catalog_names_them(tmp_path: Path) -> None:
    """`kiosk.i18n.Catalog.voice` says "cmn" and "en-gb"; the speaker maps them to the engine's voices
    (the cache file name hashes the voice used, so equal names mean the same voice)."""
    catalog_voices = Pyttsx3Speaker(tmp_path / "catalog", voices={"zh": "cmn", "en": "en-gb"})
    defaults = Pyttsx3Speaker(tmp_path / "defaults")
    cantonese = Pyttsx3Speaker(tmp_path / "cantonese", voices={"zh": "yue"})
    try:
        for lang, text in (("zh", "请到三号柜台"), ("en", "Please go to counter 3")):
            assert catalog_voices.render(text, lang).wav_path.name == defaults.render(text, lang).wav_path.name
        mandarin = defaults.render("请到三号柜台", "zh")
        assert cantonese.render("请到三号柜台", "zh").wav_path.name != mandarin.wav_path.name
    finally:
        for speaker in (catalog_voices, defaults, cantonese):
            speaker.close()
