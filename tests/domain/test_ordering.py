"""The ordering policy's anti-starvation rule (a ticket waiting `age_boost_minutes` is due: nobody who came
after it is called before it, except a checked-in appointment), its consistency with the place in line
and with the wait model's one-question-per-line shortcut, and the validation of its settings.
The simulated consequences are in tests/test_simulate.py ("no class starved")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus, place_in_line
from assistant.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
POLICY = OrderingPolicy(normal_share=(1, 3), age_boost_minutes=15)


def ticket(number: str, minutes: float, priority: str = "normal", service: str = "cash") -> Ticket:
    return Ticket(
        id=number.lower(), number=number, service_id=service, business_date=date(2026, 3, 10), channel="kiosk",
        lang="en", priority=Priority(priority), status=TicketStatus.WAITING, issued_at=T0 + timedelta(minutes=minutes),
    )  # fmt: skip


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_later_priority_ticket_goes_first_only_until_the_normal_one_is_due() -> None:
    normal, vip = ticket("A001", 0), ticket("A002", 3, "priority")
    assert POLICY.choose([normal, vip], {"cash": 1.0}, at(14.9)) == vip
    assert POLICY.choose([normal, vip], {"cash": 1.0}, at(15)) == normal  # waited 15 minutes: due
    assert POLICY.choose([normal, vip], {"cash": 1.0}, at(15), recent=["priority"] * 8) == normal


def test_a_due_ticket_is_not_overtaken_for_the_counters_main_skill() -> None:
    """Skill weight orders the tickets not yet due; a due side-skill ticket is not passed over."""
    side, main = ticket("C001", 0, service="cards"), ticket("A001", 5, service="cash")
    skills = {"cash": 1.0, "cards": 0.5}
    assert POLICY.choose([side, main], skills, at(14)) == main
    assert POLICY.choose([side, main], skills, at(15)) == side
    # Due tickets go in arrival order whatever their class and service.
    due = [ticket("A002", 2, "priority"), ticket("C002", 1, service="cards"), ticket("A003", 3)]
    order = []
    waiting = [*due, ticket("A004", 25, "priority")]
    while waiting:
        chosen = POLICY.choose(waiting, skills, at(30))  # A004 waited 5 minutes: not due
        assert chosen is not None
        order.append(chosen.number)
        waiting.remove(chosen)
    assert order == ["C002", "A002", "A003", "A004"]


def test_an_appointment_still_goes_before_a_due_ticket() -> None:
    old, booked = ticket("A001", 0), ticket("L001", 29, "appointment")
    assert POLICY.choose([old, booked], {"cash": 1.0}, at(30)) == booked


def test_the_normal_share_is_owed_among_tickets_not_yet_due() -> None:
    """(1, 3): after one priority call, three normal calls while normal tickets wait; a due priority
    ticket is not passed over for an owed normal one."""
    waiting = [ticket(f"P{i:03d}", i / 10, "priority") for i in range(1, 4)] + [
        ticket(f"N{i:03d}", i) for i in (1, 2, 3)
    ]
    order, recent = [], []
    while waiting:
        chosen = POLICY.choose(waiting, {"cash": 1.0}, at(5), recent)
        assert chosen is not None
        order.append(chosen.number)
        recent.append(chosen.priority)
        waiting.remove(chosen)
    assert order == ["P001", "N001", "N002", "N003", "P002", "P003"]
    due_vip, fresh = ticket("P009", 0, "priority"), ticket("N009", 5)
    assert POLICY.choose([due_vip, fresh], {"cash": 1.0}, at(16), ["priority"]) == due_vip


def test_zero_turns_the_age_rule_off() -> None:
    off = OrderingPolicy(age_boost_minutes=0)
    normal, vip = ticket("A001", 0), ticket("A002", 50, "priority")
    assert off.choose([normal, vip], {"cash": 1.0}, at(60)) == vip and not off.due(normal, at(60))


@pytest.mark.parametrize("minutes", [15, 30 / 7, 0.05, 1 / 3])
def test_the_boost_starts_at_the_microsecond_the_database_counts_from(minutes: float) -> None:
    """A ticket issued exactly at now - boost is boosted, one microsecond later it is not: the same
    cutoff the database's count takes (`TicketRepository.place_in_line`), also for minutes no float
    division lands on (30/7)."""
    policy = OrderingPolicy(age_boost_minutes=minutes)
    cutoff = NOW - timedelta(minutes=minutes)
    assert policy.waited_past_boost(cutoff, NOW) and policy.class_level("normal", cutoff, NOW) == 1
    later = cutoff + timedelta(microseconds=1)
    assert not policy.waited_past_boost(later, NOW) and policy.class_level("normal", later, NOW) == 2


def test_a_boost_longer_than_any_line_is_never_reached() -> None:
    policy = OrderingPolicy(age_boost_minutes=1e300)
    assert not policy.due(ticket("A001", 0), at(60 * 24 * 30))


# -- consistency with the place in line and with the wait model ----------------------------------------

LINE = st.lists(
    st.tuples(
        st.sampled_from(["appointment", "priority", "normal", "normal"]),
        st.sampled_from([0.0, 1.0, 4.0, 14.5, 15.0, 15.5, 20.0, 31.0]),  # minutes waited
        st.sampled_from(["cash", "cash", "cards", "loans"]),
    ),
    min_size=1,
    max_size=10,
)
NOW = at(60)


def _line(spec: list[tuple[str, float, str]]) -> list[Ticket]:
    return [ticket(f"X{index:03d}", 60 - waited, kind, service) for index, (kind, waited, service) in enumerate(spec)]


@settings(max_examples=300, deadline=None)
@given(spec=LINE, recent=st.lists(st.sampled_from(["priority", "normal", "appointment"]), max_size=8))
def test_asking_about_the_first_ticket_of_each_line_gives_the_same_answer(
    spec: list[tuple[str, float, str]], recent: list[str]
) -> None:
    """The wait model asks the policy only about the oldest ticket of each (service, class) line."""
    waiting = _line(spec)
    heads: dict[tuple[str, str], Ticket] = {}
    for each in sorted(waiting, key=lambda t: t.issued_at):
        heads.setdefault((each.service_id, each.priority), each)
    skills = {"cash": 1.0, "cards": 0.5, "loans": 1.0}
    everyone = POLICY.choose(waiting, skills, NOW, recent)
    assert everyone is not None
    assert POLICY.choose(list(heads.values()), skills, NOW, recent) == everyone


@settings(max_examples=200, deadline=None)
@given(spec=LINE)
def test_the_place_in_line_is_the_calling_order_of_a_counter_of_that_service(
    spec: list[tuple[str, float, str]],
) -> None:
    """Without a share owed (the place shown does not guess the share), a counter serving only this service
    calls the tickets in the order of their places."""
    waiting = [replace(t, service_id="cash") for t in _line(spec)]
    keys = [(t.id, str(t.priority), t.issued_at) for t in waiting]
    by_place = sorted(waiting, key=lambda t: place_in_line(POLICY, t, keys, NOW))
    called = []
    left = list(waiting)
    while left:
        chosen = POLICY.choose(left, {"cash": 1.0}, NOW)
        assert chosen is not None
        called.append(chosen)
        left.remove(chosen)
    assert called == by_place


# -- settings ----------------------------------------------------------------------------------------


def test_the_demo_branch_runs_the_measured_policy() -> None:
    priority = load_settings(ROOT / "branch.yml", environ={}).priority
    assert (priority.classes, priority.normal_share, priority.age_boost_minutes) == (
        POLICY.classes, POLICY.normal_share, POLICY.age_boost_minutes
    )  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("AGE_BOOST_MINUTES", "-5", r"priority\.age_boost_minutes: 0 \(off\) or a positive number"),
        ("AGE_BOOST_MINUTES", ".inf", r"priority\.age_boost_minutes"),
        ("NORMAL_SHARE", "[2, -1]", r"priority\.normal_share: \[p, n\] with p, n >= 0"),
        ("CLASSES", "[priority, normal]", r'priority\.classes: starts with "appointment"'),
        ("CLASSES", "[appointment, normal, normal]", r"priority\.classes: distinct class names"),
    ],
)
def test_a_bad_priority_setting_is_a_clear_error(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(ROOT / "branch.yml", environ={f"LOBBY_PRIORITY__{key}": value})
