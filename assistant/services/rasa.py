"""The hub's side of the Rasa server: its REST channel (chat turns) and `/model/parse` (understanding),
and the "/intent{...}" button payloads both speak.

A turn's language travels to Rasa twice (the rule is fixed for every process, see `lobby_wire.lang`):
in the message metadata, and for a button payload, which has no words to detect it from, as a
`lang` entity appended to the payload (`/withdraw_cash` -> `/withdraw_cash{"lang": "zh"}`).
"""

from __future__ import annotations

import json
import logging
import re
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from lobby_wire.lang import detect_lang, normalise_lang

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    pass


# How long a replica that refused a connection is tried only after the others.
REPLICA_RETRY_AFTER_S = 5.0


def sticky_index(sender: str, replicas: int) -> int:
    """The replica a conversation belongs to: a stable hash of its sender, the same in every hub process."""
    return zlib.crc32(sender.encode()) % replicas


def replica_order(sender: str, urls: Sequence[str]) -> tuple[str, ...]:
    """The replicas a conversation tries while all are up: its own first, then the next ones in turn."""
    first = sticky_index(sender, len(urls))
    return tuple(urls[first:]) + tuple(urls[:first])


@dataclass(slots=True)
class _Replica:
    url: str
    http: httpx.AsyncClient
    down_until: float = 0.0  # monotonic time; refused a connection until then


class RasaClient:
    """Rasa's REST channel (/webhooks/rest/webhook) and its HTTP API (`rasa run --enable-api`), on one
    Rasa server or several replicas sharing a tracker store (`dialogue.rasa_urls`).

    A conversation sticks to one replica (its sender's hash picks it, the same in every hub process)
    and moves to the next in its order while that one refuses connections. Only a turn that never
    reached a replica is sent to another: one that reached it and then failed (a timeout, the replica
    dying mid-turn) may have run its actions (a booking made), so it is not replayed elsewhere.
    """

    def __init__(self, base_urls: str | Sequence[str], timeout: float) -> None:
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        if not urls:
            raise ValueError("RasaClient needs at least one Rasa URL")
        self._replicas = [_Replica(url, httpx.AsyncClient(base_url=url, timeout=timeout)) for url in urls]
        self._next_parse = 0

    def _order(self, start: int) -> list[_Replica]:
        first = start % len(self._replicas)
        ordered = self._replicas[first:] + self._replicas[:first]
        now = time.monotonic()
        return [r for r in ordered if r.down_until <= now] + [r for r in ordered if r.down_until > now]

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        messages = await self._post(
            self._order(sticky_index(sender, len(self._replicas))),
            "/webhooks/rest/webhook",
            {"sender": sender, "message": message, "metadata": metadata},
        )
        if not isinstance(messages, list):
            raise RasaUnavailable("Rasa answered with something other than a list")
        return [m for m in messages if isinstance(m, dict)]

    async def parse(self, text: str) -> dict[str, Any]:
        """What the model makes of `text` (intent, ranking, entities), without touching any conversation.

        The parse endpoint takes only the text: the model's language tagger detects the language from it.
        Any replica will do: they take turns."""
        self._next_parse += 1
        parsed = await self._post(self._order(self._next_parse), "/model/parse", {"text": text})
        if not isinstance(parsed, dict) or not isinstance(parsed.get("intent"), dict):
            raise RasaUnavailable("Rasa's parse answer has no intent")
        return parsed

    async def _post(self, replicas: list[_Replica], path: str, body: dict[str, Any]) -> Any:
        refused: list[str] = []
        for replica in replicas:
            try:
                response = await replica.http.post(path, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Never reached it: safe to try the next replica.
                replica.down_until = time.monotonic() + REPLICA_RETRY_AFTER_S
                refused.append(f"{replica.url}: {type(exc).__name__}: {exc}")
                if len(replicas) > 1:
                    log.warning("Rasa replica %s unreachable (%s); trying the next", replica.url, exc)
                continue
            except httpx.HTTPError as exc:
                raise RasaUnavailable(f"{replica.url}: {type(exc).__name__}: {exc}") from exc
            replica.down_until = 0.0
            try:
                response.raise_for_status()
                return response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise RasaUnavailable(f"{replica.url}: {type(exc).__name__}: {exc}") from exc
        raise RasaUnavailable("; ".join(refused))

    async def ping(self, timeout: float = 1.0) -> bool:
        """Is a Rasa server answering? (its root path says hello; one replica is enough to chat)"""
        for replica in self._order(0):
            try:
                response = await replica.http.get("/", timeout=timeout)
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                return True
        return False

    async def close(self) -> None:
        for replica in self._replicas:
            await replica.http.aclose()


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
