"""Tells the hub each change of a self-service device's state, as a DeviceMonitor reads it.

The hub learns device states only through `PUT /api/v1/devices/{id}/status` (a device token); the
routing brain then sends customers to a machine that works. This forwarder polls a monitor (STYLE
habit 4: a supervised device) and sends only what changed since the hub last *accepted* it:

* a document that cannot be read or is not a status document is logged with its code and skipped;
  the last good reading stays, so nothing is sent on the strength of garbage;
* a device that vanishes from the document keeps the state the hub has (nobody said it changed);
* a PUT that gets no answer, a 408/429 or a 5xx is tried again with backoff (0.5 s doubling, capped)
  and, failing that, at the next poll; one the hub refuses (unknown device, a token it does not take,
  a state it does not know) is logged with the hub's code and not sent again until that device's
  state changes;
* nothing it meets ends the loop but cancellation.

Entry point for the `lobby` CLI: `run_device_forwarder(source_uri, hub_url, token, interval_seconds)`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from hardware.device_monitor import device_monitor_from_uri
from hardware.device_status import DeviceReading, DeviceReport
from hardware.ports import DeviceMonitor, HardwareError
from lobby_wire.errors import ClientFailure

logger = logging.getLogger(__name__)

READ_TIMEOUT = "device_status_timeout"  # the monitor did not answer within read_timeout_seconds
MONITOR_BUG = "device_monitor_error"  # the monitor raised something no adapter should


class PushOutcome(StrEnum):
    SENT = "sent"  # the hub recorded it
    REJECTED = "rejected"  # the hub refused it (4xx): not sent again until the device's state changes
    FAILED = "failed"  # no answer after every attempt (hub down, 5xx): sent again at the next poll


@dataclass(frozen=True, slots=True)
class Push:
    """What became of one change sent to the hub."""

    report: DeviceReport
    outcome: PushOutcome
    attempts: int
    code: str = ""  # the hub's error code, a client failure code or http_<status>; "" when sent
    message: str = ""


@dataclass(frozen=True, slots=True)
class ForwarderPolicy:
    """How often to read and how hard to insist. The defaults suit a branch: a state is at most about
    ten seconds old, and a hub restart (a few seconds) is bridged within one poll."""

    interval_seconds: float = 10.0  # between two reads of the source
    read_timeout_seconds: float = 15.0  # one read of the source
    request_timeout_seconds: float = 5.0  # one PUT
    attempts: int = 4  # tries of one change within a poll
    backoff_seconds: float = 0.5  # the first wait between tries, doubling...
    backoff_cap_seconds: float = 10.0  # ...up to this


def _retryable(status: int) -> bool:
    return status in (408, 429) or status >= 500


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """The hub's {"error": {"code", "message"}}, or http_<status> when the answer is not that shape."""
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}", response.text[:200]


class DeviceStatusForwarder:
    """Polls `monitor` and PUTs each device's change to the hub at `hub_url` with a device `token`."""

    def __init__(
        self,
        monitor: DeviceMonitor,
        hub_url: str,
        token: str,
        policy: ForwarderPolicy | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.monitor = monitor
        self.hub_url = hub_url.rstrip("/")
        self.policy = policy or ForwarderPolicy()
        self.sleep = sleep  # every wait (between polls, between tries) goes through it: tests record them
        self._token = token
        self._client = client
        self._own_client = client is None
        self.reading: DeviceReading | None = None  # the last good reading
        self.last_error: HardwareError | None = None  # why the last read failed (None: it worked)
        self.accepted: dict[str, DeviceReport] = {}  # what the hub has recorded, per device
        self.refused: dict[str, Push] = {}  # what the hub refused, per device (until it changes)

    async def __aenter__(self) -> DeviceStatusForwarder:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None
        await asyncio.to_thread(self.monitor.close)

    def pending(self) -> tuple[DeviceReport, ...]:
        """The last good reading's reports the hub has not accepted yet (nor refused as they are)."""
        if self.reading is None:
            return ()
        return tuple(
            report
            for report in self.reading.reports
            if self.accepted.get(report.device_id) != report
            and (report.device_id not in self.refused or self.refused[report.device_id].report != report)
        )

    async def poll_once(self) -> tuple[Push, ...]:
        """Read the source once (keeping the last good reading if it fails) and send what changed."""
        await self._read()
        pushes = []
        for report in self.pending():
            push = await self._push(report)
            pushes.append(push)
            if push.outcome is PushOutcome.SENT:
                self.accepted[report.device_id] = report
                self.refused.pop(report.device_id, None)
            elif push.outcome is PushOutcome.REJECTED:
                self.refused[report.device_id] = push
        return tuple(pushes)

    async def run(self) -> None:
        """Poll every `interval_seconds` until cancelled. Nothing else stops it (STYLE habit 4)."""
        logger.info("forwarding device states to %s every %.0f s", self.hub_url, self.policy.interval_seconds)
        while True:
            try:
                await self.poll_once()
            except Exception:  # a bug must not silence the branch's devices: log it, try again later
                logger.exception("device status forwarding failed; trying again in %.0f s",
                                 self.policy.interval_seconds)  # fmt: skip
            await self.sleep(self.policy.interval_seconds)

    # -- reading -------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            reading = await asyncio.wait_for(asyncio.to_thread(self.monitor.read), self.policy.read_timeout_seconds)
        except HardwareError as exc:
            self._read_failed(exc)
            return
        except TimeoutError:
            self._read_failed(HardwareError(READ_TIMEOUT, f"no answer within {self.policy.read_timeout_seconds:.0f} s"))
            return
        except Exception as exc:  # an adapter bug: the same as an unreadable source, with its traceback
            self._read_failed(HardwareError(MONITOR_BUG, f"{type(exc).__name__}: {exc}"), exc)
            return
        if self.last_error is not None:
            logger.info("device status readable again (%d devices)", len(reading.reports))
        self.last_error = None
        self.reading = reading

    def _read_failed(self, error: HardwareError, cause: BaseException | None = None) -> None:
        """Log a failed read once (not at every poll while it lasts), and keep the last good reading."""
        kept = (
            f"keeping the last good status ({len(self.reading.reports)} devices)" if self.reading else "no status yet"
        )
        if self.last_error is None or (self.last_error.code, self.last_error.message) != (error.code, error.message):
            logger.error("device status not read [%s] %s; %s", error.code, error.message, kept, exc_info=cause)
        self.last_error = error

    # -- sending -------------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.policy.request_timeout_seconds)
        return self._client

    async def _push(self, report: DeviceReport) -> Push:
        url = f"{self.hub_url}/api/v1/devices/{quote(report.device_id, safe='')}/status"
        headers = {"Authorization": f"Bearer {self._token}"}
        delay = self.policy.backoff_seconds
        code, message = "", ""
        for attempt in range(1, self.policy.attempts + 1):
            if attempt > 1:
                await self.sleep(delay)
                delay = min(delay * 2, self.policy.backoff_cap_seconds)
            try:
                response = await self._http().put(url, json=report.to_json(), headers=headers)
            except httpx.TimeoutException as exc:
                code, message = str(ClientFailure.HUB_TIMEOUT), f"{type(exc).__name__}: {exc}"
                continue
            except httpx.HTTPError as exc:  # refused, reset, DNS
                code, message = str(ClientFailure.HUB_UNREACHABLE), f"{type(exc).__name__}: {exc}"
                continue
            if response.is_success:
                logger.info("device %s is %s%s", report.device_id, report.state.value,
                            f" ({report.detail})" if report.detail else "")  # fmt: skip
                return Push(report, PushOutcome.SENT, attempt)
            code, message = _error_of(response)
            if not _retryable(response.status_code):
                logger.error("the hub refused device %s %s [%s] %s; not sent again until it changes",
                             report.device_id, report.state.value, code, message)  # fmt: skip
                return Push(report, PushOutcome.REJECTED, attempt, code, message)
        logger.warning("device %s %s not sent after %d tries [%s] %s; trying again at the next poll",
                       report.device_id, report.state.value, self.policy.attempts, code, message)  # fmt: skip
        return Push(report, PushOutcome.FAILED, self.policy.attempts, code, message)


async def forward_device_status(
    source_uri: str, hub_url: str, token: str, policy: ForwarderPolicy | None = None, **options: Any
) -> None:
    """Build the monitor `source_uri` names and forward its changes to the hub until cancelled."""
    monitor = device_monitor_from_uri(source_uri)
    async with DeviceStatusForwarder(monitor, hub_url, token, policy, **options) as forwarder:
        await forwarder.run()


def run_device_forwarder(source_uri: str, hub_url: str, token: str, interval_seconds: float = 10.0) -> int:
    """Blocking entry point for the CLI: forward until Ctrl-C (exit status 0); ValueError for a bad URI."""
    device_monitor_from_uri(source_uri)  # a malformed URI fails here, before anything runs
    try:
        asyncio.run(forward_device_status(source_uri, hub_url, token, ForwarderPolicy(interval_seconds)))
    except KeyboardInterrupt:
        pass
    return 0
