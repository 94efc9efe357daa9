# ruff: noqa: RUF002
"""Amounts and booking codes as customers type or say them, in English or Chinese.

The NLU hands the actions entity text as it was said: "两千", "一万五", "3千",
"五万块", "1,500", "two hundred"; "k7p2qx", "K 7 P 2 Q X", "K七P二QX". The hub wants
one spelling: a plain number for an amount (its `parse_amount` reads "1500" and
"200.50" but no words) and the upper-case code. These functions make that
spelling, or say None when the text is not one: a wrong amount decides which
device a customer is sent to, a wrong code finds someone else's booking.

Chinese numerals are read by cn2an ("smart" mode also reads mixed forms such as
"2千5" and "1.5万"); English number words by a small grammar below, since cn2an
reads Chinese only. Rules for doubtful amounts:
- "两千多", "几千", "一两千" (more than, some, one or two) are not one number: None;
- "大概两千", "about 200", "两千左右" are that number (the word only hedges it);
- currency words and signs around the number are dropped (the currency is its own entity);
- a colloquial tail counts as in speech: "一万五" is 15000, "一百五" 150, "2千5" 2500.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from lobby_wire.lang import HAN

CODE_LENGTH = 6

_CURRENCY = re.compile(
    r"人民币|美元|美金|欧元|港币|港元|英镑|日元|块钱|块|元|圆|rmb|cny|usd|eur|gbp|hkd|jpy"
    r"|\bpounds?\b|\bquid\b|\bdollars?\b|\beuros?\b|\bbucks\b|\byuan\b|[£$€¥]"
)
_HEDGES = re.compile(r"大概|大约|左右|差不多|约|\babout\b|\baround\b|\broughly\b|\bapproximately\b|\bjust\b|\bonly\b")
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PLAIN = re.compile(r"\d+(?:\.\d+)?")

EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9}  # fmt: skip
EN_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
            "seventeen": 17, "eighteen": 18, "nineteen": 19}  # fmt: skip
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
           "eighty": 80, "ninety": 90}  # fmt: skip
EN_SCALES = {"thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000}


@functools.lru_cache(maxsize=1)
def opencc_t2s() -> Any:
    """OpenCC is built once, on first use (not at import)."""
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def cn2an_lib() -> Any:
    """cn2an takes most of a second to import: on first use, not when the action server starts."""
    import cn2an

    return cn2an


def _simplify(text: str) -> str:
    """Full-width forms to ASCII, traditional to simplified characters, lower case."""
    return str(opencc_t2s().convert(unicodedata.normalize("NFKC", text))).lower()


# ---------------------------------------------------------------- amounts


def amount_value(text: object) -> int | Decimal | None:
    """The amount in `text` as an int (or a Decimal with its fraction), or None when it is not one number.

    Never a float: money is exact. Negative amounts are None.
    """
    if text is None or isinstance(text, bool):
        return None
    said = _simplify(str(text))
    said = _HEDGES.sub(" ", _CURRENCY.sub(" ", said))
    said = _THOUSANDS_COMMA.sub("", said).strip()
    if not said:
        return None
    if _PLAIN.fullmatch(said):
        value: Decimal | None = Decimal(said)
    elif HAN.search(said) or not re.search(r"[a-z]", said):
        value = _chinese_amount(said)
    else:
        value = _english_amount(said)
    if value is None or not value.is_finite() or value < 0:
        return None
    return int(value) if value == value.to_integral_value() else value


def canonical_amount(value: int | Decimal) -> str:
    """The spelling the hub's `parse_amount` reads: "2000", "200.50" (never an exponent)."""
    return str(value) if isinstance(value, int) else format(value, "f")


def _chinese_amount(said: str) -> Decimal | None:
    """ "两千", "一万五", "3千", "2千5", "1.5万", "一千二百" by cn2an; spaces inside are ignored."""
    compact = re.sub(r"\s+", "", said)
    try:
        value = cn2an_lib().cn2an(compact, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _english_amount(said: str) -> Decimal | None:
    """ "two hundred", "fifteen hundred", "a thousand and fifty", "2 thousand", "1.5k", "two grand"."""
    words = re.findall(r"\d+(?:\.\d+)?|[a-z]+", said.replace("-", " "))
    total, current, last = Decimal(0), Decimal(0), ""
    for word in words:
        if word == "and" and last in ("hundred", "scale"):
            continue
        if word in ("a", "an") and last in ("", "scale"):
            current, last = Decimal(1), "unit"
        elif _PLAIN.fullmatch(word) and last in ("", "scale"):
            current, last = Decimal(word), "number"
        elif word in EN_UNITS and last in ("", "tens", "hundred", "scale"):
            current, last = current + EN_UNITS[word], "unit"
        elif word in EN_TEENS and last in ("", "hundred", "scale"):
            current, last = current + EN_TEENS[word], "teen"
        elif word in EN_TENS and last in ("", "hundred", "scale"):
            current, last = current + EN_TENS[word], "tens"
        elif word == "hundred" and last in ("unit", "teen", "tens", "number") and current < 100:
            current, last = current * 100, "hundred"
        elif word in EN_SCALES and last in ("unit", "teen", "tens", "number", "hundred"):
            total, current, last = total + current * EN_SCALES[word], Decimal(0), "scale"
        else:
            return None
    return total + current if last else None


# ---------------------------------------------------------------- booking codes

EN_DIGITS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
             "seven": "7", "eight": "8", "nine": "9"}  # fmt: skip
REPEATS = {"double": 2, "triple": 3}
_SEPARATORS = re.compile(r"[\s\-_.,、·/]+")
_NOT_CODE = re.compile(r"[^a-z0-9\s\-_.,、·/]+")  # Han words, other punctuation: a code does not run across them


@functools.lru_cache(maxsize=1)
def _chinese_digits() -> dict[str, str]:
    """零〇一二两三四五六七八九幺 -> "0".."9", as cn2an reads each (幺 is 1 read aloud)."""
    return {char: str(cn2an_lib().cn2an(char, "smart")) for char in "零〇一二两三四五六七八九幺"}


def booking_code(text: object) -> str | None:
    """ "k7p2qx", "K 7 P 2 Q X", "K七P二QX", "k 幺 p 二 q x", "Ｋ７Ｐ２ＱＸ", "k seven p two q x" -> "K7P2QX".

    Six letters and digits with at least one of each, typed or read out one
    character at a time, possibly inside a sentence ("我的预约码是K七P二QX").
    Which characters the hub issues is the hub's to check. None when no such
    six characters are found.
    """
    if not isinstance(text, str):
        return None
    digits = _chinese_digits()
    said = "".join(digits.get(char, char) for char in _simplify(text))
    segments = [segment for segment in _NOT_CODE.split(said) if segment.strip()]
    pieces = [_pieces(segment) for segment in reversed(segments)]  # a code is usually said last
    for words in pieces:
        if _is_code("".join(words)):
            return "".join(words).upper()
    for words in pieces:
        found = _spelled_code(words)
        if found is not None:
            return found
    return None


def _pieces(segment: str) -> list[str]:
    """Separated words with digit words read as digits: "k double seven" -> ["k", "7", "7"]."""
    words = [word for word in _SEPARATORS.split(segment) if word]
    out: list[str] = []
    repeat = 1
    for word in words:
        if word in REPEATS:
            repeat = REPEATS[word]
            continue
        out.extend([EN_DIGITS.get(word, word)] * repeat)
        repeat = 1
    return out


def _spelled_code(words: list[str]) -> str | None:
    """The last six characters said as one word or as short pieces ("k7p 2qx", "k 7 p 2 q x")."""
    for word in reversed(words):
        if _is_code(word):
            return word.upper()
    for end in range(len(words), 0, -1):
        joined = ""
        for start in range(end - 1, -1, -1):
            if len(words[start]) > 3:
                break
            joined = words[start] + joined
            if len(joined) >= CODE_LENGTH:
                if _is_code(joined):
                    return joined.upper()
                break
    return None


def _is_code(candidate: str) -> bool:
    return (
        len(candidate) == CODE_LENGTH
        and candidate.isascii()
        and candidate.isalnum()
        and any(char.isdigit() for char in candidate)
        and any(char.isalpha() for char in candidate)
    )
