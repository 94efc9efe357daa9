"""What `lobby bench soak` reports: latency per phase, errors by kind, whether the hub answered, memory, and the
ticket audit (every acknowledged ticket in the database, no number or key twice).

Phases: `during` a fault is from the kill (or the lock taken) until the part answers again (or the lock is let
go); `after` is the RECOVERY_S that follow (cut short by the next fault); `steady` is every other moment of the
load; `drain` is after the load stopped, while kiosks still finish the tickets they were asking for. A request
still waiting when a fault began, or sent during it, is `during` that fault (the fault is what it met); else it
belongs to the phase it was sent in. Latencies are of attempts the hub answered successfully; the ticket's
`ticket_ack` latency runs from its first attempt to the answer, retries included.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lobby_tools.bench_soak_faults import PARTS, FaultKind, FaultWindow, RssSample
from lobby_tools.bench_soak_load import Op, Recorder, Sample
from lobby_tools.measure import percentile

RECOVERY_S = 30.0
RSS_BAR_PCT = 10.0
LATENCY_OPS = (Op.TICKET, Op.KIOSK_CHAT, Op.APP_CHAT, Op.CONSOLE)
CLIENT_OPS = (Op.TICKET, Op.KIOSK_CHAT, Op.APP_CHAT, Op.CONSOLE, Op.APP_CONNECT, Op.DISPLAY_CONNECT)


@dataclass(frozen=True, slots=True)
class Span:
    phase: str  # "during" | "after"
    window: FaultWindow
    start: float
    end: float

    def holds(self, moment: float) -> bool:
        return self.start <= moment < self.end

    def overlaps(self, start: float, end: float) -> bool:
        return start < self.end and end >= self.start


def spans(windows: list[FaultWindow], stop_at: float) -> list[Span]:
    """The `during` and `after` span of every fault that happened, in time order."""
    found: list[Span] = []
    happened = [window for window in windows if window.started]
    for position, window in enumerate(happened):
        end = window.ended if window.ended is not None else stop_at
        found.append(Span("during", window, window.started, end))
        following = happened[position + 1].started if position + 1 < len(happened) else float("inf")
        found.append(Span("after", window, end, min(end + RECOVERY_S, following, stop_at)))
    return found


def phase_of(moment: float, seconds: float, all_spans: list[Span], stop_at: float) -> tuple[str, FaultWindow | None]:
    """The phase of a request sent at `moment` that took `seconds`."""
    if moment >= stop_at:
        return "drain", None
    for span in all_spans:  # `during` first: a fault that starts inside another's recovery is the fault
        if span.phase == "during" and span.overlaps(moment, moment + seconds):
            return "during", span.window
    for span in all_spans:
        if span.phase == "after" and span.holds(moment):
            return "after", span.window
    return "steady", None


def stats(seconds: Iterable[float], attempts: int, errors: Counter[str]) -> dict[str, Any]:
    values = list(seconds)
    result: dict[str, Any] = {"attempts": attempts, "ok": len(values)}
    if values:
        result["p50_ms"] = round(statistics.median(values) * 1000, 1)
        result["p99_ms"] = round(percentile(values, 0.99) * 1000, 1)
    if errors:
        result["errors"] = dict(errors.most_common())
    return result


class _Bucket:
    def __init__(self) -> None:
        self.ok: dict[str, list[float]] = defaultdict(list)
        self.attempts: Counter[str] = Counter()
        self.errors: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, op: str, seconds: float, kind: str) -> None:
        self.attempts[op] += 1
        if kind in ("ok", "degraded"):
            self.ok[op].append(seconds)
        else:
            self.errors[op][kind] += 1

    def to_json(self) -> dict[str, Any]:
        order = [*(str(op) for op in LATENCY_OPS), "ticket_ack"]
        return {op: stats(self.ok[op], self.attempts[op], self.errors[op]) for op in order if self.attempts[op]}


def latency_by_phase(recorder: Recorder, windows: list[FaultWindow], origin: float) -> dict[str, Any]:
    all_spans = spans(windows, recorder.stop_at)
    overall: dict[str, _Bucket] = defaultdict(_Bucket)  # steady, during:<kind>, after:<kind>, drain
    per_fault: dict[tuple[str, int], _Bucket] = defaultdict(_Bucket)

    def place(moment: float, op: str, seconds: float, kind: str) -> None:
        phase, window = phase_of(moment, seconds, all_spans, recorder.stop_at)
        label = phase if window is None else f"{phase}:{window.fault.kind}"
        overall[label].add(op, seconds, kind)
        if window is not None:
            per_fault[(phase, window.index)].add(op, seconds, kind)

    for sample in recorder.samples:
        if sample.op in LATENCY_OPS:
            place(sample.started, str(sample.op), sample.seconds, sample.kind)
    for ack in recorder.acks:
        place(ack.first_sent, "ticket_ack", ack.acked - ack.first_sent, "ok")
    for _ in recorder.abandoned:
        overall["drain"].add("ticket_ack", 0.0, "abandoned")
    order = ["steady", *(f"{p}:{k}" for k in FaultKind for p in ("during", "after")), "drain"]
    faults = []
    for window in windows:
        entry = window.to_json(origin)
        for phase in ("during", "after"):
            if (phase, window.index) in per_fault:
                entry[phase] = per_fault[(phase, window.index)].to_json()
        faults.append(entry)
    return {"phases": {label: overall[label].to_json() for label in order if label in overall}, "faults": faults}


def errors_by_kind(samples: list[Sample]) -> dict[str, Any]:
    errors: dict[str, Counter[str]] = defaultdict(Counter)
    degraded: Counter[str] = Counter()
    for sample in samples:
        if sample.op is Op.PROBE:
            continue
        if sample.kind == "degraded":
            degraded[str(sample.op)] += 1
        elif sample.kind != "ok":
            errors[str(sample.op)][sample.kind] += 1
    return {
        "errors": {op: dict(kinds.most_common()) for op, kinds in sorted(errors.items())},
        "degraded_chat_replies": dict(degraded),  # the hub's touch menu while the dialogue engine was away
    }


def hub_answering(samples: list[Sample], windows: list[FaultWindow], stop_at: float) -> dict[str, Any]:
    """Share of requests the hub answered (any HTTP status, or a frame), outside its own restarts: a request
    whose time overlaps a hub kill's outage is left out; everything else — a database block, a Rasa or an
    action-server restart — counts."""
    restarts = [
        (w.started, w.ended if w.ended is not None else stop_at)
        for w in windows
        if w.fault.kind is FaultKind.HUB and w.started
    ]

    def outside(sample: Sample) -> bool:
        return all(sample.started + sample.seconds < start or sample.started >= end for start, end in restarts)

    result: dict[str, Any] = {"hub_restart_s": round(sum(end - start for start, end in restarts), 1)}
    for label, ops in (("probe", (Op.PROBE,)), ("clients", CLIENT_OPS)):
        counted = [sample for sample in samples if sample.op in ops and sample.started < stop_at and outside(sample)]
        answered = sum(sample.answered for sample in counted)
        result[label] = {
            "requests": len(counted),
            "answered": answered,
            "share": round(answered / len(counted), 5) if counted else None,
        }
    return result


def rss_report(samples: list[RssSample], start_at: float, origin: float) -> dict[str, Any]:
    """Per part: RSS when warm (the last sample before `start_at`, the first fault) and at the end; and per
    process (a killed part's successor is another), growth from its first sample a minute after it started."""
    report: dict[str, Any] = {}
    for kind in PARTS:
        mine = [sample for sample in samples if sample.kind is kind]
        if not mine:
            continue
        before = [sample for sample in mine if sample.at <= start_at]
        start, end = (before[-1] if before else mine[0]), mine[-1]
        processes = []
        for pid in dict.fromkeys(sample.pid for sample in mine):
            life = [sample for sample in mine if sample.pid == pid]
            warm = [sample for sample in life if sample.at >= life[0].at + 60] or life[-1:]
            processes.append(
                {
                    "pid": pid,
                    "from_s": round(life[0].at - origin, 1),
                    "to_s": round(life[-1].at - origin, 1),
                    "warm_mb": _mb(warm[0].rss),
                    "last_mb": _mb(life[-1].rss),
                    "growth_pct": _growth(warm[0].rss, life[-1].rss),
                }
            )
        longest = max(processes, key=lambda process: process["to_s"] - process["from_s"])
        report[str(kind)] = {
            "start_mb": _mb(start.rss),
            "end_mb": _mb(end.rss),
            "growth_pct": _growth(start.rss, end.rss),
            "same_process": start.pid == end.pid,
            "longest_lived_growth_pct": longest["growth_pct"],
            "processes": processes,
        }
    growths = [value for part in report.values() for value in (part["growth_pct"], part["longest_lived_growth_pct"])]
    return {"parts": report, "bar_pct": RSS_BAR_PCT, "met": bool(growths) and max(growths) < RSS_BAR_PCT}


def _mb(rss: int) -> float:
    return round(rss / 2**20, 1)


def _growth(before: int, after: int) -> float:
    return round(100 * (after - before) / before, 1) if before else 0.0


# -- the ticket audit ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredTicket:
    id: str
    number: str
    business_date: str
    idempotency_key: str | None
    channel: str


def audit(recorder: Recorder, stored: list[StoredTicket]) -> dict[str, Any]:
    """Every ticket a kiosk was given must be in the database, under its key and number, and no number
    (per day) or key may appear twice."""
    by_id = {ticket.id: ticket for ticket in stored}
    ours = [ticket for ticket in stored if (ticket.idempotency_key or "").startswith(f"{recorder.run_id}-")]
    acked_keys = {ack.key for ack in recorder.acks}
    lost = [ack.ticket_id for ack in recorder.acks if ack.ticket_id not in by_id]
    wrong = [
        ack.key
        for ack in recorder.acks
        if ack.ticket_id in by_id
        and (by_id[ack.ticket_id].idempotency_key != ack.key or by_id[ack.ticket_id].number != ack.number)
    ]
    numbers = Counter((ticket.business_date, ticket.number) for ticket in stored)
    keys = Counter(ticket.idempotency_key for ticket in stored if ticket.idempotency_key)
    keys_per_ticket: dict[str, set[str]] = defaultdict(set)
    for ack in recorder.acks:
        keys_per_ticket[ack.ticket_id].add(ack.key)
    duplicates = {
        "number_twice_in_a_day": sorted(f"{day} {number}" for (day, number), n in numbers.items() if n > 1),
        "key_with_several_tickets": sorted(str(key) for key, n in keys.items() if n > 1),
        "ticket_under_several_keys": sorted(ticket for ticket, found in keys_per_ticket.items() if len(found) > 1),
    }
    statuses = Counter(ack.status for ack in recorder.acks)
    attempts = [ack.attempts for ack in recorder.acks]
    return {
        "acknowledged": len(recorder.acks),
        "acknowledged_201": statuses.get(201, 0),
        "acknowledged_200_replayed": statuses.get(200, 0),  # the first answer was lost; the retry got the same ticket
        "present": len(ours),
        "acknowledged_present": len(recorder.acks) - len(lost),
        "lost": lost,
        "mismatched_key_or_number": wrong,
        "present_unacknowledged": sorted(t.idempotency_key or "" for t in ours if t.idempotency_key not in acked_keys),
        "abandoned_by_clients": list(recorder.abandoned),
        "rejected": [f"{key}: {error}" for key, error in recorder.rejected],
        "other_tickets_in_database": len(stored) - len(ours),
        "tickets_from_chat_replies": len(recorder.chat_tickets),
        "retried_tickets": sum(n > 1 for n in attempts),
        "max_attempts": max(attempts, default=0),
        "duplicates": duplicates,
        "duplicate_count": sum(len(found) for found in duplicates.values()),
    }


def display_report(recorder: Recorder, displays: int) -> dict[str, Any]:
    """How late the lobby screens showed new tickets, and what share of them each screen saw (a screen
    reconnecting after a hub restart gets a snapshot instead of the events it missed)."""
    sent = {ack.number: ack.sent for ack in recorder.acks}
    delays = [moment - sent[number] for _, number, moment in recorder.issued_seen if number in sent]
    seen: dict[int, set[str]] = defaultdict(set)
    for display, number, _ in recorder.issued_seen:
        seen[display].add(number)
    shares = [len(seen[display] & sent.keys()) / len(sent) for display in range(displays)] if sent else []
    result: dict[str, Any] = {"ticket_issued_events": len(recorder.issued_seen)}
    if delays:
        result["issued_to_screen_p50_ms"] = round(statistics.median(delays) * 1000, 1)
        result["issued_to_screen_p99_ms"] = round(percentile(delays, 0.99) * 1000, 1)
    if shares:
        result["share_seen_min"] = round(min(shares), 4)
        result["share_seen_mean"] = round(statistics.mean(shares), 4)
    return result
