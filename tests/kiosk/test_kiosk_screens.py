"""The kiosk's screens, offscreen: attract, home, check-in, staff, appointments, language and look.

Most run against the fake hub over real HTTP (exact answers on demand); the
last ones run against a real hub process.
"""

from __future__ import annotations

from typing import Any

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from kiosk.i18n import catalog
from kiosk.views import KioskWindow
from tests.kiosk.conftest import WAIT_MS, Start, bubble_texts, widget

EN = catalog("en")
ZH = catalog("zh")
CHECK_IN = "/api/v1/appointments/K7P2QX/check-in"


def click(qtbot: Any, window: QWidget, name: str) -> None:
    qtbot.mouseClick(widget(window, QPushButton, name), Qt.MouseButton.LeftButton)


def test_attract_wakes_to_home_with_tiles_and_voice_hidden(qtbot: Any, hub: Any, start_kiosk: Start) -> None:
    window, _controller = start_kiosk(hub.url)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cash") is not None, timeout=WAIT_MS)
    assert widget(window, QWidget, "attractScreen").isVisible()
    assert widget(window, QLabel, "attractWelcome").text() == EN.text("attract.welcome", branch="Test Branch")
    assert not widget(window, QWidget, "inputBar").isVisible()  # nothing but the invitation

    click(qtbot, window, "attractStart")

    assert widget(window, QWidget, "homeScreen").isVisible()
    tiles = [b for b in window.findChildren(QPushButton) if b.objectName().startswith("tile_") and b.isVisible()]
    assert len(tiles) >= 7 and all(tile.height() >= 64 for tile in tiles)
    # no Vosk model in this fixture: the big microphone and the push-to-talk button are hidden, touch stays
    qtbot.waitUntil(lambda: "Voice input off" in widget(window, QLabel, "statusLine").text(), timeout=WAIT_MS)
    assert not widget(window, QPushButton, "bigMicButton").isVisible()
    assert not widget(window, QPushButton, "micButton").isVisible()
    assert widget(window, QLineEdit, "messageInput").isVisible()


def test_idle_goes_back_to_attract_and_forgets_everything(qtbot: Any, hub: Any, start_kiosk: Start) -> None:
    window, controller = start_kiosk(hub.url, idle_timeout_s=0.5)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cash") is not None, timeout=WAIT_MS)
    click(qtbot, window, "attractStart")
    click(qtbot, window, "checkInButton")
    qtbot.keyClicks(widget(window, QLineEdit, "checkInCode"), "K7P2")
    assert widget(window, QWidget, "checkInCard").isVisible()

    qtbot.waitUntil(lambda: widget(window, QWidget, "attractScreen").isVisible(), timeout=WAIT_MS)
    assert widget(window, QLineEdit, "checkInCode").text() == ""
    assert bubble_texts(window) == [] and controller.model.is_empty


def test_check_in_by_typed_code_shows_and_prints_the_priority_ticket(
    qtbot: Any, hub: Any, devices: Any, kiosk: KioskWindow, ticket_json: Any
) -> None:
    ticket = ticket_json(number="L003", service="loans", position=1, priority="appointment")
    check_in = {"code": "K7P2QX", "arrival": "on_time", "message": "You are checked in for your 15:00 appointment."}
    hub.answer("POST", CHECK_IN, 201, {**ticket, "check_in": check_in})

    click(qtbot, kiosk, "checkInButton")
    assert widget(kiosk, QWidget, "checkInCard").isVisible()
    qtbot.keyClicks(widget(kiosk, QLineEdit, "checkInCode"), "k7p2qx")
    click(qtbot, kiosk, "checkInSubmit")

    qtbot.waitUntil(lambda: widget(kiosk, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
    assert widget(kiosk, QLabel, "ticketNumber").text() == "L003"
    [request] = hub.to(CHECK_IN)
    assert request.body == {"channel": "kiosk", "lang": "en"}
    qtbot.waitUntil(lambda: len(devices.printer.jobs) == 1, timeout=WAIT_MS)
    assert any(text.startswith("You are checked in for your 15:00 appointment.") for text in bubble_texts(kiosk))


def test_check_in_with_a_wrong_code_says_so_and_stays(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    click(qtbot, kiosk, "checkInButton")
    qtbot.keyClicks(widget(kiosk, QLineEdit, "checkInCode"), "hello")
    click(qtbot, kiosk, "checkInSubmit")
    assert widget(kiosk, QLabel, "checkInError").text() == EN.text("checkin.bad_code")
    assert hub.to(CHECK_IN) == []

    hub.answer("POST", CHECK_IN, 404, {"error": {"code": "appointment_not_found", "message": "no appointment"}})
    code_field = widget(kiosk, QLineEdit, "checkInCode")
    code_field.clear()
    qtbot.keyClicks(code_field, "K7P2QX")
    click(qtbot, kiosk, "checkInSubmit")
    qtbot.waitUntil(
        lambda: widget(kiosk, QLabel, "checkInError").text() == EN.text("checkin.not_found"), timeout=WAIT_MS
    )
    assert widget(kiosk, QWidget, "checkInCard").isVisible()


def test_a_kiosk_without_its_token_asks_for_the_qr_code_instead_of_a_number(
    qtbot: Any, hub: Any, kiosk: KioskWindow
) -> None:
    refusal = {"error": {"code": "unauthorized", "message": "this endpoint needs a staff token"}}
    hub.answer("POST", "/api/v1/tickets/C004/arrive", 401, refusal)
    click(qtbot, kiosk, "checkInButton")
    qtbot.keyClicks(widget(kiosk, QLineEdit, "checkInCode"), "c004")
    click(qtbot, kiosk, "checkInSubmit")
    qtbot.waitUntil(
        lambda: widget(kiosk, QLabel, "checkInError").text() == EN.text("checkin.scan_instead"), timeout=WAIT_MS
    )
    assert len(hub.to("/api/v1/tickets/C004/arrive")) == 1


def test_a_scanned_qr_code_checks_in(qtbot: Any, hub: Any, kiosk: KioskWindow, ticket_json: Any) -> None:
    """A keyboard-wedge scanner types the QR content and Enter while no field has focus."""
    hub.answer("POST", CHECK_IN, 201, {**ticket_json(number="L004"), "check_in": {"message": ""}})
    kiosk.setFocus()
    qtbot.keyClicks(kiosk, "https://bank.example/a/K7P2QX")
    qtbot.keyClick(kiosk, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: len(hub.to(CHECK_IN)) == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: widget(kiosk, QLabel, "ticketNumber").text() == "L004", timeout=WAIT_MS)


def test_talk_to_someone_alerts_staff_and_says_help_is_coming(
    qtbot: Any, hub: Any, devices: Any, kiosk: KioskWindow
) -> None:
    hub.answer("POST", "/api/v1/staff-alerts", 202, {"status": "alerted"})
    click(qtbot, kiosk, "staffButton")

    qtbot.waitUntil(lambda: widget(kiosk, QWidget, "staffCard").isVisible(), timeout=WAIT_MS)
    [alert] = hub.to("/api/v1/staff-alerts")
    assert alert.body["channel"] == "kiosk" and alert.body["sender"]
    assert widget(kiosk, QLabel, "staffText").text() == EN.text("staff.coming")
    qtbot.waitUntil(lambda: (EN.text("staff.coming"), "en") in devices.speaker.rendered, timeout=WAIT_MS)


def test_a_booking_in_the_chat_shows_the_appointment_card(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    appointment = {
        "code": "K7P2QX",
        "service": "loans",
        "service_name": "Loans and mortgages",
        "starts_at": "2026-11-30T15:00:00+00:00",
        "status": "booked",
        "check_in_from": "2026-11-30T14:45:00+00:00",
    }
    reply = {"messages": [{"text": "You're booked. Your booking code is K 7 P 2 Q X."}], "appointment": appointment}
    hub.answer("POST", "/api/v1/chat", 200, reply)
    qtbot.keyClicks(widget(kiosk, QLineEdit, "messageInput"), "yes")
    click(qtbot, kiosk, "sendButton")

    qtbot.waitUntil(lambda: widget(kiosk, QWidget, "appointmentCard").isVisible(), timeout=WAIT_MS)
    assert widget(kiosk, QLabel, "appointmentCode").text() == "K7P2QX"
    assert widget(kiosk, QLabel, "appointmentCheckIn").text() == EN.text("appointment.check_in_from", time="14:45")
    assert not widget(kiosk, QLabel, "appointmentQr").pixmap().isNull()  # to scan at check-in


def test_language_switch_changes_text_voice_and_dialogue_language(
    qtbot: Any, hub: Any, devices: Any, kiosk: KioskWindow
) -> None:
    assert widget(kiosk, QPushButton, "langButton").text() == "中文"
    click(qtbot, kiosk, "langButton")

    assert widget(kiosk, QLabel, "homeQuestion").text() == ZH.text("home.question")
    assert widget(kiosk, QPushButton, "langButton").text() == "English"
    qtbot.waitUntil(lambda: any(r.query.get("lang") == ["zh"] for r in hub.to("/api/v1/services")), timeout=WAIT_MS)
    widget(kiosk, QLineEdit, "messageInput").setText("我的卡丢了")  # QTest cannot type CJK key events
    click(qtbot, kiosk, "sendButton")
    qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 1, timeout=WAIT_MS)
    assert hub.to("/api/v1/chat")[0].body["lang"] == "zh"
    qtbot.waitUntil(lambda: any(lang == "zh" for _text, lang in devices.speaker.rendered), timeout=WAIT_MS)


def test_large_text_and_high_contrast_restyle_the_window(qtbot: Any, kiosk: KioskWindow) -> None:
    number = widget(kiosk, QLabel, "homeQuestion")
    normal_sheet, normal_size = kiosk.styleSheet(), number.fontInfo().pixelSize()
    click(qtbot, kiosk, "largeTextButton")
    assert kiosk.model.large_text and kiosk.styleSheet() != normal_sheet
    number.ensurePolished()
    assert number.fontInfo().pixelSize() >= normal_size * 1.3
    click(qtbot, kiosk, "highContrastButton")
    assert kiosk.model.high_contrast and "#000000" in kiosk.styleSheet().lower()


def test_printer_failure_alerts_staff_and_keeps_the_ticket_on_screen(
    qtbot: Any, hub: Any, devices: Any, kiosk: KioskWindow
) -> None:
    hub.answer("POST", "/api/v1/staff-alerts", 202, {"status": "alerted"})
    devices.printer.fail("paper_out", "out of paper")
    click(qtbot, kiosk, "tile_cash")

    qtbot.waitUntil(lambda: len(hub.to("/api/v1/staff-alerts")) == 1, timeout=WAIT_MS)
    assert "out of paper" in hub.to("/api/v1/staff-alerts")[0].body["reason"]
    assert widget(kiosk, QWidget, "ticketCard").isVisible()
    assert not widget(kiosk, QLabel, "ticketQr").pixmap().isNull()


# -- against a real hub process ------------------------------------------------------------------


def test_real_hub_tile_ticket_staff_alert_and_an_early_check_in(
    qtbot: Any, hub_server: str, start_kiosk: Start
) -> None:
    window, _controller = start_kiosk(hub_server)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cards") is not None, timeout=WAIT_MS * 2)
    click(qtbot, window, "attractStart")

    click(qtbot, window, "tile_cards")  # a tap is consent: the hub issues the ticket at once
    qtbot.waitUntil(lambda: widget(window, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
    number = widget(window, QLabel, "ticketNumber").text()
    queue = httpx.get(f"{hub_server}/api/v1/queue", timeout=5).json()
    assert number.startswith("C") and next(s for s in queue["services"] if s["service"] == "cards")["waiting"] == 1

    click(qtbot, window, "staffButton")
    qtbot.waitUntil(lambda: widget(window, QWidget, "staffCard").isVisible(), timeout=WAIT_MS)

    # Book the first free slot from the day after tomorrow on, then check in now: the hub says it is too
    # early. (Not tomorrow: this hub is always open, and near midnight tomorrow's 00:00 slot is in the
    # check-in window.)
    slot = None
    branch = httpx.get(f"{hub_server}/api/v1/branch", timeout=5).json()
    from datetime import date, timedelta

    today = date.fromisoformat(branch["now"][:10])
    for offset in range(2, 16):
        day = (today + timedelta(days=offset)).isoformat()
        slots = httpx.get(f"{hub_server}/api/v1/appointments/slots", params={"service": "loans", "date": day}).json()
        slot = next((s for s in slots["slots"] if s["free"]), None)
        if slot:
            break
    assert slot is not None
    booked = httpx.post(f"{hub_server}/api/v1/appointments", json={"service": "loans", "starts_at": slot["starts_at"]})
    code = booked.json()["code"]
    click(qtbot, window, "checkInButton")
    qtbot.keyClicks(widget(window, QLineEdit, "checkInCode"), code.lower())
    click(qtbot, window, "checkInSubmit")
    qtbot.waitUntil(lambda: "opens at" in widget(window, QLabel, "checkInError").text(), timeout=WAIT_MS)


def test_dialogue_down_keeps_tiles_working_under_a_banner(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    hub.answer("GET", "/healthz", 200, {"status": "ok", "dialogue": "down"})
    qtbot.waitUntil(lambda: widget(kiosk, QLabel, "hubBanner").isVisible(), timeout=WAIT_MS)
    assert widget(kiosk, QLabel, "hubBanner").text() == EN.text("banner.touch_only")
    click(qtbot, kiosk, "tile_cash")
    qtbot.waitUntil(lambda: widget(kiosk, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)

    hub.answer("GET", "/healthz", 200, {"status": "ok", "dialogue": "up"})  # Rasa is back: the banner goes
    qtbot.waitUntil(lambda: not widget(kiosk, QLabel, "hubBanner").isVisible(), timeout=WAIT_MS)


def test_a_serial_scanner_checks_in(qtbot: Any, hub: Any, devices: Any, ticket_json: Any, tmp_path: Any) -> None:
    """A USB/RS-232 scanner (here pyserial on a pseudo-terminal) reads the QR code on a booking."""
    import os

    from hardware.scanner import SerialScanner
    from kiosk.app import build_window

    hub.answer("POST", CHECK_IN, 201, {**ticket_json(number="L005"), "check_in": {"message": ""}})
    master, slave = os.openpty()
    window, controller = build_window(
        hub.url,
        "Test Branch",
        devices.printer,
        devices.speaker,
        devices.microphone,
        devices.recognizer,
        health_interval_s=0.3,
        scanner=SerialScanner(os.ttyname(slave), timeout_s=0.05),
    )
    qtbot.addWidget(window)
    try:
        os.write(master, b"https://bank.example/a/K7P2QX\r\n")
        qtbot.waitUntil(lambda: len(hub.to(CHECK_IN)) == 1, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: widget(window, QLabel, "ticketNumber").text() == "L005", timeout=WAIT_MS)
    finally:
        controller.shutdown()
        os.close(master)
        os.close(slave)


def test_screenshots_of_every_screen(qtbot: Any, tmp_path: Any) -> None:
    from PySide6.QtGui import QImage

    from kiosk.layout import layout_named
    from kiosk.matrix import Mode
    from kiosk.screenshots import take_screenshots
    from lobby_wire import ServiceView

    def services(lang: str) -> list[ServiceView]:
        names = {"en": "Cash and cheques", "zh": "现金与支票"}
        return [ServiceView("cash", names[lang], "A", ("withdraw_cash",))]

    portrait = layout_named("1080x1920")
    written = take_screenshots(tmp_path, "Test Branch", services, (portrait,), (Mode.ELDERLY,))
    sheet, screens = written[0], written[1:]
    assert sheet.name == "kiosk-1080x1920-elderly.png"
    names = [path.name for path in screens]
    assert names[:3] == ["en-01-attract.png", "en-02-home.png", "en-03-ticket.png"]
    assert any(name.startswith("zh-") and name.endswith("-appointment.png") for name in names)
    images = [QImage(str(path)) for path in screens]
    assert all((image.width(), image.height()) == (1080, 1920) for image in images)
    assert len({bytes(image.constBits()) for image in images}) == len(images) >= 16  # all different screens
    assert QImage(str(sheet)).width() > 1000


def test_real_hub_on_time_check_in_is_served_before_walk_ins(
    qtbot: Any, start_hub: Any, start_kiosk: Start, tmp_path: Any
) -> None:
    """A branch open around the clock with 5-minute slots, so a slot's check-in window is always open soon."""
    import yaml

    from tests.conftest import ROOT, make_token

    config = yaml.safe_load((ROOT / "branch.yml").read_text())
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    config["branch"]["opening_hours"] = {day: ["00:00", "23:59"] for day in days}
    config["appointments"].update(slot_minutes=5, blackout_dates=[])
    config_path = tmp_path / "branch-24h.yml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True))
    database = f"sqlite:///{tmp_path / 'hub24.db'}"
    hub = start_hub(database, config=config_path)

    branch = httpx.get(f"{hub}/api/v1/branch", timeout=5).json()
    from datetime import date, timedelta

    today = date.fromisoformat(branch["now"][:10])
    free = []
    for day in (today, today + timedelta(days=1)):
        slots = httpx.get(f"{hub}/api/v1/appointments/slots", params={"service": "loans", "date": day.isoformat()})
        free += [s for s in slots.json()["slots"] if s["free"]]
    booked = httpx.post(f"{hub}/api/v1/appointments", json={"service": "loans", "starts_at": free[0]["starts_at"]})
    assert booked.status_code == 201, booked.text
    code = booked.json()["code"]
    walk_in = httpx.post(f"{hub}/api/v1/tickets", json={"service": "loans", "channel": "kiosk"}).json()

    window, _controller = start_kiosk(hub)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_loans") is not None, timeout=WAIT_MS * 2)
    click(qtbot, window, "attractStart")
    click(qtbot, window, "checkInButton")
    qtbot.keyClicks(widget(window, QLineEdit, "checkInCode"), code)
    click(qtbot, window, "checkInSubmit")
    qtbot.waitUntil(lambda: widget(window, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
    number = widget(window, QLabel, "ticketNumber").text()
    assert number != walk_in["number"] and number.startswith("L")

    # The advisor desk calls next: the checked-in appointment goes before the earlier walk-in.
    staff = {"Authorization": f"Bearer {make_token(database, 'teller')}"}
    httpx.post(f"{hub}/api/v1/counters/c3/open", headers=staff, timeout=5)
    called = httpx.post(f"{hub}/api/v1/counters/c3/call-next", headers=staff, timeout=5).json()
    assert called["number"] == number and called["priority"] == "appointment"


def test_booking_by_touch_starts_the_booking_conversation(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    reply = {
        "messages": [
            {
                "text": "Which day would suit you?",
                "buttons": [{"title": "Tomorrow", "payload": '/inform{"date":"2026-11-30"}'}],
            }
        ]
    }
    hub.answer("POST", "/api/v1/chat", 200, reply)
    click(qtbot, kiosk, "bookButton")
    qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 1, timeout=WAIT_MS)
    assert hub.to("/api/v1/chat")[0].body["message"] == "/book_appointment"
    assert bubble_texts(kiosk)[0] == EN.text("home.book")
    qtbot.waitUntil(lambda: kiosk.findChild(QPushButton, "quickReply") is not None, timeout=WAIT_MS)
    click(qtbot, kiosk, "quickReply")  # the day, by touch
    qtbot.waitUntil(lambda: len(hub.to("/api/v1/chat")) == 2, timeout=WAIT_MS)
    assert hub.to("/api/v1/chat")[1].body["message"] == '/inform{"date":"2026-11-30"}'


def test_the_customer_rates_the_visit_from_the_ticket(qtbot: Any, hub: Any, kiosk: KioskWindow) -> None:
    hub.answer("POST", "/api/v1/ratings", 201, {"id": 1, "score": 5})
    click(qtbot, kiosk, "tile_cash")
    qtbot.waitUntil(lambda: widget(kiosk, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
    assert widget(kiosk, QLabel, "ratingQuestion").text() == EN.text("rating.question")
    click(qtbot, kiosk, "rate_5")
    qtbot.waitUntil(lambda: len(hub.to("/api/v1/ratings")) == 1, timeout=WAIT_MS)
    assert hub.to("/api/v1/ratings")[0].body == {"ticket_id": "t-A023", "score": 5, "channel": "kiosk"}
    assert widget(kiosk, QLabel, "ratingThanks").isVisible()
    assert not widget(kiosk, QWidget, "ratingRow").isVisible()  # once per ticket


def test_booking_codes_typed_or_scanned() -> None:
    from kiosk.screens import booking_code

    assert booking_code("k7p2qx") == booking_code(" K7P2-QX ") == "K7P2QX"
    assert booking_code("PNZFCQ") == "PNZFCQ"  # an older all-letter code, typed whole
    assert booking_code("https://bank.example/a/K7P2QX") == "K7P2QX"
    assert booking_code("https://bank.example/a/k7p2qx/?utm=app") == "K7P2QX"
    assert booking_code("hello") is None and booking_code("my code please") is None
    assert booking_code("https://bank.example/appointments") is None


def test_check_in_references_typed_or_scanned() -> None:
    from kiosk.screens import check_in_reference, is_ticket_reference

    ticket_id = "0123456789abcdef0123456789abcdef"
    assert check_in_reference(f"http://127.0.0.1:8000/t/{ticket_id}") == ticket_id  # the QR code on the phone
    assert check_in_reference(" c004 ") == check_in_reference("C-004") == "C004"
    assert check_in_reference("k7p2qx") == "K7P2QX"  # a booking code stays a booking code
    assert check_in_reference("C04") is None and check_in_reference("hello there") is None
    assert is_ticket_reference(ticket_id) and is_ticket_reference("C004") and is_ticket_reference("A1000")
    assert not is_ticket_reference("K7P2QX")


def test_real_hub_a_customer_who_joined_in_the_app_checks_in_by_qr_or_number(
    qtbot: Any, hub_server: str, start_kiosk: Start, tmp_path: Any
) -> None:
    """The app's ticket waits "on the way" (not called) until the kiosk scans its QR code or takes its number
    (numbers only with the kiosk's device token: they are guessable)."""
    from tests.conftest import make_token

    remote = {"service": "cards", "channel": "mobile", "remote": True}
    scanned = httpx.post(f"{hub_server}/api/v1/tickets", json=remote, timeout=5).json()
    typed = httpx.post(f"{hub_server}/api/v1/tickets", json=remote, timeout=5).json()
    assert scanned["arrive_by"] and typed["arrive_by"]
    refused = httpx.post(f"{hub_server}/api/v1/tickets/{typed['number']}/arrive", timeout=5)
    assert refused.status_code == 401  # a number from outside the branch
    device_token = make_token(f"sqlite:///{tmp_path / 'hub.db'}", "device")
    window, _controller = start_kiosk(hub_server, hub_token=device_token)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cards") is not None, timeout=WAIT_MS * 2)
    click(qtbot, window, "attractStart")

    window.scanner.scanned.emit(scanned["track_url"])  # the phone's QR code under the kiosk's scanner
    qtbot.waitUntil(lambda: widget(window, QWidget, "ticketCard").isVisible(), timeout=WAIT_MS)
    assert widget(window, QLabel, "ticketNumber").text() == scanned["number"]
    qtbot.waitUntil(lambda: any(EN.text("checkin.arrived") in t for t in bubble_texts(window)), timeout=WAIT_MS)
    assert httpx.get(f"{hub_server}/api/v1/tickets/{scanned['id']}", timeout=5).json()["arrive_by"] is None
    assert httpx.get(f"{hub_server}/api/v1/tickets/{typed['id']}", timeout=5).json()["arrive_by"] is not None

    click(qtbot, window, "checkInButton")
    qtbot.keyClicks(widget(window, QLineEdit, "checkInCode"), "Z999")
    click(qtbot, window, "checkInSubmit")
    qtbot.waitUntil(lambda: widget(window, QLabel, "checkInError").text() == EN.text("checkin.ticket_not_found"),
                    timeout=WAIT_MS)  # fmt: skip
    widget(window, QLineEdit, "checkInCode").clear()
    qtbot.keyClicks(widget(window, QLineEdit, "checkInCode"), typed["number"].lower())
    click(qtbot, window, "checkInSubmit")
    qtbot.waitUntil(lambda: widget(window, QLabel, "ticketNumber").text() == typed["number"], timeout=WAIT_MS)
    assert httpx.get(f"{hub_server}/api/v1/tickets/{typed['id']}", timeout=5).json()["arrive_by"] is None
