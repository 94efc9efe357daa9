"""A thin async client of the branch hub API v1, for the Rasa action server.

The action server runs in the Rasa environment (Python 3.10, DESIGN.md §1), so
it cannot import the hub's packages (``assistant.protocol`` needs 3.11); the
few wire shapes it needs are mirrored here as frozen dataclasses with explicit
JSON conversion.

Every failure of the hub (refused connection, timeout, non-2xx status, a body
that is not the documented shape) becomes one exception, :class:`HubUnavailable`,
so the caller has exactly one thing to handle.

Configuration: the action server is a separate process with no access to the
hub's settings tree, so :meth:`HubClient.from_env` reads ``LOBBY_HUB_URL`` and
``LOBBY_HUB_TIMEOUT`` once, when the action is registered. Nothing here does
I/O at import time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_HUB_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_SECONDS = 5.0
DECISIONS = frozenset({"device", "ticket", "appointment", "info", "staff"})

EntityValue = str | int | float
Parsed = TypeVar("Parsed")


class HubUnavailable(Exception):
    """The hub could not be used for this turn; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class TriageRequest:
    intent: str
    entities: Mapping[str, EntityValue]
    channel: str
    lang: str

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "entities": dict(self.entities),
            "channel": self.channel,
            "lang": self.lang,
        }


@dataclass(frozen=True, slots=True)
class Route:
    """A self-service device that can do the job now."""

    service: str
    device_id: str
    kind: str
    name: str
    location: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "device_id": self.device_id,
            "kind": self.kind,
            "name": self.name,
            "location": self.location,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Route:
        return cls(
            service=str(data["service"]),
            device_id=str(data["device_id"]),
            kind=str(data["kind"]),
            name=str(data["name"]),
            location=str(data["location"]),
            reason=str(data.get("reason") or ""),
        )


@dataclass(frozen=True, slots=True)
class Triage:
    """POST /api/v1/triage response."""

    decision: str
    service: str | None
    reason: str
    device: Route | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Triage:
        decision = str(data["decision"])
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        device = data.get("device")
        if decision == "device" and not device:
            raise ValueError("decision 'device' without a device")
        service = data.get("service")
        return cls(
            decision=decision,
            service=str(service) if service is not None else None,
            reason=str(data.get("reason") or ""),
            device=Route.from_json(device) if device else None,
        )


@dataclass(frozen=True, slots=True)
class TicketRequest:
    service: str
    channel: str
    lang: str
    intent: str
    idempotency_key: str

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "channel": self.channel,
            "lang": self.lang,
            "intent": self.intent,
            "idempotency_key": self.idempotency_key,
        }


@dataclass(frozen=True, slots=True)
class Ticket:
    """POST /api/v1/tickets response; `raw` is forwarded to the client as received."""

    id: str
    number: str
    service: str
    service_name: str
    position: int
    eta_minutes: tuple[int, int] | None
    raw: Mapping[str, Any]
    status: str = "waiting"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ticket:
        eta = data.get("eta_minutes")
        return cls(
            id=str(data["id"]),
            number=str(data["number"]),
            service=str(data["service"]),
            service_name=str(data.get("service_name") or data["service"]),
            position=int(data["position"]),
            eta_minutes=(int(eta[0]), int(eta[1])) if eta else None,
            raw=dict(data),
            status=str(data.get("status") or "waiting"),
        )

    @property
    def spoken_number(self) -> str:
        """'C004' -> 'C 4': how a ticket number reads well aloud."""
        prefix = self.number.rstrip("0123456789")
        digits = self.number[len(prefix) :]
        return f"{prefix} {int(digits)}" if digits else self.number


class HubClient:
    """Calls the hub's REST API. One short-lived HTTP session per call.

    A session per call keeps the client free of lifecycle hooks (the rasa-sdk
    action server offers none); a turn makes at most two calls, so the cost of
    a new connection to a hub on the same machine or LAN is negligible.
    """

    def __init__(self, base_url: str, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubClient:
        """Build from LOBBY_HUB_URL / LOBBY_HUB_TIMEOUT (defaults: local hub, 5 s)."""
        env = os.environ if environ is None else environ
        base_url = env.get("LOBBY_HUB_URL") or DEFAULT_HUB_URL
        raw_timeout = env.get("LOBBY_HUB_TIMEOUT") or ""
        try:
            timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT_SECONDS
        except ValueError:
            logger.warning(
                "LOBBY_HUB_TIMEOUT=%r is not a number; using %s s", raw_timeout, DEFAULT_TIMEOUT_SECONDS
            )
            timeout = DEFAULT_TIMEOUT_SECONDS
        if timeout <= 0:
            timeout = DEFAULT_TIMEOUT_SECONDS
        return cls(base_url, timeout)

    async def triage(self, request: TriageRequest) -> Triage:
        data = await self._post_json("/api/v1/triage", request.to_json())
        return _parse(Triage.from_json, data, "triage")

    async def issue_ticket(self, request: TicketRequest) -> Ticket:
        data = await self._post_json("/api/v1/tickets", request.to_json())
        return _parse(Ticket.from_json, data, "ticket")

    async def ticket(self, ticket_id: str) -> Ticket:
        """The ticket as it is now (live position and ETA)."""
        data = await self._request("GET", f"/api/v1/tickets/{ticket_id}")
        return _parse(Ticket.from_json, data, "ticket")

    async def alert_staff(self, reason: str, channel: str, sender: str, lang: str) -> None:
        """Tell the branch staff a customer asked for a person (a staff.alert event on the hub)."""
        payload = {"reason": reason, "channel": channel, "sender": sender, "lang": lang}
        await self._request("POST", "/api/v1/staff-alerts", payload)

    async def _post_json(self, path: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return await self._request("POST", path, payload)

    async def _request(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        url = f"{self.base_url}{path}"
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        body = dict(payload) if payload is not None else None
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.request(method, url, json=body) as response:
                    text = await response.text()
                    if not 200 <= response.status < 300:
                        raise HubUnavailable(f"http_{response.status}", f"{method} {url}: {_error_text(text)}")
                    data = _decode(text)
        except asyncio.TimeoutError as exc:
            raise HubUnavailable("timeout", f"{method} {url}: no answer within {self.timeout_seconds} s") from exc
        except aiohttp.ClientError as exc:
            raise HubUnavailable("unreachable", f"{method} {url}: {exc!r}") from exc
        if data is None:
            raise HubUnavailable("bad_response", f"{method} {url}: body is not a JSON object: {text[:200]!r}")
        return data


def _decode(body: str) -> Mapping[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _error_text(body: str) -> str:
    """The hub's {"error": {"code", "message"}} as one line, or the raw body."""
    data = _decode(body)
    error = data.get("error") if data else None
    if isinstance(error, dict):
        return f"{error.get('code', '?')}: {error.get('message', '')}"
    return body[:200] or "(empty body)"


def _parse(parser: Callable[[Mapping[str, Any]], Parsed], data: Mapping[str, Any], what: str) -> Parsed:
    try:
        return parser(data)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise HubUnavailable("bad_response", f"unexpected {what} shape: {exc!r}") from exc
