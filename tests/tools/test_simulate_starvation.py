"""No class starved (issue 16): the ordering policy against FIFO on the very same customers, on the demo
day's 20 seeds and, where `../shared/data/anonymous-bank/` is present, on every day of the real months.

What is asserted, and why not the day-by-day maximum: a ticket that has waited `age_boost_minutes` is
never overtaken by a later arrival (except a checked-in appointment), in every run; and the normal
class's longest wait of a day, averaged over the seeds/days, is no worse than FIFO's. The longest wait of
one day under two orderings differs by chance: with several counters, calling one customer instead of
another changes which counter is free when for the rest of the day, so even a 1.2-second head start for
priority, or serving every normal ticket before every priority one, makes some days' normal maximum
worse than FIFO's (README, "Ordering policy: no class starved", the noise-floor rows). That
day-by-day bar is the strict expected failure below, with the measured count in its reason.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import timedelta

import pytest

from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus
from assistant.settings import Settings, load_settings
from lobby_tools.simulation import FIFO, DayDefinition, QueueRun, load_day, policy_from_settings
from lobby_tools.simulation.day import run_day
from lobby_tools.simulation.replay import read_calls, replay
from tests.support import BANK_DATA, ROOT

SEEDS = range(1, 21)
DATA = BANK_DATA


@pytest.fixture(scope="module")
def branch() -> Settings:
    return load_settings(ROOT / "branch.yml", environ={})


@pytest.fixture(scope="module")
def demo(branch: Settings) -> DayDefinition:
    return load_day(branch, "demo")


@pytest.fixture(scope="module")
def demo_runs(branch: Settings, demo: DayDefinition) -> list[tuple[QueueRun, QueueRun]]:
    """(policy, FIFO) for each seed, without ETAs (the order of calls does not depend on them)."""
    policy = policy_from_settings(branch)
    return [
        (run_day(branch, demo, policy, seed, eta=False), run_day(branch, demo, FIFO, seed, eta=False)) for seed in SEEDS
    ]


def normal_max(run: QueueRun) -> float:
    waits = [
        (t.called_at - t.issued_at).total_seconds() / 60
        for t in run.tickets.values()
        if t.priority == Priority.NORMAL and t.status is TicketStatus.SERVED and t.called_at is not None
    ]
    return max(waits, default=0.0)


def overtaken_once_due(run: QueueRun, policy: OrderingPolicy) -> list[tuple[str, str]]:
    """(due ticket, later arrival) pairs where the later one was called, by a counter able to serve the
    due ticket's service, while the due ticket waited past `age_boost_minutes`."""
    skills = {desk.id: desk.skills for desk in run.setup.desks}
    called = sorted((t for t in run.tickets.values() if t.called_at is not None), key=lambda t: t.called_at)  # type: ignore[arg-type, return-value]
    boost = timedelta(minutes=policy.age_boost_minutes)
    out = []
    for due in _waited_past(run.tickets.values(), boost):
        since, until = due.issued_at + boost, due.called_at or run.at_minute(run.setup.end)
        for other in called:
            assert other.called_at is not None and other.counter_id is not None
            if since <= other.called_at < until and other.issued_at > due.issued_at:
                if other.priority != Priority.APPOINTMENT and skills[other.counter_id].get(due.service_id, 0) > 0:
                    out.append((due.number, other.number))
    return out


def _waited_past(tickets: Iterable[Ticket], boost: timedelta) -> list[Ticket]:
    return [
        t
        for t in tickets
        if t.priority != Priority.APPOINTMENT and t.called_at is not None and t.called_at - t.issued_at > boost
    ]


def _daily_max_mean(pairs: Sequence[tuple[QueueRun, QueueRun]]) -> tuple[float, float]:
    return statistics.fmean(normal_max(ours) for ours, _ in pairs), statistics.fmean(normal_max(f) for _, f in pairs)


# -- the demo day --------------------------------------------------------------------------------------


def test_no_ticket_is_overtaken_once_it_has_waited_the_boost(
    branch: Settings, demo: DayDefinition, demo_runs: list[tuple[QueueRun, QueueRun]]
) -> None:
    policy = policy_from_settings(branch)
    boost = timedelta(minutes=policy.age_boost_minutes)
    waited_long = sum(len(_waited_past(ours.tickets.values(), boost)) for ours, _ in demo_runs)
    assert waited_long > 100  # the rule is exercised: the demo's lunch peak keeps people waiting
    for ours, _ in demo_runs:
        assert overtaken_once_due(ours, policy) == []
    # FIFO never overtakes anyone; the check does see overtaking where there is some (a policy without it).
    no_rule = OrderingPolicy(policy.classes, policy.normal_share, age_boost_minutes=0)
    assert overtaken_once_due(run_day(branch, demo, no_rule, 1, eta=False), policy)


def test_normal_longest_wait_no_worse_than_fifo_over_the_demo_seeds(demo_runs: list[tuple[QueueRun, QueueRun]]) -> None:
    ours, fifo = _daily_max_mean(demo_runs)
    assert ours <= fifo, (ours, fifo)


def test_priority_keeps_a_shorter_wait_than_under_fifo(demo_runs: list[tuple[QueueRun, QueueRun]]) -> None:
    def mean_wait(runs: Iterable[QueueRun]) -> float:
        return statistics.fmean(
            (t.called_at - t.issued_at).total_seconds() / 60
            for run in runs
            for t in run.tickets.values()
            if t.priority == Priority.PRIORITY and t.status is TicketStatus.SERVED and t.called_at is not None
        )

    assert mean_wait(ours for ours, _ in demo_runs) < 0.85 * mean_wait(fifo for _, fifo in demo_runs)


@pytest.mark.xfail(
    strict=True,
    reason="the day-by-day normal maximum is mostly chance: worse than FIFO on 6 of these 20 seeds, on about a "
    "third of 100 seeds for every class-priority variant tried, today's included (README, 'Ordering policy: "
    "no class starved')",
)
def test_normal_longest_wait_no_worse_than_fifo_on_every_demo_seed(demo_runs: list[tuple[QueueRun, QueueRun]]) -> None:
    worse = [seed for seed, (ours, fifo) in zip(SEEDS, demo_runs, strict=True) if normal_max(ours) > normal_max(fifo)]
    assert worse == []


# -- the real months (read from ../shared/data/anonymous-bank/, never copied into the project) ---------


@pytest.mark.parametrize("month", ["calls-1999-01.csv", "calls-1999-02.csv"])
def test_on_a_real_call_centre_normal_callers_are_not_starved(branch: Settings, month: str) -> None:
    """Every day of the month replayed (agents as recorded, no ETAs): nobody overtaken once due, and the
    normal callers' longest wait of a day, averaged over the month, no worse than FIFO's (today's 15-minute
    boost never acted there, where waits are minutes: 4.67 vs 3.72 in January)."""
    path = DATA / month
    if not path.is_file():
        pytest.skip(f"the Anonymous Bank records are not at {DATA} (see its README): real-data check not run")
    policy = policy_from_settings(branch)
    days = [(day.ours, day.fifo) for day in replay(read_calls(path), policy, None, eta=False)]
    assert len(days) >= 28
    for ours, _ in days:
        assert overtaken_once_due(ours, policy) == []
    ours_mean, fifo_mean = _daily_max_mean(days)
    assert ours_mean <= fifo_mean, (ours_mean, fifo_mean)
