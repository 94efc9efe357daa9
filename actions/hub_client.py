"""A thin async client of the branch hub API v1, for the Rasa action server.

The action server runs in the Rasa environment (Python 3.10, DESIGN.md §1), so
it cannot import the hub's packages; it reads the hub's answers with the shared,
stdlib-only wire types of `lobby_wire` (TicketView, TriageView, ServiceView, ...)
and a few shapes only the actions need (hub_wire.py, re-exported here).

Every failure of the hub (refused connection, timeout, non-2xx status, a body
that is not the documented shape) becomes one exception, :class:`HubUnavailable`,
so the caller has exactly one thing to handle. Its `code` is one of the codes
every hub client reports (`lobby_wire.ClientFailure`: `hub_unreachable`,
`hub_timeout`, `bad_response`; `http_<status>`), or, for a refusal
(:class:`HubRefused`), the hub's own error code.

Every call whose answer carries words for the customer (triage reasons,
service names, refusals, check-in messages) sends the turn's language: in
the body where the API takes one, else as a `lang` query parameter.

Configuration: the action server is a separate process with no access to the
hub's settings tree, so :meth:`HubClient.from_env` reads ``LOBBY_HUB_URL``,
``LOBBY_HUB_TIMEOUT`` and ``LOBBY_HUB_TOKEN`` once, when the action is
registered. Nothing here does I/O at import time.

The token is a device token (`lobby dialogue` and `lobby up` make one): the hub
does not trust a caller for being on the same machine, so without it the
actions' writes would count against the rate limit of the loopback address.

Issuing a ticket is retried (same idempotency key, so never twice) when the hub
could not be reached, timed out or failed with a 5xx, within one timeout in all:
a hub that restarts mid-request then still answers the customer's "yes".
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import aiohttp
from lobby_wire import (
    TRANSIENT_FAILURES,
    ClientFailure,
    Decision,
    QueueLine,
    RouteView,
    ServiceView,
    TicketView,
    TriageView,
    http_failure,
    queue_lines,
)

from .hub_wire import (
    Appointment,
    BranchClock,
    CheckIn,
    DaySlots,
    EntityValue,
    HubRefused,
    HubUnavailable,
    Slot,
    TicketRequest,
    TriageRequest,
    ticket_from_json,
)

logger = logging.getLogger(__name__)

DEFAULT_HUB_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_SECONDS = 5.0
RETRY_DELAYS = (0.2, 0.6, 1.2)  # seconds before the 2nd, 3rd and 4th try of an idempotent write

Parsed = TypeVar("Parsed")

__all__ = [
    "DEFAULT_HUB_URL",
    "DEFAULT_TIMEOUT_SECONDS",
    "Appointment",
    "BranchClock",
    "CheckIn",
    "DaySlots",
    "EntityValue",
    "HubClient",
    "HubRefused",
    "HubUnavailable",
    "QueueLine",
    "RouteView",
    "ServiceView",
    "Slot",
    "TicketRequest",
    "TicketView",
    "TriageRequest",
    "TriageView",
]


class HubClient:
    """Calls the hub's REST API. One short-lived HTTP session per call.

    A session per call keeps the client free of lifecycle hooks (the rasa-sdk
    action server offers none); a turn makes at most two calls, so the cost of
    a new connection to a hub on the same machine or LAN is negligible.
    """

    def __init__(self, base_url: str, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS, token: str = "") -> None:
        """`token`: a device token of the hub (`lobby token create --role device`), sent as a bearer token."""
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubClient:
        """Build from LOBBY_HUB_URL / LOBBY_HUB_TIMEOUT / LOBBY_HUB_TOKEN (defaults: local hub, 5 s, none)."""
        env = os.environ if environ is None else environ
        base_url = env.get("LOBBY_HUB_URL") or DEFAULT_HUB_URL
        raw_timeout = env.get("LOBBY_HUB_TIMEOUT") or ""
        try:
            timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT_SECONDS
        except ValueError:
            logger.warning("LOBBY_HUB_TIMEOUT=%r is not a number; using %s s", raw_timeout, DEFAULT_TIMEOUT_SECONDS)
            timeout = DEFAULT_TIMEOUT_SECONDS
        if timeout <= 0:
            timeout = DEFAULT_TIMEOUT_SECONDS
        return cls(base_url, timeout, (env.get("LOBBY_HUB_TOKEN") or "").strip())

    async def triage(self, request: TriageRequest) -> TriageView:
        data = await self._post_json("/api/v1/triage", request.to_json())
        return _parse(_triage, data, "triage")

    async def issue_ticket(self, request: TicketRequest) -> TicketView:
        """POST /api/v1/tickets, retried with the request's idempotency key while the hub is unreachable."""
        data = await self._retried("POST", "/api/v1/tickets", request.to_json())
        return _parse(ticket_from_json, data, "ticket")

    async def ticket(self, ticket_id: str, lang: str) -> TicketView:
        """The ticket as it is now (live position and ETA), its texts in `lang`."""
        data = await self._request("GET", f"/api/v1/tickets/{quote(ticket_id, safe='')}?{_lang_query(lang)}")
        return _parse(ticket_from_json, data, "ticket")

    async def alert_staff(self, reason: str, channel: str, sender: str, lang: str) -> None:
        """Tell the branch staff a customer asked for a person (a staff.alert event on the hub)."""
        payload = {"reason": reason, "channel": channel, "sender": sender, "lang": lang}
        await self._request("POST", "/api/v1/staff-alerts", payload)

    async def branch(self, lang: str | None = None) -> BranchClock:
        """The branch's clock and timezone; with `lang`, its `info_text` (hours, address) in that language."""
        path = f"/api/v1/branch?{_lang_query(lang)}" if lang else "/api/v1/branch"
        return _parse(BranchClock.from_json, await self._request("GET", path), "branch")

    async def services(self, lang: str) -> list[ServiceView]:
        data = await self._request("GET", f"/api/v1/services?{urlencode({'lang': lang})}")
        return _parse(lambda d: [ServiceView.from_json(s) for s in d["services"]], data, "services")

    async def queue(self) -> list[QueueLine]:
        """Every service: how many wait now, and the ETA range for someone joining."""
        data = await self._request("GET", "/api/v1/queue")
        return _parse(lambda d: list(queue_lines(d)), data, "queue")

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

    async def _retried(self, method: str, path: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """An idempotent write, tried again after a transport failure or a 5xx, all within one timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_seconds
        for delay in (*RETRY_DELAYS, None):
            remaining = deadline - loop.time()
            try:
                return await self._request(method, path, payload, timeout_seconds=max(0.1, remaining))
            except HubUnavailable as exc:
                refused = isinstance(exc, HubRefused)  # the hub understood and said no: asking again changes nothing
                retryable = not refused and (exc.code in TRANSIENT_FAILURES or exc.code.startswith("http_5"))
                if delay is None or not retryable or deadline - loop.time() <= delay:
                    raise
                logger.warning("%s %s failed (%s); trying again in %.1f s", method, path, exc.code, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # the loop's last try returns or raises

    async def _request(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None, timeout_seconds: float | None = None
    ) -> Mapping[str, Any]:
        url = f"{self.base_url}{path}"
        seconds = timeout_seconds or self.timeout_seconds
        timeout = aiohttp.ClientTimeout(total=seconds)
        body = dict(payload) if payload is not None else None
        try:
            async with aiohttp.ClientSession(timeout=timeout, headers=self._headers) as session:
                async with session.request(method, url, json=body) as response:
                    text = await response.text()
                    if 400 <= response.status < 500 and (refusal := _refusal(response.status, text)):
                        raise refusal
                    if not 200 <= response.status < 300:
                        raise HubUnavailable(http_failure(response.status), f"{method} {url}: {_error_text(text)}")
                    data = _decode(text)
        except asyncio.TimeoutError as exc:
            raise HubUnavailable(
                ClientFailure.HUB_TIMEOUT, f"{method} {url}: no answer within {seconds:.1f} s"
            ) from exc
        except aiohttp.ClientError as exc:
            raise HubUnavailable(ClientFailure.HUB_UNREACHABLE, f"{method} {url}: {exc!r}") from exc
        if data is None:
            raise HubUnavailable(
                ClientFailure.BAD_RESPONSE, f"{method} {url}: body is not a JSON object: {text[:200]!r}"
            )
        return data


def _triage(data: Mapping[str, Any]) -> TriageView:
    """The triage answer; a device decision must name the device (the action tells the customer where to go)."""
    triage = TriageView.from_json(dict(data))
    if triage.decision is Decision.DEVICE and triage.device is None:
        raise ValueError("decision 'device' without a device")
    return triage


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
        raise HubUnavailable(ClientFailure.BAD_RESPONSE, f"unexpected {what} shape: {exc!r}") from exc
