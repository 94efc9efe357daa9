"""The kiosk's building blocks: conversation bubbles and the ticket card.

Widgets only draw values handed to them and report taps by signal; they hold
no hub client and no hardware. The conversation shows no scroll bar: the
newest bubble is always in view and a finger drags older ones back
(`QScroller`). In elderly-friendly mode only the newest reply keeps its
buttons, at most `ELDERLY_MAX_CHOICES` of them at once ("More" shows the rest).
"""

from __future__ import annotations

import io
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk import icons
from kiosk.buttons import Pictogram, touch_button
from kiosk.i18n import Catalog, ahead_text, catalog, eta_text
from kiosk.viewmodel import ChatLine, Role
from lobby_wire import Button, TicketView

logger = logging.getLogger(__name__)

QUICK_REPLY_COLUMNS = 3
ELDERLY_QUICK_REPLY_COLUMNS = 2
ELDERLY_MAX_CHOICES = 6  # a reply's buttons on screen at once in elderly mode ("More" included)


def qr_pixmap(data: str, size: int = 220) -> QPixmap:
    """A QR code of `data` as a square pixmap about `size` px wide."""
    import segno  # on the first ticket, not at start: its writers take a fifth of a second to import

    qr = segno.make(data, error="m")
    width = qr.symbol_size(scale=1, border=4)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, size // width), border=4)
    pixmap = QPixmap()
    if not pixmap.loadFromData(buffer.getvalue(), "PNG"):
        logger.warning("could not render the QR code of %s", data)
    return pixmap


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

    def __init__(self, line: ChatLine, parent: QWidget | None = None, elderly: bool = False) -> None:
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
        self._buttons: list[QPushButton] = []
        self._page = 0
        self.more: QPushButton | None = None
        self.elderly = elderly
        if line.buttons:
            grid = QGridLayout()  # rows of three (two in elderly mode): six time slots must not run off the bubble
            columns = ELDERLY_QUICK_REPLY_COLUMNS if elderly else QUICK_REPLY_COLUMNS
            for index, item in enumerate(line.buttons):
                button = touch_button(item.title, "quickReply")
                button.clicked.connect(lambda _checked=False, b=item: self.button_clicked.emit(b))
                self._buttons.append(button)
                grid.addWidget(button, index // columns, index % columns)
            if elderly and len(line.buttons) > ELDERLY_MAX_CHOICES:
                self.more = touch_button("…", "quickReplyMore")
                self.more.clicked.connect(self._next_page)
                grid.addWidget(self.more, (len(line.buttons) + columns - 1) // columns, 0, 1, columns)
            layout.addLayout(grid)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._show_page()

    def buttons(self) -> list[QPushButton]:
        return self.findChildren(QPushButton, "quickReply")

    def retire(self) -> None:
        """An older reply in elderly mode: its buttons go, so the screen offers only the newest choices."""
        for button in (*self._buttons, *([self.more] if self.more else [])):
            button.hide()

    def _next_page(self) -> None:
        self._page += 1
        self._show_page()

    def _show_page(self) -> None:
        if self.more is None:
            return
        size = ELDERLY_MAX_CHOICES - 1
        pages = -(-len(self._buttons) // size)
        self._page %= pages
        for index, button in enumerate(self._buttons):
            button.setVisible(index // size == self._page)
        self.more.setText(f"… {self._page + 1}/{pages}")


class ConversationView(QScrollArea):
    """Bubbles top to bottom: customer on the right, assistant on the left; dragged, never a scroll bar."""

    button_clicked = Signal(object)  # Button

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self._inner = QWidget()
        self._inner.setObjectName("conversationInner")
        self._layout = QVBoxLayout(self._inner)
        self._layout.addStretch(1)
        self.setWidget(self._inner)
        self._bubbles: list[Bubble] = []
        self.elderly = False
        # The newest bubble stays in view however late the layout settles (bubbles wrap after they are shown).
        self.verticalScrollBar().rangeChanged.connect(lambda _low, high: self.verticalScrollBar().setValue(high))

    def add_line(self, line: ChatLine) -> Bubble:
        if self.elderly and line.role is not Role.CUSTOMER:
            for older in self._bubbles:
                older.retire()
        bubble = Bubble(line, elderly=self.elderly)
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
        QTimer.singleShot(0, self.scroll_to_end)
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

    def scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.scroll_to_end)  # the newest bubble stays in view when the page reflows


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
        self.compact = False
        head = QHBoxLayout()
        self.icon = Pictogram(icons.UI_ICONS["ticket"], object_name="panelIcon")
        self.caption = QLabel()
        self.caption.setObjectName("ticketCaption")
        head.addWidget(self.icon)
        head.addWidget(self.caption, 1)
        text.addLayout(head)
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
            label.setWordWrap(label is not self.number)
            if label is not self.caption:
                text.addWidget(label)
        text.addStretch(1)
        layout.addLayout(text, 1)
        qr = QVBoxLayout()
        self.qr = QLabel()
        self.qr.setObjectName("ticketQr")
        self.scan = QLabel()
        self.scan.setObjectName("ticketScan")
        self.scan.setWordWrap(True)
        self.qr_size = 200
        qr.addWidget(self.qr)
        qr.addWidget(self.scan)
        qr.addStretch(1)
        self.qr_column = QWidget()
        self.qr_column.setObjectName("ticketQrColumn")
        self.qr_column.setLayout(qr)
        layout.addWidget(self.qr_column)
        outer = QVBoxLayout()
        outer.addLayout(layout, 1)
        self.rating = QWidget()
        self.rating.setObjectName("ratingRow")
        rating = QVBoxLayout(self.rating)
        rating.setContentsMargins(0, 0, 0, 0)
        self.rating_question = QLabel()
        self.rating_question.setObjectName("ratingQuestion")
        self.rating_question.setWordWrap(True)
        rating.addWidget(self.rating_question)
        row = QHBoxLayout()
        self.stars = []
        for score in range(1, 6):
            star = touch_button(f"{score} \u2605", f"rate_{score}")
            star.clicked.connect(lambda _checked=False, value=score: self._on_star(value))
            row.addWidget(star)
            self.stars.append(star)
        rating.addLayout(row)
        self.thanks = QLabel()
        self.thanks.setObjectName("ratingThanks")
        self.thanks.setWordWrap(True)
        self.thanks.hide()
        outer.addWidget(self.rating)
        outer.addWidget(self.thanks)
        self.setLayout(outer)
        self.retranslate(self._t)

    def set_compact(self, compact: bool) -> None:
        """Elderly-friendly mode: no rating (fewer choices, and the larger type needs the room)."""
        self.compact = compact
        self.rating.setVisible(not compact and not self.thanks.isVisible())

    def set_qr_size(self, size: int) -> None:
        self.qr_size = size
        self.scan.setMaximumWidth(max(size, 160))
        if self._ticket is not None:
            self.qr.setPixmap(qr_pixmap(self._ticket.track_url, size))

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
            self.rating.setVisible(not self.compact)  # a new ticket may be rated once
            self.thanks.hide()
        self._ticket = ticket
        if ticket is None:  # the outcome panel hides the card; nothing to draw
            return
        self.number.setText(ticket.number)
        self.service.setText(ticket.service_name)
        self.ahead.setText(ahead_text(self._t, ticket.ahead))
        self.eta.setText(eta_text(self._t, ticket.eta_minutes, ticket.eta_wording))
        self.qr.setPixmap(qr_pixmap(ticket.track_url, self.qr_size))
