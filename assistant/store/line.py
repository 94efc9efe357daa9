"""Counting a ticket's place in line in the database, never by loading the line (`TicketRepository`).

The line's order (`assistant.domain.tickets.place_in_line`: class with the age boost, then arrival, then
id) is not a column, so a place is a sum of the counts of whole classes (`line_counts`, migration 0009)
and index ranges of `ix_tickets_line` (migration 0008). The statements are built once per policy and
level (cached here) and take bound values.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, func, literal, or_, select

from assistant.domain.tickets import OrderingPolicy, TicketStatus
from assistant.store.models import LineCountRow, TicketRow

TICKETS: Table = TicketRow.__table__  # type: ignore[assignment]  # a declarative class's is its Table
LINE_COUNTS: Table = LineCountRow.__table__  # type: ignore[assignment]
_AHEAD: dict[tuple[OrderingPolicy, int, bool], Select[int]] = {}
_PLACES: dict[tuple[OrderingPolicy, tuple[int, ...]], Select[Any]] = {}


def ahead_query(policy: OrderingPolicy, mine: int, from_back: bool = False) -> Select[int]:
    """The count of tickets ahead of one (`_ahead`), cached."""
    query = _AHEAD.get((policy, mine, from_back))
    if query is None:
        query = _AHEAD[(policy, mine, from_back)] = _ahead(policy, mine, from_back=from_back)
    return query


def places_query(policy: OrderingPolicy, levels: tuple[int, ...]) -> Select[Any]:
    """The places of a batch of new tickets (`_places`), cached."""
    query = _PLACES.get((policy, levels))
    if query is None:
        query = _PLACES[(policy, levels)] = _places(policy, levels)
    return query


def _ahead(policy: OrderingPolicy, mine: int, tag: str = "", from_back: bool = False) -> Select[int]:
    """How many waiting tickets of `:service` on `:day` the policy puts before the one issued at `:issued`
    with id `:id`, whose class level is `mine` (`OrderingPolicy.class_level`: the class's index, one up
    for a ticket issued at or before `:cutoff` — waited `age_boost_minutes` — never into the first).

    The order is not a column, so it is a sum over classes. A class whose tickets all come first (its
    level, boosted or not, below `mine`) adds its count from `line_counts` (migration 0009, kept by
    triggers): no walk at all. A class at `mine`'s level adds the tickets that came first, and a class
    that reaches `mine`'s level only by the boost adds its boosted tickets that came first: ranges of
    `ix_tickets_line`, each an equality prefix (status, service, day, class) and a range of arrival
    time, which the database steps through without evaluating an expression per ticket.

    `from_back`, for a ticket not boosted (issued after `:cutoff`: a new one): the tickets of its level
    that came first are counted as the class's count less those from it on (key ≥ its own, itself
    included), and the boosted ones of a class the boost lifts to its level as that class's count less
    its young ones (issued in the last `age_boost_minutes`), so the walks cover the tickets behind it —
    none or a few for a new ticket — and the last minutes' arrivals, never the whole line ahead. Built
    once per policy, level and direction; the values are bound parameters (a cached statement). `tag`
    ends their names (but `:cutoff`'s), for several counts in one statement."""
    issued = bindparam(f"issued{tag}", type_=TicketRow.issued_at.type)
    cutoff = bindparam("cutoff", type_=TicketRow.issued_at.type)
    ident: Any = bindparam(f"id{tag}")
    service: Any = bindparam(f"service{tag}")
    day: Any = bindparam(f"day{tag}")
    line = (
        TicketRow.status == TicketStatus.WAITING.value,
        TicketRow.service_id == service,
        TicketRow.business_date == day,
    )
    earlier = ((TicketRow.issued_at < issued,), (TicketRow.issued_at == issued, TicketRow.id < ident))
    later = ((TicketRow.issued_at > issued,), (TicketRow.issued_at == issued, TicketRow.id >= ident))
    old, young = TicketRow.issued_at <= cutoff, TicketRow.issued_at > cutoff
    whole: list[ColumnElement[bool]] = []  # classes counted in full, from line_counts
    plus: list[tuple[ColumnElement[bool], ...]] = []  # ranges of the line added
    minus: list[tuple[ColumnElement[bool], ...]] = []  # and taken off
    for of_class, counted, level in _classes(policy):
        boosted = bool(policy.boost) and level > 1
        if level < mine:
            whole.append(counted)
        elif level == mine and from_back:
            whole.append(counted)
            minus += [(of_class, *after) for after in later]
        elif level == mine:
            ranges = [(young, *first) for first in earlier] if boosted else list(earlier)
            plus += [(of_class, old)] if boosted else []
            plus += [(of_class, *term) for term in ranges]
        elif boosted and level - 1 == mine and from_back:  # all its boosted ones: its count less the young
            whole.append(counted)
            minus.append((of_class, young))
        elif boosted and level - 1 == mine:
            plus += [(of_class, old, *first) for first in earlier]
    total: ColumnElement[int] = literal(0)
    if whole:
        counts = LINE_COUNTS.c
        total = total + (
            select(func.coalesce(func.sum(counts.waiting), 0))
            .where(counts.service_id == service, counts.business_date == day, or_(*whole))
            .correlate(None)
            .scalar_subquery()
        )
    for terms, sign in ((plus, 1), (minus, -1)):
        for term in terms:
            mine_too = () if sign < 0 else (TicketRow.id != ident,)  # a range taken off counts the ticket in
            count = select(func.count()).where(*line, *mine_too, *term).correlate(None).scalar_subquery()
            total = total + count if sign > 0 else total - count
    return select(total)


def _classes(policy: OrderingPolicy) -> list[tuple[ColumnElement[bool], ColumnElement[bool], int]]:
    """The policy's classes as (condition on a ticket, the same on `line_counts`, level). Classes the
    policy does not name come last, as one level (`class_level`'s "unknown"): the gaps between the named
    ones, as ranges of the class column (such tickets are rare; a range finds them). One class: arrival
    order."""
    counted = LINE_COUNTS.c.priority
    known = list(policy.classes)
    if not known:
        return [(literal(True), literal(True), 0)]
    classes = [(TicketRow.priority == name, counted == name, level) for level, name in enumerate(known)]
    bounds = sorted(known)
    gaps = zip(_gaps(TicketRow.priority, bounds), _gaps(counted, bounds), strict=True)
    classes += [(gap, counted_gap, len(known)) for gap, counted_gap in gaps]
    return classes


def _gaps(column: Any, bounds: list[str]) -> list[ColumnElement[bool]]:
    """The values of `column` outside `bounds` (sorted), as ranges."""
    gaps = [column < bounds[0], column > bounds[-1]]
    return gaps + [and_(column > low, column < high) for low, high in pairwise(bounds)]


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
    aheads = [
        _ahead(policy, level, str(number), from_back=True).scalar_subquery() for number, level in enumerate(levels)
    ]
    return (
        select(tickets.id, tickets.service_id, tickets.business_date, tickets.priority, *aheads)
        .where(or_(*spans))
        .order_by(tickets.issued_at, tickets.id)
    )
