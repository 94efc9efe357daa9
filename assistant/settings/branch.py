"""branch.yml: the branch, its services, counters, devices, priority, queue and appointment rules."""

from __future__ import annotations

from datetime import date

import msgspec

from assistant.settings.base import Frozen, Text, _check_text, in_lang


class BranchInfo(Frozen, frozen=True):
    """`name`, `address` and each of `facilities` may be given per language; the `*_i18n` fields hold
    them as written, the plain properties give English (for logs, calendars, staff screens) and
    `display_*(lang)` the customer's language."""

    id: str
    name_i18n: Text = msgspec.field(name="name")
    timezone: str = "UTC"
    opening_hours: dict[str, tuple[str, str]] = {}
    address_i18n: Text = msgspec.field(default="", name="address")  # said for "where are you?"
    phone: str = ""
    # e.g. "step-free access", "hearing loop"
    facilities_i18n: tuple[Text, ...] = msgspec.field(default=(), name="facilities")

    def __post_init__(self) -> None:
        for text in (self.name_i18n, self.address_i18n, *self.facilities_i18n):
            _check_text(text, "branch")

    @property
    def name(self) -> str:
        return in_lang(self.name_i18n, "en")

    @property
    def address(self) -> str:
        return in_lang(self.address_i18n, "en")

    @property
    def facilities(self) -> tuple[str, ...]:
        return self.display_facilities("en")

    def display_name(self, lang: str | None) -> str:
        return in_lang(self.name_i18n, lang)

    def display_address(self, lang: str | None) -> str:
        return in_lang(self.address_i18n, lang)

    def display_facilities(self, lang: str | None) -> tuple[str, ...]:
        return tuple(in_lang(facility, lang) for facility in self.facilities_i18n)


class DeviceRule(Frozen, frozen=True):
    kind: str
    intents: tuple[str, ...]
    max_amount: int | None = None


class ServiceConfig(Frozen, frozen=True):
    id: str
    name: Text
    prefix: str
    handling_minutes: float
    intents: tuple[str, ...]
    devices: tuple[DeviceRule, ...] = ()
    advisor: bool = False
    # The service level: a wait up to this is "within target" (SLA share on /dashboard); a
    # longest current wait past it raises a `service.alert`.
    target_wait_minutes: float = 15
    # Customers may join this queue from the bank's app (mobile/web chat) while the branch is open.
    remote_join: bool = True

    def __post_init__(self) -> None:
        if not self.target_wait_minutes > 0:
            raise ValueError(f"services: target_wait_minutes of {self.id} must be positive")
        _check_text(self.name, f"services: {self.id}")

    def display_name(self, lang: str | None) -> str:
        return in_lang(self.name, lang) or self.id


class CounterConfig(Frozen, frozen=True):
    """`name` as BranchInfo's: per language or one string; `.name` is English, `display_name(lang)`."""

    id: str
    name_i18n: Text = msgspec.field(name="name")
    skills: dict[str, float]
    # When the counter is staffed (assistant/domain/schedule.py): [from, to] spans every day the branch
    # opens, or per weekday {mon: [...], ...}; none: the branch's opening hours. Breaks are cut out of them.
    shifts: tuple[tuple[str, str], ...] | dict[str, tuple[tuple[str, str], ...]] = ()
    breaks: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_text(self.name_i18n, f"counters: {self.id}")

    @property
    def name(self) -> str:
        return in_lang(self.name_i18n, "en")

    def display_name(self, lang: str | None) -> str:
        return in_lang(self.name_i18n, lang)


class DeviceConfig(Frozen, frozen=True):
    """`name` and `location` (the hint shown to the customer) as BranchInfo's: per language or one string."""

    id: str
    kind: str
    name_i18n: Text = msgspec.field(name="name")
    location_i18n: Text = msgspec.field(name="location")

    def __post_init__(self) -> None:
        _check_text(self.name_i18n, f"devices: {self.id}")
        _check_text(self.location_i18n, f"devices: {self.id}")

    @property
    def name(self) -> str:
        return in_lang(self.name_i18n, "en")

    @property
    def location(self) -> str:
        return in_lang(self.location_i18n, "en")

    def display_name(self, lang: str | None) -> str:
        return in_lang(self.name_i18n, lang)

    def display_location(self, lang: str | None) -> str:
        return in_lang(self.location_i18n, lang)


class PriorityConfig(Frozen, frozen=True):
    """The ordering policy's settings (`assistant.domain.tickets.OrderingPolicy`; README, "Ordering policy: no class
    starved")."""

    classes: tuple[str, ...] = ("appointment", "priority", "normal")
    # (p, n): after p non-normal calls in a row, n normal calls are owed while normal tickets wait; (0, 0): none.
    normal_share: tuple[int, int] = (1, 3)
    # A ticket waiting this long is due: lifted one class, then nobody who came later is called before it
    # (except a checked-in appointment); 0 turns it off.
    age_boost_minutes: float = 15

    def __post_init__(self) -> None:
        if not self.classes or len(set(self.classes)) != len(self.classes):
            raise ValueError(f"priority.classes: distinct class names, most urgent first, got {list(self.classes)}")
        if self.classes[0] != "appointment" or "normal" not in self.classes:
            raise ValueError('priority.classes: starts with "appointment" and names "normal", e.g. '
                             "[appointment, priority, normal]")  # fmt: skip
        if any(turns < 0 for turns in self.normal_share):
            raise ValueError(f"priority.normal_share: [p, n] with p, n >= 0 (0, 0: no share), got "
                             f"{list(self.normal_share)}")  # fmt: skip
        if not 0 <= self.age_boost_minutes < float("inf"):
            raise ValueError(f"priority.age_boost_minutes: 0 (off) or a positive number of minutes, got "
                             f"{self.age_boost_minutes}")  # fmt: skip


class QueueConfig(Frozen, frozen=True):
    max_recalls: int = 2  # a third recall makes the ticket a no-show
    no_show_after_seconds: int = 60  # a counter may mark no-show only this long after the call
    outcomes: tuple[str, ...] = ("done", "referred", "follow_up", "could_not_help")
    # A customer who took a ticket remotely (mobile chat) is told to head to the branch at this place in line.
    notify_position: int = 3
    # A remote ticket keeps its place until the customer checks in at the kiosk (or says "I'm here" on the
    # tracking page); not arrived this long after joining, it expires as a no-show.
    remote_arrival_minutes: int = 45
    # After closing time the counters serve who is inside for this long; then tickets still waiting are
    # closed (outcome branch_closed) and the customers told (assistant/web/end_of_day.py).
    closing_overtime_minutes: int = 30
    # The wait model (assistant/web/waits.py) learns from this many past days, relearning this often.
    eta_history_days: int = 28
    eta_refresh_seconds: float = 60

    def __post_init__(self) -> None:
        if self.remote_arrival_minutes < 1 or self.notify_position < 1:
            raise ValueError("queue: remote_arrival_minutes and notify_position must be at least 1")
        if self.closing_overtime_minutes < 0 or self.eta_history_days < 1 or not self.eta_refresh_seconds > 0:
            raise ValueError("queue: closing_overtime_minutes >= 0, eta_history_days >= 1, eta_refresh_seconds > 0")


class AppointmentConfig(Frozen, frozen=True):
    slot_minutes: int = 30
    advisors: int = 1  # seats per slot unless `capacity` names the service
    horizon_days: int = 14  # bookable from today to today + horizon_days (branch-local dates)
    check_in_window_minutes: tuple[int, int] = (-15, 10)  # on time from start-15 to start+10
    # Services that take bookings; empty means every service marked `advisor: true`.
    services: tuple[str, ...] = ()
    capacity: dict[str, int] = {}  # seats per slot for services that differ from `advisors`
    blackout_dates: tuple[date, ...] = ()  # branch-local days without appointments

    def __post_init__(self) -> None:
        if self.slot_minutes <= 0 or self.advisors < 1 or self.horizon_days < 0:
            raise ValueError("appointments: slot_minutes and advisors must be positive, horizon_days >= 0")
        if any(seats < 1 for seats in self.capacity.values()):
            raise ValueError("appointments: every capacity must be at least 1")
        early, late = self.check_in_window_minutes
        if early > late:
            raise ValueError("appointments: check_in_window_minutes must be [early, late] with early <= late")
