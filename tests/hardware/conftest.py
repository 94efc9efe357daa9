"""Fixtures for the real-adapter contract tests of `hardware/`.

Audio is synthesized, not recorded: espeak-ng speaks Korean phrases and sox
converts them to what a microphone delivers (16 kHz, mono, 16-bit), so the
Vosk tests replay real speech without binary fixtures in the repository.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from hw_support import TcpSink, make_job

from hardware.ports import TicketPrint


@pytest.fixture
def job() -> Callable[..., TicketPrint]:
    return make_job


@pytest.fixture
def tcp_sink() -> Iterator[TcpSink]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    sink = TcpSink(server)
    thread = threading.Thread(target=sink.serve, name="test-tcp-printer", daemon=True)
    thread.start()
    yield sink
    sink.stop()
    thread.join(timeout=5)
