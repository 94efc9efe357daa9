"""The printed ticket says the wait as the hub words it (`TicketView.eta_wording`), in English and Chinese.

The hub's wait model decides: "under" (less than the high end: the range starts at 0), "over" (more
than the low end: too wide to mean more, or open-ended), else the range. The paper only says it: an
open-ended [12, 30] prints "more than 12", an older hub's [0, 3] without a wording stays a range. The
English lines are checked in the real ESC/POS bytes; Chinese lines are raster images (GS v 0), checked
against the image of the expected line drawn in the same font (scripts/setup.sh installs fonts-noto-cjk).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from hardware.ports import TicketPrint
from hardware.ticket_layout import TicketLayout, find_cjk_font, labels_for, render_ticket, text_image, wait_line

ESC_CENTER = b"\x1ba\x01"  # ESC a 1: every ticket line is centred
GS_RASTER = b"\x1dv0\x00"


def worded(job: TicketPrint, eta: tuple[int, int], wording: str | None, lang: str) -> TicketPrint:
    return replace(job, ticket=replace(job.ticket, eta_minutes=eta, eta_wording=wording), lang=lang)


def test_an_english_less_than_line_in_the_real_escpos_bytes(job: Callable[..., TicketPrint]) -> None:
    data = render_ticket(worded(job(), (0, 5), "under", "en"))

    line = ESC_CENTER + b"Estimated wait: less than 5 min\n"
    assert data.count(line) == 1
    # printed as text, in its place: after the queue position, before the time of issue
    assert data.find(b"Position in queue: 4\n") < data.find(line) < data.find(b"Issued: 2025-03-14 09:26\n")
    assert b"0-5 min" not in data and b"about" not in data
    assert GS_RASTER not in data  # nothing of an English ticket is an image


@pytest.mark.parametrize(
    ("eta", "wording", "expected"),
    [
        ((0, 5), "under", "Estimated wait: less than 5 min"),
        ((25, 70), "over", "Estimated wait: more than 25 min"),
        ((12, 30), "over", "Estimated wait: more than 12 min"),  # open-ended: the numbers alone say a range
        ((5, 10), "range", "Estimated wait: 5-10 min"),
        ((5, 10), None, "Estimated wait: 5-10 min"),  # an older hub: no wording
        ((0, 3), None, "Estimated wait: 0-3 min"),  # ...and the printer does not decide one
    ],
)
def test_each_english_wording_on_paper(
    job: Callable[..., TicketPrint], eta: tuple[int, int], wording: str | None, expected: str
) -> None:
    data = render_ticket(worded(job(), eta, wording, "en"))

    assert ESC_CENTER + expected.encode("ascii") + b"\n" in data
    assert data.count(b"Estimated wait") == 1  # one wait line, no other wording beside it


@pytest.mark.parametrize(
    ("eta", "wording", "expected", "not_expected"),
    [
        ((0, 5), "under", "预计等候不到 5 分钟", "预计等候 0-5 分钟"),
        ((25, 70), "over", "预计等候 25 分钟以上", "预计等候 25-70 分钟"),
        ((12, 30), "over", "预计等候 12 分钟以上", "预计等候 12-30 分钟"),
        ((5, 10), "range", "预计等候 5-10 分钟", "预计等候不到 10 分钟"),
        ((0, 3), None, "预计等候 0-3 分钟", "预计等候不到 3 分钟"),
    ],
)
def test_each_chinese_wording_is_printed_as_the_image_of_its_line(
    job: Callable[..., TicketPrint], eta: tuple[int, int], wording: str | None, expected: str, not_expected: str
) -> None:
    font = find_cjk_font()
    assert font is not None, "no CJK font: scripts/setup.sh installs fonts-noto-cjk"
    layout = TicketLayout()

    data = render_ticket(worded(job(), eta, wording, "zh"))

    def image(line: str) -> bytes:
        from escpos.image import EscposImage

        drawn = EscposImage(text_image(line, font, layout.image_font_px, layout.paper_width_px))
        return drawn.to_raster_format()

    assert wait_line(labels_for("zh"), eta, wording) == expected
    assert data.count(image(expected)) == 1
    assert image(not_expected) not in data
    assert expected.encode("utf-8") not in data and expected.encode("gb18030") not in data  # an image, not text
