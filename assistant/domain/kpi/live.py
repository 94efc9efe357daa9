"""The live view: who waits now, the longest wait of each service, over target or not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.domain.kpi.records import Labelled, _minutes

# -- live ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveService:
    service: Labelled
    waiting: int
    longest_wait: float  # minutes; 0 when nobody waits

    @property
    def over_target(self) -> bool:
        return self.service.target is not None and self.waiting > 0 and self.longest_wait > self.service.target

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service.id,
            "name": self.service.name,
            "waiting": self.waiting,
            "longest_wait_minutes": round(self.longest_wait, 2),
            "target_wait_minutes": self.service.target,
            "over_target": self.over_target,
        }


def live_services(
    services: Sequence[Labelled], waiting: Mapping[str, tuple[int, datetime | None]], now: datetime
) -> tuple[LiveService, ...]:
    """`waiting`: service -> (tickets waiting, oldest issue time)."""
    out = []
    for service in services:
        count, oldest = waiting.get(service.id, (0, None))
        longest = max(0.0, _minutes(oldest, now)) if oldest is not None and count else 0.0
        out.append(LiveService(service, count, longest))
    return tuple(out)
