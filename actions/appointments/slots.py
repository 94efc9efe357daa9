# ruff: noqa: RUF002  (Chinese examples with full-width punctuation in docstrings)
"""The appointment forms' slots and the pure helpers over them: no hub, no dispatcher.

Slot values once validated: `booking_service` a service id, `booking_date`
an ISO date and `booking_time` "HH:MM", both in the branch's timezone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from lobby_wire import ServiceView
from lobby_wire.lang import han_count
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from ..hub_client import Slot
from ..turn import SERVICE_INTENTS
from ..when import TimeWish, say_time, split_when

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


def resolve_service(
    value: Any, intent: str | None, loan_type: str | None, services: Sequence[ServiceView]
) -> ServiceView | None:
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


def find_when(text: str, now: datetime, lang: str) -> tuple[date | None, TimeWish | None]:
    """The day and time in an answer: the whole text ("tomorrow at ten"), else its longest word
    span that reads as a day and/or time, so "um can we do friday instead" still finds Friday.

    Day and time come from the same span: "in two days" is a day, not a day plus 2 pm. Chinese
    text has no word spans: when.py reads it whole, skipping the words around the day and time
    and keeping the last of a correction ("不对，改成下午三点").
    """
    for candidate in (text, *_spans(text)):
        day, wish = split_when(candidate, now, lang=lang)
        if day is not None or wish is not None:
            return day, wish
    return None, None


def normalise_code(value: Any) -> str:
    return re.sub(r"[\s-]", "", str(value or "")).upper()


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
        wordy = _word_count(text) >= NOTES_MIN_WORDS and not text.startswith("/")
        if wordy and (name in SERVICE_INTENTS or name == "book_appointment") and text not in notes:
            notes.append(text)
    return intent, " / ".join(notes)[:NOTES_MAX] or None


def _word_count(text: str) -> int:
    """Words in `text`; Chinese has no spaces, so about two characters make a word ("我想咨询房贷" is 3)."""
    return len(text.split()) + han_count(text) // 2


def reset_booking() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in (*BOOKING_SLOTS, CANCEL_OK, CHOICES)]
