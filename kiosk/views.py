"""The greeter window: a view of `KioskModel` that reports what the customer does.

The window never calls the hub or the hardware. It redraws on the model's
signals and emits `send_requested`, `reply_requested`, `tile_requested`,
`mic_requested` and `activity`; the controller acts on them.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from assistant.protocol import Button, RouteView, ServiceView, TicketView
from kiosk.phrases import OFFLINE_BANNER
from kiosk.viewmodel import ChatLine, HubState, KioskModel
from kiosk.widgets import (
    TOUCH_HEIGHT,
    ConversationView,
    RouteCard,
    ServiceGrid,
    TicketCard,
    touch_button,
)

logger = logging.getLogger(__name__)

STYLE = f"""
QWidget {{ font-size: 22px; }}
QLabel#greeting {{ font-size: 34px; font-weight: bold; }}
QPushButton {{ min-height: {TOUCH_HEIGHT}px; font-size: 24px; padding: 6px 18px; border-radius: 12px;
               background: #e8eef7; border: 2px solid #9fb3d1; }}
QPushButton:disabled {{ color: #8a8a8a; background: #eeeeee; border-color: #cccccc; }}
QPushButton[tile="true"] {{ font-size: 26px; font-weight: bold; background: #dbe9ff; }}
QPushButton#micButton {{ min-height: 96px; min-width: 96px; font-size: 28px; }}
QLineEdit#messageInput {{ min-height: {TOUCH_HEIGHT}px; font-size: 26px; padding: 0 12px; }}
QFrame#bubble_customer {{ background: #d7f5dd; border-radius: 16px; }}
QFrame#bubble_assistant {{ background: #f1f1f1; border-radius: 16px; }}
QFrame#bubble_system {{ background: #fff4d6; border-radius: 16px; }}
QFrame#ticketCard, QFrame#routeCard {{ background: #ffffff; border: 3px solid #2c5aa0; border-radius: 18px; }}
QLabel#ticketNumber {{ font-size: 96px; font-weight: bold; }}
QLabel#ticketService, QLabel#routeName {{ font-size: 30px; font-weight: bold; }}
QLabel#hubBanner {{ background: #ffe0e0; font-size: 26px; padding: 10px; }}
QLabel#statusLine {{ font-size: 16px; color: #555555; }}
"""


class KioskWindow(QMainWindow):
    send_requested = Signal(str)  # typed text
    reply_requested = Signal(str, str)  # quick reply: title, payload
    tile_requested = Signal(str)  # service id
    mic_requested = Signal()
    activity = Signal()  # any touch or keystroke: restarts the idle timer

    def __init__(self, model: KioskModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWindowTitle(f"Lobby \u2014 {model.branch_name}")
        self.setStyleSheet(STYLE)

        self.greeting = QLabel(model.greeting)
        self.greeting.setObjectName("greeting")
        self.greeting.setWordWrap(True)
        self.banner = QLabel(OFFLINE_BANNER)
        self.banner.setObjectName("hubBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.conversation = ConversationView()
        self.input = QLineEdit()
        self.input.setObjectName("messageInput")
        self.input.setPlaceholderText("Type your question here")
        self.input.setMinimumWidth(280)
        self.conversation.setMinimumWidth(480)
        self.send_button = touch_button("Send", "sendButton")
        self.mic_button = touch_button("Speak", "micButton")
        self.mic_button.setEnabled(False)

        self.ticket_card = TicketCard()
        self.route_card = RouteCard()
        self.tiles = ServiceGrid()
        self.status_line = QLabel()
        self.status_line.setObjectName("statusLine")
        self.status_line.setWordWrap(True)

        self._lay_out()
        self._connect()
        self._on_status()
        self._on_services(model.services)

    # -- layout and wiring ------------------------------------------------------

    def _lay_out(self) -> None:
        input_row = QHBoxLayout()
        input_row.addWidget(self.input, 1)
        input_row.addWidget(self.send_button)
        input_row.addWidget(self.mic_button)

        left = QVBoxLayout()
        left.addWidget(self.conversation, 1)
        left.addLayout(input_row)

        right = QVBoxLayout()
        right.addWidget(self.ticket_card)
        right.addWidget(self.route_card)
        right.addWidget(self.tiles, 1)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)

        root = QVBoxLayout()
        root.addWidget(self.greeting)
        root.addWidget(self.banner)
        root.addLayout(body, 1)
        root.addWidget(self.status_line)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        model = self.model
        model.message_added.connect(self._on_message)
        model.cleared.connect(self._on_cleared)
        model.ticket_changed.connect(self._on_ticket)
        model.route_changed.connect(self._on_route)
        model.services_changed.connect(self._on_services)
        model.status_changed.connect(self._on_status)
        model.busy_changed.connect(self._on_busy)
        model.listening_changed.connect(self._on_listening)

        self.send_button.clicked.connect(self._on_send)
        self.input.returnPressed.connect(self._on_send)
        self.input.textEdited.connect(lambda _text: self.activity.emit())
        self.mic_button.clicked.connect(self._on_mic)
        self.conversation.button_clicked.connect(self._on_quick_reply)
        self.tiles.tile_clicked.connect(self._on_tile)

    # -- customer actions -----------------------------------------------------

    def _on_send(self) -> None:
        text = self.input.text().strip()
        if not text or self.model.busy:
            return
        self.input.clear()
        self.activity.emit()
        self.send_requested.emit(text)

    def _on_quick_reply(self, button: Button) -> None:
        if self.model.busy:
            return
        self.activity.emit()
        self.reply_requested.emit(button.title, button.payload)

    def _on_tile(self, service_id: str) -> None:
        if self.model.busy:
            return
        self.activity.emit()
        self.tile_requested.emit(service_id)

    def _on_mic(self) -> None:
        self.activity.emit()
        self.mic_requested.emit()

    # -- model changes ----------------------------------------------------------

    def _on_message(self, line: ChatLine) -> None:
        self.conversation.add_line(line)

    def _on_cleared(self) -> None:
        self.conversation.clear()
        self.input.clear()

    def _on_ticket(self, ticket: TicketView | None) -> None:
        self.ticket_card.show_ticket(ticket)

    def _on_route(self, route: RouteView | None) -> None:
        self.route_card.show_route(route)

    def _on_services(self, services: tuple[ServiceView, ...]) -> None:
        self.tiles.set_services(services)
        self.tiles.set_enabled(not self.model.busy)

    def _on_status(self) -> None:
        self.status_line.setText(self.model.status_text)
        self.banner.setVisible(self.model.hub_state is HubState.TOUCH_ONLY)
        self._update_mic()

    def _on_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.tiles.set_enabled(not busy)
        self._update_mic()

    def _on_listening(self, listening: bool) -> None:
        self.mic_button.setText("Listening\u2026" if listening else "Speak")
        self._update_mic()

    def _update_mic(self) -> None:
        model = self.model
        self.mic_button.setEnabled(model.voice_ready and not model.busy and not model.listening)
        if model.voice_ready:
            self.mic_button.setToolTip("Tap and speak")
        else:
            self.mic_button.setToolTip(f"Voice input off: {model.voice_off_reason}")
        self.mic_button.setAccessibleDescription(self.mic_button.toolTip())
