"""Dates and times from what a customer said: "next friday", "tomorrow at ten", "明天上午十点".

The one door the rest of the actions use: it picks the grammar by the text and
the turn's language and says days and times back in the reply's language.
Behind it, one module per job, none importing this one back:
- when_en.py reads English (when_en_time.py its clock times, when_en_words.py
  its words and English replies); its docstring lists the rules for ambiguous
  phrases ("next friday", "the 3rd", a bare "3");
- when_zh.py reads Chinese (when_zh_words.py its words and Chinese replies);
- when_base.py holds what both promise: `TimeWish` and the calendar rules.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from lobby_wire.lang import detect_lang, han_count, normalise_lang

from . import when_en, when_en_words, when_zh, when_zh_words
from .when_base import REFERENCE_NOW, TimeWish

__all__ = ["TimeWish", "branch_now", "resolve_date", "resolve_time", "say_date", "say_time", "split_when", "wish_label"]


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
    "the 3rd" and "next week" are in when_en.py's docstring. A time said with
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
        return split_when(text, REFERENCE_NOW, lang)[1]
    return when_en.resolve_time(text)


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
        found = when_zh.split_when(text, now)
        if found != (None, None) or han_count(text):
            return found
        day, wish = when_en.split_when(text, now)
        return (None, None) if day is not None else (None, wish)
    return when_en.split_when(text, now)


def say_date(day: datetime.date, today: datetime.date, lang: str = "en") -> str:
    """ "today", "tomorrow", or "Monday 30 November": short and clear when read aloud.

    The year is added only when it is not the obvious one: a different year
    than today's, unless the day is within the next 180 days. Chinese always
    gives the date and weekday, after 今天/明天 when it is one (when_zh_words).
    """
    if normalise_lang(lang) == "zh":
        return when_zh_words.say_date(day, today)
    return when_en_words.say_date(day, today)


def say_time(t: datetime.time, lang: str = "en") -> str:
    """ "9 am", "10:30 am", "3 pm", "12 noon", "12 midnight": how a person says a clock time.

    No "15:00" and no ":00": speech engines read those badly. Chinese: "上午10点",
    "下午3点半", "中午12点", "下午2点15分" (when_zh_words).
    """
    if normalise_lang(lang) == "zh":
        return when_zh_words.say_time(t)
    return when_en_words.say_time(t)


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
    return when_en_words.WINDOW_LABELS.get((wish.earliest, wish.latest), wish.label)


def _reads_chinese(text: str, lang: str) -> bool:
    """Chinese grammar for any Han character (the English one would drop them silently) and, first,
    for text without words of its own ("15:00", "10 30") in a Chinese conversation."""
    return han_count(text) > 0 or detect_lang(text, hint=lang) == "zh"


def _require_aware(now: datetime.datetime) -> None:
    """A naive `now` is how the server's UTC date sneaks into a Shanghai branch's "today"."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware, in the branch's timezone")
