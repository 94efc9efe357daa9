"""One projection run: the day played forward from the snapshot with the hub's own ordering rules."""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from assistant.domain.eta.values import GHOST, HORIZON, NORMAL, RECENT_CALLS, VIRTUAL, CounterNow, QueueSnapshot
from assistant.domain.schedule import cover_skills
from assistant.domain.tickets import Priority, Ticket, TicketStatus

if TYPE_CHECKING:  # the model runs projections; a projection only reads the model's fits
    from assistant.domain.eta.model import WaitModel


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
            mix = self.mixes.get((weekday, hour))
            if mix is None:  # each hour's mix once per estimate, shared by its runs
                mix = self.mixes[(weekday, hour)] = self.model.arrivals.mix(weekday, hour)
            rate, shares, kinds = mix
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
