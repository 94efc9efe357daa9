"""Who is at which counter when: shifts, breaks, break cover.

A counter's schedule is its shifts (branch-local "HH:MM" spans, the same every day the branch is
open, or per weekday) minus its breaks. Without shifts a counter works the branch's opening hours.
The console may put an open counter "on break until 13:30": that overrides the plan until then.

The wait model asks *when* each counter works from now on (`availability`), the simulator opens
and closes counters by it, and the ordering policy uses `cover_skills`: when no counter with the
full skill for a service is open (its teller is on break), the open counters with the best remaining
skill for it treat it as a main skill instead of a side one, so it is not starved behind their own
services. `uncovered` names the services that have tickets waiting and no open counter able to
serve them: what the manager is warned about.

Pure: times in, windows out. The caller gives the time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.domain.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_SKILL = 1.0

Span = tuple[time, time]


def clock(text: str) -> time:
    """'13:30' -> time(13, 30); '24:00' is the end of the day."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except ValueError:
        raise InvalidInput(f"expected a time HH:MM, got {text!r}") from None
    if (hours, minutes) == (24, 0):
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise InvalidInput(f"expected a time HH:MM, got {text!r}")
    return time(hours, minutes)


def span(pair: Sequence[str]) -> Span:
    start, end = clock(pair[0]), clock(pair[1])
    if start >= end:
        raise InvalidInput(f"a span must end after it starts: {pair[0]}-{pair[1]}")
    return start, end


@dataclass(frozen=True, slots=True)
class CounterSchedule:
    """The plan of one counter. `shifts`: weekday ("mon".."sun") -> spans; a weekday missing from it
    is off. `follows_branch`: no shifts were given, the counter works the branch's opening hours."""

    counter_id: str
    shifts: Mapping[str, tuple[Span, ...]] = field(default_factory=dict)
    breaks: tuple[Span, ...] = ()
    follows_branch: bool = True

    @classmethod
    def build(
        cls,
        counter_id: str,
        shifts: Sequence[Sequence[str]] | Mapping[str, Sequence[Sequence[str]]] | None,
        breaks: Sequence[Sequence[str]],
        opening_hours: Mapping[str, Sequence[str]],
    ) -> CounterSchedule:
        """From branch.yml: `shifts` a list of spans (every day the branch opens) or a mapping per weekday."""
        gaps = tuple(span(pair) for pair in breaks)
        plan: dict[str, tuple[tuple[time, time], ...]]
        if not shifts:
            plan = {day: (span(hours),) for day, hours in opening_hours.items() if hours}
            return cls(counter_id, plan, gaps, follows_branch=True)
        if isinstance(shifts, Mapping):
            unknown = set(shifts) - set(DAYS)
            if unknown:
                raise InvalidInput(f"counter {counter_id}: unknown weekdays {sorted(unknown)}")
            plan = {day: tuple(span(pair) for pair in spans) for day, spans in shifts.items()}
        else:
            every = tuple(span(pair) for pair in shifts)
            plan = {day: every for day, hours in opening_hours.items() if hours}
        return cls(counter_id, plan, gaps, follows_branch=False)

    def day_windows(self, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The working windows of one branch-local day, breaks cut out, as aware datetimes."""
        out: list[tuple[datetime, datetime]] = []
        for start, end in self.shifts.get(DAYS[day.weekday()], ()):
            pieces = [(start, end)]
            for gap_start, gap_end in self.breaks:
                pieces = [part for piece in pieces for part in _cut(piece, (gap_start, gap_end))]
            out.extend((_at(day, a, zone), _at(day, b, zone)) for a, b in pieces)
        return sorted(out)

    def availability(
        self, start: datetime, end: datetime, zone: ZoneInfo, away_until: datetime | None = None
    ) -> list[tuple[datetime, datetime]]:
        """Windows within [start, end) when the counter works; `away_until`: on a break (console) till then."""
        out: list[tuple[datetime, datetime]] = []
        day = start.astimezone(zone).date() - timedelta(days=1)
        while _at(day, time.min, zone) < end:
            for a, b in self.day_windows(day, zone):
                a, b = max(a, start, away_until or start), min(b, end)
                if a < b:
                    out.append((a, b))
            day += timedelta(days=1)
        return out

    def works_at(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone)
        return any(a <= moment < b for a, b in self.day_windows(local.date(), zone))


def _cut(piece: Span, gap: Span) -> list[Span]:
    start, end = piece
    gap_start, gap_end = gap
    if gap_end <= start or gap_start >= end:
        return [piece]
    parts = []
    if gap_start > start:
        parts.append((start, gap_start))
    if gap_end < end:
        parts.append((gap_end, end))
    return parts


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    if moment == time.max:
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return datetime.combine(day, moment, tzinfo=zone)


def cover_skills(skills: Mapping[str, Mapping[str, float]], open_ids: Iterable[str]) -> dict[str, dict[str, float]]:
    """Break cover: each open counter's skills, where a service no open counter has at full weight is
    raised to full weight at the open counters that have the best remaining weight for it.

    `skills`: counter id -> {service: weight}. Closed counters keep their skills as configured."""
    opened = [counter for counter in open_ids if counter in skills]
    best: dict[str, float] = {}
    for counter in opened:
        for service, weight in skills[counter].items():
            if weight > best.get(service, 0.0):
                best[service] = weight
    out = {counter: dict(weights) for counter, weights in skills.items()}
    for counter in opened:
        for service, weight in skills[counter].items():
            if 0 < weight < FULL_SKILL and weight == best[service]:
                out[counter][service] = FULL_SKILL
    return out


def uncovered(
    waiting: Mapping[str, int], skills: Mapping[str, Mapping[str, float]], open_ids: Iterable[str]
) -> list[str]:
    """Services with tickets waiting (`waiting`: service -> count) that no open counter can serve."""
    opened = [counter for counter in open_ids if counter in skills]
    served = {service for counter in opened for service, weight in skills[counter].items() if weight > 0}
    return sorted(service for service, count in waiting.items() if count > 0 and service not in served)
