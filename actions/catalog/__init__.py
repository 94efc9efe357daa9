"""Every word the assistant's actions say, per language: `say(lang, key, **params)`.

Each language is one module of str.format templates (`en.py`, `zh.py`) with
the same keys and the same placeholders (a test holds them to it), so adding a
language is data, not code. The sentence builders (phrasing.py, the
appointment replies) pick templates by key and fill them with hub data; the
grammar that differs between languages (word order, spaces between
sentences, list separators) lives in the templates too, never in an `if
lang == ...` in the builders.

Unknown languages fall back to English: a turn's language is always one of
`LANGUAGES` once `turn.channel_and_lang` normalised it, so that is only a
safety net for a caller that passes a raw value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lobby_wire.lang import han_count, normalise_lang

from . import en, zh

DEFAULT_LANG = "en"
CATALOGS: Mapping[str, Mapping[str, str]] = {"en": en.MESSAGES, "zh": zh.MESSAGES}
LANGUAGES = tuple(CATALOGS)


def catalog_lang(value: object) -> str:
    """A language this catalog speaks: 'zh-CN' -> 'zh'; unknown or missing -> 'en'."""
    lang = normalise_lang(value)
    return lang if lang in CATALOGS else DEFAULT_LANG


def say(lang: str, key: str, **params: object) -> str:
    """The template `key` in `lang`, filled with `params` (KeyError for a key no catalog has)."""
    return CATALOGS.get(lang, CATALOGS[DEFAULT_LANG])[key].format(**params)


def has(lang: str, key: str) -> bool:
    return key in CATALOGS.get(lang, CATALOGS[DEFAULT_LANG])


def join_sentences(lang: str, *sentences: str) -> str:
    """Sentences one after another: a space between them in English, nothing in Chinese."""
    return say(lang, "sentence.gap").join(sentence for sentence in sentences if sentence)


def join_list(lang: str, items: Iterable[str], last: str = "list.or", sep: str = "list.sep") -> str:
    """'a, b or c' / 'a、b或c': `sep` and `last` are the catalog keys of the separators."""
    names = list(items)
    if len(names) <= 1:
        return "".join(names)
    return say(lang, sep).join(names[:-1]) + say(lang, last) + names[-1]


def fits_language(text: str, lang: str) -> bool:
    """Whether a text from the hub (a reason, an error message) can be said in `lang` as it is.

    The hub answers in the language it is sent; a text in the other language
    (an older hub, a reason nobody translated) is left out rather than mixed
    into the reply: the reply's own catalog sentence says the same thing.
    """
    has_han = han_count(text) > 0
    return has_han if lang == "zh" else not has_han
