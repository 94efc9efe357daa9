"""Appointments by conversation: the booking, reschedule, cancel and check-in forms.

Rasa's forms ask for the slots in domain.yml; the actions here validate what
the customer said against the hub (free slots, real booking codes), ask each
question with the hub's live answers as buttons, and submit.

Slot values once validated: `booking_service` a service id, `booking_date`
an ISO date and `booking_time` "HH:MM", both in the branch's timezone.
Anything the customer says is re-resolved from its text, so a correction
("no, make it 3pm") goes through exactly the same checks as a first answer.
"""

from __future__ import annotations

import logging
import re
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .base import HubAction
from .hub_client import Appointment, DaySlots, HubRefused, HubUnavailable, Service, Slot
from .phrasing import (
    ASK_CODE,
    ASK_SERVICE,
    BOOKABLE_ONLY,
    CODE_FORMAT,
    DATE_NOT_UNDERSTOOD,
    FORM_STOPPED,
    HUB_UNAVAILABLE,
    TIME_NOT_UNDERSTOOD,
    spoken_code,
    ticket_text,
)
from .turn import SERVICE_INTENTS, channel_and_lang
from .when import TimeWish, say_date, say_time, split_when

logger = logging.getLogger(__name__)

SERVICE = "booking_service"
DATE = "booking_date"
TIME = "booking_time"
CONFIRMED = "booking_confirmed"
CODE = "appointment_code"
CANCEL_OK = "cancel_confirmed"
CHOICES = "time_choices"  # {"label", "times": ["HH:MM", ...]} from the validation, for the next time question
BOOKING_SLOTS = (SERVICE, DATE, TIME, CONFIRMED)

BOOKING_FORM = "booking_form"
RESCHEDULE_FORM = "reschedule_form"
CANCEL_FORM = "cancel_form"
CHECK_IN_FORM = "check_in_form"

CODE_PATTERN = re.compile(r"^[A-Z0-9]{6}$")
# Loan words the NLU tags as loan_type, and the service intent they mean.
LOAN_INTENTS = {
    "mortgage": "mortgage",
    "personal": "apply_loan",
    "car": "apply_loan",
    "student": "apply_loan",
    "business": "business_banking",
}
# Answers that may carry a day or time the NLU missed.
CORRECTION_INTENTS = frozenset({"inform", "deny", "book_appointment", "reschedule_appointment", "nlu_fallback"})
DAYS_TO_SEARCH = 14  # how far ahead the date question looks for free days
DAY_BUTTONS = 3
TIME_BUTTONS = 6

CLOSED_REASONS = {
    "past": "{day} has already passed.",
    "outside_horizon": "I can't book as far ahead as {day} yet.",
    "blackout": "We don't take appointments on {day}.",
    "closed": "The branch is closed on {day}.",
}


def slot_day(value: Any) -> date | None:
    """A validated `booking_date` back to a date (None for anything else)."""
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def slot_time(value: Any) -> time | None:
    """A validated `booking_time` ("HH:MM") back to a time."""
    match = re.fullmatch(r"(\d{2}):(\d{2})", str(value or ""))
    return time(int(match.group(1)), int(match.group(2))) if match else None


def slot_wish(value: Any) -> TimeWish | None:
    """A validated "HH:MM" as an exact wish (so a new day is checked for the same time)."""
    moment = slot_time(value)
    return TimeWish(moment, moment, True, say_time(moment)) if moment else None


def local_time(slot: Slot, zone: ZoneInfo) -> time:
    return slot.starts_at.astimezone(zone).time().replace(second=0, microsecond=0)


def spread(items: Sequence[Slot], count: int) -> tuple[Slot, ...]:
    """`count` items evenly spread over `items` (all of them when there are few)."""
    if len(items) <= count:
        return tuple(items)
    step = (len(items) - 1) / (count - 1)
    return tuple(items[round(i * step)] for i in range(count))


def match_slot(wish: TimeWish, free: Sequence[Slot], zone: ZoneInfo) -> tuple[Slot | None, tuple[Slot, ...]]:
    """(the free slot the customer asked for, or None with up to 4 alternatives to offer).

    An exact time must be a slot start; a window ("the afternoon") with exactly
    one free slot takes it, with several offers them; otherwise the nearest.
    """
    if not free:
        return None, ()

    def minutes(moment: time) -> int:
        return moment.hour * 60 + moment.minute

    if wish.exact:
        for slot in free:
            if local_time(slot, zone) == wish.earliest:
                return slot, ()
    else:
        inside = [s for s in free if wish.earliest <= local_time(s, zone) < wish.latest]
        if len(inside) == 1:
            return inside[0], ()
        if inside:
            return None, spread(inside, 4)
    target = minutes(wish.earliest)
    nearest = sorted(free, key=lambda s: (abs(minutes(local_time(s, zone)) - target), s.starts_at))[:3]
    return None, tuple(sorted(nearest, key=lambda s: s.starts_at))


def times_text(slots: Sequence[Slot], zone: ZoneInfo) -> str:
    names = [say_time(local_time(slot, zone)) for slot in slots]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def time_buttons(slots: Sequence[Slot], zone: ZoneInfo) -> list[dict[str, str]]:
    buttons = []
    for slot in slots:
        moment = local_time(slot, zone)
        buttons.append({"title": say_time(moment), "payload": f'/inform{{"time":"{moment:%H:%M}"}}'})
    return buttons


def resolve_service(
    value: Any, intent: str | None, loan_type: str | None, services: Sequence[Service]
) -> Service | None:
    """The service the customer means: a service id, a service intent ("a mortgage"), or a loan type."""
    by_id = {s.id: s for s in services}
    if str(value) in by_id:
        return by_id[str(value)]
    for candidate in (intent, LOAN_INTENTS.get(str(loan_type or "").lower()), str(value or "").lstrip("/")):
        for service in services:
            if candidate and candidate in service.intents:
                return service
    return None


MAX_SPAN_WORDS = 6


def _spans(text: str) -> list[str]:
    """Word spans of `text`, longest first: "can we do friday" -> ..., "do friday", "friday", ..."""
    words = text.lower().split()[:24]
    spans = []
    for size in range(min(len(words), MAX_SPAN_WORDS), 0, -1):
        spans.extend(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    return spans


def find_when(text: str, now: datetime) -> tuple[date | None, TimeWish | None]:
    """The day and time in an answer: the whole text ("tomorrow at ten"), else its longest word
    span that reads as a day and/or time, so "um can we do friday instead" still finds Friday.

    Day and time come from the same span: "in two days" is a day, not a day plus 2 pm.
    """
    for candidate in (text, *_spans(text)):
        day, wish = split_when(candidate, now)
        if day is not None or wish is not None:
            return day, wish
    return None, None


def normalise_code(value: Any) -> str:
    return re.sub(r"[\s-]", "", str(value or "")).upper()


@dataclass
class Reply:
    """What one validation run says and changes."""

    dispatcher: CollectingDispatcher
    changes: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        self.dispatcher.utter_message(text=text, buttons=buttons or [])

    def set(self, slot: str, value: Any) -> None:
        self.changes[slot] = value

    def events(self) -> list[dict[str, Any]]:
        return [SlotSet(slot, value) for slot, value in self.changes.items()]


class AppointmentAction(HubAction):
    """Base of the appointment actions: the hub client plus the branch's clock and timezone."""

    async def branch_zone(self) -> tuple[datetime, ZoneInfo]:
        clock = await self._hub.branch()
        zone = ZoneInfo(clock.timezone)
        return clock.now.astimezone(zone), zone

    async def find_appointment(self, reply: Reply, raw_code: Any, purpose: str) -> Appointment | None:
        """Look a code up at the hub; say what is wrong with it, if anything."""
        code = normalise_code(raw_code)
        if not CODE_PATTERN.match(code):
            reply.say(f"Sorry, that doesn't look like a booking code. {CODE_FORMAT}")
            return None
        try:
            appointment = await self._hub.appointment(code)
        except HubRefused as exc:
            if exc.code != "appointment_not_found":
                raise
            reply.say(f"I can't find a booking with the code {spoken_code(code)}. Please check it and tell me again.")
            return None
        if purpose != "check_in" and appointment.status != "booked":
            status = appointment.status.replace("_", " ")
            reply.say(f"Booking {spoken_code(code)} is {status}, so it can't be changed.")
            return None
        return appointment


# -- validation ----------------------------------------------------------------------------------


class ValidateBookingForm(AppointmentAction):
    """Validates booking_form: service -> date -> time -> confirmation, in that order, every turn."""

    form = BOOKING_FORM

    def name(self) -> str:
        return f"validate_{self.form}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reply = Reply(dispatcher)
        changed = set(tracker.slots_to_validate())
        try:
            await self.validate(reply, tracker, changed)
        except HubUnavailable as exc:
            logger.error("hub unavailable while validating %s for %s: %s", self.form, tracker.sender_id, exc)
            reply.say(HUB_UNAVAILABLE)
            for slot in changed:
                reply.set(slot, None)
        return reply.events()

    async def validate_code(self, reply: Reply, tracker: Tracker, changed: set[str]) -> bool:
        """Nothing to check here; the reschedule form checks its booking code first."""
        return True

    async def validate(self, reply: Reply, tracker: Tracker, changed: set[str]) -> None:
        if not await self.validate_code(reply, tracker, changed):
            return
        values = {slot: tracker.get_slot(slot) for slot in BOOKING_SLOTS}
        values.update(reply.changes)
        service_id = values[SERVICE]
        _, lang = channel_and_lang(tracker)
        if SERVICE in changed:
            service_id = await self._check_service(reply, tracker, values[SERVICE], lang)
        now, zone = await self.branch_zone()
        self._read_unextracted_change(tracker, changed, values, now)
        day = slot_day(values[DATE])
        wish: TimeWish | None = None
        if values[TIME]:
            wish = slot_wish(values[TIME]) or find_when(str(values[TIME]), now)[1]
        if DATE in changed:
            day, said_time = find_when(str(values[DATE] or ""), now)
            if day is None:
                reply.say(DATE_NOT_UNDERSTOOD)
                reply.set(DATE, None)
            else:
                reply.set(DATE, day.isoformat())
            if said_time is not None and TIME not in changed:  # "tomorrow at ten" tagged as one date
                wish = said_time
                changed.add(TIME)
        if TIME in changed and wish is None:
            reply.say(TIME_NOT_UNDERSTOOD)
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
    def _read_unextracted_change(tracker: Tracker, changed: set[str], values: dict[str, Any], now: datetime) -> None:
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
        day, wish = find_when(text, now)
        if day is not None:
            values[DATE] = text
            changed.add(DATE)
        if wish is not None:
            values[TIME] = text
            changed.add(TIME)

    async def _check_service(self, reply: Reply, tracker: Tracker, value: Any, lang: str) -> str | None:
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
            reply.say(f"{service.name} doesn't need an appointment: I can give you a ticket for it instead.")
        reply.say(BOOKABLE_ONLY.format(names=", ".join(bookable)) if bookable else ASK_SERVICE)
        reply.set(SERVICE, None)
        return None

    async def _check_day(self, reply: Reply, day_slots: DaySlots, now: datetime, service_id: str) -> bool:
        """Say why a day can't be booked and suggest the next free one."""
        day_name = say_date(day_slots.day, now.date())
        if day_slots.free:
            return True
        if day_slots.closed in CLOSED_REASONS:
            text = CLOSED_REASONS[day_slots.closed].format(day=day_name)
        else:
            text = f"{day_name[0].upper()}{day_name[1:]} is fully booked."
        following = await self._next_free_day(service_id, max(day_slots.day, now.date()) + timedelta(days=1), 7)
        if following is not None:
            text += f" The next free day is {say_date(following, now.date())}."
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
        day_name = say_date(day, today)
        times = [f"{local_time(slot, zone):%H:%M}" for slot in alternatives]
        if wish.exact:
            reply.say(f"Sorry, {wish.label} isn't free {_on(day_name)}.")
            reply.set(CHOICES, {"label": "", "times": times})
        elif not alternatives:
            reply.say(f"There's nothing free {_on(day_name)} for {wish.label}.")
        else:
            reply.set(CHOICES, {"label": wish.label, "times": times})

    @staticmethod
    def _settle_confirmation(reply: Reply, tracker: Tracker, changed: set[str]) -> None:
        """A change of service, day or time needs a fresh yes; a bare "no" asks for another time."""
        corrected = bool(changed & {SERVICE, DATE, TIME})
        if CONFIRMED in changed and tracker.get_slot(CONFIRMED) is False and not corrected:
            reply.set(TIME, None)
            reply.set(CONFIRMED, None)
            reply.say("No problem, let's change it. You can choose another day too.")
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

    async def _check_service(self, reply: Reply, tracker: Tracker, value: Any, lang: str) -> str | None:
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
        reply = Reply(dispatcher)
        if CODE not in tracker.slots_to_validate():
            return []
        try:
            appointment = await self.find_appointment(reply, tracker.get_slot(CODE), self.purpose)
        except HubUnavailable as exc:
            logger.error("hub unavailable while checking a booking code for %s: %s", tracker.sender_id, exc)
            reply.say(HUB_UNAVAILABLE)
            appointment = None
        reply.set(CODE, appointment.code if appointment else None)
        return reply.events()


class ValidateCheckInForm(ValidateCodeForm):
    def name(self) -> str:
        return f"validate_{CHECK_IN_FORM}"


class ValidateCancelForm(ValidateCodeForm):
    def name(self) -> str:
        return f"validate_{CANCEL_FORM}"


def upper_first(text: str) -> str:
    """'friday 4 December' -> 'Friday 4 December' (str.capitalize would lower-case the month)."""
    return text[:1].upper() + text[1:]


def _on(day_name: str) -> str:
    """'today' / 'tomorrow' stand alone; 'Monday 30 November' needs 'on'."""
    return day_name if day_name in ("today", "tomorrow") else f"on {day_name}"


# -- questions -----------------------------------------------------------------------------------


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
        dispatcher.utter_message(text=ASK_SERVICE, buttons=buttons)
        return []


class ActionAskBookingDate(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{DATE}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
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
            dispatcher.utter_message(text="Which day would suit you?")
            return []
        buttons = [
            {"title": upper_first(say_date(day, today)), "payload": f'/inform{{"date":"{day.isoformat()}"}}'}
            for day in free_days
        ]
        first = say_date(free_days[0], today)
        dispatcher.utter_message(text=f"Which day would suit you? The first free day is {first}.", buttons=buttons)
        return []


class ActionAskBookingTime(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{TIME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        day = slot_day(tracker.get_slot(DATE))
        try:
            now, zone = await self.branch_zone()
            free = (await self._hub.slots(str(tracker.get_slot(SERVICE)), day)).free if day else ()
        except HubUnavailable as exc:
            logger.error("hub unavailable asking for the booking time: %s", exc)
            free = ()
        if not free or day is None:
            dispatcher.utter_message(text="What time would suit you?")
            return []
        day_name = say_date(day, now.date())
        choices = tracker.get_slot(CHOICES)
        if isinstance(choices, dict) and choices.get("times"):
            # The validation just said what is free near the time they asked for: offer exactly those.
            wanted = set(choices["times"])
            offered = tuple(slot for slot in free if f"{local_time(slot, zone):%H:%M}" in wanted)
            lead = f"For {choices.get('label')} {_on(day_name)}" if choices.get("label") else upper_first(_on(day_name))
        else:
            offered, lead = spread(free, TIME_BUTTONS), upper_first(_on(day_name))
        offered = offered or spread(free, TIME_BUTTONS)
        dispatcher.utter_message(
            text=f"{lead} I have {times_text(offered, zone)} free. Which time suits you?",
            buttons=time_buttons(offered, zone),
        )
        return [SlotSet(CHOICES, None)]


class ActionAskBookingConfirmed(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{CONFIRMED}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        day = slot_day(tracker.get_slot(DATE))
        moment = slot_time(tracker.get_slot(TIME))
        _, lang = channel_and_lang(tracker)
        buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No, change it", "payload": "/deny"}]
        try:
            now, zone = await self.branch_zone()
            when = f"{_on(say_date(day, now.date()))} at {say_time(moment)}" if day and moment else "then"
            if tracker.active_loop_name == RESCHEDULE_FORM:
                old = await self._hub.appointment(str(tracker.get_slot(CODE)))
                start = old.starts_at.astimezone(zone)
                old_when = f"{say_date(start.date(), now.date())} at {say_time(start.time())}"
                new_when = f"{say_date(day, now.date())} at {say_time(moment)}" if day and moment else "then"
                text = f"Shall I move your {old.service_name} appointment from {old_when} to {new_when}?"
            else:
                names = {s.id: s.name for s in await self._hub.services(lang)}
                name = names.get(str(tracker.get_slot(SERVICE)), "your appointment")
                text = f"Shall I book {name} {when}?"
        except HubUnavailable as exc:
            logger.error("hub unavailable asking for confirmation: %s", exc)
            text = "Shall I book it?"
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionAskAppointmentCode(Action):
    def name(self) -> str:
        return f"action_ask_{CODE}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        channel, _ = channel_and_lang(tracker)
        how = "You can also scan its QR code here." if channel == "kiosk" else ""
        dispatcher.utter_message(text=f"{ASK_CODE} {how}".strip())
        return []


class ActionAskCancelConfirmed(AppointmentAction):
    def name(self) -> str:
        return f"action_ask_{CANCEL_OK}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        buttons = [{"title": "Yes, cancel it", "payload": "/affirm"}, {"title": "No, keep it", "payload": "/deny"}]
        code = str(tracker.get_slot(CODE))
        try:
            now, zone = await self.branch_zone()
            appointment = await self._hub.appointment(code)
            start = appointment.starts_at.astimezone(zone)
            when = f"{_on(say_date(start.date(), now.date()))} at {say_time(start.time())}"
            text = f"Your {appointment.service_name} appointment is {when}. Shall I cancel it?"
        except HubUnavailable as exc:
            logger.error("hub unavailable asking to confirm a cancellation: %s", exc)
            text = f"Shall I cancel booking {spoken_code(code)}?"
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


# -- submissions ---------------------------------------------------------------------------------


REASON_LOOKBACK = 3  # user messages before the booking form started that may say why
NOTES_MIN_WORDS = 4  # shorter answers ("a mortgage") say nothing the intent does not
NOTES_MAX = 500


def booking_reason(tracker: Tracker) -> tuple[str | None, str | None]:
    """Why the customer books, for the teller after check-in: (service intent, their own words).

    Read from this booking conversation: the few messages before the booking form started (it may have
    been offered after "I need advice on a mortgage") and every answer since. Notes are the messages
    that asked for a service or a booking in a sentence; buttons' payloads are not words."""
    events = list(tracker.events)
    start = max((i for i, e in enumerate(events) if e.get("event") == "active_loop" and e.get("name") == BOOKING_FORM),
                default=len(events))  # fmt: skip
    before = []
    for event in reversed(events[:start]):
        if event.get("event") == "action" and event.get("name") in ("action_session_start", "action_restart"):
            break
        if event.get("event") == "user":
            before.append(event)
            if len(before) == REASON_LOOKBACK:
                break
    said = [*reversed(before), *(e for e in events[start:] if e.get("event") == "user")]
    intent = None
    notes = []
    for event in said:
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        text = " ".join(str(event.get("text") or "").split())
        if name in SERVICE_INTENTS and intent is None:
            intent = name
        wordy = len(text.split()) >= NOTES_MIN_WORDS and not text.startswith("/")
        if wordy and (name in SERVICE_INTENTS or name == "book_appointment") and text not in notes:
            notes.append(text)
    return intent, " / ".join(notes)[:NOTES_MAX] or None


def reset_booking() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in (*BOOKING_SLOTS, CANCEL_OK, CHOICES)]


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
            dispatcher.utter_message(text="I haven't booked anything. Say book an appointment to start again.")
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
            return _slot_gone(dispatcher, exc, moment, BOOKING_FORM)
        except HubUnavailable as exc:
            logger.error("hub unavailable booking for %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(text=HUB_UNAVAILABLE)
            return reset_booking()
        logger.info("booked %s for %s", appointment.code, tracker.sender_id)
        dispatcher.utter_message(
            text=booked_text(appointment, now, zone), json_message={"appointment": dict(appointment.raw)}
        )
        return [*reset_booking(), SlotSet(CODE, appointment.code), SlotSet("offer", None)]


def booked_text(appointment: Appointment, now: datetime, zone: ZoneInfo) -> str:
    start = appointment.starts_at.astimezone(zone)
    check_in = appointment.check_in_from.astimezone(zone)
    return (
        f"You're booked for {appointment.service_name} {_on(say_date(start.date(), now.date()))} "
        f"at {say_time(start.time())}. Your booking code is {spoken_code(appointment.code)}. "
        f"Please check in at the kiosk from {say_time(check_in.time())}."
    )


def _slot_gone(
    dispatcher: CollectingDispatcher, exc: HubRefused, moment: time | None, form: str
) -> list[dict[str, Any]]:
    """The chosen slot went between the question and the yes: pick another time in the same form."""
    logger.info("booking refused by the hub: %s", exc)
    if exc.code in ("slot_full", "in_the_past", "not_a_slot"):
        shown = say_time(moment) if moment else "That time"
        dispatcher.utter_message(text=f"Sorry, {shown} has just been taken. Please choose another time.")
        return [SlotSet(TIME, None), SlotSet(CONFIRMED, None), FollowupAction(form)]
    dispatcher.utter_message(text=f"Sorry, I couldn't do that: {exc.message}.")
    return reset_booking()


class ActionRescheduleAppointment(AppointmentAction):
    def name(self) -> str:
        return "action_reschedule_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        code = tracker.get_slot(CODE)
        day, moment = slot_day(tracker.get_slot(DATE)), slot_time(tracker.get_slot(TIME))
        if not (code and day and moment) or tracker.get_slot(CONFIRMED) is not True:
            dispatcher.utter_message(text="I haven't changed your appointment.")
            return reset_booking()
        try:
            now, zone = await self.branch_zone()
            appointment = await self._hub.reschedule(str(code), datetime.combine(day, moment, tzinfo=zone))
        except HubRefused as exc:
            return _slot_gone(dispatcher, exc, moment, RESCHEDULE_FORM)
        except HubUnavailable as exc:
            logger.error("hub unavailable rescheduling %s: %s", code, exc)
            dispatcher.utter_message(text=HUB_UNAVAILABLE)
            return reset_booking()
        start = appointment.starts_at.astimezone(zone)
        dispatcher.utter_message(
            text=(
                f"Done. Your appointment is now {_on(say_date(start.date(), now.date()))} at "
                f"{say_time(start.time())}. Your booking code stays {spoken_code(appointment.code)}."
            ),
            json_message={"appointment": dict(appointment.raw)},
        )
        return reset_booking()


class ActionCancelAppointment(AppointmentAction):
    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        code = tracker.get_slot(CODE)
        if tracker.get_slot(CANCEL_OK) is not True or not code:
            dispatcher.utter_message(text="Okay, your appointment stays as it is.")
            return reset_booking()
        try:
            now, zone = await self.branch_zone()
            appointment = await self._hub.cancel_appointment(str(code))
        except HubRefused as exc:
            dispatcher.utter_message(text=f"Sorry, I couldn't cancel it: {exc.message}.")
            return reset_booking()
        except HubUnavailable as exc:
            logger.error("hub unavailable cancelling %s: %s", code, exc)
            dispatcher.utter_message(text=HUB_UNAVAILABLE)
            return reset_booking()
        start = appointment.starts_at.astimezone(zone)
        dispatcher.utter_message(
            text=(
                f"Your appointment {_on(say_date(start.date(), now.date()))} at {say_time(start.time())} "
                "is cancelled. Is there anything else I can help with?"
            ),
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
            appointment = await self._hub.appointment(code)
            start = appointment.starts_at.astimezone(zone)
            try:
                check_in = await self._hub.check_in(code, channel, lang)
            except HubRefused as exc:
                if exc.code == "too_early":
                    opens = appointment.check_in_from.astimezone(zone)
                    text = (
                        f"You're a little early. Check-in for your {say_time(start.time())} appointment opens at "
                        f"{say_time(opens.time())}. Please come back to the kiosk then."
                    )
                else:
                    text = f"Sorry, I couldn't check you in: {exc.message}. A member of staff can help."
                dispatcher.utter_message(text=text)
                return [SlotSet(CODE, None)]
        except HubUnavailable as exc:
            logger.error("hub unavailable checking in %s: %s", code, exc)
            dispatcher.utter_message(text=HUB_UNAVAILABLE)
            return [SlotSet(CODE, None)]
        ticket = check_in.ticket
        if check_in.arrival == "on_time":
            text = (
                f"Welcome. You're checked in for your {say_time(start.time())} appointment. "
                f"Your ticket is {ticket.spoken_number}, and an advisor will call you shortly."
            )
        else:
            text = f"{check_in.message} {ticket_text(ticket)}"
        logger.info("checked in %s with ticket %s (%s)", code, ticket.number, check_in.arrival)
        dispatcher.utter_message(text=text, json_message={"ticket": dict(ticket.raw)})
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
            dispatcher.utter_message(text=FORM_STOPPED)
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_booking(), SlotSet(CODE, None)]
