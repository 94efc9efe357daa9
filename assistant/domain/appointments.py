"""Appointments: bookable slots, booking codes, the appointment life cycle, check-in timing.

Pure: configuration values, times and the clock's `now` come in as arguments.
Times are timezone-aware; a branch's slots are laid out in its own timezone
(wall-clock opening hours), and compared as instants.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from assistant.domain.errors import Conflict, InvalidInput
from assistant.domain.tickets import Priority

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Six characters without the look-alikes 0/O, 1/I/L: easy to read out, type and say.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A random booking code such as 'K7MX3P', always with a letter and a digit (about 670 million
    possibilities): a code never looks like a word or a number, so the assistant, a scanner's text
    and a person can all tell it apart (the NLU's code pattern relies on it)."""
    while True:
        code = "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(char.isdigit() for char in code) and any(char.isalpha() for char in code):
            return code


def normalize_code(text: str) -> str | None:
    """' k7mx-3p ' -> 'K7MX3P'; None when `text` cannot be a booking code."""
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"


class ClosedReason(StrEnum):
    """Why a day has no bookable slots."""

    PAST = "past"
    OUTSIDE_HORIZON = "outside_horizon"
    BLACKOUT = "blackout"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def _clock_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"opening hours must be HH:MM, got {text!r}") from None


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """How one service's appointment slots are laid out.

    A day's slots start at opening time and follow each other every
    `slot_minutes` while they end by closing time. Bookable days run from
    today to today + `horizon_days` (branch-local dates, inclusive), except
    blackout dates and days without opening hours; slots that have started
    are not bookable. Each slot has `capacity` seats (advisors in parallel).
    """

    service_id: str
    timezone: str
    opening_hours: Mapping[str, tuple[str, str]]
    slot_minutes: int
    capacity: int
    horizon_days: int
    blackout_dates: frozenset[date] = frozenset()
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.slot_minutes <= 0:
            raise ValueError("slot_minutes must be positive")
        if self.capacity < 1:
            raise ValueError(f"{self.service_id}: capacity must be at least 1")
        if self.horizon_days < 0:
            raise ValueError("horizon_days must not be negative")
        unknown = set(self.opening_hours) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekdays in opening hours: {sorted(unknown)}")
        for opens, closes in self.opening_hours.values():
            if _clock_time(opens) >= _clock_time(closes):
                raise ValueError(f"opening hours {opens}-{closes} close before they open")
        object.__setattr__(self, "zone", ZoneInfo(self.timezone))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def day_slots(self, day: date) -> list[Slot]:
        """Every slot of `day` by the opening hours alone (no horizon, blackout or clock)."""
        hours = self.opening_hours.get(WEEKDAYS[day.weekday()])
        if hours is None:
            return []
        opens = datetime.combine(day, _clock_time(hours[0]), tzinfo=self.zone)
        closes = datetime.combine(day, _clock_time(hours[1]), tzinfo=self.zone)
        step = timedelta(minutes=self.slot_minutes)
        slots: list[Slot] = []
        start = opens
        while start + step <= closes:  # wall-clock arithmetic in the branch's zone
            slots.append(Slot(start, start + step))
            start += step
        return slots

    def closed_reason(self, day: date, now: datetime) -> ClosedReason | None:
        """Why nothing can be booked on `day`, or None when the day is bookable."""
        today = self.local(now).date()
        if day < today:
            return ClosedReason.PAST
        if day > today + timedelta(days=self.horizon_days):
            return ClosedReason.OUTSIDE_HORIZON
        if day in self.blackout_dates:
            return ClosedReason.BLACKOUT
        if not self.day_slots(day):
            return ClosedReason.CLOSED
        return None

    def open_slots(self, day: date, now: datetime) -> list[Slot]:
        """The slots of `day` that can still be booked at `now` (seats aside)."""
        if self.closed_reason(day, now) is not None:
            return []
        return [slot for slot in self.day_slots(day) if slot.starts_at > now]

    def slot_at(self, starts_at: datetime, now: datetime) -> Slot:
        """The bookable slot starting at `starts_at`; otherwise InvalidInput saying why."""
        if starts_at.tzinfo is None:
            raise InvalidInput("starts_at needs a UTC offset", code="invalid_input")
        if starts_at <= now:
            raise InvalidInput("that time has already passed", code="in_the_past")
        day = self.local(starts_at).date()
        reason = self.closed_reason(day, now)
        if reason is ClosedReason.OUTSIDE_HORIZON:
            raise InvalidInput(f"appointments can be booked up to {self.horizon_days} days ahead", code=reason)
        if reason is ClosedReason.BLACKOUT:
            raise InvalidInput(f"no appointments on {day.isoformat()}", code=reason)
        if reason is ClosedReason.CLOSED:
            raise InvalidInput(f"the branch is closed on {day.strftime('%A')}s", code=reason)
        if reason is ClosedReason.PAST:
            raise InvalidInput("that time has already passed", code="in_the_past")
        slot = next((s for s in self.day_slots(day) if s.starts_at == starts_at), None)
        if slot is None:
            raise InvalidInput(
                f"{self.local(starts_at).strftime('%H:%M')} is not a slot start; "
                f"slots are {self.slot_minutes} minutes from opening time",
                code="not_a_slot",
            )
        return slot


@dataclass(frozen=True, slots=True)
class Appointment:
    code: str
    service_id: str
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    channel: str
    lang: str
    created_at: datetime
    updated_at: datetime
    name: str | None = None
    phone: str | None = None
    ticket_id: str | None = None
    # Why they booked, for the teller after check-in ("one authentication, served everywhere"):
    # the intent the assistant recognised and the customer's own words.
    intent: str | None = None
    notes: str | None = None

    def require_booked(self, action: str) -> None:
        if self.status is not AppointmentStatus.BOOKED:
            raise Conflict(
                f"appointment {self.code} is {self.status.replace('_', ' ')}; it cannot be {action}",
                code=f"appointment_{self.status}",
            )

    def cancel(self, at: datetime) -> Appointment:
        self.require_booked("cancelled")
        return replace(self, status=AppointmentStatus.CANCELLED, updated_at=at)

    def move_to(self, slot: Slot, at: datetime) -> Appointment:
        self.require_booked("rescheduled")
        return replace(self, starts_at=slot.starts_at, ends_at=slot.ends_at, updated_at=at)

    def check_in(self, ticket_id: str, at: datetime) -> Appointment:
        self.require_booked("checked in")
        return replace(self, status=AppointmentStatus.CHECKED_IN, ticket_id=ticket_id, updated_at=at)


class Arrival(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def priority(self) -> Priority:
        """On time: the appointment class; late arrivals join the normal queue."""
        return Priority.APPOINTMENT if self is Arrival.ON_TIME else Priority.NORMAL


@dataclass(frozen=True, slots=True)
class CheckInWindow:
    """Check-in opens `early_minutes` around the start (negative: before) and
    stays on time until `late_minutes` after it; later is late."""

    early_minutes: int = -15
    late_minutes: int = 10

    def __post_init__(self) -> None:
        if self.early_minutes > self.late_minutes:
            raise ValueError("the check-in window closes before it opens")

    def opens(self, starts_at: datetime) -> datetime:
        return starts_at + timedelta(minutes=self.early_minutes)

    def closes(self, starts_at: datetime) -> datetime:
        return starts_at + timedelta(minutes=self.late_minutes)

    def evaluate(self, starts_at: datetime, now: datetime, timezone: str) -> Arrival:
        """On time or late; too early or another day raises Conflict."""
        zone = ZoneInfo(timezone)
        local_start = starts_at.astimezone(zone)
        if now < self.opens(starts_at):
            opens = self.opens(starts_at).astimezone(zone)
            when = opens.strftime("%H:%M")
            if opens.date() != now.astimezone(zone).date():
                when = f"{opens.date().isoformat()} {when}"
            raise Conflict(
                f"check-in for the {local_start.strftime('%H:%M')} appointment opens at {when}", code="too_early"
            )
        if now.astimezone(zone).date() > local_start.date():
            raise Conflict(
                f"this appointment was on {local_start.date().isoformat()}; please take a ticket or book again",
                code="appointment_expired",
            )
        return Arrival.ON_TIME if now <= self.closes(starts_at) else Arrival.LATE

    def message(self, arrival: Arrival, starts_at: datetime, now: datetime, timezone: str) -> str:
        at = starts_at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")
        if arrival is Arrival.ON_TIME:
            return f"You are checked in for your {at} appointment; an advisor will call you shortly."
        late = int((now - starts_at).total_seconds() // 60)
        return f"You are {late} minutes late for your {at} appointment, so you have joined the normal queue."
