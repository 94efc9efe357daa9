"""`lobby simulate`: a simulated branch day, or a recorded queue replayed, through the real ordering
policy and the hub's ETA.

    lobby simulate --day demo [--seed N] [--runs K] [--out FILE]
    lobby simulate --replay CSV --counters N|auto [--fit CSV] [--seed N] [--json PATH]

`--day`: the ordering policy and FIFO on the very same customers, side by side; `--runs K` repeats
the day for seeds N .. N+K-1 and reports the means (one day is one draw). `--replay`: every day of
a recorded month (assistant/simulation/replay.py), the ETA learned from `--fit` (another month) and
then from each replayed day, against what the recorded system achieved. The models and their
assumptions are in assistant/simulation/engine.py.
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
from typing import TYPE_CHECKING, Any

from assistant.settings import ConfigError, Settings, load_settings

if TYPE_CHECKING:  # the simulation (and the domain under it) loads when a simulation runs, not with `lobby`
    from lobby_tools.simulation import DayDefinition, SimulationReport
    from lobby_tools.simulation.replay import Call

log = logging.getLogger(__name__)

__all__ = ["add_simulate_parser", "cmd_simulate", "compare"]

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
    ("eta within range shown", lambda r: r.eta.within_range),
    ("eta within p10-p90", lambda r: r.eta.within_model),
    ("eta mae ours (median)", lambda r: r.eta.ours_mae),
    ("eta mae naive", lambda r: r.eta.naive_mae),
    ("eta mae ours / naive", lambda r: r.eta.mae_ratio),
    ("eta range width", lambda r: r.eta.mean_width),
)


def _summary(reports: Sequence[SimulationReport]) -> dict[str, float]:
    summary = {label: round(statistics.fmean(read(r) for r in reports), 4) for label, read in METRICS}
    naive = statistics.fmean(r.eta.naive_mae for r in reports)
    pooled = statistics.fmean(r.eta.ours_mae for r in reports) / naive if naive else 0.0
    summary["eta mae ours / naive (pooled)"] = round(pooled, 4)
    summary["eta within range shown (worst run)"] = min(r.eta.within_range for r in reports)
    return summary


def compare(settings: Settings, day: DayDefinition, seed: int, runs: int = 1) -> dict[str, Any]:
    """Both policies on seeds seed .. seed+runs-1: every report plus the means."""
    from lobby_tools.simulation import FIFO, policy_from_settings, simulate_day

    policy = policy_from_settings(settings)
    # FIFO is the baseline of the waits; the ETA is measured under the policy the hub runs.
    pairs = [
        (simulate_day(settings, day, policy, each), simulate_day(settings, day, FIFO, each, eta=False))
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
    lines = [f"simulated day {result['simulate']} ({seeds})", f"{'':36}{'policy':>10}{'fifo':>10}"]
    for label in result["summary"]["policy"]:
        lines.append(f"{label:36}{result['summary']['policy'][label]:>10g}{result['summary']['fifo'][label]:>10g}")
    versus = result["normal_max_wait_policy_vs_fifo"]
    lines.append(f"normal max wait, policy vs fifo: {versus['better']} better, {versus['equal']} equal, "
                 f"{versus['worse']} worse")  # fmt: skip
    return "\n".join(lines)


def _write(result: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out}")


def cmd_simulate(args: argparse.Namespace) -> int:
    from lobby_tools.simulation import load_day

    settings = load_settings(args.config)
    if args.replay:
        return _cmd_replay(args, settings)
    day = load_day(settings, args.day)
    result = compare(settings, day, args.seed, args.runs)
    print(format_table(result))
    _write(result, Path(args.json or args.out or f"bench/simulate-{day.name}.json"))
    return 0


def _cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from lobby_tools.simulation import policy_from_settings
    from lobby_tools.simulation.replay import RecordsError, read_calls
    from lobby_tools.simulation.replay_report import format_replay, replay_report

    source = Path(args.replay)
    fit = Path(args.fit) if args.fit else None
    for path in (source, fit):
        if path is not None and not path.is_file():
            raise ConfigError(f"no recorded queue at {path} (see ../shared/data/anonymous-bank/README.md)")
    counters = None if args.counters == "auto" else int(args.counters)
    if args.drop_agents and counters is not None:
        raise ConfigError("--drop-agents leaves out recorded agents: it needs --counters auto")
    left_out: dict[str, list[str]] = {"replay": [], "fit": []}
    try:
        calls = _on_days(read_calls(source, left_out["replay"]), args.days, source)
        fitted = _on_days(read_calls(fit, left_out["fit"]), args.fit_days, fit) if fit else []
    except RecordsError as exc:
        raise ConfigError(str(exc)) from None
    policy = policy_from_settings(settings)
    result = replay_report(calls, policy, counters, fitted, args.seed, source, fit, args.drop_agents or 0)
    result["replayed_days"] = list(args.days) if args.days else None
    result["at"] = datetime.now(UTC).isoformat()
    # Rows that were not calls or did not read (each named by its line): the report says what it left out.
    result["rows_left_out"] = {name: len(rows) for name, rows in left_out.items()}
    result["rows_left_out_first"] = {name: rows[:10] for name, rows in left_out.items() if rows}
    print(format_replay(result))
    if any(left_out.values()):
        print("rows left out: " + ", ".join(f"{name} {len(rows)}" for name, rows in left_out.items() if rows))
    _write(result, Path(args.json or args.out or f"bench/replay-{source.stem}.json"))
    return 0


def _on_days(calls: list[Call], days: tuple[int, int] | None, path: Path | None) -> list[Call]:
    """The calls of days FIRST..LAST of the month (all without `days`); none left is an error."""
    if days is None:
        return calls
    first, last = days
    kept = [call for call in calls if first <= call.day.day <= last]
    if not kept:
        raise ConfigError(f"{path}: no call on days {first}-{last}")
    return kept


def _day_span(text: str) -> tuple[int, int]:
    """'8-11' (days of the month, inclusive) or '8'."""
    first, _, last = text.partition("-")
    try:
        span = int(first), int(last or first)
    except ValueError:
        span = (0, 0)
    if not 1 <= span[0] <= span[1] <= 31:
        raise argparse.ArgumentTypeError(f"days of the month as FIRST-LAST, e.g. 8-11: {text!r}")
    return span


def _at_least(minimum: int, message: str) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum`."""

    def read(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(message)
        return value

    read.__name__ = "whole number"  # argparse's word for a value that is not one: "invalid whole number value"
    return read


_positive = _at_least(1, "must be at least 1")
_every = _at_least(2, "every K-th agent: K is at least 2")


def _counters(text: str) -> str:
    if text != "auto" and not (text.isdigit() and int(text) >= 1):
        raise argparse.ArgumentTypeError("a number of counters, or auto")
    return text


def add_simulate_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    simulate = command(
        "simulate", cmd_simulate, "simulate a branch day (policy vs FIFO) or replay a recorded queue; writes JSON"
    )
    simulate.add_argument("--day", default="demo", help="simulations/DAY.yml or a path (default demo)")
    simulate.add_argument("--seed", type=int, default=1, help="random seed of the day's customers (default 1)")
    simulate.add_argument("--runs", type=_positive, default=1, help="repeat with the next seeds and report means")
    simulate.add_argument("--replay", default=None, help="a recorded month (CSV as ../shared/data/anonymous-bank/)")
    simulate.add_argument(
        "--counters",
        type=_counters,
        default="auto",
        help="replay: N counters serving everything, or auto: the recorded agents (default)",
    )
    simulate.add_argument("--fit", default=None, help="replay: another month the ETA learns from first")
    simulate.add_argument("--days", type=_day_span, default=None, help="replay: only days FIRST-LAST of the month")
    simulate.add_argument("--fit-days", type=_day_span, default=None, help="replay: only these days of --fit")
    simulate.add_argument(
        "--drop-agents",
        type=_every,
        default=None,
        metavar="K",
        help="replay, a busier month: leave out every K-th of each day's recorded agents (4: a quarter)",
    )
    simulate.add_argument("--json", default=None, help="output file (default bench/simulate-DAY.json, "
                          "bench/replay-NAME.json)")  # fmt: skip
    simulate.add_argument("--out", default=None, help=argparse.SUPPRESS)  # the older name of --json
