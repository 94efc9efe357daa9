"""The dashboard's KPIs on a hand-computed scripted day (assistant/domain/kpi.py).

The day (all times UTC = Europe/London in March; targets: cash 10, cards 15, accounts 20,
help 15, exchange 10 minutes):

    ticket  service   intent            issued  called  started  finished  status     counter  staff
    A001    cash      withdraw_cash     09:00   09:05   09:06    09:10     served     c1       Ana
    C001    cards     report_lost_card  09:02   09:06   09:07    09:15     served     c2       Ben
    A002    cash      -                 09:04   09:10   09:12    09:15     served     c1       Ana
    D001    accounts  close_account     09:05   09:15   09:16    09:26     served     c2       Ben
    A003    cash      deposit_cash      09:06   -       -        09:20     abandoned  -        -
    H001    help      make_complaint    09:10   09:26   -        09:28     no_show    c2       Ben
    E001    exchange  exchange_currency 10:05   -       -        -         waiting    -        -

    device routes: withdraw_cash 09:00, deposit_cheque 09:01 (+ ticket/info answers, not counted)
    ratings: A001 5 (kiosk), C001 4 (mobile), D001 3 (mobile), none 2 (kiosk)

By hand, at 10:20:
    waits 5, 4, 6, 10, 16 -> mean 41/5 = 8.2, p90 = 5th of 5 = 16; within target 4 of 5 (H001 16 > 15)
    service times 4, 8, 3, 10 -> 6.25; walks 1, 1, 2, 1 -> 1.25
    abandoned 1/7, no-show 1/7; self-service 2 / (2 + 6 tickets with an intent) = 0.25
    ratings mean 14/4 = 3.5, CSAT 2/4 = 0.5
    c1: called 2, served 2, service 3.5, rating 5; c2: called 3, served 2, no-show 1, service 9, rating 3.5
    hours: 09:00 issued 6, called 5, mean wait 8.2, waiting at 10:00 0; 10:00 issued 1, waiting at 10:20 1
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from assistant.domain.kpi import (
    Labelled,
    RatingRecord,
    RouteRecord,
    Visit,
    hourly,
    live_services,
    percentile,
    service_minutes,
    summarize,
    wait_minutes,
    walk_minutes,
)
from assistant.domain.tickets import TicketStatus

DAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1, minutes=20)
ZONE = "Europe/London"
SERVICES = (
    Labelled("cash", "Cash and cheques", 10),
    Labelled("payments", "Payments and transfers", 15),
    Labelled("cards", "Cards and PIN", 15),
    Labelled("accounts", "Accounts and details", 20),
    Labelled("exchange", "Foreign exchange", 10),
    Labelled("help", "Help, app and complaints", 15),
)
COUNTERS = (Labelled("c1", "Counter 1"), Labelled("c2", "Counter 2"), Labelled("c3", "Advisor desk"))


def at(minutes: float | None) -> datetime | None:
    return None if minutes is None else T0 + timedelta(minutes=minutes)


def visit(
    number: str,
    service: str,
    intent: str | None,
    issued: float,
    called: float | None,
    started: float | None,
    finished: float | None,
    status: str,
    counter: str | None = None,
    staff: str | None = None,
) -> Visit:
    return Visit(
        ticket_id=number.lower(),
        number=number,
        service_id=service,
        business_date=DAY,
        channel="kiosk",
        priority="normal",
        status=TicketStatus(status),
        issued_at=at(issued),  # type: ignore[arg-type]
        intent=intent,
        counter_id=counter,
        called_at=at(called),
        started_at=at(started),
        finished_at=at(finished),
        called_by=staff,
        finished_by=staff if status == "served" else None,
    )


VISITS = (
    visit("A001", "cash", "withdraw_cash", 0, 5, 6, 10, "served", "c1", "Ana"),
    visit("C001", "cards", "report_lost_card", 2, 6, 7, 15, "served", "c2", "Ben"),
    visit("A002", "cash", None, 4, 10, 12, 15, "served", "c1", "Ana"),
    visit("D001", "accounts", "close_account", 5, 15, 16, 26, "served", "c2", "Ben"),
    visit("A003", "cash", "deposit_cash", 6, None, None, 20, "abandoned"),
    visit("H001", "help", "make_complaint", 10, 26, None, 28, "no_show", "c2", "Ben"),
    visit("E001", "exchange", "exchange_currency", 65, None, None, None, "waiting"),
)
ROUTES = (
    RouteRecord("withdraw_cash", "device", T0, "cash", "atm-1"),
    RouteRecord("withdraw_cash", "ticket", T0, "cash"),  # 8,000: above every machine; not self-service
    RouteRecord("deposit_cheque", "device", T0 + timedelta(minutes=1), "cash", "stm-1"),
    RouteRecord("branch_info", "info", T0 + timedelta(minutes=3)),
)
RATINGS = (
    RatingRecord(5, "kiosk", T0 + timedelta(minutes=11), "a001", "cash", "c1"),
    RatingRecord(4, "mobile", T0 + timedelta(minutes=16), "c001", "cards", "c2"),
    RatingRecord(3, "mobile", T0 + timedelta(minutes=27), "d001", "accounts", "c2"),
    RatingRecord(2, "kiosk", T0 + timedelta(minutes=30)),
)


@pytest.fixture(scope="module")
def day() -> dict:  # type: ignore[type-arg]
    return summarize(VISITS, ROUTES, RATINGS, SERVICES, COUNTERS, ZONE, NOW).to_json()


def test_the_headline_numbers_of_the_scripted_day(day: dict) -> None:  # type: ignore[type-arg]
    assert day["issued"] == 7 and day["called"] == 5 and day["served"] == 4
    assert day["avg_wait_minutes"] == 8.2
    assert day["p90_wait_minutes"] == 16.0
    assert day["within_target"] == 4 and day["sla_share"] == 0.8
    assert day["avg_service_minutes"] == 6.25
    assert day["avg_walk_minutes"] == 1.25
    assert day["abandoned"] == 1 and day["abandonment_rate"] == round(1 / 7, 4)
    assert day["no_show"] == 1 and day["no_show_rate"] == round(1 / 7, 4)
    assert (day["device_routes"], day["triaged_tickets"], day["self_service_share"]) == (2, 6, 0.25)


def test_satisfaction_and_top_intents(day: dict) -> None:  # type: ignore[type-arg]
    assert day["satisfaction"] == {
        "ratings": 4,
        "avg_score": 3.5,
        "csat": 0.5,
        "by_score": {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1},
        "by_channel": {"kiosk": 2, "mobile": 2},
    }
    assert [(i["intent"], i["count"], i["device_routes"], i["tickets"]) for i in day["top_intents"]] == [
        ("withdraw_cash", 2, 1, 1),
        ("close_account", 1, 0, 1),
        ("deposit_cash", 1, 0, 1),
        ("deposit_cheque", 1, 1, 0),
        ("exchange_currency", 1, 0, 1),
        ("make_complaint", 1, 0, 1),
        ("report_lost_card", 1, 0, 1),
    ]


def test_per_service_counter_and_staff(day: dict) -> None:  # type: ignore[type-arg]
    services = {s["service"]: s for s in day["services"]}
    cash = services["cash"]
    assert (cash["issued"], cash["called"], cash["served"], cash["abandoned"]) == (3, 2, 2, 1)
    assert (cash["avg_wait_minutes"], cash["p90_wait_minutes"], cash["sla_share"]) == (5.5, 6.0, 1.0)
    assert cash["avg_service_minutes"] == 3.5 and cash["target_wait_minutes"] == 10
    assert services["help"]["sla_share"] == 0.0 and services["help"]["no_show"] == 1
    assert services["exchange"]["called"] == 0 and services["exchange"]["avg_wait_minutes"] is None
    assert services["payments"]["issued"] == 0 and services["payments"]["sla_share"] is None

    counters = {c["id"]: c for c in day["counters"]}
    assert {k: counters["c1"][k] for k in ("called", "served", "no_show", "avg_service_minutes", "avg_rating")} == {
        "called": 2, "served": 2, "no_show": 0, "avg_service_minutes": 3.5, "avg_rating": 5.0,
    }  # fmt: skip
    assert {k: counters["c2"][k] for k in ("called", "served", "no_show", "avg_service_minutes", "avg_rating")} == {
        "called": 3, "served": 2, "no_show": 1, "avg_service_minutes": 9.0, "avg_rating": 3.5,
    }  # fmt: skip
    assert counters["c3"]["called"] == 0 and counters["c3"]["avg_service_minutes"] is None

    staff = [(s["name"], s["called"], s["served"], s["no_show"], s["avg_service_minutes"]) for s in day["staff"]]
    assert staff == [("Ana", 2, 2, 0, 3.5), ("Ben", 3, 2, 1, 9.0)]


def test_the_hourly_series(day: dict) -> None:  # type: ignore[type-arg]
    assert day["hourly"] == [
        {
            "start": "2026-03-02T09:00:00+00:00",
            "end": "2026-03-02T10:00:00+00:00",
            "issued": 6,
            "called": 5,
            "avg_wait_minutes": 8.2,
            "waiting_at_end": 0,
        },
        {
            "start": "2026-03-02T10:00:00+00:00",
            "end": "2026-03-02T11:00:00+00:00",
            "issued": 1,
            "called": 0,
            "avg_wait_minutes": None,
            "waiting_at_end": 1,  # E001, at 10:20 (now), not 11:00
        },
    ]


def test_hours_are_branch_local_and_long_ranges_go_daily() -> None:
    summer = Visit("x", "A001", "cash", date(2026, 6, 1), "kiosk", "normal", TicketStatus.WAITING,
                   datetime(2026, 6, 1, 8, 30, tzinfo=UTC))  # fmt: skip
    buckets = hourly([summer], ZONE, datetime(2026, 6, 1, 8, 40, tzinfo=UTC))
    assert [b.start.isoformat() for b in buckets] == ["2026-06-01T09:00:00+01:00"]  # BST
    later = Visit("y", "A001", "cash", date(2026, 6, 20), "kiosk", "normal", TicketStatus.WAITING,
                  datetime(2026, 6, 20, 8, 30, tzinfo=UTC))  # fmt: skip
    daily = hourly([summer, later], ZONE, datetime(2026, 6, 21, tzinfo=UTC))
    assert len(daily) == 20 and daily[0].start.isoformat() == "2026-06-01T00:00:00+01:00"
    assert (daily[0].issued, daily[0].waiting_at_end, daily[-1].issued, daily[-1].waiting_at_end) == (1, 1, 1, 2)


def test_one_visit_measures() -> None:
    a001, a003, h001 = VISITS[0], VISITS[4], VISITS[5]
    assert (wait_minutes(a001), walk_minutes(a001), service_minutes(a001)) == (5, 1, 4)
    assert (wait_minutes(a003), walk_minutes(a003), service_minutes(a003)) == (None, None, None)
    assert (wait_minutes(h001), walk_minutes(h001), service_minutes(h001)) == (16, None, None)
    # Finished without pressing start: started_at == finished_at, so no service or walk time.
    quick = visit("A009", "cash", None, 0, 2, 5, 5, "served", "c1")
    assert (service_minutes(quick), walk_minutes(quick)) == (None, None)


def test_a_remote_ticket_waits_from_its_arrival_and_expiries_are_counted() -> None:
    joined = visit("C001", "cards", "report_lost_card", 0, 30, 31, 35, "served", "c2")
    remote = dataclasses.replace(joined, remote=True, arrived_at=at(25))
    assert wait_minutes(remote) == 5 and wait_minutes(joined) == 30  # in the branch 25..30
    expired = dataclasses.replace(
        visit("C002", "cards", None, 0, None, None, 45, "no_show"), remote=True, outcome="not_arrived"
    )
    summary = summarize((remote, expired, VISITS[0]), (), (), SERVICES, COUNTERS, ZONE, NOW).to_json()
    assert (summary["remote_joins"], summary["remote_expired"], summary["no_show"]) == (2, 1, 1)


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.9) is None
    assert percentile([3.0], 0.9) == 3.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0  # ceil(9.0) = 9th
    assert percentile([float(n) for n in range(1, 12)], 0.9) == 10.0  # ceil(9.9) = 10th


def test_an_empty_range_has_no_numbers_rather_than_zeros() -> None:
    empty = summarize((), (), (), SERVICES, COUNTERS, ZONE, NOW).to_json()
    assert empty["issued"] == 0 and empty["hourly"] == [] and empty["top_intents"] == []
    for key in ("avg_wait_minutes", "p90_wait_minutes", "sla_share", "abandonment_rate", "self_service_share"):
        assert empty[key] is None, key
    assert empty["satisfaction"]["avg_score"] is None


def test_live_alert_only_past_the_target() -> None:
    waiting = {"exchange": (1, at(65)), "cash": (2, at(70)), "help": (0, None)}
    live = {s.service.id: s for s in live_services(SERVICES, waiting, NOW)}
    assert live["exchange"].longest_wait == 15 and live["exchange"].over_target  # 15 > 10
    assert live["cash"].longest_wait == 10 and not live["cash"].over_target  # 10 is within 10
    assert live["help"].waiting == 0 and not live["help"].over_target
    assert live["exchange"].to_json() == {
        "service": "exchange", "name": "Foreign exchange", "waiting": 1, "longest_wait_minutes": 15.0,
        "target_wait_minutes": 10, "over_target": True,
    }  # fmt: skip


def test_tickets_closed_at_closing_time_are_not_customers_who_left() -> None:
    """A ticket still in line when the branch closed (outcome branch_closed) is counted apart, not as
    abandoned: the abandonment rate is about customers who gave up."""
    from dataclasses import replace

    from assistant.domain.tickets import BRANCH_CLOSED

    closed = replace(visit("E002", "exchange", None, 70, None, None, 480, "abandoned"), outcome=BRANCH_CLOSED)
    summary = summarize((*VISITS, closed), ROUTES, RATINGS, SERVICES, COUNTERS, ZONE, NOW).to_json()
    assert summary["issued"] == 8 and summary["abandoned"] == 1 and summary["closed_unserved"] == 1
    assert summary["abandonment_rate"] == round(1 / 8, 4)
    exchange = next(s for s in summary["services"] if s["service"] == "exchange")
    assert exchange["abandoned"] == 0
