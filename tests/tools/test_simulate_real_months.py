"""The wait model against a real bank's queue (issue 16's bars), where `../shared/data/anonymous-bank/` is
present: the first week of each month replayed through the hub's own ordering policy and ETA code,
learned from the other month first and then online, as `lobby simulate --replay MONTH --fit OTHER`
does for the whole month (README, "Wait estimates": 95.8% / 95.0% inside, MAE 0.44 and 0.48 of the naive one).
A week, not the month, so that it fits in CI (about a minute each); the data is read where it lies, never
copied into the project."""

from __future__ import annotations

from itertools import islice

import pytest

from assistant.settings import load_settings
from lobby_tools.simulation import policy_from_settings
from lobby_tools.simulation.replay import read_calls, replay
from lobby_tools.simulation.report import eta_stats
from tests.support import BANK_DATA, ROOT

DATA = BANK_DATA
DAYS = 7


@pytest.mark.parametrize(
    ("month", "fit"), [("calls-1999-02.csv", "calls-1999-01.csv"), ("calls-1999-01.csv", "calls-1999-02.csv")]
)
def test_a_real_week_of_waits_falls_in_the_ranges_we_give(month: str, fit: str) -> None:
    if not (DATA / month).is_file() or not (DATA / fit).is_file():
        pytest.skip(f"the Anonymous Bank records are not at {DATA} (see its README): real-data check not run")
    policy = policy_from_settings(load_settings(ROOT / "branch.yml", environ={}))
    days = list(islice(replay(read_calls(DATA / month), policy, None, read_calls(DATA / fit)), DAYS))
    samples = [sample for day in days for sample in day.ours.eta_samples()]
    assert len(days) == DAYS and len(samples) > 1000
    stats = eta_stats(samples)
    assert stats.within_range >= 0.8, stats  # ranges meant to hold 80% of the waits
    assert stats.ours_mae <= 0.6 * stats.naive_mae, stats  # the point estimate beats position x handling / counters
