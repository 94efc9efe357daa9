"""Barcode / QR scanners that read appointment codes at the kiosk.

Most lobby scanners are keyboard wedges: they type what they read followed by
Enter, and the kiosk window catches that burst itself. Serial scanners (RS-232
or USB CDC-ACM, e.g. `/dev/ttyACM0`) send one line per scan; `SerialScanner`
reads them with pyserial on its own thread and hands each line to a callback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from hardware.ports import HardwareError, HardwareState, HardwareStatus, Scanner

logger = logging.getLogger(__name__)

MAX_LINE = 256  # a scan longer than this is noise, not a booking code or its URL


class SerialScanner(Scanner):
    """Reads one scan per line from a serial port; `start(on_scan)` runs until `stop()`."""

    def __init__(self, port: str, baudrate: int = 9600, timeout_s: float = 0.2) -> None:
        self.port = port
        self.baudrate = baudrate
        self.timeout_s = timeout_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: str | None = None

    def status(self) -> HardwareStatus:
        if self._error is not None:
            return HardwareStatus("scanner", HardwareState.FAULT, self._error)
        try:
            self._open().close()
        except HardwareError as exc:
            return HardwareStatus("scanner", HardwareState.MISSING, exc.message)
        return HardwareStatus("scanner", HardwareState.READY, self.port)

    def _open(self):  # type: ignore[no-untyped-def]
        import serial

        try:
            return serial.Serial(self.port, self.baudrate, timeout=self.timeout_s)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise HardwareError("scanner_missing", f"cannot open {self.port}: {exc}") from exc

    def start(self, on_scan: Callable[[str], None]) -> None:
        if self._thread is not None:
            return
        connection = self._open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._read, args=(connection, on_scan), name="scanner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _read(self, connection, on_scan: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
        buffer = b""
        with connection:
            while not self._stop.is_set():
                try:
                    data = connection.read(64)
                except OSError as exc:  # unplugged
                    self._error = f"{self.port}: {exc}"
                    logger.warning("scanner stopped: %s", self._error)
                    return
                buffer += data
                while b"\n" in buffer or b"\r" in buffer:
                    cut = min(i for i in (buffer.find(b"\n"), buffer.find(b"\r")) if i >= 0)
                    line, buffer = buffer[:cut], buffer[cut + 1 :]
                    text = line.decode("utf-8", "replace").strip()
                    if text:
                        on_scan(text)
                if len(buffer) > MAX_LINE:
                    logger.warning("scanner sent %d bytes without a line end: dropped", len(buffer))
                    buffer = b""


class NullScanner(Scanner):
    """No serial scanner (keyboard-wedge scanners need none)."""

    def status(self) -> HardwareStatus:
        return HardwareStatus("scanner", HardwareState.MISSING, "no serial scanner configured")

    def start(self, on_scan: Callable[[str], None]) -> None:
        pass

    def stop(self) -> None:
        pass


def scanner_from_config(spec: str) -> Scanner:
    """`serial:///dev/ttyACM0?baud=9600` -> SerialScanner; "" or `none:` (keyboard wedge only) -> NullScanner."""
    spec = spec.strip()
    if spec in ("", "none", "none:", "keyboard", "keyboard:"):
        return NullScanner()
    url = urlsplit(spec)
    if url.scheme != "serial" or not url.path:
        raise ValueError(f"unsupported scanner {spec!r} (serial:///dev/ttyACM0?baud=9600, none:)")
    baud = int(parse_qs(url.query).get("baud", ["9600"])[0])
    return SerialScanner(url.path, baud)
