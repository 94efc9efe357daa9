"""The wait model (assistant/domain/eta.py) on hand-made snapshots: pure, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.domain.eta import (
    Calibration,
    CounterNow,
    Expected,
    QueueSnapshot,
    WaitEstimate,
    WaitModel,
    Wording,
    draw_rest,
    naive_minutes,
)
from assistant.domain.eta_stats import ArrivalStats, DelayStats, HandlingStats, PatienceStats
from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
ZONE = ZoneInfo("UTC")
POLICY = OrderingPolicy()
CASH = HandlingStats(base={"cash": 4.0, "loans": 20.0}, cvs={"cash": 0.5, "loans": 0.5})
MODEL = WaitModel(POLICY, CASH)
ALL_DAY = ((NOW, NOW + timedelta(hours=8)),)


def ticket(number: int, minutes_ago: float = 0, service: str = "cash", priority: Priority = Priority.NORMAL) -> Ticket:
    return Ticket(
        id=f"t{number}", number=f"A{number:03d}", service_id=service, business_date=date(2026, 3, 10),
        channel="kiosk", lang="en", priority=priority, status=TicketStatus.WAITING,
        issued_at=NOW - timedelta(minutes=minutes_ago),
    )  # fmt: skip


def counter(name: str = "c1", busy_for: float | None = None, windows=ALL_DAY, skills=None) -> CounterNow:  # type: ignore[no-untyped-def]
    return CounterNow(
        id=name,
        skills=skills or {"cash": 1.0},
        windows=windows,
        serving="cash" if busy_for is not None else None,
        since=NOW - timedelta(minutes=busy_for) if busy_for is not None else None,
    )


def snapshot(waiting, counters, **more) -> QueueSnapshot:  # type: ignore[no-untyped-def]
    return QueueSnapshot(now=NOW, zone=ZONE, waiting=tuple(waiting), counters=tuple(counters), **more)


def test_a_free_counter_calls_at_once() -> None:
    line = [ticket(1)]
    found = MODEL.estimate(snapshot(line, [counter()]))["t1"]
    assert found == WaitEstimate(0.0, 0.0, 0.0)
    assert found.shown() == (0, 1) and found.wording() is Wording.UNDER


def test_the_range_grows_with_the_line_and_holds_its_median() -> None:
    line = [ticket(n, minutes_ago=10 - n) for n in range(1, 6)]
    found = MODEL.estimate(snapshot(line, [counter(busy_for=1.0)]))
    points = [found[f"t{n}"].point for n in range(1, 6)]  # type: ignore[union-attr]
    assert points == sorted(points)
    fifth = found["t5"]
    assert fifth is not None and fifth.low < fifth.point < fifth.high
    # five services of 4 minutes ahead (one nearly started): about 20 minutes, give or take
    assert 14 < fifth.point < 24 and fifth.high - fifth.low > 4


def test_more_counters_shorter_waits_and_a_side_skill_is_slower() -> None:
    line = [ticket(n, minutes_ago=10 - n) for n in range(1, 7)]
    one = MODEL.estimate(snapshot(line, [counter(busy_for=1)]))["t6"]
    two = MODEL.estimate(snapshot(line, [counter(busy_for=1), counter("c2", busy_for=2)]))["t6"]
    side = MODEL.estimate(snapshot(line, [counter(busy_for=1), counter("c2", busy_for=2, skills={"cash": 0.5})]))["t6"]
    assert one is not None and two is not None and side is not None
    assert two.point < side.point < one.point


def test_a_long_service_in_progress_is_likely_to_go_on() -> None:
    """With heavy-tailed services (CV 1.5, as a call centre's), one that has run three times the mean
    is one of the long ones: more of it is left than of one just started."""
    model = WaitModel(POLICY, HandlingStats(base={"cash": 4.0}, cvs={"cash": 1.5}))
    fresh = model.estimate(snapshot([ticket(1)], [counter(busy_for=0.5)]))["t1"]
    old = model.estimate(snapshot([ticket(1)], [counter(busy_for=12.0)]))["t1"]
    assert fresh is not None and old is not None and old.point > fresh.point


def test_a_counter_on_a_break_counts_from_when_it_is_back() -> None:
    back = NOW + timedelta(minutes=25)
    found = MODEL.estimate(snapshot([ticket(1)], [counter(windows=((back, back + timedelta(hours=4)),))]))["t1"]
    assert found is not None and found.low >= 25
    closed = MODEL.estimate(snapshot([ticket(1)], [counter(windows=())]))["t1"]
    assert closed is None  # nobody will serve it: no number at all


def test_higher_classes_expected_during_the_wait_push_a_normal_ticket_back() -> None:
    rates = ArrivalStats(today_rate={("cash", "priority"): 0.3}, kinds=(("cash", "priority"),))
    line = [ticket(n, minutes_ago=5 - n) for n in range(1, 4)]
    quiet = MODEL.estimate(snapshot(line, [counter(busy_for=1)]))["t3"]
    busy = WaitModel(POLICY, CASH, rates).estimate(snapshot(line, [counter(busy_for=1)]))["t3"]
    assert quiet is not None and busy is not None and busy.point > quiet.point + 1
    # a booked appointment due in 2 minutes goes ahead of the whole line
    soon = (Expected(NOW + timedelta(minutes=2), "cash"),)
    booked = MODEL.estimate(snapshot(line, [counter(busy_for=1)], expected=soon))
    assert booked["t3"] is not None and booked["t3"].point > quiet.point + 2


def test_the_ordering_policy_decides_priority_first() -> None:
    line = [ticket(1, 9), ticket(2, 8), ticket(3, 1, priority=Priority.PRIORITY)]
    found = MODEL.estimate(snapshot(line, [counter(busy_for=1)]))
    assert found["t3"].point < found["t2"].point  # type: ignore[union-attr]


def test_customers_who_may_leave_shorten_the_wait_behind_them() -> None:
    leaving = PatienceStats(tuple(max(0.0, 1 - step * 0.25 / 10) for step in range(241)))  # gone within 10 min
    line = [ticket(n, minutes_ago=9) for n in range(1, 6)] + [ticket(6)]
    stay = MODEL.estimate(snapshot(line, [counter(busy_for=1)]))["t6"]
    go = WaitModel(POLICY, CASH, patience=leaving).estimate(snapshot(line, [counter(busy_for=1)]))["t6"]
    assert stay is not None and go is not None and go.point < stay.point / 2


def test_an_idle_counter_with_tickets_left_waiting_is_away() -> None:
    """Staff who do not call a ticket that has waited 5 minutes are not at the counter: the pickup
    delay learned from history, given 5 minutes already waited, applies."""
    slow = DelayStats(pickup=tuple(minutes * 0.2 for minutes in range(51)))  # 0 to 10 minutes, evenly
    found = WaitModel(POLICY, CASH, delays=slow).estimate(snapshot([ticket(1, 5), ticket(2)], [counter()]))
    assert found["t1"] is not None and 0 < found["t1"].point < 5
    assert found["t2"] is not None and found["t2"].point > found["t1"].point


def test_same_snapshot_same_estimate_and_only_one_ticket_agrees() -> None:
    line = [ticket(n, minutes_ago=10 - n) for n in range(1, 6)]
    shot = snapshot(line, [counter(busy_for=2), counter("c2", busy_for=3)])
    assert MODEL.estimate(shot) == MODEL.estimate(shot)
    assert MODEL.estimate(shot, only="t1")["t1"] == MODEL.estimate(shot)["t1"]


def test_wording_is_honest_where_the_range_is_wide() -> None:
    assert WaitEstimate(0.2, 2.0, 6.3).shown() == (0, 7)
    assert WaitEstimate(0.2, 2.0, 6.3).wording() is Wording.UNDER
    assert WaitEstimate(5.5, 8.0, 12.1).wording() is Wording.RANGE
    assert WaitEstimate(12.0, 30.0, 70.0).wording() is Wording.OVER
    assert WaitEstimate(3.0, 3.1, 3.2).shown() == (3, 4)  # never a false-precision minute


def test_draws_of_the_rest_of_a_service_are_positive_and_longer_when_old() -> None:
    import random

    rng = random.Random(1)
    fresh = [draw_rest(rng, 4.0, 0.8, 0.1) for _ in range(2000)]
    old = [draw_rest(rng, 4.0, 0.8, 12.0) for _ in range(2000)]
    assert min(fresh) >= 0 and min(old) >= 0
    assert sum(old) / len(old) > sum(fresh) / len(fresh)


def test_naive_estimate_and_calibration_defaults() -> None:
    assert naive_minutes(3, 4.0, 2) == 6.0 and naive_minutes(3, 4.0, 0) is None
    assert Calibration().runs >= 20
    with pytest.raises(AttributeError):
        Calibration().runs = 3  # type: ignore[misc]


def test_a_ticket_the_counters_may_not_reach_today_is_more_than_its_low_end() -> None:
    """A 20-minute loan ahead and 30 minutes of counter left: one run in five ends the day first."""
    line = [ticket(n, minutes_ago=5 - n, service="loans") for n in range(1, 4)]
    short_day = ((NOW, NOW + timedelta(minutes=30)),)
    found = MODEL.estimate(snapshot(line, [counter(busy_for=1, windows=short_day, skills={"loans": 1.0})]))
    second = found["t2"]
    assert second is not None and second.open_ended and second.wording() is Wording.OVER
    assert second.shown()[1] <= 30  # never the projection's 10-hour horizon
    assert found["t3"] is None  # not today: no number at all


def test_a_ghost_learns_its_wait_and_changes_nobody_elses() -> None:
    line = [ticket(n, minutes_ago=6 - n) for n in range(1, 5)]
    ghost = Ticket(
        id="ghost-cash",
        number="G000",
        service_id="cash",
        business_date=date(2026, 3, 10),
        channel="kiosk",
        lang="en",
        priority=Priority.NORMAL,
        status=TicketStatus.WAITING,
        issued_at=NOW,
    )
    desks = [counter(busy_for=1), counter("c2", busy_for=3)]
    alone = MODEL.estimate(snapshot(line, desks))
    both = MODEL.estimate(snapshot([*line, ghost], desks))
    assert {k: v for k, v in both.items() if k != "ghost-cash"} == alone
    assert both["ghost-cash"] is not None and both["ghost-cash"].point >= alone["t4"].point  # type: ignore[union-attr]
