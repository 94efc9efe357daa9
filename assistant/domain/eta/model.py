"""The wait model: learned fits plus the projection runs that turn a queue snapshot into estimates."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from assistant.domain.eta.projection import _lines, _minutes, _quantile, _Run, _Shared
from assistant.domain.eta.values import HORIZON, Calibration, QueueSnapshot, WaitEstimate
from assistant.domain.eta_stats import ArrivalStats, DelayStats, HandlingStats, PatienceStats
from assistant.domain.tickets import OrderingPolicy


@dataclass(frozen=True, slots=True)
class WaitModel:
    policy: OrderingPolicy
    handling: HandlingStats
    arrivals: ArrivalStats = field(default_factory=ArrivalStats)
    patience: PatienceStats = field(default_factory=PatienceStats)
    delays: DelayStats = field(default_factory=DelayStats)
    calibration: Calibration = field(default_factory=Calibration)

    def estimate(self, snapshot: QueueSnapshot, only: str | None = None) -> dict[str, WaitEstimate | None]:
        """Every waiting ticket's estimate (None: most runs do not reach it within the horizon).
        `only`: just that ticket (each run stops as soon as it is called)."""
        cal = self.calibration
        lines = _lines(snapshot)
        wanted = [t.id for t in snapshot.waiting if only is None or t.id == only]
        waits: dict[str, list[float]] = {ticket_id: [] for ticket_id in wanted}
        horizon = _minutes(HORIZON)
        shared = _Shared()
        for run in range(cal.runs):
            # Each run its own stream: a run stopped early (`only`) draws what the full one drew up to there.
            rng = random.Random(cal.seed * 1_000_003 + run)
            handling = math.exp(rng.gauss(0, cal.handling_sd)) if cal.handling_sd > 0 else 1.0
            level = math.exp(rng.gauss(0, cal.arrival_sd)) if cal.arrival_sd > 0 else 1.0
            called = _Run(self, snapshot, lines, rng, handling, level, only, shared).run()
            for ticket_id in wanted:
                waits[ticket_id].append(called.get(ticket_id, horizon))
        last = max((_minutes(b - snapshot.now) for c in snapshot.counters for _, b in c.windows[-1:]), default=0.0)
        out: dict[str, WaitEstimate | None] = {}
        for ticket_id, values in waits.items():
            values.sort()
            low, point, high = (_quantile(values, q) for q in (0.1, 0.5, 0.9))
            if point >= horizon:
                out[ticket_id] = None
            elif high >= horizon:
                out[ticket_id] = WaitEstimate(low, point, max(low + 1, min(horizon, last)), open_ended=True)
            else:
                out[ticket_id] = WaitEstimate(low, point, high)
        return out
