"""Taking tickets in batches: every ticket asked for at the same moment is written in one transaction.

`BranchService.issue_ticket` validates a request and hands it here as an `Order`; `Issuer` collects
the orders that arrive while the previous batch is being written (assistant/store/group.py) and
writes them together: one query for the idempotency keys of all, one number range per prefix, one
INSERT for all rows, then each ticket's place and estimate, then one commit. A key seen before (or
twice in one batch) gets the ticket it issued first, and no number is used up for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.tickets import Priority, Ticket, TicketStatus, format_number
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


View = Callable[[AsyncSession, Ticket], Awaitable[TicketView]]


class Issuer:
    """`issue(order)` -> (the ticket as the API shows it, whether it is new)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], view: View) -> None:
        self.view = view
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
        for (prefix, day), indexes in fresh.items():
            last = await repo.next_sequence(prefix, day, len(indexes))
            for sequence, index in enumerate(indexes, start=last - len(indexes) + 1):
                issued[index] = orders[index].ticket(sequence)
        await repo.add_many(list(issued.values()))
        results = []
        for index, order in enumerate(orders):
            if index in issued:
                results.append((await self.view(session, issued[index]), True))
            else:  # a retry: the ticket its key took first (before, or earlier in this batch)
                assert order.key is not None
                earlier = known.get(order.key) or issued[first[order.key]]
                results.append((await self.view(session, earlier), False))
        return results
