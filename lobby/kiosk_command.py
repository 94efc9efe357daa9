"""`lobby kiosk`: the greeter kiosk with this machine's hardware, or `--screenshots` of every screen."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings
from lobby.common import settings_from

if TYPE_CHECKING:  # Qt is imported only when a kiosk command runs
    from kiosk.app import KioskLook

log = logging.getLogger("lobby")


def cmd_kiosk(args: argparse.Namespace) -> int:
    from hardware import microphone_from_config, printer_from_uri, recognizer_from_config, speaker_from_config

    settings = settings_from(args)
    if args.screenshots:
        return _kiosk_screenshots(settings, Path(args.screenshots), args.resolution, args.mode)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        log.warning("no display: the kiosk runs offscreen and logs what it shows")
    from kiosk.app import run_kiosk

    hardware = settings.hardware
    printer_uri = hardware.printer
    if printer_uri.startswith("file://") and not printer_uri.startswith("file:///"):
        printer_uri = "file://" + str(settings.resolve(printer_uri[len("file://") :]))
    from hardware.scanner import scanner_from_config
    from kiosk.i18n import catalog
    from lobby.models import kiosk_grammars, kiosk_recognizers

    voices = {lang: catalog(lang).voice for lang in settings.kiosk.languages}  # the catalog names each voice

    return run_kiosk(
        hub_url=args.hub_url or settings.hub.public_url,
        branch_name=_branch_names(settings),  # the kiosk names the branch in the language it shows
        printer=printer_from_uri(printer_uri),
        speaker=speaker_from_config(hardware.speaker, settings.resolve(hardware.voice_dir), voices),
        microphone=microphone_from_config(hardware.microphone),
        recognizer=recognizer_from_config(""),  # every kiosk language has its own (below)
        lang=args.lang or settings.kiosk.languages[0],
        idle_timeout_s=settings.kiosk.idle_timeout_seconds,
        hub_token=settings.kiosk.token,
        languages=settings.kiosk.languages,
        scanner=scanner_from_config(hardware.scanner),
        hands_free=settings.kiosk.hands_free,
        recognizers=kiosk_recognizers(settings),  # one Vosk model per language, loaded once
        grammars=kiosk_grammars(settings),
        look=_kiosk_look(settings),
        orientation=settings.kiosk.orientation,
        resolution=args.resolution or settings.kiosk.resolution,
    )


def _kiosk_look(settings: Settings) -> KioskLook:
    """branch.yml `kiosk:`: accent colour, logo, elderly-friendly mode and its idle timeout and speech."""
    from kiosk.app import KioskLook

    kiosk = settings.kiosk
    return KioskLook(
        accent=kiosk.theme.accent,
        logo=str(settings.resolve(kiosk.theme.logo)) if kiosk.theme.logo else "",
        elderly=kiosk.elderly_mode,
        elderly_idle_timeout_s=kiosk.elderly_idle_timeout_seconds,
        elderly_speech_tempo=kiosk.elderly_speech_tempo,
    )


def _branch_names(settings: Settings) -> dict[str, str]:
    """The branch's name in each kiosk language and English (branch.yml `branch.name`, per language or one)."""
    return {lang: settings.branch.display_name(lang) for lang in dict.fromkeys(("en", *settings.kiosk.languages))}


def _kiosk_screenshots(settings: Settings, out: Path, resolution: str | None = None, mode: str | None = None) -> int:
    """Render every kiosk screen offscreen to PNG files (the branch's services, sample outcomes), for every
    designed layout or `resolution`, in every mode or `mode`, with a contact sheet per layout and mode."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from kiosk.screenshots import take_screenshots
    from lobby_wire.triage import ServiceView

    app = QApplication.instance() or QApplication(["lobby-kiosk-screenshots"])
    bookable = set(settings.bookable_service_ids())

    def services(lang: str) -> list[ServiceView]:
        return [
            ServiceView(s.id, s.display_name(lang), s.prefix, s.intents, s.advisor, s.id in bookable)
            for s in settings.services
        ]

    from kiosk.layout import LAYOUTS, choose_layout, parse_resolution
    from kiosk.matrix import Mode

    layouts = LAYOUTS if not resolution else (choose_layout(parse_resolution(resolution), "auto", resolution),)
    look = _kiosk_look(settings)
    written = take_screenshots(
        out, _branch_names(settings), services, layouts, tuple(Mode) if not mode else (Mode(mode),), look.logo,
        look.accent,
    )  # fmt: skip
    print("\n".join(str(path) for path in written))
    del app
    return 0
