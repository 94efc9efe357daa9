"""Tickets, their life cycle, the ordering policy and the ETA estimate.

Pure: values in, values out. Storage and time are the caller's business.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from assistant.domain.errors import Conflict, InvalidInput


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    SERVED = "served"
    NO_SHOW = "no_show"
    ABANDONED = "abandoned"


class Priority(StrEnum):
    APPOINTMENT = "appointment"
    PRIORITY = "priority"
    NORMAL = "normal"


ACTIVE = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING})

# Which transitions are legal: status -> statuses it may move to.
_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.WAITING: frozenset({TicketStatus.CALLED, TicketStatus.ABANDONED}),
    TicketStatus.CALLED: frozenset({TicketStatus.SERVING, TicketStatus.NO_SHOW, TicketStatus.SERVED}),
    TicketStatus.SERVING: frozenset({TicketStatus.SERVED}),
    TicketStatus.SERVED: frozenset(),
    TicketStatus.NO_SHOW: frozenset(),
    TicketStatus.ABANDONED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Ticket:
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

    def move(self, status: TicketStatus, at: datetime, **changes: object) -> Ticket:
        """Return the ticket in `status`, timestamped; illegal moves raise Conflict."""
        if status not in _TRANSITIONS[self.status]:
            raise Conflict(f"ticket {self.number} is {self.status}, it cannot become {status}")
        stamps: dict[str, object] = {}
        if status is TicketStatus.CALLED:
            stamps["called_at"] = at
        elif status is TicketStatus.SERVING:
            stamps["started_at"] = at
        else:
            stamps["finished_at"] = at
        return replace(self, status=status, **stamps, **changes)  # type: ignore[arg-type]


def format_number(prefix: str, sequence: int) -> str:
    """'A', 23 -> 'A023' (at least three digits, more once past 999)."""
    if not prefix or not prefix.isalpha():
        raise InvalidInput(f"ticket prefix must be letters, got {prefix!r}")
    if sequence < 1:
        raise InvalidInput("ticket sequence starts at 1")
    return f"{prefix}{sequence:03d}"


@dataclass(frozen=True, slots=True)
class OrderingPolicy:
    """Who a counter calls next.

    Appointments first; then priority classes, but an age boost lifts any
    ticket waiting `age_boost_minutes` one class up so nobody starves; skill
    weight breaks ties between services; then arrival order.
    """

    classes: tuple[str, ...] = ("appointment", "priority", "normal")
    age_boost_minutes: float = 15

    def rank(self, ticket: Ticket, skills: Mapping[str, float], now: datetime) -> tuple[float, ...]:
        try:
            level = self.classes.index(ticket.priority)
        except ValueError:
            level = len(self.classes)
        waited = (now - ticket.issued_at).total_seconds() / 60
        if self.age_boost_minutes > 0 and waited >= self.age_boost_minutes and level > 0:
            level -= 1
        return (level, -skills.get(ticket.service_id, 0.0), ticket.issued_at.timestamp())

    def choose(self, waiting: Sequence[Ticket], skills: Mapping[str, float], now: datetime) -> Ticket | None:
        candidates = [
            t for t in waiting if t.status is TicketStatus.WAITING and skills.get(t.service_id, 0) > 0
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda t: self.rank(t, skills, now))


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
