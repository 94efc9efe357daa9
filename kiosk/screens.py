"""The kiosk's screens and outcome cards beyond the conversation itself.

Attract (idle) -> home (service tiles, a big "just ask" microphone, check-in,
a person) -> conversation (bubbles) with an outcome card beside it: the
ticket, the device route with an arrow, the appointment booked, check-in by
code, staff coming. Like the other widgets they only draw what they are given
and report taps by signal; every label comes from the language catalog and is
redrawn by `retranslate`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from assistant.protocol import TICKET_ID, TICKET_NUMBER, RouteView
from kiosk.i18n import Catalog, appointment_when
from kiosk.widgets import ServiceGrid, qr_pixmap, touch_button


def _typed(text: str) -> str:
    """What was typed, without the spaces and dashes people put in codes."""
    return re.sub(r"[\s-]", "", text)


def _last_segment(text: str) -> str:
    """A scanned URL's last path segment (the whole text when it is no URL)."""
    return text.strip().split("?")[0].rstrip("/").rsplit("/", 1)[-1]


def booking_code(text: str) -> str | None:
    """The booking code in what was typed or scanned: "k7p2qx", "K7P2 QX", or a URL ending in it."""
    whole = _typed(text)
    if re.fullmatch(r"[A-Za-z0-9]{6}", whole):  # typed: the whole entry, whatever its letters
        return whole.upper()
    last = _last_segment(text)
    if "/" in text and re.fullmatch(r"[A-Za-z0-9]{6}", last):
        return last.upper()
    return None


def check_in_reference(text: str) -> str | None:
    """What a customer checks in with, typed or scanned: a booking code ("K7P2QX"), or for a ticket taken
    in the bank's app its tracking URL (".../t/<id>", the QR code on their phone) or its number ("C004")."""
    code = booking_code(text)
    if code is not None:
        return code
    last = _last_segment(text)
    if TICKET_ID.fullmatch(last):
        return last
    typed = _typed(text)
    return typed.upper() if TICKET_NUMBER.fullmatch(typed) else None


def is_ticket_reference(reference: str) -> bool:
    return bool(TICKET_ID.fullmatch(reference) or (len(reference) != 6 and TICKET_NUMBER.fullmatch(reference)))


def arrow_for(location: str) -> str:
    """A big arrow toward the device, from its location hint ("left of the entrance" -> ←)."""
    text = location.lower()
    if "left" in text:
        return "\u2b05"
    if "right" in text:
        return "\u27a1"
    if "outside" in text or "entrance" in text:
        return "\u2b06"
    return "\u2b06"


def _label(name: str, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class AttractScreen(QFrame):
    """Shown while nobody is using the kiosk: any touch wakes it."""

    woken = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attractScreen")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.welcome = _label("attractWelcome")
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = _label("attractHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start = touch_button("", "attractStart")
        layout.addWidget(self.welcome)
        layout.addWidget(self.hint)
        layout.addWidget(self.start, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        self.start.clicked.connect(self.woken.emit)

    def retranslate(self, t: Catalog, branch_name: str) -> None:
        self.welcome.setText(t.text("attract.welcome", branch=branch_name))
        self.hint.setText(t.text("attract.prompt"))
        self.start.setText(t.text("attract.start"))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.woken.emit()
        super().mousePressEvent(event)


class HomeScreen(QFrame):
    """What can we help you with: a big microphone, the service tiles, check-in and a person."""

    mic_clicked = Signal()
    book_clicked = Signal()
    check_in_clicked = Signal()
    staff_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("homeScreen")
        layout = QVBoxLayout(self)
        self.question = _label("homeQuestion")
        self.big_mic = touch_button("", "bigMicButton")
        self.mic_hint = _label("bigMicHint")
        self.tiles = ServiceGrid()
        self.book = touch_button("", "bookButton")
        self.check_in = touch_button("", "checkInButton")
        self.staff = touch_button("", "staffButton")
        top = QHBoxLayout()
        top.addWidget(self.question, 1)
        mic = QVBoxLayout()
        mic.addWidget(self.big_mic)
        mic.addWidget(self.mic_hint)
        top.addLayout(mic)
        extra = QHBoxLayout()
        extra.addWidget(self.book)
        extra.addWidget(self.check_in)
        extra.addWidget(self.staff)
        # Large text on a small screen may not fit every tile: they scroll rather than shrink.
        scroll = QScrollArea()
        scroll.setObjectName("tileScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.tiles)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addLayout(extra)
        self.big_mic.clicked.connect(self.mic_clicked.emit)
        self.book.clicked.connect(self.book_clicked.emit)
        self.check_in.clicked.connect(self.check_in_clicked.emit)
        self.staff.clicked.connect(self.staff_clicked.emit)

    def retranslate(self, t: Catalog) -> None:
        self.question.setText(t.text("home.question"))
        self.big_mic.setText(t.text("home.just_ask"))
        self.book.setText(t.text("home.book"))
        self.check_in.setText(t.text("home.check_in"))
        self.staff.setText(t.text("home.staff"))

    def set_voice(self, ready: bool, hint: str) -> None:
        """Voice features hide when there is no microphone or model; touch stays."""
        self.big_mic.setVisible(ready)
        self.mic_hint.setText(hint)
        self.mic_hint.setVisible(ready)


class LevelMeter(QProgressBar):
    """The microphone level while listening (0..100)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("levelMeter")
        self.setRange(0, 100)
        self.setTextVisible(False)
        self.setFixedHeight(14)
        self.setValue(0)

    def set_level(self, level: float) -> None:
        self.setValue(round(max(0.0, min(1.0, level)) * 100))


class RouteScreen(QFrame):
    """A device that can do it now: which, where, and an arrow that way."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routeCard")
        layout = QHBoxLayout(self)
        self.arrow = _label("routeArrow", wrap=False)
        self.arrow.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QVBoxLayout()
        self.caption = _label("routeCaption")
        self.name = _label("routeName")
        self.location = _label("routeLocation")
        self.reason = _label("routeReason")
        for label in (self.caption, self.name, self.location, self.reason):
            text.addWidget(label)
        layout.addWidget(self.arrow)
        layout.addLayout(text, 1)

    def show_route(self, route: RouteView, t: Catalog) -> None:
        self.caption.setText(t.text("route.caption"))
        self.name.setText(route.name)
        self.location.setText(route.location)
        self.reason.setText(route.reason)
        self.reason.setVisible(bool(route.reason))
        self.arrow.setText(arrow_for(route.location))


class AppointmentCard(QFrame):
    """A booking made (or moved) in the conversation: the code large, with a QR code to scan at check-in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("appointmentCard")
        layout = QHBoxLayout(self)
        text = QVBoxLayout()
        self.caption = _label("appointmentCaption")
        self.service = _label("appointmentService")
        self.when = _label("appointmentWhen")
        self.code_caption = _label("appointmentCodeCaption")
        self.code = _label("appointmentCode")
        self.check_in = _label("appointmentCheckIn")
        for label in (self.caption, self.service, self.when, self.code_caption, self.code, self.check_in):
            text.addWidget(label)
        self.qr = _label("appointmentQr", wrap=False)
        layout.addLayout(text, 1)
        layout.addWidget(self.qr)

    def show_appointment(self, appointment: Mapping[str, Any], t: Catalog) -> None:
        status = str(appointment.get("status") or "booked")
        key = "appointment.cancelled" if status == "cancelled" else "appointment.title"
        self.caption.setText(t.text(key))
        self.service.setText(str(appointment.get("service_name") or appointment.get("service") or ""))
        starts = _parse_time(appointment.get("starts_at"))
        self.when.setText(appointment_when(t, starts) if starts else "")
        code = str(appointment.get("code") or "")
        self.code_caption.setText(t.text("appointment.booking_code"))
        self.code.setText(code)
        opens = _parse_time(appointment.get("check_in_from"))
        self.check_in.setText(t.text("appointment.check_in_from", time=opens.strftime("%H:%M")) if opens else "")
        self.check_in.setVisible(status != "cancelled" and opens is not None)
        self.qr.setVisible(status != "cancelled" and bool(code))
        if code and status != "cancelled":
            self.qr.setPixmap(qr_pixmap(code, 180))


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


class CheckInCard(QFrame):
    """Check in: type the booking code or a remote ticket's number (or scan its QR code)."""

    submitted = Signal(str)  # a booking code or a ticket reference (check_in_reference)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkInCard")
        layout = QVBoxLayout(self)
        self.caption = _label("checkInCaption")
        self.hint = _label("checkInHint")
        self.code = QLineEdit()
        self.code.setObjectName("checkInCode")
        self.code.setMaxLength(64)  # a scanned URL is longer than the code
        self.submit = touch_button("", "checkInSubmit")
        self.error = _label("checkInError")
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(self.code, 1)
        row.addWidget(self.submit)
        layout.addWidget(self.caption)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.submit.clicked.connect(self._on_submit)
        self.code.returnPressed.connect(self._on_submit)
        self._t: Catalog | None = None

    def retranslate(self, t: Catalog) -> None:
        self._t = t
        self.caption.setText(t.text("checkin.title"))
        self.hint.setText(t.text("checkin.prompt"))
        self.submit.setText(t.text("checkin.button"))
        self.code.setPlaceholderText("K7P2QX")

    def reset(self) -> None:
        self.code.clear()
        self.error.hide()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _on_submit(self) -> None:
        code = check_in_reference(self.code.text())
        if code is None:
            if self._t is not None:
                self.show_error(self._t.text("checkin.bad_code"))
            return
        self.error.hide()
        self.submitted.emit(code)


class StaffCard(QFrame):
    """Somebody is coming."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffCard")
        layout = QVBoxLayout(self)
        self.text = _label("staffText")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def retranslate(self, t: Catalog) -> None:
        self.text.setText(t.text("staff.coming"))


def accessible_buttons(parent: QWidget | None = None) -> tuple[QPushButton, QPushButton, QPushButton]:
    """(language, large text, high contrast): small but still touch-sized toggles in the top bar."""
    language = touch_button("", "langButton")
    large = touch_button("", "largeTextButton")
    contrast = touch_button("", "highContrastButton")
    for button in (large, contrast):
        button.setCheckable(True)
        button.setProperty("a11y", True)
    return language, large, contrast
