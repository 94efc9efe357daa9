from __future__ import annotations

import dataclasses
import math

import pytest

from assistant.domain.errors import InvalidInput
from assistant.domain.handling import HandlingTimes

SEED = {"cash": 4.0, "loans": 25.0}


def test_seeded_values_are_the_configured_minutes() -> None:
    times = HandlingTimes.seeded(SEED)
    assert times.minutes("cash") == 4.0 and times.minutes("loans") == 25.0
    assert times.spread("cash") == 2.0  # half the seed until samples arrive
    assert times.estimate("cash").samples == 0


def test_observe_is_an_exponential_moving_average() -> None:
    times = HandlingTimes.seeded(SEED, alpha=0.2)
    once = times.observe("cash", 6.0)
    assert once.minutes("cash") == pytest.approx(4.4)  # 4 + 0.2 * (6 - 4)
    assert once.spread("cash") == pytest.approx(2.0)  # 2 + 0.2 * (|6 - 4| - 2)
    twice = once.observe("cash", 6.0)
    assert twice.minutes("cash") == pytest.approx(4.72)  # 4.4 + 0.2 * (6 - 4.4)
    assert twice.spread("cash") == pytest.approx(1.92)  # 2 + 0.2 * (1.6 - 2)
    assert twice.estimate("cash").samples == 2
    assert twice.minutes("loans") == 25.0  # other services untouched


def test_alpha_sets_how_fast_it_follows() -> None:
    fast = HandlingTimes.seeded(SEED, alpha=0.5).observe("cash", 8.0)
    assert fast.minutes("cash") == pytest.approx(6.0)


def test_absurd_samples_are_clamped_to_a_multiple_of_the_seed() -> None:
    times = HandlingTimes.seeded(SEED, alpha=0.2, clamp_factor=4.0)
    forgot_to_finish = times.observe("cash", 180.0)  # counts as 4 * 4 = 16
    assert forgot_to_finish.minutes("cash") == pytest.approx(4 + 0.2 * (16 - 4))
    double_click = times.observe("cash", 0.05)  # counts as 4 / 4 = 1
    assert double_click.minutes("cash") == pytest.approx(4 + 0.2 * (1 - 4))
    # The bound follows the seed, not the mean: many long samples cannot raise it.
    many = times
    for _ in range(100):
        many = many.observe("cash", 180.0)
    assert many.minutes("cash") == pytest.approx(16.0)
    assert many.minutes("cash") <= 16.0


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_impossible_samples_are_refused(bad: float) -> None:
    with pytest.raises(InvalidInput):
        HandlingTimes.seeded(SEED).observe("cash", bad)


def test_values_are_immutable() -> None:
    times = HandlingTimes.seeded(SEED)
    after = times.observe("cash", 10.0)
    assert after is not times
    assert times.minutes("cash") == 4.0  # the original did not change
    with pytest.raises(dataclasses.FrozenInstanceError):
        times.alpha = 0.5  # type: ignore[misc]
    assert hash(times) == hash(HandlingTimes.seeded(SEED))
    assert times == HandlingTimes.seeded(SEED)


def test_unknown_services_and_bad_parameters_are_errors() -> None:
    times = HandlingTimes.seeded(SEED)
    with pytest.raises(InvalidInput) as raised:
        times.minutes("cashh")
    assert raised.value.code == "unknown_service"
    with pytest.raises(InvalidInput):
        times.observe("cashh", 3.0)
    with pytest.raises(InvalidInput):
        HandlingTimes.seeded(SEED, alpha=0)
    with pytest.raises(InvalidInput):
        HandlingTimes.seeded(SEED, clamp_factor=0.5)
    with pytest.raises(InvalidInput):
        HandlingTimes.seeded({"cash": 0})


def test_rebuild_from_stored_samples_equals_observing_them_in_order() -> None:
    samples = {"cash": [5.0, 3.0, 60.0, 4.5], "loans": [30.0]}
    rebuilt = HandlingTimes.from_samples(SEED, samples)
    observed = HandlingTimes.seeded(SEED)
    for service_id, durations in samples.items():
        for minutes in durations:
            observed = observed.observe(service_id, minutes)
    assert rebuilt == observed
    # Oldest first: the latest sample weighs most.
    late_slow = HandlingTimes.from_samples(SEED, {"cash": [2.0, 10.0]}).minutes("cash")
    late_quick = HandlingTimes.from_samples(SEED, {"cash": [10.0, 2.0]}).minutes("cash")
    assert late_slow > late_quick


def test_rebuild_skips_services_no_longer_configured() -> None:
    rebuilt = HandlingTimes.from_samples(SEED, {"retired": [3.0], "cash": [8.0]})
    assert rebuilt.minutes("cash") == pytest.approx(4.8)
    with pytest.raises(InvalidInput):
        rebuilt.minutes("retired")
