"""Entry points of the kiosk: build the greeter window, or build and run it.

The CLI (`lobby kiosk`) loads the configuration, builds the hardware adapters
and calls `run_kiosk`. Tests call `build_window` and drive it with qtbot.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication

from hardware.ports import Microphone, Speaker, SpeechRecognizer, TicketPrinter
from kiosk.controller import KioskController
from kiosk.hub_client import HubClient
from kiosk.viewmodel import KioskModel
from kiosk.views import KioskWindow

logger = logging.getLogger(__name__)


def build_window(
    hub_url: str,
    branch_name: str,
    printer: TicketPrinter,
    speaker: Speaker,
    microphone: Microphone,
    recognizer: SpeechRecognizer,
    lang: str = "en",
    idle_timeout_s: float = 60,
    *,
    hub_timeout_s: float = 10.0,
    health_interval_s: float = 5.0,
    record_seconds: float = 8.0,
    start: bool = True,
) -> tuple[KioskWindow, KioskController]:
    """Build model, window and controller (a QApplication must exist); nothing is shown.

    With `start` the controller begins its background hub/device checks at once.
    Call `controller.shutdown()` when done.
    """
    model = KioskModel(branch_name)
    window = KioskWindow(model)
    controller = KioskController(
        model,
        window,
        HubClient(hub_url, timeout=hub_timeout_s),
        printer,
        speaker,
        microphone,
        recognizer,
        lang=lang,
        idle_timeout_s=idle_timeout_s,
        health_interval_s=health_interval_s,
        record_seconds=record_seconds,
    )
    if start:
        controller.start()
    return window, controller


def run_kiosk(
    hub_url: str,
    branch_name: str,
    printer: TicketPrinter,
    speaker: Speaker,
    microphone: Microphone,
    recognizer: SpeechRecognizer,
    lang: str = "en",
    idle_timeout_s: int = 60,
) -> int:
    """Show the greeter full screen and run the Qt event loop; returns its exit code."""
    existing = QApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        raise RuntimeError("the kiosk needs a QApplication, a QCoreApplication already exists")
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    window, controller = build_window(
        hub_url, branch_name, printer, speaker, microphone, recognizer, lang, idle_timeout_s
    )
    app.aboutToQuit.connect(controller.shutdown)
    logger.info("kiosk for %s started against hub %s (platform %s)", branch_name, hub_url, app.platformName())
    window.showFullScreen()
    return int(app.exec())
