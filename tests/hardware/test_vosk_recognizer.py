"""Contract tests of the Vosk recognizer: synthesized Korean speech through a file microphone."""

from __future__ import annotations

import itertools
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hardware.fakes import FakeMicrophone
from hardware.microphone import FileMicrophone
from hardware.ports import HardwareError, HardwareState, SpeechRecognizer
from hardware.recognizer import VoskRecognizer, recognizer_from_config
from hardware.vad import Endpointer, VadEvent, VadState, listen

# What a Korean-speaking customer might say at the greeter. "카드를 잃어버렸어요"
# ("I lost my card") is not in the small model's vocabulary ("잃어버렸어요"):
# the adapter must drop that phrase rather than let Vosk shrink it to "카드를".
GRAMMAR = (
    "카드 분실",
    "현금 인출",
    "계좌 개설",
    "안녕하세요",
    "비밀번호 변경",
    "대출 상담",
    "카드를 잃어버렸어요",
)


class TrackedAudio:
    """An audio iterator that records how much was read and whether it was closed."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = iter(chunks)
        self.consumed = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = next(self._chunks)
        self.consumed += 1
        return chunk

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("phrase", ["현금 인출", "계좌 개설", "안녕하세요", "비밀번호 변경"])
def test_grammar_mode_recognises_the_spoken_phrase(
    phrase: str, ko_recognizer: VoskRecognizer, korean_speech: Callable[[str], Path]
) -> None:
    microphone = FileMicrophone(korean_speech(phrase))

    started = time.perf_counter()
    transcript = ko_recognizer.transcribe(microphone.chunks(), microphone.sample_rate, grammar=GRAMMAR)
    print(f"\n[vosk] decoded {phrase!r} in {time.perf_counter() - started:.3f} s: {transcript}")

    assert transcript.text == phrase
    assert transcript.confidence is not None and transcript.confidence > 0.5
    assert not transcript.partial


def test_phrases_with_unknown_words_are_reported_and_dropped(ko_recognizer: VoskRecognizer) -> None:
    assert ko_recognizer.unknown_words(GRAMMAR) == ("잃어버렸어요",)
    with pytest.raises(HardwareError) as caught:
        ko_recognizer.transcribe(iter([b"\x00\x00" * 1600]), grammar=["잃어버렸어요"])
    assert caught.value.code == "recognizer_grammar"


def test_decoding_stops_at_the_end_of_the_first_utterance(
    ko_recognizer: VoskRecognizer, korean_speech: Callable[[str], Path]
) -> None:
    """Like a live microphone: speech, a long pause, more speech -> only the first is decoded."""
    first = list(FileMicrophone(korean_speech("계좌 개설")).chunks())
    second = list(FileMicrophone(korean_speech("현금 인출")).chunks())
    silence = [b"\x00\x00" * 1600] * 30  # 3 s
    audio = TrackedAudio(first + silence + second)

    transcript = ko_recognizer.transcribe(audio, 16000, grammar=GRAMMAR)

    assert transcript.text == "계좌 개설"
    assert audio.consumed < len(first) + len(silence)
    assert audio.closed


def test_partials_and_levels_are_reported_while_decoding(
    ko_recognizer: VoskRecognizer, korean_speech: Callable[[str], Path]
) -> None:
    chunks = list(FileMicrophone(korean_speech("비밀번호 변경")).chunks())
    partials: list[str] = []
    levels: list[float] = []

    transcript = ko_recognizer.transcribe(
        iter(chunks), 16000, grammar=GRAMMAR, on_partial=partials.append, on_level=levels.append
    )

    assert transcript.text == "비밀번호 변경"
    assert partials[0] == "비밀번호"  # the first word is heard before the utterance ends
    assert "비밀번호 변경" in partials
    assert all(earlier != later for earlier, later in itertools.pairwise(partials))
    assert len(levels) == len(chunks)  # one per chunk decoded
    assert min(levels[:5]) > 0.4  # espeak-ng speaks at about -20 dBFS
    assert levels[-1] == 0.0  # and ends in digital silence


def test_hands_free_listening_stops_the_microphone_at_the_endpoint(
    ko_recognizer: VoskRecognizer, korean_speech: Callable[[str], Path]
) -> None:
    """A customer says one thing, pauses for 3 s, says another: only the first is heard."""

    def pcm(phrase: str) -> bytes:
        return b"".join(FileMicrophone(korean_speech(phrase)).chunks())

    audio = b"\x00\x00" * 16000 + pcm("계좌 개설") + b"\x00\x00" * 48000 + pcm("현금 인출")
    microphone = FakeMicrophone(audio)
    endpointer = Endpointer()
    partials: list[str] = []
    events: list[VadEvent] = []

    transcript = listen(
        microphone, ko_recognizer, endpointer, grammar=GRAMMAR, on_partial=partials.append, on_event=events.append
    )

    assert transcript.text == "계좌 개설"
    assert partials and partials[-1] == "계좌 개설"
    assert events[0].state is VadState.WAITING
    assert VadState.SPEECH_STARTED in {event.state for event in events}
    assert microphone.stopped_early and not microphone.recording
    assert microphone.delivered < (len(audio) - 48000 * 2) // 3200  # the second phrase was never recorded


def test_free_form_decoding_answers_in_the_models_words_not_the_grammars(
    ko_recognizer: VoskRecognizer, korean_speech: Callable[[str], Path]
) -> None:
    """Without a grammar Vosk may answer any word of its vocabulary; with one, only the grammar's words.

    Which words free-form decoding hears in espeak-ng's Korean cannot be asserted: it is no human
    voice, and the small model hears other words in it ("감사합니다" -> "유럽 설화 이다", "안녕하세요"
    -> "아 유연 바시 요"; 0 of 27 speed/pitch/voice variants right), and they shift with the chunking.
    So the same audio is decoded both ways: "thank you" is in no grammar phrase, so the grammar can
    only bend it into its own words, while free-form decoding must leave them.
    """
    thanks = korean_speech("감사합니다")
    grammar_words = {word for phrase in GRAMMAR for word in phrase.split()}

    held = ko_recognizer.transcribe(FileMicrophone(thanks).chunks(), 16000, grammar=GRAMMAR)
    free = ko_recognizer.transcribe(FileMicrophone(thanks).chunks(), 16000)

    assert set(held.text.split()) <= grammar_words
    words = free.text.split()
    assert len(words) >= 2, free  # four syllables of speech are not one word or none
    assert not set(words) <= grammar_words, free  # not held to the grammar of an earlier call
    assert "[unk]" not in words and ko_recognizer.unknown_words([free.text]) == ()  # the model's own words
    assert free.confidence is not None and 0 < free.confidence <= 1

    # The audio is good speech: held to a grammar that has it, the phrase is heard exactly.
    hello = FileMicrophone(korean_speech("안녕하세요"))
    assert ko_recognizer.transcribe(hello.chunks(), 16000, grammar=GRAMMAR).text == "안녕하세요"


def test_silence_gives_an_empty_transcript(ko_recognizer: VoskRecognizer) -> None:
    transcript = ko_recognizer.transcribe(iter([b"\x00\x00" * 1600] * 10), 16000, grammar=GRAMMAR)
    assert transcript.text == ""
    assert transcript.confidence is None


def test_loaded_model_reports_ready(ko_recognizer: VoskRecognizer) -> None:
    status = ko_recognizer.status()
    assert status.state is HardwareState.READY
    assert "loaded" in status.detail
    assert ko_recognizer.load_seconds is not None and ko_recognizer.load_seconds > 0


@pytest.mark.parametrize(
    ("model_path", "detail"),
    [("", "no Vosk model path configured"), ("/nonexistent/vosk-model", "not found")],
)
def test_missing_model_is_reported_not_raised(model_path: str, detail: str) -> None:
    recognizer = recognizer_from_config(model_path)

    assert isinstance(recognizer, SpeechRecognizer)
    status = recognizer.status()
    assert status.state is HardwareState.MISSING
    assert detail in status.detail
    audio = TrackedAudio([b"\x00\x00" * 1600])
    with pytest.raises(HardwareError) as caught:
        recognizer.transcribe(audio)
    assert caught.value.code == "recognizer_missing"
    assert audio.closed  # a live microphone would be stopped


def test_a_directory_that_is_not_a_model_is_missing(tmp_path: Path) -> None:
    status = VoskRecognizer(tmp_path).status()
    assert status.state is HardwareState.MISSING
    assert "not a Vosk model" in status.detail


def test_a_broken_model_is_a_fault(tmp_path: Path) -> None:
    (tmp_path / "am").mkdir()  # looks like a model, is not one
    recognizer = VoskRecognizer(tmp_path)
    with pytest.raises(HardwareError) as caught:
        recognizer.load()
    assert caught.value.code == "recognizer_fault"
    assert recognizer.status().state is HardwareState.FAULT


def test_speech_file_is_what_a_microphone_delivers(korean_speech: Callable[[str], Path]) -> None:
    with wave.open(str(korean_speech("안녕하세요")), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() > 16000 // 2
