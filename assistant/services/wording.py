"""What the hub says to a customer, in their language: catalog templates (`assistant.i18n`) filled
with the branch's own names in that language (branch.yml).

The domain decides with codes (`assistant.domain.routing.Reason`, `Blocked`); the words are chosen
here, once per request, for the language the request or the ticket carries.
"""

from __future__ import annotations

from datetime import datetime

from assistant.domain.routing import Blocked, Reason, Route
from assistant.i18n import hours_text, join_list, say, say_if_known, sentences, ticket_number
from assistant.settings import BranchInfo, Settings
from lobby_wire.tickets import TicketView


def branch_info_text(branch: BranchInfo, lang: str | None) -> str:
    """What the assistant says for "when are you open / where are you": short, readable aloud."""
    address = branch.display_address(lang)
    facilities = branch.display_facilities(lang)
    return sentences(
        [
            say("info.hours", lang, hours=hours_text(branch.opening_hours, lang)),
            say("info.address", lang, address=address) if address else "",
            say("info.facilities", lang, facilities=join_list(facilities, lang)) if facilities else "",
        ],
        lang,
    )


def kind_text(kind: str, lang: str | None) -> str:
    """How a device kind is said ("cash machine", "自动取款机"); a kind without words says its id."""
    return say_if_known(f"kind.{kind}", lang) or kind.replace("_", " ")


def blocked_text(blocked: Blocked, lang: str | None) -> str:
    kind = kind_text(blocked.kind, lang)
    if blocked.max_amount is None:
        return say("blocked.none_free", lang, kind=kind)
    return say("blocked.over_limit", lang, kind=kind, limit=f"{blocked.max_amount:,}")


def reason_text(route: Route, settings: Settings, lang: str | None) -> str:
    """Why the customer goes where triage sends them, as one or two sentences."""
    if route.reason is Reason.DEVICE_FREE:
        device = next(d for d in settings.devices if d.id == route.device_id)
        return say("reason.device_free", lang, device=device.display_name(lang))
    if route.reason is Reason.COUNTER and route.blocked:
        why = join_list([blocked_text(blocked, lang) for blocked in route.blocked], lang)
        return say("reason.counter_because", lang, why=why)
    if route.reason is Reason.BRANCH_INFO:
        return branch_info_text(settings.branch, lang)
    return say(f"reason.{route.reason.value}", lang)


def arrive_by_text(arrive_by: str, lang: str | None) -> str:
    """When a customer who joined from the app must check in at the branch (`arrive_by`: ISO, branch time)."""
    return say("arrive_by", lang, time=datetime.fromisoformat(arrive_by).strftime("%H:%M"))


def eta_text(eta: tuple[int, int] | None, wording: str | None, lang: str | None) -> str:
    """The wait as a customer is told it: "about 5 to 10 minutes", "less than 5 minutes" (the range
    starts at 0), "more than 40 minutes" (too wide to mean more); `wording`: assistant.domain.eta.Wording."""
    if eta is None:
        return say("eta.unknown", lang)
    low, high = eta
    if wording == "under":
        return say("eta.under_one", lang) if high <= 1 else say("eta.under", lang, high=high)
    if wording == "over":
        return say("eta.over", lang, low=low)
    return say("eta.range", lang, low=low, high=high)


def branch_closed_text(ticket: TicketView) -> str:
    """The push to a customer whose ticket was still waiting when the branch closed."""
    return say("push.branch_closed", ticket.lang, number=ticket_number(ticket.number, ticket.lang))


def people_ahead(ahead: int, lang: str | None) -> str:
    if ahead <= 0:
        return say("people.none", lang)
    return say("people.one", lang) if ahead == 1 else say("people.many", lang, count=ahead)


# -- the chat socket's pushes, each in the ticket's own language ---------------------------------


def expired_text(ticket: TicketView) -> str:
    number = ticket_number(ticket.number, ticket.lang)
    return sentences([say("push.expired", ticket.lang, number=number), say("push.take_new", ticket.lang)], ticket.lang)


def called_text(ticket: TicketView) -> str:
    counter = ticket.counter_name or ticket.counter or ""
    return say("push.called", ticket.lang, number=ticket_number(ticket.number, ticket.lang), counter=counter)


def nearly_text(ticket: TicketView) -> str:
    """Nearly their turn; a customer still on the way (`arrive_by`) is told to come, and by when."""
    lang = ticket.lang
    values = {"people": people_ahead(ticket.ahead, lang), "number": ticket_number(ticket.number, lang)}
    if ticket.arrive_by:
        return sentences([say("push.head_over", lang, **values), arrive_by_text(ticket.arrive_by, lang)], lang)
    return say("push.nearly", lang, **values)
