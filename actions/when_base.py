"""What both date grammars share: the `TimeWish` they return and the calendar arithmetic behind their rules.

The English grammar (when_en.py) and the Chinese one (when_zh.py) read words
differently but promise the same results: a weekday name never means today,
"the 8th" is the next 8th that is not past, nothing beyond a year ahead. Those
promises are the functions here, written once so the two languages cannot
drift apart. This module imports no other when* module: it is the bottom of
the dates and times package (when.py dispatches; nothing imports when.py back).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class TimeWish:
    """What the customer asked for: an exact clock time, or a window of the day."""

    earliest: datetime.time
    latest: datetime.time  # == earliest for an exact time
    exact: bool
    label: str  # how to say it back: "3 pm", "10:30 am", "the afternoon"


# "in 400 days" is not a wish we can act on, and no booking horizon is that long.
MAX_DAYS_AHEAD = 366

# A reference moment for reading a time alone: only to tell date words from time words.
REFERENCE_NOW = datetime.datetime(2001, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)


# ---------------------------------------------------------------- calendar rules


def next_weekday(today: datetime.date, weekday: int) -> datetime.date:
    """The first `weekday` strictly after today (a week today if today is that weekday)."""
    return today + datetime.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def next_week_monday(today: datetime.date) -> datetime.date:
    """The Monday of the next Monday-to-Sunday week: "next week" in both languages."""
    return today + datetime.timedelta(days=7 - today.weekday())


def make_date(year: int, month: int, day: int) -> datetime.date | None:
    """The date, or None when it does not exist (31 November): a misheard day is rejected, not moved."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def next_day_of_month(today: datetime.date, day: int) -> datetime.date | None:
    """The next `day`-th that has not gone by: this month (today counts), else the next month that has it."""
    year, month = today.year, today.month
    for _ in range(13):
        candidate = make_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def next_day_of_year(today: datetime.date, month: int, day: int) -> datetime.date | None:
    """This year's `day` `month` unless gone by (today counts), else the next year that has it (29 February)."""
    for year in range(today.year, today.year + 9):
        candidate = make_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None
