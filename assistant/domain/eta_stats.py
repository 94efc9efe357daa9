"""What the wait model learns from history: handling times, arrival rates, patience.

Fitted by pure functions from plain records, so the hub (rows from its database) and the replay
(rows of a recorded month) learn the very same way.

Handling times, per service x counter x hour
    Service durations are heavy-tailed (a few customers take ten times the median) and polluted
    (staff forget to press finish, or press it twice). A mean is dragged by both, so each group is
    fitted as a lognormal from robust statistics of the logs: the median and the interquartile
    range (sigma = IQR / 1.349), mean = exp(mu + sigma^2 / 2). One forgotten "finish" moves a
    median by one rank, not the mean by hours. A cell (service, counter, hour) is then a product
    of factors, each shrunk towards 1 by its sample size (n / (n + SHRINK)): the service's typical
    time, how this counter does at it relative to the others, how this hour does relative to the
    day. A counter without history at a service starts from the configured time divided by its
    skill weight (a side skill is slower). `today` multiplies in how today's served tickets compare
    with what was expected (the card printer is slow today), shrunk the same way but faster
    (TODAY_SHRINK): three 15-minute exchanges on a 5-minute day already count.

Arrivals, per weekday x hour x service x class
    Tickets issued per branch-local (weekday, hour) cell divided by the number of such days seen,
    times today's level: (issued today so far + K) / (expected so far + K), so a quiet morning lowers
    the afternoon's expectation, a rush raises it, and neither overreacts after ten customers.
    Without history, today's own rate so far is the estimate.

Delays at the counter
    A counter is not at your service the instant it is free: staff press "call next" after a
    while, finish notes, step away. From each counter's consecutive calls: `turnaround`, minutes
    from finishing one customer to calling the next one already waiting; `pickup`, minutes from a
    ticket's arrival at an idle counter to its call (long when nobody was at the counter). Both are
    kept as their quantiles and drawn from in the projection.

Patience
    The Kaplan-Meier survival of "still waiting after t minutes" from abandoned tickets (an event
    at their wait) and served ones (censored at theirs), on a grid of GRID minutes.
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SHRINK = 20.0  # samples at which a group's own estimate gets half the weight
BACKFIT_ROUNDS = 3
TODAY_SHRINK = 5.0  # today's served tickets at which today's factor gets half the weight (follows a slow day)
ARRIVAL_SHRINK = 20.0  # tickets at which today's level gets half the weight
MIN_MINUTES = 0.1  # a duration below 6 s counts as 6 s (a log needs a positive number)
DEFAULT_CV = 0.6  # coefficient of variation of a service before any history
GRID = 0.25  # minutes between the points of the patience curve
PATIENCE_SPAN = 240.0  # the curve is flat after this many minutes
DELAY_QUANTILES = 50  # how finely the delays' distributions are kept
IDLE_SPAN = 30.0  # a counter idle longer than this before a call was closed, not slow to call


@dataclass(frozen=True, slots=True)
class Served:
    """One served ticket: what, where, which branch-local hour it started, how many minutes it took."""

    service_id: str
    counter_id: str
    hour: int
    minutes: float


@dataclass(frozen=True, slots=True)
class Issued:
    """One ticket issued at a branch-local day and hour."""

    day: date
    hour: int
    service_id: str
    priority: str


@dataclass(frozen=True, slots=True)
class Waited:
    """How long a ticket waited, and whether it ended by leaving (True) or being called (False)."""

    minutes: float
    left: bool


@dataclass(frozen=True, slots=True)
class CounterCall:
    """One call at a counter, minutes on any clock shared by the counter's calls of that day:
    when the ticket became callable (issued or checked in), was called, was finished."""

    counter_id: str
    day: date
    ready: float
    called: float
    finished: float


@dataclass(frozen=True, slots=True)
class LogFit:
    """A robust lognormal fit of a group of durations."""

    mu: float
    sigma: float
    count: int

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma * self.sigma / 2)

    @property
    def cv(self) -> float:
        return math.sqrt(math.expm1(self.sigma * self.sigma))


def log_fit(minutes: Sequence[float]) -> LogFit | None:
    logs = sorted(math.log(max(MIN_MINUTES, value)) for value in minutes)
    if not logs:
        return None
    if len(logs) < 4:
        return LogFit(statistics.median(logs), math.sqrt(math.log1p(DEFAULT_CV**2)), len(logs))
    q1, _, q3 = statistics.quantiles(logs, n=4, method="inclusive")
    return LogFit(statistics.median(logs), max(0.05, (q3 - q1) / 1.349), len(logs))


def _shrunk(log_ratio: float, count: int, shrink: float = SHRINK) -> float:
    return log_ratio * count / (count + shrink)


@dataclass(frozen=True, slots=True)
class HandlingStats:
    """Expected service minutes per (service, counter, hour), and each service's spread (CV)."""

    base: Mapping[str, float]  # service -> typical minutes (history, else the configured seed)
    counter_factor: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (service, counter)
    hour_factor: Mapping[tuple[str, int], float] = field(default_factory=dict)  # (service, hour)
    cvs: Mapping[str, float] = field(default_factory=dict)
    today: Mapping[str, float] = field(default_factory=dict)  # service -> today's factor
    skills: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # counter -> weights (the prior)

    def minutes(
        self, service_id: str, counter_id: str | None = None, hour: int | None = None, weight: float | None = None
    ) -> float:
        """Mean minutes of one service; a counter without history at it counts its skill `weight`
        (given, else from `skills`) as its speed."""
        value = self.base.get(service_id, 5.0) * self.today.get(service_id, 1.0)
        if counter_id is not None:
            factor = self.counter_factor.get((service_id, counter_id))
            if factor is None:
                if weight is None:
                    weight = self.skills.get(counter_id, {}).get(service_id, 1.0)
                factor = 1.0 / weight if weight > 0 else 1.0
            value *= factor
        if hour is not None:
            value *= self.hour_factor.get((service_id, hour), 1.0)
        return value

    def cv(self, service_id: str) -> float:
        return self.cvs.get(service_id, DEFAULT_CV)

    def with_today(self, recent: Iterable[Served]) -> HandlingStats:
        """Today's served tickets against what this model expected of them -> a factor per service."""
        logs: dict[str, list[float]] = defaultdict(list)
        for record in recent:
            expected = self.minutes(record.service_id, record.counter_id, record.hour) / self.today.get(
                record.service_id, 1.0
            )
            logs[record.service_id].append(math.log(max(MIN_MINUTES, record.minutes) / expected))
        today = {
            service: math.exp(
                _shrunk(statistics.median(values) + self._median_shift(service), len(values), TODAY_SHRINK)
            )
            for service, values in logs.items()
        }
        return HandlingStats(self.base, self.counter_factor, self.hour_factor, self.cvs, today, self.skills)

    def _median_shift(self, service_id: str) -> float:
        """The log of mean/median of a lognormal with this service's spread: `minutes` gives means,
        the median of log ratios compares medians."""
        return math.log1p(self.cv(service_id) ** 2) / 2


def _effects(pairs: Iterable[tuple[Any, float]]) -> defaultdict[Any, float]:
    """Per key: the median of its values, shrunk towards 0 by its count."""
    groups: dict[Any, list[float]] = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    out: defaultdict[Any, float] = defaultdict(float)
    for key, values in groups.items():
        out[key] = _shrunk(statistics.median(values), len(values))
    return out


def fit_handling(
    records: Iterable[Served],
    seeds: Mapping[str, float],
    skills: Mapping[str, Mapping[str, float]],
) -> HandlingStats:
    """Learn from served tickets; services without history keep their configured `seeds`."""
    by_service: dict[str, list[Served]] = defaultdict(list)
    for record in records:
        by_service[record.service_id].append(record)
    base = dict(seeds)
    counter_factor: dict[tuple[str, str], float] = {}
    hour_factor: dict[tuple[str, int], float] = {}
    cvs: dict[str, float] = {}
    for service_id, served in by_service.items():
        fit = log_fit([r.minutes for r in served])
        if fit is None:
            continue
        seed = seeds.get(service_id)
        prior = math.log(seed) if seed else math.log(fit.mean)
        base[service_id] = math.exp(prior + _shrunk(math.log(fit.mean) - prior, fit.count))
        cvs[service_id] = fit.cv
        # Counter and hour effects (log ratios to the service's median), fitted in turn a few times so
        # that a slow teller who works the busy hours is not read as a slow hour, nor the reverse.
        logs = [(r.counter_id, r.hour, math.log(max(MIN_MINUTES, r.minutes)) - fit.mu) for r in served]
        by_counter: dict[str, float] = defaultdict(float)
        by_hour: dict[int, float] = defaultdict(float)
        for _ in range(BACKFIT_ROUNDS):
            by_counter = _effects([(c, value - by_hour[h]) for c, h, value in logs])
            by_hour = _effects([(h, value - by_counter[c]) for c, h, value in logs])
        counter_factor.update({(service_id, c): math.exp(v) for c, v in by_counter.items()})
        hour_factor.update({(service_id, h): math.exp(v) for h, v in by_hour.items()})
    return HandlingStats(base, counter_factor, hour_factor, cvs, {}, skills)


@dataclass(frozen=True, slots=True)
class ArrivalStats:
    """Expected arrivals per minute by (weekday 0-6, hour, service, class), and today's level."""

    per_hour: Mapping[tuple[int, int, str, str], float] = field(default_factory=dict)
    level: float = 1.0
    # Without history: today's own rate so far, per (service, class), per minute.
    today_rate: Mapping[tuple[str, str], float] = field(default_factory=dict)
    kinds: tuple[tuple[str, str], ...] = ()  # the (service, class) streams with any arrivals

    def rate(self, weekday: int, hour: int, service_id: str, priority: str) -> float:
        """Arrivals per minute expected at that branch-local weekday and hour."""
        if self.per_hour:
            return self.per_hour.get((weekday, hour, service_id, priority), 0.0) * self.level / 60
        return self.today_rate.get((service_id, priority), 0.0)

    def streams(self) -> tuple[tuple[str, str], ...]:
        return self.kinds

    def mix(self, weekday: int, hour: int) -> tuple[float, tuple[float, ...], tuple[tuple[str, str], ...]]:
        """All arrivals of that hour as one stream: (per minute, cumulative shares, their (service, class))."""
        rates = [self.rate(weekday, hour, service, kind) for service, kind in self.kinds]
        total = sum(rates)
        if total <= 0:
            return 0.0, (), ()
        return total, tuple(itertools.accumulate(rate / total for rate in rates)), self.kinds

    def expected(self, weekday: int, hours: Iterable[tuple[int, float]]) -> float:
        """Arrivals expected over (hour, fraction of it) spans of one weekday, all services, at level 1."""
        totals: dict[int, float] = defaultdict(float)
        for (day, hour, _, _), count in self.per_hour.items():
            if day == weekday:
                totals[hour] += count
        return sum(totals.get(hour, 0.0) * share for hour, share in hours)

    def with_today(
        self,
        weekday: int,
        elapsed: Iterable[tuple[int, float]],
        issued_today: Sequence[tuple[str, str]],
        minutes: float,
    ) -> ArrivalStats:
        """Today so far: `elapsed` the (hour, share) spans of the day gone by, `issued_today` the
        (service, class) of today's tickets, `minutes` how long the branch has been open today."""
        count = len(issued_today)
        if self.per_hour:
            expected = self.expected(weekday, elapsed)
            level = (count + ARRIVAL_SHRINK) / (expected + ARRIVAL_SHRINK)
            return ArrivalStats(self.per_hour, level, {}, self.kinds)
        rates: dict[tuple[str, str], float] = defaultdict(float)
        for key in issued_today:
            rates[key] += 1 / max(minutes, 30.0)
        return ArrivalStats({}, 1.0, dict(rates), tuple(sorted(rates)))


def fit_arrivals(records: Iterable[Issued]) -> ArrivalStats:
    """Mean tickets per (weekday, hour, service, class) over the days seen of each weekday."""
    counts: dict[tuple[int, int, str, str], int] = defaultdict(int)
    days: dict[int, set[date]] = defaultdict(set)
    for record in records:
        weekday = record.day.weekday()
        counts[(weekday, record.hour, record.service_id, record.priority)] += 1
        days[weekday].add(record.day)
    per_hour = {key: count / len(days[key[0]]) for key, count in counts.items()}
    return ArrivalStats(per_hour, kinds=tuple(sorted({(service, kind) for _, _, service, kind in per_hour})))


@dataclass(frozen=True, slots=True)
class PatienceStats:
    """S(t): the share of customers still willing to wait after t minutes, on a grid of GRID minutes."""

    survival: tuple[float, ...] = (1.0,)

    def still_waiting(self, minutes: float) -> float:
        index = min(len(self.survival) - 1, max(0, int(minutes / GRID)))
        return self.survival[index]

    def stays(self, waited_now: float, waited_then: float) -> float:
        """P(still there after `waited_then` minutes | still there after `waited_now`)."""
        now = self.still_waiting(waited_now)
        return self.still_waiting(waited_then) / now if now > 0 else 0.0


def fit_patience(records: Iterable[Waited]) -> PatienceStats:
    """Kaplan-Meier: leaving is the event, being called censors the patience at that wait."""
    events = sorted((max(0.0, r.minutes), r.left) for r in records)
    if not any(left for _, left in events):
        return PatienceStats()
    steps: list[tuple[float, float]] = []  # (time, survival just after it)
    value, index, total = 1.0, 0, len(events)
    while index < total:
        moment, left = events[index][0], 0
        at_risk = total - index
        while index < total and events[index][0] == moment:
            left += events[index][1]
            index += 1
        if left:
            value *= 1 - left / at_risk
            steps.append((moment, value))
    times = [moment for moment, _ in steps]
    survival = []
    for step in range(int(PATIENCE_SPAN / GRID) + 1):
        passed = bisect.bisect_right(times, step * GRID)
        survival.append(steps[passed - 1][1] if passed else 1.0)
    return PatienceStats(tuple(survival))


@dataclass(frozen=True, slots=True)
class DelayStats:
    """Quantiles (minutes) of the turnaround and pickup delays; (0.0,): none."""

    pickup: tuple[float, ...] = (0.0,)
    turnaround: tuple[float, ...] = (0.0,)

    @staticmethod
    def _draw(quantiles: tuple[float, ...], u: float) -> float:
        position = u * (len(quantiles) - 1)
        below = int(position)
        above = min(below + 1, len(quantiles) - 1)
        return quantiles[below] + (quantiles[above] - quantiles[below]) * (position - below)

    def draw_turnaround(self, u: float) -> float:
        return self._draw(self.turnaround, u)

    def draw_pickup(self, u: float, waited: float = 0.0) -> float:
        """Minutes still to wait for an idle counter to call, given `waited` minutes already waited."""
        quantiles = self.pickup
        if waited <= 0 or len(quantiles) == 1:
            return self._draw(quantiles, u)
        above = bisect.bisect_right(quantiles, waited)
        if above >= len(quantiles):  # longer than any seen: soon, at the scale of the longest
            return u * quantiles[-1] / 2
        share = above / (len(quantiles) - 1)
        return max(0.0, self._draw(quantiles, share + (1 - share) * u) - waited)


def fit_delays(calls: Iterable[CounterCall]) -> DelayStats:
    """Turnaround and pickup from each counter's consecutive calls of each day (see the module doc)."""
    by_counter: dict[tuple[str, date], list[CounterCall]] = defaultdict(list)
    for call in calls:
        by_counter[(call.counter_id, call.day)].append(call)
    pickup, turnaround = [], []
    for day_calls in by_counter.values():
        day_calls.sort(key=lambda c: c.called)
        for before, after in itertools.pairwise(day_calls):
            idle = after.ready - before.finished
            if idle <= 0:
                turnaround.append(max(0.0, after.called - before.finished))
            elif idle < IDLE_SPAN:
                pickup.append(max(0.0, after.called - after.ready))
    return DelayStats(_quantiles(pickup), _quantiles(turnaround))


def _quantiles(values: list[float]) -> tuple[float, ...]:
    if len(values) < 20:
        return (0.0,)
    ordered = sorted(min(value, IDLE_SPAN) for value in values)
    last = len(ordered) - 1
    return tuple(ordered[round(last * step / DELAY_QUANTILES)] for step in range(DELAY_QUANTILES + 1))
