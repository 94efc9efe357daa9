"""Blocking HTTP client of the branch hub API v1 (DESIGN.md §4).

The kiosk talks to the hub only through this client. Every method blocks, so
callers run it off the Qt thread (see `kiosk.workers`). Failures of any kind
surface as one exception type, `HubError`, carrying a stable `code`: the hub's
own error code for `{"error": {...}}` answers (`lobby_wire.ErrorCode`), else one of
`lobby_wire.ClientFailure`, the same codes the action server's client reports:
`hub_unreachable` when the hub cannot be reached, `hub_timeout` when it does not
answer in time, `bad_response` when the answer is not the documented shape, and
`http_<status>` for an error status without the hub's error shape.

Taking a ticket always carries an idempotency key (one per tap, or made here) and is tried again
while the hub cannot be reached or fails with a 5xx, within the client's timeout: a hub restarting
at that moment then still gives this customer their ticket, and never two.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from lobby_wire import (
    TRANSIENT_FAILURES,
    ChatReply,
    ClientFailure,
    QueueLine,
    ServiceView,
    TicketView,
    TriageView,
    http_failure,
    queue_lines,
)

logger = logging.getLogger(__name__)

CHANNEL = "kiosk"
RETRY_DELAYS = (0.3, 1.0, 2.0)  # seconds before the 2nd, 3rd and 4th try of an idempotent write

T = TypeVar("T")


class HubError(Exception):
    """A hub call failed; `code` is stable for logs and the UI."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = message
        self.status = status


class HubClient:
    """Synchronous client of one hub (`base_url` such as http://127.0.0.1:8000)."""

    def __init__(self, base_url: str, timeout: float = 10.0, token: str = "") -> None:
        """`token`: the kiosk's device token (`lobby token create --role device`), if it has one."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- API -----------------------------------------------------------------

    def health(self) -> bool:
        """True when /healthz answers 200 with status "ok"; never raises."""
        return self.readiness()[0]

    def readiness(self) -> tuple[bool, bool]:
        """(hub ok, dialogue engine up) from /healthz; never raises. A hub that does not say is taken as up."""
        try:
            data = self._request("GET", "/healthz")
        except HubError as error:
            logger.debug("hub health check failed: %s", error)
            return False, False
        ok = isinstance(data, dict) and data.get("status") == "ok"
        return ok, ok and data.get("dialogue", "up") == "up"

    def services(self, lang: str = "en") -> list[ServiceView]:
        data = self._request("GET", "/api/v1/services", params={"lang": lang})
        return _parse(lambda: [ServiceView.from_json(item) for item in data["services"]])

    def queue(self, lang: str = "en") -> tuple[QueueLine, ...]:
        """Waiting customers and the ETA per service (public `GET /api/v1/queue`), names in `lang`."""
        data = self._request("GET", "/api/v1/queue", params={"lang": lang})
        return _parse(lambda: queue_lines(data))

    def chat(self, sender: str, message: str, lang: str = "en") -> ChatReply:
        body = {"sender": sender, "message": message, "channel": CHANNEL, "lang": lang}
        data = self._request("POST", "/api/v1/chat", json=body)
        return _parse(lambda: ChatReply.from_json(data))

    def triage(self, intent: str, lang: str = "en", entities: dict[str, Any] | None = None) -> TriageView:
        body = {"intent": intent, "entities": entities or {}, "channel": CHANNEL, "lang": lang}
        data = self._request("POST", "/api/v1/triage", json=body)
        return _parse(lambda: TriageView.from_json(data))

    def create_ticket(
        self,
        service: str,
        lang: str = "en",
        intent: str | None = None,
        idempotency_key: str | None = None,
    ) -> TicketView:
        """Take a ticket; `idempotency_key` (default: a fresh one) makes retries return the same ticket."""
        body: dict[str, Any] = {"service": service, "channel": CHANNEL, "lang": lang}
        if intent is not None:
            body["intent"] = intent
        body["idempotency_key"] = idempotency_key or uuid.uuid4().hex
        data = self._retried("POST", "/api/v1/tickets", json=body)
        return _parse(lambda: TicketView.from_json(data))

    def check_in(self, code: str, lang: str = "en") -> tuple[TicketView, str]:
        """Check in for appointment `code`: (its ticket, what the hub says about the arrival)."""
        path = f"/api/v1/appointments/{quote(code, safe='')}/check-in"
        data = self._request("POST", path, json={"channel": CHANNEL, "lang": lang})
        return _parse(lambda: (TicketView.from_json(data), str((data.get("check_in") or {}).get("message") or "")))

    def arrive(self, reference: str) -> TicketView:
        """A ticket taken in the bank's app (its id or today's number): the customer is here."""
        data = self._request("POST", f"/api/v1/tickets/{quote(reference, safe='')}/arrive")
        return _parse(lambda: TicketView.from_json(data))

    def rate(self, ticket_id: str, score: int) -> None:
        """The customer's 1-5 rating of this visit (the manager's dashboard shows them)."""
        self._request("POST", "/api/v1/ratings", json={"ticket_id": ticket_id, "score": score, "channel": CHANNEL})

    def alert_staff(self, reason: str, sender: str, lang: str = "en") -> None:
        """Tell the staff screens someone at the kiosk needs a person (event `staff.alert`)."""
        body = {"reason": reason, "channel": CHANNEL, "sender": sender, "lang": lang}
        self._request("POST", "/api/v1/staff-alerts", json=body)

    # -- transport -----------------------------------------------------------

    def _retried(self, method: str, path: str, **kwargs: Any) -> Any:
        """An idempotent write, tried again after a transient failure while the timeout allows."""
        deadline = time.monotonic() + self.timeout
        for delay in (*RETRY_DELAYS, None):
            try:
                return self._request(method, path, **kwargs)
            except HubError as error:
                transient = error.code in TRANSIENT_FAILURES or (error.status is not None and error.status >= 500)
                if delay is None or not transient or time.monotonic() + delay >= deadline:
                    raise
                logger.warning("%s %s failed (%s); trying again in %.1f s", method, path, error.code, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")  # the last try returns or raises

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            message = f"cannot reach the hub at {self.base_url}: {error}"
            raise HubError(ClientFailure.HUB_UNREACHABLE, message) from error
        except httpx.TimeoutException as error:
            raise HubError(ClientFailure.HUB_TIMEOUT, f"the hub did not answer {method} {path} in time") from error
        except httpx.TransportError as error:
            raise HubError(ClientFailure.HUB_UNREACHABLE, f"{method} {path} failed: {error}") from error
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_error:
            raise _error_from(response.status_code, data, f"{method} {path}")
        if data is None:
            raise HubError(ClientFailure.BAD_RESPONSE, f"{method} {path} answered {response.status_code} without JSON")
        return data


def _error_from(status: int, data: Any, what: str) -> HubError:
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and error.get("code"):
        return HubError(str(error["code"]), str(error.get("message") or ""), status)
    return HubError(http_failure(status), f"{what} failed with HTTP {status}", status)


def _parse(build: Callable[[], T]) -> T:
    """Run a from_json conversion; a shape mismatch becomes `bad_response`."""
    try:
        return build()
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise HubError(ClientFailure.BAD_RESPONSE, f"unexpected answer from the hub: {error!r}") from error
