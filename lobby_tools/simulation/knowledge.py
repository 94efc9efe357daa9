"""What the hub would know during a run: the learned statistics and today's observations.

The hub learns its wait model from its database (`assistant.store.history`): handling times,
arrival rates and patience from past days, today's served tickets and arrivals on top. A run
gets the very same: `Knowledge` is built from the records of past days (simulated days before
this one, or a recorded month), and each ETA asks it for the model of this moment, refreshed
every `refresh_minutes` of run time with what the run has seen today, as the hub's cache is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assistant.domain.eta import Calibration, WaitModel
from assistant.domain.eta_stats import (
    ArrivalStats,
    CounterCall,
    DelayStats,
    HandlingStats,
    Issued,
    PatienceStats,
    Served,
    Waited,
    fit_arrivals,
    fit_delays,
    fit_handling,
    fit_patience,
)
from assistant.domain.tickets import OrderingPolicy, TicketStatus
from lobby_tools.simulation.engine import QueueRun

log = logging.getLogger(__name__)

# FIFO runs are forecast with a policy of one class and no share: oldest first.
FIFO_POLICY = OrderingPolicy(classes=(), normal_share=(0, 0), age_boost_minutes=0)


@dataclass(frozen=True, slots=True)
class History:
    """Records of past days, as the hub's database holds them."""

    served: tuple[Served, ...] = ()
    issued: tuple[Issued, ...] = ()
    waited: tuple[Waited, ...] = ()
    calls: tuple[CounterCall, ...] = ()

    def __add__(self, other: History) -> History:
        return History(
            self.served + other.served, self.issued + other.issued, self.waited + other.waited, self.calls + other.calls
        )


def history_of(run: QueueRun) -> History:
    """A finished run as the database would keep it."""
    zone = run.setup.zone
    issued, waited, calls = [], [], []
    for ticket in run.tickets.values():
        local = ticket.issued_at.astimezone(zone)
        issued.append(Issued(local.date(), local.hour, ticket.service_id, str(ticket.priority)))
        if ticket.counter_id and ticket.called_at is not None and ticket.finished_at is not None:
            minute = _minute_of(run)
            calls.append(
                CounterCall(ticket.counter_id, local.date(), minute(ticket.issued_at), minute(ticket.called_at),
                            minute(ticket.finished_at))
            )  # fmt: skip
        if ticket.called_at is not None:
            waited.append(Waited((ticket.called_at - ticket.issued_at).total_seconds() / 60, False))
        elif ticket.status is TicketStatus.ABANDONED and ticket.finished_at is not None:
            waited.append(Waited((ticket.finished_at - ticket.issued_at).total_seconds() / 60, True))
    return History(tuple(run.served_log), tuple(issued), tuple(waited), tuple(calls))


def _minute_of(run: QueueRun) -> Callable[[datetime], float]:
    return lambda moment: (moment - run.setup.start).total_seconds() / 60


@dataclass
class Knowledge:
    """A `Forecaster` for runs: the past fitted once, today folded in every `refresh_minutes`."""

    policy: OrderingPolicy
    handling: HandlingStats
    arrivals: ArrivalStats
    patience: PatienceStats
    delays: DelayStats
    naive: Mapping[str, float]
    calibration: Calibration = field(default_factory=Calibration)
    refresh_minutes: float = 10.0
    learn_patience_today: bool = False
    _cached: tuple[float, WaitModel] | None = None

    @classmethod
    def learn(
        cls,
        history: History,
        policy: OrderingPolicy,
        seeds: Mapping[str, float],
        skills: Mapping[str, Mapping[str, float]],
        calibration: Calibration | None = None,
    ) -> Knowledge:
        handling = fit_handling(history.served, seeds, skills)
        naive = {service: handling.minutes(service) for service in seeds}
        return cls(
            policy=policy,
            handling=handling,
            arrivals=fit_arrivals(history.issued),
            patience=fit_patience(history.waited),
            delays=fit_delays(history.calls),
            naive=naive,
            calibration=calibration or Calibration(),
            learn_patience_today=not history.waited,
        )

    def naive_handling(self, service_id: str) -> float:
        return self.naive.get(service_id, 5.0)

    def model(self, run: QueueRun) -> WaitModel:
        if self._cached is not None and run.minute - self._cached[0] < self.refresh_minutes:
            return self._cached[1]
        now = run.clock.now()
        local = now.astimezone(run.setup.zone)
        handling = self.handling.with_today(run.served_log)
        arrivals = self.arrivals.with_today(
            local.weekday(), list(_hours(run)), run.issued, max(run.minute - run.setup.opens, 0.0)
        )
        patience = self.patience
        if self.learn_patience_today:
            patience = fit_patience(history_of(run).waited)
        policy = self.policy if isinstance(run.policy, OrderingPolicy) else FIFO_POLICY
        model = WaitModel(policy, handling, arrivals, patience, self.delays, self.calibration)
        self._cached = (run.minute, model)
        return model


def _hours(run: QueueRun) -> Iterable[tuple[int, float]]:
    """(branch-local hour, share of it) from the run's opening to now."""
    zone = run.setup.zone
    moment = run.at_minute(run.setup.opens)
    now = run.clock.now()
    while moment < now:
        local = moment.astimezone(zone)
        hour_end = moment + timedelta(minutes=60 - local.minute - local.second / 60)
        stop = min(hour_end, now)
        yield local.hour, (stop - moment).total_seconds() / 3600
        moment = stop
