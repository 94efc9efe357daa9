"""What the assistant says about a route or a ticket.

Written to be read aloud by the kiosk as well as shown: short sentences,
numbers as a speech engine says them well ("C 4", not "C004"). English only
for now; the hub already localises its own `reason` texts by `lang`.
"""

from __future__ import annotations

from .hub_client import Route, Ticket

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
    if ticket.eta_minutes is None:
        return text + ". We will call you as soon as a counter opens."
    low, high = ticket.eta_minutes
    if high <= 1:
        return text + ", you should be called in a minute."
    if low <= 0:
        return text + f", at most about {high} minutes."
    return text + f", about {low} to {high} minutes."


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
            return text + ". We will call you as soon as a counter opens."
        low, high = ticket.eta_minutes
        return text + f", about {low} to {high} minutes."
    if ticket.status == "called":
        return f"Ticket {ticket.spoken_number} has been called. Please go to the counter shown on the screen."
    return f"Ticket {ticket.spoken_number} is {ticket.status.replace('_', ' ')}. Can I help with anything else?"
