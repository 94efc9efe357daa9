"""POST /api/v1/understand (contract): what the assistant understands of one request, without a conversation.

`{"text", "lang"?}` with a staff or device token -> `{"lang", "intent": {"name", "confidence"},
"entities": [{"entity", "value", "start", "end"}], "ranking": [top 3 {"name", "confidence"}],
"fallback"}`. Answered by the Rasa server's `POST /model/parse`, the same model the conversation
uses, so tools, the floor app and evaluations measure what customers get.

* `lang` omitted: `lobby_wire.lang.detect_lang(text)`, the rule every process shares. Rasa's parse
  endpoint takes only the text, so the model's language tagger detects it from the text as well.
* The tagger's internal `lang` entity is not reported (`lang` says it).
* Below the fallback threshold Rasa answers `nlu_fallback`: `intent` is then the best real intent
  (what the assistant would offer first when it asks) and `fallback` is true. `ranking` lists real
  intents only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from assistant.domain.errors import Forbidden, InvalidInput, Unavailable
from assistant.domain.staff import Role, allows
from assistant.services.rasa import RasaClient, RasaUnavailable
from assistant.web.apidoc import Reply, operation
from assistant.web.auth import role_of_request
from assistant.web.errors import decode_body, error_response
from lobby_wire.lang import LANGUAGES, detect_lang, normalise_lang

log = logging.getLogger(__name__)

bp = Blueprint("understand", url_prefix="/api/v1")

FALLBACK_INTENT = "nlu_fallback"
INTERNAL_ENTITIES = frozenset({"lang"})  # added by the model's language tagger for the dialogue's own use
RANKED = 3


class UnderstandRequest(msgspec.Struct, forbid_unknown_fields=True):
    # `extra={}`: sanic-ext's OpenAPI reader expects the metadata of a constrained msgspec field to be a dict.
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=1000, extra={})]
    lang: Annotated[str, msgspec.Meta(max_length=16, extra={})] | None = None  # en | zh (zh-CN, ...); omitted: detect


# The answer's shapes (dataclasses, which the OpenAPI document describes field by field).


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class Entity:
    entity: str
    value: Any
    start: int | None  # character offsets in `text`; None for an entity the model did not read from it
    end: int | None

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "value": self.value, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Understanding:
    lang: str
    intent: Intent
    entities: list[Entity]
    ranking: list[Intent]  # real intents, best first, at most three
    fallback: bool  # the model was unsure: `intent` is its best guess

    def to_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "intent": self.intent.to_json(),
            "entities": [entity.to_json() for entity in self.entities],
            "ranking": [intent.to_json() for intent in self.ranking],
            "fallback": self.fallback,
        }


def _intent(raw: Any) -> Intent | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None
    try:
        return Intent(raw["name"], round(float(raw.get("confidence") or 0.0), 4))
    except (TypeError, ValueError):
        return None


def _offset(raw: Any) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def understanding(parsed: dict[str, Any], lang: str) -> Understanding:
    """Rasa's parse result as the contract shapes it (see the module docstring)."""
    top = _intent(parsed.get("intent")) or Intent(FALLBACK_INTENT, 0.0)
    ranked = [intent for raw in parsed.get("intent_ranking") or () if (intent := _intent(raw)) is not None]
    real = [intent for intent in ranked if intent.name != FALLBACK_INTENT]
    if top.name != FALLBACK_INTENT and not any(intent.name == top.name for intent in real):
        real.insert(0, top)  # a model without a ranking still ranks its answer
    fallback = top.name == FALLBACK_INTENT
    best = (real[0] if real else top) if fallback else top
    entities = [
        Entity(str(raw["entity"]), raw.get("value"), _offset(raw.get("start")), _offset(raw.get("end")))
        for raw in parsed.get("entities") or ()
        if isinstance(raw, dict) and raw.get("entity") and raw["entity"] not in INTERNAL_ENTITIES
    ]
    return Understanding(lang, best, entities, real[:RANKED], fallback)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return not media or media == "application/json" or media.endswith("+json")


async def _check_role(request: Request) -> None:
    """Staff (any role) or a device such as a kiosk: 401 without a valid token, 403 for any other role."""
    held = await role_of_request(request)
    if not (allows(held, Role.DEVICE) or allows(held, Role.TELLER)):
        raise Forbidden(f"a {held} token may not ask for understanding; use a staff or device token")


@bp.post("/understand")
@operation(
    "Understand one request: language, intent, entities",
    description="What the dialogue's model makes of `text` (English or Mandarin) without starting a conversation. "
    "`lang` omitted: detected from the text. When the model is unsure (`fallback`: true), `intent` is its best "
    "guess among real intents and `ranking` the top three. Needs a staff or device token (401 without one). "
    "503 `dialogue_unavailable` when the dialogue engine does not answer.",
    body=UnderstandRequest,
    replies={200: Reply("understood", Understanding)},
    errors={
        403: "a token of another role",
        422: "invalid body (text of 1 to 1000 characters), an empty text, or unsupported_language (en or zh)",
        503: "dialogue_unavailable: the dialogue engine is not answering",
    },
    security=("token",),
)
async def understand(request: Request) -> HTTPResponse:
    await _check_role(request)
    if not _is_json(request.headers.get("content-type", "")):
        return error_response(415, "unsupported_media_type", "send a JSON body (Content-Type: application/json)")
    body = decode_body(request, UnderstandRequest)
    text = body.text.strip()
    if not text:
        raise InvalidInput("text is empty", code="invalid_input")
    if body.lang is None:
        lang = detect_lang(text)
    elif (lang := normalise_lang(body.lang) or "") not in LANGUAGES:
        raise InvalidInput(
            f"lang must be one of {', '.join(LANGUAGES)}, not {body.lang!r}", code="unsupported_language"
        )
    rasa: RasaClient = request.app.ctx.rasa
    try:
        parsed = await rasa.parse(text)
    except RasaUnavailable as exc:
        log.warning("understand: Rasa unavailable: %s", exc)
        raise Unavailable(
            "the dialogue engine is not answering; try again shortly", code="dialogue_unavailable"
        ) from None
    return json(understanding(parsed, lang).to_json())
