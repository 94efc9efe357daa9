"""The greeter window and controller, offscreen, against a fake hub over real HTTP."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget

from kiosk.app import run_kiosk
from kiosk.controller import KioskController
from kiosk.i18n import catalog
from kiosk.views import KioskWindow
from tests.kiosk.conftest import WAIT_MS, Start, bubble_texts, ticket_json, widget

EN = catalog("en")
HUB_DOWN = EN.text("notice.hub_down")
HUB_FAILED = EN.text("notice.hub_failed")
PRINTER_DOWN = EN.text("notice.printer_down")


def send(qtbot: Any, window: QWidget, text: str) -> None:
    qtbot.keyClicks(widget(window, QLineEdit, "messageInput"), text)
    qtbot.mouseClick(widget(window, QPushButton, "sendButton"), Qt.MouseButton.LeftButton)


def test_greeting_tiles_and_touch_sizes(kiosk: KioskWindow) -> None:
    assert widget(kiosk, QLabel, "greeting").text() == "Test Branch"
    assert widget(kiosk, QLabel, "homeQuestion").text() == "What can we help you with today?"
    tiles = [b for b in kiosk.findChildren(QPushButton) if b.objectName().startswith("tile_")]
    assert len(tiles) >= 6
    for name in ("sendButton", "micButton", "tile_cash"):
        assert widget(kiosk, QPushButton, name).height() >= 64


def test_typed_message_shows_customer_and_assistant_bubbles(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    send(qtbot, kiosk, "hello there")
    qtbot.waitUntil(lambda: "You said: hello there" in bubble_texts(kiosk), timeout=WAIT_MS)
    assert bubble_texts(kiosk) == ["hello there", "You said: hello there"]
    body = hub.to("/api/v1/chat")[-1].body
    assert body["channel"] == "kiosk" and len(body["sender"]) == 32
    assert widget(kiosk, QLineEdit, "messageInput").text() == ""


def test_ticket_reply_shows_card_prints_and_speaks(
    qtbot: Any,
    hub: Any,
    devices: Any,
    kiosk: KioskWindow,
    ticket_json: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub.answer("POST", "/api/v1/chat", 200, {"messages": [{"text": "Your number is A023."}], "ticket": ticket_json()})
    with caplog.at_level(logging.INFO, logger="kiosk"):
        send(qtbot, kiosk, "withdraw cash")
        qtbot.waitUntil(lambda: widget(kiosk, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(devices.printer.jobs and devices.speaker.played), timeout=WAIT_MS)
    assert widget(kiosk, QLabel, "ticketNumber").text() == "A023"
    assert widget(kiosk, QLabel, "ticketAhead").text() == "2 ahead of you"  # position 3 = third in line
    assert widget(kiosk, QLabel, "ticketEta").text() == "about 4\u20139 min"
    assert not widget(kiosk, QLabel, "ticketQr").pixmap().isNull()
    job = devices.printer.jobs[0]
    assert job.ticket.number == "A023" and job.branch_name == "Test Branch"
    assert job.track_url == f"{hub.url}/t/t-A023"
    assert devices.speaker.spoken_texts == ["Your number is A 23."]
    assert "Your number is A023." in caplog.text and "ticket A023" in caplog.text


def test_route_reply_shows_route_card(
    qtbot: Any, hub: Any, kiosk: KioskWindow, route_json: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    hub.answer("POST", "/api/v1/chat", 200, {"messages": [{"text": "The ATM can do it."}], "route": route_json})
    with caplog.at_level(logging.INFO, logger="kiosk"):
        send(qtbot, kiosk, "cash please")
        qtbot.waitUntil(lambda: widget(kiosk, QWidget, "routeCard").isVisible(), timeout=WAIT_MS)
    assert widget(kiosk, QLabel, "routeName").text() == "ATM 1"
    assert widget(kiosk, QLabel, "routeLocation").text() == "outside, left of the entrance"
    assert not widget(kiosk, QWidget, "ticketCard").isVisible()
    assert "route: ATM 1" in caplog.text


def test_tile_triages_then_issues_ticket(qtbot: Any, hub: Any, devices: Any, kiosk: KioskWindow) -> None:
    qtbot.mouseClick(widget(kiosk, QPushButton, "tile_cash"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget(kiosk, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
    assert hub.to("/api/v1/triage")[-1].body["intent"] == "withdraw_cash"
    ticket_body = hub.to("/api/v1/tickets")[-1].body
    assert ticket_body["service"] == "cash" and ticket_body["intent"] == "withdraw_cash"
    assert ticket_body["idempotency_key"]
    assert widget(kiosk, QLabel, "ticketNumber").text() == "A023"
    qtbot.waitUntil(lambda: len(devices.printer.jobs) == 1, timeout=WAIT_MS)


def test_tile_routed_to_device_issues_no_ticket(
    qtbot: Any, hub: Any, kiosk: KioskWindow, route_json: dict[str, Any]
) -> None:
    hub.answer(
        "POST",
        "/api/v1/triage",
        200,
        {"decision": "device", "service": "cash", "reason": "fastest", "device": route_json},
    )
    qtbot.mouseClick(widget(kiosk, QPushButton, "tile_cash"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget(kiosk, QWidget, "routeCard").isVisible(), timeout=WAIT_MS)
    assert hub.to("/api/v1/tickets") == []
    assert not widget(kiosk, QWidget, "ticketCard").isVisible()


def test_printer_failure_keeps_ticket_and_says_so(qtbot: Any, devices: Any, kiosk: KioskWindow) -> None:
    devices.printer.fail("paper_out", "out of paper")
    qtbot.mouseClick(widget(kiosk, QPushButton, "tile_cash"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: PRINTER_DOWN in bubble_texts(kiosk), timeout=WAIT_MS)
    assert widget(kiosk, QWidget, "ticketCard").isVisible()
    assert widget(kiosk, QLabel, "ticketNumber").text() == "A023"


def test_hub_error_reply_shows_message_and_keeps_online(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    """A hub that answers with an error is still there: the kiosk says so, and stays a chatting kiosk."""
    hub.answer("POST", "/api/v1/chat", 500, {"error": {"code": "internal", "message": "boom"}})
    send(qtbot, kiosk, "hi")
    qtbot.waitUntil(lambda: HUB_FAILED in bubble_texts(kiosk), timeout=WAIT_MS)
    assert bubble_texts(kiosk) == ["hi", HUB_FAILED]  # not the hub-down notice, nothing else
    assert widget(kiosk, QLabel, "statusLine").text().startswith("Hub: online")
    assert not widget(kiosk, QLabel, "hubBanner").isVisible()  # no "voice and chat are unavailable"
    assert widget(kiosk, QPushButton, "sendButton").isEnabled()  # no longer busy: the customer can go on
    assert widget(kiosk, QLineEdit, "messageInput").isEnabled()
    tiles = [b for b in kiosk.findChildren(QPushButton) if b.objectName().startswith("tile_")]
    assert tiles and all(tile.isEnabled() for tile in tiles)

    hub.answer("POST", "/api/v1/chat", 200, {"messages": [{"text": "Here again."}]})
    send(qtbot, kiosk, "hello")  # online: the next message goes to the hub, its reply is shown
    qtbot.waitUntil(lambda: "Here again." in bubble_texts(kiosk), timeout=WAIT_MS)
    assert bubble_texts(kiosk) == ["hi", HUB_FAILED, "hello", "Here again."]
    assert [request.body["message"] for request in hub.to("/api/v1/chat")] == ["hi", "hello"]


def test_hub_down_is_touch_only_then_recovers(
    qtbot: Any, unused_port: int, start_kiosk: Start, make_hub: Callable[[int], Any]
) -> None:
    window, _controller = start_kiosk(f"http://127.0.0.1:{unused_port}")
    status = widget(window, QLabel, "statusLine")
    qtbot.waitUntil(lambda: status.text().startswith("Hub: touch only"), timeout=WAIT_MS)
    assert widget(window, QLabel, "hubBanner").isVisible()
    send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: HUB_DOWN in bubble_texts(window), timeout=WAIT_MS)
    make_hub(unused_port)  # the hub comes up: the background health check notices
    qtbot.waitUntil(lambda: status.text().startswith("Hub: online"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cash") is not None, timeout=WAIT_MS)
    assert not widget(window, QLabel, "hubBanner").isVisible()


def test_send_does_not_block_gui_thread(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    hub.delay_s = 1.5
    began = time.monotonic()
    send(qtbot, kiosk, "slow")
    assert time.monotonic() - began < 0.5
    assert not widget(kiosk, QPushButton, "sendButton").isEnabled()  # busy while the hub thinks
    qtbot.waitUntil(lambda: "You said: slow" in bubble_texts(kiosk), timeout=WAIT_MS)
    assert widget(kiosk, QPushButton, "sendButton").isEnabled()


def test_quick_reply_sends_payload_shows_title(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    hub.answer(
        "POST",
        "/api/v1/chat",
        200,
        {"messages": [{"text": "Need a ticket?", "buttons": [{"title": "Yes please", "payload": "/affirm"}]}]},
    )
    send(qtbot, kiosk, "hi")
    qtbot.waitUntil(lambda: kiosk.findChild(QPushButton, "quickReply") is not None, timeout=WAIT_MS)
    qtbot.mouseClick(widget(kiosk, QPushButton, "quickReply"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 2, timeout=WAIT_MS)
    assert hub.to("/api/v1/chat")[-1].body["message"] == "/affirm"
    assert "Yes please" in bubble_texts(kiosk)


def test_mic_disabled_with_reason_when_no_model(qtbot: Any, kiosk: KioskWindow) -> None:
    mic = widget(kiosk, QPushButton, "micButton")
    status = widget(kiosk, QLabel, "statusLine")
    qtbot.waitUntil(lambda: "Recognizer: missing (no Vosk model configured)" in status.text(), timeout=WAIT_MS)
    assert "Voice input off: speech recognition is not installed" in status.text()
    assert not mic.isEnabled()
    assert mic.toolTip() == "Voice input off: speech recognition is not installed"  # the customer's words


def tone_burst(silence_s: float, tone_s: float, after_s: float, amplitude: int = 8000) -> bytes:
    """16 kHz 16-bit mono: silence, a 440 Hz tone (speech to the VAD), silence."""
    import math
    from array import array

    samples = array("h", [0] * int(16000 * silence_s))
    samples.extend(int(amplitude * math.sin(2 * math.pi * 440 * n / 16000)) for n in range(int(16000 * tone_s)))
    samples.extend([0] * int(16000 * after_s))
    return samples.tobytes()


def test_mic_transcript_becomes_customer_message(qtbot: Any, hub: Any, devices: Any, start_kiosk: Start) -> None:
    devices.recognizer.install("i lost my card")
    devices.microphone.audio = tone_burst(0.5, 0.6, 2.0)
    window, _controller = start_kiosk(hub.url, record_seconds=5)
    mic = widget(window, QPushButton, "micButton")
    qtbot.waitUntil(mic.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(mic, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "You said: i lost my card" in bubble_texts(window), timeout=WAIT_MS)
    assert bubble_texts(window)[0] == "i lost my card"
    [(audio_bytes, rate, grammar)] = devices.recognizer.calls
    # the endpointer passed 200 ms before the tone, the tone, and ~700 ms of trailing silence, then stopped
    assert rate == 16000 and grammar is None
    assert 2 * 16000 * 1.3 <= audio_bytes <= 2 * 16000 * 1.7
    assert devices.microphone.stopped_early  # the rest of the 3.1 s was never recorded
    assert devices.speaker.stops >= 1  # stopped talking before listening


def test_idle_timeout_clears_screen_and_starts_new_conversation(qtbot: Any, hub: Any, start_kiosk: Start) -> None:
    window, controller = start_kiosk(hub.url, idle_timeout_s=0.5)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cash") is not None, timeout=WAIT_MS)
    qtbot.mouseClick(widget(window, QPushButton, "tile_cash"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget(window, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
    first_sender = controller.model.sender_id
    qtbot.waitUntil(lambda: not widget(window, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bubble_texts(window) == [], timeout=WAIT_MS)
    assert controller.model.sender_id != first_sender


def test_reply_for_a_reset_conversation_is_dropped(
    qtbot: Any, hub: Any, kiosk: KioskWindow, ticket_json: Callable[..., dict[str, Any]]
) -> None:
    controller = kiosk.findChild(KioskController)
    assert controller is not None
    hub.answer("POST", "/api/v1/chat", 200, {"messages": [{"text": "late"}], "ticket": ticket_json()})
    hub.delay_s = 0.5
    send(qtbot, kiosk, "hello")
    controller.reset_conversation()
    qtbot.waitUntil(lambda: controller.runner.pending("chat") == 0, timeout=WAIT_MS)
    assert bubble_texts(kiosk) == []
    assert not widget(kiosk, QWidget, "ticketCard").isVisible()


def test_run_kiosk_shows_window_and_returns_exit_code(qtbot: Any, hub: Any, devices: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    seen: list[bool] = []

    def look_then_quit() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, KioskWindow)]
        seen.append(any(w.isVisible() and w.model.branch_name == "Run Branch" for w in windows))
        app.exit(3)

    QTimer.singleShot(300, look_then_quit)
    code = run_kiosk(hub.url, "Run Branch", devices.printer, devices.speaker, devices.microphone, devices.recognizer)
    assert code == 3
    assert seen == [True]


def test_holding_the_mic_is_push_to_talk(qtbot: Any, hub: Any, devices: Any, start_kiosk: Start, tmp_path: Any) -> None:
    import wave

    from hardware.microphone import FileMicrophone

    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16000)
        audio.writeframes(tone_burst(0.3, 6.0, 0.0))  # talks on for 6 s: only the release ends it
    devices.recognizer.install("i lost my card")
    window, controller = start_kiosk(hub.url, record_seconds=8)
    controller.devices.microphone = FileMicrophone(path, realtime=True)
    mic = widget(window, QPushButton, "micButton")
    qtbot.waitUntil(mic.isEnabled, timeout=WAIT_MS)

    qtbot.mousePress(mic, Qt.MouseButton.LeftButton)
    qtbot.wait(1200)
    qtbot.mouseRelease(mic, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "You said: i lost my card" in bubble_texts(window), timeout=WAIT_MS)
    [(audio_bytes, _rate, _grammar)] = devices.recognizer.calls
    assert 2 * 16000 * 0.8 <= audio_bytes <= 2 * 16000 * 1.8  # about the 1.2 s held, not 6 s


def test_a_spoken_question_is_answered_hands_free(qtbot: Any, hub: Any, devices: Any, start_kiosk: Start) -> None:
    devices.recognizer.install("i want an appointment")
    devices.microphone.audio = tone_burst(0.3, 0.5, 1.0)
    hub.answer("POST", "/api/v1/chat", 200, {"messages": [{"text": "Which day would suit you?"}]})
    window, _controller = start_kiosk(hub.url, record_seconds=5)
    mic = widget(window, QPushButton, "micButton")
    qtbot.waitUntil(mic.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(mic, Qt.MouseButton.LeftButton)

    # the reply asks a question: once it has been said, the kiosk listens again by itself
    qtbot.waitUntil(lambda: len(devices.recognizer.calls) == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 2, timeout=WAIT_MS)


def test_a_typed_question_does_not_open_the_microphone(qtbot: Any, hub: Any, devices: Any, kiosk: KioskWindow) -> None:
    hub.answer("POST", "/api/v1/chat", 200, {"messages": [{"text": "Which day would suit you?"}]})
    qtbot.keyClicks(widget(kiosk, QLineEdit, "messageInput"), "book an appointment")
    qtbot.mouseClick(widget(kiosk, QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Which day would suit you?" in bubble_texts(kiosk), timeout=WAIT_MS)
    qtbot.wait(800)
    assert devices.recognizer.calls == []


def test_a_stuck_printer_does_not_hold_up_the_next_customer(
    qtbot: Any, hub: Any, devices: Any, start_kiosk: Start
) -> None:
    """Tickets print one after another on the printer's own lane: with the printer stuck (a jam, a USB
    write that hangs), the next customers still get their tickets on screen, and every ticket prints,
    in order, once it is free. (On the shared worker threads four stuck prints left no thread for the
    hub's requests: the fifth tap never got its ticket.)"""
    stuck = threading.Event()
    numbers = iter(f"A{n:03d}" for n in range(1, 100))
    hub.routes[("POST", "/api/v1/tickets")] = lambda r: (201, ticket_json(number=next(numbers)))
    real_print = devices.printer.print_ticket

    def jammed(job: Any) -> None:
        stuck.wait(10)
        real_print(job)

    devices.printer.print_ticket = jammed
    window, controller = start_kiosk(hub.url)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cash") is not None, timeout=WAIT_MS)
    shown = []
    for _ in range(6):
        controller.reset_conversation()
        window.model.set_screen(window.model.screen.HOME)
        qtbot.mouseClick(widget(window, QPushButton, "tile_cash"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.model.ticket is not None and widget(window, QWidget, "ticketCard").isVisible())
        shown.append(widget(window, QLabel, "ticketNumber").text())
    assert shown == ["A001", "A002", "A003", "A004", "A005", "A006"]
    assert devices.printer.jobs == []
    stuck.set()
    qtbot.waitUntil(lambda: len(devices.printer.jobs) == 6, timeout=WAIT_MS)
    assert [job.ticket.number for job in devices.printer.jobs] == shown
