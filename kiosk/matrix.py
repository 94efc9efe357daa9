"""The layout matrix: every screen x the four layouts x {normal, elderly, high contrast} x {en, zh}.

`walk(layout, services, on_screen)` builds one window per layout, then for
each mode and language walks every scene (`kiosk.scenes`) and calls
`on_screen(combination, scene, window)` with the screen drawn. The layout
test checks each screen there (`kiosk.layout_check`); `lobby kiosk
--screenshots` photographs it. Building once per layout and switching mode
and language through the model keeps the 24 combinations fast.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PySide6.QtWidgets import QApplication

from hardware.fakes import FakeMicrophone, FakePrinter, FakeRecognizer, FakeSpeaker
from kiosk.app import KioskLook, build_window
from kiosk.layout import Layout
from kiosk.scenes import READY, sample_waits, scenes
from kiosk.viewmodel import HubState
from kiosk.views import KioskWindow
from lobby_wire import ServiceView

LANGUAGES = ("en", "zh")
SETTLE_ROUNDS = 3


class Mode(StrEnum):
    NORMAL = "normal"
    ELDERLY = "elderly"
    HIGH_CONTRAST = "high-contrast"


@dataclass(frozen=True, slots=True)
class Combination:
    layout: Layout
    mode: Mode
    lang: str

    @property
    def name(self) -> str:
        return f"{self.layout.name}-{self.mode}-{self.lang}"


Services = Callable[[str], Sequence[ServiceView]]
OnScreen = Callable[[Combination, str, KioskWindow], None]


def settle(app: QApplication) -> None:
    for _ in range(SETTLE_ROUNDS):
        app.processEvents()


def walk(
    layout: Layout,
    services: Services,
    on_screen: OnScreen,
    branch_name: str | Mapping[str, str] = "Lobby Demo Branch",
    modes: Sequence[Mode] = tuple(Mode),
    languages: Sequence[str] = LANGUAGES,
    logo: str = "",
    accent: str | None = None,
) -> int:
    """Show every scene of every mode and language at `layout`; returns how many screens were shown."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("the layout matrix needs a QApplication")
    look = KioskLook(layout=layout, logo=logo, **({"accent": accent} if accent else {}))
    shown = 0
    with tempfile.TemporaryDirectory(prefix="lobby-matrix-") as tmp:
        window, controller = build_window(
            "http://127.0.0.1:9",  # never called: start=False and the scenes drive the model
            branch_name,
            FakePrinter(),
            FakeSpeaker(Path(tmp)),
            FakeMicrophone(),
            FakeRecognizer(""),
            languages=languages,
            start=False,
            look=look,
        )
        try:
            model = window.model
            model.set_hub_state(HubState.ONLINE)
            model.set_hardware(READY)
            for lang in languages:
                model.set_waits(lang, sample_waits([(s.id, s.name) for s in services(lang)]))
            window.show()
            for lang in languages:
                model.set_language(lang)
                model.set_services(services(lang))
                for mode in modes:
                    model.set_theme(large_text=mode is Mode.ELDERLY, high_contrast=mode is Mode.HIGH_CONTRAST)
                    combination = Combination(layout, mode, lang)
                    for name, scene in scenes(model, window):
                        scene()
                        settle(app)
                        on_screen(combination, name, window)
                        shown += 1
        finally:
            controller.shutdown()
            window.close()
    return shown
