"""The wait model: when will each waiting ticket be called, as a range meant to hold 80% of waits.

The branch is projected forward from its present state, `Calibration.runs` times with random
draws, and each ticket's range is read off the call times of those runs: the 10th and 90th
percentile, the median as the point estimate. Every run follows the hub's own rules:

* every counter from its current state: serving since when (a draw of the rest of that service,
  given how long it has already taken: a long one is likely to go on), free now, or away until its
  schedule says it is back; it stops taking customers at its shift's end or break
  (`CounterNow.windows`), and break cover raises side skills as the hub does;
* the work queued ahead across every service that shares counters: each call is decided by the
  real ordering policy (`OrderingPolicy.choose`: appointments, priority share, age boost, skills);
* each service takes a draw of the learned handling time of that service at that counter at that
  hour (lognormal, the service's learned spread);
* customers ahead may leave: each is still there at its turn with the probability the learned
  patience gives, given how long it has waited;
* customers who have not come yet but will jump ahead: walk-ins drawn from the arrival rates (this
  weekday and hour, at today's level) and today's booked appointments, as virtual tickets;
* the learned times and today's level are estimates: each run scales them by a random factor
  (`Calibration.handling_sd`, `arrival_sd`), which widens the range by what we do not know.

Tickets wait in lines (service, class, transfer target); the policy is asked only about the first
ticket of each line, since within a line it always takes the oldest: the same answer as over the
whole queue, at a cost that grows with the number of lines, not of tickets.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import NormalDist
from zoneinfo import ZoneInfo

from assistant.domain.eta_stats import ArrivalStats, DelayStats, HandlingStats, PatienceStats
from assistant.domain.schedule import cover_skills
from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus

RECENT_CALLS = 8  # as many call classes as the hub reads back for the share rule
HORIZON = timedelta(hours=10)
VIRTUAL = "~"  # id prefix of the projection's expected arrivals
# id prefix of a ghost: a ticket that takes its place in line but no counter's time ("what would a
# ticket taken now wait?"); the others' estimates are exactly what they are without it.
GHOST = "ghost-"
NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class CounterNow:
    """A counter as the model sees it. `windows`: when it takes customers from now on (the first one
    may start now); none at all: it will not serve again in the horizon. `serving`: the service of
    the customer at it now, since `since`."""

    id: str
    skills: Mapping[str, float]
    windows: tuple[tuple[datetime, datetime], ...]
    serving: str | None = None
    since: datetime | None = None
    idle_since: datetime | None = None  # not serving: finished its last customer (or opened) then


@dataclass(frozen=True, slots=True)
class Expected:
    """A customer known to be coming (a booked appointment checking in around its start)."""

    at: datetime
    service_id: str
    priority: str = Priority.APPOINTMENT


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    now: datetime
    zone: ZoneInfo
    waiting: Sequence[Ticket]
    counters: Sequence[CounterNow]
    recent: Sequence[str] = ()  # classes of the latest calls, oldest first
    doors_close: datetime | None = None  # no walk-ins after this
    expected: Sequence[Expected] = ()


class Wording(StrEnum):
    """How the range is said: "5-10 min", "less than 5 min", "over 40 min"."""

    RANGE = "range"
    UNDER = "under"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    """Minutes until called: `low`/`high` the 10th/90th percentile, `point` the median."""

    low: float
    point: float
    high: float
    # More than one run in ten never reached it before the counters stop today: the high end is the end
    # of their day, and the honest words are "more than `low` minutes".
    open_ended: bool = False

    def shown(self) -> tuple[int, int]:
        """Whole minutes for the customer: [floor(p10), ceil(p90)], at least one minute apart."""
        low = max(0, math.floor(self.low))
        return low, max(low + 1, math.ceil(self.high))

    def wording(self, wide_ratio: float = 2.5, wide_minutes: float = 20) -> Wording:
        """Under N when the range starts at 0; over N when it is too wide to mean anything
        (the high end more than `wide_ratio` times the low and `wide_minutes` beyond it)."""
        low, high = self.shown()
        if self.open_ended and low > 0:
            return Wording.OVER
        if low == 0:
            return Wording.UNDER
        if high > wide_ratio * low and high - low > wide_minutes:
            return Wording.OVER
        return Wording.RANGE

    def to_json(self) -> dict[str, object]:
        low, high = self.shown()
        return {"low": low, "high": high, "point": round(self.point, 1), "wording": str(self.wording())}


@dataclass(frozen=True, slots=True)
class Calibration:
    """How the model spreads its runs; fitted on recorded queues (README, "Wait estimates")."""

    runs: int = 40  # projections per estimate: the quantiles are read off their call times
    # Chosen on January 1999 (days 8-14, README "Wait estimates"), checked on February and the demo day:
    # (0.15, 0.30) held 76.7% inside [p10, p90], (0.30, 0.50) 76.6% with a lower MAE; 0.5/0.5 and 0.3/1.0
    # were not better. They widen the range by what the learned times and today's level do not know.
    handling_sd: float = 0.3  # log-sd of one run's handling-time factor (the learned times' own error)
    arrival_sd: float = 0.5  # log-sd of one run's arrival-level factor (today's rate is an estimate)
    seed: int = 0  # the same snapshot gives the same estimate (no jitter between refreshes)


@dataclass(frozen=True, slots=True)
class WaitModel:
    policy: OrderingPolicy
    handling: HandlingStats
    arrivals: ArrivalStats = field(default_factory=ArrivalStats)
    patience: PatienceStats = field(default_factory=PatienceStats)
    delays: DelayStats = field(default_factory=DelayStats)
    calibration: Calibration = field(default_factory=Calibration)

    def estimate(self, snapshot: QueueSnapshot, only: str | None = None) -> dict[str, WaitEstimate | None]:
        """Every waiting ticket's estimate (None: most runs do not reach it within the horizon).
        `only`: just that ticket (each run stops as soon as it is called)."""
        cal = self.calibration
        lines = _lines(snapshot)
        wanted = [t.id for t in snapshot.waiting if only is None or t.id == only]
        waits: dict[str, list[float]] = {ticket_id: [] for ticket_id in wanted}
        horizon = _minutes(HORIZON)
        shared = _Shared()
        for run in range(cal.runs):
            # Each run its own stream: a run stopped early (`only`) draws what the full one drew up to there.
            rng = random.Random(cal.seed * 1_000_003 + run)
            handling = math.exp(rng.gauss(0, cal.handling_sd)) if cal.handling_sd > 0 else 1.0
            level = math.exp(rng.gauss(0, cal.arrival_sd)) if cal.arrival_sd > 0 else 1.0
            called = _Run(self, snapshot, lines, rng, handling, level, only, shared).run()
            for ticket_id in wanted:
                waits[ticket_id].append(called.get(ticket_id, horizon))
        last = max((_minutes(b - snapshot.now) for c in snapshot.counters for _, b in c.windows[-1:]), default=0.0)
        out: dict[str, WaitEstimate | None] = {}
        for ticket_id, values in waits.items():
            values.sort()
            low, point, high = (_quantile(values, q) for q in (0.1, 0.5, 0.9))
            if point >= horizon:
                out[ticket_id] = None
            elif high >= horizon:
                out[ticket_id] = WaitEstimate(low, point, max(low + 1, min(horizon, last)), open_ended=True)
            else:
                out[ticket_id] = WaitEstimate(low, point, high)
        return out


def _quantile(ordered: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the order statistics."""
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


Line = tuple[str, str, str | None]


def _lines(snapshot: QueueSnapshot) -> dict[Line, list[Ticket]]:
    """The waiting tickets by (service, class, transfer target), oldest first."""
    lines: dict[Line, list[Ticket]] = {}
    for ticket in sorted(snapshot.waiting, key=lambda t: t.issued_at):
        if ticket.on_the_way:  # projected as if here: it keeps its place and comes when told
            ticket = replace(ticket, arrived_at=snapshot.now)
        lines.setdefault((ticket.service_id, ticket.priority, ticket.target_counter_id), []).append(ticket)
    return lines


@dataclass(slots=True)
class _Shared:
    """What the runs of one estimate can share: each hour's arrival mix, break cover per set of counters."""

    mixes: dict[tuple[int, int], tuple[float, tuple[float, ...], tuple[tuple[str, str], ...]]] = field(
        default_factory=dict
    )
    covers: dict[frozenset[str], dict[str, dict[str, float]]] = field(default_factory=dict)


class _Run:
    """One random projection of the branch from the snapshot: who is called when (minutes from now)."""

    def __init__(
        self,
        model: WaitModel,
        snapshot: QueueSnapshot,
        lines: dict[Line, list[Ticket]],
        rng: random.Random,
        handling: float,
        level: float,
        only: str | None,
        shared: _Shared,
    ) -> None:
        self.model, self.snapshot, self.rng, self.only = model, snapshot, rng, only
        self.mixes, self.covers = shared.mixes, shared.covers
        self.handling, self.level = handling, level
        self.now = snapshot.now
        self.lines = {key: deque(line) for key, line in lines.items()}
        local = snapshot.now.astimezone(snapshot.zone)
        self.clock = local.hour * 60 + local.minute + local.second / 60  # minutes since local midnight
        self.weekday = local.weekday()
        self.close = _minutes(snapshot.doors_close - snapshot.now) if snapshot.doors_close else math.inf
        self.events: list[tuple[float, int, int, str]] = []
        self.idle: list[int] = []
        self.count = 0

    def hour_of(self, minute: float) -> tuple[int, int]:
        """(weekday, hour) of `minute` minutes from now, branch-local."""
        total = self.clock + minute
        return (self.weekday + int(total // 1440)) % 7, int(total // 60) % 24

    def run(self) -> dict[str, float]:
        """Events in one heap: (minute, 0, desk) a counter ready to call, (minute, 1, n) an arrival."""
        model, rng, now, delays = self.model, self.rng, self.now, self.model.delays
        self.desks = desks = [
            (c, [(_minutes(a - now), _minutes(b - now)) for a, b in c.windows])
            for c in self.snapshot.counters
            if c.windows
        ]
        self.opened = opened = _OpenSet(
            [(c.id, windows) for c, windows in desks], [c.skills for c, _ in desks], self.covers
        )
        events = self.events
        # One pickup draw for every idle counter: whether staff are at their desks right now goes together
        # (a quiet spell, a meeting), so several idle counters are not several independent chances.
        pickup = rng.random()
        for index, (counter, windows) in enumerate(desks):
            if counter.serving is not None and counter.since is not None:
                start = self._rest(counter) + delays.draw_turnaround(rng.random())
            elif windows[0][0] <= 0:
                start = self._pickup(counter, pickup)
            else:
                start = windows[0][0]
            free = _align(start, windows)
            if free is not None:
                heapq.heappush(events, (free, 0, index, ""))
        self._next_walk_in(0.0)
        for known in self.snapshot.expected:
            at = _minutes(known.at - now)
            if at >= 0:
                self._push(at, known.service_id, "!" + known.priority)
        recent = list(self.snapshot.recent)[-RECENT_CALLS:]
        called: dict[str, float] = {}
        left = 1 if self.only is not None else sum(len(line) for line in self.lines.values())
        horizon = _minutes(HORIZON)
        while events and left:
            minute, kind, index, what = heapq.heappop(events)
            if minute > horizon:
                break
            if kind == 1:
                self._arrive(minute, index, what)
                continue
            counter, windows = desks[index]
            weights = opened.skills(minute, counter.id)
            heads = [
                line[0]
                for (service, _, target), line in self.lines.items()
                if line and (target == counter.id if target is not None else weights.get(service, 0) > 0)
            ]
            moment = now + timedelta(minutes=minute)
            chosen = model.policy.choose(heads, weights, moment, recent, counter.id) if heads else None
            if chosen is None:  # idle until an arrival it can serve wakes it
                self.idle.append(index)
                continue
            self.lines[(chosen.service_id, chosen.priority, chosen.target_counter_id)].popleft()
            if chosen.id.startswith(GHOST):  # its turn noted; the counter calls the next one at once
                called[chosen.id] = minute
                left -= 1
                heapq.heappush(events, (minute, 0, index, ""))
                continue
            virtual = chosen.id.startswith(VIRTUAL)
            if not virtual and (self.only is None or chosen.id == self.only):
                called[chosen.id] = minute  # its turn: the wait it would have if it stays
                left -= 1
            since = _minutes(chosen.issued_at - now)
            patience = model.patience
            stays = patience.still_waiting(minute - since) if virtual else patience.stays(-since, minute - since)
            if stays < 1 and rng.random() >= stays:  # gone before its turn: the counter calls the next one
                heapq.heappush(events, (minute, 0, index, ""))
                continue
            recent = [*recent, str(chosen.priority)][-RECENT_CALLS:]
            weight = counter.skills.get(chosen.service_id, 1.0)
            hour = self.hour_of(minute)[1]
            mean = model.handling.minutes(chosen.service_id, counter.id, hour, weight) * self.handling
            service = _draw(rng, mean, model.handling.cv(chosen.service_id))
            free = _align(minute + service + delays.draw_turnaround(rng.random()), windows)
            if free is not None:
                heapq.heappush(events, (free, 0, index, ""))
        return called

    def _pickup(self, counter: CounterNow, u: float) -> float:
        """When an idle, open counter calls: a draw of the pickup delay, given how long the oldest
        ticket it could take has waited for it (long: nobody is at the counter right now)."""
        oldest = min(
            (
                line[0].issued_at
                for (service, _, target), line in self.lines.items()
                if line and (target == counter.id if target is not None else counter.skills.get(service, 0) > 0)
            ),
            default=None,
        )
        if oldest is None:
            return 0.0
        ready = max(oldest, counter.idle_since) if counter.idle_since is not None else oldest
        waited = max(0.0, _minutes(self.now - ready))
        return self.model.delays.draw_pickup(u, waited)

    def _rest(self, counter: CounterNow) -> float:
        """A draw of the minutes left of the service in progress, given how long it has taken."""
        assert counter.serving is not None and counter.since is not None
        elapsed = _minutes(self.now - counter.since)
        weight = counter.skills.get(counter.serving, 1.0)
        hour = self.hour_of(-elapsed)[1]
        mean = self.model.handling.minutes(counter.serving, counter.id, hour, weight) * self.handling
        return draw_rest(self.rng, mean, self.model.handling.cv(counter.serving), elapsed)

    def _push(self, minute: float, service: str, priority: str) -> None:
        self.count += 1
        heapq.heappush(self.events, (minute, 1, self.count, f"{service}|{priority}"))

    def _next_walk_in(self, after: float) -> None:
        """The next walk-in of any stream: one Poisson process at the hour's total rate x the run's level,
        the stream drawn by its share of that hour."""
        need = self.rng.expovariate(1.0)
        minute = after
        for _ in range(48):
            if minute >= self.close:
                return
            weekday, hour = self.hour_of(minute)
            rate, shares, kinds = self.mixes.setdefault((weekday, hour), self.model.arrivals.mix(weekday, hour))
            rate *= self.level
            hour_end = minute + 60 - (self.clock + minute) % 60
            if rate > 0:
                if need <= rate * (hour_end - minute):
                    arrive = minute + need / rate
                    if arrive < self.close:
                        pick = min(bisect.bisect_left(shares, self.rng.random()), len(kinds) - 1)
                        self._push(arrive, *kinds[pick])
                    return
                need -= rate * (hour_end - minute)
            minute = hour_end

    def _arrive(self, at: float, number: int, what: str) -> None:
        """A virtual ticket joins its line; the best idle counter able to serve it wakes up."""
        service, priority = what.split("|")
        kind = priority.lstrip("!")
        ticket = Ticket(
            id=f"{VIRTUAL}{number}",
            number=f"{VIRTUAL}{number}",
            service_id=service,
            business_date=self.now.date(),
            channel="virtual",
            lang="en",
            priority=_priority(kind),
            status=TicketStatus.WAITING,
            issued_at=self.now + timedelta(minutes=at),
        )
        self.lines.setdefault((service, ticket.priority, None), deque()).append(ticket)
        if not priority.startswith("!"):  # walk-ins go on; a booked appointment is one arrival
            self._next_walk_in(at)
        able = [i for i in self.idle if self.opened.skills(at, self.desks[i][0].id).get(service, 0) > 0]
        if able:
            best = max(able, key=lambda i: self.opened.skills(at, self.desks[i][0].id).get(service, 0))
            self.idle.remove(best)
            ready = _align(at + self.model.delays.draw_pickup(self.rng.random()), self.desks[best][1])
            if ready is not None:
                heapq.heappush(self.events, (ready, 0, best, ""))


class _OpenSet:
    """Which counters work at a minute of the projection, and their skills with break cover; both
    change only at window edges, so they are recomputed only when one is passed."""

    def __init__(
        self,
        windows: Sequence[tuple[str, list[tuple[float, float]]]],
        skills: Sequence[Mapping[str, float]],
        covers: dict[frozenset[str], dict[str, dict[str, float]]],
    ) -> None:
        self.all_covers = covers
        self.skills_of = {counter: skill for (counter, _), skill in zip(windows, skills, strict=True)}
        self.cover = any(0 < weight < 1 for skill in skills for weight in skill.values())
        self.edges = sorted({edge for _, spans in windows for span in spans for edge in span})
        self.spans = [(counter, list(spans)) for counter, spans in windows]
        self.passed = -1
        self.covered: dict[str, dict[str, float]] = {}

    def skills(self, minute: float, counter: str) -> Mapping[str, float]:
        if not self.cover:
            return self.skills_of[counter]
        passed = bisect.bisect_right(self.edges, minute)
        if passed != self.passed:
            self.passed = passed
            working = frozenset(c for c, spans in self.spans if any(a <= minute < b for a, b in spans))
            if working not in self.all_covers:
                self.all_covers[working] = cover_skills(self.skills_of, working)
            self.covered = self.all_covers[working]
        return self.covered.get(counter, self.skills_of[counter])


def _priority(kind: str) -> Priority:
    try:
        return Priority(kind)
    except ValueError:
        return Priority.NORMAL


def _draw(rng: random.Random, mean: float, cv: float) -> float:
    """A lognormal service time of this mean and coefficient of variation."""
    sigma2 = math.log1p(cv * cv)
    return math.exp(math.log(mean) - sigma2 / 2 + math.sqrt(sigma2) * rng.gauss(0, 1))


def draw_rest(rng: random.Random, mean: float, cv: float, elapsed: float) -> float:
    """A draw of S - e given S > e, for S lognormal of this mean and CV and e = `elapsed` minutes:
    a service that has already run long is likely to go on (the tail of a lognormal is long)."""
    if elapsed <= 0:
        return _draw(rng, mean, cv)
    sigma = math.sqrt(math.log1p(cv * cv))
    mu = math.log(mean) - sigma * sigma / 2
    below = NORMAL.cdf((math.log(elapsed) - mu) / sigma)
    if below > 1 - 1e-9:  # far beyond anything seen: it ends at a scale of its own age
        return rng.expovariate(1 / max(0.1 * mean, elapsed * sigma))
    u = below + (1 - below) * rng.random()
    return max(0.0, math.exp(mu + sigma * NORMAL.inv_cdf(min(u, 1 - 1e-12))) - elapsed)


def _align(minute: float, windows: list[tuple[float, float]]) -> float | None:
    """The first minute at or after `minute` inside a window (earlier windows are dropped)."""
    while windows:
        start, end = windows[0]
        if minute < end:
            return max(minute, start)
        windows.pop(0)
    return None


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def naive_minutes(position: int, handling_minutes: float, counters: int) -> float | None:
    """The naive estimate the issue measures against: place in line x handling time / open counters."""
    if counters <= 0:
        return None
    return position * handling_minutes / counters
