"""`lobby bench remote`: its numbers on known samples, and one tiny run against a real hub.

The statistics are checked on samples whose answer is known (a shuffled 1..21 ms), so a wrong
percentile, an unsorted list or a unit slip fails; the real run (two customers) checks that every
step of every customer was measured, not how fast it was (timings are never asserted: the CPU is
shared). `lobby bench remote` itself, with twenty customers, stays out of the default suite.
"""

from __future__ import annotations

import random

from lobby_tools.bench_remote import bench_remote
from lobby_tools.measure import latency_stats, percentile
from tests.support import ROOT

# 1..21 ms in an order that is not sorted: the median is 11 ms, the 95th percentile 20 ms
# (20 of 21 samples are at or below it), the slowest 21 ms.
MILLISECONDS = random.Random(14).sample(range(1, 22), 21)
SECONDS = [ms / 1000 for ms in MILLISECONDS]
STEPS = ("join_reply", "arrive_post", "call_to_push")


def test_percentile_picks_the_sample_at_that_rank_of_the_sorted_list() -> None:
    assert MILLISECONDS != sorted(MILLISECONDS)
    assert percentile(SECONDS, 0.95) == 0.020
    assert percentile(SECONDS, 0.5) == 0.011
    assert percentile(SECONDS, 0.0) == 0.001
    assert percentile(SECONDS, 1.0) == 0.021
    assert percentile([0.007], 0.95) == 0.007


def test_latency_stats_reports_milliseconds_of_known_samples() -> None:
    assert latency_stats(SECONDS) == {"runs": 21, "p50_ms": 11.0, "p95_ms": 20.0, "max_ms": 21.0}
    assert latency_stats([0.0004, 0.0016]) == {"runs": 2, "p50_ms": 1.0, "p95_ms": 1.6, "max_ms": 1.6}


def test_the_remote_bench_times_join_arrival_and_call_for_every_customer() -> None:
    result = bench_remote(str(ROOT / "branch.yml"), customers=2)["remote"]
    assert result["customers"] == 2
    assert set(result) == {"customers", *STEPS}
    for step in STEPS:
        timing = result[step]
        assert timing["runs"] == 2, (step, timing)  # one sample per customer, none lost or doubled
        assert timing["p50_ms"] > 0 and timing["max_ms"] >= timing["p50_ms"], (step, timing)
