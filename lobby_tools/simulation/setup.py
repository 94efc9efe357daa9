"""What a run is made of: its customers, its counters and the day's frame (`engine.QueueRun` runs them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ["Customer", "Desk", "RunSetup"]


@dataclass(frozen=True, slots=True)
class Customer:
    """One visitor: when they come, what for, how long they would wait, how much work they bring."""

    index: int
    arrive_minute: float
    service_id: str
    priority: str
    patience_minutes: float  # math.inf: never leaves (appointments)
    silent: bool
    work_minutes: float  # service duration at a counter with full skill


@dataclass(frozen=True, slots=True)
class Desk:
    """A counter of the run: its skills and the windows (minutes from the start) it works. `planned`:
    the windows the hub knows of (its schedule), when they differ from the real ones (a replay's
    agents step away unannounced); the ETA sees only these."""

    id: str
    skills: Mapping[str, float]
    windows: tuple[tuple[float, float], ...]
    planned: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True, slots=True)
class RunSetup:
    start: datetime  # minute 0
    zone: ZoneInfo
    business_date: date
    desks: tuple[Desk, ...]
    prefixes: Mapping[str, str]  # service -> ticket prefix
    doors_close: float  # minute after which nobody arrives
    end: float  # minute at which counters stop
    slowdown: float = 1.0
    no_show_minutes: float = 1.0
    expected: tuple[tuple[float, str], ...] = ()  # known future arrivals (minute, service): appointments
    day_label: str = ""
    opens: float = 0.0  # minute the doors open (today's arrival rate counts from it)
    # A replay's windows are when the recorded agents were there; one who serves past a window's end
    # (a longer customer than the recorded one) is away that much longer later, so the run keeps the
    # recorded capacity. A branch day does not: a teller finishes the last customer and leaves.
    keep_presence: bool = False
    classes: tuple[str, ...] = ("appointment", "priority", "normal")
