"""`lobby simulate`: run a simulated branch day with the ordering policy and with
FIFO on the very same customers, print both side by side and write JSON.

    lobby simulate --day demo [--seed N] [--runs K] [--out FILE]

`--runs K` repeats the day for seeds N .. N+K-1 and also reports the means:
one day is one draw, and the policies' differences on a single day are noisy.
The model and its assumptions are in assistant/simulation/engine.py.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.settings import Settings, load_settings
from assistant.simulation import FIFO, DayDefinition, SimulationReport, load_day, policy_from_settings, simulate_day

log = logging.getLogger(__name__)

__all__ = ["add_simulate_parser", "cmd_simulate", "compare", "simulate_day"]

# (label, how to read it off a report) for the summary and the printed table.
METRICS: tuple[tuple[str, Callable[[SimulationReport], float]], ...] = (
    ("arrivals", lambda r: r.arrivals),
    ("served", lambda r: r.served),
    ("abandonment rate", lambda r: r.abandonment_rate),
    ("waiting at close", lambda r: r.waiting_at_close),
    ("utilization", lambda r: r.utilization),
    *(
        (f"{kind} wait {stat}", lambda r, kind=kind, stat=stat: getattr(r.by_class(kind), f"wait_{stat}"))
        for kind in ("appointment", "priority", "normal")
        for stat in ("mean", "p90", "max")
    ),
    ("normal abandonment rate", lambda r: r.by_class("normal").abandonment_rate),
    ("eta mae ours (range midpoint)", lambda r: r.eta.ours_mae),
    ("eta mae ours unsmoothed", lambda r: r.eta.static_mae),
    ("eta mae naive", lambda r: r.eta.naive_mae),
    ("eta within our range", lambda r: r.eta.within_range),
)


def _summary(reports: Sequence[SimulationReport]) -> dict[str, float]:
    return {label: round(statistics.fmean(read(r) for r in reports), 4) for label, read in METRICS}


def compare(settings: Settings, day: DayDefinition, seed: int, runs: int = 1) -> dict[str, Any]:
    """Both policies on seeds seed .. seed+runs-1: every report plus the means."""
    policy = policy_from_settings(settings)
    pairs = [
        (simulate_day(settings, day, policy, each), simulate_day(settings, day, FIFO, each))
        for each in range(seed, seed + runs)
    ]
    ours, fifo = [p for p, _ in pairs], [f for _, f in pairs]
    normal_max = [(p.by_class("normal").wait_max, f.by_class("normal").wait_max) for p, f in pairs]
    return {
        "simulate": day.name,
        "seeds": [seed, seed + runs - 1],
        "at": datetime.now(UTC).isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "summary": {"policy": _summary(ours), "fifo": _summary(fifo)},
        "normal_max_wait_policy_vs_fifo": {
            "better": sum(p < f for p, f in normal_max),
            "equal": sum(p == f for p, f in normal_max),
            "worse": sum(p > f for p, f in normal_max),
        },
        "runs": [{"seed": p.seed, "policy": p.to_json(), "fifo": f.to_json()} for p, f in pairs],
    }


def format_table(result: dict[str, Any]) -> str:
    first, last = result["seeds"]
    seeds = f"seed {first}" if first == last else f"seeds {first}..{last}, means"
    lines = [f"simulated day {result['simulate']} ({seeds})", f"{'':32}{'policy':>10}{'fifo':>10}"]
    for label, _ in METRICS:
        lines.append(f"{label:32}{result['summary']['policy'][label]:>10g}{result['summary']['fifo'][label]:>10g}")
    versus = result["normal_max_wait_policy_vs_fifo"]
    lines.append(f"normal max wait, policy vs fifo: {versus['better']} better, {versus['equal']} equal, "
                 f"{versus['worse']} worse")
    return "\n".join(lines)


def cmd_simulate(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    day = load_day(settings, args.day)
    result = compare(settings, day, args.seed, args.runs)
    out = Path(args.out or f"bench/simulate-{day.name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(format_table(result))
    print(f"written to {out}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_simulate_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    simulate = command("simulate", cmd_simulate, "simulate a branch day: ordering policy vs FIFO; writes JSON")
    simulate.add_argument("--day", default="demo", help="simulations/DAY.yml or a path (default demo)")
    simulate.add_argument("--seed", type=int, default=1, help="random seed of the day's customers (default 1)")
    simulate.add_argument("--runs", type=_positive, default=1, help="repeat with the next seeds and report means")
    simulate.add_argument("--out", default=None, help="output file (default bench/simulate-DAY.json)")
