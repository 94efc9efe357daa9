"""What the wait model learns (assistant/domain/eta_stats.py): robust handling times, arrivals per
weekday and hour at today's level, patience, counter delays."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from assistant.domain.eta_stats import (
    ArrivalStats,
    CounterCall,
    DelayStats,
    Issued,
    Served,
    Waited,
    fit_arrivals,
    fit_delays,
    fit_handling,
    fit_patience,
    log_fit,
)

MONDAY = date(2026, 3, 9)


def lognormal(rng: random.Random, mean: float, cv: float) -> float:
    sigma = math.sqrt(math.log1p(cv * cv))
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def test_a_robust_fit_ignores_forgotten_finishes() -> None:
    rng = random.Random(3)
    times = [lognormal(rng, 4.0, 0.5) for _ in range(400)]
    clean = log_fit(times)
    polluted = log_fit(times + [180.0] * 8 + [0.05] * 8)  # 4 % forgotten or double-pressed "finish"
    assert clean is not None and polluted is not None
    assert clean.mean == pytest.approx(4.0, rel=0.1) and clean.cv == pytest.approx(0.5, rel=0.2)
    assert polluted.mean == pytest.approx(clean.mean, rel=0.1)  # a plain mean moves to 7.3 minutes
    assert sum(times + [180.0] * 8) / 408 > 7


def test_handling_per_service_counter_and_hour_with_shrinkage() -> None:
    rng = random.Random(5)
    served = [Served("cash", "c1", 10, lognormal(rng, 3.0, 0.5)) for _ in range(300)]
    served += [Served("cash", "c2", 10, lognormal(rng, 6.0, 0.5)) for _ in range(300)]  # a slower teller
    served += [Served("cash", "c1", 12, lognormal(rng, 3.0 * 1.5, 0.5)) for _ in range(150)]  # lunch: longer
    stats = fit_handling(served, {"cash": 4.0, "loans": 25.0}, {"c3": {"loans": 1.0, "cash": 0.5}})
    assert stats.minutes("cash", "c2", 10) > 1.6 * stats.minutes("cash", "c1", 10)
    assert stats.minutes("cash", "c1", 12) > 1.25 * stats.minutes("cash", "c1", 10)
    assert stats.minutes("loans") == 25.0  # no history: the configured seed
    assert stats.minutes("cash", "c3") == pytest.approx(2 * stats.minutes("cash"))  # a side skill, no history
    few = fit_handling([Served("cash", "c9", 9, 30.0)], {"cash": 4.0}, {})
    assert few.minutes("cash", "c9", 9) < 8  # one odd customer does not make a 30-minute counter


def test_today_follows_a_slow_day() -> None:
    stats = fit_handling([], {"cards": 7.0}, {})
    today = stats.with_today([Served("cards", "c2", 10, 10.5) for _ in range(12)])
    assert 8.5 < today.minutes("cards") < 11
    assert stats.with_today([]).minutes("cards") == 7.0


def test_arrivals_per_weekday_and_hour_at_todays_level() -> None:
    mondays = [MONDAY + timedelta(days=7 * week) for week in range(4)]
    issued = [Issued(day, 11, "cash", "normal") for day in mondays for _ in range(30)]
    issued += [Issued(day + timedelta(days=1), 11, "cash", "normal") for day in mondays for _ in range(6)]
    stats = fit_arrivals(issued)
    assert stats.rate(0, 11, "cash", "normal") == pytest.approx(0.5)  # 30 an hour on Mondays
    assert stats.rate(1, 11, "cash", "normal") == pytest.approx(0.1)
    assert stats.rate(0, 15, "cash", "normal") == 0.0
    busy = stats.with_today(0, [(11, 1.0)], [("cash", "normal")] * 60, 60)  # twice the usual Monday
    assert 1.4 < busy.level < 2.0
    total, shares, kinds = busy.mix(0, 11)
    assert total == pytest.approx(0.5 * busy.level) and shares[-1] == pytest.approx(1.0) and kinds
    fresh = ArrivalStats().with_today(0, [(9, 0.5)], [("cash", "normal")] * 20, 40)
    assert fresh.rate(0, 9, "cash", "normal") == pytest.approx(0.5)  # no history: today's own rate


def test_patience_is_kaplan_meier_with_called_tickets_censored() -> None:
    # ten customers: half leave after 10 minutes, the others were called after 5 (censored)
    waits = [Waited(10, True)] * 5 + [Waited(5, False)] * 5
    curve = fit_patience(waits)
    assert curve.still_waiting(4) == 1.0 and curve.still_waiting(11) == pytest.approx(0.0, abs=0.01)
    assert fit_patience([Waited(3, False)] * 10).still_waiting(100) == 1.0  # nobody ever left
    assert curve.stays(0, 9) == 1.0 and curve.stays(0, 12) < 0.05


def test_counter_delays_from_consecutive_calls() -> None:
    calls = []
    for day in range(5):
        clock = 0.0
        for _ in range(10):  # a ticket waiting at each finish: called 0.5 min later
            calls.append(CounterCall("c1", MONDAY + timedelta(days=day), clock - 1, clock, clock + 4))
            clock += 4.5
        for _ in range(10):  # idle counter; each ticket called 2 minutes after it came
            calls.append(CounterCall("c1", MONDAY + timedelta(days=day), clock + 3, clock + 5, clock + 9))
            clock += 9
    delays = fit_delays(calls)
    assert delays.draw_turnaround(0.5) == pytest.approx(0.5)
    assert delays.draw_pickup(0.5) == pytest.approx(2.0)
    assert DelayStats().draw_pickup(0.9) == 0.0
    assert delays.draw_pickup(0.5, waited=1.0) == pytest.approx(1.0)  # 2 in all, 1 already waited
