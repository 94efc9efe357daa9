"""Kiosk test fixtures: a real HTTP fake of the hub and fakes of the hardware ports.

The fake hub is a `http.server` on 127.0.0.1 in a thread, so `HubClient` and
the worker threads are exercised for real. Hardware comes from `hardware.fakes`.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hardware.fakes import FakeMicrophone, FakePrinter, FakeRecognizer, FakeSpeaker
from hardware.ports import HardwareState, HardwareStatus, Transcript
from kiosk.app import build_window
from kiosk.controller import KioskController
from kiosk.views import KioskWindow

SERVICES = [
    {"id": "cash", "name": "Cash and cheques", "prefix": "A", "intents": ["withdraw_cash", "deposit_cash"]},
    {"id": "payments", "name": "Payments and transfers", "prefix": "B", "intents": ["transfer_money"]},
    {"id": "cards", "name": "Cards and PIN", "prefix": "C", "intents": ["report_lost_card"]},
    {"id": "accounts", "name": "Accounts and details", "prefix": "D", "intents": ["open_account"]},
    {"id": "exchange", "name": "Foreign exchange", "prefix": "E", "intents": ["exchange_currency"]},
    {"id": "loans", "name": "Loans and mortgages", "prefix": "L", "intents": ["apply_loan"]},
    {"id": "help", "name": "Help, app and complaints", "prefix": "H", "intents": ["make_complaint"]},
]


def ticket_json(number: str = "A023", service: str = "cash", position: int = 3, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": f"t-{number}",
        "number": number,
        "service": service,
        "service_name": "Cash and cheques",
        "status": "waiting",
        "position": position,
        "eta_minutes": [4, 9],
        "issued_at": "2025-01-06T09:30:00+00:00",
        "track_url": f"/t/t-{number}",
    }
    data.update(extra)
    return data


ROUTE = {
    "service": "cash",
    "device_id": "atm-1",
    "kind": "atm",
    "name": "ATM 1",
    "location": "outside, left of the entrance",
    "reason": "withdrawals up to 1000 are fastest at the ATM",
}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    authorization: str | None = None


Responder = Callable[[Recorded], tuple[int, Any]]


class FakeHub:
    """Answers like the hub API v1; each route's answer can be replaced per test."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[Recorded] = []
        self.delay_s = 0.0
        self.routes: dict[tuple[str, str], Responder] = {
            ("GET", "/healthz"): lambda r: (200, {"status": "ok"}),
            ("GET", "/api/v1/services"): lambda r: (200, {"services": SERVICES}),
            ("POST", "/api/v1/chat"): lambda r: (
                200,
                {"messages": [{"text": f"You said: {r.body['message']}"}]},
            ),
            ("POST", "/api/v1/triage"): lambda r: (
                200,
                {"decision": "ticket", "service": "cash", "reason": "a counter can help"},
            ),
            ("POST", "/api/v1/tickets"): lambda r: (201, ticket_json(service=r.body["service"])),
        }
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def _answer(self, method: str) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                request = Recorded(method, url.path, parse_qs(url.query), body, self.headers.get("Authorization"))
                hub.requests.append(request)
                if hub.delay_s:
                    time.sleep(hub.delay_s)
                responder = hub.routes.get((method, url.path))
                status, body = responder(request) if responder else (404, _error("not_found", url.path))
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-hub", daemon=True)
        self._thread.start()

    def answer(self, method: str, path: str, status: int, body: Any) -> None:
        self.routes[(method, path)] = lambda r: (status, body)

    def to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- hardware: the shared fakes of hardware.fakes ---------------------------------


class NoModelRecognizer(FakeRecognizer):
    """A recognizer that reports MISSING, like Vosk without a model, until `install()`."""

    def __init__(self, transcript: str = "", missing: str = "no Vosk model configured") -> None:
        super().__init__(transcript)
        self.missing = missing

    def install(self, transcript: str) -> None:
        self.missing = ""
        self.transcript = Transcript(transcript)

    def status(self) -> HardwareStatus:
        if self.missing:
            return HardwareStatus("recognizer", HardwareState.MISSING, self.missing)
        return super().status()


@dataclass
class Devices:
    printer: FakePrinter
    speaker: FakeSpeaker
    microphone: FakeMicrophone
    recognizer: NoModelRecognizer


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    fake = FakeHub()
    yield fake
    fake.close()


@pytest.fixture
def make_hub() -> Iterator[Callable[[int], FakeHub]]:
    """Start a fake hub on a given port (0: any), e.g. one that was down before."""
    started: list[FakeHub] = []

    def make(port: int = 0) -> FakeHub:
        started.append(FakeHub(port))
        return started[-1]

    yield make
    for fake in started:
        fake.close()


@pytest.fixture
def unused_port() -> int:
    """A port on 127.0.0.1 nobody listens on (connections are refused)."""
    return free_port()


@pytest.fixture
def devices(tmp_path: Path) -> Devices:
    one_second = b"\x01\x00" * 16000
    return Devices(FakePrinter(), FakeSpeaker(tmp_path / "voice"), FakeMicrophone(one_second), NoModelRecognizer())


@pytest.fixture(name="ticket_json")
def ticket_json_fixture() -> Callable[..., dict[str, Any]]:
    return ticket_json


@pytest.fixture
def route_json() -> dict[str, Any]:
    return dict(ROUTE)


# -- the kiosk itself: window and controller against a hub URL ---------------------

WAIT_MS = 5000
Start = Callable[..., tuple["KioskWindow", "KioskController"]]


@pytest.fixture
def start_kiosk(qtbot: Any, devices: Any) -> Iterator[Start]:
    controllers: list[KioskController] = []

    def start(url: str, **options: Any) -> tuple[KioskWindow, KioskController]:
        options.setdefault("health_interval_s", 0.3)
        window, controller = build_window(
            url,
            "Test Branch",
            devices.printer,
            devices.speaker,
            devices.microphone,
            devices.recognizer,
            hub_timeout_s=2.0,
            **options,
        )
        qtbot.addWidget(window)
        window.show()
        controllers.append(controller)
        return window, controller

    yield start
    for controller in controllers:
        controller.shutdown(3000)


@pytest.fixture
def kiosk(qtbot: Any, hub: Any, start_kiosk: Start) -> KioskWindow:
    """A kiosk whose tiles have loaded from the fake hub, woken from its attract screen."""
    window, _controller = start_kiosk(hub.url)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cash") is not None, timeout=WAIT_MS)
    assert widget(window, QWidget, "attractScreen").isVisible()
    qtbot.mouseClick(widget(window, QPushButton, "attractStart"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget(window, QWidget, "homeScreen").isVisible(), timeout=WAIT_MS)
    return window


def widget(window: QWidget, kind: type[Any], name: str) -> Any:
    found = window.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name}"
    return found


def bubble_texts(window: QWidget) -> list[str]:
    return [label.text() for label in widget(window, QWidget, "conversation").findChildren(QLabel, "bubbleText")]
