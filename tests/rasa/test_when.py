"""Resolving the NLU's `date` and `time` entity texts (actions/when.py).

Every case has an exact expected value against a fixed `now`, so a change of
rule shows up as a failing row rather than a silently different booking.
"""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from actions.when import TimeWish, branch_now, resolve_date, resolve_time, say_date, say_time, split_when

LONDON = "Europe/London"
SHANGHAI = "Asia/Shanghai"
D = datetime.date
T = datetime.time


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.timezone.utc)


# Sunday 29 November 2026, 10:15 in London (GMT, so the same in UTC).
SUNDAY = branch_now(LONDON, utc(2026, 11, 29, 10, 15))
# Friday 4 December 2026, 16:40 in London.
FRIDAY = branch_now(LONDON, utc(2026, 12, 4, 16, 40))
# 17:30 UTC on Sunday 29 November is 01:30 on Monday 30 November in Shanghai.
SHANGHAI_MONDAY = branch_now(SHANGHAI, utc(2026, 11, 29, 17, 30))
# Saturday 27 March 2027, 23:30 GMT: the clocks go forward tonight (01:00 GMT -> 02:00 BST on the 28th).
BEFORE_DST = branch_now(LONDON, utc(2027, 3, 27, 23, 30))
# Sunday 28 March 2027, 03:00 BST, just after the change.
AFTER_DST = branch_now(LONDON, utc(2027, 3, 28, 2, 0))


def exact(hour: int, minute: int, label: str) -> TimeWish:
    return TimeWish(T(hour, minute), T(hour, minute), exact=True, label=label)


def window(start: int, end: int, label: str) -> TimeWish:
    return TimeWish(T(start), T(end), exact=False, label=label)


def test_the_fixed_nows_are_what_the_tables_assume() -> None:
    assert (SUNDAY.date(), SUNDAY.weekday(), SUNDAY.hour, SUNDAY.minute) == (D(2026, 11, 29), 6, 10, 15)
    assert (FRIDAY.date(), FRIDAY.weekday()) == (D(2026, 12, 4), 4)
    assert (SHANGHAI_MONDAY.date(), SHANGHAI_MONDAY.weekday(), SHANGHAI_MONDAY.hour) == (D(2026, 11, 30), 0, 1)
    assert SHANGHAI_MONDAY.astimezone(datetime.timezone.utc).date() == D(2026, 11, 29)
    assert (BEFORE_DST.date(), BEFORE_DST.hour, BEFORE_DST.utcoffset()) == (D(2027, 3, 27), 23, datetime.timedelta(0))
    assert (AFTER_DST.date(), AFTER_DST.hour, AFTER_DST.utcoffset()) == (D(2027, 3, 28), 3, datetime.timedelta(hours=1))


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", D(2026, 11, 29)),
        ("tomorrow", D(2026, 11, 30)),
        ("Tomorrow", D(2026, 11, 30)),
        ("day after tomorrow", D(2026, 12, 1)),
        ("the day after tomorrow", D(2026, 12, 1)),
        ("monday", D(2026, 11, 30)),
        ("on monday please", D(2026, 11, 30)),
        ("friday", D(2026, 12, 4)),
        ("next friday", D(2026, 12, 4)),  # rule: the first friday after today, same as "friday"
        ("Next Friday", D(2026, 12, 4)),
        ("this thursday", D(2026, 12, 3)),
        ("coming tuesday", D(2026, 12, 1)),
        ("sunday", D(2026, 12, 6)),  # today is Sunday: a bare weekday is never today
        ("this sunday", D(2026, 12, 6)),
        ("next sunday", D(2026, 12, 6)),
        ("weds", D(2026, 12, 2)),
        ("friday next week", D(2026, 12, 4)),  # next week starts tomorrow (Monday 30 November)
        ("next week friday", D(2026, 12, 4)),
        ("tuesday week", D(2026, 12, 8)),  # British: a week after the coming tuesday
        ("a week on tuesday", D(2026, 12, 8)),
        ("next week", D(2026, 11, 30)),  # the Monday of next week
        ("week after next", D(2026, 12, 7)),
        ("in two days", D(2026, 12, 1)),
        ("in 2 days", D(2026, 12, 1)),
        ("in a week", D(2026, 12, 6)),
        ("in a week's time", D(2026, 12, 6)),
        ("in ten days time", D(2026, 12, 9)),
        ("two days from now", D(2026, 12, 1)),
        ("in a fortnight", D(2026, 12, 13)),
        ("a week today", D(2026, 12, 6)),
        ("a week tomorrow", D(2026, 12, 7)),
        ("tomorrow week", D(2026, 12, 7)),
        ("3 weeks", D(2026, 12, 20)),  # read by dateparser, our grammar needs "in"
        ("a week", D(2026, 12, 6)),  # dateparser
        ("the 3rd", D(2026, 12, 3)),  # the 3rd of November has gone by
        ("the third", D(2026, 12, 3)),
        ("the 29th", D(2026, 11, 29)),  # not gone by: today counts
        ("the 30th", D(2026, 11, 30)),
        ("the 31st", D(2026, 12, 31)),  # November has no 31st
        ("the twenty third", D(2026, 12, 23)),
        ("1st", D(2026, 12, 1)),
        ("3rd of december", D(2026, 12, 3)),
        ("the 3rd of december", D(2026, 12, 3)),
        ("december 3rd", D(2026, 12, 3)),
        ("december the third", D(2026, 12, 3)),
        ("3 dec", D(2026, 12, 3)),
        ("dec 3", D(2026, 12, 3)),
        ("3rd of january", D(2027, 1, 3)),
        ("28th of november", D(2027, 11, 28)),  # gone by this year
        ("29th of february", D(2028, 2, 29)),  # the next year that has one
        ("3 december 2027", D(2027, 12, 3)),
        ("2026-12-03", D(2026, 12, 3)),
        ("2025-12-03", D(2025, 12, 3)),  # explicit, returned even though past
        ("03/12/2026", D(2026, 12, 3)),  # British order, day first
        ("3/12", D(2026, 12, 3)),
        ("3.12.2026", D(2026, 12, 3)),
        ("thursday the 3rd", D(2026, 12, 3)),
        ("thursday 3rd of december", D(2026, 12, 3)),
        ("thursday 3 december 2026", D(2026, 12, 3)),
    ],
)
def test_resolve_date_on_a_sunday(text: str, expected: datetime.date) -> None:
    assert resolve_date(text, SUNDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", D(2026, 12, 4)),
        ("tomorrow", D(2026, 12, 5)),
        ("friday", D(2026, 12, 11)),
        ("this friday", D(2026, 12, 11)),
        ("next friday", D(2026, 12, 11)),
        ("thursday", D(2026, 12, 10)),
        ("saturday", D(2026, 12, 5)),
        ("monday", D(2026, 12, 7)),
        ("next monday", D(2026, 12, 7)),
        ("monday next week", D(2026, 12, 7)),
        ("friday next week", D(2026, 12, 11)),
        ("next week", D(2026, 12, 7)),
        ("tuesday week", D(2026, 12, 15)),
        ("day after tomorrow", D(2026, 12, 6)),
        ("in two days", D(2026, 12, 6)),
        ("the 3rd", D(2027, 1, 3)),
        ("the 4th", D(2026, 12, 4)),
        ("4th of december", D(2026, 12, 4)),
        ("3rd of december", D(2027, 12, 3)),
        ("the 31st", D(2026, 12, 31)),
    ],
)
def test_resolve_date_on_a_friday(text: str, expected: datetime.date) -> None:
    assert resolve_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", D(2026, 11, 30)),  # the UTC date is still the 29th
        ("tomorrow", D(2026, 12, 1)),
        ("monday", D(2026, 12, 7)),  # today is Monday in Shanghai
        ("sunday", D(2026, 12, 6)),
        ("next week", D(2026, 12, 7)),
        ("the 30th", D(2026, 11, 30)),
        ("the 29th", D(2026, 12, 29)),
        ("in two days", D(2026, 12, 2)),
        ("3 weeks", D(2026, 12, 21)),  # dateparser, with the local (not UTC) base
        ("this afternoon", D(2026, 11, 30)),
    ],
)
def test_resolve_date_uses_the_branch_date_not_the_utc_date(text: str, expected: datetime.date) -> None:
    assert resolve_date(text, SHANGHAI_MONDAY) == expected


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        (BEFORE_DST, "today", D(2027, 3, 27)),
        (BEFORE_DST, "tomorrow", D(2027, 3, 28)),  # the 23-hour day
        (BEFORE_DST, "day after tomorrow", D(2027, 3, 29)),
        (BEFORE_DST, "in two days", D(2027, 3, 29)),
        (BEFORE_DST, "sunday", D(2027, 3, 28)),
        (BEFORE_DST, "monday", D(2027, 3, 29)),
        (BEFORE_DST, "next week", D(2027, 3, 29)),
        (BEFORE_DST, "a week", D(2027, 4, 3)),  # dateparser across the change, base 23:30
        (BEFORE_DST, "the 28th", D(2027, 3, 28)),
        (AFTER_DST, "today", D(2027, 3, 28)),
        (AFTER_DST, "tomorrow", D(2027, 3, 29)),
        (AFTER_DST, "next sunday", D(2027, 4, 4)),
        (AFTER_DST, "the 28th", D(2027, 3, 28)),
        (AFTER_DST, "the 27th", D(2027, 4, 27)),
        (AFTER_DST, "in a week", D(2027, 4, 4)),
    ],
)
def test_resolve_date_around_the_clocks_going_forward(
    now: datetime.datetime, text: str, expected: datetime.date
) -> None:
    assert resolve_date(text, now) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "blue",
        "asap",
        "now",
        "um",
        "please",
        "soon",
        "whenever",
        "next",
        "next month",  # a month is not a day
        "december",
        "weekend",
        "this week",
        "yesterday",
        "tomorrow blue",  # a date next to an unknown word: not guessed
        "friday the 5th",  # the 5th of December is a Saturday
        "5th december friday",  # dateparser would say Saturday 5 December
        "today tomorrow",  # dateparser would say tomorrow
        "3 4",  # dateparser would say 3 April 2027
        "12/25",  # dateparser would say 12 November 2125
        "today at 25",  # dateparser would drop the 25
        "3rd of next month",  # dateparser would say 29 December
        "31st february",
        "the 32nd",
        "2026-13-01",
        "in 400 days",
        "in 0 days",
        "in 12 hours",  # moves with the time of day
        "day",
        "at ten",  # a time only
        "3 pm",
        "half past two",
    ],
)
def test_resolve_date_rejects_what_is_not_a_date(text: str) -> None:
    assert resolve_date(text, SUNDAY) is None


@pytest.mark.parametrize("hour_minute", [(0, 0), (0, 1), (10, 15), (23, 59)])
def test_the_time_of_day_never_changes_the_date(hour_minute: tuple[int, int]) -> None:
    now = SUNDAY.replace(hour=hour_minute[0], minute=hour_minute[1])
    answers = [resolve_date(text, now) for text in ("tomorrow", "in two days", "3 weeks", "a week", "next friday")]
    assert answers == [D(2026, 11, 30), D(2026, 12, 1), D(2026, 12, 20), D(2026, 12, 6), D(2026, 12, 4)]


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve_date("tomorrow", datetime.datetime(2026, 11, 29, 10, 15))
    with pytest.raises(ValueError, match="timezone-aware"):
        split_when("tomorrow at ten", datetime.datetime(2026, 11, 29, 10, 15))
    with pytest.raises(ValueError, match="timezone-aware"):
        branch_now(LONDON, datetime.datetime(2026, 11, 29, 10, 15))


def test_branch_now_is_the_local_wall_clock() -> None:
    assert branch_now(LONDON, utc(2027, 3, 28, 0, 30)).isoformat() == "2027-03-28T00:30:00+00:00"
    assert branch_now(LONDON, utc(2027, 3, 28, 1, 30)).isoformat() == "2027-03-28T02:30:00+01:00"
    assert branch_now(SHANGHAI, utc(2026, 11, 29, 17, 30)).isoformat() == "2026-11-30T01:30:00+08:00"
    live = branch_now(SHANGHAI)
    assert live.utcoffset() == datetime.timedelta(hours=8)


# ---------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ten", exact(10, 0, "10 am")),
        ("at ten", exact(10, 0, "10 am")),
        ("um at ten please", exact(10, 0, "10 am")),
        ("tenish", exact(10, 0, "10 am")),
        ("10", exact(10, 0, "10 am")),
        ("11", exact(11, 0, "11 am")),
        ("eight", exact(8, 0, "8 am")),
        ("two", exact(14, 0, "2 pm")),  # bare 1-7 are pm
        ("seven", exact(19, 0, "7 pm")),
        ("twelve", exact(12, 0, "12 noon")),
        ("10am", exact(10, 0, "10 am")),
        ("10 am", exact(10, 0, "10 am")),
        ("10 a m", exact(10, 0, "10 am")),
        ("10 a.m.", exact(10, 0, "10 am")),
        ("7 am", exact(7, 0, "7 am")),  # an explicit am beats branch hours
        ("9am", exact(9, 0, "9 am")),
        ("3 pm", exact(15, 0, "3 pm")),
        ("3pm", exact(15, 0, "3 pm")),
        ("11 pm", exact(23, 0, "11 pm")),
        ("13 pm", exact(13, 0, "1 pm")),  # 24-hour and pm agree
        ("12 pm", exact(12, 0, "12 noon")),
        ("12 am", exact(0, 0, "12 midnight")),
        ("15:00", exact(15, 0, "3 pm")),
        ("09:30", exact(9, 30, "9:30 am")),
        ("2:30", exact(14, 30, "2:30 pm")),
        ("10:30", exact(10, 30, "10:30 am")),
        ("10 30", exact(10, 30, "10:30 am")),
        ("10.30", exact(10, 30, "10:30 am")),
        ("10.30am", exact(10, 30, "10:30 am")),
        ("3.12", exact(15, 12, "3:12 pm")),  # a time, not 3 December
        ("ten thirty", exact(10, 30, "10:30 am")),
        ("two fifteen", exact(14, 15, "2:15 pm")),
        ("four forty five", exact(16, 45, "4:45 pm")),
        ("four forty-five", exact(16, 45, "4:45 pm")),
        ("ten oh five", exact(10, 5, "10:05 am")),
        ("half past two", exact(14, 30, "2:30 pm")),
        ("half past ten", exact(10, 30, "10:30 am")),
        ("half ten", exact(10, 30, "10:30 am")),  # British
        ("quarter to four", exact(15, 45, "3:45 pm")),
        ("a quarter to eight", exact(7, 45, "7:45 am")),  # the named hour follows the rule: 8 am
        ("quarter to one", exact(12, 45, "12:45 pm")),
        ("quarter to twelve", exact(11, 45, "11:45 am")),
        ("quarter past 11", exact(11, 15, "11:15 am")),
        ("quarter past two pm", exact(14, 15, "2:15 pm")),
        ("twenty past three", exact(15, 20, "3:20 pm")),
        ("twenty five to ten", exact(9, 35, "9:35 am")),
        ("ten minutes past nine", exact(9, 10, "9:10 am")),
        ("noon", exact(12, 0, "12 noon")),
        ("midday", exact(12, 0, "12 noon")),
        ("12 noon", exact(12, 0, "12 noon")),
        ("midnight", exact(0, 0, "12 midnight")),
        ("2 o'clock", exact(14, 0, "2 pm")),
        ("2 oclock", exact(14, 0, "2 pm")),
        ("ten o clock", exact(10, 0, "10 am")),
        ("ten in the morning", exact(10, 0, "10 am")),
        ("seven in the morning", exact(7, 0, "7 am")),
        ("three in the afternoon", exact(15, 0, "3 pm")),
        ("eight in the evening", exact(20, 0, "8 pm")),
        ("afternoon at 3", exact(15, 0, "3 pm")),
        ("this afternoon at 3", exact(15, 0, "3 pm")),
        ("1 at lunchtime", exact(13, 0, "1 pm")),
        ("morning", window(9, 12, "the morning")),
        ("in the morning", window(9, 12, "the morning")),
        ("this morning", window(9, 12, "the morning")),
        ("afternoon", window(12, 17, "the afternoon")),
        ("this afternoon", window(12, 17, "the afternoon")),
        ("late afternoon", window(15, 17, "late afternoon")),
        ("in the late afternoon", window(15, 17, "late afternoon")),
        ("first thing", window(9, 10, "first thing")),
        ("first thing in the morning", window(9, 10, "first thing")),
        ("lunchtime", window(12, 14, "lunchtime")),
        ("lunch time", window(12, 14, "lunchtime")),
        ("at lunch", window(12, 14, "lunchtime")),
        ("evening", window(17, 20, "the evening")),
        ("tonight", window(17, 20, "the evening")),
        # A date said with the time is ignored here.
        ("tomorrow at ten", exact(10, 0, "10 am")),
        ("next friday afternoon", window(12, 17, "the afternoon")),
    ],
)
def test_resolve_time(text: str, expected: TimeWish) -> None:
    assert resolve_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "blue",
        "asap",
        "now",
        "soon",
        "um",
        "pm",
        "oclock",
        "25:00",
        "10:75",
        "10 75",
        "2 5",
        "13 am",
        "09 pm",
        "0 pm",
        "09:00 in the afternoon",
        "3 am in the afternoon",
        "midnight in the morning",
        "half to four",
        "quarter to",
        "half past",
        "2 30 oclock",
        "2026",
        "tomorrow",
        "next friday",
        "2026-12-03",
        "ten blue",
        "tomorrow at blue",
    ],
)
def test_resolve_time_rejects_what_is_not_a_time(text: str) -> None:
    assert resolve_time(text) is None


def test_time_wish_is_immutable() -> None:
    wish = exact(10, 0, "10 am")
    with pytest.raises(dataclasses.FrozenInstanceError):
        wish.label = "11 am"  # type: ignore[misc]


# ---------------------------------------------------------------- both in one phrase


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow at ten", (D(2026, 11, 30), exact(10, 0, "10 am"))),
        ("at ten tomorrow", (D(2026, 11, 30), exact(10, 0, "10 am"))),
        ("ten tomorrow morning", (D(2026, 11, 30), exact(10, 0, "10 am"))),
        ("tomorrow morning at 10", (D(2026, 11, 30), exact(10, 0, "10 am"))),
        ("tomorrow afternoon", (D(2026, 11, 30), window(12, 17, "the afternoon"))),
        ("first thing tomorrow", (D(2026, 11, 30), window(9, 10, "first thing"))),
        ("next friday afternoon", (D(2026, 12, 4), window(12, 17, "the afternoon"))),
        ("um on the friday please at 3pm", (D(2026, 12, 4), exact(15, 0, "3 pm"))),
        ("monday at half past two", (D(2026, 11, 30), exact(14, 30, "2:30 pm"))),
        ("3rd of december at quarter to four", (D(2026, 12, 3), exact(15, 45, "3:45 pm"))),
        ("the 3rd at 11", (D(2026, 12, 3), exact(11, 0, "11 am"))),
        ("december 3 at 2", (D(2026, 12, 3), exact(14, 0, "2 pm"))),
        ("in two days at 3", (D(2026, 12, 1), exact(15, 0, "3 pm"))),
        ("2026-12-03 15:00", (D(2026, 12, 3), exact(15, 0, "3 pm"))),
        ("day after tomorrow at noon", (D(2026, 12, 1), exact(12, 0, "12 noon"))),
        ("next week late afternoon", (D(2026, 11, 30), window(15, 17, "late afternoon"))),
        ("this afternoon", (D(2026, 11, 29), window(12, 17, "the afternoon"))),
        ("this afternoon at 3", (D(2026, 11, 29), exact(15, 0, "3 pm"))),
        ("tonight", (D(2026, 11, 29), window(17, 20, "the evening"))),
        ("afternoon", (None, window(12, 17, "the afternoon"))),
        ("tomorrow", (D(2026, 11, 30), None)),
        ("10 30", (None, exact(10, 30, "10:30 am"))),
        ("blue", (None, None)),
        ("tomorrow at blue", (None, None)),
        ("blue at ten", (None, None)),
        ("", (None, None)),
    ],
)
def test_split_when(text: str, expected: tuple[datetime.date | None, TimeWish | None]) -> None:
    assert split_when(text, SUNDAY) == expected


def test_resolve_date_and_time_read_a_whole_phrase_the_same_way_as_split_when() -> None:
    text = "next friday at half past two"
    assert split_when(text, SUNDAY) == (D(2026, 12, 4), exact(14, 30, "2:30 pm"))
    assert resolve_date(text, SUNDAY) == D(2026, 12, 4)
    assert resolve_time(text) == exact(14, 30, "2:30 pm")


# ---------------------------------------------------------------- saying it back


@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        (D(2026, 11, 29), D(2026, 11, 29), "today"),
        (D(2026, 11, 30), D(2026, 11, 29), "tomorrow"),
        (D(2026, 12, 1), D(2026, 11, 29), "Tuesday 1 December"),
        (D(2026, 11, 30), D(2026, 11, 28), "Monday 30 November"),
        (D(2027, 1, 4), D(2026, 12, 28), "Monday 4 January"),  # next year but soon: no year
        (D(2027, 12, 3), D(2026, 12, 4), "Friday 3 December 2027"),
        (D(2025, 12, 3), D(2026, 11, 29), "Wednesday 3 December 2025"),
        (D(2026, 11, 1), D(2026, 11, 29), "Sunday 1 November"),
        (D(2027, 1, 1), D(2026, 12, 31), "tomorrow"),
    ],
)
def test_say_date(day: datetime.date, today: datetime.date, expected: str) -> None:
    assert say_date(day, today) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (T(9), "9 am"),
        (T(10, 30), "10:30 am"),
        (T(10, 5), "10:05 am"),
        (T(15), "3 pm"),
        (T(15, 45), "3:45 pm"),
        (T(12), "12 noon"),
        (T(12, 30), "12:30 pm"),
        (T(0), "12 midnight"),
        (T(0, 15), "12:15 am"),
        (T(23, 59), "11:59 pm"),
    ],
)
def test_say_time(at: datetime.time, expected: str) -> None:
    assert say_time(at) == expected


# ---------------------------------------------------------------- the language argument changes nothing in English


@pytest.mark.parametrize("lang", ["en", "en-GB", "zh", "fr"])
def test_english_phrases_read_the_same_with_any_language(lang: str) -> None:
    # Text with English words is English whatever the conversation's language (lobby_wire.lang.detect_lang).
    for text in ("tomorrow at ten", "next friday afternoon", "the 3rd of december", "half past two", "blue"):
        assert split_when(text, SUNDAY, lang) == split_when(text, SUNDAY)
    assert resolve_date("in two days", SUNDAY, lang) == D(2026, 12, 1)
    assert resolve_time("quarter to four", lang) == exact(15, 45, "3:45 pm")


@pytest.mark.parametrize("lang", ["en", "en-GB", "EN", "fr", ""])
def test_say_date_and_time_stay_english_unless_chinese_is_asked_for(lang: str) -> None:
    days = [D(2026, 11, 29), D(2026, 11, 30), D(2026, 12, 1), D(2027, 12, 3)]
    assert [say_date(day, D(2026, 11, 29), lang) for day in days] == [
        "today",
        "tomorrow",
        "Tuesday 1 December",
        "Friday 3 December 2027",
    ]
    assert [say_time(at, lang) for at in (T(9), T(10, 30), T(12), T(0), T(15, 45))] == [
        "9 am",
        "10:30 am",
        "12 noon",
        "12 midnight",
        "3:45 pm",
    ]
