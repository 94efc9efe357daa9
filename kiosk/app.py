"""Entry points of the kiosk: build the greeter window, or build and run it.

The CLI (`lobby kiosk`) loads the configuration, builds the hardware adapters
and calls `run_kiosk`. Tests call `build_window` and drive it with qtbot.
"""

from __future__ import annotations

import logging
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import PySide6
from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtWidgets import QApplication

from hardware.ports import Microphone, Scanner, Speaker, SpeechRecognizer, TicketPrinter
from kiosk.controller import KioskController
from kiosk.hub_client import HubClient
from kiosk.layout import LAYOUTS, Layout, choose_layout
from kiosk.theme import DEFAULT_ACCENT
from kiosk.viewmodel import KioskModel
from kiosk.views import KioskWindow

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KioskLook:
    """How the kiosk looks and behaves for its screen and its customers (branch.yml `kiosk:`)."""

    layout: Layout | None = None  # None: 1280x800 (tests); `run_kiosk` takes the screen's
    accent: str = DEFAULT_ACCENT
    logo: str = ""  # the bank's logo file (SVG/PNG)
    elderly: bool = False  # elderly-friendly mode by default (and after every idle reset)
    elderly_idle_timeout_s: float = 180
    elderly_speech_tempo: float = 0.8


class _Probe(QObject):
    ping = Signal()


def qt_binding_problem(emits: int = 20) -> str | None:
    """Why this Qt binding cannot run a kiosk for long, or None if it can.

    PySide6 6.12.0 on Python 3.11 drops one reference to `True` on every
    Python-side `Signal.emit()` (and to `None` on every void call); `True`
    starts with a few hundred references, so the process aborts with
    "bool_dealloc" after some hundred signals (minutes for a kiosk). Python
    3.12+ (immortal singletons) or PySide6 < 6.12 do not have the problem.
    """
    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(emits):
        probe.ping.emit()
    lost = max(b - a for b, a in zip(before, (sys.getrefcount(True), sys.getrefcount(None)), strict=True))
    if lost < emits // 2:
        return None
    return (
        f"PySide6 {PySide6.__version__} on Python {platform.python_version()} leaks a reference "
        "to True/None per signal; the kiosk will crash (bool_dealloc) after a while. "
        "Use Python >= 3.12 or PySide6 < 6.12."
    )


def build_window(
    hub_url: str,
    branch_name: str | Mapping[str, str],
    printer: TicketPrinter,
    speaker: Speaker,
    microphone: Microphone,
    recognizer: SpeechRecognizer,
    lang: str = "en",
    idle_timeout_s: float = 60,
    *,
    hub_timeout_s: float = 10.0,
    hub_token: str = "",
    health_interval_s: float = 5.0,
    record_seconds: float = 8.0,
    start: bool = True,
    languages: Sequence[str] = ("en", "zh"),
    grammar: Sequence[str] = (),
    scanner: Scanner | None = None,
    hands_free: bool = True,
    recognizers: Mapping[str, SpeechRecognizer] | None = None,
    grammars: Mapping[str, Sequence[str]] | None = None,
    look: KioskLook | None = None,
) -> tuple[KioskWindow, KioskController]:
    """Build model, window and controller (a QApplication must exist); nothing is shown.

    `branch_name`: one name, or the branch's name per language ({"en": ..., "zh": ...}, branch.yml's
    `display_name(lang)`): the greeting, the attract screen, the window title and the printed ticket
    name it in the language shown.

    Voice per language: `recognizers` and `grammars` ({lang: ...}) serve the languages they
    name, `recognizer` and `grammar` every other one. With `start` the controller begins its
    background hub/device checks (and loads the speech model) at once. Call
    `controller.shutdown()` when done.
    """
    look = look or KioskLook()
    model = KioskModel(branch_name, lang=lang)
    window = KioskWindow(model, languages=languages, layout=look.layout, accent=look.accent, logo=look.logo)
    controller = KioskController(
        model,
        window,
        HubClient(hub_url, timeout=hub_timeout_s, token=hub_token),
        printer,
        speaker,
        microphone,
        recognizer,
        lang=lang,
        idle_timeout_s=idle_timeout_s,
        health_interval_s=health_interval_s,
        record_seconds=record_seconds,
        grammar=grammar,
        scanner=scanner,
        hands_free=hands_free,
        recognizers=recognizers,
        grammars=grammars,
        elderly_default=look.elderly,
        elderly_idle_timeout_s=look.elderly_idle_timeout_s,
        elderly_speech_tempo=look.elderly_speech_tempo,
    )
    if start:
        controller.start()
    return window, controller


def screen_layout(app: QApplication, orientation: str = "auto", resolution: str = "") -> tuple[Layout, QRect]:
    """The layout for the primary screen (or `resolution`, never larger than the screen) and where it goes."""
    screen = app.primaryScreen()
    geometry = screen.geometry() if screen is not None else QRect(0, 0, *LAYOUTS[0].size)
    layout = choose_layout((geometry.width(), geometry.height()), orientation, resolution)
    return layout, QRect(geometry.x(), geometry.y(), layout.width, layout.height)


def show_kiosk(window: KioskWindow, where: QRect) -> None:
    """Show the window covering `where` (the screen), frameless, with or without a window manager.

    Kiosk sessions often run a bare X server: no window manager honours `showFullScreen()` there, and
    the window would open at its size hint in a corner. So the window takes the geometry itself, and
    asks for full screen too, for the window managers that do honour it.
    """
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    window.setFixedSize(where.size())
    window.setGeometry(where)
    window.showFullScreen()
    window.move(where.topLeft())


def run_kiosk(
    hub_url: str,
    branch_name: str | Mapping[str, str],
    printer: TicketPrinter,
    speaker: Speaker,
    microphone: Microphone,
    recognizer: SpeechRecognizer,
    lang: str = "en",
    idle_timeout_s: int = 60,
    hub_token: str = "",
    languages: Sequence[str] = ("en", "zh"),
    grammar: Sequence[str] = (),
    scanner: Scanner | None = None,
    hands_free: bool = True,
    recognizers: Mapping[str, SpeechRecognizer] | None = None,
    grammars: Mapping[str, Sequence[str]] | None = None,
    look: KioskLook | None = None,
    orientation: str = "auto",
    resolution: str = "",
) -> int:
    """Show the greeter over the whole screen and run the Qt event loop; returns its exit code.

    `orientation` and `resolution` (branch.yml `kiosk.*`) pick the layout, else the screen's size does.
    """
    existing = QApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        raise RuntimeError("the kiosk needs a QApplication, a QCoreApplication already exists")
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    problem = qt_binding_problem()
    if problem is not None:
        logger.error("%s", problem)
    layout, where = screen_layout(app, orientation, resolution)
    look = replace(look or KioskLook(), layout=layout)
    window, controller = build_window(
        hub_url,
        branch_name,
        printer,
        speaker,
        microphone,
        recognizer,
        lang,
        idle_timeout_s,
        hub_token=hub_token,
        languages=languages,
        grammar=grammar,
        scanner=scanner,
        hands_free=hands_free,
        recognizers=recognizers,
        grammars=grammars,
        look=look,
    )
    app.aboutToQuit.connect(controller.shutdown)
    name = window.model.branch_name_in("en")
    logger.info(
        "kiosk for %s started against hub %s (platform %s, layout %s at %dx%d)",
        name, hub_url, app.platformName(), layout.name, layout.width, layout.height,
    )  # fmt: skip
    show_kiosk(window, where)
    return int(app.exec())
