# ruff: noqa: RUF001, RUF002
"""Chinese days and times: 明天上午十点, 下周一, 周五下午三点半, 十二月八号, "不对，改成下午三点".

Same results as the English grammar in when_en.py (a branch-local date and a
`TimeWish`), reached differently. Chinese has no spaces, so a sentence cannot be
cut into candidate word spans the English way; instead the text, in the one
spelling when_zh_words.normalise makes of it (ASCII digits, simplified
characters), is scanned for date and time expressions and the words around them
are ignored ("我想改到周四" is Thursday).

Why not dateparser: measured with dateparser 1.2 (languages=["zh"], future
preferred, today = Sunday 29 November 2026) it reads 明天, 周五 and "3天后" but
returns nothing for 后天, 大后天, 下周五, 这周五, 下下周二, 12月8日, 十二月八号, 8号,
两周后, "3天以后" and every phrase with a time of day. The grammar below covers all
of those, so dateparser adds nothing for Chinese.

Rules for ambiguous phrases, the English ones wherever Chinese has the same doubt:
- a bare weekday (周五, 星期五, 礼拜五) and 这周五/本周五 mean the first such weekday
  strictly after today: a weekday name never means today (今天 does). 下周五 is the
  Friday of the next Monday-to-Sunday week, 下下周二 the week after; 下周 alone is
  the Monday of next week. 上周五, 昨天, 前天, 周末, 下周末 and 下个月 alone are
  rejected (past, or not one day);
- 8号 / 8日 is the next 8th that is not past (today counts); 12月8日 this year
  unless past, else next year; a date with a year (2026年12月8日, 2026-12-08) is
  returned as given, even if past. 下个月8号 is next month's 8th. Slashes without a
  year ("12/8") are not read: month and day order differ between customers;
- a weekday next to a date must agree with it ("12月8日（星期二）"), and so must
  two dates next to each other ("明天（12月8日）"); otherwise no date is guessed;
- a clock hour without a part of the day follows branch hours, as in English:
  1-7 点 are afternoon (3点 = 15:00, 两点 = 14:00), 8-11 morning, 12 noon; 0 and
  13-23 and a leading zero ("09:00") are the 24-hour clock;
- a part of the day picks the reading of the hour that falls inside it:
  凌晨 0-6, 早上/上午 5-12, 中午 11-14, 下午 12-19, 傍晚 16-20, 晚上 17-23 and
  midnight (晚上十二点 = 0:00). None inside is a contradiction and rejected
  (上午十五点, 晚上三点, 下午九点), not guessed;
- a part of the day alone is a window, as in English: 上午/早上 9-12, 一早/越早越好
  9-10, 中午 12-14, 下午 12-17, 下午晚些 15-17, 傍晚/晚上 17-20;
- X点半 +30, X点一刻 +15, X点三刻 +45, 差一刻四点 = 15:45; minutes without 分 need two
  digits (十点零五, 十点十五): "三点五" may be 3.5 and is rejected;
- 十点到十一点(之间) is a window from the first to the second time (both read with
  the part of the day said before the first); 三点以后 runs to the end of the day,
  十一点以前 from its start; 十点多 is 10:00-11:00; 十点左右 / 十点前后 is 10:00;
- corrections: of several dates (or times), the last one said wins ("明天，不对，
  后天"), and one followed by 不行/没空/不方便... or preceded by 不是/不要/除了 is
  dropped ("周五不行，周六吧" is Saturday);
- greetings (早上好, 下午好, 晚上好) are not times;
- a number touching a date or time that is not part of it ("三点五", "10 30") makes
  the whole reading unsure: nothing is returned. Asking again is cheaper than
  booking the wrong day.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .when_base import (
    MAX_DAYS_AHEAD,
    TimeWish,
    make_date,
    next_day_of_month,
    next_day_of_year,
    next_week_monday,
    next_weekday,
)
from .when_zh_words import PARTS, SAY, Part, normalise, say_time, shared_part

_T = datetime.time
_DAY = datetime.timedelta(days=1)


# ---------------------------------------------------------------- scanning


@dataclass(frozen=True)
class Found:
    """One date or time expression found in the text, at [start, end)."""

    start: int
    end: int
    is_date: bool
    day: datetime.date | None = None  # None: a date we cannot accept (past, invalid)
    weekday_only: bool = False  # a bare weekday: only the weekday is certain
    wish: TimeWish | None = None


_D = r"(?<![\d.:])"
_PAST = re.compile(r"(?:上上|上)周[1-6日]?|上个?月\d{1,2}[日号]|昨天|大前天|前天|(?:这|下下|下)?周末")
_ISO = re.compile(_D + r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_YMD = re.compile(_D + r"(?:(\d{4})年|(今年|明年|后年))?(\d{1,2})月(\d{1,2})[日号]?(?![\d点:])")
_MONTH_DAY = re.compile(r"(这个月|本月|下个?月)(\d{1,2})[日号]")
_NAMED_DAYS = {"大后天": 3, "后天": 2, "明天": 1, "今天": 0}
_NAMED = re.compile("|".join(_NAMED_DAYS))
_WEEKDAY = re.compile(r"(?:(下下|下|这)周(?:的?周)?|周)([1-6日])")
_WEEK = re.compile(r"(下下周|下周)(?![1-6日末])")
_AFTER = re.compile(_D + r"(\d{1,3})个?(天|周)(?:以后|之后|后)")
_DAY_OF_MONTH = re.compile(_D + r"(\d{1,2})[日号](?!\d)")
_PART = re.compile("|".join(sorted((word for word in PARTS if word not in ("am", "pm")), key=len, reverse=True)))
_CLOCK = re.compile(
    _D
    + r"""(?:
        差(?P<before>1刻|\d{1,2})分?(?P<before_hour>\d{1,2})[点时]
      | (?P<hour>\d{1,2})(?:
            :(?P<colon>\d{2})
          | [点时](?:(?P<half>半)|(?P<quarter>[13])刻|(?P<minute>\d{1,2})分|(?P<bare_minute>\d{2})(?![\d分月日号点时])
                   |差(?P<to>1刻|\d{1,2})分?)?
        )
      | (?P<ampm_hour>\d{1,2})(?=\s?[ap]m)
    )(?:\s?(?P<ampm>am|pm)(?![a-z]))?""",
    re.VERBOSE,
)
_RANGE = re.compile(r"\s?(?:到|至|~|-|—)\s?")
_BARE_START = re.compile(_D + r"(\d{1,2})(?=\s?(?:到|至|~|-|—))")
_SUFFIX = re.compile(r"前后|左右|以后|之后|后(?!天)|以前|之前|前(?!天)|多")
_BETWEEN = re.compile(r"之间|中间")
_PART_GAP = re.compile(r"[\s,，、]*(?:的)?")
_DATE_GAP = re.compile(r"[\s,，、()（）的]*")
_OR = re.compile(r"[\s,，、]*(?:或者|或是|或|还是)[\s,，、]*")
_NEG_AFTER = re.compile(
    r"[\s,，]*(?:的话)?(?:恐怕|可能|也)?(?:不行|不可以|不太?方便|没空|没时间|不合适|来不了|去不了|不能|有事|不太?好(?!意思)|不太行)"
)
_NEG_BEFORE = re.compile(r"(?:不是|不要|除了|不在|别)$")


def _quarter_or_minutes(said: str) -> int:
    return 15 if said == "1刻" else int(said)


def _hour(said: str, part: Part | None) -> int | None:
    """The 24-hour hour for a said hour, with the part of the day's reading (see the module rules)."""
    value = int(said)
    if value > 23:
        return None
    as_is = value == 0 or value > 12 or (len(said) == 2 and said.startswith("0"))
    if part is None:
        return value if as_is or 8 <= value <= 12 else value + 12
    candidates = {value} if as_is else {value % 12, value % 12 + 12}
    inside = candidates & part.hours
    return inside.pop() if len(inside) == 1 else None


def _clock(match: re.Match[str], part: Part | None) -> datetime.time | None:
    """A matched clock as a time, read with the part of the day said before it (or am/pm after it)."""
    if match.group("ampm"):
        said = PARTS[match.group("ampm")]
        part = said if part is None else Part(part.hours & said.hours, part.window, part.label)
    said_hour = match.group("hour") or match.group("before_hour") or match.group("ampm_hour")
    hour = _hour(said_hour, part)
    if hour is None:
        return None
    minute = 0
    if match.group("colon") or match.group("minute") or match.group("bare_minute"):
        minute = int(match.group("colon") or match.group("minute") or match.group("bare_minute"))
    elif match.group("half"):
        minute = 30
    elif match.group("quarter"):
        minute = 15 * int(match.group("quarter"))
    offset = match.group("before") or match.group("to")
    if minute > 59 or (offset is not None and not 1 <= _quarter_or_minutes(offset) < 60):
        return None
    total = hour * 60 + minute - (_quarter_or_minutes(offset) if offset else 0)
    return _T(total // 60 % 24, total % 60)


def _time_at(text: str, pos: int) -> Found | None:
    """A time starting at `pos`: a part of the day, a clock, or both; a range or before/after."""
    part_match = _PART.match(text, pos)
    part = PARTS[part_match.group()] if part_match else None
    at = _PART_GAP.match(text, part_match.end()).end() if part_match else pos
    clock_match = _CLOCK.match(text, at)
    if clock_match is None:
        bare = _BARE_START.match(text, at)
        tail = _RANGE.match(text, bare.end()) if bare else None
        if bare and tail:
            hour = _hour(bare.group(1), part)
            return _range_at(text, pos, part, None if hour is None else _T(hour), tail.end())
        if part_match is None or part is None or part.window is None:
            return None
        return Found(pos, part_match.end(), False, wish=TimeWish(*part.window, exact=False, label=part.label))
    start_hour = _clock(clock_match, part)
    end = clock_match.end()
    tail = _RANGE.match(text, end)
    if tail and (_CLOCK.match(text, tail.end()) or _PART.match(text, tail.end())):
        found = _range_at(text, pos, part, start_hour, tail.end())
        if found is not None:
            return found
    suffix = _SUFFIX.match(text, end)
    if start_hour is None:
        return Found(pos, suffix.end() if suffix else end, False)
    said = say_time(start_hour)
    if suffix is None or suffix.group() in ("前后", "左右"):
        return Found(pos, suffix.end() if suffix else end, False, wish=TimeWish(start_hour, start_hour, True, said))
    word = suffix.group()
    if word == "多":
        if start_hour.minute:
            return Found(pos, suffix.end(), False)
        latest = _T((start_hour.hour + 1) % 24)
        wish = TimeWish(start_hour, latest, False, SAY["hour_span"].format(start=said))
    elif "后" in word:
        wish = TimeWish(start_hour, _T(23, 59), False, SAY["after"].format(start=said))
    else:
        wish = TimeWish(_T(0), start_hour, False, SAY["before"].format(end=said))
    return Found(pos, suffix.end(), False, wish=wish)


def _range_at(text: str, pos: int, part: Part | None, first: datetime.time | None, at: int) -> Found | None:
    """ "十点到十一点(之间)": the second time takes the first's part of the day unless it says its own."""
    part_match = _PART.match(text, at)
    end_part = PARTS[part_match.group()] if part_match else part
    clock_at = _PART_GAP.match(text, part_match.end()).end() if part_match else at
    end_match = _CLOCK.match(text, clock_at)
    if end_match is None:
        return None
    last = _clock(end_match, end_part)
    between = _BETWEEN.match(text, end_match.end())
    end = between.end() if between else end_match.end()
    if first is None or last is None or last <= first:
        return Found(pos, end, False)
    start_said, end_said = say_time(first), say_time(last)
    label = SAY["range"].format(start=start_said, end=shared_part(start_said, end_said))
    return Found(pos, end, False, wish=TimeWish(first, last, False, label))


def _date_at(text: str, pos: int, today: datetime.date) -> Found | None:
    """A date starting at `pos`, or None. Patterns are tried longest first."""
    if match := _PAST.match(text, pos):
        return Found(pos, match.end(), True)
    if match := _ISO.match(text, pos):
        return Found(pos, match.end(), True, make_date(*(int(group) for group in match.groups())))
    if match := _YMD.match(text, pos):
        year_said, relative, month, day = match.groups()
        if year_said or relative:
            year = int(year_said) if year_said else today.year + ("今年", "明年", "后年").index(relative)
            return Found(pos, match.end(), True, make_date(year, int(month), int(day)))
        return Found(pos, match.end(), True, next_day_of_year(today, int(month), int(day)))
    if match := _MONTH_DAY.match(text, pos):
        year, month = today.year, today.month
        if match.group(1).startswith("下"):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return Found(pos, match.end(), True, make_date(year, month, int(match.group(2))))
    if match := _NAMED.match(text, pos):
        return Found(pos, match.end(), True, today + _NAMED_DAYS[match.group()] * _DAY)
    if match := _WEEKDAY.match(text, pos):
        week, said = match.groups()
        weekday = 6 if said == "日" else int(said) - 1
        if week in (None, "这"):
            return Found(pos, match.end(), True, next_weekday(today, weekday), weekday_only=True)
        monday = next_week_monday(today) + (7 if week == "下下" else 0) * _DAY
        return Found(pos, match.end(), True, monday + weekday * _DAY)
    if match := _WEEK.match(text, pos):
        return Found(pos, match.end(), True, next_week_monday(today) + (7 if match.group(1) == "下下周" else 0) * _DAY)
    if match := _AFTER.match(text, pos):
        days = int(match.group(1)) * (7 if match.group(2) == "周" else 1)
        day = today + days * _DAY if 0 < days <= MAX_DAYS_AHEAD else None
        return Found(pos, match.end(), True, day)
    if match := _DAY_OF_MONTH.match(text, pos):
        return Found(pos, match.end(), True, next_day_of_month(today, int(match.group(1))))
    return None


def scan(text: str, today: datetime.date) -> list[Found]:
    """Every date and time expression in normalised `text`, left to right, not overlapping."""
    found: list[Found] = []
    pos = 0
    while pos < len(text):
        item = _date_at(text, pos, today) or _time_at(text, pos)
        if item is None or item.end <= pos:
            pos += 1
            continue
        found.append(item)
        pos = item.end
    return found


# ---------------------------------------------------------------- choosing


def _touches_a_number(text: str, items: list[Found]) -> bool:
    """A digit next to an expression but not part of any ("3点5", "10 30"): we may have misread it."""
    taken = [False] * len(text)
    for item in items:
        taken[item.start : item.end] = [True] * (item.end - item.start)
    for item in items:
        for index, step in ((item.start - 1, -1), (item.end, 1)):
            while 0 <= index < len(text) and text[index].isspace():
                index += step
            if 0 <= index < len(text) and not taken[index] and text[index].isdigit():
                return True
    return False


def _negated(text: str, item: Found) -> bool:
    return bool(_NEG_AFTER.match(text, item.end) or _NEG_BEFORE.search(text[: item.start]))


def _group_date(group: list[Found]) -> datetime.date | None:
    """Dates said side by side must agree ("12月8日（星期二）"); a bare weekday agrees by its weekday."""
    full = [item.day for item in group if not item.weekday_only]
    if any(day is None for day in full):
        return None
    days = {day for day in full if day is not None}
    if len(days) > 1:
        return None
    weekdays = {item.day.weekday() for item in group if item.weekday_only and item.day is not None}
    if days:
        day = days.pop()
        return day if weekdays <= {day.weekday()} else None
    return group[0].day if len(weekdays) == 1 else None


def _last_date(text: str, dates: list[Found]) -> datetime.date | None:
    if not dates:
        return None
    groups: list[list[Found]] = [[dates[0]]]
    for item in dates[1:]:
        previous = groups[-1][-1]
        if _DATE_GAP.fullmatch(text, previous.end, item.start) or _OR.fullmatch(text, previous.end, item.start):
            groups[-1].append(item)
        else:
            groups.append([item])
    return _group_date(groups[-1])


def split_when(text: str, now: datetime.datetime) -> tuple[datetime.date | None, TimeWish | None]:
    """The day and time in Chinese `text` (or digits read the Chinese way). `now` is branch-local and aware."""
    normal = normalise(text)
    items = scan(normal, now.date())
    if not items or _touches_a_number(normal, items):
        return None, None
    kept = [item for item in items if not _negated(normal, item)]
    times = [item for item in kept if not item.is_date]
    wish = times[-1].wish if times else None
    if len(times) > 1 and _OR.fullmatch(normal, times[-2].end, times[-1].start):
        wish = None  # "十点或者十一点": a choice we cannot make for the customer
    return _last_date(normal, [item for item in kept if item.is_date]), wish
