"""A thin async client of the branch hub API v1, for the Rasa action server.

The action server runs in the Rasa environment (Python 3.10, DESIGN.md §1), so
it cannot import the hub's packages (``assistant.protocol`` needs 3.11); the
few wire shapes it needs are mirrored here as frozen dataclasses with explicit
JSON conversion.

Every failure of the hub (refused connection, timeout, non-2xx status, a body
that is not the documented shape) becomes one exception, :class:`HubUnavailable`,
so the caller has exactly one thing to handle.

Every call whose answer carries words for the customer (triage reasons,
service names, refusals, check-in messages) sends the turn's language: in
the body where the API takes one, else as a `lang` query parameter.

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
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

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


class HubRefused(HubUnavailable):
    """The hub answered, and said no (4xx): `code` is its error code, e.g. `slot_full`, `too_early`.

    A subclass so code that only knows "the hub failed" still handles it; the
    appointment actions catch it first and tell the customer what the hub said.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status


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
    bookable: bool = False
    remote_join_refusal: str | None = None  # why the app's customer cannot join this queue now

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
            bookable=bool(data.get("bookable", False)),
            remote_join_refusal=str(data["remote_join_refusal"]) if data.get("remote_join_refusal") else None,
        )


@dataclass(frozen=True, slots=True)
class TicketRequest:
    service: str
    channel: str
    lang: str
    intent: str
    idempotency_key: str

    @property
    def remote(self) -> bool:
        """Taken through the app, not at the branch's kiosk: the hub applies its remote-join rules."""
        return self.channel != "kiosk"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "service": self.service,
            "channel": self.channel,
            "lang": self.lang,
            "intent": self.intent,
            "idempotency_key": self.idempotency_key,
        }
        if self.remote:
            body["remote"] = True
        return body


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
    # Taken from the app: the branch-local time by which the customer must check in at the kiosk.
    arrive_by: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ticket:
        eta = data.get("eta_minutes")
        arrive_by = data.get("arrive_by")
        return cls(
            id=str(data["id"]),
            number=str(data["number"]),
            service=str(data["service"]),
            service_name=str(data.get("service_name") or data["service"]),
            position=int(data["position"]),
            eta_minutes=(int(eta[0]), int(eta[1])) if eta else None,
            raw=dict(data),
            status=str(data.get("status") or "waiting"),
            arrive_by=datetime.fromisoformat(str(arrive_by)) if arrive_by else None,
        )

    @property
    def spoken_number(self) -> str:
        """'C004' -> 'C 4': how a ticket number reads well aloud (the hub's own reading when it sends one)."""
        if spoken := str(self.raw.get("spoken_number") or "").strip():
            return spoken
        prefix = self.number.rstrip("0123456789")
        digits = self.number[len(prefix) :]
        return f"{prefix} {int(digits)}" if digits else self.number


@dataclass(frozen=True, slots=True)
class Service:
    """GET /api/v1/services entry."""

    id: str
    name: str
    intents: tuple[str, ...]
    bookable: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Service:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            intents=tuple(str(i) for i in data.get("intents") or ()),
            bookable=bool(data.get("bookable", False)),
        )


@dataclass(frozen=True, slots=True)
class QueueLine:
    """One service of GET /api/v1/queue."""

    service: str
    waiting: int
    eta_minutes: tuple[int, int] | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QueueLine:
        eta = data.get("eta_minutes")
        return cls(
            service=str(data["service"]),
            waiting=int(data["waiting"]),
            eta_minutes=(int(eta[0]), int(eta[1])) if eta else None,
        )


@dataclass(frozen=True, slots=True)
class BranchClock:
    """GET /api/v1/branch: the branch's timezone and the hub's clock, for relative dates."""

    timezone: str
    now: datetime
    info_text: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BranchClock:
        now = datetime.fromisoformat(str(data["now"]))
        if now.tzinfo is None:
            raise ValueError("branch clock without a UTC offset")
        return cls(timezone=str(data["timezone"]), now=now, info_text=str(data.get("info_text") or ""))


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime  # in the branch's timezone, as the hub sends it
    free: int


@dataclass(frozen=True, slots=True)
class DaySlots:
    """GET /api/v1/appointments/slots: every slot of a day; `closed` says why there are none."""

    service: str
    day: date
    closed: str | None
    slots: tuple[Slot, ...]

    @property
    def free(self) -> tuple[Slot, ...]:
        return tuple(slot for slot in self.slots if slot.free > 0)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DaySlots:
        slots = []
        for raw in data.get("slots") or ():
            starts_at = datetime.fromisoformat(str(raw["starts_at"]))
            if starts_at.tzinfo is None:
                raise ValueError("slot without a UTC offset")
            slots.append(Slot(starts_at=starts_at, free=int(raw["free"])))
        return cls(
            service=str(data["service"]),
            day=date.fromisoformat(str(data["date"])),
            closed=str(data["closed"]) if data.get("closed") else None,
            slots=tuple(slots),
        )


@dataclass(frozen=True, slots=True)
class Appointment:
    """An appointment as the hub sends it (times in the branch's timezone); `raw` goes to the client."""

    code: str
    service: str
    service_name: str
    starts_at: datetime
    status: str
    check_in_from: datetime
    raw: Mapping[str, Any]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Appointment:
        starts_at = datetime.fromisoformat(str(data["starts_at"]))
        if starts_at.tzinfo is None:
            raise ValueError("appointment time without a UTC offset")
        return cls(
            code=str(data["code"]),
            service=str(data["service"]),
            service_name=str(data.get("service_name") or data["service"]),
            starts_at=starts_at,
            status=str(data["status"]),
            check_in_from=datetime.fromisoformat(str(data.get("check_in_from") or data["starts_at"])),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class CheckIn:
    """POST /api/v1/appointments/{code}/check-in: the ticket and what the hub says about the arrival."""

    ticket: Ticket
    arrival: str  # on_time | late
    message: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckIn:
        details = data.get("check_in") or {}
        return cls(
            ticket=Ticket.from_json(data),
            arrival=str(details.get("arrival") or "on_time"),
            message=str(details.get("message") or ""),
        )


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

    async def ticket(self, ticket_id: str, lang: str) -> Ticket:
        """The ticket as it is now (live position and ETA), its texts in `lang`."""
        data = await self._request("GET", f"/api/v1/tickets/{quote(ticket_id, safe='')}?{_lang_query(lang)}")
        return _parse(Ticket.from_json, data, "ticket")

    async def alert_staff(self, reason: str, channel: str, sender: str, lang: str) -> None:
        """Tell the branch staff a customer asked for a person (a staff.alert event on the hub)."""
        payload = {"reason": reason, "channel": channel, "sender": sender, "lang": lang}
        await self._request("POST", "/api/v1/staff-alerts", payload)

    async def branch(self) -> BranchClock:
        return _parse(BranchClock.from_json, await self._request("GET", "/api/v1/branch"), "branch")

    async def services(self, lang: str) -> list[Service]:
        data = await self._request("GET", f"/api/v1/services?{urlencode({'lang': lang})}")
        return _parse(lambda d: [Service.from_json(s) for s in d["services"]], data, "services")

    async def queue(self) -> list[QueueLine]:
        """Every service: how many wait now, and the ETA range for someone joining."""
        data = await self._request("GET", "/api/v1/queue")
        return _parse(lambda d: [QueueLine.from_json(s) for s in d["services"]], data, "queue")

    async def queue_line(self, service: str) -> QueueLine | None:
        return next((line for line in await self.queue() if line.service == service), None)

    async def slots(self, service: str, day: date) -> DaySlots:
        query = urlencode({"service": service, "date": day.isoformat()})
        data = await self._request("GET", f"/api/v1/appointments/slots?{query}")
        return _parse(DaySlots.from_json, data, "slots")

    async def book(
        self,
        service: str,
        starts_at: datetime,
        channel: str,
        lang: str,
        name: str | None = None,
        phone: str | None = None,
        intent: str | None = None,
        notes: str | None = None,
    ) -> Appointment:
        payload: dict[str, Any] = {
            "service": service,
            "starts_at": starts_at.isoformat(),
            "channel": channel,
            "lang": lang,
        }
        if name:
            payload["name"] = name
        if phone:
            payload["phone"] = phone
        if intent:
            payload["intent"] = intent
        if notes:
            payload["notes"] = notes
        data = await self._request("POST", "/api/v1/appointments", payload)
        return _parse(Appointment.from_json, data, "appointment")

    async def appointment(self, code: str, lang: str) -> Appointment:
        data = await self._request("GET", f"/api/v1/appointments/{quote(code, safe='')}?{_lang_query(lang)}")
        return _parse(Appointment.from_json, data, "appointment")

    async def cancel_appointment(self, code: str, lang: str) -> Appointment:
        data = await self._request("DELETE", f"/api/v1/appointments/{quote(code, safe='')}?{_lang_query(lang)}")
        return _parse(Appointment.from_json, data, "appointment")

    async def reschedule(self, code: str, starts_at: datetime, lang: str) -> Appointment:
        path = f"/api/v1/appointments/{quote(code, safe='')}/reschedule?{_lang_query(lang)}"
        data = await self._request("POST", path, {"starts_at": starts_at.isoformat()})
        return _parse(Appointment.from_json, data, "appointment")

    async def check_in(self, code: str, channel: str, lang: str) -> CheckIn:
        path = f"/api/v1/appointments/{quote(code, safe='')}/check-in"
        data = await self._request("POST", path, {"channel": channel, "lang": lang})
        return _parse(CheckIn.from_json, data, "check-in")

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
                    if 400 <= response.status < 500 and (refusal := _refusal(response.status, text)):
                        raise refusal
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


def _lang_query(lang: str) -> str:
    """`lang=zh`: the hub answers a GET/DELETE (service names, refusals) in the customer's language."""
    return urlencode({"lang": lang})


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


def _refusal(status: int, body: str) -> HubRefused | None:
    """A 4xx in the hub's error shape, i.e. the hub understood and said no."""
    data = _decode(body)
    error = data.get("error") if data else None
    if isinstance(error, dict) and error.get("code"):
        return HubRefused(status, str(error["code"]), str(error.get("message") or ""))
    return None


def _parse(parser: Callable[[Mapping[str, Any]], Parsed], data: Mapping[str, Any], what: str) -> Parsed:
    try:
        return parser(data)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise HubUnavailable("bad_response", f"unexpected {what} shape: {exc!r}") from exc
