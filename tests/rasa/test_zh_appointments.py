# ruff: noqa: RUF001, RUF002
"""The appointment forms in Mandarin: questions, buttons, corrections, codes read aloud, confirmations.

Same branch and clock as test_appointments.py (Sunday 29 November 2026, 10:15 in London); the
customer's words are Chinese, read by when.py's Chinese grammar and numbers.booking_code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from actions.appointments import (
    ActionAskAppointmentCode,
    ActionAskBookingConfirmed,
    ActionAskBookingDate,
    ActionAskBookingService,
    ActionAskBookingTime,
    ActionAskCancelConfirmed,
    ActionBookAppointment,
    ActionCancelAppointment,
    ActionCheckIn,
    ActionRescheduleAppointment,
    ActionStopForm,
    ValidateBookingForm,
    ValidateCheckInForm,
    ValidateRescheduleForm,
    booking_reason,
)
from actions.hub_client import HubClient
from rasa_sdk.events import FollowupAction, SlotSet

from builders import form_tracker, make_tracker, user_event
from hub_stub import HubStub
from test_appointments import (
    BOOKED,
    CHECKED_IN_TICKET,
    DAY_TIMES,
    appointment_json,
    run,
    serve_branch,
    slots_json,
    texts,
)

pytestmark = pytest.mark.asyncio

ZH = {"lang": "zh"}
SERVICES_ZH = [
    {"id": "cash", "name": "现金与支票", "prefix": "A", "intents": ["withdraw_cash"], "bookable": False},
    {"id": "loans", "name": "贷款与房贷", "prefix": "L", "intents": ["apply_loan", "mortgage"], "bookable": True},
    {"id": "invest", "name": "储蓄与投资", "prefix": "I", "intents": ["invest"], "bookable": True},
]
CODE_PATH = "/api/v1/appointments/K7P2QX?lang=zh"


def serve_branch_zh(hub: HubStub, days: dict[date, dict[str, Any]] | None = None) -> None:
    serve_branch(hub, days)
    hub.reply("/api/v1/services?lang=zh", 200, {"services": SERVICES_ZH})


def appointment_zh(**changes: Any) -> dict[str, Any]:
    return appointment_json(service_name="贷款与房贷", **changes)


# -- validation ----------------------------------------------------------------------------------


async def test_a_service_without_appointments_is_explained(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    tracker = form_tracker("withdraw_cash", text="取现金", slots=ZH, changed={"booking_service": "取现金"})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == [
        "现金与支票不需要预约，我可以直接帮您取号办理。",
        "可以预约的业务有：贷款与房贷、储蓄与投资。",
    ]
    assert events == [SlotSet("booking_service", None)]


async def test_a_chinese_day_is_read_and_a_closed_one_refused(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    slots = {"booking_service": "loans", **ZH}
    tracker = form_tracker("inform", text="周日可以吗", slots=slots, changed={"booking_date": "周日可以吗"})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["12月6日（星期日）网点不营业。最近可以预约的是12月7日（星期一）。"]
    assert SlotSet("booking_date", None) in events


async def test_a_day_and_time_in_one_chinese_phrase_fill_both(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    tracker = form_tracker(
        "book_appointment", slots={"booking_service": "loans", **ZH}, changed={"booking_date": "明天上午十点"}
    )

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []
    assert events == [SlotSet("booking_date", "2026-11-30"), SlotSet("booking_time", "10:00")]


async def test_a_fully_booked_day(hub: HubStub, hub_client: HubClient) -> None:
    tuesday = date(2026, 12, 1)
    serve_branch_zh(hub, {tuesday: slots_json(tuesday, [], taken=tuple(DAY_TIMES))})
    tracker = form_tracker("inform", slots={"booking_service": "loans", **ZH}, changed={"booking_date": "周二"})

    messages, _ = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["12月1日（星期二）的预约已经满了。最近可以预约的是12月2日（星期三）。"]


async def test_a_taken_time_offers_the_nearest_free_ones(hub: HubStub, hub_client: HubClient) -> None:
    monday = date(2026, 11, 30)
    serve_branch_zh(hub, {monday: slots_json(monday, DAY_TIMES, taken=("15:30",))})
    slots = {"booking_service": "loans", "booking_date": "2026-11-30", **ZH}
    tracker = form_tracker("inform", text="下午三点半", slots=slots, changed={"booking_time": "下午三点半"})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["抱歉，明天（11月30日，星期一）下午3点半已经约满了。"]
    assert SlotSet("time_choices", {"label": "", "times": ["14:30", "15:00", "16:30"]}) in events


async def test_a_part_of_the_day_offers_its_free_times(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    slots = {"booking_service": "loans", "booking_date": "2026-11-30", **ZH}
    tracker = form_tracker("inform", text="下午吧", slots=slots, changed={"booking_time": "下午吧"})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []
    choices = {"label": "下午", "times": ["14:00", "14:30", "15:00", "16:30"]}
    assert events == [SlotSet("time_choices", choices), SlotSet("booking_time", None)]
    ask = form_tracker("inform", slots={**slots, "time_choices": choices})
    messages, _ = await run(ActionAskBookingTime(hub_client), ask)
    assert texts(messages) == [
        "明天（11月30日，星期一）下午可以预约的时间有下午2点、下午2点半、下午3点或下午4点半，您看哪个时间合适？"
    ]
    assert [b["title"] for b in messages[0]["buttons"]] == ["下午2点", "下午2点半", "下午3点", "下午4点半"]
    assert messages[0]["buttons"][0]["payload"] == '/inform{"time":"14:00"}'


async def test_a_correction_at_the_confirmation(hub: HubStub, hub_client: HubClient) -> None:
    """ "不对，改成下午三点": a no that carries the new time, which the NLU did not tag."""
    serve_branch_zh(hub)
    slots = {**BOOKED, "booking_time": "10:00", "booking_confirmed": None, "requested_slot": "booking_confirmed", **ZH}
    tracker = form_tracker("deny", text="不对，改成下午三点", slots=slots, changed={"booking_confirmed": False})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert messages == []
    assert events == [SlotSet("booking_time", "15:00"), SlotSet("booking_confirmed", None)]


async def test_a_plain_no_at_the_confirmation(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    slots = {**BOOKED, "booking_confirmed": None, "requested_slot": "booking_confirmed", **ZH}
    tracker = form_tracker("deny", text="不对", slots=slots, changed={"booking_confirmed": False})

    messages, events = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["好的，我们换个时间，也可以换一天。"]
    assert events == [SlotSet("booking_time", None), SlotSet("booking_confirmed", None)]


async def test_a_new_day_in_the_reschedule_form(hub: HubStub, hub_client: HubClient) -> None:
    """ "换到周四" while the reschedule form asks to confirm: Thursday, at the time already chosen."""
    serve_branch_zh(hub)
    slots = {
        "appointment_code": "K7P2QX",
        "booking_service": "loans",
        "booking_date": "2026-12-02",
        "booking_time": "11:00",
        "requested_slot": "booking_confirmed",
        **ZH,
    }
    tracker = form_tracker("inform", text="换到周四", slots=slots, changed={}, active_loop="reschedule_form")

    messages, events = await run(ValidateRescheduleForm(hub_client), tracker)

    assert messages == []
    assert events == [SlotSet("booking_date", "2026-12-03"), SlotSet("booking_time", "11:00")]


async def test_a_day_not_understood(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    tracker = form_tracker(
        "inform", text="随便", slots={"booking_service": "loans", **ZH}, changed={"booking_date": "随便"}
    )

    messages, _ = await run(ValidateBookingForm(hub_client), tracker)

    assert texts(messages) == ["抱歉，没听清您想约哪一天。"]


# -- questions -----------------------------------------------------------------------------------


async def test_the_service_question(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)

    messages, _ = await run(ActionAskBookingService(hub_client), form_tracker("book_appointment", slots=ZH))

    assert texts(messages) == ["请问您想预约办理什么业务？"]
    assert [(b["title"], b["payload"]) for b in messages[0]["buttons"]] == [
        ("贷款与房贷", "/apply_loan"),
        ("储蓄与投资", "/invest"),
    ]


async def test_the_date_question_offers_the_next_free_days(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)

    messages, _ = await run(
        ActionAskBookingDate(hub_client), form_tracker("book_appointment", slots={"booking_service": "loans", **ZH})
    )

    assert texts(messages) == ["请问您想约哪一天？最近可以预约的是明天（11月30日，星期一）。"]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "明天（11月30日，星期一）",
        "12月1日（星期二）",
        "12月2日（星期三）",
    ]


async def test_the_confirmation_names_service_day_and_time(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    slots = {"booking_service": "loans", "booking_date": "2026-12-04", "booking_time": "14:30", **ZH}

    messages, _ = await run(ActionAskBookingConfirmed(hub_client), form_tracker("inform", slots=slots))

    assert texts(messages) == ["为您预约12月4日（星期五）下午2点半办理贷款与房贷业务，可以吗？"]
    assert [(b["title"], b["payload"]) for b in messages[0]["buttons"]] == [
        ("确认", "/affirm"),
        ("不对，改一下", "/deny"),
    ]


async def test_the_reschedule_confirmation_says_from_and_to(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply(CODE_PATH, 200, appointment_zh())
    slots = {"appointment_code": "K7P2QX", "booking_date": "2026-12-03", "booking_time": "11:00", **ZH}

    messages, _ = await run(
        ActionAskBookingConfirmed(hub_client), form_tracker("inform", slots=slots, active_loop="reschedule_form")
    )

    assert texts(messages) == ["要把您明天（11月30日，星期一）下午3点的贷款与房贷预约改到12月3日（星期四）上午11点吗？"]


async def test_the_code_question_at_the_kiosk_and_in_the_app() -> None:
    messages, _ = await run(ActionAskAppointmentCode(), form_tracker("check_in", slots=ZH, active_loop="check_in_form"))
    assert texts(messages) == [
        "请告诉我您的预约码，一共六位字母和数字，在您的预约确认信息里。也可以在这里扫描预约二维码。"
    ]
    app = form_tracker("check_in", slots=ZH, metadata={"channel": "mobile"}, active_loop="check_in_form")
    messages, _ = await run(ActionAskAppointmentCode(), app)
    assert texts(messages) == ["请告诉我您的预约码，一共六位字母和数字，在您的预约确认信息里。"]


async def test_the_cancel_question(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply(CODE_PATH, 200, appointment_zh())
    tracker = form_tracker("cancel_appointment", slots={"appointment_code": "K7P2QX", **ZH}, active_loop="cancel_form")

    messages, _ = await run(ActionAskCancelConfirmed(hub_client), tracker)

    assert texts(messages) == ["您预约的是明天（11月30日，星期一）下午3点的贷款与房贷业务，确定要取消吗？"]
    assert [b["title"] for b in messages[0]["buttons"]] == ["确定取消", "不取消了"]


# -- codes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected_text", "expected_code"),
    [
        ("我的预约码是K七P二QX", None, "K7P2QX"),  # read aloud one character at a time
        ("k 7 p 2 q x", None, "K7P2QX"),
        ("不记得了", "抱歉，这个好像不是预约码。预约码由六位字母和数字组成，比如 K 7 P 2 Q X。", None),
        ("ZZ九九ZZ", "没有找到预约码为 Z Z 9 9 Z Z 的预约，请您核对后再说一次。", None),
    ],
)
async def test_a_code_said_in_chinese_is_checked_at_the_hub(
    hub: HubStub, hub_client: HubClient, said: str, expected_text: str | None, expected_code: str | None
) -> None:
    hub.reply(CODE_PATH, 200, appointment_zh())
    hub.reply("/api/v1/appointments/ZZ99ZZ?lang=zh", 404, {"error": {"code": "appointment_not_found", "message": ""}})
    tracker = form_tracker(
        "inform", text=said, slots=ZH, changed={"appointment_code": said}, active_loop="check_in_form"
    )

    messages, events = await run(ValidateCheckInForm(hub_client), tracker)

    assert texts(messages) == ([expected_text] if expected_text else [])
    assert events == [SlotSet("appointment_code", expected_code)]


async def test_a_cancelled_booking_cannot_be_moved(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply(CODE_PATH, 200, appointment_zh(status="cancelled"))
    tracker = form_tracker("inform", slots=ZH, changed={"appointment_code": "K7P2QX"}, active_loop="reschedule_form")

    messages, _ = await run(ValidateRescheduleForm(hub_client), tracker)

    assert texts(messages) == ["预约 K 7 P 2 Q X 已经取消了，不能再修改了。"]


# -- submissions -----------------------------------------------------------------------------------


async def test_booking_in_chinese(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply("/api/v1/appointments", 201, appointment_zh())
    tracker = form_tracker("affirm", text="好的", slots={**BOOKED, **ZH}, active_loop=None)

    messages, events = await run(ActionBookAppointment(hub_client), tracker)

    assert hub.bodies("/api/v1/appointments")[0]["lang"] == "zh"
    assert texts(messages) == [
        "已为您预约明天（11月30日，星期一）下午3点办理贷款与房贷业务。您的预约码是 K 7 P 2 Q X。"
        "请在下午2点45分以后到取号机签到。"
    ]
    assert SlotSet("appointment_code", "K7P2QX") in events


async def test_the_reason_of_a_chinese_booking(hub: HubStub, hub_client: HubClient) -> None:
    """A Chinese sentence has no spaces: its length in characters decides whether it says why."""
    history = [
        user_event("mortgage", text="我想咨询一下房贷的事情"),
        {"event": "active_loop", "name": "booking_form"},
        user_event("inform", text="明天"),
    ]
    tracker = make_tracker("affirm", text="好的", history=history, slots={**BOOKED, **ZH})
    assert booking_reason(tracker) == ("mortgage", "我想咨询一下房贷的事情")


async def test_a_slot_taken_meanwhile(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply("/api/v1/appointments", 409, {"error": {"code": "slot_full", "message": "fully booked"}})

    messages, events = await run(ActionBookAppointment(hub_client), form_tracker("affirm", slots={**BOOKED, **ZH}))

    assert texts(messages) == ["抱歉，下午3点刚刚被约走了，请您另选一个时间。"]
    assert FollowupAction("booking_form") in events


async def test_a_refusal_in_english_is_not_mixed_in(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply("/api/v1/appointments", 422, {"error": {"code": "not_bookable", "message": "no advisors"}})

    messages, _ = await run(ActionBookAppointment(hub_client), form_tracker("affirm", slots={**BOOKED, **ZH}))

    assert texts(messages) == ["抱歉，这次没能为您办好。"]


async def test_reschedule_in_chinese(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    moved = appointment_zh(starts_at="2026-12-03T11:00:00+00:00")
    hub.reply("/api/v1/appointments/K7P2QX/reschedule?lang=zh", 200, moved)
    slots = {
        "appointment_code": "K7P2QX",
        "booking_date": "2026-12-03",
        "booking_time": "11:00",
        "booking_confirmed": True,
    }

    messages, _ = await run(ActionRescheduleAppointment(hub_client), form_tracker("affirm", slots={**slots, **ZH}))

    assert texts(messages) == ["改好了。您的预约已改到12月3日（星期四）上午11点，预约码不变，还是 K 7 P 2 Q X。"]


async def test_cancel_in_chinese(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply(f"DELETE {CODE_PATH}", 200, appointment_zh(status="cancelled"))
    slots = {"appointment_code": "K7P2QX", "cancel_confirmed": True, **ZH}

    messages, _ = await run(ActionCancelAppointment(hub_client), form_tracker("affirm", slots=slots))

    assert texts(messages) == ["您明天（11月30日，星期一）下午3点的预约已经取消了。还有什么可以帮您的吗？"]

    messages, _ = await run(
        ActionCancelAppointment(hub_client), form_tracker("deny", slots={**slots, "cancel_confirmed": False})
    )
    assert texts(messages) == ["好的，您的预约保持不变。"]


async def test_check_in_on_time(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply(CODE_PATH, 200, appointment_zh())
    check_in = {"code": "K7P2QX", "arrival": "on_time", "message": "已签到。"}
    hub.reply("/api/v1/appointments/K7P2QX/check-in", 201, {**CHECKED_IN_TICKET, "check_in": check_in})
    tracker = form_tracker("check_in", slots={"appointment_code": "K7P2QX", **ZH}, active_loop=None)

    messages, _ = await run(ActionCheckIn(hub_client), tracker)

    assert hub.bodies("/api/v1/appointments/K7P2QX/check-in") == [{"channel": "kiosk", "lang": "zh"}]
    assert texts(messages) == ["欢迎光临，您下午3点的预约已签到成功。您的号码是 L 3 号，客户经理稍后会叫您。"]


async def test_check_in_late_says_the_hubs_words_and_the_ticket(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply(CODE_PATH, 200, appointment_zh())
    check_in = {"code": "K7P2QX", "arrival": "late", "message": "您迟到了，已为您普通排队。"}
    ticket = {**CHECKED_IN_TICKET, "service_name": "贷款与房贷", "position": 3, "eta_minutes": [10, 20]}
    hub.reply("/api/v1/appointments/K7P2QX/check-in", 201, {**ticket, "check_in": check_in})

    messages, _ = await run(
        ActionCheckIn(hub_client), form_tracker("check_in", slots={"appointment_code": "K7P2QX", **ZH})
    )

    assert texts(messages) == [
        "您迟到了，已为您普通排队。您的号码是 L 3 号，办理贷款与房贷业务，前面还有2位，大约需要等10到20分钟。"
    ]


async def test_check_in_too_early(hub: HubStub, hub_client: HubClient) -> None:
    serve_branch_zh(hub)
    hub.reply(CODE_PATH, 200, appointment_zh())
    hub.reply(
        "/api/v1/appointments/K7P2QX/check-in", 409, {"error": {"code": "too_early", "message": "opens at 14:45"}}
    )

    messages, _ = await run(
        ActionCheckIn(hub_client), form_tracker("check_in", slots={"appointment_code": "K7P2QX", **ZH})
    )

    assert texts(messages) == ["您来得早了一点。您预约的是下午3点，下午2点45分开始可以签到，到时请再到取号机签到。"]


async def test_no_stops_the_form(hub: HubStub) -> None:
    messages, _ = await run(ActionStopForm(), form_tracker("deny", text="算了", slots={**BOOKED, **ZH}))

    assert texts(messages) == ["好的，那就先不办了。还有什么可以帮您的吗？"]


async def test_the_hub_down_during_validation(dead_hub_url: str) -> None:
    tracker = form_tracker("inform", slots={"booking_service": "loans", **ZH}, changed={"booking_date": "明天"})

    messages, events = await run(ValidateBookingForm(HubClient(dead_hub_url, 2.0)), tracker)

    assert texts(messages) == ["抱歉，排队系统暂时连接不上，请您咨询大堂工作人员。"]
    assert events == [SlotSet("booking_date", None)]
