"""English clock times and parts of the day: "ten", "half past two", "quarter to four", "ten in the morning".

The time half of the English grammar (when_en.py reads the dates and finds
which words are which). The rules it follows are in when_en.py's docstring:
a clock hour without am/pm follows branch hours (1-7 pm, 8-11 am, 12 noon),
a part of the day decides am/pm, and a contradiction is rejected.
"""

from __future__ import annotations

import datetime
import re

from .when_base import TimeWish
from .when_en_words import HOUR_WORDS, PARTS_OF_DAY, Tokens, read_minutes, read_number, say_time


def read_time(tokens: Tokens) -> TimeWish | None:
    """A whole phrase as a time: a clock time, a part of the day, or both ("ten in the morning")."""
    if not tokens:
        return None
    part, clock = _take_part_of_day(tokens)
    if part is None:
        return _exact(_clock(clock, hint=""))
    _, earliest, latest, label, hint = part
    if not clock:
        return TimeWish(earliest, latest, exact=False, label=label)
    return _exact(_clock(clock, hint=hint or "bare"))


def _exact(at: datetime.time | None) -> TimeWish | None:
    return None if at is None else TimeWish(at, at, exact=True, label=say_time(at))


def _take_part_of_day(
    tokens: Tokens,
) -> tuple[tuple[Tokens, datetime.time, datetime.time, str, str] | None, Tokens]:
    """Split "ten in the morning" / "this afternoon at 3" into the part of the day and the clock words."""
    for part in PARTS_OF_DAY:
        words = part[0]
        size = len(words)
        if tokens[-size:] == words:
            rest = tokens[:-size]
            if rest and rest[-1] in ("in", "this"):
                rest = rest[:-1]
            return part, rest
        if tokens[:size] == words:
            return part, tokens[size:]
        if len(tokens) > size and tokens[0] in ("in", "this") and tokens[1 : size + 1] == words:
            return part, tokens[size + 1 :]
    return None, tokens


def _clock(tokens: Tokens, hint: str) -> datetime.time | None:
    """A clock time. `hint` is "am"/"pm" from a part of the day, "bare" for lunchtime, "" for none."""
    if not tokens:
        return None
    if tokens in (("noon",), ("midday",), ("12", "noon"), ("twelve", "noon")):
        return datetime.time(12) if hint in ("", "bare", "pm") else None
    if tokens in (("midnight",), ("12", "midnight"), ("twelve", "midnight")):
        return datetime.time(0) if hint == "" else None
    meridiem = ""
    if tokens[-1] in ("am", "pm"):
        meridiem, tokens = tokens[-1], tokens[:-1]
        if hint in ("am", "pm") and hint != meridiem:
            return None  # "3 am in the afternoon"
    else:
        meridiem = hint if hint in ("am", "pm") else ""
    if tokens and tokens[-1] == "oclock":
        tokens = tokens[:-1]
        if len(tokens) != 1:
            return None  # only "2 oclock", not "2 30 oclock"
    if not tokens:
        return None  # "pm" alone
    relative = _clock_relative(tokens, meridiem)
    return relative if relative is not None else _clock_plain(tokens, meridiem)


def _clock_relative(tokens: Tokens, meridiem: str) -> datetime.time | None:
    """ "half past two", "quarter to four", "twenty past 11", "half ten" (British: 10:30)."""
    hour_words: Tokens
    if len(tokens) == 2 and tokens[0] == "half":
        offset, hour_words = 30, tokens[1:]
    elif "past" in tokens or "to" in tokens:
        pivot = tokens.index("past") if "past" in tokens else tokens.index("to")
        said, hour_words = list(tokens[:pivot]), tokens[pivot + 1 :]
        if said and said[-1] in ("minutes", "minute", "mins", "min"):
            said.pop()
        if said and said[0] in ("a", "an"):
            said.pop(0)
        named = {"half": 30, "quarter": 15}
        amount = named[said[0]] if len(said) == 1 and said[0] in named else read_number(said)
        if amount is None or not 1 <= amount <= 59 or (tokens[pivot] == "to" and amount == 30):
            return None
        offset = amount if tokens[pivot] == "past" else -amount
    else:
        return None
    if len(hour_words) != 1:
        return None
    hour = _hour(hour_words[0], meridiem)
    if hour is None:
        return None
    total = (hour * 60 + offset) % (24 * 60)
    return datetime.time(total // 60, total % 60)


def _clock_plain(tokens: Tokens, meridiem: str) -> datetime.time | None:
    """ "ten", "10", "15:00", "10.30", "10 30", "ten thirty", "four forty five"."""
    if len(tokens) == 1:
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", tokens[0])
        if match:
            said_hour, said_minute = _hour(match.group(1), meridiem), int(match.group(2))
            return datetime.time(said_hour, said_minute) if said_hour is not None and said_minute <= 59 else None
    hour = _hour(tokens[0], meridiem)
    if hour is None:
        return None
    if len(tokens) == 1:
        return datetime.time(hour)
    minute = read_minutes(tokens[1:])
    return None if minute is None else datetime.time(hour, minute)


def _hour(word: str, meridiem: str) -> int | None:
    """The 24-hour hour for a said hour.

    Without am/pm, 1-7 are pm and 8-11 am (branch hours: 9:00 to 17:00, 19:00 on Thursdays), 12 is noon.
    "09", "0" and 13-23 are already 24-hour; an am/pm with them must agree
    ("13 pm" is 13:00, "13 am" and "09 pm" are rejected).
    """
    if word.isdigit() and len(word) <= 2:
        value = int(word)
        if value > 23:
            return None
        if value == 0 or value > 12 or (len(word) == 2 and word.startswith("0")):
            if not meridiem or (meridiem == "am" and value < 12) or (meridiem == "pm" and value >= 12):
                return value
            return None
    elif word in HOUR_WORDS:
        value = HOUR_WORDS[word]
    else:
        return None
    if meridiem == "am":
        return 0 if value == 12 else value
    if meridiem == "pm":
        return 12 if value == 12 else value + 12
    return value + 12 if value <= 7 else value
