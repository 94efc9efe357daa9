"""Counter schedules, break cover and uncovered services (assistant/domain/schedule.py), and the end
of a branch day (assistant/domain/closing.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.domain.closing import day_over, last_open_day
from assistant.domain.errors import InvalidInput
from assistant.domain.schedule import CounterSchedule, cover_skills, uncovered

LONDON = ZoneInfo("Europe/London")
HOURS = {"mon": ["09:00", "17:00"], "tue": ["09:00", "17:00"], "sat": ["10:00", "13:00"]}
TUESDAY = date(2026, 3, 10)


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LONDON)


def test_shifts_minus_breaks_every_open_day() -> None:
    plan = CounterSchedule.build("c1", [["08:30", "12:00"], ["13:00", "17:30"]], [["10:30", "10:45"]], HOURS)
    assert plan.day_windows(TUESDAY, LONDON) == [
        (at(TUESDAY, "08:30"), at(TUESDAY, "10:30")),
        (at(TUESDAY, "10:45"), at(TUESDAY, "12:00")),
        (at(TUESDAY, "13:00"), at(TUESDAY, "17:30")),
    ]
    assert plan.day_windows(TUESDAY + timedelta(days=1), LONDON) == []  # the branch is closed on Wednesdays
    assert plan.works_at(at(TUESDAY, "11:00"), LONDON) and not plan.works_at(at(TUESDAY, "10:35"), LONDON)


def test_no_shifts_means_the_opening_hours_and_per_weekday_shifts() -> None:
    assert CounterSchedule.build("c2", (), (), HOURS).day_windows(TUESDAY, LONDON) == [
        (at(TUESDAY, "09:00"), at(TUESDAY, "17:00"))
    ]
    saturday = TUESDAY + timedelta(days=4)
    plan = CounterSchedule.build("c3", {"sat": [["10:00", "12:00"]]}, (), HOURS)
    assert plan.day_windows(saturday, LONDON) == [(at(saturday, "10:00"), at(saturday, "12:00"))]
    assert plan.day_windows(TUESDAY, LONDON) == []
    with pytest.raises(InvalidInput):
        CounterSchedule.build("c4", {"someday": [["10:00", "12:00"]]}, (), HOURS)
    with pytest.raises(InvalidInput):
        CounterSchedule.build("c4", [["12:00", "10:00"]], (), HOURS)


def test_availability_from_now_and_after_a_break_from_the_console() -> None:
    plan = CounterSchedule.build("c1", (), [["13:00", "13:30"]], HOURS)
    now = at(TUESDAY, "12:40")
    assert plan.availability(now, at(TUESDAY, "18:00"), LONDON) == [
        (now, at(TUESDAY, "13:00")),
        (at(TUESDAY, "13:30"), at(TUESDAY, "17:00")),
    ]
    back = at(TUESDAY, "14:15")  # "on break until 14:15"
    assert plan.availability(now, at(TUESDAY, "18:00"), LONDON, back) == [(back, at(TUESDAY, "17:00"))]


def test_break_cover_raises_the_best_side_skill_while_the_main_counter_is_away() -> None:
    skills = {"c1": {"cash": 1.0, "payments": 1.0}, "c2": {"cards": 1.0, "cash": 0.5}, "c3": {"cash": 0.25}}
    assert cover_skills(skills, ["c1", "c2", "c3"])["c2"]["cash"] == 0.5  # c1 is there: a side skill
    covered = cover_skills(skills, ["c2", "c3"])  # c1 on a break
    assert covered["c2"]["cash"] == 1.0 and covered["c3"]["cash"] == 0.25
    assert covered["c1"] == skills["c1"]  # a closed counter keeps its skills as configured


def test_uncovered_services_are_those_waiting_with_no_open_counter() -> None:
    skills = {"c1": {"cash": 1.0, "payments": 1.0}, "c2": {"cards": 1.0, "cash": 0.5}}
    waiting = {"cash": 3, "payments": 2, "cards": 0}
    assert uncovered(waiting, skills, ["c1", "c2"]) == []
    assert uncovered(waiting, skills, ["c2"]) == ["payments"]  # cash is covered by c2's side skill
    assert uncovered(waiting, skills, []) == ["cash", "payments"]


def test_the_day_is_over_after_closing_and_overtime() -> None:
    assert not day_over(HOURS, at(TUESDAY, "17:10"), LONDON, 30)
    assert day_over(HOURS, at(TUESDAY, "17:30"), LONDON, 30)
    assert day_over(HOURS, at(TUESDAY + timedelta(days=1), "11:00"), LONDON, 30)  # closed on Wednesdays
    assert last_open_day(TUESDAY, over=False) == TUESDAY - timedelta(days=1)
    assert last_open_day(TUESDAY, over=True) == TUESDAY
