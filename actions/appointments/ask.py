"""The forms' questions: each asked with the hub's live answers as buttons (free days, free times)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ..catalog import say
from ..hub_client import HubUnavailable
from ..phrasing import day_name, spoken_code
from ..turn import channel_and_lang
from .base import AppointmentAction
from .replies import appointment_when, day_buttons, on_day, time_buttons, times_text, upper_first, when_text, yes_no
from .slots import (
    CANCEL_OK,
    CHOICES,
    CODE,
    CONFIRMED,
    DATE,
    RESCHEDULE_FORM,
    SERVICE,
    TIME,
    local_time,
    slot_day,
    slot_time,
    spread,
)

logger = logging.getLogger(__name__)

DAYS_TO_SEARCH = 14  # how far ahead the date question looks for free days
DAY_BUTTONS = 3
TIME_BUTTONS = 6


class ActionAskBookingService(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{SERVICE}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        try:
            services = [s for s in await self._hub.services(lang) if s.bookable and s.intents]
        except HubUnavailable as exc:
            logger.error("hub unavailable asking for the booking service: %s", exc)
            services = []
        buttons = [{"title": s.name, "payload": f"/{s.intents[0]}"} for s in services]
        dispatcher.utter_message(text=say(lang, "book.ask_service"), buttons=buttons)
        return []


class ActionAskBookingDate(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{DATE}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        service_id = tracker.get_slot(SERVICE)
        free_days: list[date] = []
        today = None
        try:
            now, _ = await self.branch_zone()
            today = now.date()
            for offset in range(DAYS_TO_SEARCH):
                day = today + timedelta(days=offset)
                day_slots = await self._hub.slots(str(service_id), day)
                if day_slots.closed == "outside_horizon":
                    break
                if day_slots.free:
                    free_days.append(day)
                if len(free_days) == DAY_BUTTONS:
                    break
        except HubUnavailable as exc:
            logger.error("hub unavailable asking for the booking date: %s", exc)
        if not free_days or today is None:
            dispatcher.utter_message(text=say(lang, "book.ask_date"))
            return []
        first = day_name(free_days[0], today, lang)
        dispatcher.utter_message(
            text=say(lang, "book.ask_date_first", day=first), buttons=day_buttons(free_days, today, lang)
        )
        return []


class ActionAskBookingTime(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{TIME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        day = slot_day(tracker.get_slot(DATE))
        try:
            now, zone = await self.branch_zone()
            free = (await self._hub.slots(str(tracker.get_slot(SERVICE)), day)).free if day else ()
        except HubUnavailable as exc:
            logger.error("hub unavailable asking for the booking time: %s", exc)
            free = ()
        if not free or day is None:
            dispatcher.utter_message(text=say(lang, "book.ask_time"))
            return []
        on = on_day(day, now.date(), lang)
        choices = tracker.get_slot(CHOICES)
        if isinstance(choices, dict) and choices.get("times"):
            # The validation just said what is free near the time they asked for: offer exactly those.
            wanted = set(choices["times"])
            offered = tuple(slot for slot in free if f"{local_time(slot, zone):%H:%M}" in wanted)
            if choices.get("label"):
                lead = say(lang, "book.times_for_window", window=choices.get("label"), day=on)
            else:
                lead = upper_first(say(lang, "book.times_for_day", day=on))
        else:
            offered, lead = spread(free, TIME_BUTTONS), upper_first(say(lang, "book.times_for_day", day=on))
        offered = offered or spread(free, TIME_BUTTONS)
        dispatcher.utter_message(
            text=say(lang, "book.ask_time_offer", lead=lead, times=times_text(offered, zone, lang)),
            buttons=time_buttons(offered, zone, lang),
        )
        return [SlotSet(CHOICES, None)]


class ActionAskBookingConfirmed(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{CONFIRMED}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        day = slot_day(tracker.get_slot(DATE))
        moment = slot_time(tracker.get_slot(TIME))
        try:
            now, zone = await self.branch_zone()
            today = now.date()
            if tracker.active_loop_name == RESCHEDULE_FORM:
                old = await self._hub.appointment(str(tracker.get_slot(CODE)), lang)
                new = when_text(day, moment, today, lang, on=False) if day and moment else say(lang, "when.then")
                old_when = appointment_when(old, now, zone, lang, on=False)
                text = say(lang, "book.confirm_move", service=old.service_name, old=old_when, new=new)
            else:
                names = {s.id: s.name for s in await self._hub.services(lang)}
                name = names.get(str(tracker.get_slot(SERVICE))) or say(lang, "book.confirm_your_appointment")
                when = when_text(day, moment, today, lang) if day and moment else say(lang, "when.then")
                text = say(lang, "book.confirm", service=name, when=when)
        except HubUnavailable as exc:
            logger.error("hub unavailable asking for confirmation: %s", exc)
            text = say(lang, "book.confirm_plain")
        dispatcher.utter_message(text=text, buttons=yes_no(lang, "button.yes", "button.no_change"))
        return []


class ActionAskAppointmentCode(Action):
    def name(self) -> str:
        return f"action_ask_{CODE}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        channel, lang = channel_and_lang(tracker)
        dispatcher.utter_message(text=say(lang, "code.ask_kiosk" if channel == "kiosk" else "code.ask"))
        return []


class ActionAskCancelConfirmed(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{CANCEL_OK}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        code = str(tracker.get_slot(CODE))
        try:
            now, zone = await self.branch_zone()
            appointment = await self._hub.appointment(code, lang)
            when = appointment_when(appointment, now, zone, lang)
            text = say(lang, "cancel.ask", service=appointment.service_name, when=when)
        except HubUnavailable as exc:
            logger.error("hub unavailable asking to confirm a cancellation: %s", exc)
            text = say(lang, "cancel.ask_plain", code=spoken_code(code))
        dispatcher.utter_message(text=text, buttons=yes_no(lang, "button.yes_cancel", "button.no_keep"))
        return []
