"""Replay a recorded queue (`lobby simulate --replay CSV`) through the real ordering policy and ETA.

The records are the "Anonymous Bank" call-centre months (Guedj & Mandelbaum, *"Anonymous Bank"
Call-Center Data Documentation*, Technion SEE Center; README of ../shared/data/anonymous-bank/):
one row per call with its arrival, wait, outcome, service time, priority, type and agent.

What is fed, what is measured
    Every recorded call arrives when it did, for its type (a service), in its class (priority 1-2:
    "priority", 0: "normal"), brings its recorded service time (whoever serves it) and its patience:
    an abandoned call leaves after the wait it recorded; a served call's patience is only known to
    be longer than its wait, so it is drawn from the month's Kaplan-Meier patience curve beyond that
    (seeded). The engine of `engine.py` runs it with the ordering policy (and FIFO, the baseline)
    and every ticket gets the hub's ETA at issue from a `WaitModel` learned like the hub's: from
    past days (`--fit` CSV, then each replayed day once it is over) and today so far. A served
    ticket's wait in the replay is compared with the range and point it was given.

Counters
    `auto`: each agent is a counter working the spans of the day it was serving in the records
    (gaps of more than `BREAK_GAP` minutes are breaks), serving every type, its own usual types
    (>= MAIN_SHARE of its calls in the month) as main skills. `N`: N counters serving every type
    from the day's first call to an hour after its last. A busier month than the records, for a stress
    (`--drop-agents K`): every K-th of the day's agents (by name) is left out; the others keep their
    recorded spans, so the same calls meet 1/K less staff.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import logging
import math
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.domain.eta import Calibration
from assistant.domain.eta_stats import CounterCall, Issued, PatienceStats, Served, Waited, fit_patience
from assistant.domain.tickets import OrderingPolicy
from lobby_tools.simulation.engine import Policy, QueueRun
from lobby_tools.simulation.knowledge import History, Knowledge, history_of
from lobby_tools.simulation.setup import Customer, Desk, RunSetup

log = logging.getLogger(__name__)

ZONE = ZoneInfo("UTC")  # the records are local clock times; no zone changes inside a month
BREAK_GAP = 30.0  # minutes without a call that split an agent's day into shifts
QUEUE_TOLERANCE = 1 / 60  # a recorded call waiting this long while an agent paused: the agent was away
MAIN_SHARE = 0.02  # a type is an agent's main skill from this share of its calls
SIDE_SKILL = 0.5
DEFAULT_MINUTES = 3.0  # a type's handling minutes before any history (no --fit)
TYPES = ("PS", "PE", "IN", "NE", "NW", "TT")
PREFIXES = {"PS": "P", "PE": "E", "IN": "I", "NE": "S", "NW": "N", "TT": "T"}


@dataclass(frozen=True, slots=True)
class Call:
    day: date
    arrival: float  # seconds since midnight
    waited: float  # seconds in the queue
    abandoned: bool
    service_seconds: float
    priority: int
    kind: str
    server: str | None

    @property
    def klass(self) -> str:
        return "priority" if self.priority > 0 else "normal"

    @property
    def started(self) -> float:
        return self.arrival + self.waited


COLUMNS = ("date", "arrival", "q_time", "outcome", "ser_time", "priority", "type", "server")
OUTCOMES = {"AGENT": False, "HANG": True}


class RecordsError(ValueError):
    """A recorded month that cannot be replayed (no such columns, no call in it)."""


def read_calls(path: Path, skipped: list[str] | None = None) -> list[Call]:
    """The rows of one cleaned month (see the data's README for the columns).

    A month nobody here has seen may hold a row that is not a call (another outcome, a time a day past
    midnight) or that does not read (a blank or garbled field): such a row is left out, said in the log
    and, where `skipped` is given, listed there ("line N: why"), so one bad row of thirty thousand costs
    that row, not the replay. A file without the columns, or without one call, is an error. The raw
    files' forms (dates YYMMDD, times H:MM:SS) read as the cleaned ones."""
    calls, problems = [], [] if skipped is None else skipped
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise RecordsError(f"{path}: no column {', '.join(missing)} (the columns: {', '.join(COLUMNS)})")
        for row in reader:
            try:
                calls.append(_call(row))
            except (ValueError, TypeError) as exc:
                problems.append(f"line {reader.line_num}: {exc}")
    if problems:
        log.warning("%s: %d rows left out, e.g. %s", path, len(problems), "; ".join(problems[:3]))
    if not calls:
        raise RecordsError(f"{path}: no call to replay ({len(problems)} rows left out)")
    calls.sort(key=lambda c: (c.day, c.arrival))
    return calls


def _call(row: Mapping[str, str | None]) -> Call:
    def text(column: str) -> str:
        return (row.get(column) or "").strip()

    outcome = text("outcome").upper()
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome {outcome or 'blank'!r} is not AGENT or HANG")
    arrival, waited = _seconds(text("arrival"), "arrival"), _seconds(text("q_time") or "0", "q_time")
    service = _seconds(text("ser_time") or "0", "ser_time")
    if arrival >= 2 * 86_400:  # a call of 23:59 may be logged at 24:00:02; a whole day later is not a clock
        raise ValueError(f"arrival {arrival:g} s is more than a day past midnight")
    kind, server = text("type").upper(), text("server")
    return Call(
        day=_day(text("date")),
        arrival=arrival,
        waited=waited,
        abandoned=OUTCOMES[outcome],
        service_seconds=service,
        priority=int(float(text("priority") or 0)),
        kind=kind if kind in PREFIXES else "PS",
        server=None if server in ("", "NO_SERVER") else server,
    )


def _seconds(value: str, column: str) -> float:
    """Seconds as a number, or a clock time H:MM:SS (the raw files' form)."""
    try:
        if ":" in value:
            hours, minutes, seconds = (float(part) for part in value.split(":"))
            number = hours * 3600 + minutes * 60 + seconds
        else:
            number = float(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a number of seconds") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{column} {value!r} is not a number of seconds")
    return number


def _day(value: str) -> date:
    """YYYY-MM-DD, or the raw files' YYMMDD."""
    try:
        if len(value) == 6 and value.isdigit():
            year = int(value[:2])
            return date(year + (1900 if year >= 50 else 2000), int(value[2:4]), int(value[4:]))
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"date {value!r} is not YYYY-MM-DD") from None


def by_day(calls: Iterable[Call]) -> dict[date, list[Call]]:
    days: dict[date, list[Call]] = defaultdict(list)
    for call in calls:
        days[call.day].append(call)
    return dict(sorted(days.items()))


def recorded_history(calls: Iterable[Call]) -> History:
    """Recorded calls as the hub's database would hold them: served, issued, waited."""
    served, issued, waited, at_counters = [], [], [], []
    for call in calls:
        issued.append(Issued(call.day, int(call.arrival // 3600) % 24, call.kind, call.klass))
        waited.append(Waited(call.waited / 60, call.abandoned))
        if not call.abandoned and call.server is not None:
            hour = int(call.started // 3600) % 24
            served.append(Served(call.kind, call.server, hour, call.service_seconds / 60))
            at_counters.append(
                CounterCall(call.server, call.day, call.arrival / 60, call.started / 60,
                            (call.started + call.service_seconds) / 60)
            )  # fmt: skip
    return History(tuple(served), tuple(issued), tuple(waited), tuple(at_counters))


def agent_skills(calls: Iterable[Call]) -> dict[str, dict[str, float]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for call in calls:
        if call.server is not None and not call.abandoned:
            counts[call.server][call.kind] += 1
    skills = {}
    for server, kinds in counts.items():
        total = sum(kinds.values())
        skills[server] = {k: 1.0 if kinds[k] >= MAIN_SHARE * total else SIDE_SKILL for k in TYPES}
    return skills


def roster(calls: Sequence[Call], gap: float = BREAK_GAP) -> dict[str, tuple[tuple[float, float], ...]]:
    """Each agent's working spans of one day (minutes since midnight), from the calls it served:
    a pause of more than `gap` minutes between two calls ends a span."""
    spans = _service_spans(calls)
    out = {}
    for server, parts in spans.items():
        merged = [list(parts[0])]
        for start, end in parts[1:]:
            if start - merged[-1][1] <= gap:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out[server] = tuple((a, max(b, a + 1 / 60)) for a, b in merged)
    return out


def presence(calls: Sequence[Call]) -> dict[str, tuple[tuple[float, float], ...]]:
    """When each agent was really there to take a call (minutes since midnight): its calls, and the
    pauses between them during which nobody waited in the recorded queue. A pause while calls were
    waiting (the agent did not take them) was an absence: after-call work, a word with a colleague,
    a break. The replay's counters work these spans, so its capacity is the recorded one."""
    waiting = sorted((c.arrival / 60, (c.arrival + c.waited) / 60) for c in calls if c.waited > 0)
    starts = [a for a, _ in waiting]
    reach = list(itertools.accumulate((b for _, b in waiting), max))  # the furthest end so far

    def busy_queue(start: float, end: float) -> bool:
        """Did a recorded call wait for more than QUEUE_TOLERANCE minutes inside [start, end)?"""
        index = bisect.bisect_left(starts, end)
        for at in range(index - 1, -1, -1):
            if reach[at] <= start + QUEUE_TOLERANCE:
                return False
            a, b = waiting[at]
            if min(b, end) - max(a, start) > QUEUE_TOLERANCE:
                return True
        return False

    out = {}
    for server, parts in _service_spans(calls).items():
        merged = [list(parts[0])]
        for start, end in parts[1:]:
            pause_start = merged[-1][1]
            if start - pause_start <= BREAK_GAP and not busy_queue(pause_start, start):
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out[server] = tuple((a, max(b, a + 1 / 60)) for a, b in merged)
    return out


def _service_spans(calls: Sequence[Call]) -> dict[str, list[tuple[float, float]]]:
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for call in calls:
        if call.server is not None and not call.abandoned:
            start = call.started / 60
            spans[call.server].append((start, start + call.service_seconds / 60))
    for parts in spans.values():
        parts.sort()
    return spans


def draw_patience(call: Call, curve: PatienceStats, rng: random.Random) -> float:
    """An abandoned call's recorded patience; a served one's drawn beyond the wait it had."""
    waited = call.waited / 60
    if call.abandoned:
        return waited
    target = curve.still_waiting(waited) * rng.random()
    for index, value in enumerate(curve.survival):
        if value <= target and index * 0.25 >= waited:
            return index * 0.25
    return math.inf


def day_customers(calls: Sequence[Call], curve: PatienceStats, rng: random.Random) -> tuple[Customer, ...]:
    return tuple(
        Customer(
            index=index,
            arrive_minute=call.arrival / 60,
            service_id=call.kind,
            priority=call.klass,
            patience_minutes=draw_patience(call, curve, rng),
            silent=False,
            work_minutes=call.service_seconds / 60,
        )
        for index, call in enumerate(calls)
    )


def day_desks(
    calls: Sequence[Call], counters: int | None, skills: Mapping[str, Mapping[str, float]], drop_every: int = 0
) -> tuple[Desk, ...]:
    if counters is not None:
        first = min(c.arrival for c in calls) / 60
        last = max(c.arrival for c in calls) / 60 + 60
        every = {k: 1.0 for k in TYPES}
        return tuple(Desk(f"c{n + 1}", every, ((first, last),)) for n in range(counters))
    there, planned = presence(calls), roster(calls)
    agents = sorted(planned)
    if drop_every > 1:  # a stress: every K-th agent of the day stays home
        agents = [a for index, a in enumerate(agents) if index % drop_every != drop_every - 1]
    return tuple(
        Desk(server, dict(skills.get(server, {k: 1.0 for k in TYPES})), there[server], planned[server])
        for server in agents
    )


def day_setup(day: date, calls: Sequence[Call], desks: tuple[Desk, ...], label: str) -> RunSetup:
    last = max(c.arrival for c in calls) / 60
    return RunSetup(
        start=datetime.combine(day, time.min, tzinfo=ZONE),
        zone=ZONE,
        business_date=day,
        desks=desks,
        prefixes=PREFIXES,
        doors_close=last + 1e-6,
        end=max(last + 60, max((b for d in desks for _, b in d.windows), default=0.0)),
        slowdown=0.0,
        no_show_minutes=0.0,
        day_label=label,
        opens=min(c.arrival for c in calls) / 60,
        classes=("priority", "normal"),
        keep_presence=True,
    )


@dataclass(frozen=True, slots=True)
class ReplayDay:
    day: date
    ours: QueueRun
    fifo: QueueRun


def replay(
    calls: Sequence[Call],
    policy: OrderingPolicy,
    counters: int | None,
    fit: Sequence[Call] = (),
    seed: int = 1,
    calibration: Calibration | None = None,
    learn_online: bool = True,
    eta: bool = True,
    drop_every: int = 0,
) -> Iterator[ReplayDay]:
    """Each recorded day run with the policy (with ETAs; without `eta`, much faster: for comparing
    orderings) and with FIFO, on the same customers."""
    curve = fit_patience(recorded_history(calls).waited)  # the month's own patience: the "world"
    skills = agent_skills(calls)
    past = recorded_history(fit)
    seeds = _seeds(fit) if fit else {k: DEFAULT_MINUTES for k in TYPES}
    for day, today in by_day(calls).items():
        rng = random.Random(f"{seed}-{day.isoformat()}")
        customers = day_customers(today, curve, rng)
        desks = day_desks(today, counters, skills, drop_every)
        if not desks:
            continue
        setup = day_setup(day, today, desks, f"{day.isoformat()}")
        every = {d.id: d.skills for d in desks}
        knowledge = Knowledge.learn(past, policy, seeds, every, calibration) if eta else None
        ours = QueueRun(setup, policy, customers, knowledge).run()
        fifo = QueueRun(setup, "fifo", customers).run()
        if learn_online and eta:
            past = past + history_of(ours)
        yield ReplayDay(day, ours, fifo)


def _seeds(calls: Sequence[Call]) -> dict[str, float]:
    """Configured handling minutes per type before any history: the median recorded service."""
    times: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        if not call.abandoned:
            times[call.kind].append(call.service_seconds / 60)
    return {k: max(0.5, statistics.median(times[k])) if times[k] else 3.0 for k in TYPES}


def as_policy(policy: Policy) -> str:
    return "fifo" if policy == "fifo" else "policy"
