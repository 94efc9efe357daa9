"""Grammar phrases from the NLU data, filtered by the model's vocabulary (the voice bench: tests/tools)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from hardware.grammar import (
    character_error_rate,
    edit_distance,
    nearest_phrase,
    normalize_phrase,
    phrases_from_nlu,
    vocabulary_phrases,
)
from hardware.microphone import FileMicrophone
from hardware.recognizer import VoskRecognizer

NLU_FILE = Path(__file__).resolve().parents[2] / "nlu_data" / "nlu.yml"

NLU_YAML = """\
version: "3.1"
nlu:
- intent: withdraw_cash
  examples: |
    - I'd like to withdraw [300](amount) [pounds](currency) please!
    - can I take out [1,500](amount) [quid]{"entity": "currency", "value": "GBP"} today?
    - Get cash.
    - get cash
- synonym: GBP
  examples: |
    - pounds
- intent: lost_card
  examples: |
    - I lost my [debit](card_type) card
    - someone stole my card... help
- lookup: card_type
  examples: |
    - visa
- regex: reference
  examples: |
    - \\b[A-Z]{2}[0-9]{4}\\b
- intent: greet
  examples: |
    - hello
"""


@pytest.mark.parametrize(
    ("example", "phrase"),
    [
        ("I'd like to withdraw [300](amount) [pounds](currency) please", "i'd like to withdraw 300 pounds please"),
        ("can I take out [1,500](amount) today?", "can i take out 1500 today"),
        ('move it to my [savings]{"entity": "account_type"} account', "move it to my savings account"),
        ("'quoted' words, snake_case and 1,2,3 ", "quoted words snake case and 1 2 3"),
        ("현금을 찾고 싶어요!", "현금을 찾고 싶어요"),
    ],
)
def test_normalize_phrase(example: str, phrase: str) -> None:
    assert normalize_phrase(example) == phrase


def test_phrases_from_nlu_keeps_intent_examples_only(tmp_path: Path) -> None:
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(NLU_YAML, encoding="utf-8")

    assert phrases_from_nlu(nlu) == [
        "i'd like to withdraw 300 pounds please",
        "i lost my debit card",
        "hello",
        "can i take out 1500 quid today",
        "someone stole my card help",
        "get cash",
    ]
    assert phrases_from_nlu(nlu, limit=2) == ["i'd like to withdraw 300 pounds please", "i lost my debit card"]
    assert phrases_from_nlu(nlu, limit=0) == []


def test_phrases_from_the_project_nlu_data_are_clean() -> None:
    phrases = phrases_from_nlu(NLU_FILE)

    assert len(phrases) > 500
    assert len(set(phrases)) == len(phrases)
    assert [phrase for phrase in phrases if not re.fullmatch(r"[a-z0-9']+( [a-z0-9']+)*", phrase)] == []
    assert len(phrases_from_nlu(NLU_FILE, limit=40)) == 40


class FakeVocabulary:
    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.asked: list[tuple[str, ...]] = []

    def unknown_words(self, phrases: Sequence[str]) -> tuple[str, ...]:
        self.asked.append(tuple(phrases))
        words = dict.fromkeys(word for phrase in phrases for word in phrase.split())
        return tuple(word for word in words if word not in self.known)


def test_vocabulary_phrases_keeps_phrases_of_known_words() -> None:
    vocabulary = FakeVocabulary({"get", "cash", "hello"})

    kept = vocabulary_phrases(vocabulary, ["get cash", "get  cash ", "get some cash", "hello", ""])

    assert kept == ["get cash", "hello"]
    assert vocabulary.asked == [("get cash", "get some cash", "hello")]  # one look-up for all
    assert vocabulary_phrases(vocabulary, []) == []


def test_vocabulary_phrases_with_the_korean_model(ko_recognizer: VoskRecognizer) -> None:
    phrases = [
        "카드를 잃어버렸어요",
        "현금 인출",
        "계좌 개설",
        "현금 인출",
        " 계좌  개설 ",
        "현금을 찾고 싶어요",
        "번호표 주세요",
    ]

    assert vocabulary_phrases(ko_recognizer, phrases) == ["현금 인출", "계좌 개설", "번호표 주세요"]


def test_a_filtered_grammar_decodes_korean_speech(
    ko_recognizer: VoskRecognizer, korean_speech: Callable[[str], Path]
) -> None:
    grammar = vocabulary_phrases(
        ko_recognizer, ["예약 했어요", "예약했어요", "번호표 주세요", "직원과 이야기 하고 싶어요"]
    )
    microphone = FileMicrophone(korean_speech("번호표 주세요"))

    transcript = ko_recognizer.transcribe(microphone.chunks(), 16000, grammar=grammar)

    assert grammar == ["예약 했어요", "번호표 주세요", "직원과 이야기 하고 싶어요"]
    assert transcript.text == "번호표 주세요"


def test_edit_distance_and_character_error_rate() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == edit_distance("abc", "") == 3
    assert character_error_rate("현금 인출", "현금인출") == 0.0  # spacing is not an error
    assert character_error_rate("현금 인출", "대출") == pytest.approx(3 / 4)
    assert character_error_rate("", "") == 0.0
    assert character_error_rate("", "뭐") == 1.0


def test_nearest_phrase_maps_a_blend_to_one_phrase() -> None:
    phrases = ["번호표 주세요", "통장을 만들고 싶어요", "송금 하려고 왔어요"]

    assert nearest_phrase("주세요 만들고 싶어요", phrases) == "통장을 만들고 싶어요"
    assert nearest_phrase("번호표 주세요", phrases) == "번호표 주세요"
    assert nearest_phrase("", phrases) is None
    assert nearest_phrase("번호표", []) is None
