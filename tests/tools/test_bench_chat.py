"""`lobby bench chat --lang`: the scripts compare like with like; a reply counts only when it is the scripted one."""

# The Chinese replies use full-width punctuation on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from lobby_tools.bench_chat import SCRIPTS, Expect, Turn, as_expected, languages, p95_ratios, passes
from lobby_wire.lang import detect_lang


def test_every_language_says_the_same_conversation_in_its_own_words() -> None:
    assert set(SCRIPTS) == {"en", "zh"}
    shapes = {lang: [turn.expect for turn in script] for lang, script in SCRIPTS.items()}
    assert shapes["en"] == shapes["zh"]
    assert {Expect.OFFER, Expect.TICKET, Expect.ROUTE} <= set(shapes["en"])
    for lang, script in SCRIPTS.items():
        assert [detect_lang(turn.text) for turn in script] == [lang] * len(script), lang


def test_lang_choice_and_whole_passes() -> None:
    assert languages("both") == ("en", "zh")
    assert languages("zh") == ("zh",)
    assert [passes(turns) for turns in (1, 8, 9, 96)] == [1, 1, 2, 12]


OFFER = {"messages": [{"text": "需要取号吗？", "buttons": [{"payload": "/affirm"}, {"payload": "/deny"}]}]}


@pytest.mark.parametrize(
    ("reply", "turn", "expected"),
    [
        ({**OFFER, "lang": "zh"}, Turn("我的卡丢了", Expect.OFFER), True),
        ({**OFFER, "lang": "en"}, Turn("我的卡丢了", Expect.OFFER), False),  # answered in the wrong language
        ({**OFFER, "lang": "zh", "degraded": True}, Turn("我的卡丢了", Expect.OFFER), False),  # the touch menu
        ({**OFFER, "lang": "zh"}, Turn("好的", Expect.TICKET), False),  # asked again instead of issuing
        ({"messages": [{"text": "C 1"}], "ticket": {"id": "t"}, "lang": "zh"}, Turn("好的", Expect.TICKET), True),
        ({"messages": [{"text": "ATM"}], "route": {"kind": "atm"}, "lang": "en"}, Turn("cash", Expect.ROUTE), True),
        ({"messages": [{"text": "Hello."}], "lang": "en"}, Turn("cash", Expect.ROUTE), False),
        ({"messages": [], "lang": "en"}, Turn("hello"), False),
    ],
)
def test_a_turn_counts_only_as_scripted(reply: dict[str, object], turn: Turn, expected: bool) -> None:
    lang = "zh" if detect_lang(turn.text) == "zh" else "en"
    assert as_expected(reply, turn, lang) is expected


def test_p95_ratio_per_level_only_with_both_languages() -> None:
    en = [{"conversations": 1, "p95_ms": 100.0}, {"conversations": 8, "p95_ms": 400.0}]
    zh = [{"conversations": 1, "p95_ms": 120.0}, {"conversations": 8, "p95_ms": 380.0}]
    assert p95_ratios({"en": en, "zh": zh}) == [{"conversations": 1, "ratio": 1.2}, {"conversations": 8, "ratio": 0.95}]
    assert p95_ratios({"en": en}) == []
