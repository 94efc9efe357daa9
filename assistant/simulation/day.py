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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import msgspec

from assistant.domain.tickets import Priority
from assistant.settings import ConfigError, Frozen, Settings, convert, read_yaml_mapping

log = logging.getLogger(__name__)


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
    counters: dict[str, tuple[tuple[str, str], ...]]
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


@dataclass(frozen=True, slots=True)
class Customer:
    """One visitor: when they come, what for, how long they would wait, how much work they bring."""

    index: int
    arrive_minute: float
    service_id: str
    priority: Priority
    patience_minutes: float  # math.inf: never leaves (appointments)
    silent: bool
    work_minutes: float  # service duration at a counter with full skill


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
    if unknown := sorted(set(day.counters) - counters):
        raise ConfigError(f"day {day.name}: unknown counters {unknown}")
    if day.closing_minute <= 0:
        raise ConfigError(f"day {day.name}: closes before it opens")
    for segment in day.arrivals:
        start, end = day.minute(segment.start), day.minute(segment.end)
        if not 0 <= start < end <= day.closing_minute:
            raise ConfigError(f"day {day.name}: arrivals {segment.start}-{segment.end} outside opening hours")
        if any(rate < 0 for rate in segment.rates.values()):
            raise ConfigError(f"day {day.name}: negative arrival rate")
    for shifts in day.counters.values():
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
                priority=kind,
                patience_minutes=math.inf if kind is Priority.APPOINTMENT else waits,
                silent=rng.random() < patience.silent_share,
                work_minutes=_lognormal(rng, day.true_handling(settings, service_id), day.service_cv),
            )
        )
    log.debug("day %s seed %d: %d customers", day.name, seed, len(customers))
    return tuple(customers)
