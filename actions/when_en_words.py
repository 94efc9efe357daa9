"""English words for days and times: what customers say, and how the branch says a day and a time back.

The vocabulary (weekdays, months, number words, parts of the day, the fillers
said around a date), `tokenise`, which turns what the NLU hands over into the
words the grammar in when_en.py reads, and the number words both its date and
its time halves use. `say_date` / `say_time` are the English replies; the
Chinese ones are in when_zh_words.py, and when.py picks by the turn's language.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

Tokens = tuple[str, ...]


# ---------------------------------------------------------------- vocabulary

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # fmt: skip

UNITS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
TEENS: dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50}
HOUR_WORDS: dict[str, int] = {**UNITS, "ten": 10, "eleven": 11, "twelve": 12}

ORDINAL_UNITS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9,
}  # fmt: skip
ORDINAL_WORDS: dict[str, int] = {
    **ORDINAL_UNITS,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip

TOMORROW = frozenset({"tomorrow", "tomorow", "tommorow", "tommorrow", "tmrw", "tmr"})

# Said around a date or time without changing it. "in", "a" and "to" are not
# here: "in two days", "a week today" and "quarter to four" need them.
FILLERS = frozenset(
    {
        "on", "the", "at", "of", "um", "umm", "uh", "er", "erm", "ah", "hmm", "please", "around", "about",
        "roughly", "approximately", "ish", "say", "maybe", "perhaps", "like", "for", "sometime", "okay", "ok",
        "well", "so", "then", "and", "just", "preferably", "ideally",
    }
)  # fmt: skip

# Parts of the day: (words, earliest, latest, label, am/pm hint for a clock time said with it).
_T = datetime.time
PARTS_OF_DAY: tuple[tuple[Tokens, datetime.time, datetime.time, str, str], ...] = (
    (("first", "thing", "in", "morning"), _T(9), _T(10), "first thing", "am"),
    (("first", "thing", "morning"), _T(9), _T(10), "first thing", "am"),
    (("first", "thing"), _T(9), _T(10), "first thing", "am"),
    (("late", "afternoon"), _T(15), _T(17), "late afternoon", "pm"),
    (("lunch", "time"), _T(12), _T(14), "lunchtime", ""),
    (("lunchtime",), _T(12), _T(14), "lunchtime", ""),
    (("lunch",), _T(12), _T(14), "lunchtime", ""),
    (("morning",), _T(9), _T(12), "the morning", "am"),
    (("afternoon",), _T(12), _T(17), "the afternoon", "pm"),
    (("evening",), _T(17), _T(20), "the evening", "pm"),
    (("tonight",), _T(17), _T(20), "the evening", "pm"),
)
# Saying a window back: the first label of each (earliest, latest).
WINDOW_LABELS: dict[tuple[datetime.time, datetime.time], str] = {
    (part[1], part[2]): part[3] for part in reversed(PARTS_OF_DAY)
}
# A part of the day that also names the day: "this afternoon", "tonight".
TODAY_PARTS = frozenset({"morning", "afternoon", "evening", "lunchtime", "lunch"})


# ---------------------------------------------------------------- normalising


def tokenise(text: str) -> Tokens:
    """Lower case words with fillers removed; "10am" -> "10", "am"; "o'clock" -> "oclock".

    Keeps "10:30", "10.30", "2026-12-03" and "3/12" whole: their separators matter.
    """
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"\bo\s*'?\s*clock\b", " oclock ", text)
    text = re.sub(r"(?<![a-z])([ap])\.?\s?m\b\.?", r" \1m ", text)  # a.m. / a m / pm
    text = re.sub(r"(?<=\d)(am|pm|oclock)\b", r" \1", text)  # 10am, 3pm
    text = re.sub(r"\b(\d+|" + "|".join([*HOUR_WORDS, "noon", "midday"]) + r")ish\b", r"\1", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # forty-five, twenty-third
    text = re.sub(r"(?<=[a-z])'s\b", "s", text)  # "in a week's time"
    text = re.sub(r"[^a-z0-9:./\- ]", " ", text)  # commas, question marks, apostrophes
    text = re.sub(r"(?<!\d)[.:/\-]|[.:/\-](?!\d)", " ", text)  # punctuation not inside a number
    return tuple(word for word in text.split() if word not in FILLERS)


# ---------------------------------------------------------------- numbers


def read_number(tokens: Sequence[str]) -> int | None:
    """ "7", "seven", "twenty five", "a" (as in "a week") -> int."""
    if len(tokens) == 1:
        word = tokens[0]
        if word.isdigit() and len(word) <= 3:
            return int(word)
        if word in ("a", "an"):
            return 1
        return UNITS.get(word, TEENS.get(word, TENS.get(word)))
    if len(tokens) == 2 and tokens[0] in TENS and tokens[1] in UNITS:
        return TENS[tokens[0]] + UNITS[tokens[1]]
    return None


def read_ordinal(tokens: Sequence[str]) -> int | None:
    """ "3rd", "third", "twenty third" -> 3, 3, 23 (a day of the month, 1-31)."""
    value: int | None = None
    if len(tokens) == 1:
        match = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)", tokens[0])
        value = int(match.group(1)) if match else ORDINAL_WORDS.get(tokens[0])
    elif len(tokens) == 2 and tokens[0] in ("twenty", "thirty") and tokens[1] in ORDINAL_UNITS:
        value = TENS[tokens[0]] + ORDINAL_UNITS[tokens[1]]
    return value if value is not None and 1 <= value <= 31 else None


def read_minutes(tokens: Sequence[str]) -> int | None:
    """Minutes after the hour as said after it: "30", "thirty", "forty five", "oh five"."""
    value: int | None = None
    if len(tokens) == 1 and re.fullmatch(r"\d{2}", tokens[0]):
        value = int(tokens[0])
    elif len(tokens) == 2 and tokens[0] in ("oh", "o") and tokens[1] in UNITS:
        value = UNITS[tokens[1]]
    elif tokens and tokens[0] in TEENS | TENS:
        value = read_number(tokens)
    return value if value is not None and 0 <= value <= 59 else None


# ---------------------------------------------------------------- saying it


def say_date(day: datetime.date, today: datetime.date) -> str:
    """ "today", "tomorrow", or "Monday 30 November": short and clear when read aloud.

    The year is added only when it is not the obvious one: a different year
    than today's, unless the day is within the next 180 days.
    """
    ahead = (day - today).days
    if ahead == 0:
        return "today"
    if ahead == 1:
        return "tomorrow"
    text = f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
    if day.year != today.year and not 0 < ahead <= 180:
        text += f" {day.year}"
    return text


def say_time(t: datetime.time) -> str:
    """ "9 am", "10:30 am", "3 pm", "12 noon", "12 midnight": how a person says a clock time.

    No "15:00" and no ":00": speech engines read those badly.
    """
    if t.minute == 0 and t.hour in (0, 12):
        return "12 noon" if t.hour == 12 else "12 midnight"
    suffix = "am" if t.hour < 12 else "pm"
    hour = t.hour % 12 or 12
    return f"{hour} {suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d} {suffix}"
