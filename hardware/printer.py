"""ESC/POS ticket printers: one layout (`ticket_layout`), several transports.

Configuration picks the target by URI (`printer_from_uri`):

* ``escpos+tcp://HOST[:PORT]`` — a network printer (raw port, default 9100);
* ``escpos+usb://VID:PID`` — a USB printer, ids in hex (needs pyusb);
* ``file://PATH`` — append each ticket's bytes to a file (relative paths are
  resolved against the working directory when the URI is parsed; ``file:///abs``);
* ``none:`` or empty — no printer: status MISSING, printing raises.

python-escpos is imported only inside this module's functions.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hardware.ports import HardwareError, HardwareState, HardwareStatus, TicketPrint, TicketPrinter
from hardware.ticket_layout import TicketLayout, render_ticket

logger = logging.getLogger(__name__)

DEFAULT_TCP_PORT = 9100


class PrinterTransport(ABC):
    """Where rendered ESC/POS bytes go."""

    @abstractmethod
    def send(self, data: bytes) -> None:
        """Deliver one ticket; raises HardwareError."""

    @abstractmethod
    def probe(self) -> HardwareStatus:
        """Check the target without printing."""

    @abstractmethod
    def describe(self) -> str: ...


class FileTransport(PrinterTransport):
    """Appends each ticket to a file (a spool for tests, demos and print servers)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return f"file://{self.path}"

    def send(self, data: bytes) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as spool:
                spool.write(data)
        except OSError as exc:
            raise HardwareError("printer_offline", f"cannot write {self.path}: {exc}") from exc

    def probe(self) -> HardwareStatus:
        directory = self.path.parent
        while not directory.exists() and directory != directory.parent:
            directory = directory.parent
        target = self.path if self.path.exists() else directory
        if os.access(target, os.W_OK):
            return HardwareStatus("printer", HardwareState.READY, self.describe())
        return HardwareStatus("printer", HardwareState.FAULT, f"{target} is not writable")


class NetworkTransport(PrinterTransport):
    """A printer's raw TCP port, through python-escpos `Network`."""

    def __init__(self, host: str, port: int = DEFAULT_TCP_PORT, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    def describe(self) -> str:
        return f"escpos+tcp://{self.host}:{self.port}"

    def _open(self) -> Any:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Network

        device = Network(self.host, port=self.port, timeout=self.timeout)
        try:
            device.open()
        except DeviceNotFoundError as exc:
            raise HardwareError("printer_offline", f"{self.describe()} unreachable: {exc}") from exc
        return device

    def send(self, data: bytes) -> None:
        device = self._open()
        try:
            device._raw(data)  # the public API only writes what it renders itself
        except OSError as exc:
            raise HardwareError("printer_offline", f"{self.describe()} write failed: {exc}") from exc
        finally:
            device.close()

    def probe(self) -> HardwareStatus:
        try:
            self._open().close()
        except HardwareError as exc:
            return HardwareStatus("printer", HardwareState.FAULT, exc.message)
        return HardwareStatus("printer", HardwareState.READY, self.describe())


class UsbTransport(PrinterTransport):
    """A USB printer, through python-escpos `Usb` (pyusb + libusb)."""

    def __init__(self, vendor_id: int, product_id: int, timeout_ms: int = 5000) -> None:
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.timeout_ms = timeout_ms

    def describe(self) -> str:
        return f"escpos+usb://{self.vendor_id:04x}:{self.product_id:04x}"

    def _open(self) -> Any:
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise HardwareError("printer_missing", "pyusb not installed: USB printers unavailable")
        device = Usb(self.vendor_id, self.product_id, timeout=self.timeout_ms)
        try:
            device.open()
        except Exception as exc:  # DeviceNotFoundError, USBError, NoBackendError
            raise HardwareError("printer_offline", f"{self.describe()} not available: {exc}") from exc
        return device

    def send(self, data: bytes) -> None:
        device = self._open()
        try:
            device._raw(data)
        except Exception as exc:  # usb.core.USBError and friends
            raise HardwareError("printer_offline", f"{self.describe()} write failed: {exc}") from exc
        finally:
            device.close()

    def probe(self) -> HardwareStatus:
        try:
            self._open().close()
        except HardwareError as exc:
            state = HardwareState.MISSING if exc.code == "printer_missing" else HardwareState.FAULT
            return HardwareStatus("printer", state, exc.message)
        return HardwareStatus("printer", HardwareState.READY, self.describe())


class EscposTicketPrinter(TicketPrinter):
    """Renders tickets with `render_ticket` and hands the bytes to a transport.

    `status()` reports the outcome of the last print or probe; it probes the
    transport again once that is older than `status_ttl` seconds.
    """

    def __init__(
        self, transport: PrinterTransport, layout: TicketLayout | None = None, status_ttl: float = 5.0
    ) -> None:
        self.transport = transport
        self.layout = layout or TicketLayout()
        self.status_ttl = status_ttl
        self._lock = threading.Lock()
        self._last: tuple[float, HardwareStatus] | None = None

    def status(self) -> HardwareStatus:
        with self._lock:
            if self._last is not None and time.monotonic() - self._last[0] < self.status_ttl:
                return self._last[1]
            return self._remember(self.transport.probe())

    def print_ticket(self, job: TicketPrint) -> None:
        data = render_ticket(job, self.layout)
        with self._lock:
            try:
                self.transport.send(data)
            except HardwareError as exc:
                logger.warning("ticket %s not printed: %s", job.ticket.number, exc.message)
                state = HardwareState.MISSING if exc.code == "printer_missing" else HardwareState.FAULT
                self._remember(HardwareStatus("printer", state, exc.message))
                raise
            self._remember(HardwareStatus("printer", HardwareState.READY, self.transport.describe()))
        logger.info("printed ticket %s (%d bytes) on %s", job.ticket.number, len(data), self.transport.describe())

    def _remember(self, status: HardwareStatus) -> HardwareStatus:
        self._last = (time.monotonic(), status)
        return status


class NullPrinter(TicketPrinter):
    """No printer configured: the kiosk shows the ticket on screen instead."""

    def status(self) -> HardwareStatus:
        return HardwareStatus("printer", HardwareState.MISSING, "no printer configured")

    def print_ticket(self, job: TicketPrint) -> None:
        raise HardwareError("printer_missing", "no printer configured")


def printer_from_uri(uri: str, layout: TicketLayout | None = None) -> TicketPrinter:
    """Build the printer a configuration URI names; ValueError if it is malformed."""
    uri = uri.strip()
    if uri in ("", "none:", "none"):
        return NullPrinter()
    if uri.startswith("file://"):
        raw_path = uri.removeprefix("file://")
        if not raw_path:
            raise ValueError(f"printer URI {uri!r} has no path")
        return EscposTicketPrinter(FileTransport(Path(raw_path).absolute()), layout)
    parts = urlsplit(uri)
    if parts.scheme == "escpos+tcp":
        if not parts.hostname:
            raise ValueError(f"printer URI {uri!r} has no host")
        return EscposTicketPrinter(NetworkTransport(parts.hostname, parts.port or DEFAULT_TCP_PORT), layout)
    if parts.scheme == "escpos+usb":
        ids = parts.netloc.split(":")
        try:
            vendor_id, product_id = (int(part, 16) for part in ids)
        except ValueError as exc:
            raise ValueError(f"printer URI {uri!r}: expected escpos+usb://VID:PID in hex") from exc
        return EscposTicketPrinter(UsbTransport(vendor_id, product_id), layout)
    raise ValueError(f"unsupported printer URI {uri!r} (escpos+tcp://, escpos+usb://, file://, none:)")
