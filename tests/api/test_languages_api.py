"""The hub speaks the customer's language: the turn's language to Rasa, the touch menu, triage reasons,
names of counters and devices, tickets and their views, pushes.

Expected Chinese is written out in full here (not read from the catalog), so a catalog change shows.
"""

# ruff: noqa: RUF001

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from sanic import Sanic

from assistant.domain.clock import FakeClock
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.chat import _push_for
from lobby_wire import TicketStatus, TicketView
from tests.api.fake_rasa import FakeRasa, fake_rasa

_names = itertools.count()
WEBHOOK = "/webhooks/rest/webhook"


def app_client(settings: Settings, **changes: Any) -> Any:
    Sanic.test_mode = True
    clock = changes.pop("clock", None)
    configured = msgspec.structs.replace(settings, **changes)
    return create_app(configured, clock=clock, name=f"lobby_lang_{next(_names)}").asgi_client


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with fake_rasa() as fake:
        yield fake


@pytest.fixture
def with_rasa(settings: Settings, rasa: FakeRasa) -> Any:
    return app_client(settings, dialogue=msgspec.structs.replace(settings.dialogue, rasa_url=rasa.url))


async def chat(client: Any, message: str, lang: str | None = None, sender: str = "kiosk-7") -> Any:
    body = {"sender": sender, "message": message, "channel": "kiosk", **({"lang": lang} if lang else {})}
    _, response = await client.post("/api/v1/chat", json=body)
    assert response.status == 200, response.json
    return response.json


async def test_the_turns_language_goes_to_rasa_and_comes_back(with_rasa: Any, rasa: FakeRasa) -> None:
    cases = [("我的卡丢了", None, "zh"), ("我的卡丢了", "en", "zh"), ("I lost my card", "zh", "en"),
             ("我想 open an account", "en", "en"), ("我想 open an account", None, "zh"), ("K7P2QX", "zh", "zh"),
             ("我的卡遺失了", "en", "zh")]  # fmt: skip
    for message, hint, expected in cases:
        reply = await chat(with_rasa, message, hint)
        assert reply["lang"] == expected, message
    sent = rasa.bodies(WEBHOOK)
    assert [(body["message"], body["metadata"]) for body in sent] == [
        (message, {"channel": "kiosk", "lang": expected}) for message, _, expected in cases
    ]
    assert {body["sender"] for body in sent} == {"kiosk:kiosk-7"}


async def test_button_payloads_carry_the_language_as_an_entity(with_rasa: Any, rasa: FakeRasa) -> None:
    cases = [
        ("/withdraw_cash", "zh", '/withdraw_cash{"lang": "zh"}', "zh"),
        ("/withdraw_cash", None, '/withdraw_cash{"lang": "en"}', "en"),
        ('/withdraw_cash{"amount": "200"}', "zh", '/withdraw_cash{"amount": "200", "lang": "zh"}', "zh"),
        ('/inform{"currency": "美元"}', "zh-CN", '/inform{"currency": "美元", "lang": "zh"}', "zh"),
        ('/deposit_cash{"lang": "en"}', "zh", '/deposit_cash{"lang": "en"}', "en"),  # the payload's own wins
        ('/withdraw_cash{"amount": ', "zh", '/withdraw_cash{"amount": ', "zh"),  # malformed: as it is
        ("/withdraw_cash[1, 2]", "zh", "/withdraw_cash[1, 2]", "zh"),
    ]
    for message, hint, _, expected in cases:
        assert (await chat(with_rasa, message, hint))["lang"] == expected, message
    sent = [(body["message"], body["metadata"]["lang"]) for body in rasa.bodies(WEBHOOK)]
    assert sent == [(forwarded, lang) for _, _, forwarded, lang in cases]


async def test_rasa_replies_are_lifted_and_say_their_language(with_rasa: Any, rasa: FakeRasa) -> None:
    route = {"service": "cash", "device_id": "atm-1", "kind": "atm", "name": "1号ATM", "location": "大门外左侧"}
    rasa.answers[WEBHOOK] = lambda body: (200, [{"text": "您可以到1号ATM取款。", "custom": {"route": route}}])
    reply = await chat(with_rasa, "我想取两千块")
    assert reply == {"messages": [{"text": "您可以到1号ATM取款。"}], "route": {**route, "reason": ""}, "lang": "zh"}


async def test_the_touch_menu_speaks_chinese_when_rasa_is_down(client: Any) -> None:
    menu = await chat(client, "我的卡丢了")
    assert menu["degraded"] is True and menu["lang"] == "zh"
    assert menu["messages"][0]["text"] == "抱歉，我暂时无法理解您的问题，请直接选择要办理的业务。"
    buttons = {b["title"]: b["payload"] for b in menu["messages"][0]["buttons"]}
    assert buttons["银行卡与密码"] == "/report_lost_card" and buttons["外币兑换"] == "/exchange_currency"

    ticket = await chat(client, "/report_lost_card", "zh")
    assert ticket["lang"] == "zh" and ticket["messages"][0]["text"] == "您的号码是C001，办理银行卡与密码。"
    assert ticket["ticket"]["lang"] == "zh" and ticket["ticket"]["service_name"] == "银行卡与密码"

    device = await chat(client, '/withdraw_cash{"amount": "200"}', "zh")
    assert device["messages"][0]["text"] == "您现在就可以到1号ATM办理，位置：大门外左侧。"
    assert (device["route"]["name"], device["route"]["location"]) == ("1号ATM", "大门外左侧")
    assert device["route"]["reason"] == "1号ATM现在就可以为您办理。"
    big = await chat(client, '/withdraw_cash{"amount": "20,000"}', "zh")  # over every machine's limit: a ticket
    assert big["ticket"]["service"] == "cash" and big["messages"][0]["text"] == "您的号码是A001，办理现金与支票。"

    english = await chat(client, "hello", sender="kiosk-8")
    assert english["lang"] == "en" and english["messages"][0]["text"].startswith("I can't understand messages")


async def test_triage_reasons_in_chinese(client: Any) -> None:
    async def triage(intent: str, lang: str = "zh", **entities: str) -> Any:
        _, response = await client.post("/api/v1/triage", json={"intent": intent, "entities": entities, "lang": lang})
        assert response.status == 200, response.json
        return response.json

    big = await triage("withdraw_cash", amount="20,000")
    assert big["decision"] == "ticket" and big["reason"] == (
        "自动取款机单笔限额1,000、存取款一体机单笔限额5,000和智能柜员机单笔限额3,000，请到柜台办理，工作人员会为您服务。"
    )
    device = await triage("deposit_cheque", "zh-CN")
    assert device["device"]["name"] == "1号智能柜员机" and device["device"]["location"] == "自助服务区第一台"
    assert device["reason"] == "1号智能柜员机现在就可以为您办理。"
    assert (await triage("report_lost_card"))["reason"] == "请到柜台办理，工作人员会为您服务。"
    assert (await triage("mortgage"))["reason"] == "请稍候，顾问会在理财顾问席为您办理。"
    assert (await triage("talk_to_human"))["reason"] == "已经通知工作人员，马上过来为您服务，请稍候。"
    assert (await triage("queue_status"))["reason"] == "各项业务的等候时间，请看大堂的叫号屏。"
    info = await triage("branch_info")
    _, branch = await client.get("/api/v1/branch", params={"lang": "zh"})
    expected = (
        "我们的营业时间是周一至周三上午9点至下午5点，周四上午9点至晚上7点，周五上午9点至下午5点，周六上午10点至下午1点。"
        "地址：高街12号，邮局旁边。网点提供无障碍通道、每个窗口的助听设备、免费Wi-Fi和私密洽谈室。"
    )
    assert info["reason"] == branch.json["info_text"] == expected
    assert branch.json["name"] == "Lobby 演示支行" and branch.json["lang"] == "zh"
    english = await triage("report_lost_card", "en")
    assert english["reason"] == "A member of staff will help you at the counter."


async def test_names_and_tickets_follow_the_language(client: Any, staff: dict[str, str]) -> None:
    _, devices = await client.get("/api/v1/devices", params={"lang": "zh"})
    names = {d["id"]: (d["name"], d["location"]) for d in devices.json["devices"]}
    assert names["atm-1"] == ("1号ATM", "大门外左侧") and names["rec-1"][0] == "存取款一体机"
    _, english = await client.get("/api/v1/devices")
    assert {d["id"]: d["name"] for d in english.json["devices"]}["atm-1"] == "ATM 1"

    _, chinese = await client.post("/api/v1/tickets", json={"service": "cash", "lang": "zh-CN"})
    _, walk_in = await client.post("/api/v1/tickets", json={"service": "cash"})
    assert chinese.json["lang"] == "zh" and chinese.json["service_name"] == "现金与支票"
    assert walk_in.json["lang"] == "en" and walk_in.json["service_name"] == "Cash and cheques"
    _, queue = await client.get("/api/v1/queue", params={"lang": "zh"})
    counters = {c["id"]: c["name"] for c in queue.json["counters"]}
    assert counters == {"c1": "1号窗口", "c2": "2号窗口", "c3": "理财顾问席"}
    assert next(s for s in queue.json["services"] if s["service"] == "cash")["name"] == "现金与支票"

    _, listing = await client.get("/api/v1/tickets", headers=staff)  # the console's waiting list
    assert [(t["number"], t["lang"]) for t in listing.json["tickets"]] == [("A001", "zh"), ("A002", "en")]
    _, called = await client.post("/api/v1/counters/c1/call-next", headers=staff)
    assert called.json["id"] == chinese.json["id"] and called.json["counter_name"] == "1号窗口"
    _, tracked = await client.get(f"/api/v1/tickets/{chinese.json['id']}")
    assert tracked.json["counter_name"] == "1号窗口" and tracked.json["lang"] == "zh"
    # Asked in the other language (the assistant, when the customer switched): names in that one.
    _, asked = await client.get(f"/api/v1/tickets/{chinese.json['id']}", params={"lang": "en"})
    assert (asked.json["service_name"], asked.json["counter_name"], asked.json["lang"]) == (
        "Cash and cheques",
        "Counter 1",
        "en",
    )
    _, unknown = await client.get(f"/api/v1/tickets/{walk_in.json['id']}", params={"lang": "fr"})
    assert unknown.json["service_name"] == "Cash and cheques" and unknown.json["lang"] == "en"
    _, desks = await client.get("/api/v1/console/counters", headers=staff)
    at_c1 = next(c for c in desks.json["counters"] if c["id"] == "c1")
    assert at_c1["ticket"]["lang"] == "zh" and at_c1["name"] == "Counter 1"  # the teller's screen: English here
    _, calls = await client.get("/api/v1/calls", params={"lang": "zh"})
    assert calls.json["calls"][0]["counter"]["name"] == "1号窗口"


async def test_joining_from_the_app_when_closed_is_refused_in_chinese(settings: Settings) -> None:
    clock = FakeClock(datetime(2025, 6, 9, 8, 30, tzinfo=ZoneInfo("Europe/London")))  # a Monday, before 09:00
    client = app_client(settings, clock=clock)
    _, triage = await client.post("/api/v1/triage", json={"intent": "report_lost_card", "lang": "zh"})
    refusal = (
        "网点现在不在营业时间，营业时间是"
        "周一至周三上午9点至下午5点，周四上午9点至晚上7点，周五上午9点至下午5点，周六上午10点至下午1点"
    )
    assert triage.json["remote_join_refusal"] == refusal
    headers = {"X-Customer-Token": "app-customer-0123456789"}
    body = {"message": "/report_lost_card", "channel": "mobile", "lang": "zh"}
    _, reply = await client.post("/api/v1/chat", json=body, headers=headers)
    assert reply.json["messages"][0]["text"] == f"抱歉，现在无法在手机上排这个队：{refusal}。"
    _, refused = await client.post("/api/v1/tickets", json={"service": "cards", "remote": True, "lang": "zh"})
    assert refused.status == 409 and refused.json["error"]["message"] == refusal


def ticket(lang: str, **fields: Any) -> TicketView:
    values: dict[str, Any] = {
        "id": "t1", "number": "C005", "service": "cards", "service_name": "银行卡与密码",
        "status": TicketStatus.WAITING, "position": 3, "eta_minutes": (5, 10),
        "issued_at": datetime.now(UTC).isoformat(), "track_url": "/t/t1", "lang": lang,
    }  # fmt: skip
    return TicketView(**{**values, **fields})


def test_pushes_speak_the_tickets_language() -> None:
    arrive_by = (datetime(2025, 6, 9, 14, 5, tzinfo=ZoneInfo("Europe/London"))).isoformat()

    def text(view: TicketView) -> str:
        push = _push_for(view, 3, {})
        assert push is not None
        return str(push["text"])

    assert text(ticket("zh")) == "快轮到您了：C005号前面还有2位。"
    assert text(ticket("zh", position=1)) == "快轮到您了：C005号前面已经没有人了。"
    assert text(ticket("zh", remote=True, arrive_by=arrive_by)) == (
        "请您动身前往网点：C005号前面还有2位。请在14:05前到网点的取号机签到，扫描您号码上的二维码即可。"
    )
    called = ticket("zh", status=TicketStatus.CALLED, position=0, counter="c2", counter_name="2号窗口")
    assert text(called) == "请C005号现在到2号窗口办理。"
    expired = ticket("zh", status=TicketStatus.NO_SHOW, position=0, outcome="not_arrived")
    assert text(expired) == "您的C005号已失效：没有在规定时间内到网点签到。您可以在这里重新取号。"
    assert text(ticket("en", position=2)) == "Nearly your turn: 1 person is ahead of ticket C 5."
    assert text(ticket("en", remote=True, arrive_by=arrive_by)) == (
        "Time to head to the branch: 2 people are ahead of ticket C 5. "
        "Please check in at the branch kiosk by 14:05: scan your ticket's QR code there."
    )
    assert _push_for(ticket("zh", position=4), 3, {}) is None  # not near yet
    told: dict[str, str] = {}
    assert _push_for(ticket("zh"), 3, told) is not None and _push_for(ticket("zh"), 3, told) is None  # once


def test_arrive_by_is_said_in_branch_time() -> None:
    from assistant.services.wording import arrive_by_text

    deadline = (datetime(2025, 6, 9, 13, 5, tzinfo=UTC) + timedelta(hours=1)).astimezone(ZoneInfo("Europe/London"))
    assert arrive_by_text(deadline.isoformat(), "zh") == "请在15:05前到网点的取号机签到，扫描您号码上的二维码即可。"
