"""The read-only lists the screens show, each read in its own transaction.

* The counter console: every counter's desk (state, the ticket at it) and the tickets in line.
* The lobby display: today's last calls, each ticket as the public sees it.
* The bank app's chat socket: the tickets a chat session took that are still open.

The rows are the store's values (`Desk`, `DeskTicket`, `QueuedTicket`, `QUEUED`: waiting and parked),
named here so the web layer reaches them through the use cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from assistant.domain.tickets import TicketStatus
from assistant.services.tickets import BranchService
from assistant.store.calls import recent_calls
from assistant.store.listing import QUEUED, Desk, DeskTicket, ListingRepository, QueuedTicket
from assistant.store.repo import TicketRepository
from lobby_wire.tickets import TicketView


async def desks(branch: BranchService, counter_ids: Sequence[str]) -> list[Desk]:
    """Each counter's state and the ticket called to it or served there, in `counter_ids` order."""
    async with branch.sessions.begin() as session:
        return await ListingRepository(session).desks(counter_ids)


async def queued(
    branch: BranchService, statuses: Sequence[TicketStatus] = QUEUED, service_id: str | None = None
) -> list[QueuedTicket]:
    """Tickets in `statuses` (waiting and parked by default), of one service or all, oldest first."""
    async with branch.sessions.begin() as session:
        return await ListingRepository(session).queued(statuses, service_id)


@dataclass(frozen=True, slots=True)
class Call:
    """One call to a counter, for the lobby display: the ticket as its customer would be told it."""

    ticket: TicketView
    counter_id: str | None
    called_at: datetime | None
    recalls: int


async def last_calls(branch: BranchService, day: date, limit: int) -> list[Call]:
    """The `limit` tickets of `day` last called (or recalled) to a counter, newest call first."""
    async with branch.sessions.begin() as session:
        return [
            Call(await branch.view(session, ticket), ticket.counter_id, ticket.called_at, ticket.recalls)
            for ticket in await recent_calls(session, day, limit)
        ]


async def customer_tickets(branch: BranchService, sender: str) -> list[TicketView]:
    """The waiting or called tickets this chat session took (keyed `<sender>:<turn>` by the assistant)."""
    async with branch.sessions.begin() as session:
        tickets = await TicketRepository(session).open_with_key_prefix(f"{sender}:")
        return [await branch.view(session, ticket) for ticket in tickets]


__all__ = [
    "QUEUED",
    "Call",
    "Desk",
    "DeskTicket",
    "QueuedTicket",
    "customer_tickets",
    "desks",
    "last_calls",
    "queued",
]
