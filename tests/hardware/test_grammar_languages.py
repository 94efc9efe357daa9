"""Grammar mode per language: each language's phrases, Chinese cut into a model's words and joined back,
and one recognizer (one model) per language."""

# Chinese examples use full-width punctuation on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from hardware.grammar import (
    grammar_phrases,
    join_words,
    nearest_phrase,
    nlu_phrases,
    segment_han,
    vocabulary_phrases,
)
from hardware.ports import HardwareState
from hardware.recognizer import VoskRecognizer, _transcript, recognizers_from_config

EN_NLU = """\
version: "3.1"
nlu:
- intent: report_lost_card
  examples: |
    - I lost my [debit](card_type) card
    - 我的卡丢了
- intent: open_account
  examples: |
    - 我想 open an account
    - [07700 900123](phone_number)
"""
ZH_NLU = """\
version: "3.1"
nlu:
- intent: withdraw_cash
  examples: |
    - 我想取[两千](amount)块钱
    - 取钱！
- intent: report_lost_card
  examples: |
    - 我的卡丢了
    - 卡被偷了，怎么办？
"""


class ChineseVocabulary:
    """Words of a Chinese model (as Vosk's small Chinese model has them: words and single characters)."""

    def __init__(self, words: set[str]) -> None:
        self.words = words
        self.lookups = 0

    def unknown_words(self, phrases: Sequence[str]) -> tuple[str, ...]:
        self.lookups += 1
        found = dict.fromkeys(word for phrase in phrases for word in phrase.split())
        return tuple(word for word in found if word not in self.words)


MODEL_WORDS = {"我", "的", "卡", "丢", "了", "丢了", "我的", "我想", "想", "取", "两千", "块", "钱", "取钱", "被", "偷"}


@pytest.mark.parametrize(
    ("words", "text"),
    [
        (["我的", "卡", "丢了"], "我的卡丢了"),
        (["我想", "open", "an", "account"], "我想 open an account"),
        (["withdraw", "两千"], "withdraw 两千"),
        (["번호표", "주세요"], "번호표 주세요"),  # Korean keeps its spaces
        (["", "get", "cash"], "get cash"),
    ],
)
def test_join_words(words: list[str], text: str) -> None:
    assert join_words(words) == text


def test_segment_han_takes_the_longest_known_words() -> None:
    assert segment_han("我的卡丢了", MODEL_WORDS) == "我的 卡 丢了"
    assert segment_han("我想取两千块钱", MODEL_WORDS) == "我想 取 两千 块 钱"
    assert segment_han("我想 open an account", MODEL_WORDS) == "我想 open an account"
    assert segment_han("取2000块", MODEL_WORDS) == "取 2000 块"
    assert segment_han("存款", MODEL_WORDS) == "存 款"  # unknown: one character each (then dropped as unknown)


def test_chinese_phrases_become_grammar_phrases_in_the_models_words() -> None:
    vocabulary = ChineseVocabulary(MODEL_WORDS)

    kept = vocabulary_phrases(vocabulary, ["我的卡丢了", "我想取两千块钱", "我要存款", "我的卡丢了"])

    assert kept == ["我的 卡 丢了", "我想 取 两千 块 钱"]  # 我要存款 has words the model lacks
    assert vocabulary.lookups == 2  # one look-up for the pieces, one for the phrases


def test_a_chinese_answer_snaps_to_a_phrase_and_reads_without_spaces() -> None:
    grammar = ["我的 卡 丢了", "我想 取 两千 块 钱"]

    snapped = nearest_phrase("我 的 卡 丢", grammar)

    assert snapped == "我的 卡 丢了"
    assert join_words(str(snapped).split()) == "我的卡丢了"


def test_vosk_results_in_chinese_are_joined() -> None:
    result = '{"text": "我的 卡 [unk] 丢了", "result": [{"word": "我的", "conf": 0.9}, {"word": "卡", "conf": 0.7}]}'

    transcript = _transcript(result)

    assert transcript.text == "我的卡丢了"
    assert transcript.confidence == pytest.approx(0.8)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "nlu_data").mkdir()
    (tmp_path / "nlu_data" / "nlu.yml").write_text(EN_NLU, encoding="utf-8")
    (tmp_path / "nlu_data" / "nlu_zh.yml").write_text(ZH_NLU, encoding="utf-8")
    (tmp_path / "nlu_data" / "rules.yml").write_text('version: "3.1"\nrules: []\n', encoding="utf-8")
    return tmp_path


def test_each_language_gets_its_own_examples_from_every_nlu_file(project: Path) -> None:
    english = nlu_phrases(project / "nlu_data", "en")
    chinese = nlu_phrases(project / "nlu_data", "zh")

    assert english == ["i lost my debit card", "我想 open an account"]
    # intents take turns within a file (phrases_from_nlu), files come in path order, repeats are dropped
    assert chinese == ["我想 open an account", "我的卡丢了", "我想取两千块钱", "取钱", "卡被偷了 怎么办"]
    assert "07700 900123" not in english + chinese  # a phone number is no one's phrase


def test_grammar_specs_per_language(project: Path) -> None:
    (project / "zh_phrases.txt").write_text("取钱\n我的卡丢了！\n取钱\n\n", encoding="utf-8")

    assert grammar_phrases("", "zh", project) == []
    assert grammar_phrases("nlu", "zh", project) == nlu_phrases(project / "nlu_data", "zh")
    assert grammar_phrases("zh_phrases.txt", "zh", project) == ["取钱", "我的卡丢了"]
    assert grammar_phrases("nlu", "fr", project) == []  # no French data: free decoding


def test_one_recognizer_per_language_and_one_per_model(tmp_path: Path) -> None:
    shared = tmp_path / "models" / "shared"

    recognizers = recognizers_from_config({"en": str(shared), "yue": str(shared), "zh": str(tmp_path / "zh"), "ko": ""})

    assert recognizers["en"] is recognizers["yue"]  # one model loaded once for both
    assert recognizers["zh"] is not recognizers["en"]
    status = recognizers["ko"].status()
    assert status.state is HardwareState.MISSING and "--lang ko" in status.detail
    assert isinstance(recognizers["zh"], VoskRecognizer) and recognizers["zh"].lang == "zh"
