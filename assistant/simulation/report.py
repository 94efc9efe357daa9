"""What a simulated day measured: waits per class, abandonment, ETA accuracy."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.domain.tickets import Ticket, TicketStatus


@dataclass(frozen=True, slots=True)
class EtaSample:
    """One served ticket: the ETAs shown when it was issued, and the wait it really had."""

    ours: tuple[int, int]  # eta_range with the smoothed handling time
    static: tuple[int, int]  # eta_range with branch.yml's handling time (isolates the smoothing)
    naive: float  # position x configured handling minutes / open counters
    actual: float


@dataclass(frozen=True, slots=True)
class ClassStats:
    """Waits (issue -> call) of the served tickets of one priority class, in minutes."""

    priority: str
    arrivals: int
    served: int
    abandoned: int  # cancelled or no-show when called
    waiting_at_close: int
    abandonment_rate: float
    wait_mean: float
    wait_p90: float
    wait_max: float


@dataclass(frozen=True, slots=True)
class EtaStats:
    """ETA mean absolute error (minutes) over served tickets that got an ETA from every estimator.

    `ours` uses the midpoint of the range; `within_range` is the share of actual
    waits inside [lo, hi]; bias is the mean of (estimate - actual).
    """

    samples: int
    ours_mae: float
    ours_bias: float
    static_mae: float
    naive_mae: float
    naive_bias: float
    within_range: float


@dataclass(frozen=True, slots=True)
class SimulationReport:
    day: str
    policy: str
    seed: int
    arrivals: int
    served: int
    abandoned: int
    no_show: int
    waiting_at_close: int
    abandonment_rate: float
    utilization: float  # busy minutes / open minutes over all counters
    classes: tuple[ClassStats, ...]
    eta: EtaStats

    def by_class(self, priority: str) -> ClassStats:
        return next(c for c in self.classes if c.priority == priority)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def wait_minutes(ticket: Ticket) -> float:
    assert ticket.called_at is not None
    return (ticket.called_at - ticket.issued_at).total_seconds() / 60


def class_stats(priority: str, tickets: Sequence[Ticket]) -> ClassStats:
    mine = [t for t in tickets if t.priority == priority]
    waits = [wait_minutes(t) for t in mine if t.status is TicketStatus.SERVED]
    left = sum(t.status in (TicketStatus.ABANDONED, TicketStatus.NO_SHOW) for t in mine)
    return ClassStats(
        priority=priority,
        arrivals=len(mine),
        served=len(waits),
        abandoned=left,
        waiting_at_close=sum(t.status is TicketStatus.WAITING for t in mine),
        abandonment_rate=_ratio(left, len(mine)),
        wait_mean=round(statistics.fmean(waits), 2) if waits else 0.0,
        wait_p90=round(percentile(waits, 0.9), 2),
        wait_max=round(max(waits, default=0.0), 2),
    )


def eta_stats(samples: Sequence[EtaSample]) -> EtaStats:
    if not samples:
        return EtaStats(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

    def mid(estimate: tuple[int, int]) -> float:
        return (estimate[0] + estimate[1]) / 2

    def mean(values: list[float]) -> float:
        return round(statistics.fmean(values), 2)

    return EtaStats(
        samples=len(samples),
        ours_mae=mean([abs(mid(s.ours) - s.actual) for s in samples]),
        ours_bias=mean([mid(s.ours) - s.actual for s in samples]),
        static_mae=mean([abs(mid(s.static) - s.actual) for s in samples]),
        naive_mae=mean([abs(s.naive - s.actual) for s in samples]),
        naive_bias=mean([s.naive - s.actual for s in samples]),
        within_range=_ratio(sum(s.ours[0] <= s.actual <= s.ours[1] for s in samples), len(samples)),
    )


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
