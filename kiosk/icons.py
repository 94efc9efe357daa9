"""Pictograms: Font Awesome 6 Free Solid glyphs from the fonts the `qtawesome` package ships.

qtawesome (MIT) installs the Font Awesome 6 Free font (SIL OFL 1.1; the icon
designs CC BY 4.0, Fonticons, Inc.) and its name -> code point map in its
package. The kiosk registers that one font with Qt and draws a pictogram as
one glyph in a label: it then takes its size and colour from the stylesheet
like any text (large text scales it, high contrast recolours it, the layout
test measures its contrast), and no image is drawn per theme. It reads the
files without importing qtawesome itself: that import pulls in QtPy's
wrappers of every Qt module, a quarter of a second of the kiosk's one-second
cold-start budget.

`glyph(name)` is the character to show; `service_icon(id, intents)` the
pictogram of a service tile (by the intents it serves, so a branch's own
service ids get one too).
"""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from PySide6.QtGui import QFontDatabase

logger = logging.getLogger(__name__)

FONT_FILE = "fontawesome6-solid-webfont-6.7.2.ttf"
CHARMAP_FILE = "fontawesome6-solid-webfont-charmap-6.7.2.json"
FALLBACK_FAMILY = "Font Awesome 6 Free Solid"
LICENCE = "Font Awesome Free 6.7.2 (font: SIL OFL 1.1, icons: CC BY 4.0), shipped by qtawesome (MIT)"

# The pictogram of a service, by the first of its intents found here (DESIGN §3 intent names).
INTENT_ICONS: Mapping[str, str] = {
    "withdraw_cash": "money-bill-wave",
    "deposit_cash": "money-bill-wave",
    "deposit_cheque": "money-check",
    "transfer_money": "money-bill-transfer",
    "send_money_abroad": "money-bill-transfer",
    "pay_bill": "file-invoice-dollar",
    "report_lost_card": "credit-card",
    "replace_card": "credit-card",
    "reset_pin": "credit-card",
    "open_account": "id-card",
    "close_account": "id-card",
    "update_details": "id-card",
    "check_balance": "id-card",
    "exchange_currency": "coins",
    "apply_loan": "house-chimney",
    "mortgage": "house-chimney",
    "invest": "piggy-bank",
    "business_banking": "briefcase",
    "make_complaint": "circle-question",
    "mobile_banking_help": "mobile-screen-button",
}
DEVICE_ICONS: Mapping[str, str] = {
    "atm": "money-bill-wave",
    "cash_recycler": "money-bill-transfer",
    "stm": "desktop",
    "vtm": "video",
}
SERVICE_DEFAULT = "building-columns"

# What the kiosk's own buttons and outcome panels show.
UI_ICONS: Mapping[str, str] = {
    "just_ask": "microphone",
    "book": "calendar-plus",
    "check_in": "qrcode",
    "staff": "person-circle-question",
    "start_again": "house",
    "language": "language",
    "elderly": "glasses",
    "contrast": "circle-half-stroke",
    "more": "circle-arrow-right",
    "ticket": "ticket",
    "route": "location-dot",
    "appointment": "calendar-check",
    "check_in_panel": "qrcode",
    "staff_panel": "person-walking",
    "touch": "hand-pointer",
    "waiting": "users",
}


def _font_dir() -> Path | None:
    spec = importlib.util.find_spec("qtawesome")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "fonts"


@cache
def charmap() -> Mapping[str, str]:
    """Icon name -> its character; empty (logged) when qtawesome is not installed."""
    folder = _font_dir()
    if folder is None:
        logger.warning("qtawesome is not installed: the kiosk shows no pictograms")
        return {}
    codes = json.loads((folder / CHARMAP_FILE).read_text(encoding="utf-8"))
    return {name: chr(int(str(code), 16)) for name, code in codes.items()}


@cache
def font_family() -> str:
    """Register the icon font with Qt (a QGuiApplication must exist); its family name."""
    folder = _font_dir()
    if folder is None:
        return FALLBACK_FAMILY
    font_id = QFontDatabase.addApplicationFont(str(folder / FONT_FILE))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        logger.warning("could not load the icon font %s", folder / FONT_FILE)
        return FALLBACK_FAMILY
    return str(families[0])


def glyph(name: str) -> str:
    """The character of icon `name` ("" when unknown: the label stays empty rather than showing tofu)."""
    found = charmap().get(name, "")
    if not found and charmap():
        logger.warning("no pictogram named %s", name)
    return found


def ui_glyph(role: str) -> str:
    return glyph(UI_ICONS[role])


def service_icon(service_id: str, intents: Sequence[str]) -> str:
    """The icon name of a service: by the first intent we have a pictogram for, else a bank building."""
    return next((INTENT_ICONS[intent] for intent in intents if intent in INTENT_ICONS), SERVICE_DEFAULT)


def device_icon(kind: str) -> str:
    return DEVICE_ICONS.get(kind, "location-dot")
