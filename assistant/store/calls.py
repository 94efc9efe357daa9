"""The latest calls of a day, for the lobby display (uses the `ix_tickets_day_called` index)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.domain.tickets import Ticket
from assistant.store.models import TicketRow
from assistant.store.repo import _to_domain


async def recent_calls(session: AsyncSession, day: date, limit: int) -> list[Ticket]:
    """Tickets of `day` last called (or recalled) to a counter, newest call first.

    A transferred ticket has no counter until it is called again, so it is not among them.
    """
    query = (
        select(TicketRow)
        .where(TicketRow.business_date == day, TicketRow.called_at.is_not(None), TicketRow.counter_id.is_not(None))
        .order_by(TicketRow.called_at.desc())
        .limit(limit)
    )
    return [_to_domain(row) for row in (await session.execute(query)).scalars().all()]
