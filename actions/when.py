"""Dates and times from what a customer said: "next friday", "tomorrow at ten", "half past two".

The NLU hands the actions the raw `date` / `time` entity text, lower case and
without punctuation, often from speech. This module turns that text into a
branch-local date and a clock time or window of the day, so the booking flow
can offer slots and say back what it understood.

Why a hand-written grammar first and dateparser only as a fallback:
dateparser 1.2 reads much lobby speech wrongly ("the 3rd" in the past,
"2026-12-03" as 12 March with a day-first order, "at ten" as the 10th,
"next friday" not at all) and copies the current time of day into relative
answers. Our grammar covers what customers actually say, deterministically;
dateparser only reads what is left and safe for it (a bare "3 weeks"),
relative to the start of the branch's day so the time of day cannot leak in.
Its measured failures are listed above `_dateparser_date`.

Rules for ambiguous phrases (one rule each, so staff can predict the bot):
- a bare weekday, "this <weekday>", "next <weekday>" and "coming <weekday>"
  all mean the first such weekday strictly after today: a weekday name never
  means today ("today", "this afternoon", "tonight" do);
- "<weekday> next week" / "next week <weekday>" is that weekday in the next
  Monday-to-Sunday week; "<weekday> week" (British) is a week after the
  coming one; "next week" alone is the Monday of next week;
- "the 3rd" is the next 3rd that is not past: this month if the day has not
  gone by (today counts), otherwise the next month that has that day;
- "3rd of december" likewise: this year unless past, otherwise next year;
  explicit dates with a year ("2026-12-03", "3/12/2026", day first) are
  returned as given, even if past; the caller judges the booking horizon;
- a clock hour without am/pm follows branch hours: 1-7 are pm, 8-11 am,
  12 is noon; "quarter to four" applies that to the named hour (15:45);
- a part of the day decides am/pm ("ten in the evening" is 22:00), and a
  contradiction ("3 am in the afternoon") is rejected, not guessed.
Anything with a word we do not understand is rejected (None): asking again is
cheaper than booking the wrong day.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from lobby_wire.lang import detect_lang, han_count, normalise_lang

from . import when_zh_words

Tokens = tuple[str, ...]


@dataclass(frozen=True)
class TimeWish:
    """What the customer asked for: an exact clock time, or a window of the day."""

    earliest: datetime.time
    latest: datetime.time  # == earliest for an exact time
    exact: bool
    label: str  # how to say it back: "3 pm", "10:30 am", "the afternoon"


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

# "in 400 days" is not a wish we can act on, and no booking horizon is that long.
_MAX_DAYS_AHEAD = 366

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
_WINDOW_LABELS: dict[tuple[datetime.time, datetime.time], str] = {
    (part[1], part[2]): part[3] for part in reversed(PARTS_OF_DAY)
}
# A part of the day that also names the day: "this afternoon", "tonight".
_TODAY_PARTS = frozenset({"morning", "afternoon", "evening", "lunchtime", "lunch"})


# ---------------------------------------------------------------- public API


def branch_now(timezone: str, utc: datetime.datetime | None = None) -> datetime.datetime:
    """The branch's wall-clock now (or `utc` seen from the branch).

    The action server runs in UTC; a branch in Asia/Shanghai is already on
    tomorrow's date for eight hours of every UTC day. Always resolve with this.
    """
    moment = utc if utc is not None else datetime.datetime.now(datetime.timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("utc must be timezone-aware")
    return moment.astimezone(ZoneInfo(timezone))


def resolve_date(text: str, now: datetime.datetime, lang: str = "en") -> datetime.date | None:
    """The branch-local date in `text`, or None when nothing date-like is found.

    `now` must be timezone-aware in the branch's timezone (see `branch_now`):
    its local date is "today". Future-preferring; the rules for weekdays,
    "the 3rd" and "next week" are in the module docstring. A time said with
    the date ("tomorrow at ten") is allowed and ignored. Chinese as in `split_when`.
    """
    return split_when(text, now, lang)[0]


def resolve_time(text: str, lang: str = "en") -> TimeWish | None:
    """The clock time or part of the day in `text`, or None when nothing time-like is found.

    Bare hours follow branch hours (1-7 pm, 8-11 am, 12 noon). Windows:
    first thing 09-10, morning 09-12, lunchtime 12-14, afternoon 12-17,
    late afternoon 15-17, evening 17-20. A date said with it is ignored.
    Chinese as in `split_when`.
    """
    if _reads_chinese(text, lang):
        return split_when(text, _REFERENCE_NOW, lang)[1]
    tokens = _tokens(text)
    direct = _time(tokens)
    if direct is not None or not tokens:
        return direct
    # A reference day only to tell the date words from the time words.
    return _split(tokens, _REFERENCE_NOW)[1]


def split_when(text: str, now: datetime.datetime, lang: str = "en") -> tuple[datetime.date | None, TimeWish | None]:
    """Both the date and the time from one phrase: "tomorrow at ten", "next friday afternoon".

    The NLU sometimes tags the whole phrase as one entity. The phrase must be
    fully understood: a date or time next to an unknown word gives (None, None).
    "this afternoon" and "tonight" also give today's date.

    Chinese text (any Han character, whatever `lang` says) is read by
    when_zh.py, whose labels are Chinese; see its docstring for its rules.
    Digits in a Chinese conversation ("15:00" with lang "zh") are read the
    Chinese way first, then as an English time if that finds nothing ("10 30"),
    never as an English date: "12/8" is 8 December to many Chinese customers.
    """
    _require_aware(now)
    if _reads_chinese(text, lang):
        found = _chinese().split_when(text, now)
        if found != (None, None) or han_count(text):
            return found
        day, wish = _split(_tokens(text), now)
        return (None, None) if day is not None else (None, wish)
    return _split(_tokens(text), now)


def say_date(day: datetime.date, today: datetime.date, lang: str = "en") -> str:
    """ "today", "tomorrow", or "Monday 30 November": short and clear when read aloud.

    The year is added only when it is not the obvious one: a different year
    than today's, unless the day is within the next 180 days. Chinese always
    gives the date and weekday, after 今天/明天 when it is one (when_zh_words).
    """
    if normalise_lang(lang) == "zh":
        return when_zh_words.say_date(day, today)
    ahead = (day - today).days
    if ahead == 0:
        return "today"
    if ahead == 1:
        return "tomorrow"
    text = f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
    if day.year != today.year and not 0 < ahead <= 180:
        text += f" {day.year}"
    return text


def say_time(t: datetime.time, lang: str = "en") -> str:
    """ "9 am", "10:30 am", "3 pm", "12 noon", "12 midnight": how a person says a clock time.

    No "15:00" and no ":00": speech engines read those badly. Chinese: "上午10点",
    "下午3点半", "中午12点", "下午2点15分" (when_zh_words).
    """
    if normalise_lang(lang) == "zh":
        return when_zh_words.say_time(t)
    if t.minute == 0 and t.hour in (0, 12):
        return "12 noon" if t.hour == 12 else "12 midnight"
    suffix = "am" if t.hour < 12 else "pm"
    hour = t.hour % 12 or 12
    return f"{hour} {suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d} {suffix}"


def wish_label(wish: TimeWish, lang: str = "en") -> str:
    """How to say `wish` back in `lang`, whichever language it was asked in.

    A wish read from English text has an English label and one read from
    Chinese a Chinese label; a reply in the other language re-says exact
    times and the known windows of the day in its own words.
    """
    if wish.exact:
        return say_time(wish.earliest, lang)
    if normalise_lang(lang) == "zh":
        return when_zh_words.WINDOWS.get((wish.earliest, wish.latest), wish.label)
    return _WINDOW_LABELS.get((wish.earliest, wish.latest), wish.label)


def _chinese() -> ModuleType:
    """The Chinese grammar (when_zh.py) builds on this module's helpers, so it is imported on first use."""
    from . import when_zh

    return when_zh


def _reads_chinese(text: str, lang: str) -> bool:
    """Chinese grammar for any Han character (the English one would drop them silently) and, first,
    for text without words of its own ("15:00", "10 30") in a Chinese conversation."""
    return han_count(text) > 0 or detect_lang(text, hint=lang) == "zh"


# ---------------------------------------------------------------- normalising

_REFERENCE_NOW = datetime.datetime(2001, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)


def _require_aware(now: datetime.datetime) -> None:
    """A naive `now` is how the server's UTC date sneaks into a Shanghai branch's "today"."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware, in the branch's timezone")


def _tokens(text: str) -> Tokens:
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


# ---------------------------------------------------------------- splitting


def _split(tokens: Tokens, now: datetime.datetime) -> tuple[datetime.date | None, TimeWish | None]:
    """Find a date span and a time in the rest; our grammar first, then with dateparser's help.

    Longer date spans are tried first so "3rd of december" is not read as "the 3rd".
    """
    if not tokens:
        return None, None
    for use_dateparser in (False, True):
        found = _split_with(tokens, now, use_dateparser)
        if found is not None:
            return found
    return None, None


def _split_with(
    tokens: Tokens, now: datetime.datetime, use_dateparser: bool
) -> tuple[datetime.date | None, TimeWish | None] | None:
    today = now.date()
    whole_time = _time(tokens)
    if whole_time is not None:
        return (today if _names_today(tokens) else None), whole_time
    whole_date = _date(tokens, now, use_dateparser)
    if whole_date is not None:
        return whole_date, None
    for length in range(len(tokens) - 1, 0, -1):
        for start in range(len(tokens) - length + 1):
            wish = _time(tokens[:start] + tokens[start + length :])
            if wish is None:
                continue
            day = _date(tokens[start : start + length], now, use_dateparser)
            if day is not None:
                return day, wish
    return None


def _names_today(tokens: Tokens) -> bool:
    """ "tonight", "this afternoon": a time that is also today's date."""
    if "tonight" in tokens:
        return True
    return any(a == "this" and b in _TODAY_PARTS for a, b in itertools.pairwise(tokens))


# ---------------------------------------------------------------- numbers


def _number(tokens: Sequence[str]) -> int | None:
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


def _ordinal(tokens: Sequence[str]) -> int | None:
    """ "3rd", "third", "twenty third" -> 3, 3, 23 (a day of the month, 1-31)."""
    value: int | None = None
    if len(tokens) == 1:
        match = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)", tokens[0])
        value = int(match.group(1)) if match else ORDINAL_WORDS.get(tokens[0])
    elif len(tokens) == 2 and tokens[0] in ("twenty", "thirty") and tokens[1] in ORDINAL_UNITS:
        value = TENS[tokens[0]] + ORDINAL_UNITS[tokens[1]]
    return value if value is not None and 1 <= value <= 31 else None


def _minutes(tokens: Sequence[str]) -> int | None:
    """Minutes after the hour as said after it: "30", "thirty", "forty five", "oh five"."""
    value: int | None = None
    if len(tokens) == 1 and re.fullmatch(r"\d{2}", tokens[0]):
        value = int(tokens[0])
    elif len(tokens) == 2 and tokens[0] in ("oh", "o") and tokens[1] in UNITS:
        value = UNITS[tokens[1]]
    elif tokens and tokens[0] in TEENS | TENS:
        value = _number(tokens)
    return value if value is not None and 0 <= value <= 59 else None


# ---------------------------------------------------------------- times


def _time(tokens: Tokens) -> TimeWish | None:
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
        amount = named[said[0]] if len(said) == 1 and said[0] in named else _number(said)
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
    minute = _minutes(tokens[1:])
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


# ---------------------------------------------------------------- dates


def _date(tokens: Tokens, now: datetime.datetime, use_dateparser: bool) -> datetime.date | None:
    """A whole phrase as a date, by our grammar or (if allowed) dateparser."""
    if not tokens:
        return None
    today = now.date()
    found = _relative_date(tokens, today) or _calendar_date(tokens, today)
    if found is None and tokens[0] in WEEKDAYS and len(tokens) > 1:
        # "friday the 4th": the weekday must agree with the date, or we do not guess.
        dated = _calendar_date(tokens[1:], today)
        if dated is not None and dated.weekday() == WEEKDAYS[tokens[0]]:
            found = dated
    if found is None and use_dateparser:
        found = _dateparser_date(tokens, now)
    return found


def _next_weekday(today: datetime.date, weekday: int) -> datetime.date:
    """The first `weekday` strictly after today (a week today if today is that weekday)."""
    return today + datetime.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _next_week_monday(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=7 - today.weekday())


def _relative_date(tokens: Tokens, today: datetime.date) -> datetime.date | None:
    """today, tomorrow, weekdays, next week, in two days, a week today."""
    days = datetime.timedelta
    if tokens == ("today",):
        return today
    if len(tokens) == 1 and tokens[0] in TOMORROW:
        return today + days(1)
    if tokens in (("day", "after", "tomorrow"), ("day", "after", "tmrw")):
        return today + days(2)
    if tokens in (("next", "week"),):
        return _next_week_monday(today)
    if tokens == ("week", "after", "next"):
        return _next_week_monday(today) + days(7)
    if tokens[-1] in WEEKDAYS:
        weekday = WEEKDAYS[tokens[-1]]
        lead = tokens[:-1]
        if lead in ((), ("this",), ("next",), ("coming",), ("this", "coming")):
            return _next_weekday(today, weekday)
        if lead == ("next", "week"):
            return _next_week_monday(today) + days(weekday)
        if lead in (("a", "week"), ("week",)):  # "a week on tuesday"
            return _next_weekday(today, weekday) + days(7)
        return None
    if tokens[0] in WEEKDAYS and tokens[1:] in (("next", "week"), ("week",)):
        weekday = WEEKDAYS[tokens[0]]
        if tokens[1:] == ("week",):  # "tuesday week"
            return _next_weekday(today, weekday) + days(7)
        return _next_week_monday(today) + days(weekday)
    if tokens[-1] in ("today", *TOMORROW) and tokens[:-1] in (("a", "week"), ("week",)):
        return today + days(7 if tokens[-1] == "today" else 8)
    if len(tokens) == 2 and tokens[0] in TOMORROW and tokens[1] == "week":  # British: a week after tomorrow
        return today + days(8)
    return _in_so_many(tokens, today)


def _in_so_many(tokens: Tokens, today: datetime.date) -> datetime.date | None:
    """ "in two days", "in 3 weeks", "two days from now", "in a fortnight", "10 days time"."""
    if tokens[0] == "in":
        body = tokens[1:]
    elif tokens[-1] == "time" or tokens[-2:] in (("from", "now"), ("from", "today")):
        body = tokens[:-1] if tokens[-1] == "time" else tokens[:-2]
    else:
        return None
    if body and body[-1] == "time":  # "in two days time"
        body = body[:-1]
    if len(body) < 2:
        return None
    unit = {"day": 1, "days": 1, "week": 7, "weeks": 7, "fortnight": 14, "fortnights": 14}.get(body[-1])
    count = _number(body[:-1])
    if unit is None or count is None or not 0 < count * unit <= _MAX_DAYS_AHEAD:
        return None
    return today + datetime.timedelta(days=count * unit)


def _calendar_date(tokens: Tokens, today: datetime.date) -> datetime.date | None:
    """ "the 3rd", "3rd of december", "december 3", "3 dec 2026", "2026-12-03", "3/12/2026"."""
    if len(tokens) == 1:
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", tokens[0])
        if iso:
            return _make_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        # British order, day first. Dots and dashes only with a year: "3.12" is a time.
        numeric = re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?|(\d{1,2})[.\-](\d{1,2})[.\-](\d{2}|\d{4})",
                               tokens[0])  # fmt: skip
        if numeric:
            said_day, said_month, said_year = numeric.group(1, 2, 3) if numeric.group(1) else numeric.group(4, 5, 6)
            if said_year is None:
                return _next_day_of_year(today, int(said_month), int(said_day))
            return _make_date(_full_year(said_year), int(said_month), int(said_day))
    day_only = _ordinal(tokens)
    if day_only is not None:
        return _next_day_of_month(today, day_only)
    year: int | None = None
    if len(tokens) >= 3 and re.fullmatch(r"\d{4}", tokens[-1]):
        year, tokens = int(tokens[-1]), tokens[:-1]
    if tokens and tokens[0] in MONTHS:
        month, day_words = MONTHS[tokens[0]], tokens[1:]
    elif tokens and tokens[-1] in MONTHS:
        month, day_words = MONTHS[tokens[-1]], tokens[:-1]
    else:
        return None
    day = _ordinal(day_words)
    if day is None and len(day_words) == 1 and re.fullmatch(r"\d{1,2}", day_words[0]):
        day = int(day_words[0])
    if day is None:
        return None
    return _make_date(year, month, day) if year is not None else _next_day_of_year(today, month, day)


def _full_year(year: str) -> int:
    return int(year) if len(year) == 4 else 2000 + int(year)


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _next_day_of_month(today: datetime.date, day: int) -> datetime.date | None:
    """The next `day`-th that has not gone by: this month (today counts), else the next month that has it."""
    year, month = today.year, today.month
    for _ in range(13):
        candidate = _make_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _next_day_of_year(today: datetime.date, month: int, day: int) -> datetime.date | None:
    """This year's `day` `month` unless gone by (today counts), else the next year that has it (29 February)."""
    for year in range(today.year, today.year + 9):
        candidate = _make_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


# ---------------------------------------------------------------- dateparser fallback

# dateparser 1.2 (measured with the settings below, today = Sunday 29 November 2026) misreads most
# lobby phrases even after our normalising: "the 3rd" -> 3 November (past), "2026-12-03" -> 12 March,
# "5th december friday" -> Saturday 5 December, "today tomorrow" -> tomorrow, "today 25" -> today
# (the 25 dropped), "3 4" -> 3 April 2027, "12/25" -> 12 November 2125, "tomorrow week" -> tomorrow,
# "3rd of next month" -> 29 December. Everything with an anchor (a weekday, month, today, tomorrow
# or a calendar number) is therefore ours alone; dateparser only reads bare amounts of days or weeks
# ("3 weeks", "a week", "two days"), where it is right, and is checked even there.
_DURATION_UNITS = frozenset({"day", "days", "week", "weeks"})
_DURATION_WORDS = frozenset({*UNITS, *TEENS, *TENS, *_DURATION_UNITS, "a", "an", "in", "time", "from", "now"})


def _dateparser_date(tokens: Tokens, now: datetime.datetime) -> datetime.date | None:
    """dateparser for what our grammar leaves, kept only when it cannot be a guess.

    Only an amount of days or weeks is passed on, and the answer must lie 1 to
    366 days ahead. The base is the start of the branch's today, not `now`:
    the time of day cannot leak into the date even if this list grows.
    """
    if not all(word in _DURATION_WORDS or re.fullmatch(r"\d{1,3}", word) for word in tokens):
        return None
    if sum(word in _DURATION_UNITS for word in tokens) != 1 or not any(_number((word,)) for word in tokens):
        return None  # one unit and an amount of it: not "day" or "week after week"
    today = now.date()
    answer = _dateparser_day(" ".join(tokens), datetime.datetime(today.year, today.month, today.day))
    if answer is None or not 0 < (answer - today).days <= _MAX_DAYS_AHEAD:
        return None
    return answer


def _dateparser_day(text: str, base: datetime.datetime) -> datetime.date | None:
    data = _date_data_parser(base).get_date_data(text)
    if data.date_obj is None or data.period not in ("day", "week"):
        return None
    day: datetime.date = data.date_obj.date()
    return day


@functools.lru_cache(maxsize=4)
def _date_data_parser(base: datetime.datetime) -> Any:
    """One parser per branch day, imported on first use: most phrases never need dateparser,
    and importing it costs a few tenths of a second.
    """
    from dateparser.date import DateDataParser

    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "DMY",
    }
    return DateDataParser(languages=["en"], settings=settings)
