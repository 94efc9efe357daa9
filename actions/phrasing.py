"""What the assistant says about a route or a ticket.

Written to be read aloud by the kiosk as well as shown: short sentences,
numbers as a speech engine says them well ("C 4", not "C004"). English only
for now; the hub already localises its own `reason` texts by `lang`.
"""

from __future__ import annotations

from .hub_client import QueueLine, Route, Ticket
from .when import say_time

HUB_UNAVAILABLE = "I can't reach the queue system right now. Please ask a member of staff."

# When the hub's triage gives no customer-facing reason for these decisions.
DECISION_FALLBACK = {
    "appointment": "A member of staff at the front desk can book, check in or cancel an appointment for you.",
    "info": "A member of staff at the front desk will be happy to help with that.",
    "staff": "Of course. Please wait here, a member of staff will come and help you.",
}


def _sentence(text: str) -> str:
    """'smart teller 1 can do this now' -> 'Smart teller 1 can do this now.'"""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def route_text(route: Route) -> str:
    """'You can do that now at Smart teller 1, self-service zone, first machine.'"""
    text = f"You can do that now at {route.name}"
    text += f", {route.location}." if route.location else "."
    # The hub's reason often just repeats the device name ("ATM 1 can do this
    # now"); say it only when it adds something.
    if route.reason and route.name.lower() not in route.reason.lower():
        text += " " + _sentence(route.reason)
    return text


def _people_ahead(position: int) -> str:
    """`position` is the hub's 1-based place in the queue (1 = next; 0 = no longer waiting)."""
    ahead = max(position - 1, 0)
    if ahead == 0:
        return "You are next"
    if ahead == 1:
        return "There is 1 person ahead of you"
    return f"There are {ahead} people ahead of you"


def ticket_text(ticket: Ticket) -> str:
    """'Your ticket is C 4 for Cards and PIN. There are 2 people ahead of you, about 5 to 10 minutes.'

    The queue place and ETA are the hub's at the moment of issue; the ticket's
    tracking page shows them live.
    """
    text = (
        f"Your ticket is {ticket.spoken_number} for {ticket.service_name}. {_people_ahead(ticket.position)}"
    )
    return text + _eta_clause(ticket) + arrival_text(ticket)


def _eta_clause(ticket: Ticket) -> str:
    if ticket.eta_minutes is None:
        return ". We will call you as soon as a counter opens."
    low, high = ticket.eta_minutes
    if high <= 1:
        return ", you should be called in a minute."
    if low <= 0:
        return f", at most about {high} minutes."
    return f", about {low} to {high} minutes."


def arrival_text(ticket: Ticket) -> str:
    """For a ticket taken from the app: when to be at the branch (kept in line, not called until then)."""
    if ticket.arrive_by is None:
        return ""
    deadline = say_time(ticket.arrive_by.time())
    return f" We keep your place until {deadline}: when you arrive, scan your ticket's QR code at the kiosk."


def decision_text(decision: str, reason: str, intent: str) -> str:
    """The hub's own phrase for appointment/info/staff answers, or a safe default.

    A reason that is a bare code (e.g. 'check_in') is not for customers' ears.
    """
    reason = reason.strip()
    if reason and reason != intent and " " in reason:
        return _sentence(reason)
    return DECISION_FALLBACK.get(decision, DECISION_FALLBACK["staff"])


def queue_status_text(ticket: Ticket) -> str:
    """Where the customer's ticket stands now, for "how long will it be?"."""
    if ticket.status == "waiting":
        text = f"Ticket {ticket.spoken_number}: {_people_ahead(ticket.position).lower()}"
        if ticket.eta_minutes is None:
            return text + ". We will call you as soon as a counter opens." + arrival_text(ticket)
        low, high = ticket.eta_minutes
        return text + f", about {low} to {high} minutes." + arrival_text(ticket)
    if ticket.status == "called":
        return f"Ticket {ticket.spoken_number} has been called. Please go to the counter shown on the screen."
    return f"Ticket {ticket.spoken_number} is {ticket.status.replace('_', ' ')}. Can I help with anything else?"


# -- offers, appointments and check-in -----------------------------------------------------------


def spoken_code(code: str) -> str:
    """'K7P2QX' -> 'K 7 P 2 Q X': a booking code read aloud one character at a time."""
    return " ".join(code)


def waiting_text(service_name: str, waiting: int, eta: tuple[int, int] | None) -> str:
    """'2 people are waiting for Cards and PIN, about 5 to 10 minutes.'"""
    if waiting == 0:
        if eta is None:
            return f"Nobody is waiting for {service_name}, but no counter is open for it yet."
        return f"Nobody is waiting for {service_name} right now, so you would be next."
    if waiting == 1:
        text = f"1 person is waiting for {service_name}"
    else:
        text = f"{waiting} people are waiting for {service_name}"
    if eta is None:
        return text + ", and no counter is open for it yet."
    low, high = eta
    if high <= 1:
        return text + "."
    return text + (f", at most about {high} minutes." if low <= 0 else f", about {low} to {high} minutes.")


def offer_question(channel: str) -> str:
    return "Shall I print you a ticket?" if channel == "kiosk" else "Shall I put you in the queue?"


NO_TICKET = "No problem, I haven't given you a ticket. Is there anything else I can help with?"
NOTHING_PENDING = "Of course. What would you like to do?"
FORM_STOPPED = "No problem, I've left it there. Is there anything else I can help with?"
ASK_CODE = "Please tell me your booking code. It has six letters and numbers, and it's on your confirmation."
ASK_SERVICE = "What would you like to see an advisor about?"
BOOKABLE_ONLY = "I can book appointments for {names}."
DATE_NOT_UNDERSTOOD = "Sorry, I didn't catch the day."
TIME_NOT_UNDERSTOOD = "Sorry, I didn't catch the time."
CODE_FORMAT = "A booking code has six letters and numbers, like K 7 P 2 Q X."


def busy_text(lines: list[QueueLine], names: dict[str, str], most: int = 3) -> str:
    """How busy the branch is, busiest services first, short enough to be spoken.

    'Right now 4 people are waiting for Cash and cheques, about 10 to 20 minutes, and 1 for Cards and PIN.
    Nobody is waiting for the other services.'
    """
    busy = sorted((line for line in lines if line.waiting > 0), key=lambda line: -line.waiting)
    if not busy:
        return "Nobody is waiting right now."
    parts = []
    for index, line in enumerate(busy[:most]):
        name = names.get(line.service, line.service)
        people = "person is" if line.waiting == 1 else "people are"
        part = f"{line.waiting} {people} waiting for {name}" if index == 0 else f"{line.waiting} for {name}"
        if line.eta_minutes is not None and index == 0:
            low, high = line.eta_minutes
            part += f", about {low} to {high} minutes" if low > 0 else f", at most about {high} minutes"
        parts.append(part)
    text = "Right now " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]) + "."
    if len(busy) > most:
        text += f" {len(busy) - most} more services have a few people waiting."
    else:
        text += " Nobody is waiting for the other services."
    return text
