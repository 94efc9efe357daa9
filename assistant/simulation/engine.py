"""A discrete-event branch day run through the real domain engine.

Tickets are the domain's `Ticket` values moved through their legal life cycle,
the counter picks with `OrderingPolicy.choose` (or FIFO as the baseline), ETAs
come from `eta_range` fed by the smoothed `HandlingTimes`, and time is a
`FakeClock` moved from event to event. The model:

* Walk-ins arrive as a Poisson process per service (`DayDefinition.arrivals`),
  appointments check in around their slot; see `day.py`.
* A counter is open by its shift; when idle and open it calls the next ticket
  it can serve. If several idle counters could take a new arrival, the one
  with the highest skill weight for it calls first (the same for every policy).
* Calling starts service at once; the service lasts the customer's work divided
  by `skill_weight ** secondary_skill_slowdown` (a counter for which a service
  is a side skill is slower at it). A counter that closes finishes its customer.
* A walk-in whose patience runs out leaves: cancels the ticket (ABANDONED) or,
  silently, leaves it waiting until a counter calls it and records a NO_SHOW.
* Doors shut at `close`; counters still open serve who is inside until
  `close + overtime_minutes`; tickets still waiting then are "waiting at close".
"""

from __future__ import annotations

import heapq
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Literal
from zoneinfo import ZoneInfo

from assistant.domain.clock import FakeClock
from assistant.domain.handling import HandlingTimes
from assistant.domain.tickets import OrderingPolicy, Ticket, TicketStatus, eta_range, format_number
from assistant.settings import CounterConfig, Settings
from assistant.simulation.day import Customer, DayDefinition, draw_customers
from assistant.simulation.report import EtaSample, SimulationReport, class_stats, eta_stats

log = logging.getLogger(__name__)

FIFO: Literal["fifo"] = "fifo"
Policy = OrderingPolicy | Literal["fifo"]
RECENT_CALLS = 8  # as many call classes as the hub reads back (TicketRepository.recent_call_classes)


class Kind(IntEnum):
    """Event kinds; at one instant they run in this order."""

    FINISH = 0
    CLOSE = 1
    OPEN = 2
    LEAVE = 3
    ARRIVE = 4


@dataclass
class _Desk:
    """A counter's mutable state during the run."""

    config: CounterConfig
    open: bool = False
    ticket_id: str | None = None
    busy_since: float = 0.0
    busy_minutes: float = 0.0
    open_since: float = 0.0
    open_minutes: float = 0.0


def policy_from_settings(settings: Settings) -> OrderingPolicy:
    return OrderingPolicy(
        classes=settings.priority.classes,
        normal_share=settings.priority.normal_share,
        age_boost_minutes=settings.priority.age_boost_minutes,
    )


def fifo_choose(waiting: list[Ticket], skills: dict[str, float], counter_id: str) -> Ticket | None:
    """The baseline: the oldest waiting ticket this counter can serve at all (skill weight ignored)."""
    candidates = [t for t in waiting if t.callable_by(counter_id, skills)]
    return min(candidates, key=lambda t: t.issued_at, default=None)


class DaySimulation:
    """One simulated day; `simulate_day` is the usual entry, tests read `tickets` and `handling` too."""

    def __init__(self, settings: Settings, day: DayDefinition, policy: Policy, customers: tuple[Customer, ...]) -> None:
        self.settings, self.day, self.policy = settings, day, policy
        opening = datetime.strptime(day.open, "%H:%M").time()
        self.start = datetime.combine(day.date, opening, tzinfo=ZoneInfo(settings.branch.timezone)).astimezone(UTC)
        self.clock = FakeClock(self.start)
        self.minute = 0.0
        self.handling = HandlingTimes.seeded({s.id: s.handling_minutes for s in settings.services})
        self.desks = {c.id: _Desk(c) for c in settings.counters if c.id in day.counters}
        self.customers = {f"t{c.index:04d}": c for c in customers}
        self.tickets: dict[str, Ticket] = {}
        self.waiting: dict[str, Ticket] = {}
        self.gone: set[str] = set()  # left silently, ticket still waiting
        self.recent: list[str] = []
        self.sequences: dict[str, int] = {}
        self.shown: dict[str, tuple[tuple[int, int], tuple[int, int], float]] = {}
        self.events: list[tuple[float, int, int, str]] = []
        self.order = 0
        self.ended = False

    def at(self, minute: float, kind: Kind, key: str) -> None:
        self.order += 1
        heapq.heappush(self.events, (minute, int(kind), self.order, key))

    def run(self) -> None:
        for ticket_id, customer in self.customers.items():
            self.at(customer.arrive_minute, Kind.ARRIVE, ticket_id)
        for counter_id, shifts in self.day.counters.items():
            for begin, finish in shifts:
                self.at(self.day.minute(begin), Kind.OPEN, counter_id)
                self.at(self.day.minute(finish), Kind.CLOSE, counter_id)
        end = self.day.end_minute
        while self.events:
            minute, kind, _, key = heapq.heappop(self.events)
            if minute > end and not self.ended:
                self._advance(end)
                self.ended = True
                for desk in self.desks.values():
                    self._close(desk)
            if self.ended and kind != Kind.FINISH:
                continue
            self._advance(minute)
            handler = {
                Kind.FINISH: self._finish,
                Kind.CLOSE: lambda k: self._close(self.desks[k]),
                Kind.OPEN: self._open,
                Kind.LEAVE: self._leave,
                Kind.ARRIVE: self._arrive,
            }[Kind(kind)]
            handler(key)
        if not self.ended:
            self._advance(max(self.minute, end))
            for desk in self.desks.values():
                self._close(desk)

    def _advance(self, minute: float) -> None:
        self.minute = minute
        target = self.start + timedelta(minutes=minute)
        self.clock.advance(seconds=(target - self.clock.now()).total_seconds())

    # -- events ----------------------------------------------------------------

    def _arrive(self, ticket_id: str) -> None:
        customer = self.customers[ticket_id]
        service = self.settings.service(customer.service_id)
        assert service is not None
        sequence = self.sequences[service.prefix] = self.sequences.get(service.prefix, 0) + 1
        now = self.clock.now()
        ticket = Ticket(
            id=ticket_id,
            number=format_number(service.prefix, sequence),
            service_id=service.id,
            business_date=self.day.date,
            channel="kiosk",
            lang="en",
            priority=customer.priority,
            status=TicketStatus.WAITING,
            issued_at=now,
        )
        self.tickets[ticket_id] = self.waiting[ticket_id] = ticket
        self._show_eta(ticket, service.handling_minutes)
        if not math.isinf(customer.patience_minutes):
            self.at(self.minute + customer.patience_minutes, Kind.LEAVE, ticket_id)
        idle = [d for d in self.desks.values() if d.open and d.ticket_id is None]
        for desk in sorted(idle, key=lambda d: -d.config.skills.get(service.id, 0.0)):
            self._call(desk)

    def _show_eta(self, ticket: Ticket, configured: float) -> None:
        """The ETAs a customer would see on the ticket (ours, ours unsmoothed, naive)."""
        now = self.clock.now()
        same = [t for t in self.waiting.values() if t.service_id == ticket.service_id]
        if isinstance(self.policy, OrderingPolicy):
            policy, skills = self.policy, {ticket.service_id: 1.0}
            ordered = sorted(same, key=lambda t: policy.rank(t, skills, now))
        else:
            ordered = sorted(same, key=lambda t: t.issued_at)
        ahead = ordered.index(ticket)
        open_desks = [d for d in self.desks.values() if d.open]
        capacity = sum(d.config.skills.get(ticket.service_id, 0.0) for d in open_desks)
        ours = eta_range(ahead, self.handling.minutes(ticket.service_id), capacity)
        static = eta_range(ahead, configured, capacity)
        if ours is not None and static is not None and open_desks:
            self.shown[ticket.id] = (ours, static, (ahead + 1) * configured / len(open_desks))

    def _leave(self, ticket_id: str) -> None:
        ticket = self.waiting.get(ticket_id)
        if ticket is None:
            return
        if self.customers[ticket_id].silent:
            self.gone.add(ticket_id)
        else:
            self._save(ticket.abandon(self.clock.now()))

    def _open(self, counter_id: str) -> None:
        desk = self.desks[counter_id]
        if not desk.open:
            desk.open, desk.open_since = True, self.minute
        self._call(desk)

    def _close(self, desk: _Desk) -> None:
        if desk.open:
            desk.open = False
            desk.open_minutes += self.minute - desk.open_since

    def _call(self, desk: _Desk) -> None:
        if not desk.open or desk.ticket_id is not None or self.ended:
            return
        skills = desk.config.skills
        waiting = list(self.waiting.values())
        if isinstance(self.policy, OrderingPolicy):
            recent = self.recent[-RECENT_CALLS:]
            chosen = self.policy.choose(waiting, skills, self.clock.now(), recent, counter_id=desk.config.id)
        else:
            chosen = fifo_choose(waiting, skills, desk.config.id)
        if chosen is None:
            return
        now = self.clock.now()
        self.recent.append(str(chosen.priority))
        called = chosen.call(desk.config.id, now)
        desk.ticket_id, desk.busy_since = called.id, self.minute
        if called.id in self.gone:
            self._save(called)
            self.at(self.minute + self.day.patience.no_show_minutes, Kind.FINISH, desk.config.id)
            return
        self._save(called.start(now))
        weight = skills[called.service_id]
        duration = self.customers[called.id].work_minutes / weight**self.day.secondary_skill_slowdown
        self.at(self.minute + duration, Kind.FINISH, desk.config.id)

    def _finish(self, counter_id: str) -> None:
        desk = self.desks[counter_id]
        assert desk.ticket_id is not None
        ticket, now = self.tickets[desk.ticket_id], self.clock.now()
        if ticket.status is TicketStatus.CALLED:
            self._save(ticket.no_show(now))
        else:
            self._save(ticket.finish(now, "done"))
            self.handling = self.handling.observe(ticket.service_id, self.minute - desk.busy_since)
        desk.ticket_id = None
        desk.busy_minutes += self.minute - desk.busy_since
        self._call(desk)

    def _save(self, ticket: Ticket) -> None:
        self.tickets[ticket.id] = ticket
        if ticket.status is not TicketStatus.WAITING:
            self.waiting.pop(ticket.id, None)

    # -- report ----------------------------------------------------------------

    def report(self, seed: int) -> SimulationReport:
        tickets = list(self.tickets.values())
        count = {status: sum(t.status is status for t in tickets) for status in TicketStatus}
        samples = [
            EtaSample(ours, static, naive, (t.called_at - t.issued_at).total_seconds() / 60)
            for t in tickets
            if t.status is TicketStatus.SERVED and t.called_at is not None and t.id in self.shown
            for ours, static, naive in [self.shown[t.id]]
        ]
        left = count[TicketStatus.ABANDONED] + count[TicketStatus.NO_SHOW]
        open_minutes = sum(d.open_minutes for d in self.desks.values())
        return SimulationReport(
            day=self.day.name,
            policy=FIFO if self.policy == FIFO else "policy",
            seed=seed,
            arrivals=len(tickets),
            served=count[TicketStatus.SERVED],
            abandoned=left,
            no_show=count[TicketStatus.NO_SHOW],
            waiting_at_close=count[TicketStatus.WAITING],
            abandonment_rate=round(left / len(tickets), 4) if tickets else 0.0,
            utilization=round(sum(d.busy_minutes for d in self.desks.values()) / open_minutes, 4)
            if open_minutes
            else 0.0,
            classes=tuple(class_stats(p, tickets) for p in self.settings.priority.classes),
            eta=eta_stats(samples),
        )


def simulate_day(settings: Settings, day: DayDefinition, policy: Policy, seed: int) -> SimulationReport:
    """Run one branch day; the same seed gives the same customers whatever the policy."""
    run = DaySimulation(settings, day, policy, draw_customers(settings, day, seed))
    run.run()
    report = run.report(seed)
    log.info("simulated %s with %s (seed %d): %d served of %d", day.name, report.policy, seed, report.served,
             report.arrivals)
    return report
