"""The paper ticket layout, rendered once to ESC/POS bytes for every target.

`render_ticket` draws on python-escpos's `Dummy` printer and returns its
buffer, so the network, USB and file targets all send the same bytes.
python-escpos prints characters outside its code pages as '?', and picks
exotic code pages for others, so any line that is not Latin-1 (Chinese or
Korean service names, ...) is drawn with PIL in a CJK font and sent as a
raster image (GS v 0). Vendor libraries are imported inside the functions:
importing this module stays cheap.

The ticket's fixed words are printed in the language of the job
(`TicketPrint.lang`): `TICKET_LABELS` holds them per language, as data.
"""

# Chinese labels use full-width punctuation (U+FF1A) on purpose: RUF001 takes it for a look-alike.
# ruff: noqa: RUF001

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from hardware.ports import TicketPrint

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)

_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
_RASTER_BAND_PX = 960
_FONT_GLOBS = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJK*.ttc",
    "NotoSans*CJK*.otf",
    "*CJK*.tt[cf]",
    "wqy-*.ttc",
)


@dataclass(frozen=True, slots=True)
class TicketLabels:
    """Fixed words on the ticket in one language; str.format templates where a value goes in.

    `position` gets {position} (1 = next) and {ahead} (tickets called first), `wait` gets {span}
    ("5-10"), `wait_under` {high} and `wait_over` {low} (the wait as the hub words it, `wait_line`),
    `issued` gets {time}.
    """

    number: str = "Your number"
    position: str = "Position in queue: {position}"
    wait: str = "Estimated wait: {span} min"
    wait_under: str = "Estimated wait: less than {high} min"
    wait_over: str = "Estimated wait: more than {low} min"
    issued: str = "Issued: {time}"
    scan: str = "Scan to follow your ticket"


TICKET_LABELS: Mapping[str, TicketLabels] = MappingProxyType(
    {
        "en": TicketLabels(),
        "zh": TicketLabels(
            number="您的号码",
            position="您前面还有 {ahead} 人等候",
            wait="预计等候 {span} 分钟",
            wait_under="预计等候不到 {high} 分钟",
            wait_over="预计等候 {low} 分钟以上",
            issued="取号时间：{time}",
            scan="扫码查看排队进度",
        ),
    }
)


def labels_for(lang: str) -> TicketLabels:
    """The ticket's words in `lang` ("zh-CN" -> "zh"); English for a language without its own."""
    return TICKET_LABELS.get(lang.strip().lower().replace("_", "-").split("-")[0], TICKET_LABELS["en"])


@dataclass(frozen=True, slots=True)
class TicketLayout:
    """Paper geometry and typography (80 mm paper, 203 dpi by default)."""

    paper_width_px: int = 512
    image_font_px: int = 28
    qr_module_size: int = 6
    font_path: Path | None = None  # None: look for a CJK font on this machine
    profile: str | None = None  # a python-escpos printer profile, e.g. "TM-T88V"
    labels: TicketLabels | None = None  # None: the job's language (`TICKET_LABELS`)


def wait_line(labels: TicketLabels, eta: tuple[int, int], wording: str | None) -> str:
    """The wait as the hub words it (`TicketView.eta_wording`), never re-decided on paper: "under" says
    less than the high end, "over" more than the low end, anything else (an older hub: none) the range."""
    low, high = eta
    if wording == "under":
        return labels.wait_under.format(low=low, high=high)
    if wording == "over":
        return labels.wait_over.format(low=low, high=high)
    return labels.wait.format(span=f"{low}" if low == high else f"{low}-{high}")


def is_latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def find_cjk_font() -> Path | None:
    """A font file with CJK glyphs (Noto Sans CJK preferred), or None."""
    for directory in _FONT_DIRS:
        if not directory.is_dir():
            continue
        for pattern in _FONT_GLOBS:
            found = sorted(directory.rglob(pattern))
            if found:
                return found[0]
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            result = subprocess.run(
                [fc_match, "-f", "%{file}", ":lang=zh"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.debug("fc-match failed: %s", exc)
        else:
            candidate = Path(result.stdout.strip())
            if result.returncode == 0 and candidate.is_file():
                return candidate
    logger.warning("no CJK font found; non-Latin text will print as plain text")
    return None


def text_image(text: str, font_path: Path, font_px: int, width_px: int) -> Image.Image:
    """`text` drawn black on white, centred, wrapped to `width_px`."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path), font_px)
    lines = _wrap(text, lambda part: font.getlength(part), width_px)
    ascent, descent = font.getmetrics()
    line_height = ascent + descent
    image = Image.new("1", (width_px, line_height * len(lines) + 4), 1)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        left = max(0, int((width_px - font.getlength(line)) / 2))
        draw.text((left, 2 + index * line_height), line, font=font, fill=0)
    return image


def _wrap(text: str, measure: Any, width_px: int) -> list[str]:
    """Greedy wrap: at the last space if there is one, else between characters (CJK)."""
    lines: list[str] = []
    current = ""
    for char in text:
        if current and measure(current + char) > width_px:
            cut = current.rfind(" ")
            if cut > 0 and not char.isspace():
                lines.append(current[:cut].rstrip())
                current = current[cut + 1 :] + char
            else:
                lines.append(current.rstrip())
                current = char.lstrip()
        else:
            current += char
    if current or not lines:
        lines.append(current)
    return lines


def _format_issued(issued_at: str) -> str:
    try:
        return datetime.fromisoformat(issued_at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return issued_at


class _Writer:
    """Writes lines on a Dummy printer, switching to images for non-Latin-1 text."""

    def __init__(self, printer: Any, layout: TicketLayout) -> None:
        self.printer = printer
        self.layout = layout
        self.font_path = layout.font_path or find_cjk_font()

    def line(self, text: str, *, bold: bool = False, big: bool = False) -> None:
        if is_latin1(text) or self.font_path is None:
            self.printer.set(align="center", bold=bold, double_width=big, double_height=big)
            self.printer.textln(text)
            self.printer.set(normal_textsize=True, bold=False)
            return
        font_px = self.layout.image_font_px * (2 if big else 1)
        self.raster(text_image(text, self.font_path, font_px, self.layout.paper_width_px))

    def raster(self, image: Image.Image) -> None:
        """GS v 0 raster image, in bands a printer buffer can hold.

        Not `Escpos.image()`: it prints a warning to stdout whenever the
        printer profile lacks a paper width, which the default profile does.
        """
        from escpos.image import EscposImage

        for top in range(0, image.height, _RASTER_BAND_PX):
            band = EscposImage(image.crop((0, top, image.width, min(image.height, top + _RASTER_BAND_PX))))
            size = bytes((band.width_bytes % 256, band.width_bytes // 256, band.height % 256, band.height // 256))
            self.printer._raw(b"\x1dv0\x00" + size + band.to_raster_format())


def render_ticket(job: TicketPrint, layout: TicketLayout | None = None) -> bytes:
    """ESC/POS bytes for one ticket: init, header, number, details, QR code, footer, cut."""
    from escpos.printer import Dummy

    layout = layout or TicketLayout()
    labels = layout.labels or labels_for(job.lang)
    ticket = job.ticket
    printer = Dummy(profile=layout.profile) if layout.profile else Dummy()
    writer = _Writer(printer, layout)

    printer.hw("INIT")
    writer.line(job.branch_name, bold=True)
    printer.ln()
    writer.line(labels.number)
    writer.line(ticket.number, bold=True, big=True)
    writer.line(ticket.service_name or ticket.service, bold=True)
    printer.ln()
    writer.line(labels.position.format(position=ticket.position, ahead=ticket.ahead))
    if ticket.eta_minutes is not None:
        writer.line(wait_line(labels, ticket.eta_minutes, ticket.eta_wording))
    writer.line(labels.issued.format(time=_format_issued(ticket.issued_at)))
    if job.track_url:
        printer.ln()
        printer.set(align="center")
        printer.qr(job.track_url, native=True, size=layout.qr_module_size)
        writer.line(labels.scan)
    if job.footer:
        printer.ln()
        writer.line(job.footer)
    printer.cut()
    data: bytes = printer.output
    return data
