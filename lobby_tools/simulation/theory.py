"""Queueing theory the simulator is checked against: Erlang C for M/M/c.

With Poisson arrivals (rate `arrival_rate`), exponential services (mean `service_minutes`), `servers`
identical servers, FIFO and nobody leaving, the mean wait in the queue is

    W_q = C(c, a) / (c * mu - lambda),   a = lambda / mu,
    C(c, a) = (a^c / c! * c / (c - a)) / (sum_{k < c} a^k / k! + a^c / c! * c / (c - a)),

C being the probability that an arrival waits at all (Erlang, 1917; any queueing text, e.g.
Gross & Harris, *Fundamentals of Queueing Theory*, section 2.3). `mm_c_run` builds that system
for the engine of `engine.py`; tests/test_simulate_theory.py compares the two.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime

from lobby_tools.simulation.engine import Policy, QueueRun
from lobby_tools.simulation.setup import Customer, Desk, RunSetup


def erlang_c(servers: int, arrival_rate: float, service_minutes: float) -> float:
    """The probability that an arrival has to wait (rates per minute)."""
    load = arrival_rate * service_minutes
    if load >= servers:
        raise ValueError("unstable: the load must be below the number of servers")
    term = load**servers / math.factorial(servers) * servers / (servers - load)
    below = sum(load**k / math.factorial(k) for k in range(servers))
    return term / (below + term)


def erlang_c_wait(servers: int, arrival_rate: float, service_minutes: float) -> float:
    """The mean wait in the queue (minutes) of M/M/c."""
    waits = erlang_c(servers, arrival_rate, service_minutes)
    return waits / (servers / service_minutes - arrival_rate)


def mm_c_run(
    servers: int, arrival_rate: float, service_minutes: float, customers: int, seed: int, policy: Policy
) -> QueueRun:
    """An M/M/c day for the engine: one service, one class, counters always open, nobody leaves."""
    rng = random.Random(seed)
    drawn, moment = [], 0.0
    for index in range(customers):
        moment += rng.expovariate(arrival_rate)
        drawn.append(Customer(index, moment, "s", "normal", math.inf, False, rng.expovariate(1 / service_minutes)))
    forever = moment * 2 + 10_000  # minutes: the counters outlast every customer
    setup = RunSetup(
        start=datetime(2026, 1, 5, tzinfo=UTC),
        zone=UTC,  # type: ignore[arg-type]
        business_date=date(2026, 1, 5),
        desks=tuple(Desk(f"c{n}", {"s": 1.0}, ((0.0, forever),)) for n in range(servers)),
        prefixes={"s": "S"},
        doors_close=moment + 1,
        end=forever,
        slowdown=0.0,
        classes=("normal",),
    )
    return QueueRun(setup, policy, drawn).run()
