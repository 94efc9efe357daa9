"""The base of every settings value (a frozen msgspec Struct), the configuration error, texts per language."""

from __future__ import annotations

import msgspec

from lobby_wire.lang import normalise_lang

ENV_PREFIX = "LOBBY_"


class ConfigError(Exception):
    """The configuration is missing or invalid; the message says where."""


class Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pass


# Words a customer reads in branch.yml (names, locations, the address): one string for every
# language, or one per language ({en: "Counter 1", zh: "1号窗口"}), the form services' names use.
Text = str | dict[str, str]


def in_lang(text: Text, lang: str | None) -> str:
    """`text` in `lang` ("zh", "zh-CN", ...), else in English, else in the first language it has."""
    if isinstance(text, str):
        return text
    wanted = normalise_lang(lang) or "en"
    return text.get(wanted) or text.get("en") or next(iter(text.values()), "")


def _check_text(text: Text, where: str) -> None:
    if isinstance(text, dict) and not any(text.values()):
        raise ValueError(f"{where}: give a string or at least one language, e.g. {{en: ..., zh: ...}}")
