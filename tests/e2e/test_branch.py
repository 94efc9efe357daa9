"""End to end: a customer at the kiosk, the real hub, Rasa, the action server, printer and speaker."""

from __future__ import annotations

import os
import wave
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from hardware import microphone_from_config, printer_from_uri, recognizer_from_config, speaker_from_config
from kiosk.app import build_window
from tests.e2e.conftest import Branch

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPLY_TIMEOUT_MS = 60_000


def find(window: QWidget, kind: type[Any], name: str) -> Any:
    found = window.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name}"
    return found


def test_customer_types_lost_card_and_leaves_with_a_printed_ticket(
    qtbot: Any, branch: Branch, tmp_path: Path
) -> None:
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
        card = find(window, QWidget, "ticketCard")
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
        durations = []
        for path in voice_dir.glob("*.wav"):
            with wave.open(str(path)) as audio:
                durations.append(audio.getnframes() / audio.getframerate())
        assert max(durations) > 1.0
    finally:
        controller.shutdown()
        speaker.close()  # type: ignore[attr-defined]


def test_chat_gateway_routes_through_rasa_and_the_actions(branch: Branch) -> None:
    def chat(sender: str, message: str) -> dict[str, Any]:
        body = {"sender": sender, "message": message, "channel": "mobile", "lang": "en"}
        response = httpx.post(f"{branch.hub_url}/api/v1/chat", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    hello = chat("e2e-hello", "hello")
    assert hello["messages"] and not hello.get("degraded") and "ticket" not in hello

    lost = chat("e2e-lost", "i lost my card")
    assert lost["ticket"]["service"] == "cards" and lost["ticket"]["status"] == "waiting"
    assert any(lost["ticket"]["number"][0] + " " in m["text"] for m in lost["messages"])  # "C 4", read aloud

    cash = chat("e2e-cash", "i want to withdraw 100 pounds")
    assert "route" in cash, cash
    assert cash["route"]["kind"] in {"atm", "cash_recycler", "stm"}


@pytest.mark.timeout(60)
def test_chat_degrades_to_touch_when_rasa_is_unreachable(hub_server: str) -> None:
    # hub_server is a separate hub whose Rasa URL points at a closed port.
    body = {"sender": "e2e-down", "message": "i lost my card", "channel": "kiosk", "lang": "en"}
    reply = httpx.post(f"{hub_server}/api/v1/chat", json=body, timeout=30).json()
    assert reply["degraded"] is True and len(reply["messages"][0]["buttons"]) >= 8
