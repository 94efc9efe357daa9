# ruff: noqa: RUF001
"""action_triage and the ticket offer in Mandarin: the English tests' cases, said as lobby staff say them.

The turn's language is the `lang` slot (filled from the lang entity on every turn), else the
metadata's; the hub gets it on every call and answers in it.
"""

from __future__ import annotations

from typing import Any

import pytest
from actions.actions import ActionAcceptOffer, ActionDeclineOffer, ActionTriage
from actions.hub_client import HubClient
from rasa_sdk.events import SlotSet

from builders import make_tracker
from hub_stub import HubStub
from test_action_triage import ALERTS, QUEUE, SERVICES, TICKETS, TRIAGE, run, ticket_json

pytestmark = pytest.mark.asyncio

ZH = {"lang": "zh"}
STM_ZH = {
    "service": "cash",
    "device_id": "stm-1",
    "kind": "stm",
    "name": "智能柜员机1号",
    "location": "自助服务区第一台",
    "reason": "智能柜员机1号现在就可以办理",
}
HUB_UNAVAILABLE_ZH = "抱歉，排队系统暂时连接不上，请您咨询大堂工作人员。"


def serve_queue_zh(hub: HubStub, waiting: int = 2, eta: list[int] | None = None) -> None:
    line = {"service": "cards", "waiting": waiting, "longest_wait_minutes": 3.5, "eta_minutes": eta or [5, 10]}
    loans = {"service": "loans", "waiting": 0, "longest_wait_minutes": 0, "eta_minutes": [8, 18]}
    hub.reply(QUEUE, 200, {"services": [line, loans], "counters": []})
    services = [
        {"id": "cards", "name": "银行卡与密码", "prefix": "C", "intents": ["report_lost_card"], "bookable": False},
        {"id": "loans", "name": "贷款与房贷", "prefix": "L", "intents": ["mortgage"], "bookable": True},
    ]
    hub.reply(f"{SERVICES}?lang=zh", 200, {"services": services})


async def test_a_device_route_in_chinese(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "device", "service": "cash", "reason": STM_ZH["reason"], "device": STM_ZH})
    tracker = make_tracker("withdraw_cash", text="我想取两千块钱", metadata={"channel": "kiosk", "lang": "zh"})

    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TRIAGE)[0]["lang"] == "zh"
    [message] = dispatcher.messages
    assert message["text"] == "这项业务您现在就可以到智能柜员机1号自助办理，位置在自助服务区第一台。"
    assert message["custom"] == {"route": STM_ZH}


async def test_a_reason_the_hub_did_not_translate_is_left_out(hub: HubStub, hub_client: HubClient) -> None:
    device = dict(STM_ZH, reason="it takes cheques up to 3000")
    hub.reply(TRIAGE, 200, {"decision": "device", "service": "cash", "reason": "", "device": device})

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("deposit_cheque", slots=ZH))

    assert dispatcher.messages[0]["text"] == "这项业务您现在就可以到智能柜员机1号自助办理，位置在自助服务区第一台。"


async def test_a_ticket_offer_at_the_kiosk(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": "柜台工作人员会为您办理挂失"})
    serve_queue_zh(hub)
    tracker = make_tracker("report_lost_card", text="我的卡丢了", message_id="4f1c9e", slots=ZH)

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    [message] = dispatcher.messages
    assert message["text"] == (
        "柜台工作人员会为您办理挂失。银行卡与密码现在有2位在等候，大约需要等5到10分钟。需要给您取一张号吗？"
    )
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == [
        ("好的，取号", "/affirm"),
        ("不用了，谢谢", "/deny"),
    ]
    assert events == [SlotSet("offer", {"service": "cards", "intent": "report_lost_card", "turn_id": "4f1c9e"})]


async def test_an_offer_in_the_app_also_offers_an_appointment(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "loans", "reason": "", "bookable": True})
    serve_queue_zh(hub)
    tracker = make_tracker("mortgage", text="我想咨询房贷", metadata={"channel": "mobile", "lang": "zh"})

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    [message] = dispatcher.messages
    assert message["text"] == (
        "贷款与房贷现在没有人排队，取号后马上就能办理。需要帮您在线排队吗？也可以帮您预约客户经理。"
    )
    assert [b["title"] for b in message["buttons"]] == ["好的，帮我排队", "预约办理", "不用了，谢谢"]
    assert SlotSet("booking_service", "loans") in events


@pytest.mark.parametrize(
    ("waiting", "eta", "expected"),
    [
        (0, None, "银行卡与密码现在没有人排队，不过暂时还没有开放的柜台。"),
        (12, [30, 55], "银行卡与密码现在有12位在等候，大约需要等30到55分钟。"),
    ],
)
async def test_the_wait_in_chinese(
    hub: HubStub, hub_client: HubClient, waiting: int, eta: list[int] | None, expected: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": ""})
    serve_queue_zh(hub, waiting=waiting)
    hub.replies[QUEUE].body["services"][0]["eta_minutes"] = eta

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("replace_card", slots=ZH))

    assert dispatcher.messages[0]["text"].startswith(expected)


@pytest.mark.parametrize(
    ("position", "eta", "expected"),
    [
        (3, [5, 10], "您的号码是 C 4 号，办理银行卡与密码业务，前面还有2位，大约需要等5到10分钟。"),
        (
            1,
            None,
            "您的号码是 C 4 号，办理银行卡与密码业务，下一位就是您。目前还没有开放的柜台，开放后会尽快叫您的号。",
        ),
    ],
)
async def test_the_ticket_in_chinese(
    hub: HubStub, hub_client: HubClient, position: int, eta: list[int] | None, expected: str
) -> None:
    hub.reply(TICKETS, 201, ticket_json(service_name="银行卡与密码", position=position, eta_minutes=eta))
    offer = {"service": "cards", "intent": "report_lost_card", "turn_id": "1"}
    tracker = make_tracker("affirm", text="好的", slots={"offer": offer, **ZH})

    dispatcher, events = await run(ActionAcceptOffer(hub_client), tracker)

    assert hub.bodies(TICKETS)[0]["lang"] == "zh"  # the ticket, its tracking page and its call speak Chinese
    assert dispatcher.messages[0]["text"] == expected
    assert SlotSet("last_ticket_id", "t-7f3a") in events


async def test_a_ticket_from_the_app_says_until_when_the_place_is_kept(hub: HubStub, hub_client: HubClient) -> None:
    remote = ticket_json(service_name="银行卡与密码", eta_minutes=[10, 20], arrive_by="2026-11-30T10:15:00+00:00")
    hub.reply(TICKETS, 201, remote)
    offer = {"service": "cards", "intent": "report_lost_card", "turn_id": "1"}
    tracker = make_tracker("affirm", slots={"offer": offer}, metadata={"channel": "mobile", "lang": "zh"})

    dispatcher, _ = await run(ActionAcceptOffer(hub_client), tracker)

    assert dispatcher.messages[0]["text"] == (
        "您的号码是 C 4 号，办理银行卡与密码业务，前面还有2位，大约需要等10到20分钟。"
        "我们会为您保留排队位置到上午10点15分，到网点后请在取号机上扫描号票上的二维码。"
    )


async def test_no_and_yes_without_an_offer(hub: HubStub, hub_client: HubClient) -> None:
    offer = {"service": "cards", "intent": "reset_pin", "turn_id": "1"}
    dispatcher, _ = await run(ActionDeclineOffer(), make_tracker("deny", text="不用了", slots={"offer": offer, **ZH}))
    assert [m["text"] for m in dispatcher.messages] == ["好的，那就先不取号了。还有什么可以帮您的吗？"]

    dispatcher, _ = await run(ActionAcceptOffer(hub_client), make_tracker("affirm", text="好的", slots=ZH))
    assert [m["text"] for m in dispatcher.messages] == ["好的，请问您要办理什么业务？"]
    assert hub.requests == []


async def test_queue_status_of_the_customers_ticket(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": "请看大堂屏幕。"})
    hub.reply("/api/v1/tickets/t-42?lang=zh", 200, ticket_json(id="t-42", position=3, eta_minutes=[5, 10]))
    tracker = make_tracker("queue_status", text="还要等多久", slots={"last_ticket_id": "t-42", **ZH})

    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert [m["text"] for m in dispatcher.messages] == ["您的号码 C 4 号，前面还有2位，大约需要等5到10分钟。"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("called", "已经叫到 C 4 号了，请到屏幕上显示的柜台办理。"),
        ("served", "C 4 号已经办理完毕。还有什么可以帮您的吗？"),
        ("no_show", "C 4 号已经过号了。还有什么可以帮您的吗？"),
    ],
)
async def test_queue_status_of_a_ticket_no_longer_waiting(
    hub: HubStub, hub_client: HubClient, status: str, expected: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": "请看大堂屏幕。"})
    hub.reply("/api/v1/tickets/t-42?lang=zh", 200, ticket_json(id="t-42", status=status))

    tracker = make_tracker("queue_status", slots={"last_ticket_id": "t-42", **ZH})
    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert [m["text"] for m in dispatcher.messages] == [expected]


async def test_how_busy_the_branch_is(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": "请看大堂屏幕。"})
    lines = [
        {"service": "cards", "waiting": 1, "eta_minutes": [0, 7]},
        {"service": "loans", "waiting": 4, "eta_minutes": [20, 45]},
        {"service": "cash", "waiting": 0, "eta_minutes": [0, 4]},
    ]
    serve_queue_zh(hub)
    hub.reply(QUEUE, 200, {"services": lines, "counters": []})

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("queue_status", text="人多吗", slots=ZH))

    assert [m["text"] for m in dispatcher.messages] == [
        "目前贷款与房贷有4位在等候，大约需要20到45分钟；银行卡与密码有1位。其他业务目前都不用排队。"
    ]


@pytest.mark.parametrize(
    ("decision", "reason", "expected"),
    [
        ("staff", "已通知工作人员，马上就来", "已通知工作人员，马上就来。"),
        ("staff", "A member of staff has been told.", "好的，请您在这里稍等，工作人员马上过来为您服务。"),
        ("info", "我们今天营业到晚上7点。", "我们今天营业到晚上7点。"),
        ("appointment", "check_in", "预约、签到或取消预约，请到服务台找工作人员办理。"),
    ],
)
async def test_the_hubs_answers_in_chinese(
    hub: HubStub, hub_client: HubClient, decision: str, reason: str, expected: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": decision, "service": None, "reason": reason})
    hub.reply(ALERTS, 202, {"status": "alerted"})

    tracker = make_tracker("talk_to_human", text="我要找人工", sender_id="kiosk-3", slots=ZH)
    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert [m["text"] for m in dispatcher.messages] == [expected]
    if decision == "staff":
        assert hub.bodies(ALERTS)[0]["lang"] == "zh"  # the staff screen shows the customer's language


async def test_the_app_cannot_join_a_closed_queue(hub: HubStub, hub_client: HubClient) -> None:
    refusal = "网点现在已经下班了，营业时间是周一至周五上午9点到下午5点"
    triage = {"decision": "ticket", "service": "loans", "reason": "", "bookable": True, "remote_join_refusal": refusal}
    hub.reply(TRIAGE, 200, triage)
    tracker = make_tracker("mortgage", metadata={"channel": "mobile", "lang": "zh"})

    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    [message] = dispatcher.messages
    assert message["text"] == f"目前无法在手机上排这个队：{refusal}。可以帮您改为预约办理。"
    assert [b["title"] for b in message["buttons"]] == ["预约办理"]


async def test_the_hub_down_in_chinese(dead_hub_url: str) -> None:
    action = ActionTriage(HubClient(dead_hub_url, timeout_seconds=2.0))

    dispatcher, _ = await run(action, make_tracker("withdraw_cash", text="取钱", slots=ZH))

    assert [m["text"] for m in dispatcher.messages] == [HUB_UNAVAILABLE_ZH]


@pytest.mark.parametrize(
    ("slots", "metadata", "expected"),
    [
        (ZH, {"lang": "en"}, "zh"),  # the slot (this turn's language) wins over the session's
        ({"lang": "en"}, {"lang": "zh"}, "en"),  # and back to English
        ({}, {"lang": "zh-CN"}, "zh"),  # no slot: the hub's metadata, normalised
        ({"lang": "fr"}, {}, "en"),  # nothing the catalogs speak: English
    ],
)
async def test_the_language_of_the_turn(
    hub: HubStub, hub_client: HubClient, slots: dict[str, Any], metadata: dict[str, Any], expected: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "ticket", "service": "cards", "reason": ""})
    serve_queue_zh(hub)
    hub.reply(f"{SERVICES}?lang=en", 200, {"services": []})

    await run(ActionTriage(hub_client), make_tracker("replace_card", slots=slots, metadata=metadata))

    assert hub.bodies(TRIAGE)[0]["lang"] == expected
