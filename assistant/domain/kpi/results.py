"""The KPI results of a range of days, as frozen values with their JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.domain.kpi.records import SATISFIED_SCORE, Labelled, RatingRecord, Visit, wait_minutes, within_target
from assistant.domain.kpi.stats import _round, mean, minutes_json, percentile, share, share_json

# -- results -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaitStats:
    called: int
    avg_wait: float | None
    p90_wait: float | None
    within_target: int
    sla_share: float | None

    @classmethod
    def of(cls, visits: Sequence[Visit], targets: Mapping[str, float]) -> WaitStats:
        called = [v for v in visits if v.called_at is not None]
        waits = [w for v in called if (w := wait_minutes(v)) is not None]
        within = sum(1 for v in called if within_target(v, targets.get(v.service_id)))
        return cls(len(called), mean(waits), percentile(waits, 0.9), within, share(within, len(called)))

    def to_json(self) -> dict[str, Any]:
        return {
            "called": self.called,
            "avg_wait_minutes": minutes_json(self.avg_wait),
            "p90_wait_minutes": minutes_json(self.p90_wait),
            "within_target": self.within_target,
            "sla_share": share_json(self.sla_share),
        }


@dataclass(frozen=True, slots=True)
class ServiceKpis:
    service: Labelled
    issued: int
    served: int
    abandoned: int
    no_show: int
    waits: WaitStats
    avg_service: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service.id,
            "name": self.service.name,
            "target_wait_minutes": self.service.target,
            "issued": self.issued,
            "served": self.served,
            "abandoned": self.abandoned,
            "no_show": self.no_show,
            **self.waits.to_json(),
            "avg_service_minutes": minutes_json(self.avg_service),
        }


@dataclass(frozen=True, slots=True)
class WorkerKpis:
    """A counter or a member of staff."""

    id: str
    name: str
    called: int
    served: int
    no_show: int
    avg_service: float | None
    avg_rating: float | None = None
    ratings: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "called": self.called,
            "served": self.served,
            "no_show": self.no_show,
            "avg_service_minutes": minutes_json(self.avg_service),
            "ratings": self.ratings,
            "avg_rating": _round(self.avg_rating, 2),
        }


@dataclass(frozen=True, slots=True)
class Satisfaction:
    ratings: int
    avg_score: float | None
    csat: float | None
    by_score: tuple[int, int, int, int, int]  # how many 1s .. 5s
    by_channel: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, ratings: Sequence[RatingRecord]) -> Satisfaction:
        scores = [r.score for r in ratings]
        counts = Counter(scores)
        satisfied = sum(1 for s in scores if s >= SATISFIED_SCORE)
        return cls(
            len(scores),
            mean([float(s) for s in scores]),
            share(satisfied, len(scores)),
            (counts[1], counts[2], counts[3], counts[4], counts[5]),
            dict(sorted(Counter(r.channel for r in ratings).items())),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ratings": self.ratings,
            "avg_score": _round(self.avg_score, 2),
            "csat": share_json(self.csat),
            "by_score": {str(score): count for score, count in enumerate(self.by_score, start=1)},
            "by_channel": dict(self.by_channel),
        }


@dataclass(frozen=True, slots=True)
class HourBucket:
    start: datetime  # branch-local
    end: datetime  # an hour later, or a day when the range is long
    issued: int
    called: int
    avg_wait: float | None
    waiting_at_end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "issued": self.issued,
            "called": self.called,
            "avg_wait_minutes": minutes_json(self.avg_wait),
            "waiting_at_end": self.waiting_at_end,
        }


@dataclass(frozen=True, slots=True)
class RangeKpis:
    issued: int
    waits: WaitStats
    avg_service: float | None
    avg_walk: float | None
    served: int
    abandoned: int
    no_show: int
    device_routes: int
    triaged_tickets: int
    top_intents: tuple[tuple[str, int, int], ...]  # (intent, device routes, tickets)
    satisfaction: Satisfaction
    services: tuple[ServiceKpis, ...]
    counters: tuple[WorkerKpis, ...]
    staff: tuple[WorkerKpis, ...]
    hourly: tuple[HourBucket, ...]
    remote_joins: int = 0
    remote_expired: int = 0
    closed_unserved: int = 0  # still in line when the branch closed (not customers who left)

    @property
    def abandonment_rate(self) -> float | None:
        return share(self.abandoned, self.issued)

    @property
    def no_show_rate(self) -> float | None:
        return share(self.no_show, self.issued)

    @property
    def self_service_share(self) -> float | None:
        return share(self.device_routes, self.device_routes + self.triaged_tickets)

    def to_json(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "served": self.served,
            **self.waits.to_json(),
            "avg_service_minutes": minutes_json(self.avg_service),
            "avg_walk_minutes": minutes_json(self.avg_walk),
            "abandoned": self.abandoned,
            "abandonment_rate": share_json(self.abandonment_rate),
            "closed_unserved": self.closed_unserved,
            "no_show": self.no_show,
            "no_show_rate": share_json(self.no_show_rate),
            "remote_joins": self.remote_joins,
            "remote_expired": self.remote_expired,
            "device_routes": self.device_routes,
            "triaged_tickets": self.triaged_tickets,
            "self_service_share": share_json(self.self_service_share),
            "top_intents": [
                {"intent": intent, "count": routes + tickets, "device_routes": routes, "tickets": tickets}
                for intent, routes, tickets in self.top_intents
            ],
            "satisfaction": self.satisfaction.to_json(),
            "services": [s.to_json() for s in self.services],
            "counters": [c.to_json() for c in self.counters],
            "staff": [s.to_json() for s in self.staff],
            "hourly": [h.to_json() for h in self.hourly],
        }
