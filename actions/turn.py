"""What the customer just asked, read from a rasa-sdk tracker.

Pure functions over the tracker state, so the action stays thin and these are
easy to test with a recorded tracker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lobby_wire.clarify import named_services
from lobby_wire.lang import normalise_lang
from rasa_sdk import Tracker

from .hub_client import EntityValue
from .numbers import amount_value, booking_code, canonical_amount

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL = "kiosk"
DEFAULT_LANG = "en"
LANG_SLOT = "lang"  # slot and entity: the turn's language
INFORM = "inform"

# DESIGN.md §3: intents that map to a service in branch.yml.
SERVICE_INTENTS = frozenset(
    {
        "withdraw_cash",
        "deposit_cash",
        "deposit_cheque",
        "transfer_money",
        "send_money_abroad",
        "exchange_currency",
        "open_account",
        "close_account",
        "report_lost_card",
        "replace_card",
        "reset_pin",
        "check_balance",
        "pay_bill",
        "update_details",
        "apply_loan",
        "mortgage",
        "invest",
        "business_banking",
        "make_complaint",
        "mobile_banking_help",
    }
)
# Conversation intents the hub's triage answers (info / staff). The appointment
# intents have forms of their own (actions/appointments.py).
HUB_CONVERSATION_INTENTS = frozenset({"queue_status", "talk_to_human", "branch_info"})
FORM_INTENTS = {
    "book_appointment": "booking_form",
    "reschedule_appointment": "reschedule_form",
    "cancel_appointment": "cancel_form",
    "check_in": "check_in_form",
}
TRIAGE_INTENTS = SERVICE_INTENTS | HUB_CONVERSATION_INTENTS


@dataclass(frozen=True, slots=True)
class Turn:
    """One user turn as the hub needs it."""

    intent: str | None
    entities: Mapping[str, EntityValue] = field(default_factory=dict)
    channel: str = DEFAULT_CHANNEL
    lang: str = DEFAULT_LANG
    turn_id: str = "0"
    # With no intent: the services the turn's words name, to ask between ("a credit card": lost, new, PIN?).
    choices: tuple[str, ...] = ()


def _normalise(name: str, value: EntityValue) -> EntityValue:
    """The hub's spelling of a value: codes upper case ("k7p2qx", "K七P二QX" -> "K7P2QX"), amounts a
    plain number ("两千" -> "2000", "two hundred" -> "200"); anything not understood goes as it came."""
    if name == "amount":
        amount = amount_value(value)
        return value if amount is None else canonical_amount(amount)
    if name == "appointment_code" and isinstance(value, str):
        return booking_code(value) or value.replace(" ", "").upper()
    return value


def entities_to_dict(entities: Iterable[Mapping[str, Any]] | None) -> dict[str, EntityValue]:
    """Rasa's entity list -> {name: value}; the first value of a name wins.

    Entries without a name or with a value that is not a JSON scalar (e.g. a
    Duckling interval dict) are skipped rather than sent half-understood.
    DIET and the regex extractor may both report an appointment code; the
    first one is kept.
    """
    out: dict[str, EntityValue] = {}
    for entity in entities or ():
        name = entity.get("entity")
        value = entity.get("value")
        if not name or name in out or name == LANG_SLOT or isinstance(value, bool):
            continue  # `lang` is the turn's language (LanguageTagger), not something the customer asked for
        if isinstance(value, (str, int, float)) and str(value).strip():
            out[str(name)] = _normalise(str(name), value)
    return out


def _intent_name(parse_data: Mapping[str, Any] | None) -> str | None:
    intent = (parse_data or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return str(name) if name else None


def _user_events(tracker: Tracker) -> list[Mapping[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def _metadata(tracker: Tracker) -> Mapping[str, Any]:
    """Client metadata of the latest message ({"channel", "lang"} from the hub).

    Rasa 3.6 copies the UserMessage metadata into the message's parse data.
    """
    metadata = tracker.latest_message.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _turn_id(event: Mapping[str, Any], ordinal: int) -> str:
    """Rasa's message_id, or the 1-based position of the user event in the conversation."""
    message_id = event.get("message_id") or (event.get("parse_data") or {}).get("message_id")
    return str(message_id or ordinal)


def _previous_request(tracker: Tracker) -> tuple[str | None, list[Mapping[str, Any]], str | None]:
    """Intent, entities and turn id of the last triage request before the current turn."""
    users = _user_events(tracker)
    for ordinal in range(len(users) - 1, 0, -1):  # skip the current (last) user event
        event = users[ordinal - 1]
        parse_data = event.get("parse_data") or {}
        name = _intent_name(parse_data)
        if name in TRIAGE_INTENTS:
            return name, list(parse_data.get("entities") or []), _turn_id(event, ordinal)
    return None, [], None


def channel_and_lang(tracker: Tracker) -> tuple[str, str]:
    """The client's channel (the hub's chat metadata) and the language to answer this turn in.

    The language is the `lang` slot, which the `lang` entity of every parsed
    message fills (so the conversation follows the customer's language from
    turn to turn), else the metadata's language, else English; always one of
    lobby_wire.lang.LANGUAGES.
    """
    metadata = _metadata(tracker)
    lang = normalise_lang(tracker.get_slot(LANG_SLOT)) or normalise_lang(metadata.get("lang")) or DEFAULT_LANG
    return str(metadata.get("channel") or DEFAULT_CHANNEL), lang


def read_turn(tracker: Tracker) -> Turn:
    """Intent, entities, channel, language and a per-turn id of the latest message.

    An `inform` turn ("2000 pounds", "my code is AB12CD") answers the previous
    request, so it is sent to the hub as that request with the new entities
    taking precedence, and keeps that request's turn id: a ticket issued for it
    is then found again by its idempotency key instead of issued twice. With no
    previous request, what it names decides (`lobby_wire.clarify.named_services`): "a personal loan" is a
    loan request of its own (this turn's id); "a credit card" leaves the intent None with the card services
    as `choices` to ask between; "500 pounds" leaves both empty.
    """
    latest = tracker.latest_message or {}
    intent = _intent_name(latest)
    entity_list = list(latest.get("entities") or [])
    own_id = _turn_id(latest, len(_user_events(tracker)))
    turn_id: str | None = own_id
    choices: tuple[str, ...] = ()
    if intent == INFORM:
        intent, earlier, turn_id = _previous_request(tracker)
        if intent is None:
            named = named_services(entity_list)
            if len(named) == 1:
                intent, turn_id = named[0], own_id
            else:
                choices = tuple(named)
        entity_list += earlier
    channel, lang = channel_and_lang(tracker)
    return Turn(
        intent=intent,
        entities=entities_to_dict(entity_list),
        channel=channel,
        lang=lang,
        turn_id=turn_id or "0",
        choices=choices,
    )
