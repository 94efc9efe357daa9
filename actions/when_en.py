"""The English date and time grammar: "next friday", "tomorrow at ten", "half past two".

The NLU hands the actions the raw `date` / `time` entity text, lower case and
without punctuation, often from speech. This module turns English text into a
branch-local date and a clock time or window of the day, so the booking flow
can offer slots and say back what it understood. It reads the dates and finds
which words are the date and which the time; when_en_time.py reads the time,
when_en_words.py holds the words. Callers go through when.py, which picks this
grammar or the Chinese one (when_zh.py) by the text and the turn's language.

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
from typing import Any

from .when_base import (
    MAX_DAYS_AHEAD,
    REFERENCE_NOW,
    TimeWish,
    make_date,
    next_day_of_month,
    next_day_of_year,
    next_week_monday,
    next_weekday,
)
from .when_en_time import read_time
from .when_en_words import (
    MONTHS,
    TEENS,
    TENS,
    TODAY_PARTS,
    TOMORROW,
    UNITS,
    WEEKDAYS,
    Tokens,
    read_number,
    read_ordinal,
    tokenise,
)


def split_when(text: str, now: datetime.datetime) -> tuple[datetime.date | None, TimeWish | None]:
    """The date and the time in English `text`, both or either; (None, None) unless every word is understood.

    `now` is branch-local and timezone-aware (when.split_when checks it): its date is "today".
    """
    return _split(tokenise(text), now)


def resolve_time(text: str) -> TimeWish | None:
    """The clock time or part of the day in English `text`; a date said with it is ignored."""
    tokens = tokenise(text)
    direct = read_time(tokens)
    if direct is not None or not tokens:
        return direct
    # A reference day only to tell the date words from the time words.
    return _split(tokens, REFERENCE_NOW)[1]


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
    whole_time = read_time(tokens)
    if whole_time is not None:
        return (today if _names_today(tokens) else None), whole_time
    whole_date = _date(tokens, now, use_dateparser)
    if whole_date is not None:
        return whole_date, None
    for length in range(len(tokens) - 1, 0, -1):
        for start in range(len(tokens) - length + 1):
            wish = read_time(tokens[:start] + tokens[start + length :])
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
    return any(a == "this" and b in TODAY_PARTS for a, b in itertools.pairwise(tokens))


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
        return next_week_monday(today)
    if tokens == ("week", "after", "next"):
        return next_week_monday(today) + days(7)
    if tokens[-1] in WEEKDAYS:
        weekday = WEEKDAYS[tokens[-1]]
        lead = tokens[:-1]
        if lead in ((), ("this",), ("next",), ("coming",), ("this", "coming")):
            return next_weekday(today, weekday)
        if lead == ("next", "week"):
            return next_week_monday(today) + days(weekday)
        if lead in (("a", "week"), ("week",)):  # "a week on tuesday"
            return next_weekday(today, weekday) + days(7)
        return None
    if tokens[0] in WEEKDAYS and tokens[1:] in (("next", "week"), ("week",)):
        weekday = WEEKDAYS[tokens[0]]
        if tokens[1:] == ("week",):  # "tuesday week"
            return next_weekday(today, weekday) + days(7)
        return next_week_monday(today) + days(weekday)
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
    count = read_number(body[:-1])
    if unit is None or count is None or not 0 < count * unit <= MAX_DAYS_AHEAD:
        return None
    return today + datetime.timedelta(days=count * unit)


def _calendar_date(tokens: Tokens, today: datetime.date) -> datetime.date | None:
    """ "the 3rd", "3rd of december", "december 3", "3 dec 2026", "2026-12-03", "3/12/2026"."""
    if len(tokens) == 1:
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", tokens[0])
        if iso:
            return make_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        # British order, day first. Dots and dashes only with a year: "3.12" is a time.
        numeric = re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?|(\d{1,2})[.\-](\d{1,2})[.\-](\d{2}|\d{4})",
                               tokens[0])  # fmt: skip
        if numeric:
            said_day, said_month, said_year = numeric.group(1, 2, 3) if numeric.group(1) else numeric.group(4, 5, 6)
            if said_year is None:
                return next_day_of_year(today, int(said_month), int(said_day))
            return make_date(_full_year(said_year), int(said_month), int(said_day))
    day_only = read_ordinal(tokens)
    if day_only is not None:
        return next_day_of_month(today, day_only)
    year: int | None = None
    if len(tokens) >= 3 and re.fullmatch(r"\d{4}", tokens[-1]):
        year, tokens = int(tokens[-1]), tokens[:-1]
    if tokens and tokens[0] in MONTHS:
        month, day_words = MONTHS[tokens[0]], tokens[1:]
    elif tokens and tokens[-1] in MONTHS:
        month, day_words = MONTHS[tokens[-1]], tokens[:-1]
    else:
        return None
    day = read_ordinal(day_words)
    if day is None and len(day_words) == 1 and re.fullmatch(r"\d{1,2}", day_words[0]):
        day = int(day_words[0])
    if day is None:
        return None
    return make_date(year, month, day) if year is not None else next_day_of_year(today, month, day)


def _full_year(year: str) -> int:
    return int(year) if len(year) == 4 else 2000 + int(year)


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
    if sum(word in _DURATION_UNITS for word in tokens) != 1 or not any(read_number((word,)) for word in tokens):
        return None  # one unit and an amount of it: not "day" or "week after week"
    today = now.date()
    answer = _dateparser_day(" ".join(tokens), datetime.datetime(today.year, today.month, today.day))
    if answer is None or not 0 < (answer - today).days <= MAX_DAYS_AHEAD:
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
