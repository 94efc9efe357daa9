"""What the appointment actions say: days, times, buttons and confirmations in the turn's language.

The words are catalog templates (actions/catalog); these helpers put the
branch-local days and times into them ("on Friday 4 December at 2:30 pm").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ..catalog import join_list, say
from ..hub_client import Appointment, Slot
from ..phrasing import day_name, spoken_code, time_name
from .slots import local_time


@dataclass
class Reply:
    """What one validation run says and changes."""

    dispatcher: CollectingDispatcher
    lang: str
    changes: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        self.dispatcher.utter_message(text=text, buttons=buttons or [])

    def set(self, slot: str, value: Any) -> None:
        self.changes[slot] = value

    def events(self) -> list[dict[str, Any]]:
        return [SlotSet(slot, value) for slot, value in self.changes.items()]


def upper_first(text: str) -> str:
    """'friday 4 December' -> 'Friday 4 December' (str.capitalize would lower-case the month)."""
    return text[:1].upper() + text[1:]


def on_day(day: date, today: date, lang: str) -> str:
    """'today' / 'tomorrow' stand alone; 'Monday 30 November' needs 'on' (in English)."""
    name = day_name(day, today, lang)
    return name if 0 <= (day - today).days <= 1 else say(lang, "when.on", day=name)


def when_text(day: date, moment: time, today: date, lang: str, on: bool = True) -> str:
    """'on Friday 4 December at 2:30 pm' ('Friday 4 December at 2:30 pm' with `on` False)."""
    named = on_day(day, today, lang) if on else day_name(day, today, lang)
    return say(lang, "when.at", day=named, time=time_name(moment, lang))


def appointment_when(appointment: Appointment, now: datetime, zone: ZoneInfo, lang: str, on: bool = True) -> str:
    start = appointment.starts_at.astimezone(zone)
    return when_text(start.date(), start.time(), now.date(), lang, on)


def times_text(slots: Sequence[Slot], zone: ZoneInfo, lang: str) -> str:
    """'2 pm, 2:30 pm or 3 pm'."""
    return join_list(lang, [time_name(local_time(slot, zone), lang) for slot in slots])


def time_buttons(slots: Sequence[Slot], zone: ZoneInfo, lang: str) -> list[dict[str, str]]:
    buttons = []
    for slot in slots:
        moment = local_time(slot, zone)
        buttons.append({"title": time_name(moment, lang), "payload": f'/inform{{"time":"{moment:%H:%M}"}}'})
    return buttons


def day_buttons(days: Sequence[date], today: date, lang: str) -> list[dict[str, str]]:
    return [
        {"title": upper_first(day_name(day, today, lang)), "payload": f'/inform{{"date":"{day.isoformat()}"}}'}
        for day in days
    ]


def yes_no(lang: str, yes: str, no: str) -> list[dict[str, str]]:
    """A confirmation's two buttons; `yes` and `no` are catalog keys of their titles."""
    return [{"title": say(lang, yes), "payload": "/affirm"}, {"title": say(lang, no), "payload": "/deny"}]


def booked_text(appointment: Appointment, now: datetime, zone: ZoneInfo, lang: str) -> str:
    check_in = appointment.check_in_from.astimezone(zone)
    return say(
        lang,
        "book.booked",
        service=appointment.service_name,
        when=appointment_when(appointment, now, zone, lang),
        code=spoken_code(appointment.code),
        check_in=time_name(check_in.time(), lang),
    )
