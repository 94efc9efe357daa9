"""Counting a ticket's place in line in the database, never by loading the line (`TicketRepository`).

The line's order (`assistant.domain.tickets.place_in_line`: class with the age boost, then arrival, then
id) is not a column, so a place is a sum of index ranges of `ix_tickets_line` (migration 0008). The
statements are built once per policy and level (cached here) and take bound values.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, func, literal, or_, select

from assistant.domain.tickets import OrderingPolicy, TicketStatus
from assistant.store.models import TicketRow

TICKETS: Table = TicketRow.__table__  # type: ignore[assignment]  # a declarative class's is its Table
_AHEAD: dict[tuple[OrderingPolicy, int], Select[int]] = {}
_PLACES: dict[tuple[OrderingPolicy, tuple[int, ...]], Select[Any]] = {}


def ahead_query(policy: OrderingPolicy, mine: int) -> Select[int]:
    """The count of tickets ahead of one (`_ahead`), cached."""
    query = _AHEAD.get((policy, mine))
    if query is None:
        query = _AHEAD[(policy, mine)] = _ahead(policy, mine)
    return query


def places_query(policy: OrderingPolicy, levels: tuple[int, ...]) -> Select[Any]:
    """The places of a batch of new tickets (`_places`), cached."""
    query = _PLACES.get((policy, levels))
    if query is None:
        query = _PLACES[(policy, levels)] = _places(policy, levels)
    return query


def _ahead(policy: OrderingPolicy, mine: int, tag: str = "") -> Select[int]:
    """How many waiting tickets of `:service` on `:day` the policy puts before the one issued at `:issued`
    with id `:id`, whose class level is `mine` (`OrderingPolicy.class_level`: the class's index, one up
    for a ticket issued at or before `:cutoff` — waited `age_boost_minutes` — never into the first).

    The order is not a column, so it is counted as a sum of index ranges: for each class, the tickets
    of that class whose level is lower than `mine` (all of them, or those issued before or after the
    cutoff), plus those at `mine`'s level that came first. Every term is an equality prefix of
    `ix_tickets_line` (status, service, day, class) and a range of its arrival time, so the database
    steps through the index without evaluating an expression per ticket. Built once per policy and
    level; the values are bound parameters (a cached statement). `tag` ends their names (but `:cutoff`'s),
    for several counts in one statement."""
    issued = bindparam(f"issued{tag}", type_=TicketRow.issued_at.type)
    cutoff = bindparam("cutoff", type_=TicketRow.issued_at.type)
    common = (
        TicketRow.status == TicketStatus.WAITING.value,
        TicketRow.service_id == bindparam(f"service{tag}"),
        TicketRow.business_date == bindparam(f"day{tag}"),
        TicketRow.id != bindparam(f"id{tag}"),
    )
    earlier = ((TicketRow.issued_at < issued,), (TicketRow.issued_at == issued, TicketRow.id < bindparam(f"id{tag}")))
    known = list(policy.classes)
    buckets: list[tuple[ColumnElement[bool], int]] = [
        (TicketRow.priority == name, level) for level, name in enumerate(known)
    ]
    # Classes the policy does not name come last, as one level (`class_level`'s "unknown"): the gaps
    # between the named ones, as ranges of the class column (such tickets are rare; a range finds them).
    bounds = sorted(known)
    gaps = [TicketRow.priority < bounds[0], TicketRow.priority > bounds[-1]] if bounds else []
    gaps += [and_(TicketRow.priority > low, TicketRow.priority < high) for low, high in pairwise(bounds)]
    buckets += [(gap, len(known)) for gap in gaps]
    if not known:  # one class: arrival order
        buckets = [(literal(True), 0)]
    terms: list[tuple[ColumnElement[bool], ...]] = []
    for of_class, level in buckets:
        segments: tuple[tuple[tuple[ColumnElement[bool], ...], int], ...] = (((), level),)
        if policy.age_boost_minutes > 0 and level > 1:
            segments = ((TicketRow.issued_at > cutoff,), level), ((TicketRow.issued_at <= cutoff,), level - 1)
        for when, effective in segments:
            if effective < mine:
                terms.append((of_class, *when))
            elif effective == mine:
                terms += [(of_class, *when, *first) for first in earlier]
    counts = [select(func.count()).where(*common, *term).correlate(None).scalar_subquery() for term in terms]
    total: ColumnElement[int] = literal(0)
    for count in counts:
        total = total + count
    return select(total)


def _places(policy: OrderingPolicy, levels: tuple[int, ...]) -> Select[Any]:
    """For `places_of_new`, group `n` being the tickets of class `policy.classes[levels[n]]` in the line
    of `:service<n>` on `:day<n>`, the earliest issued at `:issued<n>` with id `:id<n>`, the latest at
    `:last<n>`: the waiting tickets of each group's class and line issued in its span (a range of
    `ix_tickets_line` each), in (issued_at, id) order, each row with the count of tickets ahead of
    every group's earliest (`_ahead` tagged <n>: uncorrelated subqueries, evaluated once)."""
    tickets = TICKETS.c
    spans = [
        and_(
            tickets.status == TicketStatus.WAITING.value,
            tickets.service_id == bindparam(f"service{number}"),
            tickets.business_date == bindparam(f"day{number}"),
            tickets.priority == policy.classes[level],
            tickets.issued_at >= bindparam(f"issued{number}", type_=TicketRow.issued_at.type),
            tickets.issued_at <= bindparam(f"last{number}", type_=TicketRow.issued_at.type),
        )
        for number, level in enumerate(levels)
    ]  # each term whole, so that SQLite reads each as its own index range (a multi-index OR)
    aheads = [_ahead(policy, level, str(number)).scalar_subquery() for number, level in enumerate(levels)]
    return (
        select(tickets.id, tickets.service_id, tickets.business_date, tickets.priority, *aheads)
        .where(or_(*spans))
        .order_by(tickets.issued_at, tickets.id)
    )
