"""What the wait model reads and says: the queue snapshot, counters, expected arrivals, an estimate, its wording."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import NormalDist
from zoneinfo import ZoneInfo

from assistant.domain.tickets import Priority, Ticket

RECENT_CALLS = 8  # as many call classes as the hub reads back for the share rule
HORIZON = timedelta(hours=10)
VIRTUAL = "~"  # id prefix of the projection's expected arrivals
# id prefix of a ghost: a ticket that takes its place in line but no counter's time ("what would a
# ticket taken now wait?"); the others' estimates are exactly what they are without it.
GHOST = "ghost-"
NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class CounterNow:
    """A counter as the model sees it. `windows`: when it takes customers from now on (the first one
    may start now); none at all: it will not serve again in the horizon. `serving`: the service of
    the customer at it now, since `since`."""

    id: str
    skills: Mapping[str, float]
    windows: tuple[tuple[datetime, datetime], ...]
    serving: str | None = None
    since: datetime | None = None
    idle_since: datetime | None = None  # not serving: finished its last customer (or opened) then


@dataclass(frozen=True, slots=True)
class Expected:
    """A customer known to be coming (a booked appointment checking in around its start)."""

    at: datetime
    service_id: str
    priority: str = Priority.APPOINTMENT


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    now: datetime
    zone: ZoneInfo
    waiting: Sequence[Ticket]
    counters: Sequence[CounterNow]
    recent: Sequence[str] = ()  # classes of the latest calls, oldest first
    doors_close: datetime | None = None  # no walk-ins after this
    expected: Sequence[Expected] = ()


class Wording(StrEnum):
    """How the range is said: "5-10 min", "less than 5 min", "over 40 min"."""

    RANGE = "range"
    UNDER = "under"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    """Minutes until called: `low`/`high` the 10th/90th percentile, `point` the median."""

    low: float
    point: float
    high: float
    # More than one run in ten never reached it before the counters stop today: the high end is the end
    # of their day, and the honest words are "more than `low` minutes".
    open_ended: bool = False

    def shown(self) -> tuple[int, int]:
        """Whole minutes for the customer: [floor(p10), ceil(p90)], at least one minute apart."""
        low = max(0, math.floor(self.low))
        return low, max(low + 1, math.ceil(self.high))

    def wording(self, wide_ratio: float = 2.5, wide_minutes: float = 20) -> Wording:
        """Under N when the range starts at 0; over N when it is too wide to mean anything
        (the high end more than `wide_ratio` times the low and `wide_minutes` beyond it)."""
        low, high = self.shown()
        if self.open_ended and low > 0:
            return Wording.OVER
        if low == 0:
            return Wording.UNDER
        if high > wide_ratio * low and high - low > wide_minutes:
            return Wording.OVER
        return Wording.RANGE

    def to_json(self) -> dict[str, object]:
        low, high = self.shown()
        return {"low": low, "high": high, "point": round(self.point, 1), "wording": str(self.wording())}


@dataclass(frozen=True, slots=True)
class Calibration:
    """How the model spreads its runs; fitted on recorded queues (README, "Wait estimates")."""

    runs: int = 40  # projections per estimate: the quantiles are read off their call times
    # Chosen on January 1999 (days 8-14, README "Wait estimates"), checked on February and the demo day:
    # (0.15, 0.30) held 76.7% inside [p10, p90], (0.30, 0.50) 76.6% with a lower MAE; 0.5/0.5 and 0.3/1.0
    # were not better. They widen the range by what the learned times and today's level do not know.
    handling_sd: float = 0.3  # log-sd of one run's handling-time factor (the learned times' own error)
    arrival_sd: float = 0.5  # log-sd of one run's arrival-level factor (today's rate is an estimate)
    seed: int = 0  # the same snapshot gives the same estimate (no jitter between refreshes)
