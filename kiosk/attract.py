"""The attract screen: shown while nobody is at the kiosk, it invites the next customer.

The bank's logo and the branch's name, a hand and a microphone with "touch
the screen or say hello", and the current wait of every service (how many
are waiting, the ETA range) from the hub's queue. Everything on it takes
turns in the kiosk's languages (`ALTERNATE_MS`), so a passer-by reads it in
theirs. Any touch wakes the kiosk; the help bar below stays usable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QIcon, QMouseEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk import icons
from kiosk.buttons import ButtonLabel, IconButton, Pictogram
from kiosk.i18n import Catalog, eta_text, name_in
from kiosk.layout import Layout
from kiosk.theme import Theme
from lobby_wire import QueueLine

logger = logging.getLogger(__name__)

ALTERNATE_MS = 6000  # each language this long on the attract screen


def logo_label(path: str, height: int, object_name: str = "logo") -> QLabel:
    """The bank's logo (SVG or PNG) at `height` px; hidden when none is configured or it cannot be read."""
    label = QLabel()
    label.setObjectName(object_name)
    if path:
        icon = QIcon(path)
        pixmap = icon.pixmap(QSize(height * 4, height)) if Path(path).exists() else None
        if pixmap is None or pixmap.isNull():
            logger.warning("the logo %s cannot be read: showing the branch's name only", path)
        else:
            label.setPixmap(pixmap)
    label.setVisible(label.pixmap() is not None and not label.pixmap().isNull())
    return label


class AttractScreen(QFrame):
    """Shown while nobody is using the kiosk: any touch wakes it."""

    woken = Signal()

    def __init__(
        self,
        layout: Layout,
        catalog_for: Callable[[str], Catalog],
        logo: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attractScreen")
        self.layout_spec = layout
        self.catalog_for = catalog_for
        self.logo_path = logo
        self.languages: tuple[str, ...] = ("en",)
        self.names: Mapping[str, str] = {}
        self.waits: Mapping[str, Sequence[QueueLine]] = {}
        self.shown_lang = "en"
        self.logo = logo_label(logo, 80, "attractLogo")
        self.welcome = QLabel()
        self.welcome.setObjectName("attractWelcome")
        self.welcome.setWordWrap(True)
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hand = Pictogram(icons.UI_ICONS["touch"], object_name="attractHand")
        self.mic = Pictogram(icons.UI_ICONS["just_ask"], object_name="attractHand")
        self.hint = QLabel()
        self.hint.setObjectName("attractHint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.waits_title = QLabel()
        self.waits_title.setObjectName("waitsTitle")
        self.waits_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.board = QWidget()
        self.board.setObjectName("waitsBoard")
        self._board = QGridLayout(self.board)
        self.start = IconButton(icons.UI_ICONS["touch"], "attractStart")
        self._cells: list[_WaitCell] = []
        self.board_page = 0
        self.board_pages = 1
        self.elderly = False

        root = QVBoxLayout(self)
        self._root = root
        root.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.logo)
        top.addWidget(self.welcome, 1)
        root.addLayout(top)
        invite = QHBoxLayout()
        invite.addWidget(self.hand)
        invite.addWidget(self.hint, 1)
        invite.addWidget(self.mic)
        root.addLayout(invite)
        root.addStretch(1)
        root.addWidget(self.waits_title)
        root.addWidget(self.board)
        root.addStretch(1)
        root.addWidget(self.start, 0, Qt.AlignmentFlag.AlignCenter)
        root.addStretch(1)
        self.start.clicked.connect(self.woken.emit)
        self.timer = QTimer(self)
        self.timer.setInterval(ALTERNATE_MS)
        self.timer.timeout.connect(self.alternate)

    # -- content -----------------------------------------------------------------------

    def configure(self, languages: Sequence[str], names: Mapping[str, str]) -> None:
        self.languages = tuple(languages) or ("en",)
        self.names = names

    def set_waits(self, waits: Mapping[str, Sequence[QueueLine]]) -> None:
        self.waits = waits
        self.show_in(self.shown_lang)

    def retranslate(self, t: Catalog, branch_name: str) -> None:
        """The language the customer chose (or the kiosk's first): shown first after every wake and reset."""
        self.shown_lang = t.lang
        self.show_in(t.lang)

    def alternate(self) -> None:
        """The next of the kiosk's languages; after the last, the next page of waits too."""
        index = self.languages.index(self.shown_lang) if self.shown_lang in self.languages else -1
        if index + 1 >= len(self.languages):
            self.board_page = (self.board_page + 1) % max(1, self.board_pages)
        self.show_in(self.languages[(index + 1) % len(self.languages)])

    def show_in(self, lang: str) -> None:
        self.shown_lang = lang
        t = self.catalog_for(lang)
        self.welcome.setText(t.text("attract.welcome", branch=name_in(self.names, lang) if self.names else ""))
        self.hint.setText(t.text("attract.prompt"))
        self.start.setText(t.text("attract.start"))
        self._fill_board(t, self.waits.get(lang) or next(iter(self.waits.values()), ()))

    def _fill_board(self, t: Catalog, waits: Sequence[QueueLine]) -> None:
        """One page of the waits (the layout's tile grid: a page never scrolls; the pages take turns)."""
        columns, rows = self.layout_spec.grid(self.elderly)
        size = columns * rows
        pages = max(1, -(-len(waits) // size))
        self.board_page %= pages
        shown = waits[self.board_page * size : (self.board_page + 1) * size]
        while len(self._cells) < size:
            self._cells.append(_WaitCell())
        for index, cell in enumerate(self._cells):
            self._board.removeWidget(cell)
            if index < size:
                self._board.addWidget(cell, index // columns, index % columns)
            cell.setVisible(index < len(shown))
            if index < len(shown):
                cell.show_wait(t, shown[index])
        self.board_pages = pages
        self.waits_title.setText(t.text("attract.waits"))
        self.waits_title.setVisible(bool(waits))
        self.board.setVisible(bool(waits))

    def apply_theme(self, theme: Theme) -> None:
        self.elderly = theme.large_text
        self._root.setContentsMargins(*(theme.space(3 if theme.large_text else 4),) * 4)
        self._root.setSpacing(theme.space(1 if theme.large_text else 2))
        self._board.setHorizontalSpacing(theme.space(4))
        self._board.setVerticalSpacing(theme.space(0 if theme.large_text else 2))
        self.board_page = 0
        self.show_in(self.shown_lang)
        self.start.set_margins(theme.space(5), theme.space(2), theme.space(2))
        if self.logo_path:
            replacement = logo_label(self.logo_path, theme.px(80), "attractLogo")
            self.logo.setPixmap(replacement.pixmap())
            replacement.deleteLater()

    # -- waking ------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.woken.emit()
        super().mousePressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if len(self.languages) > 1:
            self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()


def wait_text(t: Catalog, wait: QueueLine) -> str:
    """'3 waiting · about 5-10 min' ('less than 5 min', 'more than 40 min': as the hub words it), or 'No queue'."""
    if wait.waiting <= 0:
        return t.text("attract.no_wait")
    return f"{t.text('attract.waiting', waiting=wait.waiting)} \u00b7 {eta_text(t, wait.eta_minutes, wait.eta_wording)}"


class _WaitCell(QWidget):
    """One service on the waits board: its name, and how many wait and how long."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("waitCell")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        self.name = ButtonLabel("waitName")
        self.time = ButtonLabel("waitTime")
        box.addWidget(self.name)
        box.addWidget(self.time)

    def show_wait(self, t: Catalog, wait: QueueLine) -> None:
        self.name.setText(wait.name)
        self.time.setText(wait_text(t, wait))
