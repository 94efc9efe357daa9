"""The DeviceMonitor port: its HTTP and file adapters, and the forwarder that tells the hub each change.

Real parts only: status documents served over HTTP on 127.0.0.1 by a stdlib server started here,
real files, and a real hub process (PUT /api/v1/devices/{id}/status with a real device token, read
back with GET /api/v1/devices). Waits between tries are recorded instead of slept.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from hardware.device_forwarder import DeviceStatusForwarder, ForwarderPolicy, Push, PushOutcome
from hardware.device_monitor import FileDeviceMonitor, HttpDeviceMonitor, device_monitor_from_uri
from hardware.device_status import INVALID, UNREADABLE, DeviceReport, parse_document
from hardware.fake_device_monitor import FakeDeviceMonitor
from hardware.ports import DeviceMonitor, HardwareError, HardwareState
from lobby_wire.triage import DeviceState
from tests.conftest import make_token
from tests.hubs import HubLauncher
from tests.support import ALWAYS_OPEN, ROOT, free_port

ONLINE, BUSY, OFFLINE, OUT = DeviceState.ONLINE, DeviceState.BUSY, DeviceState.OFFLINE, DeviceState.OUT_OF_SERVICE

YAML_STATUS = """\
# what a vendor's agent writes: its own words for the states
devices:
  atm-1: In Service
  rec-1: {state: out-of-cash}
  stm-1: {state: busy, detail: "customer session"}
  vtm-1: {state: offline, detail: "no network since 09:12"}
"""
YAML_REPORTS = (
    DeviceReport("atm-1", ONLINE),  # a vendor word, but online needs no explanation
    DeviceReport("rec-1", OUT, "out_of_cash"),
    DeviceReport("stm-1", BUSY, "customer session"),
    DeviceReport("vtm-1", OFFLINE, "no network since 09:12"),
)
JSON_STATUS = {
    "devices": [
        {"id": "atm-1", "state": "online"},
        {"id": "rec-1", "state": "online"},
        {"id": "stm-1", "state": "out_of_service", "detail": "card reader jammed"},
        {"id": "vtm-1", "state": "busy"},
    ]
}
JSON_REPORTS = (
    DeviceReport("atm-1", ONLINE),
    DeviceReport("rec-1", ONLINE),
    DeviceReport("stm-1", OUT, "card reader jammed"),
    DeviceReport("vtm-1", BUSY),
)


# -- a tiny HTTP server: the vendor's status feed, or a stand-in hub that answers as told -----------------


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass
class StatusServer:
    """Answers every request with the next scripted answer (then `default`); records what it was asked."""

    url: str
    default: Answer = field(default_factory=lambda: Answer(200, b"{}"))
    script: list[Answer] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)  # method, path, headers, body

    def serve(self, status: int, body: str | bytes, content_type: str = "application/json") -> None:
        self.default = Answer(status, body.encode() if isinstance(body, str) else body, content_type)

    def next_answer(self) -> Answer:
        return self.script.pop(0) if self.script else self.default


@pytest.fixture
def status_server() -> Iterator[StatusServer]:
    state: list[StatusServer] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            server = state[0]
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            server.requests.append((self.command, self.path, dict(self.headers), body))
            answer = server.next_answer()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_PUT = _answer  # the stdlib's names

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.append(StatusServer(f"http://127.0.0.1:{httpd.server_address[1]}"))
    thread = threading.Thread(target=httpd.serve_forever, name="test-device-status", daemon=True)
    thread.start()
    try:
        yield state[0]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class Waits:
    """The forwarder's `sleep`: written down and passed at once, except the `stop_after`-th, which holds
    the caller (and sets `reached`) until `resume`."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.waits: list[float] = []
        self.stop_after = stop_after
        self.reached = asyncio.Event()
        self._resume = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.stop_after is not None and len(self.waits) >= self.stop_after:
            self.reached.set()
            await self._resume.wait()
            self._resume.clear()
        await asyncio.sleep(0)

    def resume(self, stop_after: int) -> None:
        """Let the held caller go on, and hold it again at wait number `stop_after`."""
        self.stop_after = stop_after
        self.reached.clear()
        self._resume.set()


# -- the adapters ----------------------------------------------------------------------------------------


def test_http_monitor_reads_json_and_yaml_and_sees_each_change(status_server: StatusServer) -> None:
    monitor = device_monitor_from_uri(f"{status_server.url}/devices/status")
    assert isinstance(monitor, HttpDeviceMonitor) and isinstance(monitor, DeviceMonitor)
    try:
        status_server.serve(200, json.dumps(JSON_STATUS))
        reading = monitor.read()
        assert reading.reports == JSON_REPORTS
        assert reading.source == f"{status_server.url}/devices/status"

        status_server.serve(200, YAML_STATUS, "application/yaml; charset=utf-8")
        assert monitor.read().reports == YAML_REPORTS
        status = monitor.status()
        assert (status.state, status.detail) == (HardwareState.READY, f"4 devices from {monitor.url}")
        assert [(method, path) for method, path, _, _ in status_server.requests] == [("GET", "/devices/status")] * 3

        status_server.serve(200, YAML_STATUS, "text/plain")  # no useful media type: whichever parses
        assert monitor.read().reports == YAML_REPORTS
    finally:
        monitor.close()


def test_http_monitor_failures_carry_a_code(status_server: StatusServer) -> None:
    monitor = HttpDeviceMonitor(f"{status_server.url}/status", timeout=5)
    try:
        status_server.serve(503, "vendor feed restarting", "text/plain")
        with pytest.raises(HardwareError) as unreadable:
            monitor.read()
        assert (unreadable.value.code, unreadable.value.message) == (UNREADABLE, f"{monitor.url} answered 503")
        status = monitor.status()
        assert status.state is HardwareState.FAULT and status.detail.startswith(UNREADABLE)

        status_server.serve(200, '{"devices": [{"id": "atm-1", "state": "online"}', "application/json")
        with pytest.raises(HardwareError) as invalid:
            monitor.read()
        assert invalid.value.code == INVALID and "not JSON" in invalid.value.message
    finally:
        monitor.close()

    nobody = HttpDeviceMonitor(f"http://127.0.0.1:{free_port()}/status", timeout=5)
    with pytest.raises(HardwareError) as refused:
        nobody.read()
    assert refused.value.code == UNREADABLE and "ConnectError" in refused.value.message


def test_file_monitor_reads_yaml_and_json_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    yaml_file = tmp_path / "status.yaml"
    yaml_file.write_text(YAML_STATUS, encoding="utf-8")
    monitor = device_monitor_from_uri(f"file://{yaml_file}")
    assert isinstance(monitor, FileDeviceMonitor) and monitor.path == yaml_file
    assert monitor.read().reports == YAML_REPORTS
    assert monitor.status().state is HardwareState.READY

    yaml_file.write_text(json.dumps(JSON_STATUS), encoding="utf-8")  # JSON is YAML too
    assert monitor.read().reports == JSON_REPORTS

    monkeypatch.chdir(tmp_path)
    json_file = tmp_path / "agent" / "status.json"
    relative = device_monitor_from_uri("file://agent/status.json")
    assert isinstance(relative, FileDeviceMonitor) and relative.path == json_file
    with pytest.raises(HardwareError) as missing:
        relative.read()
    assert missing.value.code == UNREADABLE and str(json_file) in missing.value.message
    assert relative.status().state is HardwareState.FAULT

    json_file.parent.mkdir()
    json_file.write_text(YAML_STATUS, encoding="utf-8")  # YAML in a .json file: read as JSON, so refused
    with pytest.raises(HardwareError) as invalid:
        relative.read()
    assert invalid.value.code == INVALID and "not JSON" in invalid.value.message


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("", "empty"),
        ("- atm-1\n- rec-1\n", "expected a mapping with a 'devices' key"),
        ('{"atms": {}}', "expected a mapping with a 'devices' key"),
        ('{"devices": "all fine"}', "'devices' must be a mapping"),
        ("devices:\n  atm-1: on fire\n", "device 'atm-1': unknown state 'on fire'"),
        ("devices:\n  atm-1: {detail: x}\n", "device 'atm-1' needs a 'state'"),
        ("devices:\n  atm-1: {state: online, detail: 42}\n", "'detail' must be text"),
        ('{"devices": [{"id": "atm-1", "state": "online"}, {"id": "atm-1", "state": "busy"}]}', "listed twice"),
        ('{"devices": [{"state": "online"}]}', "devices[0] needs an 'id'"),
        ("devices:\n  ../admin: online\n", "is not a device id"),
        ("devices: [atm-1: {\n", "neither JSON nor YAML"),
        (b"\xff\xfe devices", "not UTF-8"),
    ],
)
def test_a_bad_document_is_refused_whole_with_what_is_wrong(document: str | bytes, says: str) -> None:
    with pytest.raises(HardwareError) as refused:
        parse_document(document, "status.yaml")
    assert refused.value.code == INVALID
    assert refused.value.message.startswith("status.yaml: ") and says in refused.value.message


def test_a_long_detail_is_cut_to_what_the_hub_takes() -> None:
    reading = parse_document(json.dumps({"devices": {"atm-1": {"state": "offline", "detail": "x" * 300}}}), "feed")
    assert reading.reports == (DeviceReport("atm-1", OFFLINE, "x" * 200),)


@pytest.mark.parametrize("uri", ["escpos+tcp://10.0.0.5:9100", "http://", "file://", "ftp://feed/status", ""])
def test_uris_that_name_no_source_are_refused(uri: str) -> None:
    with pytest.raises(ValueError, match=r"device monitor URI|unsupported"):
        device_monitor_from_uri(uri)


# -- the forwarder against a real hub ---------------------------------------------------------------------


def hub_devices(hub: str) -> dict[str, tuple[str, str]]:
    response = httpx.get(f"{hub}/api/v1/devices", timeout=10).raise_for_status()
    return {device["id"]: (device["state"], device["detail"]) for device in response.json()["devices"]}


def counting_client(sent: list[str]) -> httpx.AsyncClient:
    async def record(request: httpx.Request) -> None:
        sent.append(f"{request.method} {request.url.path}")

    return httpx.AsyncClient(timeout=5, event_hooks={"request": [record]})


def outcomes(pushes: tuple[Push, ...]) -> list[tuple[str, PushOutcome, str]]:
    return [(push.report.device_id, push.outcome, push.code) for push in pushes]


async def test_forwarder_sends_each_change_once_and_keeps_the_last_good_status_through_a_bad_document(
    hub_server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = make_token(f"sqlite:///{tmp_path / 'hub.db'}", "device")
    status = tmp_path / "status.yaml"
    status.write_text(YAML_STATUS, encoding="utf-8")
    sent: list[str] = []
    waits = Waits()
    monitor = device_monitor_from_uri(f"file://{status}")
    async with DeviceStatusForwarder(
        monitor, hub_server, token, client=counting_client(sent), sleep=waits
    ) as forwarder:
        first = await forwarder.poll_once()
        assert outcomes(first) == [(report.device_id, PushOutcome.SENT, "") for report in YAML_REPORTS]
        assert hub_devices(hub_server) == {
            "atm-1": ("online", ""),
            "rec-1": ("out_of_service", "out_of_cash"),
            "stm-1": ("busy", "customer session"),
            "vtm-1": ("offline", "no network since 09:12"),
        }
        assert len(sent) == 4

        assert await forwarder.poll_once() == ()  # nothing changed: nothing sent
        assert len(sent) == 4

        status.write_text("devices:\n  atm-1: {state: online\n  rec-1: online\n", encoding="utf-8")  # half-written
        with caplog.at_level(logging.ERROR, logger="hardware.device_forwarder"):
            assert await forwarder.poll_once() == ()
        assert forwarder.last_error is not None and forwarder.last_error.code == INVALID
        assert forwarder.reading is not None and forwarder.reading.reports == YAML_REPORTS  # the last good one
        [logged] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert f"[{INVALID}]" in logged and str(status) in logged and "keeping the last good status" in logged
        assert len(sent) == 4 and hub_devices(hub_server)["rec-1"] == ("out_of_service", "out_of_cash")

        status.write_text(YAML_STATUS.replace("out-of-cash", "online"), encoding="utf-8")  # the recycler refilled
        assert outcomes(await forwarder.poll_once()) == [("rec-1", PushOutcome.SENT, "")]
        assert forwarder.last_error is None
        assert hub_devices(hub_server)["rec-1"] == ("online", "")
        assert sent == ["PUT /api/v1/devices/atm-1/status", "PUT /api/v1/devices/rec-1/status",
                        "PUT /api/v1/devices/stm-1/status", "PUT /api/v1/devices/vtm-1/status",
                        "PUT /api/v1/devices/rec-1/status"]  # fmt: skip
    assert waits.waits == []  # every PUT went through at once


async def test_what_the_hub_refuses_is_logged_and_not_sent_again(
    hub_server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    monitor = FakeDeviceMonitor(DeviceReport("atm-9", ONLINE), DeviceReport("atm-1", BUSY))
    sent: list[str] = []
    forwarder = DeviceStatusForwarder(monitor, hub_server, make_token(database, "device"), client=counting_client(sent))
    async with forwarder:
        with caplog.at_level(logging.ERROR, logger="hardware.device_forwarder"):
            pushes = await forwarder.poll_once()
        assert outcomes(pushes) == [
            ("atm-9", PushOutcome.REJECTED, "device_not_found"),
            ("atm-1", PushOutcome.SENT, ""),
        ]
        assert pushes[0].attempts == 1  # a 404 is not tried again
        assert any("atm-9" in r.getMessage() and "[device_not_found]" in r.getMessage() for r in caplog.records)
        assert await forwarder.poll_once() == ()  # the same refused report is not sent again
        monitor.set(DeviceReport("atm-9", OFFLINE), DeviceReport("atm-1", BUSY))  # ...a new one is
        assert outcomes(await forwarder.poll_once()) == [("atm-9", PushOutcome.REJECTED, "device_not_found")]
        assert sent == ["PUT /api/v1/devices/atm-9/status", "PUT /api/v1/devices/atm-1/status",
                        "PUT /api/v1/devices/atm-9/status"]  # fmt: skip

    teller = DeviceStatusForwarder(FakeDeviceMonitor(DeviceReport("atm-1", OUT)), hub_server, make_token(database))
    async with teller:
        assert outcomes(await teller.poll_once()) == [("atm-1", PushOutcome.REJECTED, "forbidden")]
    wrong = DeviceStatusForwarder(FakeDeviceMonitor(DeviceReport("atm-1", OUT)), hub_server, "not-a-token")
    async with wrong:
        assert outcomes(await wrong.poll_once()) == [("atm-1", PushOutcome.REJECTED, "unauthorized")]
    assert hub_devices(hub_server)["atm-1"] == ("busy", "")


async def test_a_hub_that_is_down_is_retried_with_backoff_then_at_the_next_poll(
    hub_launcher: HubLauncher, tmp_path: Path
) -> None:
    port = free_port()
    hub = f"http://127.0.0.1:{port}"
    monitor = FakeDeviceMonitor(DeviceReport("stm-1", OUT, "maintenance"))
    waits = Waits()
    policy = ForwarderPolicy(attempts=6, backoff_seconds=0.5, backoff_cap_seconds=4)
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    token = make_token(database, "device")
    async with DeviceStatusForwarder(monitor, hub, token, policy, sleep=waits) as forwarder:
        [push] = await forwarder.poll_once()
        assert (push.outcome, push.code, push.attempts) == (PushOutcome.FAILED, "hub_unreachable", 6)
        assert waits.waits == [0.5, 1, 2, 4, 4]  # doubling, capped
        assert forwarder.accepted == {}

        args = ["serve", "--config", str(ROOT / "branch.yml"), "--database", database, "--port", str(port)]
        env = {"LOBBY_DIALOGUE__RASA_URL": f"http://127.0.0.1:{free_port()}", **ALWAYS_OPEN}
        process = hub_launcher.start(args, port, tmp_path / "hub.log", env, name="device hub")
        try:
            await asyncio.to_thread(process.wait_healthy, 60)
            assert outcomes(await forwarder.poll_once()) == [("stm-1", PushOutcome.SENT, "")]  # the hub is back
            assert hub_devices(hub)["stm-1"] == ("out_of_service", "maintenance")
        finally:
            await asyncio.to_thread(process.stop)


async def test_a_busy_hub_is_tried_again_until_it_answers(status_server: StatusServer) -> None:
    """503 and 429 are worth another try (a hub restarting, a hub throttling); the third try lands."""
    status_server.script = [Answer(503, b"{}"), Answer(429, b'{"error": {"code": "rate_limited", "message": "slow"}}')]
    status_server.serve(200, json.dumps({"id": "vtm-1", "state": "busy", "detail": ""}))
    waits = Waits()
    monitor = FakeDeviceMonitor(DeviceReport("vtm-1", BUSY))
    async with DeviceStatusForwarder(monitor, status_server.url, "device-token", sleep=waits) as forwarder:
        [push] = await forwarder.poll_once()
    assert (push.outcome, push.attempts) == (PushOutcome.SENT, 3)
    assert waits.waits == [0.5, 1]
    for method, path, headers, body in status_server.requests:
        assert (method, path, headers["Authorization"]) == (
            "PUT",
            "/api/v1/devices/vtm-1/status",
            "Bearer device-token",
        )
        assert json.loads(body) == {"state": "busy", "detail": ""}
    assert len(status_server.requests) == 3


async def test_the_loop_outlives_a_monitor_that_crashes(status_server: StatusServer) -> None:
    """A bug in an adapter (not a HardwareError) is logged and the loop goes on; once the monitor
    works again its reading is sent."""
    monitor = FakeDeviceMonitor(DeviceReport("atm-1", OFFLINE, "power cut"))
    monitor.crash(RuntimeError("driver bug"))
    waits = Waits(stop_after=3)
    policy = ForwarderPolicy(interval_seconds=7)
    async with DeviceStatusForwarder(monitor, status_server.url, "t", policy, sleep=waits) as forwarder:
        task = asyncio.create_task(forwarder.run(), name="test: device forwarder")
        try:
            await asyncio.wait_for(waits.reached.wait(), 10)
            assert not task.done()
            assert monitor.reads == 3 and waits.waits == [7, 7, 7]
            assert forwarder.last_error is not None and forwarder.last_error.code == "device_monitor_error"
            assert status_server.requests == []

            monitor.recover()
            waits.resume(stop_after=4)
            await asyncio.wait_for(waits.reached.wait(), 10)
            assert monitor.reads == 4 and forwarder.last_error is None
            assert forwarder.accepted == {"atm-1": DeviceReport("atm-1", OFFLINE, "power cut")}
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert [(method, path) for method, path, _, _ in status_server.requests] == [
        ("PUT", "/api/v1/devices/atm-1/status")
    ]
    assert monitor.closed
