"""Custom actions of the Lobby assistant: routing and tickets.

`action_triage` asks the hub where the customer should go (a device now, a
counter ticket, an appointment, information or a member of staff). A ticket is
offered first, with the live wait ("2 people are waiting, about 5 to 10
minutes. Shall I print you a ticket?"); `action_accept_offer` issues it on a
yes, `action_decline_offer` drops it on a no. All branch knowledge lives in the
hub; this module only translates between a Rasa turn and the hub API. The
appointment forms are in appointments.py.
"""

from __future__ import annotations

import logging
from typing import Any

from lobby_wire import Channel, ClientFailure, Decision, TriageView
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .appointments import SERVICE
from .base import HubAction
from .catalog import join_sentences, say
from .clarify import choices_message
from .hub_client import HubUnavailable, TicketRequest, TriageRequest
from .phrasing import (
    busy_text,
    decision_text,
    hub_text,
    offer_question,
    queue_status_text,
    route_text,
    sentence,
    ticket_text,
    waiting_text,
)
from .turn import TRIAGE_INTENTS, Turn, channel_and_lang, read_turn

OFFER = "offer"  # slot: the ticket offered and not yet accepted, {"service", "intent", "turn_id"}

logger = logging.getLogger(__name__)


class ActionTriage(HubAction):
    """Route the latest request through the hub's triage; offer a ticket if it says so."""

    def name(self) -> str:
        return "action_triage"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        turn = read_turn(tracker)
        if turn.intent is None:
            # "a credit card" with nothing asked before: which card service; "500 pounds": what they need.
            if message := choices_message(turn.choices, turn.lang):
                dispatcher.utter_message(text=message["text"], buttons=message["buttons"])
            else:
                dispatcher.utter_message(text=say(turn.lang, "nothing_pending"))
            return []
        if turn.intent not in TRIAGE_INTENTS:
            logger.warning("action_triage called for intent %r, which the hub does not triage", turn.intent)
            dispatcher.utter_message(response="utter_default")
            return []
        try:
            triage = await self._hub.triage(
                TriageRequest(intent=turn.intent, entities=turn.entities, channel=turn.channel, lang=turn.lang)
            )
            if triage.decision is Decision.TICKET:
                return await self._offer_ticket(dispatcher, turn, triage)
            if turn.intent == "queue_status":
                if ticket_id := tracker.get_slot("last_ticket_id"):
                    # The customer already has a ticket from this conversation: say where it stands now.
                    ticket = await self._hub.ticket(str(ticket_id), turn.lang)
                    dispatcher.utter_message(text=queue_status_text(ticket, turn.lang))
                else:
                    names = {s.id: s.name for s in await self._hub.services(turn.lang)}
                    dispatcher.utter_message(text=busy_text(await self._hub.queue(), names, turn.lang))
                return []
            if turn.intent == "branch_info" and triage.decision is Decision.INFO:
                dispatcher.utter_message(text=await self._branch_info_text(turn, triage))
                return []
            if triage.decision is Decision.STAFF:
                await self._hub.alert_staff(triage.reason, turn.channel, tracker.sender_id, turn.lang)
        except HubUnavailable as exc:
            logger.error(
                "hub unavailable for intent %s (sender %s, turn %s): %s",
                turn.intent,
                tracker.sender_id,
                turn.turn_id,
                exc,
            )
            dispatcher.utter_message(text=say(turn.lang, "hub_unavailable"))
            return []
        if triage.decision is Decision.DEVICE and triage.device is not None:
            route = route_text(triage.device, turn.lang)
            dispatcher.utter_message(text=route, json_message={"route": triage.device.to_json()})
        else:
            dispatcher.utter_message(text=decision_text(triage.decision, triage.reason, turn.intent, turn.lang))
        return []

    async def _branch_info_text(self, turn: Turn, triage: TriageView) -> str:
        """Opening hours and address in the turn's language.

        The hub's triage answer when it can be said as it is (the hub words it in the request's lang);
        else (a reason left in another language, or a bare code) the `info_text` of
        GET /api/v1/branch?lang=, the hub's own page about itself; only then "ask at the front desk".
        """
        lang = turn.lang
        # As a ticket's reason, decision_text gives the hub's words or "" (no default) when they cannot be said.
        said = decision_text(Decision.TICKET, triage.reason, turn.intent or "", lang)
        if said:
            return said
        try:
            info = hub_text((await self._hub.branch(lang)).info_text, lang)
        except HubUnavailable as exc:
            logger.warning("branch info in %s unavailable: %s", lang, exc)
            info = ""
        return sentence(info, lang) if info else decision_text(triage.decision, "", turn.intent or "", lang)

    async def _offer_ticket(
        self, dispatcher: CollectingDispatcher, turn: Turn, triage: TriageView
    ) -> list[dict[str, Any]]:
        """Say why a counter, how long the wait is, and ask before issuing (a ticket nobody wanted skews the queue)."""
        if not triage.service:
            raise HubUnavailable(ClientFailure.BAD_RESPONSE, "decision 'ticket' without a service")
        lang = turn.lang
        if turn.channel != Channel.KIOSK and triage.remote_join_refusal:
            return _no_remote_join(dispatcher, triage, lang)
        line = await self._hub.queue_line(triage.service)
        names = {s.id: s.name for s in await self._hub.services(lang)}
        name = names.get(triage.service, triage.service)
        wait = waiting_text(name, line, lang)
        reason = decision_text(Decision.TICKET, triage.reason, turn.intent or "", lang)
        said = [reason, wait, offer_question(turn.channel, lang)]
        yes = "button.yes_ticket" if turn.channel == Channel.KIOSK else "button.yes_queue"
        buttons = [{"title": say(lang, yes), "payload": "/affirm"}]
        events: list[dict[str, Any]] = []
        if triage.bookable:
            said.append(say(lang, "offer.or_book"))
            buttons.append({"title": say(lang, "button.book"), "payload": "/book_appointment"})
            events.append(SlotSet(SERVICE, triage.service))  # a booking that follows is for this service
        buttons.append({"title": say(lang, "button.no_thanks"), "payload": "/deny"})
        dispatcher.utter_message(text=join_sentences(lang, *said), buttons=buttons)
        offer = {"service": triage.service, "intent": turn.intent or "", "turn_id": turn.turn_id}
        return [SlotSet(OFFER, offer), *events]


def _no_remote_join(dispatcher: CollectingDispatcher, triage: TriageView, lang: str) -> list[dict[str, Any]]:
    """From the app, when the queue cannot be joined remotely now: say why; offer a booking if there is one."""
    reason = hub_text(triage.remote_join_refusal or "", lang).rstrip(".。")
    said = [say(lang, "offer.no_remote_join", reason=reason) if reason else say(lang, "offer.no_remote_join_plain")]
    buttons = []
    events: list[dict[str, Any]] = []
    if triage.bookable:
        said.append(say(lang, "offer.book_instead"))
        buttons.append({"title": say(lang, "button.book"), "payload": "/book_appointment"})
        events.append(SlotSet(SERVICE, triage.service))
    dispatcher.utter_message(text=join_sentences(lang, *said), buttons=buttons)
    return events


class ActionAcceptOffer(HubAction):
    """ "Yes" to an offered ticket: issue it (once, even if Rasa retries the turn)."""

    def name(self) -> str:
        return "action_accept_offer"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        offer = tracker.get_slot(OFFER)
        channel, lang = channel_and_lang(tracker)
        if not isinstance(offer, dict) or not offer.get("service"):
            dispatcher.utter_message(text=say(lang, "nothing_pending"))
            return []
        try:
            ticket = await self._hub.issue_ticket(
                TicketRequest(
                    service=str(offer["service"]),
                    channel=channel,
                    lang=lang,
                    intent=str(offer.get("intent") or ""),
                    # Keyed by the turn that asked: a retried "yes" (or a second
                    # "yes") gets the ticket already issued, not another one.
                    idempotency_key=f"{tracker.sender_id}:{offer.get('turn_id')}",
                )
            )
        except HubUnavailable as exc:
            logger.error("hub unavailable issuing the offered ticket for %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(text=say(lang, "hub_unavailable"))
            return [SlotSet(OFFER, None)]
        logger.info("issued ticket %s (%s) to %s", ticket.number, ticket.service, tracker.sender_id)
        dispatcher.utter_message(text=ticket_text(ticket, lang), json_message={"ticket": ticket.to_json()})
        return [SlotSet(OFFER, None), SlotSet(SERVICE, None), SlotSet("last_ticket_id", ticket.id)]


class ActionDeclineOffer(Action):
    """ "No": drop an offered ticket, or end the visit when nothing was pending."""

    def name(self) -> str:
        return "action_decline_offer"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        if tracker.get_slot(OFFER):
            _, lang = channel_and_lang(tracker)
            dispatcher.utter_message(text=say(lang, "no_ticket"))
            return [SlotSet(OFFER, None), SlotSet(SERVICE, None)]
        dispatcher.utter_message(response="utter_goodbye")
        return []
