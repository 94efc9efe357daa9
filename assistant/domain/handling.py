"""Smoothed handling time per service: what "how long does a cash ticket take
today" means for the ETA (DESIGN.md §6).

An exponential moving average of the service durations of the last served
tickets, seeded from the configured `handling_minutes`:

    mean <- mean + alpha * (sample - mean)

Alpha 0.2 gives the last ~10 tickets most of the weight: quick enough to
follow a slow afternoon, slow enough that one odd customer does not swing it.

Samples are clamped to [seed / clamp_factor, seed * clamp_factor] before they
count. Staff forget to press "finish" (a 3-hour "cash withdrawal") or press it
twice in a row (a 5-second "mortgage"); an unclamped average would take many
tickets to recover from either. The bound is relative to the configured seed,
not to the current mean, so a run of long samples cannot walk the bound up.
With the default factor 4 a 4-minute service counts between 1 and 16 minutes.

`spread` is the same kind of average of the absolute deviation from the mean
(as TCP's RTTVAR, RFC 6298), seeded at half the seed: a basis for an ETA range
wider for services whose duration varies more.

Pure and immutable: `observe` returns a new value. Services are those of the
seed; observing another one is an error (a typo must not silently add one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from assistant.domain.errors import InvalidInput

DEFAULT_ALPHA = 0.2
DEFAULT_CLAMP_FACTOR = 4.0
SEED_SPREAD_RATIO = 0.5


@dataclass(frozen=True, slots=True)
class ServiceHandling:
    """The estimate for one service, in minutes."""

    service_id: str
    seed: float
    mean: float
    spread: float
    samples: int = 0

    @classmethod
    def seeded(cls, service_id: str, seed: float) -> ServiceHandling:
        if not math.isfinite(seed) or seed <= 0:
            raise InvalidInput(f"handling minutes of {service_id} must be positive, got {seed}")
        return cls(service_id, seed, seed, seed * SEED_SPREAD_RATIO)

    def bounds(self, clamp_factor: float) -> tuple[float, float]:
        return (self.seed / clamp_factor, self.seed * clamp_factor)

    def observe(self, minutes: float, alpha: float, clamp_factor: float) -> ServiceHandling:
        low, high = self.bounds(clamp_factor)
        sample = min(high, max(low, minutes))
        deviation = abs(sample - self.mean)
        return replace(
            self,
            mean=self.mean + alpha * (sample - self.mean),
            spread=self.spread + alpha * (deviation - self.spread),
            samples=self.samples + 1,
        )


@dataclass(frozen=True, slots=True)
class HandlingTimes:
    """Smoothed handling minutes for every configured service."""

    estimates: tuple[ServiceHandling, ...]
    alpha: float = DEFAULT_ALPHA
    clamp_factor: float = DEFAULT_CLAMP_FACTOR

    def __post_init__(self) -> None:
        if not 0 < self.alpha <= 1:
            raise InvalidInput(f"alpha must be in (0, 1], got {self.alpha}")
        if not self.clamp_factor >= 1:
            raise InvalidInput(f"clamp factor must be at least 1, got {self.clamp_factor}")
        ids = [estimate.service_id for estimate in self.estimates]
        if len(ids) != len(set(ids)):
            raise InvalidInput("a service appears twice in the handling times")

    @classmethod
    def seeded(
        cls,
        seed: Mapping[str, float],
        alpha: float = DEFAULT_ALPHA,
        clamp_factor: float = DEFAULT_CLAMP_FACTOR,
    ) -> HandlingTimes:
        """Start from the configured minutes, e.g. {"cash": 4.0, "loans": 25.0}."""
        estimates = tuple(ServiceHandling.seeded(service_id, float(minutes)) for service_id, minutes in seed.items())
        return cls(estimates, alpha, clamp_factor)

    @classmethod
    def from_samples(
        cls,
        seed: Mapping[str, float],
        samples: Mapping[str, Iterable[float]],
        alpha: float = DEFAULT_ALPHA,
        clamp_factor: float = DEFAULT_CLAMP_FACTOR,
    ) -> HandlingTimes:
        """Rebuild after a restart from stored durations per service, oldest first.

        Services in `samples` that are not in `seed` (no longer configured) are skipped.
        """
        times = cls.seeded(seed, alpha, clamp_factor)
        for service_id, durations in samples.items():
            if times._find(service_id) is None:
                continue
            for minutes in durations:
                times = times.observe(service_id, minutes)
        return times

    def _find(self, service_id: str) -> ServiceHandling | None:
        return next((e for e in self.estimates if e.service_id == service_id), None)

    def estimate(self, service_id: str) -> ServiceHandling:
        found = self._find(service_id)
        if found is None:
            raise InvalidInput(f"no handling time for service {service_id!r}", code="unknown_service")
        return found

    def minutes(self, service_id: str) -> float:
        """The smoothed handling time of one ticket of `service_id`."""
        return self.estimate(service_id).mean

    def spread(self, service_id: str) -> float:
        """The smoothed absolute deviation of one ticket's handling time."""
        return self.estimate(service_id).spread

    def observe(self, service_id: str, minutes: float) -> HandlingTimes:
        """Count one served ticket that took `minutes` (clamped, see the module doc)."""
        if not math.isfinite(minutes) or minutes < 0:
            raise InvalidInput(f"a service duration must be a non-negative number, got {minutes}")
        current = self.estimate(service_id)
        updated = current.observe(minutes, self.alpha, self.clamp_factor)
        estimates = tuple(updated if e is current else e for e in self.estimates)
        return replace(self, estimates=estimates)
