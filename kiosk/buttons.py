"""Touch buttons with a pictogram and a label that wraps, so larger type reflows instead of clipping.

A plain QPushButton draws its text on one line and cuts what does not fit. An
`IconButton` lays out a `Pictogram` and a word-wrapped label inside the
button (both transparent to touches), sizes itself from them, and answers
`text()`/`setText()` with the label's text, so tests and accessibility see
it like any button.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QBoxLayout, QLabel, QPushButton, QWidget

from kiosk import icons

TOUCH_HEIGHT = 64  # px: the smallest button a finger hits reliably on a kiosk


def touch_button(text: str, object_name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH_HEIGHT)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if object_name:
        button.setObjectName(object_name)
    return button


class Pictogram(QLabel):
    """One icon glyph, sized and coloured by the stylesheet (`QLabel[pictogram="true"]`)."""

    def __init__(self, icon: str = "", parent: QWidget | None = None, object_name: str = "") -> None:
        super().__init__(parent)
        self.setProperty("pictogram", True)
        if object_name:
            self.setObjectName(object_name)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        font = QFont(self.font())
        font.setFamilies([icons.font_family()])
        self.setFont(font)
        self.icon_name = ""
        self.set_icon(icon)

    def set_icon(self, icon: str) -> None:
        self.icon_name = icon
        self.setText(icons.glyph(icon) if icon else "")
        self.setVisible(bool(self.text()))


UNBREAKABLE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


class ButtonLabel(QLabel):
    """A wrapping label that asks for one line when there is room and shrinks to its longest word.

    QLabel's own hint for wrapped text guesses a narrow width, so a button's text broke onto three
    lines beside empty space. Chinese may break between any two characters.
    """

    def __init__(self, object_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        lines = self.text().split("\n") or [""]
        # QLabel wraps a little before the advance of its text: a character's width of slack keeps one line.
        width = max(metrics.horizontalAdvance(line) for line in lines) + metrics.averageCharWidth()
        return QSize(width, metrics.height() * len(lines))

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        pieces = UNBREAKABLE.findall(self.text()) or [""]
        width = max(metrics.horizontalAdvance(piece) for piece in pieces) + metrics.averageCharWidth()
        return QSize(width, self.heightForWidth(width))


class IconButton(QPushButton):
    """A pictogram beside (or above, `vertical`) a label that wraps; the whole button is the touch target."""

    def __init__(
        self,
        icon: str,
        object_name: str,
        vertical: bool = False,
        text_name: str = "buttonText",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setProperty("iconic", True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumHeight(TOUCH_HEIGHT)
        self.vertical = vertical
        self.pictogram = Pictogram(icon)
        self.label = ButtonLabel(text_name)
        box = QBoxLayout(QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight, self)
        box.setContentsMargins(10, 6, 10, 6)
        box.setSpacing(8)
        box.addStretch(1)  # the pair centred; the label wraps when the button is narrower than its one line
        box.addWidget(self.pictogram, 0, Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.label, 0, Qt.AlignmentFlag.AlignCenter)
        box.addStretch(1)
        self._box = box
        self.toggled.connect(self._mark)

    def set_vertical(self, vertical: bool) -> None:
        """The pictogram above the label (tiles) or beside it (wide buttons, elderly-mode tiles)."""
        if vertical != self.vertical:
            self.vertical = vertical
            self._box.setDirection(QBoxLayout.Direction.TopToBottom if vertical else QBoxLayout.Direction.LeftToRight)
            self.updateGeometry()

    # -- text as a button's ---------------------------------------------------------

    def text(self) -> str:  # type: ignore[override]
        return self.label.text()

    def setText(self, text: str) -> None:  # type: ignore[override]
        self.label.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()

    def set_icon(self, icon: str) -> None:
        self.pictogram.set_icon(icon)

    def set_margins(self, horizontal: int, vertical: int, spacing: int) -> None:
        layout = self.layout()
        if layout is not None:
            layout.setContentsMargins(horizontal, vertical, horizontal, vertical)
            layout.setSpacing(spacing)

    # -- size from the content --------------------------------------------------------

    def sizeHint(self) -> QSize:
        layout = self.layout()
        hint = layout.sizeHint() if layout is not None else super().sizeHint()
        return hint.expandedTo(QSize(self.minimumHeight(), self.minimumHeight()))

    def minimumSizeHint(self) -> QSize:
        layout = self.layout()
        hint = layout.minimumSize() if layout is not None else super().minimumSizeHint()
        return hint.expandedTo(QSize(self.minimumHeight(), self.minimumHeight()))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        """As tall as the label needs at this width (it wraps), never under a touch target."""
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else None
        spacing = layout.spacing() if layout is not None else 0
        side = (margins.left() + margins.right()) if margins else 0
        ends = (margins.top() + margins.bottom()) if margins else 0
        icon = self.pictogram.sizeHint() if self.pictogram.isVisibleTo(self) else QSize(0, 0)
        if self.vertical:
            text = self.label.heightForWidth(max(1, width - side))
            height = ends + icon.height() + (spacing if icon.height() else 0) + text
        else:
            text_width = max(1, width - side - icon.width() - (spacing if icon.width() else 0))
            height = ends + max(icon.height(), self.label.heightForWidth(text_width))
        return max(height, self.minimumHeight())

    def _mark(self, on: bool) -> None:
        """Checked: the labels take the checked colours (a stylesheet cannot select on a parent's state)."""
        for label in (self.pictogram, self.label):
            label.setProperty("on", on)
            label.style().unpolish(label)
            label.style().polish(label)
