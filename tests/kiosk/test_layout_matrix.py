"""The layout matrix: every kiosk screen x 4 layouts x {normal, elderly, high contrast} x {en, zh}, checked by machine.

Each combination walks every screen of the journey (`kiosk.scenes`) in one window per layout and
checks, on what is really drawn: no text clipped or elided, nothing outside the window or its
parent, touch targets of at least 60 px, text contrast of at least 4.5:1, and in elderly-friendly
mode at most six choices (`kiosk.layout_check`). The checker itself is shown to fail on a broken
window. The branch's own nine services and names from branch.yml are used.
"""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from assistant.settings import load_settings
from kiosk.layout import LAYOUTS, Layout
from kiosk.layout_check import Problem, check_window
from kiosk.matrix import LANGUAGES, Combination, Mode, walk
from kiosk.views import KioskWindow
from lobby_wire import ServiceView
from tests.support import ROOT

SETTINGS = load_settings(ROOT / "branch.yml")
NAMES = {lang: SETTINGS.branch.display_name(lang) for lang in LANGUAGES}
LOGO = str(SETTINGS.resolve(SETTINGS.kiosk.theme.logo))
TOTALS: Counter[str] = Counter()
COMBINATIONS: set[str] = set()


def services(lang: str) -> list[ServiceView]:
    return [ServiceView(s.id, s.display_name(lang), s.prefix, s.intents, s.advisor) for s in SETTINGS.services]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_every_screen_fits_in_every_mode_and_language(qapp: QApplication, layout: Layout) -> None:
    problems: list[str] = []
    screens: Counter[str] = Counter()

    def check(combination: Combination, scene: str, window: KioskWindow) -> None:
        assert window.size().toTuple() == layout.size  # the window never grows past its screen
        report = check_window(window, elderly=combination.mode is Mode.ELDERLY)
        TOTALS.update(report.checks)
        COMBINATIONS.add(combination.name)
        screens[combination.name] += 1
        problems.extend(f"{combination.name} {scene}: {problem}" for problem in report.problems)

    shown = walk(layout, services, check, NAMES, logo=LOGO)
    assert problems == []
    assert len(screens) == len(Mode) * len(LANGUAGES) == 6
    assert all(count >= 9 for count in screens.values())  # attract, home, 5 outcomes, check-in, staff, ...
    assert shown == sum(screens.values())


def test_the_matrix_covered_24_combinations(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after the four layouts (file order): how much the matrix proved."""
    if len(COMBINATIONS) < len(LAYOUTS) * len(Mode) * len(LANGUAGES):
        pytest.fail(f"run the whole file: only {len(COMBINATIONS)} combinations were checked")
    assert {"inside", "text", "touch", "contrast", "choices"} <= set(TOTALS)
    assert TOTALS.total() > 20_000
    with capsys.disabled():
        print(f"\nlayout matrix: {len(COMBINATIONS)} combinations, {TOTALS.total()} checks {dict(TOTALS)}")


# -- the checker can fail ----------------------------------------------------------------------------


def broken_window() -> QWidget:
    """A window with each defect the checker looks for."""
    window = QWidget()
    window.setObjectName("broken")
    window.resize(400, 300)
    window.setStyleSheet("QWidget#broken { background: #ffffff; } QLabel#grey { color: #bbbbbb; }")
    layout = QVBoxLayout(window)
    clipped = QLabel("a sentence far too long for the narrow box it was given here")
    clipped.setObjectName("clipped")
    clipped.setFixedWidth(120)
    grey = QLabel("grey on white")
    grey.setObjectName("grey")
    tiny = QPushButton("OK")
    tiny.setObjectName("tiny")
    tiny.setFixedSize(90, 40)
    row = QHBoxLayout()
    row.addWidget(clipped)
    row.addWidget(tiny)
    layout.addLayout(row)
    layout.addWidget(grey)
    field = QLineEdit()
    field.setObjectName("field")
    field.setMinimumHeight(64)
    field.setPlaceholderText("x" * 200)
    layout.addWidget(field)
    outside = QLabel("off the edge", window)
    outside.setObjectName("outside")
    outside.move(360, 10)
    outside.resize(200, 30)
    for index in range(7):
        choice = QPushButton(f"choice {index}", window)
        choice.setGeometry(10 + index * 50, 200, 48, 60)
    return window


def test_the_checker_finds_clipped_text_small_targets_low_contrast_and_too_many_choices(qapp: QApplication) -> None:
    window = broken_window()
    window.show()
    qapp.processEvents()
    report = check_window(window, elderly=True)
    found: dict[str, set[str]] = {}
    for problem in report.problems:
        assert isinstance(problem, Problem)
        found.setdefault(problem.check, set()).add(problem.widget.split(" ")[0])
    assert "QLabel#clipped" in found["text"] and "QLineEdit#field" in found["text"]
    assert "QPushButton#tiny" in found["touch"]
    assert "QLabel#grey" in found["contrast"]
    assert "QLabel#outside" in found["inside"]
    assert found["choices"] == {"QWidget#broken"}
    window.close()


def test_a_kiosk_squeezed_below_its_design_is_caught(qapp: QApplication) -> None:
    """The 1280x800 design forced into 1280x420: the window keeps that size and the checker sees what no
    longer fits (the layouts never grow the window past its screen)."""
    squeezed = LAYOUTS[0].at(1280, 420)
    problems: list[Problem] = []

    def check(combination: Combination, scene: str, window: KioskWindow) -> None:
        assert window.size().toTuple() == (1280, 420)
        if scene in ("home", "ticket"):
            problems.extend(check_window(window, elderly=True).problems)

    walk(squeezed, services, check, NAMES, modes=(Mode.ELDERLY,), languages=("en",))
    assert any(problem.check in ("text", "inside") for problem in problems)
