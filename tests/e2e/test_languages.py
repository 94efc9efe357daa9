"""English and Mandarin through the real model: POST /api/v1/understand answers from the dialogue's own model,
and a chat conversation answers in the language the customer writes, switching when they do."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from lobby_wire import ChatReply
from tests.e2e.chinese import HAN, assert_chinese, assert_english
from tests.e2e.conftest import Branch


def _understand(branch: Branch, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {branch.staff_token}"}
    response = httpx.post(f"{branch.hub_url}/api/v1/understand", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert "lang" not in [entity["entity"] for entity in answer["entities"]], answer  # the tagger's, not reported
    return answer


@pytest.mark.parametrize(
    ("text", "intent", "lang"),
    [
        ("我的卡丢了", "report_lost_card", "zh"),
        ("i lost my card", "report_lost_card", "en"),
        ("我的卡丟了", "report_lost_card", "zh"),  # traditional characters, read as simplified
        ("我想 open an account", "open_account", "zh"),  # mixed: the Han words decide the language
        ("我想取钱", "withdraw_cash", "zh"),
    ],
)
def test_understand_answers_from_the_real_model_in_both_languages(
    branch: Branch, text: str, intent: str, lang: str
) -> None:
    answer = _understand(branch, {"text": text})
    assert answer["lang"] == lang, answer
    assert answer["intent"]["name"] == intent and not answer["fallback"], answer
    assert answer["ranking"][0]["name"] == intent and 0 < answer["intent"]["confidence"] <= 1, answer


def test_understand_reads_a_chinese_amount_in_a_mixed_sentence(branch: Branch) -> None:
    text = "withdraw 两千"
    answer = _understand(branch, {"text": text})
    assert answer["intent"]["name"] == "withdraw_cash", answer
    amounts = [e for e in answer["entities"] if e["entity"] == "amount"]
    assert [text[e["start"] : e["end"]] for e in amounts] == ["两千"], answer


def test_understand_reports_the_language_it_was_given(branch: Branch) -> None:
    answer = _understand(branch, {"text": "我的卡丢了", "lang": "zh-CN"})
    assert answer["lang"] == "zh" and answer["intent"]["name"] == "report_lost_card", answer


def _kiosk(branch: Branch, sender: str, message: str, kiosk_lang: str) -> ChatReply:
    """One turn at a kiosk whose language switch is on `kiosk_lang` (the kiosk sends it with every turn)."""
    body = {"sender": sender, "message": message, "channel": "kiosk", "lang": kiosk_lang}
    response = httpx.post(f"{branch.hub_url}/api/v1/chat", json=body, timeout=60)
    assert response.status_code == 200, response.text
    reply = ChatReply.from_json(response.json())
    assert not reply.degraded and reply.messages, reply  # Rasa answered
    return reply


def _text(reply: ChatReply) -> str:
    return " ".join(message.text for message in reply.messages)


def _is_chinese(reply: ChatReply) -> None:
    assert reply.lang == "zh", reply
    for message in reply.messages:
        assert_chinese(message.text, codes=[f"{reply.ticket.number[0]} "] if reply.ticket else ())


def _is_english(reply: ChatReply) -> None:
    assert reply.lang == "en", reply
    for message in reply.messages:
        assert_english(message.text)


def test_a_kiosk_conversation_started_in_english_follows_the_customer_into_chinese_and_back(branch: Branch) -> None:
    sender = "e2e-lang-en-first"
    _is_english(_kiosk(branch, sender, "hello", "en"))

    cash = _kiosk(branch, sender, "我想取钱", "en")  # the switch still says English; the customer writes Chinese
    _is_chinese(cash)
    assert cash.route is not None and HAN.search(cash.route.name + cash.route.location), cash.route

    back = _kiosk(branch, sender, "i want to withdraw money", "en")
    _is_english(back)
    assert back.route is not None and not HAN.search(back.route.location), back.route

    # Mid-flow: offered a ticket in English, the customer says yes in Chinese; the ticket is taken in Chinese.
    offer = _kiosk(branch, sender, "i lost my card", "en")
    _is_english(offer)
    assert [button.payload for button in offer.messages[-1].buttons] == ["/affirm", "/deny"], offer
    ticket = _kiosk(branch, sender, "好的", "en")
    _is_chinese(ticket)
    assert ticket.ticket is not None and ticket.ticket.service == "cards" and ticket.ticket.lang == "zh", ticket
    _is_english(_kiosk(branch, sender, "thank you", "en"))


def test_a_kiosk_conversation_started_in_chinese_answers_english_in_english(branch: Branch) -> None:
    sender = "e2e-lang-zh-first"
    _is_chinese(_kiosk(branch, sender, "你好", "zh"))
    offer = _kiosk(branch, sender, "i lost my card", "zh")
    _is_english(offer)
    assert "Cards and PIN" in _text(offer), offer
    _is_chinese(_kiosk(branch, sender, "谢谢", "zh"))
