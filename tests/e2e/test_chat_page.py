"""Online to offline: book on the reference chat page (/chat, headless Chromium), check in at the kiosk
(pytest-qt), and the advisor's call-next serves that customer before an earlier walk-in, seeing that it was
booked online and why."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from hardware import microphone_from_config, printer_from_uri, recognizer_from_config, speaker_from_config
from kiosk.app import build_window
from tests.e2e.conftest import Branch
from tests.web.conftest import browser, page  # noqa: F401 (fixtures)

WAIT_MS = 60_000


def test_book_on_chat_then_check_in_at_the_kiosk_and_be_called_first(
    qtbot: Any,
    page: Any,  # noqa: F811 - the fixture imported above
    branch: Branch,
    tmp_path: Path,
) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{branch.hub_url}/chat?token=e2e-customer-0123456789")

    page.get_by_label("Your message").fill("i'd like to book an appointment")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Loans and mortgages").click(timeout=WAIT_MS)
    page.locator(".replies button").filter(has_text=re.compile("Today|Tomorrow|day")).first.click(timeout=WAIT_MS)
    # the first free time: within minutes, so checking in now is on time ("12 midnight" just before 00:00)
    page.locator(".replies button").filter(has_text=re.compile(r"(am|pm|noon|midnight)$")).first.click(timeout=WAIT_MS)
    page.get_by_role("button", name="Yes").last.click(timeout=WAIT_MS)

    card = page.locator("section.appointment")
    expect(card).to_be_visible(timeout=WAIT_MS)
    code = card.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    qr = card.locator("img")
    expect(qr).to_have_attribute("alt", re.compile(code))
    expect(qr).to_have_js_property("complete", True, timeout=10_000)  # loaded (or failed): no race
    assert qr.evaluate("(img) => img.naturalWidth") > 0  # the QR drew, not a broken image
    ics = httpx.get(f"{branch.hub_url}/api/v1/appointments/{code}/calendar.ics", timeout=10)
    assert ics.status_code == 200 and f"Booking code {code}" in ics.text
    assert not [url for url in failed if not url.startswith(branch.hub_url)], failed

    walk_in = httpx.post(f"{branch.hub_url}/api/v1/tickets", json={"service": "loans"}, timeout=10).json()

    # At the branch: the kiosk checks the customer in with the code (typed here; scanned in life).
    window, controller = build_window(
        branch.hub_url,
        "Lobby Demo Branch",
        printer_from_uri(f"file://{tmp_path / 'printer.bin'}"),
        speaker_from_config("none:", tmp_path),
        microphone_from_config("none:"),
        recognizer_from_config(""),
        health_interval_s=1.0,
    )
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.findChild(QPushButton, "checkInButton") is not None, timeout=10_000)
        qtbot.mouseClick(window.findChild(QPushButton, "checkInButton"), Qt.MouseButton.LeftButton)
        qtbot.keyClicks(window.findChild(QLineEdit, "checkInCode"), code)
        qtbot.mouseClick(window.findChild(QPushButton, "checkInSubmit"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.findChild(QWidget, "ticketCard").isVisible(), timeout=10_000)
        number = window.findChild(QLabel, "ticketNumber").text()
    finally:
        controller.shutdown()

    staff = {"Authorization": f"Bearer {branch.staff_token}"}
    called = httpx.post(f"{branch.hub_url}/api/v1/counters/c3/call-next", headers=staff, timeout=10).json()
    assert called["number"] == number != walk_in["number"]
    assert called["priority"] == "appointment"
    # One authentication, served everywhere: the advisor sees it was booked online, and why.
    desks = httpx.get(f"{branch.hub_url}/api/v1/console/counters", headers=staff, timeout=10).json()
    at_desk = next(desk["ticket"] for desk in desks["counters"] if desk["id"] == "c3")
    assert at_desk["intent"] == "apply_loan"  # the service button the customer tapped (/apply_loan)
    assert at_desk["appointment"] == {
        **at_desk["appointment"],
        "code": code, "online": True, "channel": "mobile", "intent": "apply_loan",
        "notes": "i'd like to book an appointment",
    }  # fmt: skip
