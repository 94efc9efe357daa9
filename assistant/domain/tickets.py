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
    """Who a counter calls next: a pure function of the waiting tickets, the
    counter's skills, the clock and the classes of the last calls.

    1. Checked-in appointments first (class "appointment").
    2. Then priority classes in order, but with a guaranteed share for normal
       tickets: after `normal_share[0]` non-normal calls in a row, a waiting
       normal ticket goes next (e.g. 2 priority : 1 normal).
    3. An age boost lifts a ticket waiting `age_boost_minutes` one class up
       (never into the appointment class), so nobody starves.
    4. Skill weight decides between services, then arrival.
    """

    classes: tuple[str, ...] = ("appointment", "priority", "normal")
    normal_share: tuple[int, int] = (2, 1)
    age_boost_minutes: float = 15

    def level(self, ticket: Ticket, now: datetime) -> int:
        try:
            level = self.classes.index(ticket.priority)
        except ValueError:
            level = len(self.classes)
        waited = (now - ticket.issued_at).total_seconds() / 60
        if self.age_boost_minutes > 0 and waited >= self.age_boost_minutes and level > 1:
            level -= 1
        return level

    def rank(self, ticket: Ticket, skills: Mapping[str, float], now: datetime) -> tuple[float, ...]:
        return (self.level(ticket, now), -skills.get(ticket.service_id, 0.0), ticket.issued_at.timestamp())

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
    ) -> Ticket | None:
        """`recent`: priority classes of this branch's latest calls, oldest first."""
        candidates = [t for t in waiting if t.status is TicketStatus.WAITING and skills.get(t.service_id, 0) > 0]
        if not candidates:
            return None
        appointments = [t for t in candidates if t.priority == Priority.APPOINTMENT]
        if appointments:
            return min(appointments, key=lambda t: self.rank(t, skills, now))
        normals = [t for t in candidates if t.priority == Priority.NORMAL]
        if normals and len(normals) < len(candidates) and self._normal_due(recent):
            return min(normals, key=lambda t: self.rank(t, skills, now))
        return min(candidates, key=lambda t: self.rank(t, skills, now))


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
