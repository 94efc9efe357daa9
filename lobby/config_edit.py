"""Small, targeted edits of the branch configuration file that keep its comments.

A YAML library round trip would drop the comments that explain `branch.yml`,
so `set_vosk_model` rewrites only the lines it must: the `<lang>:` entry of
`hardware.vosk_models` (added where missing, with the section itself if need
be). The result is parsed again and must equal the old document with exactly
that one value changed; anything else (an unusual layout, a flow-style
`hardware: {...}`) is refused with a `ConfigEditError` that says what to add
by hand, and the file is left untouched.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

# Keys YAML 1.1 reads as booleans or null ("no" is Norwegian): written quoted.
_SPECIAL_KEYS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_TOP_LEVEL = re.compile(r"^[^\s#]")


class ConfigEditError(Exception):
    """The configuration could not be edited safely; the message says what to write by hand."""


def _key(name: str) -> str:
    return json.dumps(name) if name.lower() in _SPECIAL_KEYS or not re.fullmatch(r"[A-Za-z0-9_-]+", name) else name


def _scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> bool:
    """Not blank and not only a comment."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _split_comment(rest: str) -> tuple[str, str]:
    """'{en: a}  # note' -> ('{en: a}', '  # note'); a '#' inside quotes is not a comment."""
    quote = ""
    for index, char in enumerate(rest):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or rest[index - 1].isspace()):
            value = rest[:index]
            return value.rstrip(), rest[len(value.rstrip()) :]
    return rest.rstrip(), ""


def _block_end(lines: list[str], start: int) -> int:
    """Index after the last content line of the block opened by lines[start] (deeper-indented lines)."""
    indent = _indent(lines[start])
    end = start + 1
    for index in range(start + 1, len(lines)):
        if _content(lines[index]):
            if _indent(lines[index]) <= indent:
                break
            end = index + 1
    return end


def _child_indent(lines: list[str], start: int, end: int, default: int) -> int:
    return next((_indent(line) for line in lines[start + 1 : end] if _content(line)), default)


def _find_key(lines: list[str], start: int, end: int, indent: int, key: str) -> int | None:
    pattern = re.compile(rf"^ {{{indent}}}[\"']?{re.escape(key)}[\"']?\s*:(\s|$)")
    return next((index for index in range(start, end) if pattern.match(lines[index])), None)


def _edit_lines(lines: list[str], lang: str, value: str) -> list[str]:
    hardware = _find_key(lines, 0, len(lines), 0, "hardware")
    entry_line = f"{_key(lang)}: {_scalar(value)}"
    if hardware is None:
        tail = [""] if lines and lines[-1].strip() else []
        return [*lines, *tail, "hardware:", "  vosk_models:", f"    {entry_line}"]
    if _split_comment(lines[hardware].split(":", 1)[1])[0].strip():
        raise ConfigEditError("the hardware section is not a block mapping")
    end = _block_end(lines, hardware)
    child = _child_indent(lines, hardware, end, 2)
    models = _find_key(lines, hardware + 1, end, child, "vosk_models")
    if models is None:
        after = _find_key(lines, hardware + 1, end, child, "vosk_model")
        at = after + 1 if after is not None else end
        return [*lines[:at], f"{' ' * child}vosk_models:", f"{' ' * (child + 2)}{entry_line}", *lines[at:]]
    head, rest = lines[models].split(":", 1)
    inline, comment = _split_comment(rest)
    if inline.strip():  # flow style: vosk_models: {en: ...}
        mapping = yaml.safe_load(inline)
        if not isinstance(mapping, dict):
            raise ConfigEditError("hardware.vosk_models is not a mapping")
        mapping[lang] = value
        flow = ", ".join(f"{_key(str(key))}: {_scalar(str(item))}" for key, item in mapping.items())
        return [*lines[:models], f"{head}: {{{flow}}}{comment}", *lines[models + 1 :]]
    models_end = _block_end(lines, models)
    grandchild = _child_indent(lines, models, models_end, child + 2)
    existing = _find_key(lines, models + 1, models_end, grandchild, lang)
    if existing is None:
        return [*lines[:models_end], f"{' ' * grandchild}{entry_line}", *lines[models_end:]]
    old_key, old_rest = lines[existing].split(":", 1)
    return [*lines[:existing], f"{old_key}: {_scalar(value)}{_split_comment(old_rest)[1]}", *lines[existing + 1 :]]


def with_vosk_model(text: str, lang: str, value: str) -> str:
    """`text` (a branch.yml) with hardware.vosk_models[lang] = value, comments and layout kept."""
    try:
        before = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigEditError(f"invalid YAML: {exc}") from None
    if not isinstance(before, dict):
        raise ConfigEditError("the top level is not a mapping")
    newline = "\r\n" if "\r\n" in text else "\n"
    edited = newline.join(_edit_lines(text.splitlines(), lang, value)) + newline
    expected: dict[str, Any] = copy.deepcopy(before)
    section = expected.setdefault("hardware", {})
    if not isinstance(section, dict):
        raise ConfigEditError("hardware is not a mapping")
    models = section.get("vosk_models")
    section["vosk_models"] = {**(models if isinstance(models, dict) else {}), lang: value}
    try:
        after = yaml.safe_load(edited)
    except yaml.YAMLError as exc:
        raise ConfigEditError(f"the edit would not be valid YAML: {exc}") from None
    if after != expected:
        raise ConfigEditError("the edit would change more than hardware.vosk_models")
    return edited


def set_vosk_model(config: Path, lang: str, value: str) -> None:
    """Write hardware.vosk_models[lang] = value into `config` in place (atomically; comments kept).

    Raises ConfigEditError, leaving the file as it was, when that cannot be done safely.
    """
    text = config.read_text(encoding="utf-8")
    try:
        edited = with_vosk_model(text, lang, value)
    except ConfigEditError as exc:
        raise ConfigEditError(
            f"{config}: cannot edit it safely ({exc}); add by hand:\n"
            f"hardware:\n  vosk_models:\n    {_key(lang)}: {_scalar(value)}"
        ) from None
    handle, temporary = tempfile.mkstemp(prefix=f".{config.name}.", dir=config.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(edited)
        os.chmod(temporary, config.stat().st_mode & 0o777)
        os.replace(temporary, config)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
