"""Taking tickets in batches: every ticket asked for at the same moment is written in one transaction.

`BranchService.issue_ticket` validates a request and hands it here as an `Order`; `Issuer` collects
the orders that arrive while the previous batch is being written (assistant/store/group.py) and
writes them together: one query for the idempotency keys of all, one upsert taking a number range
for each prefix, one INSERT for all rows, one query for the places in line of all (one count through
the line per service and class, not per ticket: `TicketRepository.places_of_new`), then each
ticket's estimate, then one commit. A key seen before (or twice in one batch) gets the ticket it
issued first, and no number is used up for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.clock import Clock
from assistant.domain.tickets import OrderingPolicy, Priority, Ticket, TicketStatus, format_number
from assistant.store.group import GroupCommit
from assistant.store.repo import TicketRepository
from lobby_wire.tickets import TicketView


@dataclass(frozen=True, slots=True)
class Order:
    """A validated request for a ticket."""

    service_id: str
    prefix: str
    day: date  # the branch-local business day of `at`
    at: datetime
    channel: str
    lang: str
    priority: Priority
    intent: str | None = None
    appointment_code: str | None = None
    key: str | None = None  # the idempotency key
    remote: bool = False

    def ticket(self, sequence: int) -> Ticket:
        return Ticket(
            id=uuid.uuid4().hex,
            number=format_number(self.prefix, sequence),
            service_id=self.service_id,
            business_date=self.day,
            channel=self.channel,
            lang=self.lang,
            priority=self.priority,
            status=TicketStatus.WAITING,
            issued_at=self.at,
            intent=self.intent,
            appointment_code=self.appointment_code,
            idempotency_key=self.key,
            remote=self.remote,
            arrived_at=None if self.remote else self.at,
        )


class View(Protocol):
    """The ticket as the API shows it (`BranchService.view`); `position`: its place in line, already
    counted (else the view counts it)."""

    def __call__(
        self, session: AsyncSession, ticket: Ticket, *, position: int | None = None
    ) -> Awaitable[TicketView]: ...


class Issuer:
    """`issue(order)` -> (the ticket as the API shows it, whether it is new).

    With `policy` and `clock` (the branch's ordering policy and clock, as the view uses them), the places
    of a batch's new tickets are counted together and handed to the view; without, the view counts each."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        view: View,
        policy: OrderingPolicy | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.view, self.policy, self.clock = view, policy, clock
        self.writes: GroupCommit[Order, tuple[TicketView, bool]] = GroupCommit(sessions, self._write)

    async def issue(self, order: Order) -> tuple[TicketView, bool]:
        return await self.writes.submit(order)

    async def _write(self, session: AsyncSession, orders: Sequence[Order]) -> list[tuple[TicketView, bool]]:
        repo = TicketRepository(session)
        known = await repo.by_idempotency_keys([o.key for o in orders if o.key])
        first: dict[str, int] = {}  # key -> the order of this batch that takes a ticket for it
        fresh: dict[tuple[str, date], list[int]] = {}
        for index, order in enumerate(orders):
            if order.key and (order.key in known or order.key in first):
                continue
            if order.key:
                first[order.key] = index
            fresh.setdefault((order.prefix, order.day), []).append(index)
        issued: dict[int, Ticket] = {}
        lasts = await repo.next_sequences({line: len(indexes) for line, indexes in fresh.items()})
        for line, indexes in fresh.items():
            for sequence, index in enumerate(indexes, start=lasts[line] - len(indexes) + 1):
                issued[index] = orders[index].ticket(sequence)
        await repo.add_many(list(issued.values()))
        places: dict[str, int] = {}
        if self.policy is not None and self.clock is not None and issued:
            places = await repo.places_of_new(self.policy, list(issued.values()), self.clock.now())
        results = []
        for index, order in enumerate(orders):
            if index in issued:
                ticket = issued[index]
                results.append((await self.view(session, ticket, position=places.get(ticket.id)), True))
            else:  # a retry: the ticket its key took first (before, or earlier in this batch)
                assert order.key is not None
                earlier = known.get(order.key) or issued[first[order.key]]
                results.append((await self.view(session, earlier, position=places.get(earlier.id)), False))
        return results
