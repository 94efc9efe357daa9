"""A discrete-event queue run through the real domain engine.

Tickets are the domain's `Ticket` values moved through their legal life cycle, the counter picks
with `OrderingPolicy.choose` (or FIFO as the baseline) over the skills `cover_skills` gives the
open counters (break cover, as the hub), and every ticket's ETA at issue comes from the hub's own
`WaitModel` fed with a snapshot of this run. Time is a `FakeClock` moved from event to event.
The same engine runs a simulated branch day (`day.py`) and a recorded queue (`replay.py`):

* customers arrive at their minute with a service, a class, a patience and an amount of work;
* a counter works inside its windows (shifts minus breaks); when idle and open it calls the next
  ticket it can serve. If several idle counters could take a new arrival, the one with the highest
  skill weight for it calls first (the same for every policy);
* calling starts service at once; the service lasts the customer's work divided by
  `skill_weight ** slowdown` (a side skill is slower; a replay uses 0: the recorded duration);
  a counter whose window ends finishes its customer first;
* a customer whose patience runs out leaves: cancels the ticket (ABANDONED) or, silently, leaves
  it waiting until a counter calls it and records a NO_SHOW after `no_show_minutes`;
* doors shut at `doors_close`; counters still open serve who is inside until `end`; tickets still
  waiting then are "waiting at close".
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Literal, Protocol

from assistant.domain.clock import FakeClock
from assistant.domain.eta import CounterNow, Expected, QueueSnapshot, WaitEstimate, WaitModel
from assistant.domain.eta_stats import Served
from assistant.domain.schedule import cover_skills
from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus, format_number, place_in_line
from assistant.settings import Settings, ordering_policy
from lobby_tools.simulation.report import EtaSample, SimulationReport, class_stats, eta_stats, ratio
from lobby_tools.simulation.setup import Customer, Desk, RunSetup

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
    RETURN = 5  # back from an absence inside its window (RunSetup.keep_presence)


@dataclass
class _DeskState:
    desk: Desk
    open: bool = False
    ticket_id: str | None = None
    busy_since: float = 0.0
    busy_minutes: float = 0.0
    open_since: float = 0.0
    open_minutes: float = 0.0
    window_end: float = math.inf
    outside_since: float | None = None  # serving past the end of its window since
    debt: float = 0.0  # minutes served outside its windows, owed back as absence (RunSetup.keep_presence)
    away_until: float = -math.inf
    idle_since: float = 0.0


class Forecaster(Protocol):
    """Where the run's ETAs come from: the model the hub would have now, and the naive baseline's
    handling minutes of a service."""

    def model(self, run: QueueRun) -> WaitModel: ...

    def naive_handling(self, service_id: str) -> float: ...


def policy_from_settings(settings: Settings) -> OrderingPolicy:
    return ordering_policy(settings)  # the hub's own


def fifo_choose(waiting: Sequence[Ticket], skills: Mapping[str, float], counter_id: str) -> Ticket | None:
    """The baseline: the oldest waiting ticket this counter can serve at all (skill weight ignored)."""
    candidates = [t for t in waiting if t.callable_by(counter_id, skills)]
    return min(candidates, key=lambda t: t.issued_at, default=None)


@dataclass
class QueueRun:
    """One run; `run()` then read `tickets`, `samples`, `served_log`."""

    setup: RunSetup
    policy: Policy
    customers: Sequence[Customer]
    forecaster: Forecaster | None = None
    tickets: dict[str, Ticket] = field(default_factory=dict)
    samples: dict[str, EtaSample] = field(default_factory=dict)
    served_log: list[Served] = field(default_factory=list)  # what the hub's database would hold of today

    def __post_init__(self) -> None:
        self.clock = FakeClock(self.setup.start)
        self.minute = 0.0
        self.desks = {d.id: _DeskState(d) for d in self.setup.desks}
        self.by_id = {f"t{c.index:05d}": c for c in self.customers}
        self.waiting: dict[str, Ticket] = {}
        self.gone: set[str] = set()  # left silently, ticket still waiting
        self.recent: list[str] = []
        self.issued: list[tuple[str, str]] = []  # (service, class) of today's tickets
        self.sequences: dict[str, int] = {}
        self.events: list[tuple[float, int, int, str]] = []
        self.order = 0
        self.ended = False
        self._covers: dict[frozenset[str], dict[str, dict[str, float]]] = {}
        self._windows = {
            d.id: tuple((self.at_minute(a), self.at_minute(b)) for a, b in d.planned or d.windows)
            for d in self.setup.desks
        }

    def at_minute(self, minute: float) -> datetime:
        return self.setup.start + timedelta(minutes=minute)

    def schedule(self, minute: float, kind: Kind, key: str) -> None:
        self.order += 1
        heapq.heappush(self.events, (minute, int(kind), self.order, key))

    def run(self) -> QueueRun:
        for ticket_id, customer in self.by_id.items():
            self.schedule(customer.arrive_minute, Kind.ARRIVE, ticket_id)
        for desk in self.setup.desks:
            for begin, finish in desk.windows:
                self.schedule(begin, Kind.OPEN, desk.id)
                self.schedule(finish, Kind.CLOSE, desk.id)
        end = self.setup.end
        handlers = {Kind.FINISH: self._finish, Kind.CLOSE: self._close, Kind.OPEN: self._open,
                    Kind.LEAVE: self._leave, Kind.ARRIVE: self._arrive,
                    Kind.RETURN: lambda desk_id: self._call(self.desks[desk_id])}  # fmt: skip
        while self.events:
            minute, kind, _, key = heapq.heappop(self.events)
            if minute > end and not self.ended:
                self._advance(end)
                self._end()
            if self.ended and kind != Kind.FINISH:
                continue
            self._advance(minute)
            handlers[Kind(kind)](key)
        if not self.ended:
            self._advance(max(self.minute, end))
            self._end()
        return self

    def _end(self) -> None:
        self.ended = True
        for state in self.desks.values():
            self._close(state.desk.id)

    def _advance(self, minute: float) -> None:
        self.minute = minute
        target = self.at_minute(minute)
        self.clock.advance(seconds=(target - self.clock.now()).total_seconds())

    # -- what the hub would see ------------------------------------------------------------------

    def open_ids(self) -> list[str]:
        return [d_id for d_id, state in self.desks.items() if state.open]

    def _covered(self) -> dict[str, dict[str, float]]:
        """Every counter's skills with break cover for the counters open now (kept per set of open counters)."""
        opened = frozenset(self.open_ids())
        if opened not in self._covers:
            self._covers[opened] = cover_skills({d: s.desk.skills for d, s in self.desks.items()}, opened)
        return self._covers[opened]

    def snapshot(self) -> QueueSnapshot:
        now = self.clock.now()
        counters = []
        for state in self.desks.values():
            windows = tuple((max(a, now), b) for a, b in self._windows[state.desk.id] if b > now)
            current = self.tickets.get(state.ticket_id) if state.ticket_id else None
            counters.append(
                CounterNow(
                    id=state.desk.id,
                    skills=state.desk.skills,
                    windows=windows,
                    serving=current.service_id if current else None,
                    since=self.at_minute(state.busy_since) if current else None,
                    idle_since=None if current else self.at_minute(state.idle_since),
                )
            )
        expected = tuple(
            Expected(self.at_minute(minute), service) for minute, service in self.setup.expected if minute > self.minute
        )
        return QueueSnapshot(
            now=now,
            zone=self.setup.zone,
            waiting=tuple(self.waiting.values()),
            counters=tuple(counters),
            recent=tuple(self.recent[-RECENT_CALLS:]),
            doors_close=self.at_minute(self.setup.doors_close),
            expected=expected,
        )

    # -- events -------------------------------------------------------------------------------------

    def _arrive(self, ticket_id: str) -> None:
        customer = self.by_id[ticket_id]
        prefix = self.setup.prefixes[customer.service_id]
        sequence = self.sequences[prefix] = self.sequences.get(prefix, 0) + 1
        now = self.clock.now()
        ticket = Ticket(
            id=ticket_id,
            number=format_number(prefix, sequence),
            service_id=customer.service_id,
            business_date=self.setup.business_date,
            channel="kiosk",
            lang="en",
            priority=Priority(customer.priority),
            status=TicketStatus.WAITING,
            issued_at=now,
        )
        self.tickets[ticket_id] = self.waiting[ticket_id] = ticket
        self.issued.append((customer.service_id, customer.priority))
        if self.forecaster is not None:
            self._forecast(ticket)
        if not math.isinf(customer.patience_minutes):
            self.schedule(self.minute + customer.patience_minutes, Kind.LEAVE, ticket_id)
        idle = [s for s in self.desks.values() if s.open and s.ticket_id is None]
        for state in sorted(idle, key=lambda s: -s.desk.skills.get(customer.service_id, 0.0)):
            self._call(state)

    def _forecast(self, ticket: Ticket) -> None:
        """What the customer is told at issue: our range and point, and the naive estimate."""
        assert self.forecaster is not None
        model = self.forecaster.model(self)
        estimate = model.estimate(self.snapshot(), only=ticket.id).get(ticket.id)
        same = [
            (t.id, str(t.priority), t.issued_at) for t in self.waiting.values() if t.service_id == ticket.service_id
        ]
        policy = self.policy if isinstance(self.policy, OrderingPolicy) else model.policy
        position = place_in_line(policy, ticket, same, self.clock.now())
        able = sum(1 for s in self.desks.values() if s.open and s.desk.skills.get(ticket.service_id, 0) > 0)
        naive = position * self.forecaster.naive_handling(ticket.service_id) / max(1, able)
        self.samples[ticket.id] = EtaSample(estimate or WaitEstimate(math.inf, math.inf, math.inf), naive, math.nan)

    def _leave(self, ticket_id: str) -> None:
        ticket = self.waiting.get(ticket_id)
        if ticket is None:
            return
        if self.by_id[ticket_id].silent:
            self.gone.add(ticket_id)
        else:
            self._save(ticket.abandon(self.clock.now()))

    def _open(self, desk_id: str) -> None:
        state = self.desks[desk_id]
        if not state.open:
            state.open, state.open_since = True, self.minute
            state.idle_since = self.minute
            state.window_end = next((b for a, b in state.desk.windows if a <= self.minute < b), math.inf)
            if state.outside_since is not None:
                state.debt += self.minute - state.outside_since
                state.outside_since = None
        self._call(state)
        for other in self.desks.values():  # break cover may change what the others call
            if other is not state:
                self._call(other)

    def _close(self, desk_id: str) -> None:
        state = self.desks[desk_id]
        if state.open:
            state.open = False
            state.open_minutes += self.minute - state.open_since
            if state.ticket_id is not None:
                state.outside_since = self.minute

    def _call(self, state: _DeskState) -> None:
        if not state.open or state.ticket_id is not None or self.ended or state.away_until > self.minute:
            return
        if state.debt > 1e-9 and self.setup.keep_presence:
            away = min(state.debt, state.window_end - self.minute)
            state.debt -= away
            state.away_until = self.minute + away
            self.schedule(state.away_until, Kind.RETURN, state.desk.id)
            return
        desk = state.desk
        waiting = list(self.waiting.values())
        if isinstance(self.policy, OrderingPolicy):
            skills = self._covered()[desk.id]
            recent = self.recent[-RECENT_CALLS:]
            chosen = self.policy.choose(waiting, skills, self.clock.now(), recent, counter_id=desk.id)
        else:
            chosen = fifo_choose(waiting, desk.skills, desk.id)
        if chosen is None:
            return
        now = self.clock.now()
        self.recent.append(str(chosen.priority))
        called = chosen.call(desk.id, now)
        state.ticket_id, state.busy_since = called.id, self.minute
        if called.id in self.gone:
            self._save(called)
            self.schedule(self.minute + self.setup.no_show_minutes, Kind.FINISH, desk.id)
            return
        self._save(called.start(now))
        weight = desk.skills[called.service_id]
        duration = self.by_id[called.id].work_minutes / weight**self.setup.slowdown
        self.schedule(self.minute + duration, Kind.FINISH, desk.id)

    def _finish(self, desk_id: str) -> None:
        state = self.desks[desk_id]
        assert state.ticket_id is not None
        ticket, now = self.tickets[state.ticket_id], self.clock.now()
        if ticket.status is TicketStatus.CALLED:
            self._save(ticket.no_show(now))
        else:
            self._save(ticket.finish(now, "done"))
            hour = self.at_minute(state.busy_since).astimezone(self.setup.zone).hour
            self.served_log.append(Served(ticket.service_id, desk_id, hour, self.minute - state.busy_since))
        state.ticket_id = None
        state.busy_minutes += self.minute - state.busy_since
        state.idle_since = self.minute
        if state.outside_since is not None:
            state.debt += self.minute - state.outside_since
            state.outside_since = None
        self._call(state)

    def _save(self, ticket: Ticket) -> None:
        self.tickets[ticket.id] = ticket
        if ticket.status is not TicketStatus.WAITING:
            self.waiting.pop(ticket.id, None)

    # -- results ------------------------------------------------------------------------------------

    def eta_samples(self) -> list[EtaSample]:
        """The ETA shown at issue of every called, served ticket, with the wait it really had."""
        out = []
        for ticket_id, sample in self.samples.items():
            ticket = self.tickets[ticket_id]
            if ticket.status is TicketStatus.SERVED and ticket.called_at is not None:
                actual = (ticket.called_at - ticket.issued_at).total_seconds() / 60
                out.append(EtaSample(sample.ours, sample.naive, actual, str(ticket.priority)))
        return out

    def report(self, seed: int) -> SimulationReport:
        tickets = list(self.tickets.values())
        count = {status: sum(t.status is status for t in tickets) for status in TicketStatus}
        left = count[TicketStatus.ABANDONED] + count[TicketStatus.NO_SHOW]
        return SimulationReport(
            day=self.setup.day_label,
            policy=FIFO if self.policy == FIFO else "policy",
            seed=seed,
            arrivals=len(tickets),
            served=count[TicketStatus.SERVED],
            abandoned=left,
            no_show=count[TicketStatus.NO_SHOW],
            waiting_at_close=count[TicketStatus.WAITING],
            abandonment_rate=ratio(left, len(tickets)),
            utilization=self.utilization(),
            classes=tuple(class_stats(p, tickets) for p in self.setup.classes),
            eta=eta_stats(self.eta_samples()),
        )

    def utilization(self) -> float:
        open_minutes = sum(s.open_minutes for s in self.desks.values())
        busy = sum(s.busy_minutes for s in self.desks.values())
        return round(busy / open_minutes, 4) if open_minutes else 0.0
