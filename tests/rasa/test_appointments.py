"""The appointment forms' actions against a real HTTP stub of the hub on 127.0.0.1.

The branch clock is fixed by the stub (Sunday 29 November 2026, 10:15 in
London); every answer the actions give is checked word for word, because
the kiosk speaks them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from actions.appointments import (
    ActionAskBookingConfirmed,
    ActionAskBookingDate,
    ActionAskBookingTime,
    ActionBookAppointment,
    ActionCancelAppointment,
    ActionCheckIn,
    ActionStopForm,
    ValidateBookingForm,
    ValidateCheckInForm,
    ValidateRescheduleForm,
    booking_reason,
)
from actions.hub_client import HubClient
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from builders import entity, form_tracker, load_recording, make_tracker, user_event
from hub_stub import HubStub

pytestmark = pytest.mark.asyncio

CODE_FORMAT = "A booking code has six letters and numbers, like K 7 P 2 Q X."
FORM_STOPPED = "No problem, I've left it there. Is there anything else I can help with?"
HUB_UNAVAILABLE = "I can't reach the queue system right now. Please ask a member of staff."

TODAY = date(2026, 11, 29)  # a Sunday: the branch is closed
SERVICES = [
    {"id": "cash", "name": "Cash and cheques", "prefix": "A", "intents": ["withdraw_cash"], "bookable": False},
    {
        "id": "loans",
        "name": "Loans and mortgages",
        "prefix": "L",
        "intents": ["apply_loan", "mortgage"],
        "bookable": True,
    },
    {"id": "invest", "name": "Savings and investments", "prefix": "I", "intents": ["invest"], "bookable": True},
]
DAY_TIMES = ["09:00", "09:30", "10:00", "10:30", "11:00", "14:00", "14:30", "15:00", "16:30"]


def slots_json(day: date, free: list[str], taken: tuple[str, ...] = (), closed: str | None = None) -> dict[str, Any]:
    """GET /api/v1/appointments/slots for `day`: London is UTC+0 in winter."""
    slots = [
        {
            "starts_at": f"{day.isoformat()}T{hhmm}:00+00:00",
            "ends_at": "",
            "capacity": 2,
            "free": 0 if hhmm in taken else 2,
        }
        for hhmm in sorted({*free, *taken})
    ]
    return {"service": "loans", "date": day.isoformat(), "timezone": "Europe/London", "closed": closed, "slots": slots}


def serve_branch(hub: HubStub, days: dict[date, dict[str, Any]] | None = None) -> None:
    hub.reply(
        "/api/v1/branch",
        200,
        {"id": "demo", "name": "Demo", "timezone": "Europe/London", "now": "2026-11-29T10:15:00+00:00"},
    )
    hub.reply("/api/v1/services?lang=en", 200, {"services": SERVICES})
    default = {TODAY: slots_json(TODAY, [], closed="closed")}
    for offset in range(1, 15):
        day = TODAY + timedelta(days=offset)
        default[day] = slots_json(
            day, [] if day.weekday() == 6 else DAY_TIMES, closed="closed" if day.weekday() == 6 else None
        )
    default.update(days or {})
    for day, body in default.items():
        for service in ("loans", "invest"):
            hub.reply(f"/api/v1/appointments/slots?service={service}&date={day.isoformat()}", 200, body)


def appointment_json(**changes: Any) -> dict[str, Any]:
    appointment = {
        "code": "K7P2QX",
        "service": "loans",
        "service_name": "Loans and mortgages",
        "starts_at": "2026-11-30T15:00:00+00:00",
        "ends_at": "2026-11-30T15:30:00+00:00",
        "status": "booked",
        "check_in_from": "2026-11-30T14:45:00+00:00",
        "check_in_until": "2026-11-30T15:10:00+00:00",
        "name": None,
        "ticket_id": None,
    }
    appointment.update(changes)
    return appointment


async def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain={})
    return dispatcher.messages, events


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


# -- booking validation ----------------------------------------------------------------------------


async def test_the_service_comes_from_the_intent_of_the_answer(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    tracker = form_tracker("mortgage", text="a mortgage", changed={"booking_service": "a mortgage"})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []
    assert events == [SlotSet("booking_service", "loans")]


async def test_a_service_without_appointments_is_explained(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    tracker = form_tracker("withdraw_cash", text="cash", changed={"booking_service": "cash"})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == [
        "Cash and cheques doesn't need an appointment: I can give you a ticket for it instead.",
        "I can book appointments for Loans and mortgages, Savings and investments.",
    ]
    assert events == [SlotSet("booking_service", None)]


async def test_a_relative_date_is_resolved_in_the_branch_timezone(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    tracker = form_tracker(
        "inform", [entity("date", "tomorrow")], slots={"booking_service": "loans"}, changed={"booking_date": "tomorrow"}
    )

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []
    assert events == [SlotSet("booking_date", "2026-11-30")]


async def test_a_closed_day_is_refused_with_the_next_free_day(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    tracker = form_tracker(
        "inform",
        text="can we do sunday",
        slots={"booking_service": "loans"},
        changed={"booking_date": "can we do sunday"},
    )

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["The branch is closed on Sunday 6 December. The next free day is Monday 7 December."]
    assert SlotSet("booking_date", None) in events and SlotSet("booking_time", None) in events


async def test_a_fully_booked_day_says_so(hub: HubStub, hub_client: HubClient) -> None:
    tuesday = date(2026, 12, 1)
    serve_branch(hub, {tuesday: slots_json(tuesday, [], taken=tuple(DAY_TIMES))})
    tracker = form_tracker("inform", slots={"booking_service": "loans"}, changed={"booking_date": "tuesday"})

    messages, _ = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["Tuesday 1 December is fully booked. The next free day is Wednesday 2 December."]


async def test_day_and_time_in_one_phrase_fill_both(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    tracker = form_tracker(
        "book_appointment", slots={"booking_service": "loans"}, changed={"booking_date": "tomorrow at ten"}
    )

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []
    assert events == [SlotSet("booking_date", "2026-11-30"), SlotSet("booking_time", "10:00")]


async def test_a_taken_time_offers_the_nearest_free_ones(hub: HubStub, hub_client: HubClient) -> None:
    monday = date(2026, 11, 30)
    serve_branch(hub, {monday: slots_json(monday, DAY_TIMES, taken=("15:30",))})
    slots = {"booking_service": "loans", "booking_date": "2026-11-30"}
    tracker = form_tracker("inform", [entity("time", "3:30")], slots=slots, changed={"booking_time": "3:30"})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["Sorry, 3:30 pm isn't free tomorrow."]
    assert SlotSet("booking_time", None) in events
    assert SlotSet("time_choices", {"label": "", "times": ["14:30", "15:00", "16:30"]}) in events


async def test_a_part_of_the_day_offers_its_free_times(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    slots = {"booking_service": "loans", "booking_date": "2026-11-30"}
    tracker = form_tracker("inform", slots=slots, changed={"booking_time": "the afternoon"})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []  # the time question that follows lists them
    assert events == [
        SlotSet("time_choices", {"label": "the afternoon", "times": ["14:00", "14:30", "15:00", "16:30"]}),
        SlotSet("booking_time", None),
    ]
    ask_tracker = form_tracker("inform", slots={**slots, "time_choices": events[0]["value"]}, changed={})
    messages, events = await run(ActionAskBookingTime(hub_client), ask_tracker)
    assert texts(messages) == [
        "For the afternoon tomorrow I have 2 pm, 2:30 pm, 3 pm or 4:30 pm free. Which time suits you?"
    ]
    assert messages[0]["buttons"][0]["payload"] == '/inform{"time":"14:00"}'
    assert events == [SlotSet("time_choices", None)]


async def test_a_correction_at_the_confirmation_asks_again(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    slots = {"booking_service": "loans", "booking_date": "2026-11-30", "booking_time": "10:00"}
    tracker = form_tracker(
        "deny",
        [entity("time", "3pm")],
        text="no make it 3pm",
        slots=slots,
        changed={"booking_time": "3pm", "booking_confirmed": False},
    )

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []
    assert events == [SlotSet("booking_time", "15:00"), SlotSet("booking_confirmed", None)]


async def test_a_plain_no_at_the_confirmation_asks_for_another_time(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    slots = {"booking_service": "loans", "booking_date": "2026-11-30", "booking_time": "10:00"}
    tracker = form_tracker("deny", text="no", slots=slots, changed={"booking_confirmed": False})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["No problem, let's change it. You can choose another day too."]
    assert events == [SlotSet("booking_time", None), SlotSet("booking_confirmed", None)]


async def test_hub_down_during_validation_is_said_and_the_answer_dropped(
    dead_hub_url: str,
) -> None:
    tracker = form_tracker("inform", slots={"booking_service": "loans"}, changed={"booking_date": "tomorrow"})

    messages, events = await run(ValidateBookingForm(HubClient(dead_hub_url, 2.0)), tracker)

    assert texts(messages) == [HUB_UNAVAILABLE]
    assert events == [SlotSet("booking_date", None)]


# -- questions -------------------------------------------------------------------------------------


async def test_the_date_question_offers_the_next_free_days(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub, {date(2026, 11, 30): slots_json(date(2026, 11, 30), [], taken=tuple(DAY_TIMES))})
    tracker = form_tracker("book_appointment", slots={"booking_service": "loans"})

    messages, _ = await run(ActionAskBookingDate(hub_client), tracker)

    assert texts(messages) == ["Which day would suit you? The first free day is Tuesday 1 December."]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Tuesday 1 December",
        "Wednesday 2 December",
        "Thursday 3 December",
    ]


async def test_the_confirmation_names_service_day_and_time(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    slots = {"booking_service": "loans", "booking_date": "2026-12-04", "booking_time": "14:30"}

    messages, _ = await run(ActionAskBookingConfirmed(hub_client), form_tracker("inform", slots=slots))

    assert texts(messages) == ["Shall I book Loans and mortgages on Friday 4 December at 2:30 pm?"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]


async def test_the_reschedule_confirmation_says_from_and_to(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("/api/v1/appointments/K7P2QX?lang=en", 200, appointment_json())
    slots = {
        "appointment_code": "K7P2QX",
        "booking_service": "loans",
        "booking_date": "2026-12-03",
        "booking_time": "11:00",
    }
    tracker = form_tracker("inform", slots=slots, active_loop="reschedule_form")

    messages, _ = await run(ActionAskBookingConfirmed(hub_client), tracker)

    assert texts(messages) == [
        "Shall I move your Loans and mortgages appointment from tomorrow at 3 pm to Thursday 3 December at 11 am?"
    ]


# -- codes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "reply", "expected_text", "expected_code"),
    [
        ("hello", None, f"Sorry, that doesn't look like a booking code. {CODE_FORMAT}", None),
        (
            "zz99zz",
            (404, {"error": {"code": "appointment_not_found", "message": "no"}}),
            "I can't find a booking with the code Z Z 9 9 Z Z. Please check it and tell me again.",
            None,
        ),
        ("k7p2qx", (200, appointment_json()), None, "K7P2QX"),
        ("k7p2qx", (200, appointment_json(status="checked_in")), None, "K7P2QX"),  # a second check-in: same ticket
    ],
)
async def test_check_in_code_is_checked_at_the_hub(
    hub: HubStub, hub_client: HubClient, said: str, reply: Any, expected_text: str | None, expected_code: str | None
) -> None:
    if reply is not None:
        hub.reply(f"/api/v1/appointments/{said.upper()}?lang=en", *reply)
    tracker = form_tracker("inform", changed={"appointment_code": said}, active_loop="check_in_form")

    messages, events = await run(ValidateCheckInForm(hub_client), tracker)

    assert texts(messages) == ([expected_text] if expected_text else [])
    assert events == [SlotSet("appointment_code", expected_code)]


async def test_reschedule_takes_the_service_from_the_booking(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("/api/v1/appointments/K7P2QX?lang=en", 200, appointment_json())
    tracker = form_tracker(
        "reschedule_appointment",
        changed={"appointment_code": "k7p2qx", "booking_date": "thursday"},
        active_loop="reschedule_form",
    )

    messages, events = await run(ValidateRescheduleForm(hub_client), tracker)

    assert messages == []
    assert events == [
        SlotSet("appointment_code", "K7P2QX"),
        SlotSet("booking_service", "loans"),
        SlotSet("booking_date", "2026-12-03"),
    ]


async def test_a_cancelled_booking_cannot_be_rescheduled(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("/api/v1/appointments/K7P2QX?lang=en", 200, appointment_json(status="cancelled"))
    tracker = form_tracker("inform", changed={"appointment_code": "K7P2QX"}, active_loop="reschedule_form")

    messages, events = await run(ValidateRescheduleForm(hub_client), tracker)

    assert texts(messages) == ["Booking K 7 P 2 Q X is cancelled, so it can't be changed."]
    assert events == [SlotSet("appointment_code", None)]


# -- submissions -----------------------------------------------------------------------------------


BOOKED = {"booking_service": "loans", "booking_date": "2026-11-30", "booking_time": "15:00", "booking_confirmed": True}


async def test_booking_sends_the_local_time_and_reads_the_code_aloud(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("/api/v1/appointments", 201, appointment_json())
    slots = {**BOOKED, "person_name": "Sarah Jones", "phone_number": "07700 900123"}
    tracker = form_tracker("affirm", slots=slots, active_loop=None, metadata={"channel": "mobile", "lang": "en"})

    messages, events = await run(ActionBookAppointment(hub_client), tracker)

    assert hub.bodies("/api/v1/appointments") == [
        {
            "service": "loans",
            "starts_at": "2026-11-30T15:00:00+00:00",
            "channel": "mobile",
            "lang": "en",
            "name": "Sarah Jones",
            "phone": "07700 900123",
        }
    ]
    assert texts(messages) == [
        "You're booked for Loans and mortgages tomorrow at 3 pm. Your booking code is K 7 P 2 Q X. "
        "Please check in at the kiosk from 2:45 pm."
    ]
    assert messages[0]["custom"] == {"appointment": appointment_json()}
    assert SlotSet("appointment_code", "K7P2QX") in events
    assert SlotSet("booking_time", None) in events and SlotSet("booking_confirmed", None) in events


async def test_the_booking_tells_the_hub_why_the_customer_comes(hub: HubStub, hub_client: HubClient) -> None:
    """The teller sees it after check-in: the service intent and the customer's own sentence, not the
    short answers or button payloads of the form."""
    serve_branch(hub)
    hub.reply("/api/v1/appointments", 201, appointment_json())
    history = [
        {"event": "action", "name": "action_session_start"},
        user_event("greet", text="hello"),
        user_event("mortgage", text="I need  advice on remortgaging my flat"),
        {"event": "action", "name": "action_triage"},
        user_event("affirm", text="/affirm"),
        {"event": "active_loop", "name": "booking_form"},
        user_event("inform", text="tomorrow at 3"),
    ]
    tracker = make_tracker("affirm", text="yes please", history=history, slots=BOOKED)

    await run(ActionBookAppointment(hub_client), tracker)

    [body] = hub.bodies("/api/v1/appointments")
    assert (body["intent"], body["notes"]) == ("mortgage", "I need advice on remortgaging my flat")


async def test_the_reason_of_a_recorded_booking() -> None:
    """A conversation the Rasa server really sent: "can i book an appointment for tomorrow", then "a mortgage"."""
    recorded = load_recording("booking_correction.json")["tracker"]
    tracker = Tracker.from_dict(recorded)
    assert booking_reason(tracker) == ("mortgage", "can i book an appointment for tomorrow")


async def test_a_slot_taken_meanwhile_goes_back_to_the_time_question(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("/api/v1/appointments", 409, {"error": {"code": "slot_full", "message": "fully booked"}})

    messages, events = await run(ActionBookAppointment(hub_client), form_tracker("affirm", slots=BOOKED))

    assert texts(messages) == ["Sorry, 3 pm has just been taken. Please choose another time."]
    assert events == [SlotSet("booking_time", None), SlotSet("booking_confirmed", None), FollowupAction("booking_form")]


async def test_cancel_confirmed_cancels_at_the_hub(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("DELETE /api/v1/appointments/K7P2QX?lang=en", 200, appointment_json(status="cancelled"))
    tracker = form_tracker("affirm", slots={"appointment_code": "K7P2QX", "cancel_confirmed": True})

    messages, events = await run(ActionCancelAppointment(hub_client), tracker)

    assert [r.method for r in hub.requests if r.path == "/api/v1/appointments/K7P2QX?lang=en"] == ["DELETE"]
    assert texts(messages) == [
        "Your appointment tomorrow at 3 pm is cancelled. Is there anything else I can help with?"
    ]
    assert SlotSet("appointment_code", None) in events


async def test_cancel_declined_keeps_the_booking(hub: HubStub, hub_client: HubClient) -> None:
    tracker = form_tracker("deny", slots={"appointment_code": "K7P2QX", "cancel_confirmed": False})

    messages, _ = await run(ActionCancelAppointment(hub_client), tracker)

    assert hub.requests == []
    assert texts(messages) == ["Okay, your appointment stays as it is."]


CHECKED_IN_TICKET = {
    "id": "t-9",
    "number": "L003",
    "service": "loans",
    "service_name": "Loans and mortgages",
    "status": "waiting",
    "position": 1,
    "eta_minutes": [0, 5],
    "issued_at": "2026-11-30T14:50:00+00:00",
    "track_url": "http://127.0.0.1:8000/t/t-9",
    "priority": "appointment",
}


async def test_check_in_on_time_gives_the_priority_ticket(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("/api/v1/appointments/K7P2QX?lang=en", 200, appointment_json())
    check_in = {"code": "K7P2QX", "arrival": "on_time", "message": "You are checked in."}
    hub.reply("/api/v1/appointments/K7P2QX/check-in", 201, {**CHECKED_IN_TICKET, "check_in": check_in})
    tracker = form_tracker("check_in", slots={"appointment_code": "K7P2QX"}, active_loop=None)

    messages, events = await run(ActionCheckIn(hub_client), tracker)

    assert hub.bodies("/api/v1/appointments/K7P2QX/check-in") == [{"channel": "kiosk", "lang": "en"}]
    assert texts(messages) == [
        "Welcome. You're checked in for your 3 pm appointment. "
        "Your ticket is L 3, and an advisor will call you shortly."
    ]
    assert messages[0]["custom"]["ticket"]["number"] == "L003"
    assert SlotSet("last_ticket_id", "t-9") in events


async def test_check_in_too_early_says_when_it_opens(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    hub.reply("/api/v1/appointments/K7P2QX?lang=en", 200, appointment_json())
    hub.reply(
        "/api/v1/appointments/K7P2QX/check-in", 409, {"error": {"code": "too_early", "message": "opens at 14:45"}}
    )

    messages, events = await run(
        ActionCheckIn(hub_client), form_tracker("check_in", slots={"appointment_code": "K7P2QX"})
    )

    assert texts(messages) == [
        "You're a little early. Check-in for your 3 pm appointment opens at 2:45 pm. "
        "Please come back to the kiosk then."
    ]
    assert events == [SlotSet("appointment_code", None)]


async def test_no_stops_the_form_and_forgets_the_answers() -> None:
    messages, events = await run(ActionStopForm(), form_tracker("deny", slots=BOOKED))

    assert texts(messages) == [FORM_STOPPED]
    assert events[0] == ActiveLoop(None)
    assert SlotSet("booking_date", None) in events

    messages, _ = await run(ActionStopForm(), form_tracker("talk_to_human", slots=BOOKED))
    assert messages == []  # action_triage answers next: staff are coming


async def test_a_time_the_nlu_did_not_tag_still_corrects(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    slots = {**BOOKED, "booking_confirmed": None, "requested_slot": "booking_confirmed"}
    tracker = form_tracker("deny", text="no make it 10:30 am", slots=slots, changed={"booking_confirmed": False})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []
    assert events == [SlotSet("booking_time", "10:30"), SlotSet("booking_confirmed", None)]


async def test_a_digression_changes_nothing_so_the_form_steps_aside(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch(hub)
    slots = {"booking_service": "loans", "requested_slot": "booking_date"}
    tracker = form_tracker("queue_status", text="how long is the queue at 2", slots=slots, changed={})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert (messages, events) == ([], [])  # Rasa then rejects the form and the digression rule answers
