# ruff: noqa: RUF001, RUF002
"""Chinese words for days and times: how customers write them, and how the branch says them back.

`normalise` turns what was typed or recognised into the one spelling the
grammar in when_zh.py reads: full-width forms become ASCII (NFKC), traditional
characters simplified (OpenCC t2s), colloquial spellings one spelling (礼拜/星期
-> 周, 今晚 -> 今天晚上, 越早越好 -> 最早), and each run of Chinese numerals digits,
by cn2an ("十二月八号" -> "12月8号"; "零五" keeps its zero: "05"; "两三点", two or
three o'clock, is left as said).

`say_date` / `say_time` are how bank staff write a day and a time in a reply
that is also read aloud: "明天（12月8日，星期二）", "下午3点半". The words are data
(SAY, WEEKDAY_NAMES, CLOCK_PARTS, PARTS), not built in code.

This module imports nothing heavy at import time: OpenCC and cn2an (most of a
second to import) load on first use.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from lobby_wire.lang import HAN_CHARS

from .numbers import cn2an_lib, opencc_t2s

_T = datetime.time

# ---------------------------------------------------------------- saying it (words are data)

WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
SAY = {
    "date": "{month}月{day}日",
    "year": "{year}年",
    "plain": "{date}（{weekday}）",
    "named": "{name}（{date}，{weekday}）",
    "today": "今天",
    "tomorrow": "明天",
    "range": "{start}到{end}",
    "before": "{end}以前",
    "after": "{start}以后",
    "hour_span": "{start}多",
}
# (first hour, part of the day) for saying a clock time: 上午10点, 中午12点, 下午3点, 晚上7点.
CLOCK_PARTS = ((0, "凌晨"), (6, "上午"), (12, "中午"), (13, "下午"), (18, "晚上"))
MIDNIGHT = "午夜12点"


def say_date(day: datetime.date, today: datetime.date) -> str:
    """ "12月8日（星期二）", "明天（12月8日，星期二）": the weekday always, the year when not obvious."""
    ahead = (day - today).days
    date = SAY["date"].format(month=day.month, day=day.day)
    if day.year != today.year and not 0 < ahead <= 180:
        date = SAY["year"].format(year=day.year) + date
    weekday = WEEKDAY_NAMES[day.weekday()]
    if ahead in (0, 1):
        return SAY["named"].format(name=SAY["today" if ahead == 0 else "tomorrow"], date=date, weekday=weekday)
    return SAY["plain"].format(date=date, weekday=weekday)


def say_time(moment: datetime.time) -> str:
    """ "上午10点", "下午3点半", "中午12点", "下午2点15分": the 12-hour clock with the part of the day."""
    if moment.hour == 0 and moment.minute == 0:
        return MIDNIGHT
    part = next(name for start, name in reversed(CLOCK_PARTS) if moment.hour >= start)
    hour = moment.hour if moment.hour <= 12 else moment.hour - 12
    if moment.minute == 0:
        return f"{part}{hour}点"
    if moment.minute == 30:
        return f"{part}{hour}点半"
    return f"{part}{hour}点{moment.minute:02d}分"


def shared_part(start: str, end: str) -> str:
    """ "上午10点", "上午11点" -> "11点": the part of the day is said once in a range."""
    for _, part in CLOCK_PARTS:
        if start.startswith(part) and end.startswith(part):
            return end[len(part) :]
    return end


# ---------------------------------------------------------------- parts of the day


@dataclass(frozen=True)
class Part:
    """A part of the day: which 24-hour hours a clock said with it can mean, and its window alone."""

    hours: frozenset[int]
    window: tuple[datetime.time, datetime.time] | None
    label: str


def _hours(first: int, last: int, *extra: int) -> frozenset[int]:
    return frozenset(range(first, last + 1)) | frozenset(extra)


_MORNING = Part(_hours(5, 12), (_T(9), _T(12)), "上午")
_LUNCH = Part(_hours(11, 14), (_T(12), _T(14)), "中午")
_EVENING = Part(_hours(17, 23, 0), (_T(17), _T(20)), "晚上")
PARTS: dict[str, Part] = {
    "最早": Part(_hours(5, 12), (_T(9), _T(10)), "一早"),
    "凌晨": Part(_hours(0, 6), None, "凌晨"),
    "午夜": Part(frozenset({0}), None, "午夜"),
    "早上": _MORNING, "早晨": _MORNING, "清早": _MORNING, "上午": _MORNING,
    "中午": _LUNCH, "午饭时间": _LUNCH, "午饭": _LUNCH, "午休时间": _LUNCH, "午休": _LUNCH,
    "下午晚些": Part(_hours(12, 19), (_T(15), _T(17)), "下午晚些时候"),
    "下午": Part(_hours(12, 19), (_T(12), _T(17)), "下午"),
    "傍晚": Part(_hours(16, 20), (_T(17), _T(20)), "傍晚"),
    "晚上": _EVENING, "晚间": _EVENING, "夜里": _EVENING,
    "am": Part(_hours(0, 11), None, "上午"),
    "pm": Part(_hours(12, 23), None, "下午"),
}  # fmt: skip
WINDOWS: dict[tuple[datetime.time, datetime.time], str] = {
    part.window: part.label for part in PARTS.values() if part.window is not None
}

# ---------------------------------------------------------------- normalising

# Applied in order: a longer spelling before any shorter one inside it.
SPELLINGS: tuple[tuple[str, str], ...] = (
    ("早上好", "你好"), ("上午好", "你好"), ("中午好", "你好"), ("下午好", "你好"), ("晚上好", "你好"),  # greetings
    ("今儿个", "今天"), ("今儿", "今天"), ("今日", "今天"), ("明儿个", "明天"), ("明儿", "明天"), ("明日", "明天"),
    ("今早", "今天早上"), ("今晚", "今天晚上"), ("明早", "明天早上"), ("明晚", "明天晚上"),
    ("星期天", "周日"), ("星期日", "周日"), ("礼拜天", "周日"), ("礼拜日", "周日"), ("周天", "周日"),
    ("星期", "周"), ("礼拜", "周"), ("下下个周", "下下周"), ("下个周", "下周"), ("这个周", "这周"), ("本周", "这周"),
    ("一大早", "最早"), ("一早", "最早"), ("一开门", "最早"), ("越早越好", "最早"), ("越快越好", "最早"),
    ("尽早", "最早"), ("尽快", "最早"),
    ("下午晚一点", "下午晚些"), ("下午晚点", "下午晚些"), ("下午稍晚", "下午晚些"), ("下午晚些时候", "下午晚些"),
    ("一点儿", "些"), ("一点点", "些"), ("点钟", "点"), ("点整", "点"),
)  # fmt: skip
_SPACE_NEAR_HAN = re.compile(rf"\s+(?=[{HAN_CHARS}])|(?<=[{HAN_CHARS}])\s+")
_A_LITTLE = re.compile(r"(?<=[早晚快慢多少稍])一点")  # 早一点 is "a little earlier", not 1 o'clock
_CN_DIGITS = "零〇一二两三四五六七八九幺"
_NUMERAL_RUN = re.compile(rf"[{_CN_DIGITS}十百千万]+")


def _numeral_value(run: str) -> int | None:
    try:
        value = cn2an_lib().cn2an(run, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None


def _arabic(match: re.Match[str]) -> str:
    """One numeral run to digits: "十二" -> "12", "零五" -> "05"; "两三" (two or three) stays as said."""
    run = match.group()
    if len(run) == 2 and all(char in _CN_DIGITS[2:] for char in run):
        first, second = (_numeral_value(char) for char in run)
        if first is not None and second == first + 1:
            return run
    value = _numeral_value(run)
    if value is None:
        return run
    digits = ("0" if run[0] in "零〇" and len(run) > 1 else "") + str(value)
    # "周二12月8号" must not become "周212月8号": keep digits said apart apart.
    text, start, end = match.string, match.start(), match.end()
    before = " " if start > 0 and text[start - 1].isdigit() else ""
    after = " " if end < len(text) and text[end].isdigit() else ""
    return before + digits + after


def normalise(text: str) -> str:
    """The one spelling the grammar reads: ASCII digits, simplified characters, no spaces near Han."""
    text = opencc_t2s().convert(unicodedata.normalize("NFKC", text)).lower()
    text = _SPACE_NEAR_HAN.sub("", text)
    for said, spelling in SPELLINGS:
        text = text.replace(said, spelling)
    text = _A_LITTLE.sub("些", text)
    return _NUMERAL_RUN.sub(_arabic, text)
