"""Contract tests of the pyttsx3 (espeak-ng) speaker: real synthesis, real WAV files."""

from __future__ import annotations

import array
import ctypes.util
import logging
import os
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# espeak-ng busy with other work when a render starts: pyttsx3's runAndWait() would cancel it, and then
# often this utterance or the next one (the CI failure "no audio rendered" of the test above; setting the
# voice then can even crash espeak-ng). Real espeak-ng, kept busy by a long synthesis started directly on
# the library the driver uses.
BUSY_TEXT = " ".join(["Ticket A 23, please go to counter 3."] * 50)  # ~0.1-0.3 s of espeak's time


def keep_espeak_busy() -> None:
    from pyttsx3.drivers import _espeak  # the speaker has initialised it (one espeak per process)

    _espeak.Synth(BUSY_TEXT.encode(), flags=_espeak.CHARS_UTF8)
    assert _espeak.IsPlaying()


def render_two(speaker: Pyttsx3Speaker, round_: int) -> list[Utterance]:
    """Two new phrases: the one started while espeak is busy, and the next (a stale stop flag's victim)."""
    return [speaker.render(f"Ticket B {round_}{n}, counter {n}", "en") for n in (1, 2)]


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "rendering it once more" in r.getMessage()]


def assert_speech(utterance: Utterance) -> None:
    assert 0.8 < utterance.duration_seconds < 10  # its own words, not the long text
    assert max(abs(sample) for sample in samples(utterance.wav_path)) > 1000


@requires_espeak
def test_a_render_waits_for_espeak_to_finish_what_it_is_doing(
    speaker: Pyttsx3Speaker, caplog: pytest.LogCaptureFixture
) -> None:
    speaker.render("one", "en")

    with caplog.at_level(logging.WARNING, logger="hardware.speaker"):
        for round_ in range(3):  # without the wait, a round fails more often than not
            keep_espeak_busy()
            for utterance in render_two(speaker, round_):
                assert_speech(utterance)

    assert retries(caplog) == []  # each had audio at the first try


def fail_first_tries(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[str]:
    """The speaker's first `failures` syntheses yield no audio, as when the driver cancels them; later
    ones are real. (Which render a real cancel hits depends on thread timing: the test above makes the
    race itself, this one only what the speaker does with a try that has no audio.)"""
    real = Pyttsx3Speaker._synthesize
    tries: list[str] = []

    def synthesize(self: Pyttsx3Speaker, handle: Any, text: str, voice: str | None, partial: Path) -> str | None:
        tries.append(text)
        if len(tries) <= failures:
            return "cancelled by the espeak driver"
        return real(self, handle, text, voice, partial)

    monkeypatch.setattr(Pyttsx3Speaker, "_synthesize", synthesize)
    return tries


@requires_espeak
def test_a_render_without_audio_is_rendered_once_more_and_logged(
    speaker: Pyttsx3Speaker, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries = fail_first_tries(monkeypatch, failures=1)

    with caplog.at_level(logging.WARNING, logger="hardware.speaker"):
        utterance = speaker.render(SENTENCE, "en")

    assert_speech(utterance)
    assert tries == [SENTENCE, SENTENCE]
    assert len(retries(caplog)) == 1 and "cancelled by the espeak driver" in retries(caplog)[0]
    assert speaker.synth_count == 1
    assert speaker.status().state is not HardwareState.FAULT


@requires_espeak
def test_a_render_without_audio_twice_fails_and_is_not_cached(
    speaker: Pyttsx3Speaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries = fail_first_tries(monkeypatch, failures=2)

    with pytest.raises(HardwareError) as caught:
        speaker.render(SENTENCE, "en")

    assert caught.value.code == "tts_failed" and "cancelled by the espeak driver" in str(caught.value)
    assert tries == [SENTENCE, SENTENCE]
    assert not list(speaker.voice_dir.glob("*.wav"))  # neither a cache entry nor a partial file
    assert_speech(speaker.render(SENTENCE, "en"))  # the next request renders it afresh
    assert len(tries) == 3
