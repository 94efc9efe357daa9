"""lobby_wire.lang: one rule for the language of a turn, in every process."""

from __future__ import annotations

import pytest

from lobby_wire.lang import detect_lang, normalise_lang


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("我的卡丢了", None, "zh"),
        ("我的卡丟了", "en", "zh"),  # traditional, in a session that started in English
        ("i lost my card", "zh", "en"),  # and back
        ("我想 open an account", None, "zh"),  # mixed, no conversation yet: Chinese
        ("我想 open an account", "en", "en"),  # mixed: the conversation's language
        ("withdraw 两千", "zh", "zh"),
        ("K7P2QX", "zh", "zh"),  # a code alone says nothing: the conversation's language
        ("K7P2QX", None, "en"),
        ("13812345678", "zh", "zh"),
        ("/withdraw_cash", "zh", "zh"),  # a button payload
        ("", None, "en"),
        ("ok", "zh", "en"),
    ],
)
def test_the_script_decides_and_the_conversation_breaks_ties(text: str, hint: str | None, expected: str) -> None:
    assert detect_lang(text, hint) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh-CN", "zh"),
        ("zh_TW", "zh"),
        ("cmn", "zh"),
        ("ZH", "zh"),
        ("en-GB", "en"),
        ("fr", None),
        (None, None),
        (3, None),
    ],
)
def test_language_tags_are_normalised(value: object, expected: str | None) -> None:
    assert normalise_lang(value) == expected
