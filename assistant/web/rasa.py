"""The hub's side of the Rasa server: its REST channel (chat turns) and `/model/parse` (understanding),
and the "/intent{...}" button payloads both speak.

A turn's language travels to Rasa twice (the rule is fixed for every process, see `lobby_wire.lang`):
in the message metadata, and for a button payload, which has no words to detect it from, as a
`lang` entity appended to the payload (`/withdraw_cash` -> `/withdraw_cash{"lang": "zh"}`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from lobby_wire.lang import detect_lang, normalise_lang


class RasaUnavailable(Exception):
    pass


class RasaClient:
    """Rasa's REST channel (/webhooks/rest/webhook) and its HTTP API (`rasa run --enable-api`)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        messages = await self._post(
            "/webhooks/rest/webhook", {"sender": sender, "message": message, "metadata": metadata}
        )
        if not isinstance(messages, list):
            raise RasaUnavailable("Rasa answered with something other than a list")
        return [m for m in messages if isinstance(m, dict)]

    async def parse(self, text: str) -> dict[str, Any]:
        """What the model makes of `text` (intent, ranking, entities), without touching any conversation.

        The parse endpoint takes only the text: the model's language tagger detects the language from it."""
        parsed = await self._post("/model/parse", {"text": text})
        if not isinstance(parsed, dict) or not isinstance(parsed.get("intent"), dict):
            raise RasaUnavailable("Rasa's parse answer has no intent")
        return parsed

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = await self._http.post(path, json=body)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def ping(self, timeout: float = 1.0) -> bool:
        """Is the Rasa server answering? (its root path says hello)"""
        try:
            response = await self._http.get("/", timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._http.aclose()


# Rasa's button payload: "/intent", optionally "@confidence", optionally a JSON object of entities.
_PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z0-9_\-]+)(?P<confidence>@[0-9.]+)?(?P<entities>\{.*\})?\s*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Payload:
    intent: str
    entities: dict[str, Any]
    confidence: str = ""  # "@0.9" as written, or ""

    def text(self) -> str:
        entities = json.dumps(self.entities, ensure_ascii=False) if self.entities else ""
        return f"/{self.intent}{self.confidence}{entities}"


def parse_payload(message: str) -> Payload | None:
    """'/withdraw_cash{"amount": 200}' -> Payload; words, or a payload whose entities are not a JSON object -> None."""
    match = _PAYLOAD.fullmatch(message.strip())
    if match is None:
        return None
    entities: Any = {}
    if match["entities"]:
        try:
            entities = json.loads(match["entities"])
        except ValueError:
            return None
        if not isinstance(entities, dict):
            return None
    return Payload(match["intent"], entities, match["confidence"] or "")


@dataclass(frozen=True, slots=True)
class Turn:
    """One chat turn as Rasa gets it: the message (a payload with its `lang` entity) and its language."""

    message: str
    lang: str
    payload: Payload | None = None


def prepare_turn(message: str, hint: str | None) -> Turn:
    """The turn's language (`detect_lang(message, hint)`; a payload's own `lang` entity wins) and the
    message to send: a well-formed payload gets the `lang` entity, anything else goes as it is."""
    payload = parse_payload(message) if message.lstrip().startswith("/") else None
    if payload is None:
        return Turn(message, detect_lang(message, hint=hint))
    lang = normalise_lang(payload.entities.get("lang")) or detect_lang(message, hint=hint)
    tagged = Payload(payload.intent, {**payload.entities, "lang": lang}, payload.confidence)
    return Turn(tagged.text(), lang, tagged)
