"""What the kiosk says: fixed sentences and the wording of tickets and routes.

Kept together so a translation or a wording review touches one file.
"""

from __future__ import annotations

from assistant.protocol import RouteView, TicketView

PRINTER_DOWN = "Please take note of your number, the printer is not available."
HUB_DOWN = "Sorry, I cannot reach the branch system right now. Please ask a member of staff."
HUB_FAILED = "Sorry, something went wrong. Please try again or ask a member of staff."
NOT_HEARD = "Sorry, I did not catch that. Please try again, type your question or tap a tile."
MIC_DOWN = "Voice input is not available right now. Please type your question or tap a tile."
ASK_STAFF = "Please ask a member of staff, they will help you."
OFFLINE_BANNER = "We cannot reach the branch system right now. Please ask a member of staff."
TICKET_FOOTER = "Please wait until your number is called."


def ahead_text(ahead: int) -> str:
    """`ahead`: how many tickets are called before this one (TicketView.ahead)."""
    if ahead <= 0:
        return "You are next"
    return f"{ahead} ahead of you"


def eta_text(eta_minutes: tuple[int, int] | None) -> str:
    if eta_minutes is None:
        return "We will call you when a counter opens"
    low, high = eta_minutes
    return f"about {low}\u2013{high} min"


def ticket_sentence(ticket: TicketView, spoken: bool = False) -> str:
    """The ticket in one sentence; `spoken` reads well aloud ("A 23", "minutes")."""
    number = ticket.spoken_number if spoken else ticket.number
    eta = eta_text(ticket.eta_minutes)
    if spoken and ticket.eta_minutes is not None:
        eta = f"about {ticket.eta_minutes[0]} to {ticket.eta_minutes[1]} minutes"
    return f"Your number is {number}, for {ticket.service_name}. {ahead_text(ticket.ahead)}, {eta.lower()}."


def route_sentence(route: RouteView) -> str:
    return f"You can do this now at the {route.name}, {route.location}."
