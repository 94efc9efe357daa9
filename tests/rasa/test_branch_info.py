# ruff: noqa: RUF001, RUF002
"""Opening hours and address in the customer's language ("你们几点关门？" gets the hub's Chinese info_text).

The hub words its triage answer in the request's lang; when that answer cannot be said as it is (left
in another language, or a bare code), the action asks GET /api/v1/branch?lang=<turn lang> for the
branch's info_text before falling back to "ask at the front desk".
"""

from __future__ import annotations

from typing import Any

import pytest
from actions.actions import ActionTriage
from actions.hub_client import HubClient

from builders import make_tracker
from hub_stub import HubStub
from test_action_triage import TRIAGE, run

pytestmark = pytest.mark.asyncio

BRANCH = "/api/v1/branch"
INFO_ZH = "我们的营业时间是周一至周五上午9点至下午5点。地址：高街12号，邮局旁边。"
INFO_EN = "We are open Monday to Friday, 9 am to 5 pm. We are at 12 High Street, next to the post office."


def branch_json(info_text: str, lang: str) -> dict[str, Any]:
    now = "2026-11-30T10:15:00+00:00"
    return {"id": "demo", "name": "Demo", "timezone": "Europe/London", "now": now, "info_text": info_text, "lang": lang}


def gets(hub: HubStub) -> list[str]:
    return [request.path for request in hub.requests if request.method == "GET"]


async def test_the_client_asks_for_the_branch_in_a_language(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(f"{BRANCH}?lang=zh", 200, branch_json(INFO_ZH, "zh"))
    hub.reply(BRANCH, 200, branch_json(INFO_EN, "en"))

    assert (await hub_client.branch("zh")).info_text == INFO_ZH
    assert (await hub_client.branch()).info_text == INFO_EN  # the clock alone: no language needed
    assert gets(hub) == [f"{BRANCH}?lang=zh", BRANCH]


async def test_the_hubs_chinese_answer_is_said_as_it_is(hub: HubStub, hub_client: HubClient) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": INFO_ZH})
    tracker = make_tracker("branch_info", text="你们几点关门？", metadata={"channel": "kiosk", "lang": "zh"})

    dispatcher, events = await run(ActionTriage(hub_client), tracker)

    assert hub.bodies(TRIAGE)[0]["lang"] == "zh"
    assert [m["text"] for m in dispatcher.messages] == [INFO_ZH]
    assert gets(hub) == []  # one call was enough
    assert events == []


@pytest.mark.parametrize(
    ("lang", "reason", "info", "expected"),
    [
        ("zh", INFO_EN, INFO_ZH, INFO_ZH),  # a triage answer left in English
        ("zh", "branch_info", INFO_ZH, INFO_ZH),  # a bare code
        ("en", "branch_info", INFO_EN, INFO_EN),
        ("zh", "", "我们周六上午10点到下午1点也营业", "我们周六上午10点到下午1点也营业。"),
    ],
    ids=["zh-english-reason", "zh-code", "en-code", "zh-no-reason"],
)
async def test_otherwise_the_branchs_info_text_in_the_turns_language(
    hub: HubStub, hub_client: HubClient, lang: str, reason: str, info: str, expected: str
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": reason})
    hub.reply(f"{BRANCH}?lang={lang}", 200, branch_json(info, lang))
    hub.reply(BRANCH, 200, branch_json(INFO_EN, "en"))  # what a request without ?lang= would get
    tracker = make_tracker("branch_info", slots={"lang": lang})

    dispatcher, _ = await run(ActionTriage(hub_client), tracker)

    assert gets(hub) == [f"{BRANCH}?lang={lang}"]
    assert [m["text"] for m in dispatcher.messages] == [expected]


@pytest.mark.parametrize(
    ("branch_status", "branch_body"),
    [
        (500, {"error": {"code": "internal_error", "message": "boom"}}),
        (200, branch_json(INFO_EN, "en")),  # a hub that ignores ?lang=: English is not said to a Chinese turn
    ],
    ids=["hub-error", "english-only"],
)
async def test_without_words_in_the_language_the_front_desk_helps(
    hub: HubStub, hub_client: HubClient, branch_status: int, branch_body: dict[str, Any]
) -> None:
    hub.reply(TRIAGE, 200, {"decision": "info", "service": None, "reason": INFO_EN})
    hub.reply(f"{BRANCH}?lang=zh", branch_status, branch_body)

    dispatcher, _ = await run(ActionTriage(hub_client), make_tracker("branch_info", slots={"lang": "zh"}))

    assert [m["text"] for m in dispatcher.messages] == ["这个问题请到服务台咨询，工作人员会为您详细解答。"]
