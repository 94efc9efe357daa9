"""Tickets, their life cycle, the ordering policy and the ETA estimate.

Pure: values in, values out. Storage and time are the caller's business.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from assistant.domain.errors import Conflict, InvalidInput
from lobby_wire.tickets import Priority, TicketStatus  # the wire's states and classes: one definition

ACTIVE = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED})
AT_COUNTER = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
NOT_ARRIVED = "not_arrived"  # the outcome of a remote ticket that expired before its customer came
BRANCH_CLOSED = "branch_closed"  # the outcome of a ticket still in line when the branch closed


@dataclass(frozen=True, slots=True)
class Ticket:
    """One visit. Every transition is a method returning a new, timestamped ticket;
    an illegal one raises Conflict. Number and issued_at never change (transfers too)."""

    id: str
    number: str
    service_id: str
    business_date: date
    channel: str
    lang: str
    priority: Priority
    status: TicketStatus
    issued_at: datetime
    intent: str | None = None
    appointment_code: str | None = None
    idempotency_key: str | None = None
    counter_id: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    recalls: int = 0
    transfers: int = 0
    target_counter_id: str | None = None  # set by a transfer to a named counter
    # Joined from the bank's app: in line before reaching the branch. Walk-ins arrive when issued.
    remote: bool = False
    arrived_at: datetime | None = None

    @property
    def on_the_way(self) -> bool:
        """Joined remotely and not yet checked in at the branch: keeps its place but is not called."""
        return self.remote and self.arrived_at is None

    def _require(self, action: str, allowed: frozenset[TicketStatus]) -> None:
        if self.status not in allowed:
            raise Conflict(f"ticket {self.number} is {self.status}; it cannot be {action}", code="wrong_state")

    def call(self, counter_id: str, at: datetime) -> Ticket:
        self._require("called", frozenset({TicketStatus.WAITING, TicketStatus.PARKED}))
        return replace(
            self, status=TicketStatus.CALLED, counter_id=counter_id, called_at=at, recalls=0, target_counter_id=None,
            arrived_at=self.arrived_at or at,  # a remote customer called by name is at the counter
        )  # fmt: skip

    def recall(self, at: datetime, max_recalls: int) -> Ticket:
        """Call again; past `max_recalls` the customer is a no-show."""
        self._require("recalled", frozenset({TicketStatus.CALLED}))
        if self.recalls >= max_recalls:
            return self.no_show(at)
        return replace(self, recalls=self.recalls + 1, called_at=at)

    def start(self, at: datetime) -> Ticket:
        self._require("started", frozenset({TicketStatus.CALLED}))
        return replace(self, status=TicketStatus.SERVING, started_at=at)

    def finish(self, at: datetime, outcome: str) -> Ticket:
        self._require("finished", AT_COUNTER)
        started = self.started_at or at
        return replace(self, status=TicketStatus.SERVED, started_at=started, finished_at=at, outcome=outcome)

    def no_show(self, at: datetime) -> Ticket:
        self._require("marked no-show", frozenset({TicketStatus.CALLED}))
        return replace(self, status=TicketStatus.NO_SHOW, finished_at=at, outcome="no_show")

    def park(self, at: datetime) -> Ticket:
        self._require("parked", AT_COUNTER)
        return replace(self, status=TicketStatus.PARKED)

    def abandon(self, at: datetime) -> Ticket:
        self._require("abandoned", frozenset({TicketStatus.WAITING, TicketStatus.PARKED, TicketStatus.CALLED}))
        return replace(self, status=TicketStatus.ABANDONED, finished_at=at, outcome="abandoned")

    def transfer(self, at: datetime, service_id: str | None = None, counter_id: str | None = None) -> Ticket:
        """Back in the queue for another service and/or a named counter, same number, same arrival."""
        if service_id is None and counter_id is None:
            raise InvalidInput("a transfer needs a service or a counter")
        self._require("transferred", ACTIVE)
        return replace(
            self,
            status=TicketStatus.WAITING,
            service_id=service_id or self.service_id,
            target_counter_id=counter_id,
            counter_id=None,
            called_at=None,
            started_at=None,
            recalls=0,
            transfers=self.transfers + 1,
        )

    def arrive(self, at: datetime) -> Ticket:
        """The customer is at the branch (kiosk scan, or "I'm here" on the phone). Idempotent."""
        self._require("checked in", ACTIVE)
        if self.arrived_at is not None:
            return self
        return replace(self, arrived_at=at)

    def expire(self, at: datetime) -> Ticket:
        """A remote ticket whose customer did not arrive in time leaves the queue as a no-show."""
        self._require("expired", frozenset({TicketStatus.WAITING}))
        if not self.on_the_way:
            raise Conflict(f"ticket {self.number} has arrived; it cannot expire", code="wrong_state")
        return replace(self, status=TicketStatus.NO_SHOW, finished_at=at, outcome=NOT_ARRIVED)

    def close_unserved(self, at: datetime) -> Ticket:
        """The branch closed (or the day ended) with this ticket still in line: it leaves unserved,
        as abandoned with outcome `branch_closed` (not the customer's choice; the KPIs can tell)."""
        self._require("closed at the end of the day", frozenset({TicketStatus.WAITING, TicketStatus.PARKED}))
        return replace(self, status=TicketStatus.ABANDONED, finished_at=at, outcome=BRANCH_CLOSED)

    def callable_by(self, counter_id: str | None, skills: Mapping[str, float]) -> bool:
        if self.status is not TicketStatus.WAITING or self.on_the_way:
            return False
        if self.target_counter_id is not None:
            return self.target_counter_id == counter_id
        return skills.get(self.service_id, 0) > 0


def format_number(prefix: str, sequence: int) -> str:
    """'A', 23 -> 'A023' (at least three digits, more once past 999)."""
    if not prefix or not prefix.isalpha():
        raise InvalidInput(f"ticket prefix must be letters, got {prefix!r}")
    if sequence < 1:
        raise InvalidInput("ticket sequence starts at 1")
    return f"{prefix}{sequence:03d}"


@dataclass(frozen=True, slots=True)
class OrderingPolicy:
    """Who a counter calls next: a pure function of the waiting tickets, the
    counter's skills, the clock and the classes of the last calls.

    1. Checked-in appointments first (the first class, "appointment").
    2. A ticket that has waited `age_boost_minutes` is *due*: it is lifted one
       class (`class_level`, never into the first) and goes before the tickets
       of its new level that are not due, in arrival order whatever their class
       or service (skill weight no longer reorders them). With the three
       classes of branch.yml: nobody who came after a due ticket is called
       before it, except a checked-in appointment.
    3. Among tickets not yet due: priority classes in order, but with a
       guaranteed share for normal tickets: after `normal_share[0]` non-normal
       calls in a row, `normal_share[1]` normal calls are owed while normal
       tickets wait (1, 3: priority takes at most one call in four).
    4. Skill weight decides between services, then arrival.

    Why this shape (README, "Ordering policy: no class starved"): priority's
    head start is bounded per ticket (only during a ticket's first
    `age_boost_minutes`), and the share bounds it per call when many priority
    customers wait at once (a call centre's line is mostly priority: there,
    precedence gains priority little and costs the few normal callers a lot).
    """

    classes: tuple[str, ...] = ("appointment", "priority", "normal")
    normal_share: tuple[int, int] = (1, 3)
    age_boost_minutes: float = 15
    boost: timedelta = field(init=False, repr=False, compare=False)  # age_boost_minutes, as the database has it

    def level(self, ticket: Ticket, now: datetime) -> int:
        return self.class_level(ticket.priority, ticket.issued_at, now)

    def class_level(self, priority: str, issued_at: datetime, now: datetime) -> int:
        """0 is called first. The age boost moves a ticket up one class, never into the first.
        (The database counts the same order: `TicketRepository.place_in_line`.)"""
        try:
            level = self.classes.index(priority)
        except ValueError:
            level = len(self.classes)
        if level > 1 and self.waited_past_boost(issued_at, now):
            level -= 1
        return level

    def __post_init__(self) -> None:
        # (at most a year: no line lasts that long, and now - boost stays a date)
        object.__setattr__(self, "boost", timedelta(minutes=min(max(0.0, self.age_boost_minutes), 366 * 1440)))

    def waited_past_boost(self, issued_at: datetime, now: datetime) -> bool:
        """Waited `age_boost_minutes`, in whole microseconds as the database compares it (issued at or
        before now - boost): a float of minutes such as 30/7 would put a ticket issued at that very
        moment on the other side."""
        return bool(self.boost) and now - issued_at >= self.boost  # under a microsecond: no boost

    def due(self, ticket: Ticket, now: datetime) -> bool:
        """Waited `age_boost_minutes` and not of the first class: no later arrival may overtake it."""
        return ticket.priority != self._first_class and self.waited_past_boost(ticket.issued_at, now)

    @property
    def _first_class(self) -> str | None:
        return self.classes[0] if self.classes else None

    def rank(self, ticket: Ticket, skills: Mapping[str, float], now: datetime) -> tuple[float, ...]:
        """Smaller is called first: class level, then due tickets in arrival order before the others of
        their level (which are younger), then skill weight, then arrival. (`class_level` and `due` in
        one pass: the wait model ranks tens of thousands of line heads per estimate.)"""
        issued = ticket.issued_at
        waited = self.waited_past_boost(issued, now)
        try:
            level = self.classes.index(ticket.priority)
        except ValueError:
            level = len(self.classes)
        if waited and level > 1:
            level -= 1
        if waited and ticket.priority != self._first_class:
            return (level, 0, 0.0, issued.timestamp())
        return (level, 1, -skills.get(ticket.service_id, 0.0), issued.timestamp())

    def _normal_due(self, recent: Sequence[str]) -> bool:
        """After `p` non-normal calls in a row, `n` normal calls are owed (normal_share = (p, n))."""
        priority_turns, normal_turns = self.normal_share
        if priority_turns <= 0 or normal_turns <= 0:
            return False
        is_normal = [kind == Priority.NORMAL for kind in recent]
        trailing_normals = _run_length(is_normal, True)
        if trailing_normals >= normal_turns:
            return False
        before = is_normal[: len(is_normal) - trailing_normals]
        return _run_length(before, False) >= priority_turns

    def choose(
        self,
        waiting: Sequence[Ticket],
        skills: Mapping[str, float],
        now: datetime,
        recent: Sequence[str] = (),
        counter_id: str | None = None,
    ) -> Ticket | None:
        """`recent`: priority classes of this branch's latest calls, oldest first.
        `counter_id`: the calling counter, which may also take tickets transferred to it by name.
        Within one (service, class) line the oldest ticket always ranks first, so asking about the
        first ticket of each line gives the same answer (the wait model does: `eta.py`)."""
        ranked = [(self.rank(t, skills, now), t) for t in waiting if t.callable_by(counter_id, skills)]
        if not ranked:
            return None
        best_rank, best = min(ranked, key=_first)
        if best.priority == Priority.APPOINTMENT or best_rank[1] == 0:  # an appointment, or due
            return best
        normals = [pair for pair in ranked if pair[1].priority == Priority.NORMAL]
        if normals and len(normals) < len(ranked) and self._normal_due(recent):
            return min(normals, key=_first)[1]
        return best


def place_in_line(
    policy: OrderingPolicy, ticket: Ticket, others: Sequence[tuple[str, str, datetime]], now: datetime
) -> int:
    """1-based place of a waiting `ticket` among the waiting (id, priority, issued_at) of its service,
    in the policy's order for a counter that serves only this service."""
    mine = (policy.class_level(ticket.priority, ticket.issued_at, now), ticket.issued_at, ticket.id)
    ahead = sum(
        1
        for other_id, priority, issued_at in others
        if other_id != ticket.id and (policy.class_level(priority, issued_at, now), issued_at, other_id) < mine
    )
    return ahead + 1


def _first(pair: tuple[tuple[float, ...], Ticket]) -> tuple[float, ...]:
    return pair[0]


def _run_length(flags: Sequence[bool], value: bool) -> int:
    """How many of the last `flags` equal `value` in a row."""
    count = 0
    for flag in reversed(flags):
        if flag is not value:
            break
        count += 1
    return count


def eta_range(ahead: int, handling_minutes: float, capacity: float) -> tuple[int, int] | None:
    """Minutes until a ticket is likely called, as an honest range.

    `ahead` tickets are served by `capacity` counters (a counter counts by its
    skill weight for the service). None when no counter can serve it.
    """
    if capacity <= 0:
        return None
    expected = (ahead + 0.5) * handling_minutes / capacity
    low = max(0, math.floor(expected * 0.7))
    high = max(low + 2, math.ceil(expected * 1.4))
    return (low, high)
