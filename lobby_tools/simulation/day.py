"""A branch day to simulate (`simulations/NAME.yml`) and the customers it brings.

Times in the file are branch-local "HH:MM"; inside the simulation they are
minutes since opening. The customers are drawn once from the seed, before any
policy runs, so two policies compared on one seed see the very same people:
same arrival minute, service, class, patience and amount of work.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from assistant.domain.tickets import Priority
from assistant.settings import ConfigError, Frozen, Settings, convert, counter_schedule, read_yaml_mapping
from lobby_tools.simulation.engine import Policy, QueueRun, policy_from_settings
from lobby_tools.simulation.knowledge import History, Knowledge, history_of
from lobby_tools.simulation.report import SimulationReport
from lobby_tools.simulation.setup import Customer, Desk, RunSetup

log = logging.getLogger(__name__)

HISTORY_DAYS = 8  # earlier days like this one the hub has learned from (see day_history)


class RateSegment(Frozen):
    """Walk-ins per hour per service between two times (a Poisson process)."""

    start: str = msgspec.field(name="from")
    end: str = msgspec.field(name="to")
    rates: dict[str, float] = msgspec.field(default_factory=dict)


class AppointmentSlot(Frozen):
    at: str
    service: str


class PatienceConfig(Frozen):
    """How long a walk-in waits before leaving (lognormal around the median).

    `silent_share` of those who give up just walk out, so their ticket stays in
    the queue until a counter calls it and records a no-show after
    `no_show_minutes`; the others cancel their ticket (app, kiosk, SMS link).
    """

    median_minutes: float = 25
    sigma: float = 0.5
    silent_share: float = 0.5
    no_show_minutes: float = 1.0


class DayDefinition(Frozen):
    name: str
    date: date
    open: str
    close: str
    arrivals: tuple[RateSegment, ...]
    # Who works at which counter when: [from, to] shifts, a gap is a break. A counter not named is
    # closed all day; without this key the counters follow branch.yml (shifts, breaks, opening hours).
    counters: dict[str, tuple[tuple[str, str], ...]] | None = None
    overtime_minutes: float = 30  # after `close` the doors are shut; counters serve who is inside
    priority_share: float = 0.10  # walk-ins with a priority right (elderly, pregnant, disability)
    service_cv: float = 0.5  # coefficient of variation of service durations (lognormal)
    # Today's true mean service minutes where they differ from branch.yml's handling_minutes.
    handling_minutes: dict[str, float] = msgspec.field(default_factory=dict)
    secondary_skill_slowdown: float = 1.0  # a counter with skill weight w takes work / w**this
    patience: PatienceConfig = PatienceConfig()
    appointments: tuple[AppointmentSlot, ...] = ()
    appointment_check_in: tuple[float, float] = (-10, 5)  # minutes around the slot start

    def minute(self, clock_time: str) -> float:
        """'12:30' -> minutes since opening."""
        return _hhmm(clock_time) - _hhmm(self.open)

    @property
    def closing_minute(self) -> float:
        return self.minute(self.close)

    @property
    def end_minute(self) -> float:
        return self.closing_minute + self.overtime_minutes

    def true_handling(self, settings: Settings, service_id: str) -> float:
        if service_id in self.handling_minutes:
            return self.handling_minutes[service_id]
        service = settings.service(service_id)
        if service is None:
            raise ConfigError(f"day {self.name}: unknown service {service_id}")
        return service.handling_minutes


def _hhmm(text: str) -> float:
    try:
        hours, minutes = text.split(":")
        return int(hours) * 60 + int(minutes)
    except ValueError:
        raise ConfigError(f"expected a time HH:MM, got {text!r}") from None


def day_path(settings: Settings, day: str) -> Path:
    """`demo` -> simulations/demo.yml next to the branch configuration; a path stays a path."""
    if day.endswith((".yml", ".yaml")) or "/" in day:
        return Path(day)
    return settings.resolve(f"simulations/{day}.yml")


def load_day(settings: Settings, day: str) -> DayDefinition:
    path = day_path(settings, day)
    raw = read_yaml_mapping(path, f"no simulated day {day!r}: {path} not found")
    definition = convert(raw, DayDefinition, str(path))
    check_day(settings, definition)
    return definition


def check_day(settings: Settings, day: DayDefinition) -> None:
    """Every service, counter and time must make sense for this branch."""
    services = {s.id for s in settings.services}
    counters = {c.id for c in settings.counters}
    named = [s for seg in day.arrivals for s in seg.rates] + [a.service for a in day.appointments]
    named += list(day.handling_minutes)
    if unknown := sorted(set(named) - services):
        raise ConfigError(f"day {day.name}: unknown services {unknown}")
    if unknown := sorted(set(day.counters or {}) - counters):
        raise ConfigError(f"day {day.name}: unknown counters {unknown}")
    if day.closing_minute <= 0:
        raise ConfigError(f"day {day.name}: closes before it opens")
    for segment in day.arrivals:
        start, end = day.minute(segment.start), day.minute(segment.end)
        if not 0 <= start < end <= day.closing_minute:
            raise ConfigError(f"day {day.name}: arrivals {segment.start}-{segment.end} outside opening hours")
        if any(rate < 0 for rate in segment.rates.values()):
            raise ConfigError(f"day {day.name}: negative arrival rate")
    for shifts in (day.counters or {}).values():
        if any(day.minute(a) >= day.minute(b) for a, b in shifts):
            raise ConfigError(f"day {day.name}: a counter shift ends before it starts")
    if not 0 <= day.priority_share <= 1 or not 0 <= day.patience.silent_share <= 1:
        raise ConfigError(f"day {day.name}: shares must be between 0 and 1")


def _lognormal(rng: random.Random, mean: float, cv: float) -> float:
    """A lognormal draw with the given mean and coefficient of variation."""
    if cv <= 0:
        return mean
    sigma = math.sqrt(math.log(1 + cv * cv))
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def draw_customers(settings: Settings, day: DayDefinition, seed: int) -> tuple[Customer, ...]:
    """The day's visitors, ordered by arrival; the same seed gives the same people."""
    rng = random.Random(seed)
    drawn: list[tuple[float, str, Priority]] = []
    for segment in day.arrivals:
        start, end = day.minute(segment.start), day.minute(segment.end)
        for service_id in sorted(segment.rates):
            rate = segment.rates[service_id] / 60  # per minute
            moment = start
            while rate > 0:
                moment += rng.expovariate(rate)
                if moment >= end:
                    break
                kind = Priority.PRIORITY if rng.random() < day.priority_share else Priority.NORMAL
                drawn.append((moment, service_id, kind))
    early, late = day.appointment_check_in
    for slot in day.appointments:
        moment = max(0.0, day.minute(slot.at) + rng.uniform(early, late))
        drawn.append((moment, slot.service, Priority.APPOINTMENT))
    drawn.sort(key=lambda item: (item[0], item[1]))
    patience = day.patience
    customers = []
    for index, (moment, service_id, kind) in enumerate(drawn):
        waits = rng.lognormvariate(math.log(patience.median_minutes), patience.sigma)
        customers.append(
            Customer(
                index=index,
                arrive_minute=moment,
                service_id=service_id,
                priority=str(kind),
                patience_minutes=math.inf if kind is Priority.APPOINTMENT else waits,
                silent=rng.random() < patience.silent_share,
                work_minutes=_lognormal(rng, day.true_handling(settings, service_id), day.service_cv),
            )
        )
    log.debug("day %s seed %d: %d customers", day.name, seed, len(customers))
    return tuple(customers)


def day_setup(settings: Settings, day: DayDefinition) -> RunSetup:
    """The day's counters (its own shifts, else branch.yml's schedule), times and known appointments."""
    zone = ZoneInfo(settings.branch.timezone)
    opening = datetime.strptime(day.open, "%H:%M").time()
    start = datetime.combine(day.date, opening, tzinfo=zone)
    desks = []
    for counter in settings.counters:
        if day.counters is not None:
            if counter.id not in day.counters:
                continue
            windows = tuple((day.minute(a), day.minute(b)) for a, b in day.counters[counter.id])
        else:
            plan = counter_schedule(settings, counter)
            windows = tuple((_since(start, a), _since(start, b)) for a, b in plan.day_windows(day.date, zone))
        desks.append(Desk(counter.id, dict(counter.skills), windows))
    expected = tuple((day.minute(slot.at), slot.service) for slot in day.appointments)
    return RunSetup(
        start=start,
        zone=zone,
        business_date=day.date,
        desks=tuple(desks),
        prefixes={s.id: s.prefix for s in settings.services},
        doors_close=day.closing_minute,
        end=day.end_minute,
        slowdown=day.secondary_skill_slowdown,
        no_show_minutes=day.patience.no_show_minutes,
        expected=expected,
        day_label=day.name,
        classes=settings.priority.classes,
    )


def _since(start: datetime, moment: datetime) -> float:
    return (moment - start).total_seconds() / 60


HISTORY_SEED = 100_000  # past days are drawn from seeds far from the ones compared


def day_history(settings: Settings, day: DayDefinition, seed: int, days: int) -> History:
    """`days` earlier runs of this day (other customers, the ordering policy, no ETAs): what the hub's
    database would hold about days like it when this one starts."""
    history = History()
    setup = day_setup(settings, day)
    policy = policy_from_settings(settings)
    for back in range(1, days + 1):
        customers = draw_customers(settings, day, HISTORY_SEED + seed * 100 + back)
        run = QueueRun(replace(setup, start=setup.start - timedelta(days=7 * back)), policy, customers).run()
        history = history + history_of(run)
    return history


def run_day(
    settings: Settings,
    day: DayDefinition,
    policy: Policy,
    seed: int,
    history_days: int = HISTORY_DAYS,
    eta: bool = True,
) -> QueueRun:
    """One branch day; with `eta`, every ticket is given the hub's ETA at issue, learned from
    `history_days` earlier days like it (without, the run is much faster: for policy comparisons)."""
    setup = day_setup(settings, day)
    knowledge = None
    if eta:
        seeds = {s.id: s.handling_minutes for s in settings.services}
        skills = {d.id: d.skills for d in setup.desks}
        knowledge = Knowledge.learn(
            day_history(settings, day, seed, history_days), policy_from_settings(settings), seeds, skills
        )
        knowledge.naive = seeds  # the naive estimate uses branch.yml's minutes, as the old ETA did
    return QueueRun(setup, policy, draw_customers(settings, day, seed), knowledge).run()


def simulate_day(
    settings: Settings,
    day: DayDefinition,
    policy: Policy,
    seed: int,
    history_days: int = HISTORY_DAYS,
    eta: bool = True,
) -> SimulationReport:
    """Run one branch day; the same seed gives the same customers whatever the policy."""
    report = run_day(settings, day, policy, seed, history_days, eta).report(seed)
    log.info("simulated %s with %s (seed %d): %d served of %d", day.name, report.policy, seed, report.served,
             report.arrivals)  # fmt: skip
    return report
