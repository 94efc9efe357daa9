"""Custom actions of the Lobby assistant.

One action does the real work: `action_triage` asks the hub where the customer
should go (a device now, a counter ticket, an appointment, information or a
member of staff) and, for a ticket, issues it. All branch knowledge lives in
the hub; this module only translates between a Rasa turn and the hub API.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .hub_client import HubClient, HubUnavailable, TicketRequest, Triage, TriageRequest
from .phrasing import HUB_UNAVAILABLE, decision_text, queue_status_text, route_text, ticket_text
from .turn import TRIAGE_INTENTS, Turn, read_turn

logger = logging.getLogger(__name__)


class ActionTriage(Action):
    """Route the latest request through the hub's triage; issue a ticket if it says so."""

    def __init__(self, hub: HubClient | None = None) -> None:
        # rasa-sdk instantiates actions without arguments when the action
        # server starts; tests pass a client pointing at a stub hub.
        self._hub = hub if hub is not None else HubClient.from_env()

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
            # e.g. "500 pounds" with nothing asked before: ask what they need.
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        if turn.intent not in TRIAGE_INTENTS:
            logger.warning("action_triage called for intent %r, which the hub does not triage", turn.intent)
            dispatcher.utter_message(response="utter_default")
            return []
        try:
            triage = await self._hub.triage(
                TriageRequest(
                    intent=turn.intent, entities=turn.entities, channel=turn.channel, lang=turn.lang
                )
            )
            if triage.decision == "ticket":
                return await self._issue_ticket(dispatcher, tracker, turn, triage)
            if turn.intent == "queue_status" and (ticket_id := tracker.get_slot("last_ticket_id")):
                # The customer already has a ticket from this conversation: say where it stands now.
                dispatcher.utter_message(text=queue_status_text(await self._hub.ticket(str(ticket_id))))
                return []
            if triage.decision == "staff":
                await self._hub.alert_staff(triage.reason, turn.channel, tracker.sender_id, turn.lang)
        except HubUnavailable as exc:
            logger.error(
                "hub unavailable for intent %s (sender %s, turn %s): %s",
                turn.intent,
                tracker.sender_id,
                turn.turn_id,
                exc,
            )
            dispatcher.utter_message(text=HUB_UNAVAILABLE)
            return []
        if triage.decision == "device" and triage.device is not None:
            dispatcher.utter_message(
                text=route_text(triage.device), json_message={"route": triage.device.to_json()}
            )
        else:
            dispatcher.utter_message(text=decision_text(triage.decision, triage.reason, turn.intent))
        return []

    async def _issue_ticket(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        turn: Turn,
        triage: Triage,
    ) -> list[dict[str, Any]]:
        if not triage.service:
            raise HubUnavailable("bad_response", "decision 'ticket' without a service")
        ticket = await self._hub.issue_ticket(
            TicketRequest(
                service=triage.service,
                channel=turn.channel,
                lang=turn.lang,
                intent=turn.intent or "",
                # Same key when Rasa retries the same turn: the hub returns the
                # ticket it already issued instead of a second one.
                idempotency_key=f"{tracker.sender_id}:{turn.turn_id}",
            )
        )
        logger.info("issued ticket %s (%s) to %s", ticket.number, ticket.service, tracker.sender_id)
        dispatcher.utter_message(text=ticket_text(ticket), json_message={"ticket": dict(ticket.raw)})
        return [SlotSet("last_ticket_id", ticket.id)]
