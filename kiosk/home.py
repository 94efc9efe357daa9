"""The home screen: "what can we help you with", a big "Just ask", the service tiles, booking and check-in.

Tiles come in pages sized by the layout (`Layout.grid`): a page never
scrolls, and when the services do not fit, a "More" tile shows the next
page (and from the last, the first). In elderly-friendly mode a page holds at
most four tiles and booking and check-in join the tiles, so a page offers at
most six choices: "Just ask", four tiles and "More" ("Talk to someone" and
the other helpers stay in the help bar on every screen).

Landscape puts "Just ask", booking and check-in in a column beside the
tiles; portrait stacks them above and below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk import icons
from kiosk.buttons import IconButton
from kiosk.i18n import Catalog
from kiosk.layout import Layout
from kiosk.theme import Theme
from lobby_wire import ServiceView

BOOK = "book"
CHECK_IN = "check_in"


@dataclass(frozen=True, slots=True)
class TileItem:
    key: str  # a service id, or BOOK / CHECK_IN
    icon: str
    service: bool = True


def tile_button(key: str, icon: str, name: str) -> IconButton:
    tile = IconButton(icon, name, vertical=True, text_name="tileText")
    tile.setProperty("tile", True)
    tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return tile


class TilePager(QWidget):
    """The service tiles in pages of the layout's grid; a tap reports the service id."""

    tile_clicked = Signal(str)  # service id
    extra_clicked = Signal(str)  # BOOK or CHECK_IN (elderly mode: they are tiles too)

    def __init__(self, layout: Layout, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serviceGrid")
        self.layout_spec = layout
        self.elderly = False
        self.page = 0
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._tiles: dict[str, IconButton] = {}
        self._items: list[TileItem] = []
        self._extras: dict[str, IconButton] = {
            BOOK: tile_button(BOOK, icons.UI_ICONS["book"], "bookTile"),
            CHECK_IN: tile_button(CHECK_IN, icons.UI_ICONS["check_in"], "checkInTile"),
        }
        for key, tile in self._extras.items():
            tile.clicked.connect(lambda _checked=False, k=key: self.extra_clicked.emit(k))
        self.more = IconButton(icons.UI_ICONS["more"], "moreTiles")
        self.more.clicked.connect(self.next_page)
        self._more_text = "{page}/{pages}"
        self._relayout()

    # -- content ---------------------------------------------------------------------

    def set_services(self, services: tuple[ServiceView, ...]) -> None:
        for tile in self._tiles.values():
            self._grid.removeWidget(tile)
            tile.hide()  # off the screen now, freed by the event loop later
            tile.deleteLater()
        self._tiles.clear()
        for service in services:
            tile = tile_button(service.id, icons.service_icon(service.id, service.intents), f"tile_{service.id}")
            tile.setText(service.name)
            tile.clicked.connect(lambda _checked=False, sid=service.id: self.tile_clicked.emit(sid))
            tile.set_vertical(not self.elderly)
            self._tiles[service.id] = tile
        self.page = 0
        self._relayout()

    def set_elderly(self, elderly: bool) -> None:
        """Elderly mode: fewer, wider tiles, the pictogram beside the name (the larger type needs the height)."""
        if elderly != self.elderly:
            self.elderly = elderly
            self.page = 0
            self._relayout()
        for tile in (*self._tiles.values(), *self._extras.values()):
            tile.set_vertical(not elderly)

    def retranslate(self, t: Catalog) -> None:
        self._extras[BOOK].setText(t.text("home.book"))
        self._extras[CHECK_IN].setText(t.text("home.check_in"))
        self._more_text = t.template("home.more")
        self._show_page()

    def apply_theme(self, theme: Theme) -> None:
        self._grid.setSpacing(theme.space(2))
        for tile in (*self._tiles.values(), *self._extras.values(), self.more):
            tile.set_margins(theme.space(1), theme.space(1), theme.space(0))

    def tiles(self) -> dict[str, IconButton]:
        return dict(self._tiles)

    def set_enabled(self, enabled: bool) -> None:
        for tile in (*self._tiles.values(), *self._extras.values()):
            tile.setEnabled(enabled)

    # -- pages ---------------------------------------------------------------------------

    @property
    def items(self) -> list[IconButton]:
        extras = list(self._extras.values()) if self.elderly else []
        return [*self._tiles.values(), *extras]

    @property
    def page_size(self) -> int:
        return self.layout_spec.page_size(self.elderly)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.items) / self.page_size))

    def first_page(self) -> None:
        self.page = 0
        self._show_page()

    def next_page(self) -> None:
        self.page = (self.page + 1) % self.pages
        self._show_page()

    def visible_tiles(self) -> list[IconButton]:
        start = self.page * self.page_size
        return self.items[start : start + self.page_size]

    def _relayout(self) -> None:
        """Place every tile in its cell of the page grid (one cell holds a tile of each page)."""
        while self._grid.count():
            self._grid.takeAt(0)
        columns, rows = self.layout_spec.grid(self.elderly)
        for index in range(8):
            self._grid.setRowStretch(index, 1 if index < rows else 0)
            self._grid.setColumnStretch(index, 1 if index < columns else 0)
        for extra in self._extras.values():
            extra.setVisible(False)
        for index, tile in enumerate(self.items):
            cell = index % self.page_size
            self._grid.addWidget(tile, cell // columns, cell % columns)
        self._grid.addWidget(self.more, rows, 0, 1, columns)
        self._grid.setRowStretch(rows, 0)
        self._show_page()

    def _show_page(self) -> None:
        self.page = min(self.page, self.pages - 1)
        shown = set(map(id, self.visible_tiles()))
        for tile in (*self._tiles.values(), *self._extras.values()):
            tile.setVisible(id(tile) in shown and (tile in self.items))
        self.more.setVisible(self.pages > 1)
        self.more.setText(self._more_text.format(page=self.page + 1, pages=self.pages))


class HomeScreen(QFrame):
    """What can we help you with: a big microphone, the service tiles, check-in and booking."""

    mic_clicked = Signal()
    book_clicked = Signal()
    check_in_clicked = Signal()

    def __init__(self, layout: Layout, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("homeScreen")
        self.layout_spec = layout
        self.question = QLabel()
        self.question.setObjectName("homeQuestion")
        self.question.setWordWrap(True)
        self.big_mic = IconButton(icons.UI_ICONS["just_ask"], "bigMicButton", vertical=layout.landscape)
        self.mic_hint = QLabel()
        self.mic_hint.setObjectName("bigMicHint")
        self.mic_hint.setWordWrap(True)
        self.mic_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tiles = TilePager(layout)
        self.book = IconButton(icons.UI_ICONS["book"], "bookButton")
        self.check_in = IconButton(icons.UI_ICONS["check_in"], "checkInButton")
        self._voice = False
        self.elderly = False

        root = QVBoxLayout(self)
        self._root = root
        root.addWidget(self.question)
        self.mic_column = QWidget()
        self.mic_column.setObjectName("homeSide")
        side: QBoxLayout = QVBoxLayout(self.mic_column) if layout.landscape else QHBoxLayout(self.mic_column)
        side.setContentsMargins(0, 0, 0, 0)
        self._side = side
        mic = QVBoxLayout()
        mic.addWidget(self.big_mic)
        mic.addWidget(self.mic_hint)
        side.addLayout(mic, 1)
        self.extras = QWidget()
        extras: QBoxLayout = QVBoxLayout(self.extras) if layout.landscape else QHBoxLayout(self.extras)
        extras.setContentsMargins(0, 0, 0, 0)
        extras.addWidget(self.book)
        extras.addWidget(self.check_in)
        self._extras_box = extras
        if layout.landscape:
            side.addWidget(self.extras)
            side.addStretch(0)
            body = QHBoxLayout()
            body.addWidget(self.mic_column, 1)
            body.addWidget(self.tiles, 3)
            root.addLayout(body, 1)
        else:
            root.addWidget(self.mic_column)
            root.addWidget(self.tiles, 1)
            root.addWidget(self.extras)
        self.big_mic.clicked.connect(self.mic_clicked.emit)
        self.book.clicked.connect(self.book_clicked.emit)
        self.check_in.clicked.connect(self.check_in_clicked.emit)
        self.tiles.extra_clicked.connect(self._on_extra)

    def _on_extra(self, key: str) -> None:
        (self.book_clicked if key == BOOK else self.check_in_clicked).emit()

    def retranslate(self, t: Catalog) -> None:
        self.question.setText(t.text("home.question"))
        self.big_mic.setText(t.text("home.just_ask"))
        self.book.setText(t.text("home.book"))
        self.check_in.setText(t.text("home.check_in"))
        self.tiles.retranslate(t)

    def apply_theme(self, theme: Theme) -> None:
        self.elderly = theme.large_text
        self.tiles.set_elderly(theme.large_text)
        self.tiles.apply_theme(theme)
        self._root.setSpacing(theme.space(3))
        self._root.setContentsMargins(*(theme.space(3),) * 4)
        self._side.setSpacing(theme.space(2))
        self._extras_box.setSpacing(theme.space(2))
        for button in (self.big_mic, self.book, self.check_in):
            button.set_margins(theme.space(2), theme.space(1), theme.space(1))
        self._update_visibility()

    def set_voice(self, ready: bool, hint: str) -> None:
        """Voice features hide when there is no microphone or model; touch stays."""
        self._voice = ready
        self.mic_hint.setText(hint)
        self._update_visibility()

    def _update_visibility(self) -> None:
        self.big_mic.setVisible(self._voice)
        self.mic_hint.setVisible(self._voice and not self.elderly)
        self.extras.setVisible(not self.elderly)  # elderly: booking and check-in are tiles
        self.mic_column.setVisible(self._voice or not (self.elderly or not self.layout_spec.landscape))

    def choices(self) -> list[QWidget]:
        """The choices the screen offers now (the help bar aside): for the six-choice rule."""
        shown = [button for button in (self.big_mic, self.book, self.check_in) if button.isVisibleTo(self)]
        tiles = [tile for tile in self.tiles.visible_tiles() if tile.isVisibleTo(self)]
        more = [self.tiles.more] if self.tiles.more.isVisibleTo(self) else []
        return [*shown, *tiles, *more]
