"""The base of the appointment actions: the hub client, the branch's clock and booking-code look-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lobby_wire import AppointmentStatus, ErrorCode

from ..base import HubAction
from ..catalog import say
from ..hub_client import Appointment, HubRefused
from ..numbers import booking_code
from ..phrasing import spoken_code, status_word
from .replies import Reply
from .slots import CODE_PATTERN, normalise_code


class AppointmentAction(HubAction):
    """Base of the appointment actions: the hub client plus the branch's clock and timezone."""

    async def branch_zone(self) -> tuple[datetime, ZoneInfo]:
        clock = await self._hub.branch()
        zone = ZoneInfo(clock.timezone)
        return clock.now.astimezone(zone), zone

    async def find_appointment(self, reply: Reply, raw_code: Any, purpose: str) -> Appointment | None:
        """Look a code up at the hub; say what is wrong with it, if anything."""
        lang = reply.lang
        # Read aloud or inside a sentence ("我的预约码是K七P二QX", "k 7 p 2 q x"), else as typed.
        code = booking_code(raw_code) or normalise_code(raw_code)
        if not CODE_PATTERN.match(code):
            reply.say(say(lang, "code.bad", format=say(lang, "code.format")))
            return None
        try:
            appointment = await self._hub.appointment(code, lang)
        except HubRefused as exc:
            if exc.code != ErrorCode.APPOINTMENT_NOT_FOUND:
                raise
            reply.say(say(lang, "code.not_found", code=spoken_code(code)))
            return None
        if purpose != "check_in" and appointment.status != AppointmentStatus.BOOKED:
            status = status_word(lang, "booking_status", appointment.status)
            reply.say(say(lang, "code.unchangeable", code=spoken_code(code), status=status))
            return None
        return appointment
