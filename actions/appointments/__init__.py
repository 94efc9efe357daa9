"""Appointments by conversation: the booking, reschedule, cancel and check-in forms.

Rasa's forms ask for the slots in domain.yml; the actions here validate what
the customer said against the hub (free slots, real booking codes), ask each
question with the hub's live answers as buttons, and submit. One module per
job: `slots` (slot names and pure helpers), `replies` (days, times and
buttons in the turn's language), `validate`, `ask` and `submit` (the actions).
"""

from __future__ import annotations

from .ask import (
    ActionAskAppointmentCode,
    ActionAskBookingConfirmed,
    ActionAskBookingDate,
    ActionAskBookingService,
    ActionAskBookingTime,
    ActionAskCancelConfirmed,
)
from .slots import SERVICE, booking_reason, find_when, match_slot, resolve_service
from .submit import (
    ActionBookAppointment,
    ActionCancelAppointment,
    ActionCheckIn,
    ActionRescheduleAppointment,
    ActionStopForm,
)
from .validate import ValidateBookingForm, ValidateCancelForm, ValidateCheckInForm, ValidateRescheduleForm

__all__ = [
    "SERVICE",
    "ActionAskAppointmentCode",
    "ActionAskBookingConfirmed",
    "ActionAskBookingDate",
    "ActionAskBookingService",
    "ActionAskBookingTime",
    "ActionAskCancelConfirmed",
    "ActionBookAppointment",
    "ActionCancelAppointment",
    "ActionCheckIn",
    "ActionRescheduleAppointment",
    "ActionStopForm",
    "ValidateBookingForm",
    "ValidateCancelForm",
    "ValidateCheckInForm",
    "ValidateRescheduleForm",
    "booking_reason",
    "find_when",
    "match_slot",
    "resolve_service",
]
