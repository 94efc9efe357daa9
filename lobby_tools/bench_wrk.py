"""`lobby bench hub`: ticket creation measured with wrk, the hub beside a bare Sanic endpoint.

The method of issue 16: the server pinned to one core, wrk to the other (`taskset`), a fixed
duration per run, several runs per point, the median reported. Every request carries its own
idempotency key (the kiosk and the app always send one, so that is the real path). The hub is
measured with an empty line and with a line already `--queue` tickets long, to show whether
creation costs grow with the queue; its CPU time per ticket comes from /proc.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WRK_SCRIPT = """
-- one POST /api/v1/tickets per request, each with its own idempotency key
local run = "{run}"
local services = {{"cash", "cards"}}
local threads = 0
local counter = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  counter = counter + 1
  local body = string.format(
    '{{"service":"%s","channel":"kiosk","idempotency_key":"%s-%d-%d"}}',
    services[counter % 2 + 1], run, tid, counter)
  return wrk.format("POST", "/api/v1/tickets", {{["Content-Type"] = "application/json"}}, body)
end
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True, slots=True)
class WrkRun:
    connections: int
    seconds: float
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers, socket errors and timeouts

    def to_json(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "seconds": self.seconds,
            "requests": self.requests,
            "rate_per_s": round(self.rate, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "errors": self.errors,
        }


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str, connections: int, seconds: float) -> WrkRun:
    """wrk's text report (with --latency) -> a WrkRun."""
    requests = re.search(r"(\d+) requests in ([\d.]+)(\w+),", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", output, re.M))
    if requests is None or rate is None or set(latency) != {"50", "99"}:
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return WrkRun(
        connections, seconds, int(requests[1]), float(rate[1]), _ms(latency["50"]), _ms(latency["99"]), errors
    )


def cpus() -> tuple[str, str] | None:
    """(server core, load core) when this machine has two cores to pin to and taskset, else None."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or shutil.which("taskset") is None:
        return None
    return str(available[0]), str(available[1])


def pinned(command: list[str], core: str | None) -> list[str]:
    return ["taskset", "-c", core, *command] if core is not None else command


def wrk_threads(connections: int, core: str | None) -> int:
    """One wrk thread per core it may use: pinned to one core, a second thread only takes turns with the
    first, and its waits for the core are in the latencies measured (side by side at 16 connections, the
    hub's p99 was 0.5-2 ms lower with one thread: README, "One wrk thread")."""
    usable = 1 if core is not None else len(os.sched_getaffinity(0))
    return max(1, min(connections, usable, 2))


def run_wrk(url: str, connections: int, seconds: float, script: Path, core: str | None) -> WrkRun:
    threads = wrk_threads(connections, core)
    command = pinned(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s",
         "-s", str(script), url],
        core,
    )  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    return parse_wrk(done.stdout, connections, seconds)


def write_script(directory: Path) -> Path:
    """A wrk script whose keys never repeat across runs against one database."""
    path = directory / f"tickets-{uuid.uuid4().hex[:8]}.lua"
    path.write_text(WRK_SCRIPT.format(run=uuid.uuid4().hex[:12]))
    return path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants (the hub's wait projections'
    process among them: living children's time is not in the parent's cutime until reaped), from /proc."""
    ticks = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except (FileNotFoundError, ProcessLookupError):  # ended meanwhile: its time is in its parent's cutime
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        for task in tasks:
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
    return ticks / os.sysconf("SC_CLK_TCK")


def median_run(runs: list[WrkRun]) -> dict[str, Any]:
    """The median run by rate, with every run's rate and p99 beside it (p99 swings more than the rate
    where the database's server shares the cores: the bar is judged on all of them, not one)."""
    ordered = sorted(runs, key=lambda r: r.rate)
    middle = ordered[len(ordered) // 2]
    return {**middle.to_json(), "runs_rate_per_s": [round(r.rate, 1) for r in runs],
            "runs_p99_ms": [r.p99_ms for r in runs],
            "rate_spread": round((ordered[-1].rate - ordered[0].rate) / statistics.median(r.rate for r in runs), 3)
            if middle.rate else None}  # fmt: skip
