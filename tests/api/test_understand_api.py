"""POST /api/v1/understand: the hub's side, against a stand-in Rasa server on 127.0.0.1 (tests/api/fake_rasa.py).

What the real model understands is measured elsewhere (lobby eval, and a test against the trained model);
here: who may ask, what is validated, what is sent to Rasa and how its answer is shaped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from sanic import Sanic

from assistant.settings import Settings
from assistant.web.app import create_app
from tests.api.fake_rasa import FakeRasa, fake_rasa
from tests.conftest import make_token

_names = itertools.count()

# What Rasa 3.6's /model/parse says for a confident Chinese request (trimmed), with the tagger's `lang`.
LOST_CARD = {
    "text": "我的卡丢了",
    "intent": {"name": "report_lost_card", "confidence": 0.9731},
    "entities": [
        {"entity": "card_type", "start": 2, "end": 3, "value": "卡", "extractor": "DIETClassifier",
         "confidence_entity": 0.88},
        {"entity": "lang", "value": "zh", "extractor": "LanguageTagger"},
    ],
    "intent_ranking": [
        {"name": "report_lost_card", "confidence": 0.9731}, {"name": "replace_card", "confidence": 0.0151},
        {"name": "reset_pin", "confidence": 0.0052}, {"name": "greet", "confidence": 0.001},
    ],
}  # fmt: skip
# Below the FallbackClassifier's threshold: nlu_fallback on top, the real intents after it.
UNSURE = {
    "text": "the thing with my money",
    "intent": {"name": "nlu_fallback", "confidence": 0.7},
    "entities": [{"entity": "lang", "value": "en", "extractor": "LanguageTagger"}],
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.7}, {"name": "transfer_money", "confidence": 0.41},
        {"name": "withdraw_cash", "confidence": 0.33}, {"name": "check_balance", "confidence": 0.12},
        {"name": "pay_bill", "confidence": 0.08},
    ],
}  # fmt: skip


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with fake_rasa() as fake:
        yield fake


@pytest.fixture
def client(settings: Settings, rasa: FakeRasa) -> Any:
    dialogue = msgspec.structs.replace(settings.dialogue, rasa_url=rasa.url, timeout_seconds=5)
    Sanic.test_mode = True
    configured = msgspec.structs.replace(settings, dialogue=dialogue)
    return create_app(configured, name=f"lobby_nlu_{next(_names)}").asgi_client


@pytest.fixture
def device(settings: Settings) -> dict[str, str]:
    """A kiosk's token."""
    return {"Authorization": f"Bearer {make_token(settings.database_url(), 'device')}"}


def answering(parsed: dict[str, Any]) -> Any:
    return lambda body: (200, {**parsed, "text": body["text"]})


async def test_a_kiosk_asks_what_a_chinese_request_means(client: Any, rasa: FakeRasa, device: dict[str, str]) -> None:
    rasa.answers["/model/parse"] = answering(LOST_CARD)
    _, response = await client.post("/api/v1/understand", json={"text": "我的卡丢了"}, headers=device)
    assert response.status == 200, response.json
    assert response.json == {
        "lang": "zh",  # detected: no lang given
        "intent": {"name": "report_lost_card", "confidence": 0.9731},
        "entities": [{"entity": "card_type", "value": "卡", "start": 2, "end": 3}],  # the tagger's lang left out
        "ranking": [
            {"name": "report_lost_card", "confidence": 0.9731},
            {"name": "replace_card", "confidence": 0.0151},
            {"name": "reset_pin", "confidence": 0.0052},
        ],
        "fallback": False,
    }
    assert rasa.bodies("/model/parse") == [{"text": "我的卡丢了"}]


async def test_language_given_detected_or_refused(client: Any, rasa: FakeRasa, staff: dict[str, str]) -> None:
    rasa.answers["/model/parse"] = answering(LOST_CARD)
    cases = [({"text": "I lost my card"}, "en"), ({"text": "我想 open an account"}, "zh"),
             ({"text": "我的卡丢了", "lang": "en"}, "en"), ({"text": "lost card", "lang": "zh-CN"}, "zh")]  # fmt: skip
    for body, lang in cases:
        _, response = await client.post("/api/v1/understand", json=body, headers=staff)  # a teller's token
        assert (response.status, response.json["lang"]) == (200, lang), body
    _, french = await client.post("/api/v1/understand", json={"text": "carte perdue", "lang": "fr"}, headers=staff)
    assert french.status == 422 and french.json["error"]["code"] == "unsupported_language"
    assert len(rasa.bodies("/model/parse")) == len(cases)  # a refused request never reaches the model


async def test_unsure_reports_the_best_real_intent(client: Any, rasa: FakeRasa, device: dict[str, str]) -> None:
    rasa.answers["/model/parse"] = answering(UNSURE)
    _, response = await client.post("/api/v1/understand", json={"text": "the thing with my money"}, headers=device)
    assert response.json["fallback"] is True
    assert response.json["intent"] == {"name": "transfer_money", "confidence": 0.41}
    assert [i["name"] for i in response.json["ranking"]] == ["transfer_money", "withdraw_cash", "check_balance"]
    assert response.json["entities"] == []


async def test_who_may_ask(client: Any, rasa: FakeRasa, device: dict[str, str], manager: dict[str, str]) -> None:
    body = {"text": "hello"}
    _, anonymous = await client.post("/api/v1/understand", json=body)
    _, unknown = await client.post("/api/v1/understand", json=body, headers={"Authorization": "Bearer not-a-token"})
    _, customer = await client.post("/api/v1/understand", json=body, headers={"X-Customer-Token": "c" * 20})
    for refused in (anonymous, unknown, customer):
        assert refused.status == 401 and set(refused.json["error"]) == {"code", "message"}
    for allowed in (device, manager):
        _, response = await client.post("/api/v1/understand", json=body, headers=allowed)
        assert response.status == 200
    assert len(rasa.bodies("/model/parse")) == 2


async def test_bad_bodies_get_clear_errors(client: Any, rasa: FakeRasa, device: dict[str, str]) -> None:
    async def post(**kwargs: Any) -> Any:
        _, response = await client.post("/api/v1/understand", headers={**device, **kwargs.pop("headers", {})}, **kwargs)
        return response

    for body in ({"text": ""}, {"text": "x" * 1001}, {"text": "   "}, {}, {"text": 42}, {"text": "hi", "extra": 1}):
        response = await post(json=body)
        assert response.status == 422 and response.json["error"]["code"] == "invalid_input", body
    malformed = await post(content=b'{"text": ', headers={"Content-Type": "application/json"})
    assert malformed.status == 422 and malformed.json["error"]["code"] == "invalid_json"
    form = await post(content=b"text=hello", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status == 415 and form.json["error"]["code"] == "unsupported_media_type"
    longest = await post(json={"text": "好" * 1000})
    assert longest.status == 200
    assert rasa.bodies("/model/parse") == [{"text": "好" * 1000}]


async def test_rasa_down_or_failing_is_503(client: Any, rasa: FakeRasa, settings: Settings) -> None:
    device = {"Authorization": f"Bearer {make_token(settings.database_url(), 'device')}"}
    rasa.answers["/model/parse"] = lambda body: (500, {"message": "no model loaded"})
    _, failing = await client.post("/api/v1/understand", json={"text": "hello"}, headers=device)
    assert failing.status == 503 and failing.json["error"]["code"] == "dialogue_unavailable"
    rasa.answers["/model/parse"] = lambda body: (200, ["not", "a", "parse"])
    _, garbled = await client.post("/api/v1/understand", json={"text": "hello"}, headers=device)
    assert garbled.status == 503


async def test_nobody_listening_is_503(settings: Settings) -> None:
    client = create_app(settings, name=f"lobby_nlu_down_{next(_names)}").asgi_client  # Rasa: a closed port
    device = {"Authorization": f"Bearer {make_token(settings.database_url(), 'device')}"}
    _, response = await client.post("/api/v1/understand", json={"text": "我想取钱"}, headers=device)
    assert response.status == 503 and response.json["error"]["code"] == "dialogue_unavailable"


async def test_the_openapi_document_describes_it(client: Any) -> None:
    _, response = await client.get("/api/v1/openapi.json")
    operation = response.json["paths"]["/api/v1/understand"]["post"]
    schemas = response.json["components"]["schemas"]

    def resolved(schema: dict[str, Any]) -> dict[str, Any]:  # models are components, named by $ref
        return schemas[schema["$ref"].rsplit("/", 1)[1]]

    request = resolved(operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(request["properties"]) == {"text", "lang"}
    assert request["required"] == ["text"] and request["properties"]["text"]["maxLength"] == 1000
    answer = resolved(operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(answer["properties"]) == {"lang", "intent", "entities", "ranking", "fallback"}
    assert {"401", "422", "503"} <= set(operation["responses"])
    assert operation["security"] == [{"token": []}]
