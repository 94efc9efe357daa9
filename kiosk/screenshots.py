"""`lobby kiosk --screenshots DIR [--resolution WxH] [--mode elderly]`: every kiosk screen as PNG files.

The real window is built for each layout and driven through its model with
the branch's own services and sample outcomes in English and Chinese (no
hub, no hardware needed: `kiosk.matrix`), then grabbed offscreen. Each
layout and mode gets a folder of full-size screens (`DIR/1280x800-normal/
en-01-attract.png`, ...) and a contact sheet of all of them
(`DIR/kiosk-1280x800-normal.png`). Without `--resolution` every designed
layout is shot; without `--mode`, normal, elderly and high contrast.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication

from kiosk.layout import LAYOUTS, Layout
from kiosk.matrix import Combination, Mode, walk
from kiosk.views import KioskWindow
from lobby_wire import ServiceView

logger = logging.getLogger(__name__)

SHEET_THUMB_WIDTH = 360  # px: a contact sheet's thumbnail (portrait ones are as wide, twice as tall)
SHEET_COLUMNS = 6
CAPTION_PX = 28


def take_screenshots(
    out: Path,
    branch_name: str | Mapping[str, str],
    services: Callable[[str], Sequence[ServiceView]],
    layouts: Sequence[Layout] = LAYOUTS,
    modes: Sequence[Mode] = tuple(Mode),
    logo: str = "",
    accent: str | None = None,
) -> list[Path]:
    """Write every screen of every layout and mode under `out`; returns the contact sheets, then the screens.

    `branch_name`: one name, or the branch's name per language. `services(lang)`: the branch's
    services with names in `lang` (the tiles). Needs a QApplication.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("take_screenshots needs a QApplication")
    sheets: list[Path] = []
    screens: list[Path] = []
    for layout in layouts:
        for mode in modes:
            folder = out / f"{layout.name}-{mode}"
            folder.mkdir(parents=True, exist_ok=True)
            shots: list[tuple[str, QImage]] = []

            def shoot(
                combination: Combination,
                scene: str,
                window: KioskWindow,
                into: Path = folder,
                shots: list[tuple[str, QImage]] = shots,
            ) -> None:
                image = window.grab().toImage()
                name = f"{combination.lang}-{len(shots) + 1:02d}-{scene}"
                path = into / f"{name}.png"
                if not image.save(str(path)):
                    raise OSError(f"could not write {path}")
                shots.append((name, image))
                screens.append(path)

            walk(layout, services, shoot, branch_name, modes=(mode,), logo=logo, accent=accent)
            sheet = out / f"kiosk-{layout.name}-{mode}.png"
            if not contact_sheet(shots, f"{layout.name} {mode}").save(str(sheet)):
                raise OSError(f"could not write {sheet}")
            logger.info("wrote %s and %d screens in %s", sheet, len(shots), folder)
            sheets.append(sheet)
    return [*sheets, *screens]


def contact_sheet(shots: Sequence[tuple[str, QImage]], title: str) -> QImage:
    """The screens as captioned thumbnails in rows of `SHEET_COLUMNS`."""
    first = shots[0][1]
    thumb_w = SHEET_THUMB_WIDTH
    thumb_h = round(first.height() * thumb_w / first.width())
    columns = min(SHEET_COLUMNS, len(shots))
    rows = math.ceil(len(shots) / columns)
    cell_h = thumb_h + CAPTION_PX
    sheet = QImage(columns * (thumb_w + 8) + 8, rows * (cell_h + 8) + 8 + CAPTION_PX, QImage.Format.Format_RGB32)
    sheet.fill(QColor("#ffffff"))
    painter = QPainter(sheet)
    try:
        font = QFont("DejaVu Sans")
        font.setPixelSize(18)
        painter.setFont(font)
        painter.setPen(QColor("#000000"))
        painter.drawText(QRect(8, 0, sheet.width() - 16, CAPTION_PX), Qt.AlignmentFlag.AlignVCenter, title)
        for index, (name, image) in enumerate(shots):
            x = 8 + (index % columns) * (thumb_w + 8)
            y = CAPTION_PX + 8 + (index // columns) * (cell_h + 8)
            scaled = image.scaled(
                thumb_w, thumb_h, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            painter.drawImage(x, y, scaled)
            painter.drawRect(x, y, scaled.width() - 1, scaled.height() - 1)
            painter.drawText(QRect(x, y + thumb_h, thumb_w, CAPTION_PX), Qt.AlignmentFlag.AlignCenter, name)
    finally:
        painter.end()
    return sheet
