"""The actions on trackers a real Rasa server sent (recordings/, made by record_trackers.py).

Each recording is the webhook body Rasa posted for one action in a played
conversation, so these tests see the real slot, entity and metadata shapes.
"""

from __future__ import annotations

from typing import Any

import pytest
from actions.actions import ActionAcceptOffer, ActionTriage
from actions.appointments import ActionCheckIn, ValidateBookingForm
from actions.hub_client import HubClient
from lobby_wire import TicketView
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from builders import load_recording
from hub_stub import HubStub
from test_appointments import CHECKED_IN_TICKET, appointment_json, serve_branch

pytestmark = pytest.mark.asyncio

TICKET = {
    "id": "t-1",
    "number": "C004",
    "service": "cards",
    "service_name": "Cards and PIN",
    "status": "waiting",
    "position": 3,
    "eta_minutes": [5, 10],
    "issued_at": "2026-03-02T10:15:00+00:00",
    "track_url": "http://127.0.0.1:8000/t/t-1",
}
QUEUE = {
    "services": [
        {"service": "cards", "name": "Cards and PIN", "waiting": 2, "longest_wait_minutes": 4, "eta_minutes": [5, 10]},
        {"service": "cash", "name": "Cash and cheques", "waiting": 0, "longest_wait_minutes": 0, "eta_minutes": [0, 4]},
    ],
    "counters": [],
    "at": "2026-03-02T10:15:00+00:00",
}


def recorded(name: str, action: str) -> Tracker:
    recording = load_recording(name)
    assert recording["next_action"] == action  # what the trained model really called
    return Tracker.from_dict(recording["tracker"])


def services(hub: HubStub, lang: str) -> None:
    names = [("cards", "Cards and PIN"), ("cash", "Cash and cheques")]
    body = {"services": [{"id": i, "name": n, "prefix": "C", "intents": []} for i, n in names]}
    hub.reply(f"/api/v1/services?lang={lang}", 200, body)


async def run(action: Any, tracker: Tracker) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain={})
    return dispatcher, events


async def test_recorded_lost_card_turn_gets_a_cards_ticket_offer(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply("/api/v1/triage", 200, {"decision": "ticket", "service": "cards", "reason": "staff will help"})
    hub.reply("/api/v1/queue", 200, QUEUE)
    services(hub, "en")

    dispatcher, events = await run(ActionTriage(hub_client), recorded("lost_card.json", "action_triage"))

    assert hub.bodies("/api/v1/triage") == [
        {"intent": "report_lost_card", "entities": {}, "channel": "kiosk", "lang": "en"}
    ]
    assert dispatcher.messages[0]["text"] == (
        "Staff will help. 2 people are waiting for Cards and PIN, about 5 to 10 minutes. Shall I print you a ticket?"
    )
    offer = {"service": "cards", "intent": "report_lost_card", "turn_id": "lost_card-2"}
    assert events == [SlotSet("offer", offer)]


async def test_recorded_amount_follow_up_completes_the_withdrawal(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply("/api/v1/triage", 200, {"decision": "ticket", "service": "cash", "reason": "over the ATM limit"})
    hub.reply("/api/v1/queue", 200, QUEUE)
    services(hub, "zh")

    _, events = await run(ActionTriage(hub_client), recorded("withdraw_then_amount.json", "action_triage"))

    assert hub.bodies("/api/v1/triage") == [
        {
            "intent": "withdraw_cash",
            "entities": {"amount": "2000", "currency": "GBP"},
            "channel": "mobile",
            "lang": "zh",
        }
    ]
    # keyed to the withdrawal request (turn 1), not the follow-up
    offer = {"service": "cash", "intent": "withdraw_cash", "turn_id": "withdraw_then_amount-1"}
    assert events == [SlotSet("offer", offer)]


async def test_recorded_yes_issues_the_offered_ticket(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply("/api/v1/tickets", 201, TICKET)

    dispatcher, events = await run(ActionAcceptOffer(hub_client), recorded("lost_card_yes.json", "action_accept_offer"))

    [body] = hub.bodies("/api/v1/tickets")
    assert body["idempotency_key"] == "recorded-lost_card_yes:lost_card_yes-1"
    assert (body["service"], body["channel"], body["intent"]) == ("cards", "kiosk", "report_lost_card")
    assert dispatcher.messages[0]["custom"] == {"ticket": TicketView.from_json(TICKET).to_json()}
    assert SlotSet("last_ticket_id", "t-1") in events


async def test_recorded_correction_moves_the_time_and_keeps_the_day(hub: HubStub, hub_client: HubClient) -> None:
    # "no make it 3pm" at the confirmation, as the model parsed it in a real conversation.
    serve_branch(hub)

    dispatcher, events = await run(
        ValidateBookingForm(hub_client), recorded("booking_correction.json", "validate_booking_form")
    )

    assert dispatcher.messages == []
    assert SlotSet("booking_time", "15:00") in events
    assert not [e for e in events if e["name"] == "booking_date"]  # the day stays


async def test_recorded_check_in_sentence_checks_in(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("/api/v1/appointments/K7P2QX?lang=en", 200, appointment_json())
    check_in = {"code": "K7P2QX", "arrival": "on_time", "message": "checked in"}
    hub.reply("/api/v1/appointments/K7P2QX/check-in", 201, {**CHECKED_IN_TICKET, "check_in": check_in})

    dispatcher, events = await run(ActionCheckIn(hub_client), recorded("check_in_code.json", "action_check_in"))

    assert hub.bodies("/api/v1/appointments/K7P2QX/check-in") == [{"channel": "kiosk", "lang": "en"}]
    assert "Your ticket is L 3" in dispatcher.messages[0]["text"]
    assert SlotSet("last_ticket_id", "t-9") in events
