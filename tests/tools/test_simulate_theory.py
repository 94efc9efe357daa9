"""The simulator against queueing theory: for M/M/c its mean wait matches Erlang C.

The engine of assistant/simulation/engine.py (real tickets, the FIFO baseline) runs 150,000 customers of
an M/M/3 queue at 60% load from three fixed seeds; the pooled mean wait and the share of customers who
wait at all must be within 5% of Erlang C (the run-to-run spread at this size is about 2%).
"""

from __future__ import annotations

import statistics

import pytest

from lobby_tools.simulation.theory import erlang_c, erlang_c_wait, mm_c_run

SERVERS, ARRIVALS_PER_MINUTE, SERVICE_MINUTES = 3, 0.45, 4.0
CUSTOMERS, SEEDS = 50_000, (1, 2, 3)


def test_erlang_c_by_hand() -> None:
    # M/M/2, a = 1.2: C = (0.72 * 2.5) / (1 + 1.2 + 1.8) = 0.45; W_q = 0.45 / (0.5 - 0.3) = 2.25 minutes
    assert erlang_c(2, 0.3, 4.0) == pytest.approx(0.45)
    assert erlang_c_wait(2, 0.3, 4.0) == pytest.approx(2.25)
    assert erlang_c_wait(1, 0.125, 4.0) == pytest.approx(4.0)  # M/M/1: rho / (mu - lambda)
    with pytest.raises(ValueError):
        erlang_c(2, 0.5, 4.0)  # load 2 on 2 servers: no steady state


def test_the_simulator_matches_erlang_c_for_m_m_c() -> None:
    waits: list[float] = []
    for seed in SEEDS:
        run = mm_c_run(SERVERS, ARRIVALS_PER_MINUTE, SERVICE_MINUTES, CUSTOMERS, seed, "fifo")
        assert all(t.called_at is not None for t in run.tickets.values())  # nobody leaves, everybody is served
        waits += [(t.called_at - t.issued_at).total_seconds() / 60 for t in run.tickets.values() if t.called_at]
    expected = erlang_c_wait(SERVERS, ARRIVALS_PER_MINUTE, SERVICE_MINUTES)
    assert statistics.fmean(waits) == pytest.approx(expected, rel=0.05)
    waited = sum(wait > 0 for wait in waits) / len(waits)
    assert waited == pytest.approx(erlang_c(SERVERS, ARRIVALS_PER_MINUTE, SERVICE_MINUTES), rel=0.05)
