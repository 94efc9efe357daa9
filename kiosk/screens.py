"""The outcome cards beside (landscape) or above (portrait) the conversation, and reading check-in codes.

The device route (a pictogram of the machine and an arrow that way), the
appointment booked, check-in by code, staff coming; the ticket card is in
`kiosk.widgets`, the attract and home screens in `kiosk.attract` and
`kiosk.home`. Like the other widgets they only draw what they are given and
report taps by signal; every label comes from the language catalog and is
redrawn by `retranslate`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kiosk import icons
from kiosk.buttons import IconButton, Pictogram
from kiosk.i18n import Catalog, appointment_when
from kiosk.widgets import qr_pixmap
from lobby_wire import TICKET_ID, TICKET_NUMBER, RouteView


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
    """The pictogram of an arrow toward the device, from its location hint ("left of the entrance" -> left)."""
    text = location.lower()
    if "left" in text or "左" in text:
        return "arrow-left"
    if "right" in text or "右" in text:
        return "arrow-right"
    return "arrow-up"


def _label(name: str, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


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
    """A device that can do it now: which (its pictogram), where, and an arrow that way."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routeCard")
        layout = QHBoxLayout(self)
        pictures = QVBoxLayout()
        self.icon = Pictogram(icons.device_icon("atm"), object_name="panelIcon")
        self.arrow = Pictogram("arrow-up", object_name="routeArrow")
        pictures.addWidget(self.icon)
        pictures.addWidget(self.arrow)
        text = QVBoxLayout()
        self.caption = _label("routeCaption")
        self.name = _label("routeName")
        self.location = _label("routeLocation")
        self.reason = _label("routeReason")
        for label in (self.caption, self.name, self.location, self.reason):
            text.addWidget(label)
        text.addStretch(1)
        layout.addLayout(pictures)
        layout.addLayout(text, 1)

    def show_route(self, route: RouteView, t: Catalog) -> None:
        self.caption.setText(t.text("route.caption"))
        self.name.setText(route.name)
        self.location.setText(route.location)
        self.reason.setText(route.reason)
        self.reason.setVisible(bool(route.reason))
        self.icon.set_icon(icons.device_icon(route.kind))
        self.arrow.set_icon(arrow_for(route.location))


class AppointmentCard(QFrame):
    """A booking made (or moved) in the conversation: the code large, with a QR code to scan at check-in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("appointmentCard")
        outer = QVBoxLayout(self)
        head = QHBoxLayout()
        self.icon = Pictogram(icons.UI_ICONS["appointment"], object_name="panelIcon")
        self.caption = _label("appointmentCaption")
        head.addWidget(self.icon)
        head.addWidget(self.caption, 1)
        outer.addLayout(head)
        layout = QHBoxLayout()
        text = QVBoxLayout()
        self.service = _label("appointmentService")
        self.when = _label("appointmentWhen")
        self.code_caption = _label("appointmentCodeCaption")
        self.code = _label("appointmentCode", wrap=False)
        self.check_in = _label("appointmentCheckIn")
        for label in (self.service, self.when, self.code_caption, self.code, self.check_in):
            text.addWidget(label)
        text.addStretch(1)
        self.qr = _label("appointmentQr", wrap=False)
        layout.addLayout(text, 1)
        layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(layout, 1)
        self.qr_size = 180

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
            self.qr.setPixmap(qr_pixmap(code, self.qr_size))


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
        head = QHBoxLayout()
        self.icon = Pictogram(icons.UI_ICONS["check_in_panel"], object_name="panelIcon")
        self.caption = _label("checkInCaption")
        head.addWidget(self.icon)
        head.addWidget(self.caption, 1)
        self.hint = _label("checkInHint")
        self.code = QLineEdit()
        self.code.setObjectName("checkInCode")
        self.code.setMaxLength(64)  # a scanned URL is longer than the code
        self.submit = IconButton("circle-check", "checkInSubmit")
        self.submit.setProperty("primary", True)
        self.error = _label("checkInError")
        self.error.hide()
        layout.addLayout(head)
        layout.addWidget(self.hint)
        layout.addWidget(self.code)
        layout.addWidget(self.submit)
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
        self.icon = Pictogram(icons.UI_ICONS["staff_panel"], object_name="panelIcon")
        self.text = _label("staffText")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.icon)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def retranslate(self, t: Catalog) -> None:
        self.text.setText(t.text("staff.coming"))
