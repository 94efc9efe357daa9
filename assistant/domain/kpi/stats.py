"""Small statistics the KPIs share: mean, nearest-rank percentile (the one definition), shares, JSON rounding."""

from __future__ import annotations

import math
from collections.abc import Sequence

# -- statistics ------------------------------------------------------------------


def mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest rank: sorted, the value at 1-based position ceil(fraction * n)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def minutes_json(value: float | None) -> float | None:
    return _round(value, 2)


def share_json(value: float | None) -> float | None:
    return _round(value, 4)
