"""End to end: a customer at the kiosk, the real hub, Rasa, the action server, printer and speaker."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.exceptions import TimeoutError as WaitTimeout

from hardware import microphone_from_config, printer_from_uri, recognizer_from_config, speaker_from_config
from kiosk.app import build_window
from tests.e2e.conftest import Branch
from tests.support import longest_wav_seconds

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPLY_TIMEOUT_MS = 60_000


def find(window: QWidget, kind: type[Any], name: str) -> Any:
    found = window.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name}"
    return found


def tappable(button: QPushButton) -> bool:
    """Is `button` what a finger on its centre would touch? The conversation's touch scroller (QScroller)
    holds a press and hands it to the widget under that point of the screen, so a tap on a reply's button
    that Qt has not yet shown and laid out (it does both a moment after the reply is added) is lost, or
    lands on an older bubble's button: a person cannot tap a button before it is on the screen either."""
    return QApplication.widgetAt(button.mapToGlobal(button.rect().center())) is button


def test_customer_types_lost_card_and_leaves_with_a_printed_ticket(qtbot: Any, branch: Branch, tmp_path: Path) -> None:
    printer_file = tmp_path / "printer.bin"
    voice_dir = tmp_path / "voice"
    speaker = speaker_from_config("wav:", voice_dir)
    window, controller = build_window(
        branch.hub_url,
        "Lobby Demo Branch",
        printer=printer_from_uri(f"file://{printer_file}"),
        speaker=speaker,
        microphone=microphone_from_config("none:"),
        recognizer=recognizer_from_config(""),
        health_interval_s=1.0,
    )
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.keyClicks(find(window, QLineEdit, "messageInput"), "i lost my card")
        qtbot.mouseClick(find(window, QPushButton, "sendButton"), Qt.MouseButton.LeftButton)

        # The assistant offers a ticket with the wait first; the customer taps yes.
        def yes_button() -> QPushButton | None:
            buttons = window.findChildren(QPushButton, "quickReply")
            return next((b for b in buttons if b.text() == "Yes, a ticket" and tappable(b)), None)

        qtbot.waitUntil(lambda: yes_button() is not None, timeout=REPLY_TIMEOUT_MS)
        card = find(window, QWidget, "ticketCard")
        assert not card.isVisible()  # nothing issued before the yes
        qtbot.mouseClick(yes_button(), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(card.isVisible, timeout=REPLY_TIMEOUT_MS)
        number = find(window, QLabel, "ticketNumber").text()

        # The hub really issued it, for the cards service, from the kiosk channel.
        queue = httpx.get(f"{branch.hub_url}/api/v1/queue", timeout=10).json()
        cards = next(s for s in queue["services"] if s["service"] == "cards")
        assert cards["waiting"] >= 1
        staff = {"Authorization": f"Bearer {branch.staff_token}"}
        called = httpx.post(f"{branch.hub_url}/api/v1/counters/c2/call-next", headers=staff, timeout=10).json()
        assert called["number"] == number and called["service"] == "cards"

        # The printer target received ESC/POS bytes with the number; the reply was spoken to a WAV.
        qtbot.waitUntil(lambda: printer_file.exists() and number.encode() in printer_file.read_bytes(), timeout=10_000)
        assert printer_file.read_bytes().startswith(b"\x1b@")
        qtbot.waitUntil(lambda: any(voice_dir.glob("*.wav")), timeout=20_000)
        assert longest_wav_seconds(voice_dir) > 1.0
    finally:
        controller.shutdown()
        speaker.close()  # type: ignore[attr-defined]


def test_chat_gateway_routes_through_rasa_and_the_actions(branch: Branch) -> None:
    def chat(sender: str, message: str) -> dict[str, Any]:
        body = {"message": message, "channel": "mobile", "lang": "en"}
        headers = {"X-Customer-Token": f"app-customer-{sender}"}  # the bank app's opaque customer token
        response = httpx.post(f"{branch.hub_url}/api/v1/chat", json=body, headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    hello = chat("e2e-hello", "hello")
    assert hello["messages"] and not hello.get("degraded") and "ticket" not in hello

    offer = chat("e2e-lost", "i lost my card")
    assert "ticket" not in offer  # offered with the wait, not issued yet
    assert [b["payload"] for b in offer["messages"][-1]["buttons"]] == ["/affirm", "/deny"]
    assert "Cards and PIN" in offer["messages"][-1]["text"]
    lost = chat("e2e-lost", "yes please")
    assert lost["ticket"]["service"] == "cards" and lost["ticket"]["status"] == "waiting"
    assert any(lost["ticket"]["number"][0] + " " in m["text"] for m in lost["messages"])  # "C 4", read aloud
    again = chat("e2e-lost", "yes")  # a second yes does not issue a second ticket
    assert "ticket" not in again

    cash = chat("e2e-cash", "i want to withdraw 100 pounds")
    assert "route" in cash, cash
    assert cash["route"]["kind"] in {"atm", "cash_recycler", "stm"}


@pytest.mark.timeout(60)
def test_chat_degrades_to_touch_when_rasa_is_unreachable(hub_server: str) -> None:
    # hub_server is a separate hub whose Rasa URL points at a closed port.
    body = {"sender": "e2e-down", "message": "i lost my card", "channel": "kiosk", "lang": "en"}
    reply = httpx.post(f"{hub_server}/api/v1/chat", json=body, timeout=30).json()
    assert reply["degraded"] is True and len(reply["messages"][0]["buttons"]) >= 8


def _chat(branch: Branch, sender: str, message: str) -> dict[str, Any]:
    body = {"message": message, "channel": "mobile", "lang": "en"}
    headers = {"X-Customer-Token": f"app-customer-{sender}"}  # the bank app's opaque customer token
    response = httpx.post(f"{branch.hub_url}/api/v1/chat", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    assert not reply.get("degraded"), reply
    return reply


def _buttons(reply: dict[str, Any]) -> list[dict[str, str]]:
    return [b for m in reply["messages"] for b in m.get("buttons") or ()]


def test_booking_with_a_correction_then_cancel_by_code(branch: Branch) -> None:
    """The booking form through the real hub and Rasa: slots from the hub, a correction, then cancel."""
    asked = _chat(branch, "e2e-book", "i'd like to book an appointment")
    assert "/mortgage" in [b["payload"] for b in _buttons(asked)] or "/apply_loan" in [
        b["payload"] for b in _buttons(asked)
    ]
    days = _chat(branch, "e2e-book", "a mortgage")
    day_buttons = _buttons(days)
    assert day_buttons and day_buttons[0]["payload"].startswith('/inform{"date":')
    times = _chat(branch, "e2e-book", day_buttons[0]["payload"])  # the first free day, as a tap
    time_buttons = _buttons(times)
    assert len(time_buttons) >= 2, times
    confirm = _chat(branch, "e2e-book", time_buttons[0]["payload"])
    assert "Shall I book Loans and mortgages" in confirm["messages"][-1]["text"]
    # "no, make it <another free time>" — said, not tapped
    other = time_buttons[1]["title"]
    corrected = _chat(branch, "e2e-book", f"no make it {other}")
    assert f"at {other}?" in corrected["messages"][-1]["text"], corrected
    booked = _chat(branch, "e2e-book", "yes")
    appointment = booked["appointment"]
    code = appointment["code"]
    assert " ".join(code) in booked["messages"][0]["text"]  # the code read out one character at a time
    stored = httpx.get(f"{branch.hub_url}/api/v1/appointments/{code}", timeout=10).json()
    assert stored["status"] == "booked" and stored["starts_at"] == appointment["starts_at"]
    assert stored["starts_at"][11:16] == time_buttons[1]["payload"][-7:-2]  # the corrected time, HH:MM

    # Another visit: cancel by code in the same sentence, confirm.
    asked = _chat(branch, "e2e-cancel", f"i need to cancel my appointment {code.lower()}")
    assert "Shall I cancel it?" in asked["messages"][-1]["text"], asked
    done = _chat(branch, "e2e-cancel", "yes")
    assert "is cancelled" in done["messages"][0]["text"]
    stored = httpx.get(f"{branch.hub_url}/api/v1/appointments/{code}", timeout=10).json()
    assert stored["status"] == "cancelled"


def test_check_in_by_conversation_asks_for_the_code(branch: Branch) -> None:
    asked = _chat(branch, "e2e-checkin", "hi i have an appointment")
    assert "booking code" in asked["messages"][-1]["text"]
    wrong = _chat(branch, "e2e-checkin", "my code is zz99zz")
    assert "I can't find a booking with the code Z Z 9 9 Z Z" in wrong["messages"][0]["text"]
    stopped = _chat(branch, "e2e-checkin", "no forget it")
    assert "left it there" in stopped["messages"][0]["text"]


def test_booking_by_touch_at_the_kiosk(qtbot: Any, branch: Branch, tmp_path: Path) -> None:
    """Home → Book an appointment → the assistant's service, day and time buttons → Yes → the appointment card."""
    window, controller = build_window(
        branch.hub_url,
        "Lobby Demo Branch",
        printer=printer_from_uri("none:"),
        speaker=speaker_from_config("none:", tmp_path),
        microphone=microphone_from_config("none:"),
        recognizer=recognizer_from_config(""),
        health_interval_s=1.0,
    )
    qtbot.addWidget(window)
    window.show()

    def tap_reply(pattern: str) -> str:
        """Tap the first button of the assistant's newest message whose title matches `pattern`."""

        def button() -> QPushButton | None:
            bubbles = window.conversation.bubbles()
            if not bubbles or controller.model.busy:
                return None
            return next((b for b in bubbles[-1].buttons() if re.search(pattern, b.text()) and tappable(b)), None)

        try:
            qtbot.waitUntil(lambda: button() is not None, timeout=REPLY_TIMEOUT_MS)
        except WaitTimeout as exc:  # say what the kiosk showed instead
            raise AssertionError(f"no tappable {pattern!r} button; {screen()}") from exc
        chosen = button()
        assert chosen is not None
        title = chosen.text()
        qtbot.mouseClick(chosen, Qt.MouseButton.LeftButton)
        return title

    def screen() -> str:
        """The newest bubbles as (text, [(button, tappable)]), for a failure message."""
        last = window.conversation.bubbles()[-3:]
        shown = [
            (b.findChild(QLabel, "bubbleText").text(), [(x.text(), tappable(x)) for x in b.buttons()]) for b in last
        ]
        return f"busy={controller.model.busy}, newest bubbles: {shown}"

    try:
        qtbot.mouseClick(find(window, QPushButton, "attractStart"), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(find(window, QPushButton, "bookButton"), Qt.MouseButton.LeftButton)
        tap_reply("^Loans and mortgages$")
        tap_reply(".")  # the first free day offered
        tap_reply(r"(am|pm|noon|midnight)$")  # the first free time of that day
        tap_reply("^Yes$")
        card = find(window, QWidget, "appointmentCard")
        qtbot.waitUntil(card.isVisible, timeout=REPLY_TIMEOUT_MS)
        code = find(window, QLabel, "appointmentCode").text()
        stored = httpx.get(f"{branch.hub_url}/api/v1/appointments/{code}", timeout=10).json()
        assert stored["status"] == "booked" and stored["service"] == "loans"
    finally:
        controller.shutdown()
