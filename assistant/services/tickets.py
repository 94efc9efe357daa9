"""Branch use cases: each owns its transaction, then publishes what happened."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.audit import Actor, AuditAction, ticket_state
from assistant.domain.clock import Clock, business_date
from assistant.domain.errors import Conflict, InvalidInput, NotFound
from assistant.domain.eta import WaitEstimate
from assistant.domain.events import Event, EventType
from assistant.domain.staff import CounterStatus
from assistant.domain.tickets import (
    ACTIVE,
    NOT_ARRIVED,
    Priority,
    Ticket,
    TicketStatus,
)
from assistant.i18n import language
from assistant.services.directory import BranchDirectory
from assistant.services.issuing import Issuer, Order
from assistant.services.waits import WaitTimes
from assistant.services.wording import eta_text
from assistant.settings import Settings, ordering_policy
from assistant.store.audit import AuditLog
from assistant.store.repo import CounterRepository, DeviceRepository, TicketRepository
from lobby_wire.lang import normalise_lang
from lobby_wire.tickets import TICKET_ID, TICKET_NUMBER, TicketView
from lobby_wire.tickets import TicketStatus as WireStatus

log = logging.getLogger(__name__)


Publish = Callable[[Event], Awaitable[None]]


class BranchService(BranchDirectory):
    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        publish: Publish,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self._publish = publish
        self.policy = ordering_policy(settings)
        self.waits = WaitTimes(settings, clock, self.policy, sessions)  # the ETA: assistant/web/waits.py
        # Tickets taken together: one transaction (services/issuing.py), the places counted once a batch.
        self.issuer = Issuer(sessions, self.view, policy=self.policy, clock=self.clock)

    async def publish(self, event: Event) -> None:
        """Every use case's events go out here: the wait estimates learn that the line changed first."""
        self.waits.changed()
        await self._publish(event)

    async def bootstrap(self) -> None:
        """Make sure every configured counter and device has a row."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            await CounterRepository(session).ensure([c.id for c in self.settings.counters], CounterStatus.OPEN, now)
            await DeviceRepository(session).ensure([d.id for d in self.settings.devices], now)

    # -- tickets ---------------------------------------------------------------

    async def issue_ticket(
        self,
        service_id: str,
        channel: str,
        lang: str,
        priority: str = Priority.NORMAL,
        intent: str | None = None,
        appointment_code: str | None = None,
        idempotency_key: str | None = None,
        remote: bool = False,
    ) -> tuple[TicketView, bool]:
        """Issue a ticket; returns (ticket, created). A repeated key returns the first ticket.

        `remote`: taken from the bank's app, not in the branch — refused (409 `remote_join_closed`)
        unless the service takes remote customers and the branch is open now.
        """
        service = self.settings.service(service_id)
        if service is None:
            raise InvalidInput(f"unknown service {service_id!r}", code="unknown_service")
        if remote and (reason := self.remote_join_refusal(service_id, lang)):
            raise Conflict(reason, code="remote_join_closed")
        if priority not in self.settings.priority.classes:
            raise InvalidInput(f"unknown priority {priority!r}", code="unknown_priority")
        now = self.clock.now()
        order = Order(
            service_id=service.id,
            prefix=service.prefix,
            day=business_date(now, self.settings.branch.timezone),
            at=now,
            channel=channel,
            lang=normalise_lang(lang) or lang,  # "zh-CN" -> "zh": one value per language
            priority=Priority(priority),
            intent=intent,
            appointment_code=appointment_code,
            key=idempotency_key or None,
            remote=remote,
        )
        try:
            # Tickets taken at the same moment share one transaction and one commit (assistant/store/group.py).
            view, created = await self.issuer.issue(order)
        except IntegrityError:
            # Two requests with one idempotency key raced (in two processes): the other one won.
            if idempotency_key and (existing := await self._by_key(idempotency_key)) is not None:
                return existing, False
            raise
        if not created:
            return view, False
        await self.publish(Event(EventType.TICKET_ISSUED, now, {"ticket": view.to_json()}))
        log.info("issued %s for %s via %s", view.number, service.id, channel)
        return view, True

    async def _by_key(self, key: str) -> TicketView | None:
        async with self.sessions.begin() as session:
            ticket = await TicketRepository(session).by_idempotency_key(key)
            return await self.view(session, ticket) if ticket else None

    async def get_ticket(self, ticket_id: str, lang: str | None = None) -> TicketView:
        """The ticket with its words in `lang` (e.g. the assistant asking in the customer's current
        language about a ticket taken in the other one), else in the ticket's own language."""
        async with self.sessions.begin() as session:
            ticket = await TicketRepository(session).get(ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket {ticket_id}", code="ticket_not_found")
            return await self.view(session, ticket, lang)

    async def find_ticket(self, ref: str) -> TicketView:
        """Ticket `ref`: its id, or today's number such as "C004" (what the public may name it by)."""
        if not (TICKET_ID.fullmatch(ref.strip()) or TICKET_NUMBER.fullmatch(ref.strip())):
            raise NotFound(f"no ticket {ref}", code="ticket_not_found")
        async with self.sessions.begin() as session:
            ticket = await self._find(TicketRepository(session), ref, self.clock.now())
            return await self.view(session, ticket)

    async def abandon(self, ticket_id: str, actor: Actor | None = None) -> TicketView:
        """`actor`: staff who cancelled it for the customer (audited); None: the customer."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            repo = TicketRepository(session)
            before = await repo.get(ticket_id)
            if before is None:
                raise NotFound(f"no ticket {ticket_id}", code="ticket_not_found")
            ticket = before.abandon(now)
            await repo.save(ticket)
            await AuditLog(session).record(actor, AuditAction.TICKET_ABANDON, now, ("ticket", ticket.id),
                                           ticket_state(before), ticket_state(ticket))  # fmt: skip
            view = await self.view(session, ticket)
        await self.publish(Event(EventType.TICKET_ABANDONED, now, {"ticket": view.to_json()}))
        return view

    # -- remote tickets: arrival and expiry --------------------------------------

    def arrive_by(self, ticket: Ticket) -> datetime:
        """The check-in deadline of a remote ticket, in the branch's time zone."""
        deadline = ticket.issued_at + timedelta(minutes=self.settings.queue.remote_arrival_minutes)
        return deadline.astimezone(ZoneInfo(self.settings.branch.timezone))

    async def arrive(self, ref: str, actor: Actor | None = None) -> TicketView:
        """The customer of ticket `ref` (its id, or today's number such as "C004") is at the branch.

        A remote ticket then becomes callable in the place it kept; a walk-in's is unchanged. Idempotent."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            repo = TicketRepository(session)
            ticket = await self._find(repo, ref, now)
            if ticket.outcome == NOT_ARRIVED:
                deadline = self.arrive_by(ticket).strftime("%H:%M")
                raise Conflict(
                    f"ticket {ticket.number} expired at {deadline} because nobody checked in; please take a new one",
                    code="ticket_expired",
                )
            arrived = ticket.arrive(now)
            changed = arrived is not ticket
            if changed and not await repo.save_if(arrived, ticket.status, was_arrived=False):
                raise Conflict(f"ticket {ticket.number} changed meanwhile; please try again", code="wrong_state")
            if changed:  # checked in by staff (`actor`): audited
                await AuditLog(session).record(actor, AuditAction.TICKET_ARRIVE, now, ("ticket", ticket.id),
                                               ticket_state(ticket), ticket_state(arrived))  # fmt: skip
            view = await self.view(session, arrived)
        if changed:
            await self.publish(Event(EventType.TICKET_ARRIVED, now, {"ticket": view.to_json()}))
            log.info("%s arrived (joined remotely via %s)", view.number, arrived.channel)
        return view

    async def _find(self, repo: TicketRepository, ref: str, now: datetime) -> Ticket:
        ref = ref.strip()
        if TICKET_ID.fullmatch(ref):
            ticket = await repo.get(ref)
        elif TICKET_NUMBER.fullmatch(ref):
            ticket = await repo.by_number(ref.upper(), business_date(now, self.settings.branch.timezone))
        else:
            raise InvalidInput("give a ticket's id or today's number, such as C004", code="invalid_input")
        if ticket is None:
            raise NotFound(f"no ticket {ref} today", code="ticket_not_found")
        return ticket

    async def expire_overdue(self) -> list[TicketView]:
        """Remote tickets not checked in within queue.remote_arrival_minutes leave the queue as no-shows
        (outcome `not_arrived`), each exactly once even with several hub workers sweeping."""
        now = self.clock.now()
        cutoff_minutes = self.settings.queue.remote_arrival_minutes
        cutoff = now - timedelta(minutes=cutoff_minutes)
        expired = []
        async with self.sessions.begin() as session:
            repo = TicketRepository(session)
            for ticket in await repo.overdue_remote(cutoff):
                gone = ticket.expire(now)
                if await repo.save_if(gone, TicketStatus.WAITING, was_arrived=False):
                    expired.append(await self.view(session, gone))
        for view in expired:
            log.info("%s expired: not checked in within %d min", view.number, cutoff_minutes)
            await self.publish(Event(EventType.TICKET_NO_SHOW, now, {"ticket": view.to_json()}))
        return expired

    # -- views -----------------------------------------------------------------

    async def view(
        self, session: AsyncSession, ticket: Ticket, lang: str | None = None, position: int | None = None
    ) -> TicketView:
        """The ticket as the API shows it, with its live position and ETA; names in `lang` or the ticket's.
        `position`: its place in line when the caller has already counted it (a batch of new tickets)."""
        words = normalise_lang(lang) or ticket.lang
        service = self.settings.service(ticket.service_id)
        place = 0
        eta: tuple[int, int] | None = None
        estimate: WaitEstimate | None = None
        if ticket.status is TicketStatus.WAITING and service is not None:
            if position is not None:
                place = position
            else:
                place = await TicketRepository(session).place_in_line(self.policy, ticket, self.clock.now())
            estimate = await self.waits.for_ticket(session, ticket)
            eta = estimate.shown() if estimate is not None else None
        counter = next((c for c in self.settings.counters if c.id == ticket.counter_id), None)
        return TicketView(
            id=ticket.id,
            number=ticket.number,
            service=ticket.service_id,
            service_name=service.display_name(words) if service else ticket.service_id,
            status=WireStatus(ticket.status.value),
            position=place,
            eta_minutes=eta,
            issued_at=ticket.issued_at.isoformat(),
            track_url=f"{self.settings.hub.public_url.rstrip('/')}/t/{ticket.id}",
            counter=ticket.counter_id,
            priority=str(ticket.priority),
            counter_name=counter.display_name(words) if counter else None,
            remote=ticket.remote,
            arrive_by=self.arrive_by(ticket).isoformat() if ticket.on_the_way and ticket.status in ACTIVE else None,
            outcome=ticket.outcome,
            lang=language(words),  # "en" | "zh": the language its words come in
            eta_point_minutes=round(estimate.point, 1) if estimate is not None else None,
            eta_wording=str(estimate.wording()) if estimate is not None else None,
            eta_text=eta_text(eta, str(estimate.wording()) if estimate else None, words)
            if ticket.status is TicketStatus.WAITING
            else None,
        )
