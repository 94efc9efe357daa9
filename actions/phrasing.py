"""What the assistant says about a route, a ticket or the queue, in the turn's language.

Written to be read aloud by the kiosk as well as shown: short sentences,
numbers as a speech engine says them well ("C 4", not "C004"). The words are
in the per-language catalogs (actions/catalog); these builders only choose
which template fits the numbers. The hub's own texts (triage reasons,
refusals) come in the language the actions sent it, and are used only when
they are in the turn's language (`fits_language`).
"""

from __future__ import annotations

from datetime import date, time

from lobby_wire import Decision, EtaWording, RouteView, TicketStatus, TicketView

from .catalog import fits_language, has, join_list, join_sentences, say
from .hub_client import QueueLine
from .when import say_date, say_time

# Decisions whose fallback sentence the catalogs have ("decision.<name>").
_DECISIONS_WITH_TEXT = (Decision.APPOINTMENT, Decision.INFO, Decision.STAFF)


def sentence(text: str, lang: str) -> str:
    """'smart teller 1 can do this now' -> 'Smart teller 1 can do this now.'"""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?。！？" else text + say(lang, "punct.full_stop")  # noqa: RUF001


def hub_text(text: str, lang: str) -> str:
    """A text the hub sent, if it can be said in `lang` as it is; else ''."""
    text = text.strip()
    return text if text and fits_language(text, lang) else ""


def route_text(route: RouteView, lang: str) -> str:
    """'You can do that now at Smart teller 1, self-service zone, first machine.'"""
    key = "route.at_location" if route.location else "route.at"
    text = say(lang, key, name=route.name, location=route.location)
    # The hub's reason often just repeats the device name ("ATM 1 can do this
    # now"); say it only when it adds something.
    reason = hub_text(route.reason, lang)
    if reason and route.name.lower() not in reason.lower():
        text = join_sentences(lang, text, sentence(reason, lang))
    return text


def people_ahead(position: int, lang: str, inline: bool = False) -> str:
    """`position` is the hub's 1-based place in the queue (1 = next; 0 = no longer waiting)."""
    ahead = max(position - 1, 0)
    prefix = "ahead.inline." if inline else "ahead."
    if ahead == 0:
        return say(lang, prefix + "none")
    if ahead == 1:
        return say(lang, prefix + "one")
    return say(lang, prefix + "many", count=ahead)


def ticket_text(ticket: TicketView, lang: str) -> str:
    """'Your ticket is C 4 for Cards and PIN. There are 2 people ahead of you, about 5 to 10 minutes.'

    The queue place and ETA are the hub's at the moment of issue; the ticket's
    tracking page shows them live.
    """
    text = say(
        lang,
        "ticket.issued",
        number=ticket.spoken_number,
        service=ticket.service_name,
        ahead=people_ahead(ticket.position, lang),
    )
    return text + _eta_clause(ticket, lang) + arrival_text(ticket, lang)


def eta_words(lang: str, prefix: str, eta: tuple[int, int], wording: str | None) -> str:
    """The wait as the hub words it, from the catalog's `<prefix>range|under|under_one|over`.

    The hub's wait model decides the wording (`eta_wording`): "under" is "less than `high`" (a
    minute or less: "less than a minute"), "over" is "more than `low`", anything else (an older hub
    sends none: `eta_wording_of`) the range.
    Nothing here looks at the numbers to choose: one rule, the hub's.
    """
    low, high = eta
    kind = "range"
    if wording == EtaWording.UNDER:
        kind = "under_one" if high <= 1 else "under"
    elif wording == EtaWording.OVER:
        kind = "over"
    return say(lang, prefix + kind, low=low, high=high)


def _eta_clause(ticket: TicketView, lang: str) -> str:
    if ticket.eta_minutes is None:
        return say(lang, "eta.none")
    return eta_words(lang, "eta.", ticket.eta_minutes, ticket.eta_wording)


def day_name(day: date, today: date, lang: str) -> str:
    """'tomorrow', 'Monday 30 November' (when.say_date in the turn's language)."""
    return say_date(day, today, lang=lang)


def time_name(moment: time, lang: str) -> str:
    """'3 pm', '10:30 am' (when.say_time in the turn's language)."""
    return say_time(moment, lang=lang)


def arrival_text(ticket: TicketView, lang: str) -> str:
    """For a ticket taken from the app: when to be at the branch (kept in line, not called until then)."""
    deadline = ticket.arrival_deadline
    if deadline is None:
        return ""
    return say(lang, "ticket.arrival", deadline=time_name(deadline.time(), lang))


def decision_text(decision: str, reason: str, intent: str, lang: str) -> str:
    """The hub's own phrase for a decision, or a safe default.

    A reason that is a bare code (e.g. 'check_in') is not for customers' ears.
    A ticket offer without a reason says nothing here: the wait and the
    question that follow it say all there is.
    """
    said = hub_text(reason, lang)
    if said and said != intent and (" " in said or fits_language(said, "zh")):
        return sentence(said, lang)
    if decision == Decision.TICKET:
        return ""
    return say(lang, f"decision.{decision if decision in _DECISIONS_WITH_TEXT else 'staff'}")


def status_word(lang: str, family: str, status: str) -> str:
    """A ticket or booking status as a word ('no_show' -> 'no show'); `family` is the catalog's key prefix."""
    key = f"{family}.{status}"
    return say(lang, key) if has(lang, key) else status.replace("_", " ")


def queue_status_text(ticket: TicketView, lang: str) -> str:
    """Where the customer's ticket stands now, for "how long will it be?"."""
    number = ticket.spoken_number
    if ticket.status == TicketStatus.WAITING:
        text = say(lang, "ticket.status.waiting", number=number, ahead=people_ahead(ticket.position, lang, True))
        return text + _eta_clause(ticket, lang) + arrival_text(ticket, lang)
    if ticket.status == TicketStatus.CALLED:
        return say(lang, "ticket.status.called", number=number)
    status = status_word(lang, "ticket_status", ticket.status)
    return say(lang, "ticket.status.other", number=number, status=status)


def spoken_code(code: str) -> str:
    """'K7P2QX' -> 'K 7 P 2 Q X': a booking code read aloud one character at a time (in every language)."""
    return " ".join(code)


def waiting_text(service_name: str, line: QueueLine | None, lang: str) -> str:
    """'2 people are waiting for Cards and PIN, about 5 to 10 minutes.' (`line`: the service's, if the hub has it)"""
    waiting = line.waiting if line else 0
    eta = line.eta_minutes if line else None
    if waiting == 0:
        return say(lang, "wait.nobody_closed" if eta is None else "wait.nobody", service=service_name)
    if waiting == 1:
        text = say(lang, "wait.one", service=service_name)
    else:
        text = say(lang, "wait.many", count=waiting, service=service_name)
    if line is None or eta is None:
        return text + say(lang, "wait.closed")
    return text + eta_words(lang, "eta.", eta, line.eta_wording)


def offer_question(channel: str, lang: str) -> str:
    return say(lang, "offer.question.kiosk" if channel == "kiosk" else "offer.question.remote")


def busy_text(lines: list[QueueLine], names: dict[str, str], lang: str, most: int = 3) -> str:
    """How busy the branch is, busiest services first, short enough to be spoken.

    'Right now 4 people are waiting for Cash and cheques, about 10 to 20 minutes, and 1 for Cards and PIN.
    Nobody is waiting for the other services.'
    """
    busy = sorted((line for line in lines if line.waiting > 0), key=lambda line: -line.waiting)
    if not busy:
        return say(lang, "busy.none")
    parts = []
    for index, line in enumerate(busy[:most]):
        name = names.get(line.service, line.service)
        if index > 0:
            parts.append(say(lang, "busy.other", count=line.waiting, service=name))
            continue
        key = "busy.first_one" if line.waiting == 1 else "busy.first_many"
        part = say(lang, key, count=line.waiting, service=name)
        if line.eta_minutes is not None:
            part += eta_words(lang, "busy.eta_", line.eta_minutes, line.eta_wording)
        parts.append(part)
    text = say(lang, "busy.sentence", parts=join_list(lang, parts, last="busy.last_sep", sep="busy.sep"))
    if len(busy) > most:
        return text + say(lang, "busy.more", count=len(busy) - most)
    return text + say(lang, "busy.rest_empty")
