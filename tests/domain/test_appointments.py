"""Appointment slots, codes, life cycle and check-in timing: pure, on a fake clock."""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.domain.appointments import (
    CODE_ALPHABET,
    Appointment,
    AppointmentStatus,
    Arrival,
    CheckInWindow,
    ClosedReason,
    Slot,
    SlotPlan,
    new_code,
    normalize_code,
)
from assistant.domain.clock import FakeClock
from assistant.domain.errors import Conflict, InvalidInput
from assistant.domain.tickets import Priority
from assistant.settings import ConfigError, load_settings
from tests.support import ROOT

LONDON = ZoneInfo("Europe/London")
HOURS = {
    "mon": ("09:00", "17:00"),
    "tue": ("09:00", "17:00"),
    "wed": ("09:00", "17:00"),
    "thu": ("09:00", "19:00"),
    "fri": ("09:00", "17:00"),
    "sat": ("10:00", "13:00"),
}
MONDAY = date(2025, 6, 9)  # British Summer Time: UTC+1


def local(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=LONDON)


def plan(**changes: object) -> SlotPlan:
    values: dict[str, object] = {
        "service_id": "loans",
        "timezone": "Europe/London",
        "opening_hours": HOURS,
        "slot_minutes": 30,
        "capacity": 2,
        "horizon_days": 14,
        "blackout_dates": frozenset({date(2025, 6, 11)}),
    }
    values.update(changes)
    return SlotPlan(**values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(MONDAY, "08:30"))


# -- slots -----------------------------------------------------------------------


def test_slots_follow_the_opening_hours_of_the_weekday(clock: FakeClock) -> None:
    monday = plan().open_slots(MONDAY, clock.now())
    assert len(monday) == 16
    assert monday[0] == Slot(local(MONDAY, "09:00"), local(MONDAY, "09:30"))
    assert monday[-1].ends_at == local(MONDAY, "17:00")
    assert monday[0].starts_at.utcoffset() == timedelta(hours=1)
    assert monday[0].starts_at.isoformat() == "2025-06-09T09:00:00+01:00"
    thursday = plan().open_slots(date(2025, 6, 12), clock.now())
    assert len(thursday) == 20 and thursday[-1].ends_at == local(date(2025, 6, 12), "19:00")
    saturday = plan().open_slots(date(2025, 6, 14), clock.now())
    assert [s.starts_at.strftime("%H:%M") for s in saturday] == ["10:00", "10:30", "11:00", "11:30", "12:00", "12:30"]


def test_closed_days_and_blackout_dates_have_no_slots(clock: FakeClock) -> None:
    sunday = date(2025, 6, 15)
    assert plan().open_slots(sunday, clock.now()) == []
    assert plan().closed_reason(sunday, clock.now()) is ClosedReason.CLOSED
    blackout = date(2025, 6, 11)
    assert plan().day_slots(blackout)  # a Wednesday: open by the hours alone
    assert plan().open_slots(blackout, clock.now()) == []
    assert plan().closed_reason(blackout, clock.now()) is ClosedReason.BLACKOUT
    with pytest.raises(InvalidInput) as error:
        plan().slot_at(local(blackout, "10:00"), clock.now())
    assert error.value.code == "blackout"
    with pytest.raises(InvalidInput) as error:
        plan().slot_at(local(sunday, "10:00"), clock.now())
    assert error.value.code == "closed"


def test_slots_never_run_past_closing_time(clock: FakeClock) -> None:
    slots = plan(slot_minutes=45).open_slots(MONDAY, clock.now())
    assert len(slots) == 10
    assert slots[-1] == Slot(local(MONDAY, "15:45"), local(MONDAY, "16:30"))


def test_the_booking_horizon_counts_branch_local_days(clock: FakeClock) -> None:
    last = MONDAY + timedelta(days=14)
    assert plan().closed_reason(last, clock.now()) is None
    assert plan().open_slots(last, clock.now())
    beyond = last + timedelta(days=1)
    assert plan().closed_reason(beyond, clock.now()) is ClosedReason.OUTSIDE_HORIZON
    assert plan().open_slots(beyond, clock.now()) == []
    with pytest.raises(InvalidInput) as error:
        plan().slot_at(local(beyond, "10:00"), clock.now())
    assert error.value.code == "outside_horizon"
    assert plan(horizon_days=0).closed_reason(MONDAY + timedelta(days=1), clock.now()) is ClosedReason.OUTSIDE_HORIZON


def test_past_days_and_started_slots_are_not_bookable(clock: FakeClock) -> None:
    assert plan().closed_reason(MONDAY - timedelta(days=1), clock.now()) is ClosedReason.PAST
    clock.advance(minutes=100)  # 10:10
    today = plan().open_slots(MONDAY, clock.now())
    assert today[0].starts_at == local(MONDAY, "10:30")
    with pytest.raises(InvalidInput) as error:
        plan().slot_at(local(MONDAY, "10:00"), clock.now())
    assert error.value.code == "in_the_past"
    clock.advance(hours=7)  # 17:10: nothing left today, though the day itself is bookable
    assert plan().open_slots(MONDAY, clock.now()) == []


def test_slot_at_matches_instants_and_rejects_times_off_the_grid(clock: FakeClock) -> None:
    in_utc = datetime(2025, 6, 9, 9, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in London
    assert plan().slot_at(in_utc, clock.now()) == Slot(local(MONDAY, "10:00"), local(MONDAY, "10:30"))
    for hhmm in ("10:15", "08:30", "17:00"):
        with pytest.raises(InvalidInput) as error:
            plan().slot_at(local(MONDAY + timedelta(days=1), hhmm), clock.now())
        assert error.value.code == "not_a_slot", hhmm
    with pytest.raises(InvalidInput):
        plan().slot_at(datetime(2025, 6, 10, 10, 0), clock.now())


def test_slots_keep_wall_clock_times_across_a_clock_change() -> None:
    now = FakeClock(local(date(2025, 3, 27), "08:00")).now()
    friday = plan().open_slots(date(2025, 3, 28), now)
    monday = plan().open_slots(date(2025, 3, 31), now)
    assert friday[0].starts_at.utcoffset() == timedelta(0)
    assert monday[0].starts_at.utcoffset() == timedelta(hours=1)
    assert [s.starts_at.strftime("%H:%M") for s in friday] == [s.starts_at.strftime("%H:%M") for s in monday]


def test_a_plan_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        plan(capacity=0)
    with pytest.raises(ValueError):
        plan(slot_minutes=0)
    with pytest.raises(ValueError):
        plan(opening_hours={"mon": ("17:00", "09:00")})
    with pytest.raises(ValueError):
        plan(opening_hours={"monday": ("09:00", "17:00")})


# -- codes -----------------------------------------------------------------------


def test_codes_are_six_unambiguous_characters() -> None:
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert set(CODE_ALPHABET) <= set(string.ascii_uppercase + string.digits)
    codes = {new_code() for _ in range(500)}
    assert len(codes) > 490
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert all(any(c.isdigit() for c in code) and any(c.isalpha() for c in code) for code in codes)
    picks = iter("K7MX3P")
    assert new_code(lambda alphabet: next(picks)) == "K7MX3P"
    picks = iter("ABCDEF" + "234567" + "K7MX3P")  # all letters, all digits: drawn again
    assert new_code(lambda alphabet: next(picks)) == "K7MX3P"


def test_codes_are_read_back_forgivingly() -> None:
    assert normalize_code(" k7mx-3p ") == "K7MX3P"
    assert normalize_code("K7 MX 3P") == "K7MX3P"
    assert normalize_code("K7MX3O") is None  # O is never in a code
    assert normalize_code("K7MX3") is None
    assert normalize_code("K7MX3PP") is None


# -- life cycle ------------------------------------------------------------------


def booked(clock: FakeClock) -> Appointment:
    return Appointment(
        code="K7MX3P",
        service_id="loans",
        starts_at=local(MONDAY, "10:00"),
        ends_at=local(MONDAY, "10:30"),
        status=AppointmentStatus.BOOKED,
        channel="mobile",
        lang="en",
        created_at=clock.now(),
        updated_at=clock.now(),
    )


def test_only_a_booked_appointment_can_be_cancelled_moved_or_checked_in(clock: FakeClock) -> None:
    appointment = booked(clock)
    later = Slot(local(MONDAY, "11:00"), local(MONDAY, "11:30"))
    assert appointment.move_to(later, clock.now()).starts_at == later.starts_at
    cancelled = appointment.cancel(clock.now())
    assert cancelled.status is AppointmentStatus.CANCELLED
    for action in (lambda: cancelled.cancel(clock.now()), lambda: cancelled.check_in("t1", clock.now())):
        with pytest.raises(Conflict) as error:
            action()
        assert error.value.code == "appointment_cancelled"
    checked_in = appointment.check_in("t1", clock.now())
    assert checked_in.status is AppointmentStatus.CHECKED_IN and checked_in.ticket_id == "t1"
    with pytest.raises(Conflict) as error:
        checked_in.move_to(later, clock.now())
    assert error.value.code == "appointment_checked_in"


# -- check-in window -------------------------------------------------------------


def test_check_in_window_early_on_time_and_late() -> None:
    window = CheckInWindow(-15, 10)
    start = local(MONDAY, "10:00")
    with pytest.raises(Conflict) as error:
        window.evaluate(start, start - timedelta(minutes=16), "Europe/London")
    assert error.value.code == "too_early" and "09:45" in error.value.message
    assert window.evaluate(start, start - timedelta(minutes=15), "Europe/London") is Arrival.ON_TIME
    assert window.evaluate(start, start + timedelta(minutes=10), "Europe/London") is Arrival.ON_TIME
    late = window.evaluate(start, start + timedelta(minutes=11), "Europe/London")
    assert late is Arrival.LATE
    assert Arrival.ON_TIME.priority is Priority.APPOINTMENT and late.priority is Priority.NORMAL
    message = window.message(late, start, start + timedelta(minutes=11), "Europe/London")
    assert "11 minutes late" in message and "normal queue" in message
    assert window.opens(start) == local(MONDAY, "09:45") and window.closes(start) == local(MONDAY, "10:10")


def test_check_in_on_another_day_is_refused() -> None:
    window = CheckInWindow(-15, 10)
    start = local(MONDAY, "10:00")
    with pytest.raises(Conflict) as error:
        window.evaluate(start, local(MONDAY + timedelta(days=1), "09:00"), "Europe/London")
    assert error.value.code == "appointment_expired"
    with pytest.raises(Conflict) as error:
        window.evaluate(start, local(MONDAY - timedelta(days=1), "16:00"), "Europe/London")
    assert error.value.code == "too_early" and "2025-06-09 09:45" in error.value.message
    with pytest.raises(ValueError):
        CheckInWindow(10, -15)


# -- configuration ---------------------------------------------------------------


def test_appointment_configuration_is_validated() -> None:
    settings = load_settings(ROOT / "branch.yml", environ={})
    assert settings.appointments.check_in_window_minutes == (-15, 10)
    assert all(isinstance(day, date) for day in settings.appointments.blackout_dates)
    for key, value in (
        ("check_in_window_minutes", [10, -15]),
        ("slot_minutes", 0),
        ("capacity", {"loans": 0}),
        ("blackout_dates", ["not a date"]),
    ):
        with pytest.raises(ConfigError):
            load_settings(ROOT / "branch.yml", environ={}, overrides={f"appointments.{key}": value})
