"""action_triage on trackers a real Rasa server sent (recordings/, made by record_trackers.py)."""

from __future__ import annotations

import pytest
from builders import load_recording
from hub_stub import HubStub
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionTriage
from actions.hub_client import HubClient

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


async def test_recorded_lost_card_turn_gets_a_cards_ticket(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply("/api/v1/triage", 200, {"decision": "ticket", "service": "cards", "reason": "staff will help"})
    hub.reply("/api/v1/tickets", 201, TICKET)
    recording = load_recording("lost_card.json")
    tracker = Tracker.from_dict(recording["tracker"])
    dispatcher = CollectingDispatcher()

    events = await ActionTriage(hub_client).run(dispatcher, tracker, domain={})

    assert recording["next_action"] == "action_triage"
    assert hub.bodies("/api/v1/triage") == [
        {"intent": "report_lost_card", "entities": {}, "channel": "kiosk", "lang": "en"}
    ]
    assert hub.bodies("/api/v1/tickets")[0]["idempotency_key"] == "recorded-lost_card:lost_card-2"
    assert dispatcher.messages[0]["text"].startswith("Your ticket is C 4 for Cards and PIN.")
    assert dispatcher.messages[0]["custom"] == {"ticket": TICKET}
    assert [event["name"] for event in events] == ["last_ticket_id"]


async def test_recorded_amount_follow_up_completes_the_withdrawal(
    hub: HubStub, hub_client: HubClient
) -> None:
    hub.reply(
        "/api/v1/triage", 200, {"decision": "ticket", "service": "cash", "reason": "over the ATM limit"}
    )
    hub.reply(
        "/api/v1/tickets", 201, dict(TICKET, number="A023", service="cash", service_name="Cash and cheques")
    )
    tracker = Tracker.from_dict(load_recording("withdraw_then_amount.json")["tracker"])

    await ActionTriage(hub_client).run(CollectingDispatcher(), tracker, domain={})

    assert hub.bodies("/api/v1/triage") == [
        {
            "intent": "withdraw_cash",
            "entities": {"amount": "2000", "currency": "GBP"},
            "channel": "mobile",
            "lang": "zh",
        }
    ]
    # keyed to the withdrawal request (turn 1), not the follow-up
    assert hub.bodies("/api/v1/tickets")[0]["idempotency_key"] == (
        "recorded-withdraw_then_amount:withdraw_then_amount-1"
    )
