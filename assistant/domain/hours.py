"""Opening hours said the way a person says them ("Monday to Friday 9 am to 5 pm").

Pure formatting over `branch.opening_hours` ({"mon": ["09:00", "17:00"], ...});
days missing from the mapping are closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


def say_clock(hhmm: str) -> str:
    """'09:00' -> '9 am', '17:30' -> '5:30 pm', '12:00' -> '12 noon'."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    if (hour, minute) == (12, 0):
        return "12 noon"
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown} {suffix}" if minute == 0 else f"{shown}:{minute:02d} {suffix}"


def _day_span(days: Sequence[str]) -> str:
    if len(days) == 1:
        return DAY_NAMES[days[0]]
    if len(days) == 2:
        return f"{DAY_NAMES[days[0]]} and {DAY_NAMES[days[1]]}"
    return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"


def day_groups(opening_hours: Mapping[str, Sequence[str]]) -> list[tuple[list[str], tuple[str, str]]]:
    """Runs of consecutive open days with the same hours, Monday first: [(["mon", "tue"], ("09:00", "17:00")), ...].

    The one grouping rule behind every language's wording of the hours (`describe_hours`, `assistant.i18n`)."""
    groups: list[tuple[list[str], tuple[str, str]]] = []
    for day in DAYS:
        span = opening_hours.get(day)
        if not span:
            continue
        hours = (str(span[0]), str(span[1]))
        previous = groups[-1] if groups else None
        if previous and previous[1] == hours and DAYS.index(previous[0][-1]) == DAYS.index(day) - 1:
            previous[0].append(day)
        else:
            groups.append(([day], hours))
    return groups


def describe_hours(opening_hours: Mapping[str, Sequence[str]]) -> str:
    """Runs of consecutive days with the same hours, e.g.
    'Monday to Wednesday 9 am to 5 pm, Thursday 9 am to 7 pm, Friday 9 am to 5 pm, Saturday 10 am to 1 pm'.
    """
    groups = day_groups(opening_hours)
    if not groups:
        return "closed every day"
    return ", ".join(f"{_day_span(days)} {say_clock(a)} to {say_clock(b)}" for days, (a, b) in groups)


def is_open(opening_hours: Mapping[str, Sequence[str]], local: datetime) -> bool:
    """Is the branch open at `local` (a time in the branch's timezone)? Closing time itself is closed."""
    span = opening_hours.get(DAYS[local.weekday()])
    if not span:
        return False
    moment = local.strftime("%H:%M")
    return str(span[0]) <= moment < str(span[1])
