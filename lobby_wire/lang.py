"""Which language a customer's turn is in: English or Mandarin Chinese.

One rule for every process (the hub's chat gateway and `/api/v1/understand`,
the NLU pipeline's language tagger, the actions): the script of the text
decides, the conversation's language breaks ties.

* Han characters only (simplified or traditional) -> "zh"; Latin words only -> "en".
* Mixed ("我想 open an account", "withdraw 两千"): the conversation's language
  (`hint`) if there is one, else "zh" (Chinese speakers switch into English
  banking words far more often than the reverse).
* Nothing to go by (digits, a booking code "K7P2QX", an empty string, a
  "/intent" button payload): the hint, else English.
"""

from __future__ import annotations

import re

LANGUAGES = ("en", "zh")
DEFAULT_LANG = "en"

# CJK Unified Ideographs, extension A and the compatibility block: enough for
# every character a bank customer types or a recogniser writes. HAN_CHARS is the
# body of a regex character class, for patterns built on it ("[{HAN_CHARS}]+").
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{HAN_CHARS}]")
# A Latin word: two or more letters, not part of a code mixing letters and digits.
_TOKEN = re.compile(r"[A-Za-z0-9]+")


def normalise_lang(value: object) -> str | None:
    """'zh-CN', 'zh_TW', 'cmn', 'ZH' -> 'zh'; 'en-GB' -> 'en'; anything else -> None."""
    if not isinstance(value, str):
        return None
    base = value.strip().lower().replace("_", "-").split("-")[0]
    if base == "cmn":
        base = "zh"
    return base if base in LANGUAGES else None


def han_count(text: str) -> int:
    return len(HAN.findall(text))


def latin_word_count(text: str) -> int:
    return sum(1 for token in _TOKEN.findall(text) if len(token) >= 2 and token.isalpha())


def detect_lang(text: str, hint: object = None) -> str:
    """The language to understand and answer `text` in ("en" or "zh")."""
    fallback = normalise_lang(hint)
    if text.lstrip().startswith("/"):  # a button payload carries no language of its own
        return fallback or DEFAULT_LANG
    han, latin = han_count(text), latin_word_count(text)
    if han and not latin:
        return "zh"
    if latin and not han:
        return "en"
    if han and latin:
        return fallback or "zh"
    return fallback or DEFAULT_LANG
