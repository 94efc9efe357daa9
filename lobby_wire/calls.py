"""What the lobby says when a ticket is called, and the chime before it. Standard library only.

Shared by the hub (`assistant.web.announcements` renders the phrase to WAV for `/display`) and by
`lobby announcer` (renders it on the branch PC's speaker), so both say exactly the same words;
importing it pulls in no framework. The words are `CALL_WORDS` below: a new language is a new entry.
"""

from __future__ import annotations

import io
import math
import re
import struct
import wave
from functools import cache

from lobby_wire.lang import HAN
from lobby_wire.tickets import spoken_ticket_number

# How a call is said, per language: as a bank's staff would say it over the lobby's speaker.
CALL_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "call": "Ticket {number}, please go to {counter}.",
        "call.named": "Ticket {number}, please go to the {counter}.",
        "counter.numbered": "Counter {number}",
        "ticket.number": "{prefix} {count}",
    },
    "zh": {
        "call": "请{number}号到{counter}办理。",
        "call.named": "请{number}号到{counter}办理。",
        "counter.numbered": "{number}号窗口",
        "ticket.number": "{prefix}{count:03d}",
    },
}
LANGUAGES = tuple(CALL_WORDS)  # the languages a call can be announced in

_ENDS_IN_NUMBER = re.compile(r"\d\s*$")
_NUMBERED_COUNTER = re.compile(r"(?:counter|window|desk)\s*(\d+)", re.IGNORECASE)


def announcement_language(lang: str) -> str | None:
    """'en', 'en-GB' -> 'en'; 'zh-CN', 'zh_Hans', 'cmn' -> 'zh'; anything else -> None."""
    base = lang.strip().lower().replace("_", "-").split("-")[0]
    base = "zh" if base == "cmn" else base
    return base if base in LANGUAGES else None


def spoken_number(number: str) -> str:
    """'A023' -> 'A 23': how a ticket number reads well aloud in English (lobby_wire's one reading)."""
    return spoken_ticket_number(number)


def call_phrase(number: str, counter_name: str, lang: str = "en") -> str:
    """The sentence said when ticket `number` is called to `counter_name` (its name in `lang`, branch.yml).

    English: "Ticket A 23, please go to Counter 2." — a counter whose name does not end in a
    number gets an article ("please go to the Advisor desk."). Chinese: "请A023号到1号窗口办理。";
    a counter without a Chinese name that is numbered in English ("Counter 2") is said "2号窗口".
    """
    language = announcement_language(lang)
    if language is None:
        raise ValueError(f"no announcement wording for language {lang!r} (one of {', '.join(LANGUAGES)})")
    name = counter_name.strip()
    if language != "en" and not HAN.search(name) and (numbered := _NUMBERED_COUNTER.fullmatch(name)):
        name = CALL_WORDS[language]["counter.numbered"].format(number=int(numbered.group(1)))
    named = not _ENDS_IN_NUMBER.search(name) and not name.lower().startswith("the ")
    words = CALL_WORDS[language]
    return words["call.named" if named else "call"].format(number=_said_number(number.strip(), language), counter=name)


def _said_number(number: str, language: str) -> str:
    """'A023' as said in `language`: 'A 23' in English, 'A023' in Chinese."""
    prefix = number.rstrip("0123456789")
    digits = number[len(prefix) :]
    return CALL_WORDS[language]["ticket.number"].format(prefix=prefix, count=int(digits)) if digits else number


# -- the chime -----------------------------------------------------------------------------------

CHIME_RATE = 22050
_CHIME_NOTES = ((659.25, 0.0), (523.25, 0.22))  # E5 then C5: "ding-dong"
_CHIME_SECONDS = 0.7


@cache
def chime_wav() -> bytes:
    """A short two-tone chime (16-bit mono WAV, 0.7 s), synthesized the same way on every machine.

    Each note is a decaying tone with two soft overtones; computed once per process, never at import.
    """
    frames = int(CHIME_RATE * _CHIME_SECONDS)
    samples = []
    for index in range(frames):
        moment = index / CHIME_RATE
        value = 0.0
        for frequency, start in _CHIME_NOTES:
            elapsed = moment - start
            if elapsed < 0:
                continue
            envelope = min(1.0, elapsed / 0.006) * math.exp(-4.5 * elapsed)  # 6 ms attack, bell-like decay
            phase = 2 * math.pi * frequency * elapsed
            value += envelope * (math.sin(phase) + 0.3 * math.sin(2 * phase) + 0.08 * math.sin(3 * phase))
        fade_out = min(1.0, (_CHIME_SECONDS - moment) / 0.05)  # no click at the end
        samples.append(int(max(-1.0, min(1.0, 0.42 * value * fade_out)) * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(CHIME_RATE)
        wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def chime_seconds() -> float:
    return int(CHIME_RATE * _CHIME_SECONDS) / CHIME_RATE
