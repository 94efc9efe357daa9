"""Helpers shared by the hardware tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

from hardware.ports import TicketPrint
from lobby_wire import TicketStatus, TicketView

TRACK_URL = "https://branch.example/t/7f3a9c"


def make_job(number: str = "A023", service_name: str = "Cash withdrawal", footer: str = "Thank you") -> TicketPrint:
    ticket = TicketView(
        id="7f3a9c",
        number=number,
        service="withdraw_cash",
        service_name=service_name,
        status=TicketStatus.WAITING,
        position=4,
        eta_minutes=(5, 10),
        issued_at="2025-03-14T09:26:53+01:00",
        track_url="/t/7f3a9c",
    )
    return TicketPrint(ticket=ticket, branch_name="Lobby Bank Main Street", track_url=TRACK_URL, footer=footer)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class TcpSink:
    """A raw-9100-style printer: accepts connections on 127.0.0.1 and keeps every byte."""

    server: socket.socket
    received: list[bytes] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    port: int = 0

    def __post_init__(self) -> None:
        self.port = int(self.server.getsockname()[1])

    def stop(self) -> None:
        """Stop listening (shutdown wakes the thread blocked in accept)."""
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed by the fixture
            with connection:
                connection.settimeout(5)
                parts = []
                while chunk := connection.recv(65536):
                    parts.append(chunk)
                self.received.append(b"".join(parts))
                self.done.set()
