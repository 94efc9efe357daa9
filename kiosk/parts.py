"""Two small parts of the greeter window: a stack sized by its current page, and the scanner's key filter."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtWidgets import QStackedWidget

SCAN_KEYS_MAX_GAP_MS = 60  # a keyboard-wedge scanner types far faster than a person


class CurrentStack(QStackedWidget):
    """A stack as large as the page it shows, not its largest page (a tall card must not grow the home screen)."""

    def sizeHint(self) -> QSize:
        current = self.currentWidget()
        return current.sizeHint() if current is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()


class ScannerFilter(QObject):
    """Collects a keyboard-wedge scanner's burst of keys (ending in Enter) typed while no text field has focus."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._buffer = ""
        self._last_ms = 0

    def feed(self, text: str, enter: bool, at_ms: int) -> None:
        if at_ms - self._last_ms > SCAN_KEYS_MAX_GAP_MS * 10:
            self._buffer = ""
        self._last_ms = at_ms
        if enter:
            if self._buffer:
                self.scanned.emit(self._buffer)
            self._buffer = ""
        elif text and text.isprintable():
            self._buffer += text
