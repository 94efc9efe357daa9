"""`lobby bench remote` runs against a real hub and times every step for every customer."""

from __future__ import annotations

from assistant.bench_remote import bench_remote
from tests.support import ROOT


def test_the_remote_bench_times_join_arrival_and_call() -> None:
    result = bench_remote(str(ROOT / "branch.yml"), customers=2)["remote"]
    assert result["customers"] == 2
    for step in ("join_reply", "arrive_post", "call_to_push"):
        timing = result[step]
        assert 0 < timing["p50_ms"] <= timing["p95_ms"] <= timing["max_ms"], (step, timing)
