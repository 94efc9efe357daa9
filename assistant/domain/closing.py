"""The end of a branch day: when it is over, and what is left to close (assistant/web/end_of_day.py).

Pure: the caller gives the clock, the hours and the tickets' days.

* A day is over `overtime_minutes` after closing time (the counters serve who is inside until then),
  or at once on a day the branch does not open.
* A ticket still in line (waiting or parked) leaves unserved (`Ticket.close_unserved`, outcome
  `branch_closed`) once its day is over; a ticket of an earlier day always (the hub may have been
  down at closing): yesterday's line never counts in today's waits.
* A booked appointment nobody checked in for is a no-show once its check-in window has closed
  (the store's query: started more than the window's late minutes ago).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.domain.schedule import DAYS, clock


def day_over(
    opening_hours: Mapping[str, Sequence[str]], now: datetime, zone: ZoneInfo, overtime_minutes: float
) -> bool:
    """Is today's business over at `now` (closing time + overtime passed, or no opening today)?"""
    local = now.astimezone(zone)
    span = opening_hours.get(DAYS[local.weekday()])
    if not span:
        return True
    closes = datetime.combine(local.date(), clock(str(span[1])), tzinfo=zone)
    return now >= closes + timedelta(minutes=overtime_minutes)


def last_open_day(today: date, over: bool) -> date:
    """Tickets of days up to this one are closed now: yesterday's always, today's once the day is over."""
    return today if over else today - timedelta(days=1)
