"""Is this text what a Chinese customer should read? Han characters, and no English words in it.

Acronyms a Chinese bank writes in Latin letters too (ATM, VTM) are allowed; booking codes and
ticket numbers are passed as `codes` and taken out first (they are letters and digits by design).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
ACRONYM = re.compile(r"[A-Z]{2,4}")


def english_words(text: str, codes: Iterable[str] = ()) -> list[str]:
    for code in codes:
        text = text.replace(code, " ")
    return [word for word in LATIN_WORD.findall(text) if not ACRONYM.fullmatch(word)]


def assert_chinese(text: str, codes: Iterable[str] = ()) -> None:
    assert HAN.search(text), f"no Chinese in {text!r}"
    english = english_words(text, codes)
    assert not english, f"English words {english} in {text!r}"


def assert_english(text: str) -> None:
    assert not HAN.search(text), f"Chinese in an English reply: {text!r}"
    assert LATIN_WORD.search(text), f"no English words in {text!r}"
