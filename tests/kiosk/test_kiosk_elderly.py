"""Elderly-friendly mode, the attract screen's waits, pictograms, layout choice and the arrival's busy state.

Against the fake hub over real HTTP, with the fake hardware; speech is slowed by the real sox.
"""

from __future__ import annotations

import wave
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk import icons
from kiosk.app import KioskLook
from kiosk.i18n import catalog
from kiosk.layout import LAYOUTS, Orientation, choose_layout, layout_named
from kiosk.viewmodel import Screen
from tests.kiosk.conftest import WAIT_MS, Start, widget

EN, ZH = catalog("en"), catalog("zh")
QUEUE = {
    "services": [
        {
            "service": "cash",
            "name": "Cash and cheques",
            "waiting": 3,
            "longest_wait_minutes": 4,
            "eta_minutes": [5, 10],
        },
        {"service": "cards", "name": "Cards and PIN", "waiting": 0, "longest_wait_minutes": 0, "eta_minutes": None},
    ],
    "counters": [],
    "at": "2026-12-05T10:00:00+00:00",
}


def click(qtbot: Any, window: QWidget, name: str) -> None:
    qtbot.mouseClick(widget(window, QPushButton, name), Qt.MouseButton.LeftButton)


def test_a_qr_or_number_arrival_shows_busy_until_the_hub_answers(
    qtbot: Any, hub: Any, kiosk: Any, ticket_json: Any
) -> None:
    """Issue 14: "arrival" was missing from the customer tasks, so a second tap could go through meanwhile."""
    hub.answer("POST", "/api/v1/tickets/C004/arrive", 200, ticket_json(number="C004"))
    hub.delay_s = 0.6
    click(qtbot, kiosk, "checkInButton")
    qtbot.keyClicks(widget(kiosk, QWidget, "checkInCode"), "C004")
    click(qtbot, kiosk, "checkInSubmit")
    assert kiosk.model.busy  # at once, before the hub answers
    assert not widget(kiosk, QPushButton, "sendButton").isEnabled()
    qtbot.waitUntil(lambda: widget(kiosk, QLabel, "ticketNumber").text() == "C004", timeout=WAIT_MS)
    assert not kiosk.model.busy


def test_the_elderly_toggle_and_talk_to_someone_are_on_every_screen(qtbot: Any, hub: Any, start_kiosk: Start) -> None:
    window, _controller = start_kiosk(hub.url)
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cash") is not None, timeout=WAIT_MS)
    for screen in (Screen.ATTRACT, Screen.HOME, Screen.CONVERSATION):
        window.model.set_screen(screen)
        assert widget(window, QPushButton, "largeTextButton").isVisible(), screen
        assert widget(window, QPushButton, "staffButton").isVisible(), screen
    assert widget(window, QPushButton, "largeTextButton").text() == EN.text("a11y.elderly")


def test_elderly_mode_pages_four_tiles_and_offers_booking_as_tiles(qtbot: Any, kiosk: Any) -> None:
    def shown_tiles() -> list[str]:
        return [t.objectName() for t in kiosk.tiles.visible_tiles() if t.isVisible()]

    assert len(shown_tiles()) == 7 and not widget(kiosk, QPushButton, "moreTiles").isVisible()  # 1280x800: 3x3
    click(qtbot, kiosk, "largeTextButton")
    assert kiosk.model.elderly and len(shown_tiles()) == 4
    assert not widget(kiosk, QPushButton, "bookButton").isVisible()  # booking and check-in are tiles now
    seen = []
    for _page in range(kiosk.tiles.pages):
        seen += shown_tiles()
        click(qtbot, kiosk, "moreTiles")
    assert "bookTile" in seen and "checkInTile" in seen and len(seen) == 9
    assert not widget(kiosk, QWidget, "inputBar").isVisible()  # voice and touch: no typing in elderly mode


def test_elderly_mode_speaks_slower_speaks_every_notice_and_waits_longer(
    qtbot: Any, hub: Any, devices: Any, start_kiosk: Start
) -> None:
    window, controller = start_kiosk(hub.url, idle_timeout_s=20, look=KioskLook(elderly=True, elderly_speech_tempo=0.8))
    assert window.model.elderly  # the configured default
    qtbot.waitUntil(lambda: window.findChild(QPushButton, "tile_cash") is not None, timeout=WAIT_MS)
    click(qtbot, window, "attractStart")
    assert controller.idle_timer.interval() == 180_000  # not the 20 s of the normal mode

    hub.answer("POST", "/api/v1/chat", 500, {"error": {"code": "internal", "message": "boom"}})
    controller.send_text("hello")
    failed = EN.text("notice.hub_failed")
    qtbot.waitUntil(lambda: any(u.text == failed for u in devices.speaker.played), timeout=WAIT_MS)
    played = next(u for u in devices.speaker.played if u.text == failed)
    assert ".tempo80" in played.wav_path.name
    with wave.open(str(played.wav_path)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    assert seconds == pytest.approx(devices.speaker.duration_seconds / 0.8, rel=0.05)  # slower, by sox

    window.model.set_theme(large_text=False)
    controller.send_text("again")
    qtbot.waitUntil(lambda: len([m for m in window.model.lines if m.role == "system"]) == 2, timeout=WAIT_MS)
    qtbot.wait(300)
    assert sum(u.text == EN.text("notice.hub_failed") for u in devices.speaker.played) == 1  # normal: shown only

    controller.reset_conversation()  # the next customer gets the configured default again
    assert window.model.elderly


def test_the_attract_screen_shows_the_waits_in_both_languages(qtbot: Any, hub: Any, start_kiosk: Start) -> None:
    hub.answer("GET", "/api/v1/queue", 200, QUEUE)
    window, _controller = start_kiosk(hub.url)
    qtbot.waitUntil(lambda: bool(window.model.waits.get("zh")), timeout=WAIT_MS)
    assert {r.query["lang"][0] for r in hub.to("/api/v1/queue")} == {"en", "zh"}
    texts = lambda: [label.text() for label in window.attract.findChildren(QLabel) if label.isVisible()]  # noqa: E731
    qtbot.waitUntil(lambda: "Cash and cheques" in texts(), timeout=WAIT_MS)
    assert "3 waiting \u00b7 about 5\u201310 min" in texts() and EN.text("attract.no_wait") in texts()
    assert EN.text("attract.prompt") in texts()
    window.attract.alternate()  # the next language, as the timer does every few seconds
    assert ZH.text("attract.prompt") in texts() and ZH.text("attract.no_wait") in texts()
    assert widget(window, QLabel, "attractWelcome").text() == ZH.text("attract.welcome", branch="Test Branch")
    window.attract.alternate()
    assert EN.text("attract.prompt") in texts()


def test_tiles_and_outcome_panels_carry_pictograms_from_the_icon_font(qtbot: Any, kiosk: Any) -> None:
    tiles = kiosk.tiles.tiles()
    assert tiles["cash"].pictogram.icon_name == "money-bill-wave"
    assert tiles["cards"].pictogram.icon_name == "credit-card"
    metrics = QFontMetrics(tiles["cash"].pictogram.font())
    for tile in tiles.values():  # a real glyph of the Font Awesome font qtawesome ships, not a box
        glyph = tile.pictogram.text()
        assert glyph and metrics.inFontUcs4(ord(glyph)), tile.objectName()
    assert tiles["cash"].pictogram.font().family() == icons.font_family() == "Font Awesome 6 Free Solid"
    for card in (kiosk.ticket_card, kiosk.route_card, kiosk.appointment_card, kiosk.check_in_card, kiosk.staff_card):
        assert card.icon.text(), card.objectName()
    assert "OFL" in icons.LICENCE


def test_the_layout_follows_the_screen_or_the_configuration() -> None:
    assert choose_layout((1080, 1920)).name == "1080x1920"
    assert choose_layout((1366, 768)).name == "1280x800" and choose_layout((1366, 768)).size == (1366, 768)
    assert choose_layout((1920, 1200)).name == "1920x1080"
    assert choose_layout((768, 1366)).orientation is Orientation.PORTRAIT
    forced = choose_layout((1920, 1080), resolution="1280x800")
    assert forced.name == "1280x800" and forced.size == (1280, 800)
    assert choose_layout((1280, 800), resolution="1920x1080").size == (1280, 800)  # never past the screen
    assert choose_layout((1080, 1920), orientation="landscape").landscape
    assert layout_named("800x1280").page_size(elderly=True) <= 4
    assert all(layout.page_size(elderly=True) <= 4 for layout in LAYOUTS)  # + "Just ask" + "More" <= 6
    with pytest.raises(ValueError):
        layout_named("1024x768")
