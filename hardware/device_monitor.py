"""Device monitors that poll a status document (`hardware.device_status`), chosen by URI.

`device_monitor_from_uri`:

* ``http://HOST[:PORT]/PATH`` or ``https://…`` — GET the document (the vendor's monitoring
  feed, or a small agent's endpoint); JSON or YAML by its Content-Type, else whichever parses;
* ``file:///ABS/PATH`` or ``file://REL/PATH`` — read a file an agent rewrites (relative paths are
  resolved against the working directory when the URI is parsed, like the printer's); `.json` is
  JSON, `.yaml`/`.yml` YAML, anything else whichever parses.

Reads block (a network round trip, a file): the forwarder runs them off its event loop.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from hardware.device_status import INVALID, UNREADABLE, DeviceReading, parse_document
from hardware.ports import DeviceMonitor, HardwareError, HardwareState, HardwareStatus

logger = logging.getLogger(__name__)

STATUS_NAME = "device_monitor"  # HardwareStatus.name of every monitor
DEFAULT_TIMEOUT_SECONDS = 5.0
MAX_DOCUMENT_BYTES = 1_000_000  # a branch has a handful of devices; anything this big is not their status


def _status_of(monitor: DeviceMonitor, where: str) -> HardwareStatus:
    try:
        reading = monitor.read()
    except HardwareError as exc:
        return HardwareStatus(STATUS_NAME, HardwareState.FAULT, f"{exc.code}: {exc.message}")
    return HardwareStatus(STATUS_NAME, HardwareState.READY, f"{len(reading.reports)} devices from {where}")


class HttpDeviceMonitor(DeviceMonitor):
    """GETs the status document from a URL (one keep-alive connection, reused between polls)."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.url = url
        self.timeout = timeout
        self._client: httpx.Client | None = None

    def status(self) -> HardwareStatus:
        return _status_of(self, self.url)

    def read(self) -> DeviceReading:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, follow_redirects=True)
        try:
            response = self._client.get(self.url, headers={"Accept": "application/json, application/yaml"})
        except httpx.HTTPError as exc:
            raise HardwareError(UNREADABLE, f"{self.url}: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise HardwareError(UNREADABLE, f"{self.url} answered {response.status_code}")
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise HardwareError(INVALID, f"{self.url}: {len(response.content)} bytes is no status document")
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        syntax = "json" if media.endswith("json") else "yaml" if "yaml" in media else "auto"
        return parse_document(response.content, self.url, syntax)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class FileDeviceMonitor(DeviceMonitor):
    """Reads the status document from a file (an agent on the device network rewrites it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def status(self) -> HardwareStatus:
        return _status_of(self, str(self.path))

    def read(self) -> DeviceReading:
        try:
            with self.path.open("rb") as document:
                content = document.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as exc:
            raise HardwareError(UNREADABLE, f"cannot read {self.path}: {exc.strerror or exc}") from None
        if len(content) > MAX_DOCUMENT_BYTES:
            raise HardwareError(INVALID, f"{self.path}: over {MAX_DOCUMENT_BYTES} bytes is no status document")
        suffix = self.path.suffix.lower()
        syntax = "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "auto"
        return parse_document(content, str(self.path), syntax)


def device_monitor_from_uri(uri: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> DeviceMonitor:
    """Build the monitor a configuration URI names; ValueError if it is malformed."""
    uri = uri.strip()
    if uri.startswith("file://"):
        raw_path = unquote(uri.removeprefix("file://"))
        if not raw_path:
            raise ValueError(f"device monitor URI {uri!r} has no path")
        return FileDeviceMonitor(Path(raw_path).absolute())
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https"):
        if not parts.hostname:
            raise ValueError(f"device monitor URI {uri!r} has no host")
        return HttpDeviceMonitor(uri, timeout)
    raise ValueError(f"unsupported device monitor URI {uri!r} (http://, https://, file://)")
