# ruff: noqa: RUF001
"""action_clarify: when the NLU is unsure, the likeliest services as buttons, else the full menu."""

from __future__ import annotations

from typing import Any

import pytest
from actions.clarify import ActionClarify
from rasa_sdk.executor import CollectingDispatcher

from builders import make_tracker

pytestmark = pytest.mark.asyncio

ZH = {"lang": "zh"}
# "my card and the money": the model is torn between the card and a transfer.
TORN = [
    ("nlu_fallback", 0.3),
    ("report_lost_card", 0.29),
    ("transfer_money", 0.22),
    ("greet", 0.2),  # not a service: never a button
    ("check_balance", 0.04),  # too unlikely to offer
]


async def clarify(tracker: Any) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    assert await ActionClarify().run(dispatcher, tracker, domain={}) == []
    return dispatcher.messages


async def test_two_likely_services_are_offered_with_something_else() -> None:
    [message] = await clarify(make_tracker("nlu_fallback", text="my card and the money", ranking=TORN))

    assert message["text"] == "Is this about a lost or stolen card, or a transfer?"
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == [
        ("Lost or stolen card", "/report_lost_card"),
        ("Transfer money", "/transfer_money"),
        ("Something else", "/nlu_fallback"),
    ]


async def test_in_chinese() -> None:
    [message] = await clarify(make_tracker("nlu_fallback", text="卡和钱的事", ranking=TORN, slots=ZH))

    assert message["text"] == "请问您是要挂失银行卡，还是转账汇款？"
    assert [b["title"] for b in message["buttons"]] == ["银行卡挂失", "转账汇款", "其他业务"]


async def test_at_most_three_most_likely_first() -> None:
    ranking = [
        ("nlu_fallback", 0.3),
        ("deposit_cash", 0.25),
        ("withdraw_cash", 0.2),
        ("deposit_cheque", 0.15),
        ("exchange_currency", 0.12),
    ]
    [message] = await clarify(make_tracker("nlu_fallback", ranking=ranking, slots=ZH))

    assert message["text"] == "请问您是要存款、取款，还是存支票？"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == ["/deposit_cash", "/withdraw_cash", "/deposit_cheque", "/nlu_fallback"]

    [message] = await clarify(make_tracker("nlu_fallback", ranking=ranking))
    assert message["text"] == "Is this about paying in cash, taking out cash, or paying in a cheque?"


@pytest.mark.parametrize(
    "ranking",
    [
        [("nlu_fallback", 0.3), ("report_lost_card", 0.28), ("greet", 0.25), ("check_balance", 0.05)],  # one service
        [("nlu_fallback", 1.0)],  # the "Something else" button
        [],  # no ranking at all
    ],
)
async def test_without_a_real_choice_the_full_menu(ranking: list[tuple[str, float]]) -> None:
    messages = await clarify(make_tracker("nlu_fallback", ranking=ranking, slots=ZH))

    assert [m["response"] for m in messages] == ["utter_default"]  # its zh variation follows the lang slot
