"""`lobby simulate --replay`: a recorded queue fed through the real policy and ETA (assistant/simulation/replay.py).

The recorded queue here is synthetic and small (two mornings of three agents, written by an exact FIFO
model in this file, in the Anonymous Bank CSV columns), so the test is fast and needs no data set: the
real months are a CLI run (README, "Wait estimates"). Replayed with FIFO, the recorded system must come
out again (same agents, same service times, same patience); the report must carry the keys other tools read.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import random
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.domain.tickets import OrderingPolicy
from assistant.settings import ConfigError
from lobby_tools.simulate import add_simulate_parser
from lobby_tools.simulation.engine import QueueRun
from lobby_tools.simulation.replay import (
    agent_skills,
    by_day,
    day_customers,
    day_desks,
    day_setup,
    fit_patience,
    presence,
    read_calls,
    recorded_history,
    replay,
)
from tests.support import ROOT

AGENTS = ("ANA", "BEN", "CAROL")
COLUMNS = ("date", "arrival", "q_time", "outcome", "ser_time", "priority", "type", "server", "queued")


def recorded_month(path: Path, days: int = 2, seed: int = 7) -> list[dict[str, Any]]:
    """Mornings of a FIFO queue with three agents: each call goes to the first free agent, or hangs up
    when its patience runs out first."""
    rng = random.Random(seed)
    rows = []
    for day in range(days):
        free = [(8 * 3600.0, name) for name in AGENTS]
        heapq.heapify(free)
        moment = 8 * 3600.0
        while True:
            moment += rng.expovariate(1 / 50)  # a call every 50 s
            if moment > 11 * 3600:
                break
            service = rng.expovariate(1 / 130)
            patience = rng.expovariate(1 / 240)
            at, agent = free[0]
            wait = max(0.0, at - moment)
            kind, priority = ("NW", 0) if rng.random() < 0.3 else ("PS", rng.choice((1, 2)))
            row = {"date": f"1999-03-0{day + 1}", "arrival": int(moment), "type": kind, "priority": priority}
            if wait > patience:
                row.update(q_time=int(patience), outcome="HANG", ser_time="", server="NO_SERVER", queued=1)
            else:
                heapq.heapreplace(free, (moment + wait + service, agent))
                row.update(q_time=int(wait), outcome="AGENT", ser_time=int(service), server=agent, queued=int(wait > 0))
            rows.append(row)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("replay") / "calls-synthetic.csv"
    recorded_month(path)
    return path


def test_replayed_with_fifo_the_recorded_queue_comes_out_again(month: Path) -> None:
    calls = read_calls(month)
    curve, skills = fit_patience(recorded_history(calls).waited), agent_skills(calls)
    for day, today in by_day(calls).items():
        assert set(presence(today)) == set(AGENTS)
        customers = day_customers(today, curve, random.Random(1))
        run = QueueRun(day_setup(day, today, day_desks(today, None, skills), "x"), "fifo", customers).run()
        ours = run.report(1)
        recorded_waits = [c.waited / 60 for c in today if not c.abandoned]
        assert ours.served == len(recorded_waits)
        assert ours.abandoned == sum(c.abandoned for c in today)
        assert ours.by_class("normal").served + ours.by_class("priority").served == ours.served
        replayed = [(t.called_at - t.issued_at).total_seconds() / 60 for t in run.tickets.values() if t.called_at]
        assert statistics.fmean(replayed) == pytest.approx(statistics.fmean(recorded_waits), abs=0.05)


def test_fewer_counters_longer_waits(month: Path) -> None:
    calls = read_calls(month)
    policy = OrderingPolicy()
    one = next(replay(calls, policy, 1))
    three = next(replay(calls, policy, 3))
    assert one.ours.report(1).abandonment_rate > three.ours.report(1).abandonment_rate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lobby")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        made = sub.add_parser(name, help=help_text)
        made.add_argument("--config", default=str(ROOT / "branch.yml"))
        made.set_defaults(handler=handler)
        return made

    add_simulate_parser(sub, command)
    return parser


def test_the_replay_command_writes_the_keys_other_tools_read(
    month: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = _parser()
    out = tmp_path / "replay.json"
    args = parser.parse_args(["simulate", "--replay", str(month), "--counters", "auto", "--json", str(out)])
    assert args.handler(args) == 0
    result = json.loads(out.read_text())
    assert result["calls"] == len(read_calls(month)) and result["days"] == 2
    for key in ("eta_within_range", "abandonment_rate"):
        assert 0 <= result[key] <= 1
    assert result["eta_mae_minutes"] >= 0 and result["naive_mae_minutes"] > 0
    assert result["eta_within_range"] > 0.6 and result["eta_mae_minutes"] < result["naive_mae_minutes"]
    assert set(result["waits"]) == {"policy", "fifo", "recorded"}
    assert "inside the range shown" in capsys.readouterr().out
    missing = parser.parse_args(["simulate", "--replay", str(tmp_path / "none.csv")])
    with pytest.raises(Exception, match="no recorded queue"):
        missing.handler(missing)


def test_rows_that_are_not_calls_are_left_out_and_named(month: Path, tmp_path: Path) -> None:
    """A month nobody here has seen: a bad row costs that row, and the report says which."""
    rows = month.read_text().splitlines()
    bad = [
        "1999-03-01,abc,30,AGENT,100,0,PS,ANA,1",  # garbled arrival
        "1999-03-01,30000,0,PHANTOM,,0,PS,NO_SERVER,0",  # not a call that reached the queue
        "1999-03-01,190000,10,HANG,,0,PS,NO_SERVER,1",  # two days on: not a clock
        ",30000,10,HANG,,0,PS,NO_SERVER,1",  # no date
        "1999-03-01,30000,-5,HANG,,0,PS,NO_SERVER,1",  # a negative wait
    ]
    odd = tmp_path / "calls-odd.csv"
    odd.write_text("\n".join([rows[0], *rows[1:40], *bad, *rows[40:]]) + "\n")
    skipped: list[str] = []
    calls = read_calls(odd, skipped)
    assert len(calls) == len(read_calls(month)) and len(skipped) == len(bad)
    assert skipped[0].startswith("line 41: arrival 'abc'") and "PHANTOM" in skipped[1]
    assert "more than a day past midnight" in skipped[2] and "date ''" in skipped[3] and "q_time '-5'" in skipped[4]

    out = tmp_path / "odd.json"
    args = _parser().parse_args(["simulate", "--replay", str(odd), "--json", str(out)])
    assert args.handler(args) == 0
    result = json.loads(out.read_text())
    assert result["calls"] == len(calls) and result["rows_left_out"] == {"replay": 5, "fit": 0}
    assert len(result["rows_left_out_first"]["replay"]) == 5


def test_the_raw_files_date_and_clock_forms_read_as_the_cleaned_ones(month: Path, tmp_path: Path) -> None:
    cleaned = month.read_text().splitlines()
    raw = [cleaned[0]]
    for line in cleaned[1:]:
        day, arrival, *rest = line.split(",")
        seconds = int(arrival)
        clock = f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        raw.append(",".join([day[2:].replace("-", ""), clock, *rest]))
    path = tmp_path / "calls-raw-forms.csv"
    path.write_text("\n".join(raw) + "\n")
    assert read_calls(path) == read_calls(month)


def test_a_file_that_is_not_a_month_of_calls_is_a_clear_error(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("when,who\n1,2\n")
    args = _parser().parse_args(["simulate", "--replay", str(wrong)])
    with pytest.raises(ConfigError, match="no column date, arrival"):
        args.handler(args)
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(COLUMNS) + "\n" + "1999-03-01,x,0,AGENT,1,0,PS,ANA,0\n")
    args = _parser().parse_args(["simulate", "--replay", str(empty)])
    with pytest.raises(ConfigError, match="no call to replay"):
        args.handler(args)


def test_a_busier_month_leaves_out_every_kth_agent_and_waits_grow(month: Path) -> None:
    calls = read_calls(month)
    skills = agent_skills(calls)
    today = by_day(calls)[min(by_day(calls))]
    assert [d.id for d in day_desks(today, None, skills, drop_every=2)] == ["ANA", "CAROL"]
    assert [d.id for d in day_desks(today, None, skills, drop_every=3)] == ["ANA", "BEN"]
    policy = OrderingPolicy()
    recorded = next(replay(calls, policy, None, eta=False)).fifo.report(1)
    thinned = next(replay(calls, policy, None, eta=False, drop_every=3)).fifo.report(1)
    assert thinned.abandonment_rate > recorded.abandonment_rate


def test_the_replay_command_takes_some_days_and_fewer_agents(
    month: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = _parser()
    out = tmp_path / "busier.json"
    args = parser.parse_args(
        ["simulate", "--replay", str(month), "--days", "2", "--drop-agents", "3", "--json", str(out)]
    )
    assert args.handler(args) == 0
    result = json.loads(out.read_text())
    on_day_two = [c for c in read_calls(month) if c.day.day == 2]
    assert (result["days"], result["calls"]) == (1, len(on_day_two))
    assert (result["drop_agents"], result["replayed_days"]) == (3, [2, 2])
    assert "counters auto, one agent in 3 left out" in capsys.readouterr().out
    for wrong in (["--days", "9-1"], ["--days", "x"], ["--drop-agents", "1"]):
        with pytest.raises(SystemExit):
            parser.parse_args(["simulate", "--replay", str(month), *wrong])
    for wrong in (["--days", "20-25"], ["--counters", "2", "--drop-agents", "2"]):
        bad = parser.parse_args(["simulate", "--replay", str(month), *wrong])
        with pytest.raises(ConfigError):
            bad.handler(bad)
