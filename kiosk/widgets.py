"""The kiosk's building blocks: bubbles, cards and service tiles.

Widgets only draw values handed to them and report taps by signal; they hold
no hub client and no hardware.
"""

from __future__ import annotations

import io
import logging

import segno
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from assistant.protocol import Button, ServiceView, TicketView
from kiosk.i18n import Catalog, ahead_text, catalog, eta_text
from kiosk.viewmodel import ChatLine, Role

logger = logging.getLogger(__name__)

TOUCH_HEIGHT = 64  # px: the smallest button a finger hits reliably on a kiosk
TILE_COLUMNS = 3
QUICK_REPLY_COLUMNS = 3
TILE_LINE_CHARS = 14  # longer service names break onto two lines so three tiles fit a row


def qr_pixmap(data: str, size: int = 220) -> QPixmap:
    """A QR code of `data` as a square pixmap about `size` px wide."""
    qr = segno.make(data, error="m")
    width = qr.symbol_size(scale=1, border=4)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, size // width), border=4)
    pixmap = QPixmap()
    if not pixmap.loadFromData(buffer.getvalue(), "PNG"):
        logger.warning("could not render the QR code of %s", data)
    return pixmap


def two_lines(text: str, width: int = TILE_LINE_CHARS) -> str:
    """Break `text` at the space nearest its middle when it is longer than `width`."""
    if len(text) <= width or " " not in text:
        return text
    middle = len(text) // 2
    spaces = [i for i, char in enumerate(text) if char == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def touch_button(text: str, object_name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH_HEIGHT)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if object_name:
        button.setObjectName(object_name)
    return button


class WrappingLabel(QLabel):
    """A word-wrapped label that claims the height its text needs at its width.

    A plain QLabel's size hint guesses a width, so a layout can give it fewer lines than the
    text needs; Chinese, which wraps between any two characters with taller lines, came out
    clipped top and bottom once the conversation filled the screen instead of scrolling.
    """

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height = self.heightForWidth(self.width())
        if height > 0 and height != self.minimumHeight():
            self.setMinimumHeight(height)


class Bubble(QFrame):
    """One conversation line; assistant lines carry their quick replies."""

    button_clicked = Signal(object)  # Button

    def __init__(self, line: ChatLine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = line
        self.setObjectName(f"bubble_{line.role}")
        self.setProperty("role", str(line.role))
        layout = QVBoxLayout(self)
        text = WrappingLabel(line.text)
        text.setObjectName("bubbleText")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(text)
        if line.buttons:
            grid = QGridLayout()  # rows of three: six time slots must not run off the bubble
            for index, item in enumerate(line.buttons):
                button = touch_button(item.title, "quickReply")
                button.clicked.connect(lambda _checked=False, b=item: self.button_clicked.emit(b))
                grid.addWidget(button, index // QUICK_REPLY_COLUMNS, index % QUICK_REPLY_COLUMNS)
            layout.addLayout(grid)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def buttons(self) -> list[QPushButton]:
        return self.findChildren(QPushButton, "quickReply")


class ConversationView(QScrollArea):
    """Bubbles top to bottom: customer on the right, assistant on the left."""

    button_clicked = Signal(object)  # Button

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._inner = QWidget()
        self._layout = QVBoxLayout(self._inner)
        self._layout.addStretch(1)
        self.setWidget(self._inner)
        self._bubbles: list[Bubble] = []

    def add_line(self, line: ChatLine) -> Bubble:
        bubble = Bubble(line)
        bubble.button_clicked.connect(self._on_button)
        row = QHBoxLayout()
        if line.role is Role.CUSTOMER:
            row.addStretch(1)
            row.addWidget(bubble, 4)
        elif line.role is Role.SYSTEM:
            row.addStretch(1)
            row.addWidget(bubble, 6)
            row.addStretch(1)
        else:
            row.addWidget(bubble, 4)
            row.addStretch(1)
        self._layout.addLayout(row)
        self._bubbles.append(bubble)
        QTimer.singleShot(0, self._scroll_to_end)
        return bubble

    def bubbles(self) -> list[Bubble]:
        return list(self._bubbles)

    def clear(self) -> None:
        self._bubbles.clear()
        while self._layout.count() > 1:  # keep the top stretch
            item = self._layout.takeAt(1)
            row = item.layout() if item is not None else None
            if row is None:
                continue
            while row.count():
                child = row.takeAt(0)
                widget = child.widget() if child is not None else None
                if widget is not None:
                    widget.hide()  # gone from the screen now, freed by the event loop later
                    widget.deleteLater()
            row.deleteLater()

    def _on_button(self, button: Button) -> None:
        self.button_clicked.emit(button)

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())


class TicketCard(QFrame):
    """The ticket: a very large number, service, queue position, ETA and QR, and a 1-5 rating."""

    rated = Signal(str, int)  # ticket id, score
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketCard")
        layout = QHBoxLayout()
        text = QVBoxLayout()
        self._t = catalog("en")
        self._ticket: TicketView | None = None
        self.caption = QLabel()
        self.number = QLabel()
        self.number.setObjectName("ticketNumber")
        self.service = QLabel()
        self.service.setObjectName("ticketService")
        self.ahead = QLabel()
        self.ahead.setObjectName("ticketAhead")
        self.eta = QLabel()
        self.eta.setObjectName("ticketEta")
        self.wait = QLabel()
        self.wait.setObjectName("ticketWait")
        for label in (self.caption, self.number, self.service, self.ahead, self.eta, self.wait):
            label.setWordWrap(True)
            text.addWidget(label)
        layout.addLayout(text, 1)
        qr = QVBoxLayout()
        self.qr = QLabel()
        self.qr.setObjectName("ticketQr")
        self.scan = QLabel()
        self.scan.setObjectName("ticketScan")
        self.scan.setWordWrap(True)
        self.scan.setMaximumWidth(240)
        qr.addWidget(self.qr)
        qr.addWidget(self.scan)
        qr.addStretch(1)
        layout.addLayout(qr)
        outer = QVBoxLayout()
        outer.addLayout(layout)
        self.rating = QWidget()
        self.rating.setObjectName("ratingRow")
        row = QHBoxLayout(self.rating)
        self.rating_question = QLabel()
        self.rating_question.setObjectName("ratingQuestion")
        self.rating_question.setWordWrap(True)
        row.addWidget(self.rating_question, 1)
        self.stars = []
        for score in range(1, 6):
            star = touch_button(f"{score} \u2605", f"rate_{score}")
            star.clicked.connect(lambda _checked=False, value=score: self._on_star(value))
            row.addWidget(star)
            self.stars.append(star)
        self.thanks = QLabel()
        self.thanks.setObjectName("ratingThanks")
        self.thanks.hide()
        outer.addWidget(self.rating)
        outer.addWidget(self.thanks)
        self.setLayout(outer)
        self.retranslate(self._t)

    def retranslate(self, t: Catalog) -> None:
        self._t = t
        self.caption.setText(t.text("ticket.your_number"))
        self.qr.setToolTip(t.text("ticket.qr_tooltip"))
        self.scan.setText(t.text("ticket.scan"))
        self.wait.setText(t.text("ticket.footer"))
        self.rating_question.setText(t.text("rating.question"))
        self.thanks.setText(t.text("rating.thanks"))
        for score, star in enumerate(self.stars, start=1):
            star.setAccessibleName(t.text("rating.star", score=score))
        if self._ticket is not None:
            self.show_ticket(self._ticket)

    def _on_star(self, score: int) -> None:
        if self._ticket is None:
            return
        self.rating.hide()
        self.thanks.show()
        self.rated.emit(self._ticket.id, score)

    def show_ticket(self, ticket: TicketView | None) -> None:
        if ticket is None or self._ticket is None or ticket.id != self._ticket.id:
            self.rating.show()  # a new ticket may be rated once
            self.thanks.hide()
        self._ticket = ticket
        if ticket is None:  # the outcome panel hides the card; nothing to draw
            return
        self.number.setText(ticket.number)
        self.service.setText(ticket.service_name)
        self.ahead.setText(ahead_text(self._t, ticket.ahead))
        self.eta.setText(eta_text(self._t, ticket.eta_minutes))
        self.qr.setPixmap(qr_pixmap(ticket.track_url))


class ServiceGrid(QWidget):
    """One big tile per service; a tap reports the service id."""

    tile_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serviceGrid")
        self._layout = QGridLayout(self)
        self._tiles: dict[str, QPushButton] = {}

    def set_services(self, services: tuple[ServiceView, ...]) -> None:
        for tile in self._tiles.values():
            self._layout.removeWidget(tile)
            tile.deleteLater()
        self._tiles.clear()
        for index, service in enumerate(services):
            tile = touch_button(two_lines(service.name), f"tile_{service.id}")
            tile.setAccessibleName(service.name)
            tile.setProperty("tile", True)
            tile.setMinimumHeight(TOUCH_HEIGHT + 32)
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            tile.clicked.connect(lambda _checked=False, sid=service.id: self.tile_clicked.emit(sid))
            self._layout.addWidget(tile, index // TILE_COLUMNS, index % TILE_COLUMNS)
            self._tiles[service.id] = tile

    def tiles(self) -> dict[str, QPushButton]:
        return dict(self._tiles)

    def set_enabled(self, enabled: bool) -> None:
        for tile in self._tiles.values():
            tile.setEnabled(enabled)
