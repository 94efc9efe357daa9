"""action_triage against a real HTTP stub of the hub on 127.0.0.1."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from actions.actions import ActionAcceptOffer, ActionDeclineOffer, ActionTriage
from actions.hub_client import HubClient
from lobby_wire import TicketView
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from builders import entity, make_tracker, user_event
from hub_stub import HubStub

pytestmark = pytest.mark.asyncio

HUB_UNAVAILABLE = "I can't reach the queue system right now. Please ask a member of staff."
NO_TICKET = "No problem, I haven't given you a ticket. Is there anything else I can help with?"
NOTHING_PENDING = "Of course. What would you like to do?"

TRIAGE = "/api/v1/triage"
TICKETS = "/api/v1/tickets"
QUEUE = "/api/v1/queue"
SERVICES = "/api/v1/services"
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
        metadata={"channel": "mobile", "lang": "en"},
    )

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TRIAGE) == [
        {
            "intent": "withdraw_cash",
            "entities": {"amount": "200", "currency": "GBP"},
            "channel": "mobile",
            "lang": "en",
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


def serve_queue(hub: HubStub, waiting: int = 2, eta: list[int] | None = None) -> None:
    """The hub's queue overview and services list, as the offer reads them."""
    line = {"service": "cards", "name": "Cards and PIN", "waiting": waiting, "longest_wait_minutes": 3.5}
    line["eta_minutes"] = eta if eta is not None else [5, 10]
    loans = {"service": "loans", "name": "Loans", "waiting": 0, "longest_wait_minutes": 0, "eta_minutes": [8, 18]}
    hub.reply(QUEUE, 200, {"services": [line, loans], "counters": [], "at": "2026-03-02T10:15:00+00:00"})
    services = [
        {"id": "cards", "name": "Cards and PIN", "prefix": "C", "intents": ["report_lost_card"], "bookable": False},
        {"id": "loans", "name": "Loans and mortgages", "prefix": "L", "intents": ["mortgage"], "bookable": True},
    ]
    hub.reply(f"{SERVICES}?lang=en", 200, {"services": services})


async def test_a_ticket_is_offered_with_the_wait_before_it_is_issued(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": "a member of staff will help you"})
    serve_queue(hub, waiting=2, eta=[5, 10])
    tracker = make_tracker("report_lost_card", text="i lost my card", message_id="4f1c9e", sender_id="kiosk-7")

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TICKETS) == []  # nothing issued until the customer says yes
    [message] = dispatcher.messages
    assert message["text"] == (
        "A member of staff will help you. 2 people are waiting for Cards and PIN, about 5 to 10 minutes. "
        "Shall I print you a ticket?"
    )
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert events == [SlotSet("offer", {"service": "cards", "intent": "report_lost_card", "turn_id": "4f1c9e"})]


async def test_an_advisor_service_also_offers_an_appointment(hub: HubStub, hub_client: HubClient) -> None:
    reason = "an advisor will see you at the advisor desk"
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "loans", "reason": reason, "bookable": True})
    serve_queue(hub)
    tracker = make_tracker("mortgage", metadata={"channel": "mobile", "lang": "en"})

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    [message] = dispatcher.messages
    assert message["text"].endswith("Shall I put you in the queue? Or I can book you an appointment with an advisor.")
    assert "Nobody is waiting for Loans and mortgages right now, so you would be next." in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/book_appointment", "/deny"]
    assert SlotSet("booking_service", "loans") in events  # a booking that follows is for loans


async def test_yes_issues_the_offered_ticket_once(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TICKETS, 201, ticket_json())
    offer = {"service": "cards", "intent": "report_lost_card", "turn_id": "4f1c9e"}
    tracker = make_tracker("affirm", text="yes", message_id="77aa", sender_id="kiosk-7", slots={"offer": offer})

    dispatcher, events = await run(ActionAcceptOffer(hub_client), tracker)
    await run(ActionAcceptOffer(hub_client), tracker)  # Rasa retrying the turn

    expected_body = {
        "service": "cards",
        "channel": "kiosk",  # defaults: no metadata on this message
        "lang": "en",
        "intent": "report_lost_card",
        "idempotency_key": "kiosk-7:4f1c9e",  # the turn that asked, so a retry finds the same ticket
    }
    assert hub.bodies(TICKETS) == [expected_body, expected_body]
    [message] = dispatcher.messages
    assert message["text"] == (
        "Your ticket is C 4 for Cards and PIN. There are 2 people ahead of you, about 5 to 10 minutes."
    )
    # The hub's ticket, forwarded in the one wire shape the chat gateway reads back.
    assert message["custom"] == {"ticket": TicketView.from_json(ticket_json()).to_json()}
    assert events == [SlotSet("offer", None), SlotSet("booking_service", None), SlotSet("last_ticket_id", "t-7f3a")]


async def test_yes_with_nothing_offered_asks_what_they_need(hub: HubStub, hub_client: HubClient) -> None:
    dispatcher, events = await run(ActionAcceptOffer(hub_client), make_tracker("affirm"))

    assert hub.requests == []
    assert [m["text"] for m in dispatcher.messages] == [NOTHING_PENDING]
    assert events == []


async def test_no_drops_the_offer_or_says_goodbye() -> None:
    offer = {"service": "cards", "intent": "reset_pin", "turn_id": "1"}
    dispatcher, events = await run(ActionDeclineOffer(), make_tracker("deny", slots={"offer": offer}))
    assert [m["text"] for m in dispatcher.messages] == [NO_TICKET]
    assert events == [SlotSet("offer", None), SlotSet("booking_service", None)]

    dispatcher, events = await run(ActionDeclineOffer(), make_tracker("deny"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_goodbye"]
    assert events == []


async def test_offer_turn_id_falls_back_to_the_user_turn_number(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": ""})
    serve_queue(hub)
    history = [user_event("greet", text="hello"), {"event": "bot", "text": "Hello"}]
    tracker = make_tracker("reset_pin", message_id=None, sender_id="chat-1", history=history)

    _, events = await run(ActionTriage(hub_client), tracker)

    assert events == [SlotSet("offer", {"service": "cards", "intent": "reset_pin", "turn_id": "2"})]


@pytest.mark.parametrize(
    ("waiting", "eta", "expected"),
    [
        (0, None, "Nobody is waiting for Cards and PIN, but no counter is open for it yet."),
        (12, [30, 55], "12 people are waiting for Cards and PIN, about 30 to 55 minutes."),
    ],
)
async def test_offer_wording_for_the_wait(
    hub: HubStub, hub_client: HubClient, waiting: int, eta: list[int] | None, expected: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": ""})
    serve_queue(hub, waiting=waiting)
    if eta is None:  # no counter open for the service
        queue = hub.replies[QUEUE].body
        queue["services"][0]["eta_minutes"] = None
    else:
        hub.replies[QUEUE].body["services"][0]["eta_minutes"] = eta

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("replace_card"))

    assert expected in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("position", "eta", "expected"),
    [
        (
            1,
            None,
            "Your ticket is C 4 for Cards and PIN. You are next. We will call you as soon as a counter opens.",
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
    hub.reply(TICKETS, 201, ticket_json(position=position, eta_minutes=eta))
    offer = {"service": "cards", "intent": "replace_card", "turn_id": "1"}

    dispatcher, _ = await run(ActionAcceptOffer(hub_client), make_tracker("affirm", slots={"offer": offer}))

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

    dispatcher, events = await run(ActionTriage(hub_client), make_tracker("branch_info"))

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
    ticket = ticket_json(id="t-42", number="C004", position=3, eta_minutes=[5, 10])
    hub.reply("/api/v1/tickets/t-42?lang=en", 200, ticket)

    tracker = make_tracker("queue_status", slots={"last_ticket_id": "t-42"})
    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert [m["text"] for m in dispatcher.messages] == [
        "Ticket C 4: there are 2 people ahead of you, about 5 to 10 minutes."
    ]
    assert [r.method for r in hub.requests if r.path == "/api/v1/tickets/t-42?lang=en"] == ["GET"]


async def test_queue_status_of_a_remote_ticket_reminds_until_when(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": "See the lobby screen."})
    remote = ticket_json(id="t-43", position=2, eta_minutes=None, arrive_by="2026-11-30T14:05:00+00:00")
    hub.reply("/api/v1/tickets/t-43?lang=en", 200, remote)

    tracker = make_tracker("queue_status", slots={"last_ticket_id": "t-43"})
    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert [m["text"] for m in dispatcher.messages] == [
        "Ticket C 4: there is 1 person ahead of you. We will call you as soon as a counter opens. "
        "We keep your place until 2:05 pm: when you arrive, scan your ticket's QR code at the kiosk."
    ]


async def test_queue_status_without_a_ticket_says_how_busy_each_service_is(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": "See the lobby screen for waiting times."})
    lines = [
        {"service": "cards", "waiting": 1, "eta_minutes": [0, 7]},
        {"service": "loans", "waiting": 4, "eta_minutes": [20, 45]},
        {"service": "cash", "waiting": 0, "eta_minutes": [0, 4]},
    ]
    hub.reply(QUEUE, 200, {"services": lines, "counters": []})
    serve_queue_names = [
        {"id": "cards", "name": "Cards and PIN", "prefix": "C", "intents": []},
        {"id": "loans", "name": "Loans and mortgages", "prefix": "L", "intents": []},
    ]
    hub.reply(f"{SERVICES}?lang=en", 200, {"services": serve_queue_names})

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("queue_status"))

    assert [m["text"] for m in dispatcher.messages] == [
        "Right now 4 people are waiting for Loans and mortgages, about 20 to 45 minutes, and 1 for Cards and PIN. "
        "Nobody is waiting for the other services."
    ]


async def test_hub_down_gets_a_polite_answer_and_an_error_log(
    dead_hub_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    action = ActionTriage(HubClient(dead_hub_url, timeout_seconds=2.0))

    with caplog.at_level(logging.ERROR, logger="actions.actions"):
        dispatcher, events = await run(action, make_tracker("withdraw_cash"))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE]
    assert events == []
    assert "hub_unreachable" in caplog.text and "withdraw_cash" in caplog.text  # the kiosk's name for it too


async def test_hub_timeout_gets_the_polite_answer(hub: HubStub, caplog: pytest.LogCaptureFixture) -> None:
    hub.delay_seconds = 1.0
    action = ActionTriage(HubClient(hub.url, timeout_seconds=0.2))

    with caplog.at_level(logging.ERROR, logger="actions.actions"):
        dispatcher, _ = await run(action, make_tracker("pay_bill"))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE]
    assert "hub_timeout" in caplog.text


@pytest.mark.parametrize(
    ("triage_reply", "ticket_reply", "code"),
    [
        ((500, {"error": {"code": "internal", "message": "database is locked"}}), None, "http_500"),
        ((422, {"error": {"code": "unknown_intent", "message": "no service"}}), None, "unknown_intent"),
        ((200, "<html>proxy error</html>"), None, "bad_response"),
        ((200, {"decision": "teleport", "service": None, "reason": ""}), None, "bad_response"),
        ((200, {"decision": "ticket", "service": "cards", "reason": ""}), (404, "not json"), "http_404"),
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
    if ticket_reply is not None:  # the queue overview fails
        hub.reply(QUEUE, *ticket_reply)

    with caplog.at_level(logging.ERROR, logger="actions.actions"):
        dispatcher, events = await run(ActionTriage(hub_client), make_tracker("report_lost_card"))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE]
    assert events == []
    assert code in caplog.text


@pytest.mark.parametrize(
    ("reply", "code"),
    [((503, {"error": {"code": "busy", "message": "x"}}), "http_503"), ((201, {"id": "t-1"}), "bad_response")],
)
async def test_hub_errors_on_yes_get_the_polite_answer(
    hub: HubStub, hub_client: HubClient, caplog: pytest.LogCaptureFixture, reply: tuple[int, Any], code: str
) -> None:
    hub.reply(TICKETS, *reply)
    offer = {"service": "cards", "intent": "report_lost_card", "turn_id": "1"}

    with caplog.at_level(logging.ERROR, logger="actions.actions"):
        dispatcher, events = await run(ActionAcceptOffer(hub_client), make_tracker("affirm", slots={"offer": offer}))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE]
    assert events == [SlotSet("offer", None)]
    assert code in caplog.text


async def test_inform_completes_the_previous_request(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cash", "reason": ""})
    serve_queue(hub)
    history = [
        user_event("withdraw_cash", [entity("currency", "GBP")], message_id="m-1"),
        {"event": "action", "name": "action_triage"},
        {"event": "bot", "text": "You can do that now at ATM 1, outside."},
    ]
    tracker = make_tracker(
        "inform", [entity("amount", "2000")], text="2000", message_id="m-2", sender_id="k", history=history
    )

    _, events = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TRIAGE)[0]["intent"] == "withdraw_cash"
    assert hub.bodies(TRIAGE)[0]["entities"] == {"amount": "2000", "currency": "GBP"}
    # the offer belongs to the request being completed: a repeat finds the same ticket
    assert events == [SlotSet("offer", {"service": "cash", "intent": "withdraw_cash", "turn_id": "m-1"})]


@pytest.mark.parametrize(
    ("intent", "said"), [("inform", {"text": NOTHING_PENDING}), ("greet", {"response": "utter_default"})]
)
async def test_turns_without_a_request_do_not_call_the_hub(
    hub: HubStub, hub_client: HubClient, intent: str, said: dict[str, str]
) -> None:
    dispatcher, events = await run(ActionTriage(hub_client), make_tracker(intent, [entity("amount", "50")]))

    assert hub.requests == []
    [message] = dispatcher.messages
    assert {key: message[key] for key in said} == said
    assert events == []


async def test_a_first_turn_that_only_names_a_loan_is_a_loan_request(hub: HubStub, hub_client: HubClient) -> None:
    """ "personal loan" / "个人贷款" on its own parses as `inform` (an answer's shape) with nothing asked before:
    what it names is the request, keyed by its own turn."""
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "loans", "reason": ""})
    serve_queue(hub)
    tracker = make_tracker("inform", [entity("loan_type", "personal")], text="personal loan", message_id="m-9")

    _, events = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TRIAGE)[0]["intent"] == "apply_loan"
    assert hub.bodies(TRIAGE)[0]["entities"] == {"loan_type": "personal"}
    assert events == [SlotSet("offer", {"service": "loans", "intent": "apply_loan", "turn_id": "m-9"})]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_first_turn_that_only_names_a_card_asks_which_card_service(
    hub: HubStub, hub_client: HubClient, lang: str
) -> None:
    tracker = make_tracker("inform", [entity("card_type", "credit")], metadata={"lang": lang})

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    assert hub.requests == []
    [message] = dispatcher.messages
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == ["/report_lost_card", "/replace_card", "/reset_pin", "/nlu_fallback"]
    assert (
        message["text"]
        == {
            "en": "Is this about a lost or stolen card, a new or replacement card, or your PIN?",
            "zh": "请问您是要挂失银行卡、补办或换新银行卡，还是办理密码业务？",  # noqa: RUF001
        }[lang]
    )
    assert events == []


async def test_from_the_app_a_closed_queue_is_explained_not_offered(hub: HubStub, hub_client: HubClient) -> None:
    refusal = "the branch is closed now; we're open Monday to Friday 9 am to 5 pm"
    triage = {"decision": "ticket", "service": "loans", "reason": "", "bookable": True, "remote_join_refusal": refusal}
    hub.reply(TRIAGE, 200, triage)
    tracker = make_tracker("mortgage", metadata={"channel": "mobile", "lang": "en"})

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    [message] = dispatcher.messages
    assert message["text"] == (
        f"You can't join this queue from the app right now: {refusal}. I can book you an appointment instead."
    )
    assert [b["payload"] for b in message["buttons"]] == ["/book_appointment"]
    assert events == [SlotSet("booking_service", "loans")]  # no offer to accept
    assert hub.bodies(QUEUE) == [] and hub.bodies(TICKETS) == []


async def test_a_ticket_taken_from_the_app_is_marked_remote(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TICKETS, 201, ticket_json())
    offer = {"service": "cards", "intent": "report_lost_card", "turn_id": "1"}
    tracker = make_tracker("affirm", slots={"offer": offer}, metadata={"channel": "mobile", "lang": "en"})

    await run(ActionAcceptOffer(hub_client), tracker)

    assert hub.bodies(TICKETS)[0]["remote"] is True  # the hub applies its remote-join rules


async def test_a_remote_ticket_says_until_when_the_place_is_kept(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TICKETS, 201, ticket_json(position=3, eta_minutes=[10, 20], arrive_by="2026-11-30T10:15:00+00:00"))
    offer = {"service": "cards", "intent": "report_lost_card", "turn_id": "1"}
    tracker = make_tracker("affirm", slots={"offer": offer}, metadata={"channel": "mobile", "lang": "en"})

    dispatcher, _ = await run(ActionAcceptOffer(hub_client), tracker)

    assert dispatcher.messages[0]["text"] == (
        "Your ticket is C 4 for Cards and PIN. There are 2 people ahead of you, about 10 to 20 minutes. "
        "We keep your place until 10:15 am: when you arrive, scan your ticket's QR code at the kiosk."
    )
