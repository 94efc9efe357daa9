"""Checks a kiosk screen by machine, as a person would see it: nothing cut off, big enough, readable.

`check_window(window)` looks at every visible widget of the window as it is
drawn now and counts each check it makes:

* **text** — a label's text fits its box at its width (wrapped text: every
  line; a single line: its whole width), a button's text fits inside its
  padding, a field's placeholder fits: nothing is clipped or elided;
* **inside** — the widget lies inside the window and inside its parent
  (what sticks out is cut off); in the conversation, which scrolls by
  dragging, the newest bubble must be wholly in view;
* **touch** — every enabled button and text field is at least
  `MIN_TOUCH_PX` (60 px, 15 mm on a 21.5" 1080p panel) in both directions;
* **contrast** — text colour against the colour really painted behind it
  (the most common colour of the grabbed window in the widget's box) is at
  least 4.5:1 (WCAG 2.1 AA); disabled controls are exempt, as in WCAG;
* **choices** — in elderly-friendly mode, at most six choices on the screen
  besides the help bar.

Each failure is a `Problem` naming the widget; `Report.checks` counts what
was checked, so a test can say how much it proved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from kiosk.buttons import UNBREAKABLE
from kiosk.layout import MIN_TOUCH_PX
from kiosk.theme import AA_TEXT_CONTRAST, contrast_ratio

MAX_ELDERLY_CHOICES = 6
SLACK_PX = 1  # rounding


@dataclass(frozen=True, slots=True)
class Problem:
    check: str  # text | inside | touch | contrast | choices
    widget: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.widget}: {self.detail}"


@dataclass
class Report:
    checks: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def add(self, check: str, ok: bool, widget: QWidget, detail: str) -> None:
        self.checks[check] += 1
        if not ok:
            self.problems.append(Problem(check, describe(widget), detail))

    @property
    def total(self) -> int:
        return sum(self.checks.values())


def describe(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, (QLabel, QAbstractButton)):
        text = widget.text()
    elif isinstance(widget, QLineEdit):
        text = widget.text() or widget.placeholderText()
    shown = f" {text[:30]!r}" if text else ""
    return f"{type(widget).__name__}#{widget.objectName() or '?'}{shown}"


def check_window(window: QWidget, elderly: bool = False) -> Report:
    """Every check on every visible widget of `window` as drawn now (call after the layouts settled)."""
    report = Report()
    image = window.grab().toImage()
    widgets = [w for w in window.findChildren(QWidget) if w.isVisible() and w.width() > 0 and w.height() > 0]
    contents = {id(area.widget()) for area in window.findChildren(QScrollArea) if area.widget() is not None}
    for widget in widgets:
        if id(widget) in contents:
            continue  # the conversation's content: taller than its view by design (dragged, never cut)
        scroller = _scroll_area_of(widget, window)
        if scroller is not None and not _in_view(widget, scroller):
            continue  # scrolled away in the conversation: not on screen now
        _check_inside(report, window, widget, scroller)
        _check_text(report, widget)
        _check_touch(report, widget)
        _check_contrast(report, window, image, widget)
    if elderly:
        choices = [w for w in widgets if _is_choice(w, window)]
        names = ", ".join(describe(w) for w in choices)
        report.add("choices", len(choices) <= MAX_ELDERLY_CHOICES, window, f"{len(choices)} choices: {names}")
    return report


# -- where ---------------------------------------------------------------------------


def _box_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def _scroll_area_of(widget: QWidget, window: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea) and parent.widget() is not widget:
            return parent
        parent = parent.parentWidget()
    return None


def _in_view(widget: QWidget, area: QScrollArea) -> bool:
    return _box_in(widget, area.viewport()).intersects(area.viewport().rect())


def _check_inside(report: Report, window: QWidget, widget: QWidget, scroller: QScrollArea | None) -> None:
    box = _box_in(widget, window)
    report.add("inside", window.rect().adjusted(0, 0, SLACK_PX, SLACK_PX).contains(box), widget, f"at {box}")
    if scroller is not None:
        inner = scroller.widget()
        newest = _is_newest_bubble_part(widget, inner)
        if newest:
            view = scroller.viewport().rect().adjusted(0, 0, SLACK_PX, SLACK_PX)
            where = _box_in(widget, scroller.viewport())
            report.add("inside", view.contains(where), widget, f"newest bubble part at {where} outside {view}")
        return
    parent = widget.parentWidget()
    if parent is not None and parent is not window:
        room = parent.rect().adjusted(0, 0, SLACK_PX, SLACK_PX)
        report.add("inside", room.contains(widget.geometry()), widget, f"{widget.geometry()} outside its parent {room}")


def _is_newest_bubble_part(widget: QWidget, inner: QWidget | None) -> bool:
    if inner is None:
        return False
    bubbles = [child for child in inner.findChildren(QWidget) if child.objectName().startswith("bubble_")]
    if not bubbles:
        return False
    newest = max(bubbles, key=lambda bubble: bubble.y())
    return widget is newest or newest.isAncestorOf(widget)


# -- text ----------------------------------------------------------------------------


def _check_text(report: Report, widget: QWidget) -> None:
    if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
        label = widget
        metrics = label.fontMetrics()
        room = label.contentsRect()
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            report.add("text", needed <= label.height() + SLACK_PX, label, f"needs {needed}px, has {label.height()}")
            pieces = UNBREAKABLE.findall(label.text())  # words; Chinese breaks between any two characters
            widest = max((metrics.horizontalAdvance(piece) for piece in pieces), default=0)
            report.add("text", widest <= room.width() + SLACK_PX, label, f"a word {widest}px in {room.width()}")
        else:
            lines = label.text().split("\n")
            wide = max(metrics.horizontalAdvance(line) for line in lines)
            tall = metrics.height() * len(lines)
            ok = wide <= room.width() + SLACK_PX and tall <= room.height() + SLACK_PX
            report.add("text", ok, label, f"needs {wide}x{tall}px, has {room.width()}x{room.height()}")
    elif isinstance(widget, QPushButton) and widget.text() and not widget.findChildren(QLabel):
        option = QStyleOptionButton()
        widget.initStyleOption(option)
        room = widget.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, widget)
        metrics = widget.fontMetrics()
        wide, tall = metrics.horizontalAdvance(widget.text()), metrics.height()
        ok = wide <= room.width() + SLACK_PX and tall <= room.height() + SLACK_PX
        report.add("text", ok, widget, f"needs {wide}x{tall}px, has {room.width()}x{room.height()}")
    elif isinstance(widget, QLineEdit) and (widget.text() or widget.placeholderText()):
        wide = widget.fontMetrics().horizontalAdvance(widget.text() or widget.placeholderText())
        room = widget.contentsRect().width() - 8  # the frame's and the text's own margins
        report.add("text", wide <= room, widget, f"needs {wide}px, has {room}")


# -- touch ---------------------------------------------------------------------------


def _check_touch(report: Report, widget: QWidget) -> None:
    if isinstance(widget, (QAbstractButton, QLineEdit)) and widget.isEnabled():
        small = min(widget.width(), widget.height())
        report.add("touch", small >= MIN_TOUCH_PX, widget, f"{widget.width()}x{widget.height()}px")


# -- contrast ------------------------------------------------------------------------


def _check_contrast(report: Report, window: QWidget, image: QImage, widget: QWidget) -> None:
    if not widget.isEnabled():
        return  # WCAG 1.4.3: inactive controls are exempt
    palette = widget.palette()
    if isinstance(widget, QLineEdit):
        role = QPalette.ColorRole.Text if widget.text() else QPalette.ColorRole.PlaceholderText
        if not (widget.text() or widget.placeholderText()):
            return
    elif isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
        role = widget.foregroundRole()
    elif isinstance(widget, QPushButton) and widget.text() and not widget.findChildren(QLabel):
        role = widget.foregroundRole()
    else:
        return
    text = palette.color(QPalette.ColorGroup.Active, role).name()
    behind = painted_background(image, _box_in(widget, window), text)
    if behind is None:
        return
    ratio = contrast_ratio(text, behind)
    report.add("contrast", ratio >= AA_TEXT_CONTRAST, widget, f"{text} on {behind}: {ratio:.2f}:1")


def painted_background(image: QImage, box: QRect, text: str) -> str | None:
    """The most common colour painted in `box` (text is thin: the rest is what it stands on)."""
    box = box.intersected(image.rect())
    if box.width() < 2 or box.height() < 2:
        return None
    counts: Counter[str] = Counter()
    steps_x, steps_y = min(24, box.width()), min(12, box.height())
    for i in range(steps_x):
        x = box.left() + (box.width() - 1) * i // max(1, steps_x - 1)
        for j in range(steps_y):
            y = box.top() + (box.height() - 1) * j // max(1, steps_y - 1)
            counts[QColor(image.pixel(x, y)).name()] += 1
    common = counts.most_common(2)
    if common[0][0] == text and len(common) > 1 and common[1][1] * 6 >= sum(counts.values()):
        return common[1][0]  # a huge glyph can cover more of its box than the background does
    return common[0][0]


# -- choices ---------------------------------------------------------------------------


def _is_choice(widget: QWidget, window: QWidget) -> bool:
    """A button the customer chooses with, outside the help bar (which is the same on every screen)."""
    if not isinstance(widget, QAbstractButton) or not widget.isEnabled():
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if parent.objectName() == "helpBar":
            return False
        parent = parent.parentWidget()
    return True
