"""The serial scanner adapter for real: pyserial on a pseudo-terminal, as a USB CDC-ACM scanner appears."""

from __future__ import annotations

import os
import threading
import time

import pytest

from hardware.ports import HardwareState
from hardware.scanner import NullScanner, SerialScanner, scanner_from_config


@pytest.fixture
def pty() -> tuple[int, str]:
    master, slave = os.openpty()
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


def test_each_line_is_one_scan_whatever_the_line_end(pty: tuple[int, str]) -> None:
    master, port = pty
    scanner = SerialScanner(port, 9600, timeout_s=0.05)
    assert scanner.status().state is HardwareState.READY
    scans: list[str] = []
    got_three = threading.Event()

    def on_scan(text: str) -> None:
        scans.append(text)
        if len(scans) == 3:
            got_three.set()

    scanner.start(on_scan)
    try:
        os.write(master, b"K7P2QX\r")  # CR only
        time.sleep(0.1)
        os.write(master, b"https://bank.example/a/P4L8N2\n")
        os.write(master, b"\r\n  AB12CD  \r\n")  # an empty line and padding
        assert got_three.wait(5)
    finally:
        scanner.stop()
    assert scans == ["K7P2QX", "https://bank.example/a/P4L8N2", "AB12CD"]


def test_missing_port_and_config() -> None:
    assert SerialScanner("/dev/does-not-exist").status().state is HardwareState.MISSING
    assert isinstance(scanner_from_config(""), NullScanner)
    configured = scanner_from_config("serial:///dev/ttyACM0?baud=115200")
    assert isinstance(configured, SerialScanner) and (configured.port, configured.baudrate) == ("/dev/ttyACM0", 115200)
    with pytest.raises(ValueError):
        scanner_from_config("usb://1234:5678")
