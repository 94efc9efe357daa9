"""What a KPI is computed from: a visit (one ticket), a routing decision, a rating; the measures of one visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from assistant.domain.tickets import TicketStatus

SATISFIED_SCORE = 4  # CSAT counts scores of 4 and 5
TOP_INTENTS = 10
HOUR = timedelta(hours=1)
HOURLY_SPAN = timedelta(days=7)  # a longer range gets one bucket a day


@dataclass(frozen=True, slots=True)
class Visit:
    """One ticket, as the KPIs see it."""

    ticket_id: str
    number: str
    service_id: str
    business_date: date
    channel: str
    priority: str
    status: TicketStatus
    issued_at: datetime
    intent: str | None = None
    counter_id: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    called_by: str | None = None  # staff name of the last recorded call
    finished_by: str | None = None  # staff name of the recorded finish
    remote: bool = False  # taken in the bank's app
    arrived_at: datetime | None = None  # its customer's check-in at the branch

    @property
    def staff(self) -> str | None:
        """Who a served ticket is credited to."""
        return self.finished_by or self.called_by


@dataclass(frozen=True, slots=True)
class RouteRecord:
    """One triage answer."""

    intent: str
    decision: str  # device | ticket | appointment | info | staff
    at: datetime
    service_id: str | None = None
    device_id: str | None = None


@dataclass(frozen=True, slots=True)
class RatingRecord:
    score: int
    channel: str
    at: datetime
    ticket_id: str | None = None
    service_id: str | None = None
    counter_id: str | None = None


@dataclass(frozen=True, slots=True)
class Labelled:
    """A service or counter as the dashboard lists it; `target` is the service's wait target."""

    id: str
    name: str
    target: float | None = None


# -- the measures of one visit ------------------------------------------------


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def wait_minutes(visit: Visit) -> float | None:
    if visit.called_at is None:
        return None
    start = visit.arrived_at if visit.remote and visit.arrived_at is not None else visit.issued_at
    return _minutes(min(start, visit.called_at), visit.called_at)


def start_pressed(visit: Visit) -> bool:
    if visit.started_at is None:
        return False
    return visit.finished_at is None or visit.started_at < visit.finished_at


def service_minutes(visit: Visit) -> float | None:
    if visit.status is not TicketStatus.SERVED or not start_pressed(visit):
        return None
    assert visit.started_at is not None and visit.finished_at is not None
    return _minutes(visit.started_at, visit.finished_at)


def walk_minutes(visit: Visit) -> float | None:
    if visit.called_at is None or not start_pressed(visit):
        return None
    assert visit.started_at is not None
    return _minutes(visit.called_at, visit.started_at)


def within_target(visit: Visit, target: float | None) -> bool | None:
    wait = wait_minutes(visit)
    if wait is None or target is None:
        return None
    return wait <= target


def left_queue_at(visit: Visit) -> datetime | None:
    """When the ticket stopped waiting: its call, or its end when it never was called."""
    return visit.called_at or visit.finished_at
