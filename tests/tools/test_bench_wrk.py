"""`lobby bench hub`'s wrk plumbing: reading wrk's report, the median run, and one real wrk run against
the bare endpoint (the benchmark itself is run by hand: `lobby bench hub`)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from lobby.supervisor import Managed
from lobby_tools import bench_wrk
from lobby_tools.measure import free_port

REPORT = """Running 5s test @ http://127.0.0.1:41131/api/v1/tickets
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    77.81ms   64.06ms 533.88ms   93.00%
    Req/Sec   120.90     31.41   190.00     68.00%
  Latency Distribution
     50%   61.13ms
     75%   81.52ms
     90%  102.15ms
     99%    1.32s
  1176 requests in 5.00s, 822.20KB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    235.37
Transfer/sec:    164.44KB
"""


def test_wrk_report_is_read_with_units_and_every_kind_of_error() -> None:
    run = bench_wrk.parse_wrk(REPORT, 16, 5)
    assert (run.requests, run.rate, run.p50_ms, run.p99_ms) == (1176, 235.37, 61.13, 1320.0)
    assert run.errors == 4 + 1 + 2
    with pytest.raises(ValueError, match="unexpected wrk output"):
        bench_wrk.parse_wrk("wrk: connection refused", 16, 5)


def test_the_median_run_is_the_middle_rate_with_the_spread() -> None:
    runs = [
        bench_wrk.WrkRun(16, 5, n, rate, 1, p99, 0) for n, rate, p99 in ((1, 300.0, 9), (2, 100.0, 40), (3, 200.0, 7))
    ]
    median = bench_wrk.median_run(runs)
    assert median["rate_per_s"] == 200.0 and median["requests"] == 3 and median["p99_ms"] == 7
    assert median["runs_rate_per_s"] == [300.0, 100.0, 200.0] and median["rate_spread"] == 1.0
    assert median["runs_p99_ms"] == [9, 40, 7]


def test_every_request_of_a_script_has_its_own_idempotency_key(tmp_path: Path) -> None:
    first, second = bench_wrk.write_script(tmp_path), bench_wrk.write_script(tmp_path)
    assert first != second and first.read_text() != second.read_text()  # a fresh run prefix per script


def test_wrk_runs_one_thread_per_core_it_is_pinned_to() -> None:
    assert bench_wrk.wrk_threads(16, "1") == 1  # pinned: a second thread would only take turns on the core
    assert bench_wrk.wrk_threads(1, None) == 1
    unpinned = bench_wrk.wrk_threads(16, None)
    assert unpinned == min(2, len(os.sched_getaffinity(0)))


def test_one_real_wrk_run_against_the_bare_endpoint(tmp_path: Path) -> None:
    assert shutil.which("wrk"), "wrk is not installed (make setup installs it)"
    port = free_port()
    command = [sys.executable, "-m", "lobby_tools.bench_bare", "--port", str(port)]
    server = Managed("bare", command, f"http://127.0.0.1:{port}/healthz", Path.cwd(), log_path=tmp_path / "log")
    server.start()
    try:
        server.wait_healthy(30)
        script = bench_wrk.write_script(tmp_path)
        run = bench_wrk.run_wrk(f"http://127.0.0.1:{port}/api/v1/tickets", 2, 1, script, None)
    finally:
        server.stop()
    assert run.requests > 0 and run.errors == 0 and 0 < run.p50_ms <= run.p99_ms


def test_server_cpu_counts_a_living_child_process() -> None:
    """The hub's wait projections run in a child it keeps: the bench's CPU per ticket must include it.

    Parent and child live until the test ends them (under a loaded machine the child's 1 s of CPU may
    take many seconds of wall time: a parent that left early would orphan it and the count would miss it)."""
    import signal
    import subprocess
    import time

    busy_child = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    end = time.process_time() + 1.0\n"
        "    while time.process_time() < end: pass\n"
        "    time.sleep(120)\n"
        "    os._exit(0)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", busy_child], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while bench_wrk.cpu_seconds(parent.pid) < 0.6 and time.monotonic() < deadline:
            time.sleep(0.05)
        # the parent itself only sleeps (a few hundredths of a second); /proc counts in ticks, so a margin
        assert bench_wrk.cpu_seconds(parent.pid) >= 0.6
    finally:
        os.killpg(parent.pid, signal.SIGKILL)  # the child too
        parent.wait()
