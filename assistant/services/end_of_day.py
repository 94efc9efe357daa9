"""The end of a branch day (assistant/domain/closing.py): the use case `assistant.web.end_of_day` runs
every minute on each hub process.

* Tickets still in line when the day is over (closing time + `queue.closing_overtime_minutes`), and
  any left over from an earlier day (the hub was down at closing), leave the queue as abandoned with
  outcome `branch_closed`, each exactly once even with several hub processes (a conditional update).
  Each is published as `ticket.abandoned`: its tracking page says the branch has closed, and the chat
  socket pushes `ticket.branch_closed` in the ticket's language.
* Booked appointments nobody checked in for become `no_show` once their check-in window has closed.
* Each run that closed something leaves one `day.close` entry in the audit log (actor: the hub).

So yesterday's tickets never count in today's waits, ETAs or the dashboard's longest wait.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from assistant.domain.audit import Actor, AuditAction
from assistant.domain.clock import business_date
from assistant.domain.closing import day_over, last_open_day
from assistant.domain.events import Event, EventType
from assistant.services.tickets import BranchService
from assistant.store.audit import AuditLog
from assistant.store.history import WaitHistory
from assistant.store.repo import TicketRepository
from lobby_wire.tickets import TicketView

log = logging.getLogger(__name__)


async def close_day(branch: BranchService) -> tuple[list[TicketView], list[str]]:
    """Close what the day left open now; returns the tickets closed and the appointment codes marked no-show."""
    settings = branch.settings
    now = branch.clock.now()
    zone = ZoneInfo(settings.branch.timezone)
    today = business_date(now, settings.branch.timezone)
    over = day_over(settings.branch.opening_hours, now, zone, settings.queue.closing_overtime_minutes)
    closed: list[TicketView] = []
    async with branch.sessions.begin() as session:
        history, tickets = WaitHistory(session), TicketRepository(session)
        for ticket in await history.in_line(last_open_day(today, over)):
            gone = ticket.close_unserved(now)
            if await tickets.save_if(gone, ticket.status, was_arrived=ticket.arrived_at is not None):
                closed.append(await branch.view(session, gone))
        late = timedelta(minutes=settings.appointments.check_in_window_minutes[1])
        missed = [code for code in await history.unchecked_before(now - late) if await history.mark_no_show(code, now)]
        if closed or missed:  # who closed what, for the manager's audit log (the hub itself)
            after = {"tickets_closed": [v.number for v in closed], "appointments_no_show": len(missed)}
            await AuditLog(session).record(Actor.system("end-of-day"), AuditAction.DAY_CLOSE, now,
                                           ("day", today.isoformat()), None, after)  # fmt: skip
    for view in closed:
        await branch.publish(Event(EventType.TICKET_ABANDONED, now, {"ticket": view.to_json()}))
    if closed or missed:
        log.info("end of day: %d tickets closed unserved, %d appointments no-show", len(closed), len(missed))
    return closed, missed


__all__ = ["close_day"]
