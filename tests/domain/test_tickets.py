from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from assistant.domain.clock import FakeClock, business_date
from assistant.domain.errors import Conflict, InvalidInput
from assistant.domain.tickets import (
    OrderingPolicy,
    Priority,
    Ticket,
    TicketStatus,
    eta_range,
    format_number,
    place_in_line,
)

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def ticket(number: str, service: str = "cash", minutes: float = 0, priority: str = "normal") -> Ticket:
    return Ticket(
        id=number.lower(),
        number=number,
        service_id=service,
        business_date=date(2026, 11, 30),
        channel="kiosk",
        lang="en",
        priority=Priority(priority),
        status=TicketStatus.WAITING,
        issued_at=T0 + timedelta(minutes=minutes),
    )


def test_numbers_are_prefix_and_three_digits() -> None:
    assert format_number("A", 7) == "A007"
    assert format_number("C", 1234) == "C1234"
    with pytest.raises(InvalidInput):
        format_number("1", 3)
    with pytest.raises(InvalidInput):
        format_number("A", 0)


def test_business_day_is_branch_local() -> None:
    late_evening_utc = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert business_date(late_evening_utc, "Europe/London") == date(2026, 11, 30)
    assert business_date(late_evening_utc, "Asia/Shanghai") == date(2026, 12, 1)


def test_life_cycle_is_timestamped_and_guarded() -> None:
    clock = FakeClock(T0)
    waiting = ticket("A001")
    called = waiting.call("c1", clock.advance(minutes=5))
    assert called.status is TicketStatus.CALLED
    assert called.called_at == T0 + timedelta(minutes=5) and called.counter_id == "c1"
    serving = called.start(clock.advance(minutes=1))
    served = serving.finish(clock.advance(minutes=4), outcome="done")
    assert served.finished_at == T0 + timedelta(minutes=10) and served.outcome == "done"
    assert served.started_at == T0 + timedelta(minutes=6)
    with pytest.raises(Conflict) as error:
        served.call("c1", clock.now())
    assert error.value.code == "wrong_state"
    with pytest.raises(Conflict):
        waiting.finish(clock.now(), "done")
    with pytest.raises(Conflict):
        waiting.start(clock.now())


def test_recall_limit_turns_into_no_show() -> None:
    called = ticket("A001").call("c1", T0)
    once = called.recall(T0 + timedelta(minutes=1), max_recalls=2)
    twice = once.recall(T0 + timedelta(minutes=2), max_recalls=2)
    assert (once.recalls, twice.recalls, twice.status) == (1, 2, TicketStatus.CALLED)
    gone = twice.recall(T0 + timedelta(minutes=3), max_recalls=2)
    assert gone.status is TicketStatus.NO_SHOW and gone.finished_at == T0 + timedelta(minutes=3)


def test_transfer_keeps_number_and_arrival_and_targets_a_counter() -> None:
    serving = ticket("A001").call("c1", T0 + timedelta(minutes=3)).start(T0 + timedelta(minutes=4))
    moved = serving.transfer(T0 + timedelta(minutes=9), service_id="cards")
    assert (moved.number, moved.issued_at, moved.service_id) == ("A001", T0, "cards")
    assert moved.status is TicketStatus.WAITING and moved.counter_id is None and moved.transfers == 1
    to_desk = serving.transfer(T0 + timedelta(minutes=9), counter_id="c3")
    assert to_desk.callable_by("c3", {}) and not to_desk.callable_by("c1", {"cash": 1.0})
    with pytest.raises(InvalidInput):
        serving.transfer(T0)


def test_parked_ticket_can_be_called_again_but_is_not_called_next() -> None:
    parked = ticket("A001").call("c1", T0).park(T0 + timedelta(minutes=2))
    assert parked.status is TicketStatus.PARKED
    assert OrderingPolicy().choose([parked], {"cash": 1.0}, T0 + timedelta(minutes=3)) is None
    again = parked.call("c1", T0 + timedelta(minutes=5))
    assert again.status is TicketStatus.CALLED and again.called_at == T0 + timedelta(minutes=5)


def test_abandon_only_before_service() -> None:
    assert ticket("A001").abandon(T0).status is TicketStatus.ABANDONED
    with pytest.raises(Conflict):
        ticket("A001").call("c1", T0).start(T0).abandon(T0)


def test_policy_prefers_priority_then_arrival() -> None:
    policy = OrderingPolicy()
    early, late = ticket("A001", minutes=0), ticket("A002", minutes=1)
    vip = ticket("A003", minutes=2, priority="priority")
    skills = {"cash": 1.0}
    assert policy.choose([late, early], skills, T0 + timedelta(minutes=3)) == early
    assert policy.choose([late, early, vip], skills, T0 + timedelta(minutes=3)) == vip


def test_age_boost_stops_starvation() -> None:
    policy = OrderingPolicy(age_boost_minutes=15)
    old_normal = ticket("A001", minutes=0)
    fresh_priority = ticket("A002", minutes=14, priority="priority")
    now = T0 + timedelta(minutes=16)
    # After 16 minutes the normal ticket counts as priority class and arrived first.
    assert policy.choose([fresh_priority, old_normal], {"cash": 1.0}, now) == old_normal


def test_counter_only_calls_services_it_has_skills_for() -> None:
    policy = OrderingPolicy()
    cash, cards = ticket("A001", "cash", 0), ticket("C001", "cards", 1)
    assert policy.choose([cash, cards], {"cards": 1.0}, T0) == cards
    assert policy.choose([cash], {"cards": 1.0}, T0) is None
    # A stronger skill wins between services when class is equal.
    assert policy.choose([cash, cards], {"cash": 0.5, "cards": 1.0}, T0 + timedelta(minutes=2)) == cards


def test_eta_is_a_range_and_none_without_counters() -> None:
    assert eta_range(3, 5, 0) is None
    low, high = eta_range(3, 5, 1)
    assert low < 3.5 * 5 < high
    faster = eta_range(3, 5, 2)
    assert faster is not None and faster[1] < high
    assert eta_range(0, 4, 1) == (1, 3)  # next in line: half a service time, as a range


def test_appointments_go_first() -> None:
    policy = OrderingPolicy()
    booked = ticket("L001", "cash", minutes=5, priority="appointment")
    vip = ticket("A001", minutes=0, priority="priority")
    assert policy.choose([vip, booked], {"cash": 1.0}, T0 + timedelta(minutes=6)) == booked


def test_normal_tickets_get_their_guaranteed_share() -> None:
    policy = OrderingPolicy(normal_share=(2, 1), age_boost_minutes=0)
    skills = {"cash": 1.0}
    now = T0 + timedelta(minutes=1)
    waiting = [ticket(f"P{i:03d}", minutes=i / 10, priority="priority") for i in range(1, 6)]
    waiting.append(ticket("N001", minutes=0))
    recent: list[str] = []
    order = []
    for _ in range(6):
        chosen = policy.choose(waiting, skills, now, recent)
        assert chosen is not None
        order.append(chosen.number)
        recent.append(chosen.priority)
        waiting.remove(chosen)
    # 2 priority : 1 normal while both wait
    assert order == ["P001", "P002", "N001", "P003", "P004", "P005"]


def test_share_with_two_normal_turns() -> None:
    policy = OrderingPolicy(normal_share=(1, 2), age_boost_minutes=0)
    skills = {"cash": 1.0}
    waiting = [ticket(f"P{i:03d}", minutes=i, priority="priority") for i in range(1, 4)]
    waiting += [ticket(f"N{i:03d}", minutes=i) for i in range(1, 4)]
    recent: list[str] = []
    order = []
    while waiting:
        chosen = policy.choose(waiting, skills, T0 + timedelta(minutes=5), recent)
        assert chosen is not None
        order.append(chosen.number)
        recent.append(chosen.priority)
        waiting.remove(chosen)
    assert order == ["P001", "N001", "N002", "P002", "N003", "P003"]


def test_age_boost_never_jumps_into_the_appointment_class() -> None:
    policy = OrderingPolicy(age_boost_minutes=1)
    old_vip = ticket("A001", minutes=0, priority="priority")
    assert policy.level(old_vip, T0 + timedelta(hours=2)) == 1


def test_place_in_line_follows_the_policy_order() -> None:
    policy = OrderingPolicy(age_boost_minutes=15)
    old_normal = ticket("A001", minutes=0)
    vip = ticket("A002", minutes=10, priority="priority")
    new_normal = ticket("A003", minutes=11)
    keys = [(t.id, str(t.priority), t.issued_at) for t in (old_normal, vip, new_normal)]
    early = T0 + timedelta(minutes=12)
    assert [place_in_line(policy, t, keys, early) for t in (old_normal, vip, new_normal)] == [2, 1, 3]
    late = T0 + timedelta(minutes=16)  # the first normal ticket is boosted to the priority class
    assert [place_in_line(policy, t, keys, late) for t in (old_normal, vip, new_normal)] == [1, 2, 3]


def test_a_remote_ticket_is_held_until_it_arrives_and_can_expire() -> None:
    skills = {"cash": 1.0}
    remote = replace(ticket("A001"), remote=True)
    walk_in = replace(ticket("A002", minutes=1), arrived_at=T0 + timedelta(minutes=1))
    assert remote.on_the_way and not remote.callable_by("c1", skills)
    assert OrderingPolicy().choose([remote, walk_in], skills, T0 + timedelta(minutes=5)) == walk_in
    here = remote.arrive(T0 + timedelta(minutes=10))
    assert not here.on_the_way and here.arrive(T0 + timedelta(minutes=20)) is here  # idempotent
    assert OrderingPolicy().choose([here, walk_in], skills, T0 + timedelta(minutes=11)) == here  # its place kept
    with pytest.raises(Conflict):
        here.expire(T0 + timedelta(minutes=50))  # it arrived
    late = T0 + timedelta(minutes=46)
    gone = remote.expire(late)
    assert (gone.status, gone.outcome, gone.finished_at) == (TicketStatus.NO_SHOW, "not_arrived", late)
    with pytest.raises(Conflict):
        gone.arrive(T0 + timedelta(minutes=47))
    # Called by name while on the way: the customer is at the counter, so it has arrived.
    assert remote.call("c1", T0 + timedelta(minutes=3)).arrived_at == T0 + timedelta(minutes=3)
