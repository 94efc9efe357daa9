"""Appointments through the API on a fake clock: Monday 9 June 2025, 08:30 in London (UTC+1)."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from sanic import Sanic

from assistant.domain.appointments import CODE_ALPHABET
from assistant.domain.clock import FakeClock
from assistant.settings import Settings
from assistant.web.app import create_app

_names = itertools.count()
DAY = "2025-06-09"
BLACKOUT = date(2025, 6, 11)


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}:00+01:00"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 9, 8, 30, tzinfo=ZoneInfo("Europe/London")))


@pytest.fixture
def client(settings: Settings, clock: FakeClock):  # type: ignore[no-untyped-def]
    Sanic.test_mode = True
    appointments = msgspec.structs.replace(settings.appointments, blackout_dates=(BLACKOUT,))
    configured = msgspec.structs.replace(settings, appointments=appointments)
    return create_app(configured, clock=clock, name=f"lobby_appointments_{next(_names)}").asgi_client


def error_of(response: Any) -> dict[str, str]:
    body = response.json
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]  # type: ignore[no-any-return]


async def book(client: Any, starts_at: str, service: str = "loans", **extra: Any) -> Any:
    body = {"service": service, "starts_at": starts_at, "channel": "mobile", "lang": "en", **extra}
    _, response = await client.post("/api/v1/appointments", json=body)
    return response


async def free_seats(client: Any, service: str = "loans", day: str = DAY) -> dict[str, int]:
    _, response = await client.get("/api/v1/appointments/slots", params={"service": service, "date": day})
    assert response.status == 200, response.json
    return {slot["starts_at"]: slot["free"] for slot in response.json["slots"]}


async def test_slots_show_free_seats_and_a_booking_takes_one(client: Any) -> None:
    _, listing = await client.get("/api/v1/appointments/slots", params={"service": "loans", "date": DAY})
    assert listing.status == 200
    assert listing.json["service"] == "loans" and listing.json["date"] == DAY and listing.json["closed"] is None
    slots = listing.json["slots"]
    assert len(slots) == 16 and slots[0] == {
        "starts_at": at("09:00"), "ends_at": at("09:30"), "capacity": 2, "free": 2,
    }  # fmt: skip
    response = await book(client, at("10:00"), name="Ada Lovelace", phone="+44 20 7946 0000")
    assert response.status == 201, response.json
    appointment = response.json
    assert len(appointment["code"]) == 6 and set(appointment["code"]) <= set(CODE_ALPHABET)
    assert appointment["service"] == "loans" and appointment["status"] == "booked"
    assert (appointment["starts_at"], appointment["ends_at"]) == (at("10:00"), at("10:30"))
    assert (appointment["check_in_from"], appointment["check_in_until"]) == (at("09:45"), at("10:10"))
    assert appointment["name"] == "Ada Lovelace" and "phone" not in appointment
    seats = await free_seats(client)
    assert seats[at("10:00")] == 1 and seats[at("10:30")] == 2
    _, fetched = await client.get(f"/api/v1/appointments/{appointment['code'].lower()}")
    assert fetched.status == 200 and fetched.json == appointment


async def test_a_full_slot_refuses_the_next_booking(client: Any) -> None:
    assert (await book(client, at("11:00"))).status == 201
    assert (await book(client, "2025-06-09T10:00:00Z")).status == 201  # the same instant in UTC
    full = await book(client, at("11:00"))
    assert full.status == 409 and error_of(full)["code"] == "slot_full"
    assert (await free_seats(client))[at("11:00")] == 0
    assert (await book(client, at("11:00"), service="business")).status == 201  # seats are per service
    business = await book(client, at("11:00"), service="business")  # capacity 1 in branch.yml
    assert business.status == 409 and error_of(business)["code"] == "slot_full"


async def test_check_in_gives_a_priority_ticket_called_before_earlier_walk_ins(
    client: Any, clock: FakeClock, staff: dict[str, str]
) -> None:
    code = (await book(client, at("10:00"))).json["code"]
    clock.advance(minutes=70)  # 09:40
    _, walk_in = await client.post("/api/v1/tickets", json={"service": "loans"})
    assert walk_in.status == 201 and walk_in.json["priority"] == "normal"
    clock.advance(minutes=10)  # 09:50: inside the window
    _, ticket = await client.post(f"/api/v1/appointments/{code}/check-in", json={"channel": "kiosk"})
    assert ticket.status == 201, ticket.json
    assert ticket.json["priority"] == "appointment" and ticket.json["service"] == "loans"
    assert ticket.json["check_in"]["arrival"] == "on_time" and ticket.json["check_in"]["code"] == code
    _, again = await client.post(f"/api/v1/appointments/{code}/check-in")
    assert again.status == 200 and again.json["id"] == ticket.json["id"]
    _, appointment = await client.get(f"/api/v1/appointments/{code}")
    assert appointment.json["status"] == "checked_in" and appointment.json["ticket_id"] == ticket.json["id"]
    _, called = await client.post("/api/v1/counters/c3/call-next", headers=staff)
    assert called.status == 200 and called.json["id"] == ticket.json["id"]
    _, called = await client.post("/api/v1/counters/c3/call-next", headers=staff)
    assert called.json["id"] == walk_in.json["id"]
    _, cancel = await client.delete(f"/api/v1/appointments/{code}")
    assert cancel.status == 409 and error_of(cancel)["code"] == "appointment_checked_in"


async def test_too_early_is_refused_and_late_arrivals_join_the_normal_queue(client: Any, clock: FakeClock) -> None:
    code = (await book(client, at("11:00"))).json["code"]
    clock.advance(minutes=30)  # 09:00
    _, early = await client.post(f"/api/v1/appointments/{code}/check-in")
    assert early.status == 409 and error_of(early)["code"] == "too_early"
    assert "10:45" in error_of(early)["message"]
    clock.advance(minutes=131)  # 11:11: one minute past the window
    _, late = await client.post(f"/api/v1/appointments/{code}/check-in", json={"lang": "zh"})
    assert late.status == 201
    assert late.json["priority"] == "normal" and late.json["check_in"]["arrival"] == "late"
    assert "normal queue" in late.json["check_in"]["message"]
    assert late.json["service_name"] == "贷款与房贷"


async def test_cancel_frees_the_seat(client: Any) -> None:
    first = (await book(client, at("10:00"))).json["code"]
    assert (await book(client, at("10:00"))).status == 201
    assert (await book(client, at("10:00"))).status == 409
    _, cancelled = await client.delete(f"/api/v1/appointments/{first}")
    assert cancelled.status == 200 and cancelled.json["status"] == "cancelled"
    assert (await free_seats(client))[at("10:00")] == 1
    assert (await book(client, at("10:00"))).status == 201
    _, again = await client.delete(f"/api/v1/appointments/{first}")
    assert again.status == 409 and error_of(again)["code"] == "appointment_cancelled"
    _, check_in = await client.post(f"/api/v1/appointments/{first}/check-in")
    assert check_in.status == 409 and error_of(check_in)["code"] == "appointment_cancelled"
    for path in ("/api/v1/appointments/ZZZZZZ", "/api/v1/appointments/not-a-code"):
        _, missing = await client.get(path)
        assert missing.status == 404 and error_of(missing)["code"] == "appointment_not_found"
    _, missing = await client.post("/api/v1/appointments/ZZZZZZ/check-in")
    assert missing.status == 404


async def test_reschedule_moves_the_seat_or_changes_nothing(client: Any) -> None:
    code = (await book(client, at("10:00"))).json["code"]
    for _ in range(2):
        assert (await book(client, at("11:00"))).status == 201
    _, full = await client.post(f"/api/v1/appointments/{code}/reschedule", json={"starts_at": at("11:00")})
    assert full.status == 409 and error_of(full)["code"] == "slot_full"
    _, unchanged = await client.get(f"/api/v1/appointments/{code}")
    assert unchanged.json["starts_at"] == at("10:00")
    assert (await free_seats(client))[at("10:00")] == 1
    _, off_grid = await client.post(f"/api/v1/appointments/{code}/reschedule", json={"starts_at": at("12:15")})
    assert off_grid.status == 422 and error_of(off_grid)["code"] == "not_a_slot"
    _, moved = await client.post(f"/api/v1/appointments/{code}/reschedule", json={"starts_at": at("12:00")})
    assert moved.status == 200 and moved.json["code"] == code
    assert moved.json["starts_at"] == at("12:00") and moved.json["check_in_from"] == at("11:45")
    seats = await free_seats(client)
    assert (seats[at("10:00")], seats[at("12:00")]) == (2, 1)


async def test_closed_days_say_why(client: Any) -> None:
    _, blackout = await client.get("/api/v1/appointments/slots", params={"service": "loans", "date": "2025-06-11"})
    assert blackout.status == 200 and blackout.json["slots"] == [] and blackout.json["closed"] == "blackout"
    _, sunday = await client.get("/api/v1/appointments/slots", params={"service": "invest", "date": "2025-06-15"})
    assert sunday.json["closed"] == "closed"


async def test_bad_input_gets_422_and_books_nothing(client: Any) -> None:
    slot_queries = [
        ({"date": DAY}, "invalid_input"),
        ({"service": "loans"}, "invalid_input"),
        ({"service": "loans", "date": "2025-6-9"}, "invalid_input"),
        ({"service": "loans", "date": "2025-02-30"}, "invalid_input"),
        ({"service": "cash", "date": DAY}, "no_appointments"),
        ({"service": "nope", "date": DAY}, "unknown_service"),
    ]
    for params, code in slot_queries:
        _, response = await client.get("/api/v1/appointments/slots", params=params)
        assert response.status == 422 and error_of(response)["code"] == code, params
    bookings = [
        ({"starts_at": "2025-06-09T10:00:00"}, "invalid_input"),  # no offset
        ({"starts_at": at("10:15")}, "not_a_slot"),
        ({"starts_at": at("10:00", "2025-06-08")}, "in_the_past"),
        ({"starts_at": at("10:00", "2025-06-15")}, "closed"),
        ({"starts_at": at("10:00", "2025-06-11")}, "blackout"),
        ({"starts_at": at("10:00", "2025-06-24")}, "outside_horizon"),
        ({"starts_at": at("10:00"), "service": "cash"}, "no_appointments"),
        ({"starts_at": at("10:00"), "channel": "fax"}, "invalid_input"),
        ({"starts_at": at("10:00"), "phone": "call me"}, "invalid_input"),
        ({"starts_at": at("10:00"), "surprise": 1}, "invalid_input"),
    ]
    for body, code in bookings:
        response = await book(client, **body)
        assert response.status == 422 and error_of(response)["code"] == code, body
    _, empty = await client.post("/api/v1/appointments", content=b"")
    assert empty.status == 422
    assert set((await free_seats(client)).values()) == {2}


async def test_calendar_file_for_the_phone(client: Any) -> None:
    code = (await book(client, at("10:00"))).json["code"]
    _, response = await client.get(f"/api/v1/appointments/{code}/calendar.ics")
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    assert response.headers["content-disposition"] == f'attachment; filename="appointment-{code}.ics"'
    lines = response.text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert f"UID:{code}@demo-001.lobby" in lines
    assert "DTSTART:20250609T090000Z" in lines and "DTEND:20250609T093000Z" in lines  # 10:00 BST = 09:00 UTC
    assert "SUMMARY:Loans and mortgages - Lobby Demo Branch" in lines
    assert "LOCATION:12 High Street\\, next to the post office" in lines  # commas escaped (RFC 5545)
    assert f"DESCRIPTION:Booking code {code}. Check in at the kiosk from 09:45." in lines
    assert "STATUS:CONFIRMED" in lines
    await client.delete(f"/api/v1/appointments/{code}")
    _, cancelled = await client.get(f"/api/v1/appointments/{code}/calendar.ics")
    assert "STATUS:CANCELLED" in cancelled.text.split("\r\n")
    _, missing = await client.get("/api/v1/appointments/ZZZZZZ/calendar.ics")
    assert missing.status == 404 and error_of(missing)["code"] == "appointment_not_found"


async def test_a_booking_is_read_in_the_asked_language(client: Any) -> None:
    booked = (await book(client, at("11:00"))).json  # made in English
    assert booked["service_name"] == "Loans and mortgages"
    _, read = await client.get(f"/api/v1/appointments/{booked['code']}", params={"lang": "zh"})
    assert read.json["service_name"] == "贷款与房贷"  # the assistant asks in the customer's language now
    _, plain = await client.get(f"/api/v1/appointments/{booked['code']}")
    assert plain.json["service_name"] == "Loans and mortgages"
    _, cancelled = await client.delete(f"/api/v1/appointments/{booked['code']}", params={"lang": "zh-CN"})
    assert cancelled.json["status"] == "cancelled" and cancelled.json["service_name"] == "贷款与房贷"
