"""Repositories: take a session, return domain values. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.routing import DeviceState
from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus
from assistant.store.line import TICKETS as _TICKETS
from assistant.store.line import ahead_query, places_query
from assistant.store.models import CounterRow, DeviceRow, SequenceRow, TicketRow

_TICKET_FIELDS = (
    "id", "number", "service_id", "business_date", "channel", "lang", "issued_at", "intent",
    "appointment_code", "idempotency_key", "counter_id", "called_at", "started_at", "finished_at", "outcome",
    "recalls", "transfers", "target_counter_id", "remote", "arrived_at",
)  # fmt: skip


def _insert(session: AsyncSession, table: type | Table) -> sqlite.Insert | postgresql.Insert:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _values(ticket: Ticket) -> dict[str, Any]:
    return {
        **{name: getattr(ticket, name) for name in _TICKET_FIELDS},
        "priority": str(ticket.priority),
        "status": str(ticket.status),
    }


def _to_domain(row: TicketRow | Row[Any]) -> Ticket:  # an ORM row or a Core row of the tickets table
    values = {name: getattr(row, name) for name in _TICKET_FIELDS}
    return Ticket(priority=Priority(row.priority), status=TicketStatus(row.status), **values)


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_sequence(self, prefix: str, day: date, count: int = 1) -> int:
        """Atomically take the next `count` numbers for `prefix` on `day` (row lock / write lock): one upsert.
        Returns the last of them."""
        return (await self.next_sequences({(prefix, day): count}))[(prefix, day)]

    async def next_sequences(self, counts: Mapping[tuple[str, date], int]) -> dict[tuple[str, date], int]:
        """`next_sequence` for several (prefix, day) at once: one upsert of all their rows, in key order (two
        transactions lock the rows they share in the same order). The last number taken of each."""
        if not counts:
            return {}
        dialect = self.session.get_bind().dialect.name
        bump = _BUMP.get(dialect)
        if bump is None:
            sequences = _SEQUENCES.c
            upsert = _insert(self.session, _SEQUENCES)
            bump = _BUMP[dialect] = upsert.on_conflict_do_update(
                index_elements=[sequences.prefix, sequences.business_date],
                set_={"last_value": sequences.last_value + upsert.excluded.last_value},
            ).returning(sequences.prefix, sequences.business_date, sequences.last_value)
        rows = [
            {"prefix": prefix, "business_date": day, "last_value": count}
            for (prefix, day), count in sorted(counts.items())
        ]
        result = await self.session.execute(bump, rows)
        return {(row.prefix, row.business_date): int(row.last_value) for row in result}

    async def add(self, ticket: Ticket) -> None:
        await self.add_many([ticket])

    async def add_many(self, tickets: Sequence[Ticket]) -> None:
        """New tickets' rows in one INSERT (nothing to track afterwards): a Core statement on the table, not
        the ORM's bulk path, which maps every row through the ORM first (~25% more CPU for 8 rows)."""
        if tickets:
            await self.session.execute(_ADD, [_values(ticket) for ticket in tickets])

    async def _update(self, ticket: Ticket, *conditions: ColumnElement[bool]) -> bool:
        values = {name: getattr(ticket, name) for name in _TICKET_FIELDS if name != "id"}
        result = await self.session.execute(
            update(TicketRow)
            .where(TicketRow.id == ticket.id, *conditions)
            .values(priority=str(ticket.priority), status=str(ticket.status), **values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE: CursorResult

    async def save(self, ticket: Ticket) -> None:
        await self._update(ticket)

    async def save_if(self, ticket: Ticket, was: TicketStatus, was_arrived: bool) -> bool:
        """Save `ticket` only if its row still has status `was` and (not) an arrival: False when another
        transaction (another hub worker) changed it first."""
        arrived = TicketRow.arrived_at.is_not(None) if was_arrived else TicketRow.arrived_at.is_(None)
        return await self._update(ticket, TicketRow.status == was.value, arrived)

    async def by_number(self, number: str, day: date) -> Ticket | None:
        query = select(TicketRow).where(TicketRow.number == number, TicketRow.business_date == day)
        row = (await self.session.execute(query)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def overdue_remote(self, issued_before: datetime) -> list[Ticket]:
        """Waiting remote tickets whose customer has not arrived, issued before `issued_before`."""
        query = select(TicketRow).where(
            TicketRow.status == TicketStatus.WAITING.value,
            TicketRow.remote.is_(True),
            TicketRow.arrived_at.is_(None),
            TicketRow.issued_at < issued_before,
        )
        return [_to_domain(row) for row in (await self.session.execute(query.order_by(TicketRow.issued_at))).scalars()]

    async def get(self, ticket_id: str) -> Ticket | None:
        row = await self.session.get(TicketRow, ticket_id)
        return _to_domain(row) if row else None

    async def by_idempotency_keys(self, keys: Sequence[str]) -> dict[str, Ticket]:
        """The tickets these idempotency keys took, by key (one query for a batch: a cached Core statement
        whose IN list is one expanding parameter, not a new statement and ORM rows per batch)."""
        if not keys:
            return {}
        rows = await self.session.execute(_BY_KEYS, {"keys": list(keys)})
        return {row.idempotency_key: _to_domain(row) for row in rows if row.idempotency_key}

    async def by_idempotency_key(self, key: str) -> Ticket | None:
        row = (await self.session.execute(_BY_KEY, {"key": key})).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def open_with_key_prefix(self, prefix: str) -> list[Ticket]:
        """Waiting or called tickets whose idempotency key starts with `prefix` (a chat session's tickets)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = select(TicketRow).where(
            TicketRow.idempotency_key.like(f"{escaped}%", escape="\\"),
            TicketRow.status.in_((TicketStatus.WAITING.value, TicketStatus.CALLED.value)),
        )
        return [_to_domain(row) for row in (await self.session.execute(query.order_by(TicketRow.issued_at))).scalars()]

    async def waiting(
        self, service_ids: Iterable[str] | None = None, counter_id: str | None = None, day: date | None = None
    ) -> list[Ticket]:
        """Waiting tickets of `service_ids` (all when None), plus those transferred to `counter_id`; `day`:
        only that branch-local day's (a ticket left over from yesterday is not in today's line)."""
        query = select(TicketRow).where(TicketRow.status == TicketStatus.WAITING.value)
        if day is not None:
            query = query.where(TicketRow.business_date == day)
        if service_ids is not None:
            wanted: ColumnElement[bool] = TicketRow.service_id.in_(list(service_ids))
            if counter_id is not None:
                wanted = wanted | (TicketRow.target_counter_id == counter_id)
            query = query.where(wanted)
        rows = (await self.session.execute(query.order_by(TicketRow.issued_at))).scalars()
        return [_to_domain(row) for row in rows]

    async def place_in_line(self, policy: OrderingPolicy, ticket: Ticket, now: datetime) -> int:
        """1-based place of a waiting `ticket` among the waiting tickets of its service and day, in the order
        of `assistant.domain.tickets.place_in_line` (class with the age boost, then arrival, then id),
        counted by the database from the classes' counts and index ranges (`line.ahead_query`), never by
        loading the line."""
        mine = policy.class_level(ticket.priority, ticket.issued_at, now)
        # not boosted (most asked: new tickets, tracking pages of recent ones): count the few behind it
        query = ahead_query(policy, mine, from_back=not policy.waited_past_boost(ticket.issued_at, now))
        values = {
            "cutoff": now - policy.boost,
            "issued": ticket.issued_at,
            "id": ticket.id,
            "service": ticket.service_id,
            "day": ticket.business_date,
        }
        return int((await self.session.execute(query, values)).scalar_one()) + 1

    async def places_of_new(self, policy: OrderingPolicy, tickets: Sequence[Ticket], now: datetime) -> dict[str, int]:
        """`place_in_line` of each of `tickets` (waiting, written in this transaction: a batch of new tickets),
        by id, in one statement that counts through the line once per (service, day, class) of them, not
        once per ticket.

        Line order is the key (level, issued_at, id). Take the tickets of one group (same line, same class,
        none of them old enough for the age boost: new ones) and `a` the earliest of them: place(x) =
        place(a) + the waiting tickets whose key lies in [key(a), key(x)) (less those in [key(x), key(a))
        when a tie puts x first). Those were issued between a and x, so not boosted either: they are of the
        group's class, and the slice of that class's line issued in the group's span (a few rows, read in
        the database's own (issued_at, id) order) gives every difference (`line.places_query`). A ticket that
        is boosted or of a class the policy does not name, or not in that slice (not waiting, not written),
        is counted on its own (`place_in_line`)."""
        places: dict[str, int] = {}
        groups: dict[tuple[str, date, str], list[Ticket]] = {}
        for ticket in {ticket.id: ticket for ticket in tickets}.values():
            kind = str(ticket.priority)
            if kind not in policy.classes or policy.waited_past_boost(ticket.issued_at, now):
                places[ticket.id] = await self.place_in_line(policy, ticket, now)
            else:
                groups.setdefault((ticket.service_id, ticket.business_date, kind), []).append(ticket)
        if not groups:
            return places
        keys = sorted(groups, key=lambda group: policy.classes.index(group[2]))  # a statement per multiset of levels
        levels = tuple(policy.classes.index(kind) for *_, kind in keys)
        values: dict[str, Any] = {"cutoff": now - policy.boost}
        for number, group in enumerate(keys):
            anchor = min(groups[group], key=lambda ticket: ticket.issued_at)
            values |= {f"service{number}": anchor.service_id, f"day{number}": anchor.business_date}
            values |= {f"issued{number}": anchor.issued_at, f"id{number}": anchor.id}
            values[f"last{number}"] = max(ticket.issued_at for ticket in groups[group])
        query = places_query(policy, levels)
        ahead: Sequence[int] = ()
        line: dict[tuple[str, date, str], dict[str, int]] = {}  # each group's slice: id -> its order in it
        for row in await self.session.execute(query, values):
            ahead = row[4:]
            order = line.setdefault((row.service_id, row.business_date, row.priority), {})
            order[row.id] = len(order)
        for number, group in enumerate(keys):
            order, anchor_id = line.get(group, {}), values[f"id{number}"]
            for ticket in groups[group]:
                if anchor_id in order and ticket.id in order:
                    places[ticket.id] = ahead[number] + 1 + order[ticket.id] - order[anchor_id]
                else:
                    places[ticket.id] = await self.place_in_line(policy, ticket, now)
        return places

    async def recent_call_classes(self, day: date, limit: int = 8) -> list[str]:
        """Priority classes of the latest calls of `day`, oldest first (for the share policy)."""
        query = (
            select(TicketRow.priority)
            .where(TicketRow.business_date == day, TicketRow.called_at.is_not(None))
            .order_by(TicketRow.called_at.desc())
            .limit(limit)
        )
        return list(reversed((await self.session.execute(query)).scalars().all()))

    async def recent_durations(self, service_id: str, limit: int = 20) -> list[float]:
        """Service minutes (start to finish) of the last served tickets of a service, oldest first."""
        query = (
            select(TicketRow.started_at, TicketRow.finished_at)
            .where(
                TicketRow.service_id == service_id,
                TicketRow.status == TicketStatus.SERVED.value,
                TicketRow.started_at.is_not(None),
            )
            .order_by(TicketRow.finished_at.desc())
            .limit(limit)
        )
        rows = (await self.session.execute(query)).all()
        done = [(start, end) for start, end in reversed(rows) if start is not None and end is not None]
        return [(end - start).total_seconds() / 60 for start, end in done]

    async def waiting_counts(self, day: date | None = None) -> dict[str, tuple[int, datetime | None]]:
        """service -> (waiting count, earliest arrival in the branch). Remote customers still on the way
        count as waiting but not for the longest wait (a walk-in arrives when issued). `day`: only the
        tickets of that branch-local day (a ticket left over from yesterday is not in today's line)."""
        query = select(TicketRow.service_id, func.count(), func.min(TicketRow.arrived_at)).where(
            TicketRow.status == TicketStatus.WAITING.value
        )
        if day is not None:
            query = query.where(TicketRow.business_date == day)
        query = query.group_by(TicketRow.service_id)
        result = await self.session.execute(query)
        return {service: (count, oldest) for service, count, oldest in result.all()}


_BUMP: dict[str, Any] = {}  # per dialect: the sequence upsert
# Core statements on the tables: no ORM pass per row. (`__table__` is typed as any FromClause.)
_SEQUENCES: Table = SequenceRow.__table__  # type: ignore[assignment]  # a declarative class's is its Table
_ADD = insert(_TICKETS)
_BY_KEY = select(TicketRow).where(TicketRow.idempotency_key == bindparam("key"))
_BY_KEYS = select(_TICKETS).where(_TICKETS.c.idempotency_key.in_(bindparam("keys", expanding=True)))


class CounterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, counter_ids: Sequence[str], state: str, at: datetime) -> None:
        for counter_id in counter_ids:
            statement = _insert(self.session, CounterRow).values(
                id=counter_id, state=state, current_ticket_id=None, updated_at=at
            )
            await self.session.execute(statement.on_conflict_do_nothing())

    async def get(self, counter_id: str) -> CounterRow | None:
        return await self.session.get(CounterRow, counter_id)

    async def states(self) -> dict[str, str]:
        rows = (await self.session.execute(select(CounterRow.id, CounterRow.state))).all()
        return dict(rows)

    async def set_state(self, counter_id: str, state: str, at: datetime, away_until: datetime | None = None) -> None:
        """`away_until`: with state "break", when the counter is due back (cleared by any other state)."""
        await self.session.execute(
            update(CounterRow)
            .where(CounterRow.id == counter_id)
            .values(state=state, updated_at=at, away_until=away_until)
        )

    async def set_current(self, counter_id: str, ticket_id: str | None, at: datetime) -> None:
        await self.session.execute(
            update(CounterRow).where(CounterRow.id == counter_id).values(current_ticket_id=ticket_id, updated_at=at)
        )


class DeviceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, device_ids: Sequence[str], at: datetime) -> None:
        for device_id in device_ids:
            statement = _insert(self.session, DeviceRow).values(
                id=device_id, state=DeviceState.ONLINE.value, detail="", updated_at=at
            )
            await self.session.execute(statement.on_conflict_do_nothing())

    async def states(self) -> dict[str, tuple[DeviceState, str]]:
        rows = (await self.session.execute(select(DeviceRow.id, DeviceRow.state, DeviceRow.detail))).all()
        return {device_id: (DeviceState(state), detail) for device_id, state, detail in rows}

    async def set_state(self, device_id: str, state: DeviceState, detail: str, at: datetime) -> bool:
        result = await self.session.execute(
            update(DeviceRow).where(DeviceRow.id == device_id).values(state=state.value, detail=detail, updated_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE: CursorResult
