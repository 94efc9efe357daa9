# ruff: noqa: RUF001
"""Chinese dates and times (actions/when_zh.py, reached through actions/when.py).

Like test_when.py: every case has an exact expected value against a fixed
`now`, so a change of rule shows up as a failing row. The branch is in
Shanghai unless a row says otherwise.
"""

from __future__ import annotations

import datetime

import pytest
from actions.when import (
    TimeWish,
    branch_now,
    resolve_date,
    resolve_time,
    say_date,
    say_time,
    split_when,
    wish_label,
)

LONDON = "Europe/London"
SHANGHAI = "Asia/Shanghai"
D = datetime.date
T = datetime.time


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.timezone.utc)


# Sunday 29 November 2026, 10:15 in Shanghai (02:15 UTC).
SUNDAY = branch_now(SHANGHAI, utc(2026, 11, 29, 2, 15))
# Friday 4 December 2026, 16:40 in Shanghai.
FRIDAY = branch_now(SHANGHAI, utc(2026, 12, 4, 8, 40))
# 17:30 UTC on Sunday 29 November is 01:30 on Monday 30 November in Shanghai.
SHANGHAI_MONDAY = branch_now(SHANGHAI, utc(2026, 11, 29, 17, 30))
# London, Saturday 27 March 2027 23:30 GMT: the clocks go forward tonight; and 03:00 BST just after.
BEFORE_DST = branch_now(LONDON, utc(2027, 3, 27, 23, 30))
AFTER_DST = branch_now(LONDON, utc(2027, 3, 28, 2, 0))


def exact(hour: int, minute: int, label: str) -> TimeWish:
    return TimeWish(T(hour, minute), T(hour, minute), exact=True, label=label)


def window(start: T, end: T, label: str) -> TimeWish:
    return TimeWish(start, end, exact=False, label=label)


def test_the_fixed_nows_are_what_the_tables_assume() -> None:
    assert (SUNDAY.date(), SUNDAY.weekday(), SUNDAY.hour, SUNDAY.minute) == (D(2026, 11, 29), 6, 10, 15)
    assert (FRIDAY.date(), FRIDAY.weekday(), FRIDAY.hour) == (D(2026, 12, 4), 4, 16)
    assert (SHANGHAI_MONDAY.date(), SHANGHAI_MONDAY.weekday()) == (D(2026, 11, 30), 0)
    assert SHANGHAI_MONDAY.astimezone(datetime.timezone.utc).date() == D(2026, 11, 29)
    assert (BEFORE_DST.date(), BEFORE_DST.utcoffset()) == (D(2027, 3, 27), datetime.timedelta(0))
    assert (AFTER_DST.date(), AFTER_DST.weekday(), AFTER_DST.utcoffset()) == (
        D(2027, 3, 28),
        6,
        datetime.timedelta(hours=1),
    )


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", D(2026, 11, 29)),
        ("明天", D(2026, 11, 30)),
        ("后天", D(2026, 12, 1)),
        ("大后天", D(2026, 12, 2)),
        ("明儿", D(2026, 11, 30)),
        ("明日", D(2026, 11, 30)),
        ("周一", D(2026, 11, 30)),
        ("星期二", D(2026, 12, 1)),
        ("礼拜三", D(2026, 12, 2)),
        ("周五", D(2026, 12, 4)),
        ("星期六", D(2026, 12, 5)),
        ("周日", D(2026, 12, 6)),  # today is Sunday: a bare weekday is never today
        ("星期天", D(2026, 12, 6)),
        ("礼拜天", D(2026, 12, 6)),
        ("这周五", D(2026, 12, 4)),  # rule: the first Friday after today, as "this friday"
        ("本周四", D(2026, 12, 3)),
        ("这个星期天", D(2026, 12, 6)),
        ("下周一", D(2026, 11, 30)),  # next Monday-to-Sunday week starts tomorrow
        ("下周五", D(2026, 12, 4)),
        ("下个礼拜三", D(2026, 12, 2)),
        ("下星期天", D(2026, 12, 6)),
        ("下周的周五", D(2026, 12, 4)),
        ("下下周二", D(2026, 12, 8)),
        ("下下个星期一", D(2026, 12, 7)),
        ("下周", D(2026, 11, 30)),  # the Monday of next week
        ("下下周", D(2026, 12, 7)),
        ("三天后", D(2026, 12, 2)),
        ("3天以后", D(2026, 12, 2)),
        ("两周后", D(2026, 12, 13)),
        ("一个星期以后", D(2026, 12, 6)),
        ("8号", D(2026, 12, 8)),
        ("八号", D(2026, 12, 8)),
        ("29号", D(2026, 11, 29)),  # not gone by: today counts
        ("28号", D(2026, 12, 28)),
        ("31号", D(2026, 12, 31)),  # November has no 31st
        ("三十一日", D(2026, 12, 31)),
        ("十二月八号", D(2026, 12, 8)),
        ("12月8日", D(2026, 12, 8)),
        ("12月8", D(2026, 12, 8)),
        ("一月三号", D(2027, 1, 3)),
        ("11月28日", D(2027, 11, 28)),  # gone by this year
        ("2月29日", D(2028, 2, 29)),  # the next year that has one
        ("2026年12月8日", D(2026, 12, 8)),
        ("二零二六年十二月八日", D(2026, 12, 8)),
        ("2025年12月3日", D(2025, 12, 3)),  # explicit year: as given, even if past
        ("明年1月3号", D(2027, 1, 3)),
        ("今年12月24号", D(2026, 12, 24)),
        ("2026-12-08", D(2026, 12, 8)),
        ("下个月8号", D(2026, 12, 8)),
        ("下月3号", D(2026, 12, 3)),
        ("本月30号", D(2026, 11, 30)),
        ("12月8日（星期二）", D(2026, 12, 8)),  # the weekday agrees
        ("周二12月8号", D(2026, 12, 8)),
        ("明天（11月30日，星期一）", D(2026, 11, 30)),
        ("换到周四", D(2026, 12, 3)),
        ("我想改到下周三", D(2026, 12, 2)),
        ("周五不行，周六吧", D(2026, 12, 5)),  # "Friday doesn't work, Saturday then"
        ("不是明天，是后天", D(2026, 12, 1)),
        ("明天，不对，后天", D(2026, 12, 1)),  # the last date said wins
        ("除了周一都行，周二吧", D(2026, 12, 1)),
        ("後天", D(2026, 12, 1)),  # traditional characters
        ("下週一", D(2026, 11, 30)),
        ("禮拜五", D(2026, 12, 4)),
        ("１２月８號", D(2026, 12, 8)),  # full-width digits
        ("明天 下午", D(2026, 11, 30)),  # spaces from speech recognition
    ],
)
def test_chinese_dates_on_a_sunday(text: str, expected: datetime.date) -> None:
    assert resolve_date(text, SUNDAY, "zh") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", D(2026, 12, 4)),
        ("明天", D(2026, 12, 5)),
        ("周五", D(2026, 12, 11)),  # never today
        ("这周五", D(2026, 12, 11)),
        ("这周三", D(2026, 12, 9)),  # this week's has gone by: the coming one, as "this wednesday"
        ("下周五", D(2026, 12, 11)),
        ("下周一", D(2026, 12, 7)),
        ("周六", D(2026, 12, 5)),
        ("下周", D(2026, 12, 7)),
        ("下下周一", D(2026, 12, 14)),
        ("4号", D(2026, 12, 4)),
        ("3号", D(2027, 1, 3)),
        ("12月3日", D(2027, 12, 3)),
        ("下个月3号", D(2027, 1, 3)),  # across the new year
        ("两天后", D(2026, 12, 6)),
    ],
)
def test_chinese_dates_on_a_friday(text: str, expected: datetime.date) -> None:
    assert resolve_date(text, FRIDAY, "zh") == expected


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        (SHANGHAI_MONDAY, "今天", D(2026, 11, 30)),  # the UTC date is still the 29th
        (SHANGHAI_MONDAY, "明天", D(2026, 12, 1)),
        (SHANGHAI_MONDAY, "周一", D(2026, 12, 7)),  # today is Monday in Shanghai
        (SHANGHAI_MONDAY, "下周", D(2026, 12, 7)),
        (SHANGHAI_MONDAY, "30号", D(2026, 11, 30)),
        (SHANGHAI_MONDAY, "29号", D(2026, 12, 29)),
        (SHANGHAI_MONDAY, "今天下午", D(2026, 11, 30)),
        (SHANGHAI_MONDAY, "今晚", D(2026, 11, 30)),
        (BEFORE_DST, "明天", D(2027, 3, 28)),  # the 23-hour day
        (BEFORE_DST, "后天", D(2027, 3, 29)),
        (BEFORE_DST, "周日", D(2027, 3, 28)),
        (BEFORE_DST, "下周一", D(2027, 3, 29)),
        (BEFORE_DST, "一周后", D(2027, 4, 3)),
        (AFTER_DST, "今天", D(2027, 3, 28)),
        (AFTER_DST, "下周日", D(2027, 4, 4)),
        (AFTER_DST, "27号", D(2027, 4, 27)),
    ],
)
def test_chinese_dates_use_the_branch_date(now: datetime.datetime, text: str, expected: datetime.date) -> None:
    assert resolve_date(text, now, "zh") == expected


@pytest.mark.parametrize("hour_minute", [(0, 0), (0, 1), (10, 15), (23, 59)])
def test_the_time_of_day_never_changes_a_chinese_date(hour_minute: tuple[int, int]) -> None:
    now = SUNDAY.replace(hour=hour_minute[0], minute=hour_minute[1])
    answers = [resolve_date(text, now, "zh") for text in ("明天", "三天后", "下周五", "8号", "12月8日")]
    assert answers == [D(2026, 11, 30), D(2026, 12, 2), D(2026, 12, 4), D(2026, 12, 8), D(2026, 12, 8)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "你好",
        "现在",
        "尽快办理",  # 尽快 is a time wish (early), not a date
        "昨天",
        "前天",
        "上周五",
        "上个月8号",
        "周末",
        "这周末",
        "下周末",
        "下个月",  # a month is not a day
        "这周",
        "2月30号",
        "32号",
        "2026年13月1日",
        "400天后",
        "周一12月8号",  # the 8th of December is a Tuesday
        "明天（12月8日，星期二）",  # tomorrow is the 30th of November
        "周一或者周二",  # a choice we cannot make
        "明天还是后天",
        "周五不行",
        "12/8",  # month and day order differ between customers
        "三点",
    ],
)
def test_chinese_dates_rejected(text: str) -> None:
    assert resolve_date(text, SUNDAY, "zh") is None


# ---------------------------------------------------------------- times


MORNING = window(T(9), T(12), "上午")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3点", exact(15, 0, "下午3点")),  # bare 1-7 are afternoon, as in English
        ("三点", exact(15, 0, "下午3点")),
        ("两点", exact(14, 0, "下午2点")),
        ("七点", exact(19, 0, "晚上7点")),
        ("八点", exact(8, 0, "上午8点")),
        ("十点", exact(10, 0, "上午10点")),
        ("十点钟", exact(10, 0, "上午10点")),
        ("十点整", exact(10, 0, "上午10点")),
        ("十一点", exact(11, 0, "上午11点")),
        ("十二点", exact(12, 0, "中午12点")),
        ("一点半", exact(13, 30, "下午1点半")),
        ("十点半", exact(10, 30, "上午10点半")),
        ("三点一刻", exact(15, 15, "下午3点15分")),
        ("两点三刻", exact(14, 45, "下午2点45分")),
        ("十点十五分", exact(10, 15, "上午10点15分")),
        ("十点十五", exact(10, 15, "上午10点15分")),
        ("九点零五", exact(9, 5, "上午9点05分")),
        ("九点五分", exact(9, 5, "上午9点05分")),
        ("差一刻四点", exact(15, 45, "下午3点45分")),
        ("四点差一刻", exact(15, 45, "下午3点45分")),
        ("差五分十点", exact(9, 55, "上午9点55分")),
        ("10:30", exact(10, 30, "上午10点半")),
        ("15:00", exact(15, 0, "下午3点")),
        ("09:00", exact(9, 0, "上午9点")),
        ("２：３０", exact(14, 30, "下午2点半")),  # full-width
        ("13点", exact(13, 0, "下午1点")),
        ("十点左右", exact(10, 0, "上午10点")),
        ("三点前后", exact(15, 0, "下午3点")),
        ("下午三点", exact(15, 0, "下午3点")),
        ("下午三点半", exact(15, 30, "下午3点半")),
        ("下午两点一刻", exact(14, 15, "下午2点15分")),
        ("下午13点", exact(13, 0, "下午1点")),
        ("上午十点", exact(10, 0, "上午10点")),
        ("早上八点", exact(8, 0, "上午8点")),
        ("早上七点", exact(7, 0, "上午7点")),  # a part of the day beats branch hours
        ("上午十二点", exact(12, 0, "中午12点")),
        ("中午十二点半", exact(12, 30, "中午12点半")),
        ("中午一点", exact(13, 0, "下午1点")),
        ("傍晚五点", exact(17, 0, "下午5点")),
        ("晚上八点", exact(20, 0, "晚上8点")),
        ("晚上十二点", exact(0, 0, "午夜12点")),
        ("凌晨两点", exact(2, 0, "凌晨2点")),
        ("上午 9:30", exact(9, 30, "上午9点半")),
        ("3pm", exact(15, 0, "下午3点")),
        ("下午3pm", exact(15, 0, "下午3点")),
        ("下午三點半", exact(15, 30, "下午3点半")),  # traditional
        ("上午", MORNING),
        ("早上", MORNING),
        ("中午", window(T(12), T(14), "中午")),
        ("午饭时间", window(T(12), T(14), "中午")),
        ("下午", window(T(12), T(17), "下午")),
        ("下午晚一点", window(T(15), T(17), "下午晚些时候")),
        ("傍晚", window(T(17), T(20), "傍晚")),
        ("晚上", window(T(17), T(20), "晚上")),
        ("一早", window(T(9), T(10), "一早")),
        ("越早越好", window(T(9), T(10), "一早")),
        ("上午十点到十一点之间", window(T(10), T(11), "上午10点到11点")),
        ("十到十一点", window(T(10), T(11), "上午10点到11点")),
        ("下午两点到四点", window(T(14), T(16), "下午2点到4点")),
        ("十一点到一点", window(T(11), T(13), "上午11点到下午1点")),
        ("十点到下午两点", window(T(10), T(14), "上午10点到下午2点")),
        ("三点以后", window(T(15), T(23, 59), "下午3点以后")),
        ("下午两点之后", window(T(14), T(23, 59), "下午2点以后")),
        ("十一点以前", window(T(0), T(11), "上午11点以前")),
        ("十点多", window(T(10), T(11), "上午10点多")),
        ("不对，改成下午三点", exact(15, 0, "下午3点")),
        ("三点不行，四点吧", exact(16, 0, "下午4点")),
        ("我十点到", exact(10, 0, "上午10点")),  # "I'll arrive at ten": not a range
        ("明天上午十点", exact(10, 0, "上午10点")),  # a date said with it is ignored here
    ],
)
def test_chinese_times(text: str, expected: TimeWish) -> None:
    assert resolve_time(text, "zh") == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "你好",
        "早一点",  # "a little earlier", not 1 o'clock
        "快一点",
        "凌晨",  # no window: the branch is closed
        "上午十五点",  # contradictions are rejected, not guessed
        "晚上三点",
        "下午九点",
        "上午13点",
        "下午10am",
        "24点",
        "10:75",
        "三点五",  # 3.5, or 3:05, or 3:50?
        "两三点",  # "two or three"
        "三点到两点",  # a range must go forwards
        "十点或者十一点",
        "明天",
        "12月8日",
    ],
)
def test_chinese_times_rejected(text: str) -> None:
    assert resolve_time(text, "zh") is None


# ---------------------------------------------------------------- both in one sentence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天上午十点", (D(2026, 11, 30), exact(10, 0, "上午10点"))),
        ("明天 上午 十点", (D(2026, 11, 30), exact(10, 0, "上午10点"))),
        ("周五下午三点半", (D(2026, 12, 4), exact(15, 30, "下午3点半"))),
        ("下周一上午", (D(2026, 11, 30), MORNING)),
        ("后天下午", (D(2026, 12, 1), window(T(12), T(17), "下午"))),
        ("今天下午", (D(2026, 11, 29), window(T(12), T(17), "下午"))),
        ("今晚七点", (D(2026, 11, 29), exact(19, 0, "晚上7点"))),
        ("明早九点", (D(2026, 11, 30), exact(9, 0, "上午9点"))),
        ("十二月八号下午两点", (D(2026, 12, 8), exact(14, 0, "下午2点"))),
        ("12月8号星期二上午十点", (D(2026, 12, 8), exact(10, 0, "上午10点"))),
        ("下个礼拜三上午九点半", (D(2026, 12, 2), exact(9, 30, "上午9点半"))),
        ("后天上午十点到十一点", (D(2026, 12, 1), window(T(10), T(11), "上午10点到11点"))),
        ("我想预约明天上午十点办理业务", (D(2026, 11, 30), exact(10, 0, "上午10点"))),
        ("明天不行，后天下午可以吗", (D(2026, 12, 1), window(T(12), T(17), "下午"))),
        ("我约的是周三，想换到周四下午", (D(2026, 12, 3), window(T(12), T(17), "下午"))),
        ("明天下午三点，不对，四点", (D(2026, 11, 30), exact(16, 0, "下午4点"))),
        ("不对，改成下午三点", (None, exact(15, 0, "下午3点"))),
        ("换到周四", (D(2026, 12, 3), None)),
        ("明天 3pm", (D(2026, 11, 30), exact(15, 0, "下午3点"))),
        ("2026-12-08 15:00", (D(2026, 12, 8), exact(15, 0, "下午3点"))),
        ("明天越早越好", (D(2026, 11, 30), window(T(9), T(10), "一早"))),
        ("後天下午三點", (D(2026, 12, 1), exact(15, 0, "下午3点"))),
        ("下午好，我想约明天三点", (D(2026, 11, 30), exact(15, 0, "下午3点"))),  # a greeting is not a time
        ("早上好", (None, None)),
        ("明天三点五", (None, None)),  # a number we cannot place spoils the reading
        ("你好", (None, None)),
    ],
)
def test_chinese_split_when(text: str, expected: tuple[datetime.date | None, TimeWish | None]) -> None:
    assert split_when(text, SUNDAY, "zh") == expected


def test_han_characters_are_read_as_chinese_whatever_the_language_says() -> None:
    assert split_when("明天上午十点", SUNDAY) == (D(2026, 11, 30), exact(10, 0, "上午10点"))
    assert split_when("明天上午十点", SUNDAY, "en") == split_when("明天上午十点", SUNDAY, "zh")
    assert resolve_date("下周一", SUNDAY) == D(2026, 11, 30)
    assert resolve_time("下午三点半") == exact(15, 30, "下午3点半")


def test_english_text_in_a_chinese_conversation_is_read_the_english_way() -> None:
    assert split_when("tomorrow at ten", SUNDAY, "zh") == (D(2026, 11, 30), exact(10, 0, "10 am"))
    assert resolve_time("half past two", "zh") == exact(14, 30, "2:30 pm")
    assert resolve_date("next friday", SUNDAY, "zh-CN") == D(2026, 12, 4)


def test_digits_follow_the_conversation() -> None:
    assert resolve_time("15:00", "zh") == exact(15, 0, "下午3点")
    assert resolve_time("15:00", "en") == exact(15, 0, "3 pm")
    assert resolve_time("15:00") == exact(15, 0, "3 pm")
    # The Chinese grammar finds a number touching 10 it cannot place; the English one reads the time.
    assert split_when("10 30", SUNDAY, "zh") == (None, exact(10, 30, "10:30 am"))
    # Never an English date: "12/8" is 8 December to many Chinese customers, 12 August in English.
    assert split_when("12/8", SUNDAY, "zh") == (None, None)
    assert split_when("12/8", SUNDAY, "en") == (D(2027, 8, 12), None)


def test_a_naive_now_is_refused_in_chinese_too() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        split_when("明天上午十点", datetime.datetime(2026, 11, 29, 10, 15))


# ---------------------------------------------------------------- saying it back


@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        (D(2026, 11, 29), D(2026, 11, 29), "今天（11月29日，星期日）"),
        (D(2026, 11, 30), D(2026, 11, 29), "明天（11月30日，星期一）"),
        (D(2026, 12, 8), D(2026, 11, 29), "12月8日（星期二）"),
        (D(2026, 12, 1), D(2026, 11, 29), "12月1日（星期二）"),
        (D(2027, 1, 4), D(2026, 12, 28), "1月4日（星期一）"),  # next year but soon: no year
        (D(2027, 12, 3), D(2026, 12, 4), "2027年12月3日（星期五）"),
        (D(2025, 12, 3), D(2026, 11, 29), "2025年12月3日（星期三）"),
        (D(2027, 1, 1), D(2026, 12, 31), "明天（1月1日，星期五）"),
    ],
)
def test_say_date_in_chinese(day: datetime.date, today: datetime.date, expected: str) -> None:
    assert say_date(day, today, lang="zh") == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (T(9), "上午9点"),
        (T(10), "上午10点"),
        (T(10, 30), "上午10点半"),
        (T(10, 5), "上午10点05分"),
        (T(11, 45), "上午11点45分"),
        (T(12), "中午12点"),
        (T(12, 30), "中午12点半"),
        (T(13), "下午1点"),
        (T(14, 15), "下午2点15分"),
        (T(15, 30), "下午3点半"),
        (T(17, 59), "下午5点59分"),
        (T(18), "晚上6点"),
        (T(23, 59), "晚上11点59分"),
        (T(0), "午夜12点"),
        (T(0, 15), "凌晨0点15分"),
        (T(6), "上午6点"),
    ],
)
def test_say_time_in_chinese(at: datetime.time, expected: str) -> None:
    assert say_time(at, lang="zh") == expected


def test_every_date_said_in_chinese_reads_back_as_that_date() -> None:
    today = SUNDAY.date()
    for ahead in range(0, 400):
        day = today + datetime.timedelta(days=ahead)
        assert resolve_date(say_date(day, today, "zh"), SUNDAY, "zh") == day, say_date(day, today, "zh")


def test_every_time_said_in_chinese_reads_back_as_that_time() -> None:
    for minutes in range(0, 24 * 60, 5):
        at = T(minutes // 60, minutes % 60)
        said = say_time(at, "zh")
        assert resolve_time(said, "zh") == exact(at.hour, at.minute, said), said


@pytest.mark.parametrize(
    ("wish", "lang", "expected"),
    [
        (exact(15, 0, "3 pm"), "zh", "下午3点"),
        (exact(15, 0, "下午3点"), "en", "3 pm"),
        (window(T(12), T(17), "the afternoon"), "zh", "下午"),
        (window(T(12), T(17), "下午"), "en", "the afternoon"),
        (window(T(9), T(10), "一早"), "en", "first thing"),
        (window(T(17), T(20), "the evening"), "zh", "晚上"),
        (window(T(10), T(11), "上午10点到11点"), "zh", "上午10点到11点"),  # no catalog entry: as said
        (window(T(12), T(14), "lunchtime"), "en", "lunchtime"),
    ],
)
def test_wish_label_says_a_wish_in_the_reply_language(wish: TimeWish, lang: str, expected: str) -> None:
    assert wish_label(wish, lang) == expected
