# ruff: noqa: RUF002  (a Chinese example with full-width punctuation in the docstring)
"""The forms' validation actions: every answer is checked against the hub (free slots, real codes).

Anything the customer says is re-resolved from its text, so a correction
("no, make it 3pm", "不对，改成下午三点") goes through exactly the same checks
as a first answer.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from ..catalog import join_list, say
from ..hub_client import DaySlots, HubUnavailable, Slot
from ..phrasing import day_name, time_name
from ..turn import channel_and_lang
from ..when import TimeWish, wish_label
from .base import AppointmentAction
from .replies import Reply, on_day, upper_first
from .slots import (
    BOOKING_FORM,
    BOOKING_SLOTS,
    CANCEL_FORM,
    CHECK_IN_FORM,
    CHOICES,
    CODE,
    CONFIRMED,
    CORRECTION_INTENTS,
    DATE,
    RESCHEDULE_FORM,
    SERVICE,
    TIME,
    find_when,
    local_time,
    match_slot,
    resolve_service,
    slot_day,
    slot_wish,
)

logger = logging.getLogger(__name__)

CLOSED_REASONS = frozenset({"past", "outside_horizon", "blackout", "closed"})  # catalog: book.closed.<reason>


class ValidateBookingForm(AppointmentAction):
    """Validates booking_form: service -> date -> time -> confirmation, in that order, every turn."""

    form = BOOKING_FORM

    def name(self) -> str:
        return f"validate_{self.form}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        reply = Reply(dispatcher, lang)
        changed = set(tracker.slots_to_validate())
        try:
            await self.validate(reply, tracker, changed)
        except HubUnavailable as exc:
            logger.error("hub unavailable while validating %s for %s: %s", self.form, tracker.sender_id, exc)
            reply.say(say(lang, "hub_unavailable"))
            for slot in changed:
                reply.set(slot, None)
        return reply.events()

    async def validate_code(self, reply: Reply, tracker: Tracker, changed: set[str]) -> bool:
        """Nothing to check here; the reschedule form checks its booking code first."""
        return True

    async def validate(self, reply: Reply, tracker: Tracker, changed: set[str]) -> None:
        if not await self.validate_code(reply, tracker, changed):
            return
        lang = reply.lang
        values = {slot: tracker.get_slot(slot) for slot in BOOKING_SLOTS}
        values.update(reply.changes)
        service_id = values[SERVICE]
        if SERVICE in changed:
            service_id = await self._check_service(reply, tracker, values[SERVICE])
        now, zone = await self.branch_zone()
        self._read_unextracted_change(tracker, changed, values, now, lang)
        self._read_whole_chinese_answer(tracker, changed, values, now, lang)
        day = slot_day(values[DATE])
        wish: TimeWish | None = None
        if values[TIME]:
            wish = slot_wish(values[TIME]) or find_when(str(values[TIME]), now, lang)[1]
        if DATE in changed:
            day, said_time = find_when(str(values[DATE] or ""), now, lang)
            if day is None:
                reply.say(say(lang, "book.date_not_understood"))
                reply.set(DATE, None)
            else:
                reply.set(DATE, day.isoformat())
            if said_time is not None and TIME not in changed:  # "tomorrow at ten" tagged as one date
                wish = said_time
                changed.add(TIME)
        if TIME in changed and wish is None:
            reply.say(say(lang, "book.time_not_understood"))
            reply.set(TIME, None)
        if service_id and day and (changed & {SERVICE, DATE} or (wish and TIME in changed)):
            day_slots = await self._hub.slots(service_id, day)
            if not await self._check_day(reply, day_slots, now, service_id):
                reply.set(DATE, None)
                reply.set(TIME, None)
            elif wish is not None:
                chosen, alternatives = match_slot(wish, day_slots.free, zone)
                if chosen is not None:
                    reply.set(TIME, f"{local_time(chosen, zone):%H:%M}")
                else:
                    self._offer_times(reply, wish, day, now.date(), alternatives, zone)
                    reply.set(TIME, None)
        self._settle_confirmation(reply, tracker, changed)

    @staticmethod
    def _read_unextracted_change(
        tracker: Tracker, changed: set[str], values: dict[str, Any], now: datetime, lang: str
    ) -> None:
        """A day or time the NLU did not tag ("no make it 10:30 am") still counts as a correction.

        Only for answers to this form's day/time/confirmation questions; a digression
        ("how long is the queue?") changes nothing, so the form steps aside for it.
        """
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        if changed & {DATE, TIME} or intent not in CORRECTION_INTENTS:
            return
        if tracker.get_slot("requested_slot") not in (DATE, TIME, CONFIRMED):
            return
        text = str(latest.get("text") or "")
        day, wish = find_when(text, now, lang)
        if day is not None:
            values[DATE] = text
            changed.add(DATE)
        if wish is not None:
            values[TIME] = text
            changed.add(TIME)

    @staticmethod
    def _read_whole_chinese_answer(
        tracker: Tracker, changed: set[str], values: dict[str, Any], now: datetime, lang: str
    ) -> None:
        """A Chinese day or time is read from the whole answer, not from the entity the NLU tagged.

        Chinese has no spaces, and the CRF often tags part of a clock time ("晚上11点50分" -> "11点50",
        "下午2点15分" -> "下午2点"): the Chinese grammar (when_zh) reads the whole sentence, keeping the
        last correction ("不对，改成下午三点"), so what it finds there wins over the tagged span.
        """
        if lang != "zh" or not changed & {DATE, TIME}:
            return
        text = str((tracker.latest_message or {}).get("text") or "")
        if text.startswith("/"):  # a button payload carries its exact value
            return
        day, wish = find_when(text, now, lang)
        if DATE in changed and day is not None:
            values[DATE] = text
        if TIME in changed and wish is not None:
            values[TIME] = text

    async def _check_service(self, reply: Reply, tracker: Tracker, value: Any) -> str | None:
        lang = reply.lang
        services = await self._hub.services(lang)
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        loan_type = next((e.get("value") for e in latest.get("entities") or () if e.get("entity") == "loan_type"), None)
        service = resolve_service(value, intent, loan_type, services)
        if service is not None and service.bookable:
            reply.set(SERVICE, service.id)
            return service.id
        bookable = [s.name for s in services if s.bookable]
        if service is not None:
            reply.say(say(lang, "book.no_appointment_needed", service=service.name))
        if bookable:
            reply.say(say(lang, "book.bookable_only", names=join_list(lang, bookable, last="list.sep")))
        else:
            reply.say(say(lang, "book.ask_service"))
        reply.set(SERVICE, None)
        return None

    async def _check_day(self, reply: Reply, day_slots: DaySlots, now: datetime, service_id: str) -> bool:
        """Say why a day can't be booked and suggest the next free one."""
        lang, today = reply.lang, now.date()
        if day_slots.free:
            return True
        named = day_name(day_slots.day, today, lang)
        if day_slots.closed in CLOSED_REASONS:
            text = say(lang, f"book.closed.{day_slots.closed}", day=named)
        else:
            text = say(lang, "book.day_full", day=upper_first(named))
        following = await self._next_free_day(service_id, max(day_slots.day, today) + timedelta(days=1), 7)
        if following is not None:
            text += say(lang, "book.next_free_day", day=day_name(following, today, lang))
        reply.say(text)
        return False

    async def _next_free_day(self, service_id: str, start: date, days: int) -> date | None:
        for offset in range(days):
            candidate = start + timedelta(days=offset)
            day_slots = await self._hub.slots(service_id, candidate)
            if day_slots.closed in ("outside_horizon",):
                return None
            if day_slots.free:
                return candidate
        return None

    def _offer_times(
        self, reply: Reply, wish: TimeWish, day: date, today: date, alternatives: Sequence[Slot], zone: ZoneInfo
    ) -> None:
        """Say what is wrong with the wished time; the time question that follows offers `alternatives`."""
        lang = reply.lang
        times = [f"{local_time(slot, zone):%H:%M}" for slot in alternatives]
        if wish.exact:
            reply.say(say(lang, "book.time_taken", time=time_name(wish.earliest, lang), day=on_day(day, today, lang)))
            reply.set(CHOICES, {"label": "", "times": times})
        elif not alternatives:
            reply.say(say(lang, "book.nothing_in_window", day=on_day(day, today, lang), window=wish_label(wish, lang)))
        else:
            reply.set(CHOICES, {"label": wish_label(wish, lang), "times": times})

    @staticmethod
    def _settle_confirmation(reply: Reply, tracker: Tracker, changed: set[str]) -> None:
        """A change of service, day or time needs a fresh yes; a bare "no" asks for another time."""
        corrected = bool(changed & {SERVICE, DATE, TIME})
        if CONFIRMED in changed and tracker.get_slot(CONFIRMED) is False and not corrected:
            reply.set(TIME, None)
            reply.set(CONFIRMED, None)
            reply.say(say(reply.lang, "book.change_it"))
        elif corrected and (CONFIRMED in changed or tracker.get_slot(CONFIRMED) is not None):
            reply.set(CONFIRMED, None)


class ValidateRescheduleForm(ValidateBookingForm):
    """The booking checks, after the booking code: the service is the appointment's own."""

    form = RESCHEDULE_FORM

    async def validate_code(self, reply: Reply, tracker: Tracker, changed: set[str]) -> bool:
        if CODE not in changed:
            return bool(tracker.get_slot(CODE))
        appointment = await self.find_appointment(reply, tracker.get_slot(CODE), "reschedule")
        if appointment is None:
            reply.set(CODE, None)
            return False
        reply.set(CODE, appointment.code)
        reply.set(SERVICE, appointment.service)
        changed.add(SERVICE)
        return True

    async def _check_service(self, reply: Reply, tracker: Tracker, value: Any) -> str | None:
        return str(value) if value else None  # set from the appointment itself


class ValidateCodeForm(AppointmentAction):
    """check_in_form and cancel_form: the booking code must exist (and be changeable, to cancel)."""

    @abstractmethod
    def name(self) -> str: ...

    @property
    def purpose(self) -> str:
        return "check_in" if self.name() == f"validate_{CHECK_IN_FORM}" else "cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        reply = Reply(dispatcher, lang)
        if CODE not in tracker.slots_to_validate():
            return []
        try:
            appointment = await self.find_appointment(reply, tracker.get_slot(CODE), self.purpose)
        except HubUnavailable as exc:
            logger.error("hub unavailable while checking a booking code for %s: %s", tracker.sender_id, exc)
            reply.say(say(lang, "hub_unavailable"))
            appointment = None
        reply.set(CODE, appointment.code if appointment else None)
        return reply.events()


class ValidateCheckInForm(ValidateCodeForm):
    def name(self) -> str:
        return f"validate_{CHECK_IN_FORM}"


class ValidateCancelForm(ValidateCodeForm):
    def name(self) -> str:
        return f"validate_{CANCEL_FORM}"
