"""What a completed form does at the hub: book, move, cancel, check in; and stopping a form."""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any

from lobby_wire import Arrival, ErrorCode
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ..catalog import join_sentences, say
from ..hub_client import HubRefused, HubUnavailable
from ..phrasing import hub_text, spoken_code, ticket_text, time_name
from ..turn import channel_and_lang
from .base import AppointmentAction
from .replies import appointment_when, booked_text
from .slots import (
    BOOKING_FORM,
    CANCEL_OK,
    CODE,
    CONFIRMED,
    DATE,
    RESCHEDULE_FORM,
    SERVICE,
    TIME,
    booking_reason,
    normalise_code,
    reset_booking,
    slot_day,
    slot_time,
)

logger = logging.getLogger(__name__)


def refusal_text(lang: str, key: str, message: str) -> str:
    """'Sorry, I couldn't do that: <the hub's reason>.'; without the reason when it is not in `lang`."""
    reason = hub_text(message, lang).rstrip(".。")
    return say(lang, key, message=reason) if reason else say(lang, f"{key}_plain")


class ActionBookAppointment(AppointmentAction):
    def name(self) -> str:
        return "action_book_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        channel, lang = channel_and_lang(tracker)
        day, moment = slot_day(tracker.get_slot(DATE)), slot_time(tracker.get_slot(TIME))
        service_id = tracker.get_slot(SERVICE)
        if not (service_id and day and moment) or tracker.get_slot(CONFIRMED) is not True:
            dispatcher.utter_message(text=say(lang, "book.nothing_booked"))
            return reset_booking()
        intent, notes = booking_reason(tracker)
        try:
            now, zone = await self.branch_zone()
            appointment = await self._hub.book(
                str(service_id),
                datetime.combine(day, moment, tzinfo=zone),
                channel,
                lang,
                name=tracker.get_slot("person_name"),
                phone=tracker.get_slot("phone_number"),
                intent=intent,
                notes=notes,
            )
        except HubRefused as exc:
            return _slot_gone(dispatcher, exc, moment, BOOKING_FORM, lang)
        except HubUnavailable as exc:
            logger.error("hub unavailable booking for %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(text=say(lang, "hub_unavailable"))
            return reset_booking()
        logger.info("booked %s for %s", appointment.code, tracker.sender_id)
        dispatcher.utter_message(
            text=booked_text(appointment, now, zone, lang), json_message={"appointment": dict(appointment.raw)}
        )
        return [*reset_booking(), SlotSet(CODE, appointment.code), SlotSet("offer", None)]


def _slot_gone(
    dispatcher: CollectingDispatcher, exc: HubRefused, moment: time | None, form: str, lang: str
) -> list[dict[str, Any]]:
    """The chosen slot went between the question and the yes: pick another time in the same form."""
    logger.info("booking refused by the hub: %s", exc)
    if exc.code in (ErrorCode.SLOT_FULL, ErrorCode.IN_THE_PAST, ErrorCode.NOT_A_SLOT):
        shown = time_name(moment, lang) if moment else say(lang, "book.slot_gone_that_time")
        dispatcher.utter_message(text=say(lang, "book.slot_gone", time=shown))
        return [SlotSet(TIME, None), SlotSet(CONFIRMED, None), FollowupAction(form)]
    dispatcher.utter_message(text=refusal_text(lang, "book.refused", exc.message))
    return reset_booking()


class ActionRescheduleAppointment(AppointmentAction):
    def name(self) -> str:
        return "action_reschedule_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        code = tracker.get_slot(CODE)
        day, moment = slot_day(tracker.get_slot(DATE)), slot_time(tracker.get_slot(TIME))
        if not (code and day and moment) or tracker.get_slot(CONFIRMED) is not True:
            dispatcher.utter_message(text=say(lang, "move.nothing_changed"))
            return reset_booking()
        try:
            now, zone = await self.branch_zone()
            appointment = await self._hub.reschedule(str(code), datetime.combine(day, moment, tzinfo=zone), lang)
        except HubRefused as exc:
            return _slot_gone(dispatcher, exc, moment, RESCHEDULE_FORM, lang)
        except HubUnavailable as exc:
            logger.error("hub unavailable rescheduling %s: %s", code, exc)
            dispatcher.utter_message(text=say(lang, "hub_unavailable"))
            return reset_booking()
        when = appointment_when(appointment, now, zone, lang)
        dispatcher.utter_message(
            text=say(lang, "move.done", when=when, code=spoken_code(appointment.code)),
            json_message={"appointment": dict(appointment.raw)},
        )
        return reset_booking()


class ActionCancelAppointment(AppointmentAction):
    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        _, lang = channel_and_lang(tracker)
        code = tracker.get_slot(CODE)
        if tracker.get_slot(CANCEL_OK) is not True or not code:
            dispatcher.utter_message(text=say(lang, "cancel.kept"))
            return reset_booking()
        try:
            now, zone = await self.branch_zone()
            appointment = await self._hub.cancel_appointment(str(code), lang)
        except HubRefused as exc:
            dispatcher.utter_message(text=refusal_text(lang, "cancel.refused", exc.message))
            return reset_booking()
        except HubUnavailable as exc:
            logger.error("hub unavailable cancelling %s: %s", code, exc)
            dispatcher.utter_message(text=say(lang, "hub_unavailable"))
            return reset_booking()
        dispatcher.utter_message(
            text=say(lang, "cancel.done", when=appointment_when(appointment, now, zone, lang)),
            json_message={"appointment": dict(appointment.raw)},
        )
        return [*reset_booking(), SlotSet(CODE, None)]


class ActionCheckIn(AppointmentAction):
    """Check the customer in: the hub issues their appointment ticket (priority when on time)."""

    def name(self) -> str:
        return "action_check_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        channel, lang = channel_and_lang(tracker)
        code = normalise_code(tracker.get_slot(CODE))
        try:
            _, zone = await self.branch_zone()
            appointment = await self._hub.appointment(code, lang)
            start = time_name(appointment.starts_at.astimezone(zone).time(), lang)
            try:
                check_in = await self._hub.check_in(code, channel, lang)
            except HubRefused as exc:
                if exc.code == ErrorCode.TOO_EARLY:
                    opens = time_name(appointment.check_in_from.astimezone(zone).time(), lang)
                    text = say(lang, "checkin.too_early", time=start, opens=opens)
                else:
                    text = refusal_text(lang, "checkin.refused", exc.message)
                dispatcher.utter_message(text=text)
                return [SlotSet(CODE, None)]
        except HubUnavailable as exc:
            logger.error("hub unavailable checking in %s: %s", code, exc)
            dispatcher.utter_message(text=say(lang, "hub_unavailable"))
            return [SlotSet(CODE, None)]
        ticket = check_in.ticket
        if check_in.arrival == Arrival.ON_TIME:
            text = say(lang, "checkin.on_time", time=start, number=ticket.spoken_number)
        else:
            text = join_sentences(lang, hub_text(check_in.message, lang), ticket_text(ticket, lang))
        logger.info("checked in %s with ticket %s (%s)", code, ticket.number, check_in.arrival)
        dispatcher.utter_message(text=text, json_message={"ticket": ticket.to_json()})
        return [*reset_booking(), SlotSet(CODE, None), SlotSet("last_ticket_id", ticket.id)]


class ActionStopForm(Action):
    """The customer said no to a form's question: stop asking, keep nothing half-done."""

    def name(self) -> str:
        return "action_stop_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        latest = (tracker.latest_message or {}).get("intent") or {}
        if latest.get("name") == "deny":  # otherwise the next action answers (e.g. staff are coming)
            _, lang = channel_and_lang(tracker)
            dispatcher.utter_message(text=say(lang, "form_stopped"))
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_booking(), SlotSet(CODE, None)]
