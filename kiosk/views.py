"""The greeter window: a view of `KioskModel` that reports what the customer does.

Screens: attract (idle) -> home (tiles, a big "just ask" microphone, booking,
check-in) -> conversation (bubbles, live partial transcript) with the outcome
beside it in landscape and above it in portrait (ticket, device route,
appointment, check-in, staff coming). A top bar names the branch (and shows
its logo); the help bar on every screen starts again, switches language,
elderly-friendly mode and high contrast, and calls a person. The input bar
(type, push to talk, level meter) and the status line stay below the screens
but the attract one (elderly mode hides them: voice and touch are enough).

The window is laid out for one `Layout` (kiosk.layout) and fixed to its size:
nothing a customer does can make it larger than the screen. It never calls
the hub or the hardware: it redraws on the model's signals and emits what
the customer asked for; the controller acts on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from kiosk import icons
from kiosk.attract import AttractScreen, logo_label
from kiosk.buttons import IconButton, touch_button
from kiosk.home import HomeScreen
from kiosk.i18n import LANGUAGES, Catalog, catalog
from kiosk.layout import LAYOUTS, Layout
from kiosk.look import WindowLook
from kiosk.parts import CurrentStack, ScannerFilter
from kiosk.redraws import ModelRedraws
from kiosk.screens import (
    AppointmentCard,
    CheckInCard,
    LevelMeter,
    RouteScreen,
    StaffCard,
    check_in_reference,
)
from kiosk.theme import DEFAULT_ACCENT
from kiosk.viewmodel import KioskModel, Panel, Screen
from kiosk.widgets import ConversationView, TicketCard
from lobby_wire import Button

logger = logging.getLogger(__name__)


class KioskWindow(ModelRedraws, WindowLook, QMainWindow):
    send_requested = Signal(str)  # typed text
    reply_requested = Signal(str, str)  # quick reply: title, payload
    tile_requested = Signal(str)  # service id
    mic_requested = Signal()  # microphone pressed (or the big one tapped)
    mic_released = Signal()  # microphone button let go: ends push-to-talk
    check_in_requested = Signal(str)  # booking code, typed or scanned
    staff_requested = Signal()
    rating_given = Signal(str, int)  # ticket id, 1-5
    language_requested = Signal(str)
    activity = Signal()  # any touch or keystroke: restarts the idle timer

    def __init__(
        self,
        model: KioskModel,
        parent: QWidget | None = None,
        languages: Sequence[str] = ("en", "zh"),
        catalog_for: Callable[[str], Catalog] = catalog,
        layout: Layout | None = None,
        accent: str = DEFAULT_ACCENT,
        logo: str = "",
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.languages = tuple(lang for lang in languages if lang in LANGUAGES) or ("en",)
        self.catalog_for = catalog_for
        self.t = catalog_for(model.lang)
        self.layout_spec = layout or LAYOUTS[0]
        self.accent = accent
        self.setFixedSize(*self.layout_spec.size)  # the layout's size: never larger than the screen
        portrait = not self.layout_spec.landscape

        self.logo = logo_label(logo, 48)
        self._has_logo = not self.logo.pixmap().isNull()
        self.greeting = QLabel()
        self.greeting.setObjectName("greeting")
        self.greeting.setWordWrap(True)
        self.home_button = IconButton(icons.UI_ICONS["start_again"], "homeButton", vertical=portrait)
        self.lang_button = IconButton(icons.UI_ICONS["language"], "langButton", vertical=portrait)
        self.large_button = IconButton(icons.UI_ICONS["elderly"], "largeTextButton", vertical=portrait)
        self.contrast_button = IconButton(icons.UI_ICONS["contrast"], "highContrastButton", vertical=portrait)
        self.staff_button = IconButton(icons.UI_ICONS["staff"], "staffButton", vertical=portrait)
        for button in (self.large_button, self.contrast_button):
            button.setCheckable(True)
            button.setProperty("a11y", True)
        self.banner = QLabel()
        self.banner.setObjectName("hubBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.attract = AttractScreen(self.layout_spec, catalog_for, logo)
        self.attract.configure(self.languages, model.branch_names)
        self.home = HomeScreen(self.layout_spec)
        self.tiles = self.home.tiles
        self.conversation = ConversationView()
        self.partial = QLabel()
        self.partial.setObjectName("partialTranscript")
        self.partial.setWordWrap(True)
        self.partial.hide()
        self.ticket_card = TicketCard()
        self.route_card = RouteScreen()
        self.appointment_card = AppointmentCard()
        self.check_in_card = CheckInCard()
        self.staff_card = StaffCard()
        self.panels = CurrentStack()
        self.panels.setObjectName("outcomePanel")
        self._panel_index = {
            Panel.NONE: self.panels.addWidget(QWidget()),
            Panel.TICKET: self.panels.addWidget(self.ticket_card),
            Panel.ROUTE: self.panels.addWidget(self.route_card),
            Panel.APPOINTMENT: self.panels.addWidget(self.appointment_card),
            Panel.CHECK_IN: self.panels.addWidget(self.check_in_card),
            Panel.STAFF: self.panels.addWidget(self.staff_card),
        }

        self.input = QLineEdit()
        self.input.setObjectName("messageInput")
        self.send_button = touch_button("", "sendButton")
        self.mic_button = touch_button("", "micButton")
        self.mic_button.setEnabled(False)
        self.level = LevelMeter()
        self.level.hide()
        self.status_line = QLabel()
        self.status_line.setObjectName("statusLine")
        self.status_line.setWordWrap(True)
        self.scanner = ScannerFilter(self)

        self.screens = CurrentStack()
        self._screen_index = {
            Screen.ATTRACT: self.screens.addWidget(self.attract),
            Screen.HOME: self.screens.addWidget(self.home),
            Screen.CONVERSATION: self.screens.addWidget(self._conversation_page()),
        }
        self._lay_out()
        self._connect()
        self._apply_theme()
        self.retranslate()
        self._on_services(model.services)
        self._on_screen(model.screen)
        self._on_panel(model.panel)

    # -- layout and wiring ------------------------------------------------------

    def _conversation_page(self) -> QWidget:
        talk = QVBoxLayout()
        talk.addWidget(self.conversation, 1)
        talk.addWidget(self.partial)
        page = QWidget()
        page.setObjectName("conversationScreen")
        if self.layout_spec.landscape:  # the outcome beside the conversation
            body: QBoxLayout = QHBoxLayout(page)
            body.addLayout(talk, 1)
            body.addWidget(self.panels, 1)
        else:  # portrait: the outcome on top, where the eye lands, the conversation below
            body = QVBoxLayout(page)
            body.addWidget(self.panels)
            body.addLayout(talk, 1)
        self._page_box = body
        return page

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.logo)
        top.addWidget(self.greeting, 1)
        self._top = top
        self.help_bar = QWidget()
        self.help_bar.setObjectName("helpBar")
        help_row = QHBoxLayout(self.help_bar)
        help_row.setContentsMargins(0, 0, 0, 0)
        for button in (self.home_button, self.lang_button, self.large_button, self.contrast_button):
            help_row.addWidget(button, 1)
        help_row.addWidget(self.staff_button, 1)
        self._help_row = help_row
        for button in self.help_bar.findChildren(IconButton):
            button.installEventFilter(self)  # a button resized: its label may wrap onto another line
        self.input_bar = QWidget()
        self.input_bar.setObjectName("inputBar")
        input_row = QHBoxLayout(self.input_bar)
        input_row.setContentsMargins(0, 0, 0, 0)
        input_row.addWidget(self.input, 1)
        input_row.addWidget(self.send_button)
        mic = QVBoxLayout()
        mic.addWidget(self.mic_button)
        mic.addWidget(self.level)
        input_row.addLayout(mic)

        root = QVBoxLayout()
        root.addLayout(top)
        root.addWidget(self.banner)
        root.addWidget(self.screens, 1)
        root.addWidget(self.input_bar)
        root.addWidget(self.help_bar)
        root.addWidget(self.status_line)
        self._root = root
        central = QWidget()
        central.setObjectName("kioskRoot")
        central.setLayout(root)
        self.setCentralWidget(central)
        # The layouts must never grow the window past the screen: what does not fit is squeezed (and the
        # layout test sees it), the window keeps the screen's size.
        for layout in (root, self.layout()):
            layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setFixedSize(*self.layout_spec.size)

    def _connect(self) -> None:
        model = self.model
        model.message_added.connect(self._on_message)
        model.cleared.connect(self._on_cleared)
        model.ticket_changed.connect(self._on_ticket)
        model.route_changed.connect(self._on_route)
        model.appointment_changed.connect(self._on_appointment)
        model.services_changed.connect(self._on_services)
        model.status_changed.connect(self._on_status)
        model.busy_changed.connect(self._on_busy)
        model.listening_changed.connect(self._on_listening)
        model.screen_changed.connect(self._on_screen)
        model.panel_changed.connect(self._on_panel)
        model.partial_changed.connect(self._on_partial)
        model.level_changed.connect(self.level.set_level)
        model.language_changed.connect(lambda _lang: self.retranslate())
        model.theme_changed.connect(self._apply_theme)
        model.waits_changed.connect(self._on_waits)

        self.send_button.clicked.connect(self._on_send)
        self.input.returnPressed.connect(self._on_send)
        self.input.textEdited.connect(lambda _text: self.activity.emit())
        self.mic_button.pressed.connect(self._on_mic)  # pressed, not clicked: hold it for push-to-talk
        self.mic_button.released.connect(self.mic_released.emit)
        self.home.mic_clicked.connect(self._on_mic)
        self.home.check_in_clicked.connect(self._on_check_in_button)
        # Booking by touch: the assistant's booking conversation, answered with its buttons.
        self.home.book_clicked.connect(self._on_book)
        self.staff_button.clicked.connect(self._on_staff)
        self.conversation.button_clicked.connect(self._on_quick_reply)
        self.tiles.tile_clicked.connect(self._on_tile)
        self.attract.woken.connect(self._on_woken)
        self.home_button.clicked.connect(self._on_home)
        self.lang_button.clicked.connect(self._on_language)
        self.large_button.toggled.connect(lambda on: self._on_theme(large_text=on))
        self.contrast_button.toggled.connect(lambda on: self._on_theme(high_contrast=on))
        self.check_in_card.submitted.connect(self._on_code)
        self.ticket_card.rated.connect(self._on_rated)
        self.scanner.scanned.connect(self._on_scanned)

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
        if not self.model.listening:
            self.mic_requested.emit()

    def _on_woken(self) -> None:
        self.activity.emit()
        self.model.set_screen(Screen.HOME)

    def _on_home(self) -> None:
        self.activity.emit()
        self.model.reset(Screen.HOME)

    def _on_book(self) -> None:
        self._on_quick_reply(Button(self.t.text("home.book"), "/book_appointment"))

    def _on_check_in_button(self) -> None:
        self.activity.emit()
        self.check_in_card.reset()
        self.model.show_check_in()
        self.check_in_card.code.setFocus()

    def _on_staff(self) -> None:
        if self.model.busy:
            return
        self.activity.emit()
        self.staff_requested.emit()

    def _on_code(self, code: str) -> None:
        if self.model.busy:
            return
        self.activity.emit()
        self.check_in_requested.emit(code)

    def _on_rated(self, ticket_id: str, score: int) -> None:
        self.activity.emit()
        self.rating_given.emit(ticket_id, score)

    def _on_scanned(self, text: str) -> None:
        code = check_in_reference(text)
        logger.info("scanner read %s", "a check-in code" if code else "something that is neither booking nor ticket")
        if code is not None:
            self._on_code(code)

    def _on_language(self) -> None:
        self.activity.emit()
        index = self.languages.index(self.model.lang) if self.model.lang in self.languages else -1
        self.language_requested.emit(self.languages[(index + 1) % len(self.languages)])

    def _on_theme(self, **change: bool) -> None:
        self.activity.emit()
        self.model.set_theme(**change)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys reaching the window (no text field has focus) may be a keyboard-wedge scanner."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        self.scanner.feed(event.text(), enter, int(event.timestamp()))
        if self.model.screen is Screen.ATTRACT and not enter:
            self._on_woken()
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, IconButton):
            QTimer.singleShot(0, self._fit_bars)
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress:
            self.activity.emit()
        return super().event(event)
