"""Appointment use cases: slots, booking, cancel, reschedule and check-in.

Each use case owns its transaction, then publishes what happened. Check-in
issues the ticket through `BranchService.issue_ticket`, so numbering, ETA and
`ticket.issued` stay in one place, with the idempotency key `checkin:{code}`:
a repeated check-in returns the same ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.domain.appointments import (
    Appointment,
    AppointmentStatus,
    Arrival,
    CheckInWindow,
    SlotPlan,
    new_code,
    normalize_code,
)
from assistant.domain.audit import Actor, AuditAction, appointment_state
from assistant.domain.clock import Clock
from assistant.domain.errors import Conflict, InvalidInput, NotFound, Unavailable
from assistant.domain.events import Event, EventType
from assistant.services.tickets import BranchService, Publish
from assistant.settings import ConfigError, Settings
from assistant.store.appointments import AppointmentRepository
from assistant.store.audit import AuditLog
from lobby_wire.lang import normalise_lang
from lobby_wire.tickets import TicketView

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 5  # a fresh code clashes about once per 887 million / codes in use; retry a few times


class AppointmentService:
    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        publish: Publish,
        branch: BranchService,
        codes: Callable[[], str] = new_code,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.publish = publish
        self.branch = branch
        self.codes = codes
        config = settings.appointments
        self.timezone = settings.branch.timezone
        self.window = CheckInWindow(*config.check_in_window_minutes)
        service_ids = settings.bookable_service_ids()
        unknown = sorted((set(service_ids) | set(config.capacity)) - {s.id for s in settings.services})
        if unknown:
            raise ConfigError(f"appointments: unknown services {unknown}")
        try:
            self.plans = {
                service_id: SlotPlan(
                    service_id=service_id,
                    timezone=self.timezone,
                    opening_hours=settings.branch.opening_hours,
                    slot_minutes=config.slot_minutes,
                    capacity=config.capacity.get(service_id, config.advisors),
                    horizon_days=config.horizon_days,
                    blackout_dates=frozenset(config.blackout_dates),
                )
                for service_id in service_ids
            }
        except ValueError as exc:
            raise ConfigError(f"appointments: {exc}") from None

    def plan(self, service_id: str) -> SlotPlan:
        if self.settings.service(service_id) is None:
            raise InvalidInput(f"unknown service {service_id!r}", code="unknown_service")
        plan = self.plans.get(service_id)
        if plan is None:
            raise InvalidInput(f"{service_id} does not take appointments", code="no_appointments")
        return plan

    # -- use cases -------------------------------------------------------------

    async def slots(self, service_id: str, day: date) -> dict[str, Any]:
        """Every bookable slot of `day` with its free seats (0 when full); `closed` says why there are none."""
        plan = self.plan(service_id)
        now = self.clock.now()
        slots = plan.open_slots(day, now)
        taken: dict[datetime, int] = {}
        if slots:
            async with self.sessions.begin() as session:
                repo = AppointmentRepository(session)
                taken = await repo.seats_taken(service_id, slots[0].starts_at, slots[-1].ends_at)
        reason = plan.closed_reason(day, now)
        return {
            "service": service_id,
            "date": day.isoformat(),
            "timezone": self.timezone,
            "closed": str(reason) if reason else None,
            "slots": [
                {
                    "starts_at": slot.starts_at.isoformat(),
                    "ends_at": slot.ends_at.isoformat(),
                    "capacity": plan.capacity,
                    "free": max(0, plan.capacity - taken.get(slot.starts_at, 0)),
                }
                for slot in slots
            ],
        }

    async def book(
        self,
        service_id: str,
        starts_at: datetime,
        *,
        channel: str,
        lang: str,
        name: str | None = None,
        phone: str | None = None,
        intent: str | None = None,
        notes: str | None = None,
    ) -> Appointment:
        plan = self.plan(service_id)
        now = self.clock.now()
        slot = plan.slot_at(starts_at, now)
        for _ in range(CODE_ATTEMPTS):
            appointment = Appointment(
                code=self.codes(),
                service_id=service_id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                status=AppointmentStatus.BOOKED,
                channel=channel,
                lang=lang,
                created_at=now,
                updated_at=now,
                name=name,
                phone=phone,
                intent=intent,
                notes=notes,
            )
            async with self.sessions.begin() as session:
                repo = AppointmentRepository(session)
                if not await repo.add(appointment):
                    continue  # that code is taken: draw another
                if await repo.take_seat(service_id, slot.starts_at, plan.capacity, appointment.code) is None:
                    raise Conflict(self._full_message(plan, slot.starts_at), code="slot_full")
            break
        else:
            raise Unavailable("could not draw an unused booking code; please try again")
        await self.publish(Event(EventType.APPOINTMENT_BOOKED, now, {"appointment": self.to_json(appointment)}))
        log.info("booked %s for %s at %s via %s", appointment.code, service_id, slot.starts_at, channel)
        return appointment

    async def get(self, code: str) -> Appointment:
        async with self.sessions.begin() as session:
            return await self._load(AppointmentRepository(session), code)

    async def cancel(self, code: str, actor: Actor | None = None) -> Appointment:
        """`actor`: staff cancelling for the customer (audited); None: the customer."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            repo = AppointmentRepository(session)
            appointment = await self._load(repo, code, for_update=True)
            cancelled = appointment.cancel(now)
            await repo.free_seat(appointment.code, appointment.starts_at)
            await repo.save(cancelled)
            await AuditLog(session).record(actor, AuditAction.APPOINTMENT_CANCEL, now, ("appointment", cancelled.code),
                                           appointment_state(appointment), appointment_state(cancelled))  # fmt: skip
        log.info("cancelled %s", cancelled.code)
        await self.publish(Event(EventType.APPOINTMENT_CANCELLED, now, {"appointment": self.to_json(cancelled)}))
        return cancelled

    async def reschedule(self, code: str, starts_at: datetime, actor: Actor | None = None) -> Appointment:
        """Move to another slot: the new seat is taken before the old one is freed, in one transaction."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            repo = AppointmentRepository(session)
            appointment = await self._load(repo, code, for_update=True)
            appointment.require_booked("rescheduled")
            plan = self.plan(appointment.service_id)
            slot = plan.slot_at(starts_at, now)
            if slot.starts_at == appointment.starts_at:
                return appointment
            moved = appointment.move_to(slot, now)
            if await repo.take_seat(moved.service_id, slot.starts_at, plan.capacity, moved.code) is None:
                raise Conflict(self._full_message(plan, slot.starts_at), code="slot_full")
            await repo.free_seat(appointment.code, appointment.starts_at)
            await repo.save(moved)
            await AuditLog(session).record(actor, AuditAction.APPOINTMENT_RESCHEDULE, now, ("appointment", moved.code),
                                           appointment_state(appointment), appointment_state(moved))  # fmt: skip
        log.info("moved %s from %s to %s", moved.code, appointment.starts_at, moved.starts_at)
        data = {"appointment": self.to_json(moved), "from": self.to_json(appointment)["starts_at"]}
        await self.publish(Event(EventType.APPOINTMENT_RESCHEDULED, now, data))
        return moved

    async def check_in(
        self, code: str, channel: str, lang: str | None, actor: Actor | None = None
    ) -> tuple[TicketView, bool, dict[str, str]]:
        """Issue the appointment's ticket: (ticket, created, {"code", "arrival", "message"})."""
        now = self.clock.now()
        appointment = await self.get(code)
        if appointment.status is AppointmentStatus.CHECKED_IN and appointment.ticket_id:
            ticket = await self.branch.get_ticket(appointment.ticket_id)
            arrival = Arrival.ON_TIME if ticket.priority == Arrival.ON_TIME.priority else Arrival.LATE
            message = f"You are already checked in; your ticket is {ticket.number}."
            return ticket, False, self._check_in_json(appointment, arrival, message)
        appointment.require_booked("checked in")
        arrival = self.window.evaluate(appointment.starts_at, now, self.timezone)
        ticket, created = await self.branch.issue_ticket(
            appointment.service_id,
            channel=channel,
            lang=lang or appointment.lang,
            priority=arrival.priority,
            intent=appointment.intent,  # so the teller sees why they booked
            appointment_code=appointment.code,
            idempotency_key=f"checkin:{appointment.code}",
        )
        async with self.sessions.begin() as session:
            repo = AppointmentRepository(session)
            current = await self._load(repo, appointment.code, for_update=True)
            if current.status is AppointmentStatus.BOOKED:
                checked_in = current.check_in(ticket.id, now)
                await repo.save(checked_in)
                await AuditLog(session).record(actor, AuditAction.APPOINTMENT_CHECK_IN, now,
                                               ("appointment", current.code), appointment_state(current),
                                               appointment_state(checked_in))  # fmt: skip
            elif current.status is not AppointmentStatus.CHECKED_IN:
                log.warning("%s became %s while checking in; ticket %s stands", code, current.status, ticket.number)
        if not created:  # a concurrent check-in issued it first: report what that ticket is
            arrival = Arrival.ON_TIME if ticket.priority == Arrival.ON_TIME.priority else Arrival.LATE
        message = self.window.message(arrival, appointment.starts_at, now, self.timezone)
        details = self._check_in_json(appointment, arrival, message)
        if created:
            data = {"appointment": {**self.to_json(appointment), "status": str(AppointmentStatus.CHECKED_IN)}}
            data.update(ticket=ticket.to_json(), check_in=details)
            await self.publish(Event(EventType.APPOINTMENT_CHECKED_IN, now, data))
            log.info("checked in %s (%s) with ticket %s", appointment.code, arrival, ticket.number)
        return ticket, created, details

    # -- helpers ---------------------------------------------------------------

    async def _load(self, repo: AppointmentRepository, code: str, *, for_update: bool = False) -> Appointment:
        normalized = normalize_code(code)
        appointment = await repo.get(normalized, for_update=for_update) if normalized else None
        if appointment is None:
            raise NotFound(f"no appointment {code}", code="appointment_not_found")
        return appointment

    def _full_message(self, plan: SlotPlan, starts_at: datetime) -> str:
        return f"the {plan.local(starts_at).strftime('%Y-%m-%d %H:%M')} slot is fully booked; please pick another"

    def _check_in_json(self, appointment: Appointment, arrival: Arrival, message: str) -> dict[str, str]:
        return {"code": appointment.code, "arrival": str(arrival), "message": message}

    def to_json(self, appointment: Appointment, lang: str | None = None) -> dict[str, Any]:
        """The wire shape; the phone number and notes are never echoed back (the code is all it takes).
        Names in `lang` when asked (`?lang=`), else in the language the booking was made in."""
        zone = self.plans[appointment.service_id].zone if appointment.service_id in self.plans else None
        service = self.settings.service(appointment.service_id)

        def local(moment: datetime) -> str:
            return (moment.astimezone(zone) if zone else moment).isoformat()

        return {
            "code": appointment.code,
            "service": appointment.service_id,
            "service_name": service.display_name(normalise_lang(lang) or appointment.lang)
            if service
            else appointment.service_id,
            "starts_at": local(appointment.starts_at),
            "ends_at": local(appointment.ends_at),
            "status": str(appointment.status),
            "check_in_from": local(self.window.opens(appointment.starts_at)),
            "check_in_until": local(self.window.closes(appointment.starts_at)),
            "name": appointment.name,
            "ticket_id": appointment.ticket_id,
            "intent": appointment.intent,
        }
