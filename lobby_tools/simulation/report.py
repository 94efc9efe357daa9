"""What a run measured: waits per class, abandonment, ETA accuracy."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.domain.eta import WaitEstimate, Wording
from assistant.domain.kpi import percentile as kpi_percentile
from assistant.domain.tickets import Ticket, TicketStatus


@dataclass(frozen=True, slots=True)
class EtaSample:
    """One ticket: the estimate shown at issue, the naive one, and the wait it really had (minutes)."""

    ours: WaitEstimate
    naive: float
    actual: float
    priority: str = ""


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
    """ETA accuracy over served tickets that were given an estimate at issue.

    `within_range`: share of actual waits inside the range shown (whole minutes, [lo, hi]);
    `within_model`: inside the unrounded [p10, p90]; `ours_mae`: mean absolute error of the point
    estimate (the median); `naive_mae`: of position x handling time / open skilled counters;
    bias = mean of (estimate - actual). `waited_*`: the same over tickets that waited a minute or more.
    `under`/`over`: shares of estimates said as "less than N" / "over N" minutes.
    """

    samples: int
    within_range: float
    within_model: float
    ours_mae: float
    ours_bias: float
    naive_mae: float
    naive_bias: float
    mae_ratio: float
    mean_width: float
    waited_samples: int
    waited_within_range: float
    waited_mae_ratio: float
    under: float
    over: float


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
    """The dashboard's nearest-rank percentile (`assistant.domain.kpi.percentile`); 0 for no values."""
    return kpi_percentile(values, fraction) or 0.0


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
        abandonment_rate=ratio(left, len(mine)),
        wait_mean=round(statistics.fmean(waits), 2) if waits else 0.0,
        wait_p90=round(percentile(waits, 0.9), 2),
        wait_max=round(max(waits, default=0.0), 2),
    )


def inside(sample: EtaSample) -> bool:
    low, high = sample.ours.shown()
    return low <= sample.actual <= high


def eta_stats(samples: Sequence[EtaSample]) -> EtaStats:
    given = [s for s in samples if math.isfinite(s.ours.point)]
    if not given:
        return EtaStats(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.0)
    ours_mae = mean([abs(s.ours.point - s.actual) for s in given])
    naive_mae = mean([abs(s.naive - s.actual) for s in given])
    waited = [s for s in given if s.actual >= 1]
    waited_ratio = (
        mean([abs(s.ours.point - s.actual) for s in waited]) / mean([abs(s.naive - s.actual) for s in waited])
        if waited and any(s.naive != s.actual for s in waited)
        else 0.0
    )
    wordings = [s.ours.wording() for s in given]
    return EtaStats(
        samples=len(given),
        within_range=ratio(sum(inside(s) for s in given), len(given)),
        within_model=ratio(sum(s.ours.low <= s.actual <= s.ours.high for s in given), len(given)),
        ours_mae=round(ours_mae, 3),
        ours_bias=round(mean([s.ours.point - s.actual for s in given]), 3),
        naive_mae=round(naive_mae, 3),
        naive_bias=round(mean([s.naive - s.actual for s in given]), 3),
        mae_ratio=round(ours_mae / naive_mae, 4) if naive_mae else 0.0,
        mean_width=round(mean([s.ours.shown()[1] - s.ours.shown()[0] for s in given]), 2),
        waited_samples=len(waited),
        waited_within_range=ratio(sum(inside(s) for s in waited), len(waited)),
        waited_mae_ratio=round(waited_ratio, 4),
        under=ratio(sum(w is Wording.UNDER for w in wordings), len(given)),
        over=ratio(sum(w is Wording.OVER for w in wordings), len(given)),
    )


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
