"""What a replay measured, beside what the recorded system achieved (`lobby simulate --replay`)."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.domain.tickets import OrderingPolicy, TicketStatus
from lobby_tools.simulation.engine import QueueRun
from lobby_tools.simulation.replay import Call, ReplayDay, replay
from lobby_tools.simulation.report import EtaSample, eta_stats, percentile, ratio

log = logging.getLogger(__name__)

CITATION = (
    'Guedj & Mandelbaum, "Anonymous Bank" Call-Center Data Documentation, Technion SEE Center '
    "(January and February 1999)"
)
CLASSES = ("priority", "normal")


def _waits(values: Sequence[float], arrivals: int, left: int) -> dict[str, float]:
    return {
        "arrivals": arrivals,
        "served": len(values),
        "abandonment_rate": ratio(left, arrivals),
        "wait_mean": round(statistics.fmean(values), 3) if values else 0.0,
        "wait_p90": round(percentile(values, 0.9), 3),
        "wait_max": round(max(values, default=0.0), 3),
    }


def run_waits(runs: Sequence[QueueRun]) -> dict[str, Any]:
    """Waits (minutes, served tickets) and abandonment, per class and overall, over the days' runs."""
    tickets = [t for run in runs for t in run.tickets.values()]
    out: dict[str, Any] = {}
    for kind in (*CLASSES, "all"):
        mine = [t for t in tickets if kind == "all" or t.priority == kind]
        waits = [
            (t.called_at - t.issued_at).total_seconds() / 60
            for t in mine
            if t.status is TicketStatus.SERVED and t.called_at is not None
        ]
        left = sum(t.status in (TicketStatus.ABANDONED, TicketStatus.NO_SHOW) for t in mine)
        out[kind] = _waits(waits, len(mine), left)
    return out


def recorded_waits(calls: Sequence[Call]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in (*CLASSES, "all"):
        mine = [c for c in calls if kind == "all" or c.klass == kind]
        waits = [c.waited / 60 for c in mine if not c.abandoned]
        out[kind] = _waits(waits, len(mine), sum(c.abandoned for c in mine))
    return out


def replay_report(
    calls: Sequence[Call],
    policy: OrderingPolicy,
    counters: int | None,
    fit: Sequence[Call] = (),
    seed: int = 1,
    source: Path | None = None,
    fit_source: Path | None = None,
    drop_every: int = 0,
) -> dict[str, Any]:
    """Replay every day of `calls`; the report's top-level keys are read by other tools."""
    days: list[ReplayDay] = []
    samples: list[EtaSample] = []
    per_day = []
    for day in replay(calls, policy, counters, fit, seed, drop_every=drop_every):
        days.append(day)
        mine = day.ours.eta_samples()
        samples.extend(mine)
        stats = eta_stats(mine)
        ours, fifo = run_waits([day.ours]), run_waits([day.fifo])
        per_day.append(
            {
                "date": day.day.isoformat(),
                "calls": len(day.ours.tickets),
                "eta_within_range": stats.within_range,
                "eta_mae_minutes": stats.ours_mae,
                "naive_mae_minutes": stats.naive_mae,
                "normal_max_wait": ours["normal"]["wait_max"],
                "normal_max_wait_fifo": fifo["normal"]["wait_max"],
            }
        )
        log.info("replayed %s: %d calls, within %.3f, mae %.3f vs naive %.3f", day.day, len(day.ours.tickets),
                 stats.within_range, stats.ours_mae, stats.naive_mae)  # fmt: skip
    eta = eta_stats(samples)
    ours = run_waits([d.ours for d in days])
    fifo = run_waits([d.fifo for d in days])
    worse = [d for d in per_day if d["normal_max_wait"] > d["normal_max_wait_fifo"] + 1e-9]
    daily_max = {
        who: round(statistics.fmean(d[key] for d in per_day), 3) if per_day else 0.0
        for who, key in (("policy", "normal_max_wait"), ("fifo", "normal_max_wait_fifo"))
    }
    return {
        "replay": str(source) if source else None,
        "fit": str(fit_source) if fit_source else None,
        "data": CITATION,
        "counters": "auto" if counters is None else counters,
        "drop_agents": drop_every or None,
        "seed": seed,
        "days": len(days),
        "calls": sum(len(d.ours.tickets) for d in days),
        "eta_within_range": eta.within_range,
        "eta_within_model_range": eta.within_model,
        "eta_mae_minutes": eta.ours_mae,
        "naive_mae_minutes": eta.naive_mae,
        "eta_mae_vs_naive": eta.mae_ratio,
        "abandonment_rate": ours["all"]["abandonment_rate"],
        "waits": {"policy": ours, "fifo": fifo, "recorded": recorded_waits(calls)},
        "normal_max_wait_worse_than_fifo_days": [d["date"] for d in worse],
        # The day-by-day comparison is mostly chance (README, "Ordering policy: no class starved"); its mean is not.
        "normal_max_wait_mean_of_days": daily_max,
        "eta": asdict(eta),
        "per_day": per_day,
    }


def format_replay(result: dict[str, Any]) -> str:
    eta = result["eta"]
    lines = [
        f"replay of {result['replay']} ({result['days']} days, {result['calls']} calls, counters "
        f"{result['counters']}{_dropped(result)}, learned from {result['fit'] or 'the replayed days only'})",
        f"data: {result['data']}",
        f"ETA: {result['eta_within_range']:.1%} of waits inside the range shown "
        f"({result['eta_within_model_range']:.1%} inside the unrounded p10-p90); "
        f"MAE {result['eta_mae_minutes']:.3f} min vs naive {result['naive_mae_minutes']:.3f} "
        f"({result['eta_mae_vs_naive']:.2f}x); waited >= 1 min: {eta['waited_within_range']:.1%} inside, "
        f"MAE {eta['waited_mae_ratio']:.2f}x naive",
        f"{'':10}{'':10}{'policy':>12}{'fifo':>12}{'recorded':>12}",
    ]
    waits = result["waits"]
    for kind in (*CLASSES, "all"):
        for stat in ("wait_mean", "wait_p90", "wait_max", "abandonment_rate"):
            row = [waits[who][kind][stat] for who in ("policy", "fifo", "recorded")]
            lines.append(f"{kind:10}{stat:18}" + "".join(f"{value:>12g}" for value in row))
    worse = result["normal_max_wait_worse_than_fifo_days"]
    lines.append(f"normal max wait worse than FIFO on {len(worse)} of {result['days']} days {worse or ''}")
    daily = result["normal_max_wait_mean_of_days"]
    lines.append(f"normal max wait, mean of the days: policy {daily['policy']:g}, fifo {daily['fifo']:g} min")
    return "\n".join(lines)


def _dropped(result: dict[str, Any]) -> str:
    every = result.get("drop_agents")
    return f", one agent in {every} left out" if every else ""
