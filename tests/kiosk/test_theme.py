"""The stylesheet: parses without Qt warnings, scales for large text, meets WCAG AA in high contrast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import CJK_FAMILY, LANGUAGES, catalog
from kiosk.theme import (
    AA_NON_TEXT_CONTRAST,
    AA_TEXT_CONTRAST,
    BASE_TOUCH_HEIGHT,
    BLACK,
    HIGH_CONTRAST,
    LARGE_HIGH_CONTRAST,
    LARGE_TEXT,
    NORMAL,
    SCREENS,
    THEMES,
    Theme,
    contrast_ratio,
    parse_hex,
    stylesheet,
)

LEGACY_NAMES = (
    "greeting",
    "micButton",
    "messageInput",
    "bubble_customer",
    "bubble_assistant",
    "bubble_system",
    "ticketCard",
    "routeCard",
    "ticketNumber",
    "ticketService",
    "routeName",
    "hubBanner",
    "statusLine",
)
NEW_NAMES = (
    "attractScreen",
    *SCREENS,
    "bigMicButton",
    "levelMeter",
    "partialTranscript",
    "langButton",
)
OFFSCREEN_NOISE = ("propagateSizeHints",)  # the offscreen platform says this for every top-level window
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
W = TypeVar("W", bound=QWidget)


# -- helpers ----------------------------------------------------------------------------


def blocks(sheet: str) -> list[tuple[str, dict[str, str]]]:
    """'sel { a: b; c: d; }' -> [('sel', {'a': 'b', 'c': 'd'})]; the sheet has no nested braces."""
    parsed = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        declarations = {}
        for part in body.split(";"):
            if ":" in part:
                name, value = part.split(":", 1)
                declarations[name.strip()] = value.strip()
        parsed.append((selector.strip(), declarations))
    return parsed


def px(value: str) -> int:
    found = re.fullmatch(r"(\d+)px", value)
    assert found is not None, value
    return int(found.group(1))


def sizes(sheet: str, prop: str) -> dict[str, int]:
    return {selector: px(decl[prop]) for selector, decl in blocks(sheet) if prop in decl}


def background(declarations: dict[str, str]) -> str | None:
    for prop in ("background-color", "background"):
        found = HEX.search(declarations.get(prop, ""))
        if found:
            return found.group(0)
    return None


def border_colour(declarations: dict[str, str]) -> str | None:
    for prop in ("border-color", "border"):
        found = HEX.search(declarations.get(prop, ""))
        if found:
            return found.group(0)
    return None


@contextmanager
def qt_messages() -> Iterator[list[str]]:
    """Collect Qt's warnings (qWarning and worse) while the block runs."""
    messages: list[str] = []

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        quiet = kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg)
        if not quiet and not any(noise in message for noise in OFFSCREEN_NOISE):
            messages.append(message)

    previous = qInstallMessageHandler(handler)
    try:
        yield messages
    finally:
        qInstallMessageHandler(previous)


def kiosk_tree() -> QWidget:
    """A widget of every kind and object name the kiosk styles."""
    root = QWidget()
    layout = QVBoxLayout(root)

    def add(widget: W, name: str = "", parent_layout: QVBoxLayout = layout) -> W:
        if name:
            widget.setObjectName(name)
        parent_layout.addWidget(widget)
        return widget

    for name in ("greeting", "ticketNumber", "ticketService", "routeName", "hubBanner", "statusLine"):
        add(QLabel("A023 请取号"), name)
    add(QLabel("withdraw cash…"), "partialTranscript")
    add(QPushButton("Speak"), "micButton")
    add(QPushButton("Tap to talk"), "bigMicButton")
    add(QPushButton(LANGUAGES["zh"]), "langButton")
    toggle = add(QPushButton("Large text"), "largeTextButton")
    toggle.setProperty("a11y", True)
    toggle.setCheckable(True)
    toggle.setChecked(True)
    add(QPushButton("Send"))
    disabled = add(QPushButton("Send"))
    disabled.setEnabled(False)
    tile = add(QPushButton("Cash and\ncheques"), "tile_cash")
    tile.setProperty("tile", True)
    field = add(QLineEdit(), "messageInput")
    field.setPlaceholderText("Type your question here")
    meter = add(QProgressBar(), "levelMeter")
    meter.setValue(40)
    for name in ("bubble_customer", "bubble_assistant", "bubble_system", "ticketCard", "routeCard"):
        frame = add(QFrame(), name)
        inner = QVBoxLayout(frame)
        add(QLabel("You are next"), "bubbleText", inner)
    for name in ("attractScreen", *SCREENS):
        screen = add(QWidget(), name)
        inner = QVBoxLayout(screen)
        add(QLabel("Touch the screen or say hello"), "", inner)
        add(QPushButton("Start again"), "", inner)
        if name == "checkInCard":
            add(QLineEdit(), "bookingCode", inner)
    scroll = add(QScrollArea(), "conversation")
    scroll.setWidget(QLabel("\n".join(["line"] * 80)))
    return root


def styled(qapp: QApplication, sheet: str) -> tuple[QWidget, list[str]]:
    """Apply `sheet` to a kiosk tree, show and paint it; return the tree and Qt's warnings."""
    root = kiosk_tree()
    with qt_messages() as messages:
        root.setStyleSheet(sheet)
        root.show()
        qapp.processEvents()
        root.grab()
    return root, messages


# -- contrast helper --------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#2c5aa0", "#2c5aa0") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffff00", "#000000") == pytest.approx(19.56, abs=0.01)
    assert parse_hex("#fa0") == (255, 170, 0)
    with pytest.raises(ValueError):
        parse_hex("yellow")


# -- the sheet parses ---------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES, ids=lambda theme: f"large={theme.large_text},hc={theme.high_contrast}")
@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_stylesheet_applies_without_qt_warnings(qapp: QApplication, theme: Theme, lang: str) -> None:
    sheet = stylesheet(theme, catalog(lang).font_families)
    assert sheet.count("{") == sheet.count("}")
    root, messages = styled(qapp, sheet)
    assert messages == []
    root.close()


def test_the_warning_check_can_fail(qapp: QApplication) -> None:
    root, messages = styled(qapp, stylesheet(NORMAL) + "QLabel#broken { font-size: 12px; ")
    assert any("Could not parse stylesheet" in message for message in messages)
    root.close()


@pytest.mark.parametrize("theme", THEMES, ids=lambda theme: f"large={theme.large_text},hc={theme.high_contrast}")
def test_every_object_name_has_a_rule(theme: Theme) -> None:
    selectors = " ".join(selector for selector, _decl in blocks(stylesheet(theme)))
    for name in (*LEGACY_NAMES, *NEW_NAMES):
        assert re.search(rf"#{name}\b", selectors), name
    assert 'QPushButton[tile="true"]' in selectors


def test_the_catalog_font_list_leads_the_sheet(qapp: QApplication) -> None:
    sheet = stylesheet(NORMAL, catalog("zh").font_families)
    assert blocks(sheet)[0] == ("QWidget", {"font-family": f'"{CJK_FAMILY}", "DejaVu Sans"', "font-size": "22px"})
    root, _messages = styled(qapp, sheet)
    label = root.findChild(QLabel, "greeting")
    assert label is not None and label.font().families()[0] == CJK_FAMILY
    english_root, _messages = styled(qapp, stylesheet(NORMAL, catalog("en").font_families))
    english = english_root.findChild(QLabel, "greeting")
    assert english is not None and CJK_FAMILY in english.font().families()  # for "中文" on the switch
    root.close()
    english_root.close()
    assert "font-family" not in stylesheet(NORMAL)


# -- large text -----------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "large"), [(NORMAL, LARGE_TEXT), (HIGH_CONTRAST, LARGE_HIGH_CONTRAST)])
def test_large_text_scales_every_font_size_and_touch_target(base: Theme, large: Theme) -> None:
    for prop in ("font-size", "min-height"):
        normal, bigger = sizes(stylesheet(base), prop), sizes(stylesheet(large), prop)
        assert normal.keys() == bigger.keys()
        for selector, size in normal.items():
            assert bigger[selector] >= 1.4 * size, f"{selector} {prop}: {bigger[selector]} < 1.4 x {size}"
    assert len(sizes(stylesheet(base), "font-size")) >= 15
    assert large.touch_height >= 1.4 * BASE_TOUCH_HEIGHT == 1.4 * NORMAL.touch_height


def test_large_text_reaches_the_widgets(qapp: QApplication) -> None:
    normal, _ = styled(qapp, stylesheet(NORMAL))
    large, _ = styled(qapp, stylesheet(LARGE_TEXT))
    pairs = list(zip(normal.findChildren(QWidget), large.findChildren(QWidget), strict=True))
    assert len(pairs) > 40
    for small, big in pairs:
        assert big.font().pixelSize() >= 1.4 * small.font().pixelSize(), small.objectName()
    number, normal_number = large.findChild(QLabel, "ticketNumber"), normal.findChild(QLabel, "ticketNumber")
    assert number is not None and normal_number is not None and normal_number.font().pixelSize() >= 72
    assert number.font().pixelSize() >= 1.4 * normal_number.font().pixelSize()
    button = large.findChild(QPushButton, "langButton")
    assert button is not None and button.minimumSizeHint().height() >= 1.4 * BASE_TOUCH_HEIGHT
    normal.close()
    large.close()


# -- high contrast ----------------------------------------------------------------------------


@pytest.mark.parametrize("theme", [HIGH_CONTRAST, LARGE_HIGH_CONTRAST], ids=["hc", "large+hc"])
def test_high_contrast_pairs_meet_wcag_aa(theme: Theme) -> None:
    sheet = stylesheet(theme)
    checked = 0
    for selector, declarations in blocks(sheet):
        for prop, value in declarations.items():
            if "color" in prop or prop in ("background", "border"):
                assert value in ("none", "transparent") or HEX.search(value), f"{selector} {prop}: {value}"
        fill = background(declarations)
        if "color" in declarations:
            assert fill is not None, f"{selector} declares a text colour but no background"
            ratio = contrast_ratio(declarations["color"], fill)
            assert ratio >= AA_TEXT_CONTRAST, f"{selector}: {declarations['color']} on {fill} is {ratio:.2f}:1"
            checked += 1
        if "selection-color" in declarations:
            ratio = contrast_ratio(declarations["selection-color"], declarations["selection-background-color"])
            assert ratio >= AA_TEXT_CONTRAST, f"{selector} selection: {ratio:.2f}:1"
            checked += 1
        if "placeholder-text-color" in declarations:
            assert fill is not None
            assert contrast_ratio(declarations["placeholder-text-color"], fill) >= AA_TEXT_CONTRAST, selector
            checked += 1
        edge = border_colour(declarations)
        if edge is not None:  # borders outline components on the black page
            assert contrast_ratio(edge, BLACK) >= AA_NON_TEXT_CONTRAST, f"{selector} border {edge}"
            checked += 1
        if fill is not None and fill != BLACK and "color" not in declarations:  # a fill with no text on it
            assert contrast_ratio(fill, BLACK) >= AA_NON_TEXT_CONTRAST, f"{selector} fill {fill}"
    assert checked >= 30


def test_high_contrast_is_black_with_white_or_yellow_text_and_thick_borders() -> None:
    sheet = dict(blocks(stylesheet(HIGH_CONTRAST)))
    assert sheet["QWidget"]["background-color"] == BLACK
    texts = {declarations["color"] for declarations in sheet.values() if "color" in declarations}
    assert texts <= {"#ffffff", "#ffff00", "#000000", "#b3b3b3"}  # black only on yellow, grey only when disabled
    assert px(sheet["QPushButton"]["border"].split()[0]) >= 4
    assert px(sheet["QFrame#ticketCard, QFrame#routeCard, QFrame#appointmentCard"]["border"].split()[0]) >= 4


@pytest.mark.parametrize("theme", [HIGH_CONTRAST, LARGE_HIGH_CONTRAST], ids=["hc", "large+hc"])
def test_high_contrast_colours_reach_every_widget(qapp: QApplication, theme: Theme) -> None:
    """What Qt actually applied: each widget's text colour against its own background."""
    root, _ = styled(qapp, stylesheet(theme))
    widgets = root.findChildren(QWidget)
    for widget in widgets:
        palette = widget.palette()
        group = QPalette.ColorGroup.Active if widget.isEnabled() else QPalette.ColorGroup.Disabled
        text = palette.color(group, widget.foregroundRole()).name()
        fill = palette.color(group, widget.backgroundRole()).name()
        where = f"{type(widget).__name__}#{widget.objectName()}"
        assert contrast_ratio(text, fill) >= AA_TEXT_CONTRAST, f"{where}: {text} on {fill}"
    number = root.findChild(QLabel, "ticketNumber")
    assert number is not None and number.palette().color(QPalette.ColorRole.WindowText).name() == "#ffff00"
    field = root.findChild(QLineEdit, "messageInput")
    assert field is not None
    placeholder = field.palette().color(QPalette.ColorRole.PlaceholderText).name()
    assert contrast_ratio(placeholder, field.palette().color(QPalette.ColorRole.Base).name()) >= AA_TEXT_CONTRAST
    root.close()


def test_normal_theme_text_pairs_are_readable_too() -> None:
    """Outside disabled states, every colour pair the normal sheet declares meets AA as well."""
    sheet = blocks(stylesheet(NORMAL))
    checked = 0
    for selector, declarations in sheet:
        fill = background(declarations)
        if "color" in declarations and fill is not None and ":disabled" not in selector:
            assert contrast_ratio(declarations["color"], fill) >= AA_TEXT_CONTRAST, selector
            checked += 1
    assert checked >= 3
    # The attract screen's labels are transparent over the screen's own dark fill.
    screen, labels = dict(sheet)["QWidget#attractScreen"], dict(sheet)["QWidget#attractScreen QLabel"]
    assert labels["background"] == "transparent"
    assert contrast_ratio(labels["color"], screen["background"]) >= AA_TEXT_CONTRAST
