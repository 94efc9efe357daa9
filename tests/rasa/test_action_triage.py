"""action_triage against a real HTTP stub of the hub on 127.0.0.1."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from builders import entity, make_tracker, user_event
from hub_stub import HubStub
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionTriage
from actions.hub_client import HubClient
from actions.phrasing import HUB_UNAVAILABLE

pytestmark = pytest.mark.asyncio

TRIAGE = "/api/v1/triage"
TICKETS = "/api/v1/tickets"
ALERTS = "/api/v1/staff-alerts"

STM = {
    "service": "cash",
    "device_id": "stm-1",
    "kind": "stm",
    "name": "Smart teller 1",
    "location": "self-service zone, first machine",
    "reason": "Smart teller 1 can do this now",
}


def ticket_json(**changes: Any) -> dict[str, Any]:
    ticket = {
        "id": "t-7f3a",
        "number": "C004",
        "service": "cards",
        "service_name": "Cards and PIN",
        "status": "waiting",
        "position": 3,  # 1-based place in the queue: 2 people ahead
        "eta_minutes": [5, 10],
        "issued_at": "2026-03-02T10:15:00+00:00",
        "track_url": "http://127.0.0.1:8000/t/t-7f3a",
        "counter": None,
        "priority": "normal",
    }
    ticket.update(changes)
    return ticket


async def run(action: ActionTriage, tracker: Tracker) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain={})
    return dispatcher, events


async def test_device_route_tells_where_and_carries_the_route(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "device", "service": "cash", "reason": STM["reason"], "device": STM})
    tracker = make_tracker(
        "withdraw_cash",
        [entity("amount", "200"), entity("currency", "GBP", 20)],
        metadata={"channel": "mobile", "lang": "zh"},
    )

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TRIAGE) == [
        {
            "intent": "withdraw_cash",
            "entities": {"amount": "200", "currency": "GBP"},
            "channel": "mobile",
            "lang": "zh",
        }
    ]
    assert hub.bodies(TICKETS) == []  # a device route issues no ticket
    [message] = dispatcher.messages
    assert message["text"] == "You can do that now at Smart teller 1, self-service zone, first machine."
    assert message["custom"] == {"route": STM}
    assert events == []


async def test_device_reason_that_adds_information_is_spoken(hub: HubStub, hub_client: HubClient) -> None:
    device = dict(STM, reason="it takes cheques up to 3000")
    hub.reply(TRIAGE, 200, {"decision": "device", "service": "cash", "reason": "", "device": device})

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("deposit_cheque"))

    assert dispatcher.messages[0]["text"].endswith("first machine. It takes cheques up to 3000.")


async def test_ticket_is_issued_once_per_turn_and_spoken(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(
        TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": "a member of staff will help you"}
    )
    hub.reply(TICKETS, 201, ticket_json())
    tracker = make_tracker(
        "report_lost_card", text="i lost my card", message_id="4f1c9e", sender_id="kiosk-7"
    )

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TICKETS) == [
        {
            "service": "cards",
            "channel": "kiosk",  # defaults: no metadata on this message
            "lang": "en",
            "intent": "report_lost_card",
            "idempotency_key": "kiosk-7:4f1c9e",
        }
    ]
    [message] = dispatcher.messages
    assert message["text"] == (
        "Your ticket is C 4 for Cards and PIN. There are 2 people ahead of you, about 5 to 10 minutes."
    )
    assert message["custom"] == {"ticket": ticket_json()}
    assert events == [SlotSet("last_ticket_id", "t-7f3a")]


async def test_idempotency_key_falls_back_to_the_user_turn_number(
    hub: HubStub, hub_client: HubClient
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": ""})
    hub.reply(TICKETS, 201, ticket_json())
    history = [user_event("greet", text="hello"), {"event": "bot", "text": "Hello"}]
    tracker = make_tracker("reset_pin", message_id=None, sender_id="chat-1", history=history)

    await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TICKETS)[0]["idempotency_key"] == "chat-1:2"


@pytest.mark.parametrize(
    ("position", "eta", "expected"),
    [
        (
            1,
            None,
            "Your ticket is C 4 for Cards and PIN. You are next. "
            "We will call you as soon as a counter opens.",
        ),
        (
            2,
            [0, 3],
            "Your ticket is C 4 for Cards and PIN. There is 1 person ahead of you, at most about 3 minutes.",
        ),
        (
            0,  # no longer waiting (an idempotent replay after the call)
            [0, 1],
            "Your ticket is C 4 for Cards and PIN. You are next, you should be called in a minute.",
        ),
        (
            13,
            [30, 55],
            "Your ticket is C 4 for Cards and PIN. There are 12 people ahead of you, about 30 to 55 minutes.",
        ),
    ],
)
async def test_ticket_wording_for_queue_and_eta(
    hub: HubStub, hub_client: HubClient, position: int, eta: list[int] | None, expected: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": ""})
    hub.reply(TICKETS, 201, ticket_json(position=position, eta_minutes=eta))

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("replace_card"))

    assert dispatcher.messages[0]["text"] == expected


@pytest.mark.parametrize(
    ("decision", "reason", "expected"),
    [
        ("info", "We are open until 7 pm today.", "We are open until 7 pm today."),
        ("staff", "a colleague is on the way", "A colleague is on the way."),
        (
            "appointment",
            "check_in",
            "A member of staff at the front desk can book, check in or cancel an appointment for you.",
        ),
    ],
)
async def test_appointment_info_staff_speak_the_hub_reason(
    hub: HubStub, hub_client: HubClient, decision: str, reason: str, expected: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": decision, "service": None, "reason": reason})
    hub.reply(ALERTS, 202, {"status": "alerted"})

    dispatcher, events = await run(ActionTriage(hub_client), make_tracker("check_in"))

    assert [m["text"] for m in dispatcher.messages] == [expected]
    assert hub.bodies(TICKETS) == []
    assert events == []
    # Only a request for a person alerts the staff screens.
    assert len(hub.bodies(ALERTS)) == (1 if decision == "staff" else 0)


async def test_talk_to_human_alerts_staff_and_reassures(hub: HubStub, hub_client: HubClient) -> None:
    reason = "A member of staff has been told and will be with you shortly."
    hub.reply(TRIAGE, 200, {"decision": "staff", "service": None, "reason": reason})
    hub.reply(ALERTS, 202, {"status": "alerted"})

    tracker = make_tracker("talk_to_human", metadata={"channel": "mobile", "lang": "en"}, sender_id="app-7")
    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert [m["text"] for m in dispatcher.messages] == [reason]
    assert hub.bodies(ALERTS) == [{"reason": reason, "channel": "mobile", "sender": "app-7", "lang": "en"}]


async def test_talk_to_human_with_the_alert_failing_says_so(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "staff", "service": None, "reason": "Staff are coming."})
    hub.reply(ALERTS, 500, {"error": {"code": "internal_error", "message": "boom"}})

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("talk_to_human"))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE]  # never promise what did not happen


async def test_queue_status_reads_the_ticket_of_this_conversation(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": "See the lobby screen."})
    hub.reply("/api/v1/tickets/t-42", 200, ticket_json(id="t-42", number="C004", position=3, eta_minutes=[5, 10]))

    tracker = make_tracker("queue_status", slots={"last_ticket_id": "t-42"})
    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert [m["text"] for m in dispatcher.messages] == ["Ticket C 4: there are 2 people ahead of you, about 5 to 10 minutes."]
    assert [r.method for r in hub.requests if r.path == "/api/v1/tickets/t-42"] == ["GET"]


async def test_queue_status_without_a_ticket_gives_the_hub_answer(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": "See the lobby screen for waiting times."})

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("queue_status"))

    assert [m["text"] for m in dispatcher.messages] == ["See the lobby screen for waiting times."]


async def test_hub_down_gets_a_polite_answer_and_an_error_log(
    dead_hub_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    action = ActionTriage(HubClient(dead_hub_url, timeout_seconds=2.0))

    with caplog.at_level(logging.ERROR, logger="actions.actions"):
        dispatcher, events = await run(action, make_tracker("withdraw_cash"))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE]
    assert events == []
    assert "unreachable" in caplog.text and "withdraw_cash" in caplog.text


async def test_hub_timeout_gets_the_polite_answer(hub: HubStub, caplog: pytest.LogCaptureFixture) -> None:
    hub.delay_seconds = 1.0
    action = ActionTriage(HubClient(hub.url, timeout_seconds=0.2))

    with caplog.at_level(logging.ERROR, logger="actions.actions"):
        dispatcher, _ = await run(action, make_tracker("pay_bill"))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE]
    assert "timeout" in caplog.text


@pytest.mark.parametrize(
    ("triage_reply", "ticket_reply", "code"),
    [
        ((500, {"error": {"code": "internal", "message": "database is locked"}}), None, "http_500"),
        ((422, {"error": {"code": "unknown_intent", "message": "no service"}}), None, "http_422"),
        ((200, "<html>proxy error</html>"), None, "bad_response"),
        ((200, {"decision": "teleport", "service": None, "reason": ""}), None, "bad_response"),
        (
            (200, {"decision": "ticket", "service": "cards", "reason": ""}),
            (503, {"error": {"code": "busy", "message": "x"}}),
            "http_503",
        ),
        (
            (200, {"decision": "ticket", "service": "cards", "reason": ""}),
            (201, {"id": "t-1"}),
            "bad_response",
        ),
    ],
)
async def test_hub_errors_get_the_polite_answer(
    hub: HubStub,
    hub_client: HubClient,
    caplog: pytest.LogCaptureFixture,
    triage_reply: tuple[int, Any],
    ticket_reply: tuple[int, Any] | None,
    code: str,
) -> None:
    hub.reply(TRIAGE, *triage_reply)
    if ticket_reply is not None:
        hub.reply(TICKETS, *ticket_reply)

    with caplog.at_level(logging.ERROR, logger="actions.actions"):
        dispatcher, events = await run(ActionTriage(hub_client), make_tracker("report_lost_card"))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE]
    assert events == []
    assert code in caplog.text


async def test_inform_completes_the_previous_request(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cash", "reason": ""})
    hub.reply(TICKETS, 201, ticket_json(number="A023", service="cash", service_name="Cash and cheques"))
    history = [
        user_event("withdraw_cash", [entity("currency", "GBP")], message_id="m-1"),
        {"event": "action", "name": "action_triage"},
        {"event": "bot", "text": "You can do that now at ATM 1, outside."},
    ]
    tracker = make_tracker(
        "inform", [entity("amount", "2000")], text="2000", message_id="m-2", sender_id="k", history=history
    )

    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TRIAGE)[0]["intent"] == "withdraw_cash"
    assert hub.bodies(TRIAGE)[0]["entities"] == {"amount": "2000", "currency": "GBP"}
    # the ticket belongs to the request being completed: a repeat finds the same ticket
    assert hub.bodies(TICKETS)[0]["idempotency_key"] == "k:m-1"
    assert dispatcher.messages[0]["text"].startswith("Your ticket is A 23 for Cash and cheques.")


@pytest.mark.parametrize(
    ("intent", "response"), [("inform", "utter_how_can_i_help"), ("greet", "utter_default")]
)
async def test_turns_without_a_request_do_not_call_the_hub(
    hub: HubStub, hub_client: HubClient, intent: str, response: str
) -> None:
    dispatcher, events = await run(ActionTriage(hub_client), make_tracker(intent, [entity("amount", "50")]))

    assert hub.requests == []
    assert [m["response"] for m in dispatcher.messages] == [response]
    assert events == []
