"""Opening hours as the assistant says them."""

from __future__ import annotations

import pytest

from assistant.domain.hours import describe_hours, say_clock


@pytest.mark.parametrize(
    ("hhmm", "said"), [("09:00", "9 am"), ("12:00", "12 noon"), ("17:30", "5:30 pm"), ("00:15", "12:15 am")]
)
def test_clock_times_read_aloud(hhmm: str, said: str) -> None:
    assert say_clock(hhmm) == said


def test_runs_of_equal_days_are_grouped_and_gaps_split_them() -> None:
    week = {d: ("09:00", "17:00") for d in ("mon", "tue", "wed", "fri")}
    week["sat"] = ("10:00", "13:00")
    assert describe_hours(week) == "Monday to Wednesday 9 am to 5 pm, Friday 9 am to 5 pm, Saturday 10 am to 1 pm"
    assert describe_hours({"sat": ("10:00", "12:00"), "sun": ("10:00", "12:00")}) == (
        "Saturday and Sunday 10 am to 12 noon"
    )
    assert describe_hours({}) == "closed every day"


def test_open_from_opening_time_until_closing_time() -> None:
    from datetime import datetime

    from assistant.domain.hours import is_open

    hours = {"mon": ("09:00", "17:00"), "sat": ("10:00", "13:00")}
    assert not is_open(hours, datetime(2026, 11, 30, 8, 59))  # a Monday
    assert is_open(hours, datetime(2026, 11, 30, 9, 0)) and is_open(hours, datetime(2026, 11, 30, 16, 59))
    assert not is_open(hours, datetime(2026, 11, 30, 17, 0))  # closing time is closed
    assert not is_open(hours, datetime(2026, 12, 1, 12, 0))  # Tuesday: not in the hours
    assert is_open(hours, datetime(2026, 12, 5, 12, 30))  # Saturday
