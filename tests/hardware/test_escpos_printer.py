"""Contract tests of the ESC/POS printer adapter against real targets (file, TCP)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hw_support import TRACK_URL, TcpSink, free_port

from hardware.ports import HardwareError, HardwareState, TicketPrint, TicketPrinter
from hardware.printer import EscposTicketPrinter, NullPrinter, UsbTransport, printer_from_uri
from hardware.ticket_layout import TicketLayout, find_cjk_font, render_ticket, text_image

ESC_INIT = b"\x1b@"
GS_QR = b"\x1d(k"
GS_CUT = b"\x1dV"
GS_RASTER = b"\x1dv0"


def raster_images(data: bytes) -> list[bytes]:
    """Payloads of every GS v 0 raster image in `data`."""
    return [payload for _, payload in raster_spans(data)]


def raster_spans(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, payload) of every GS v 0 raster image in `data`."""
    images = []
    start = data.find(GS_RASTER)
    while start >= 0:
        header = data[start + 4 : start + 8]
        width_bytes = header[0] + 256 * header[1]
        height = header[2] + 256 * header[3]
        payload = data[start + 8 : start + 8 + width_bytes * height]
        assert len(payload) == width_bytes * height, "truncated raster image"
        images.append((start, payload))
        start = data.find(GS_RASTER, start + 8 + len(payload))
    return images


def test_file_target_receives_a_whole_ticket(tmp_path: Path, job: Callable[..., TicketPrint]) -> None:
    target = tmp_path / "spool" / "deep" / "printer.bin"  # parent directories are created
    printer = printer_from_uri(f"file://{target}")

    printer.print_ticket(job())

    data = target.read_bytes()
    assert data.startswith(ESC_INIT)
    assert b"A023" in data
    assert b"Cash withdrawal" in data
    assert b"Position in queue: 4" in data
    assert b"5-10 min" in data
    assert b"2025-03-14 09:26" in data
    assert GS_QR in data and TRACK_URL.encode() in data
    assert data.rstrip(b"\x00").find(GS_CUT) > data.find(TRACK_URL.encode())  # cut after the QR code
    assert raster_images(data) == []  # Latin text prints as text
    assert printer.status().state is HardwareState.READY


def test_file_target_appends_each_ticket(tmp_path: Path, job: Callable[..., TicketPrint]) -> None:
    target = tmp_path / "printer.bin"
    printer = printer_from_uri(f"file://{target}")

    printer.print_ticket(job("A023"))
    first = target.read_bytes()
    printer.print_ticket(job("A024"))
    both = target.read_bytes()

    assert both.startswith(first)
    assert both[len(first) :].startswith(ESC_INIT)
    assert b"A024" in both[len(first) :]
    assert both.count(GS_CUT) == 2


def test_relative_file_uri_resolves_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: Callable[..., TicketPrint]
) -> None:
    monkeypatch.chdir(tmp_path)
    printer = printer_from_uri("file://var/printer.bin")
    monkeypatch.chdir("/")  # resolved when the URI was parsed, not when printing

    printer.print_ticket(job())

    assert (tmp_path / "var" / "printer.bin").read_bytes().startswith(ESC_INIT)


@pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font installed (fonts-noto-cjk)")
def test_cjk_service_name_prints_as_a_raster_image(tmp_path: Path, job: Callable[..., TicketPrint]) -> None:
    target = tmp_path / "printer.bin"
    printer_from_uri(f"file://{target}").print_ticket(job(service_name="现金取款", footer="감사합니다"))

    data = target.read_bytes()
    images = raster_images(data)
    assert len(images) == 2  # the service name and the Korean footer
    assert all(any(payload) for payload in images), "raster images are blank"
    text_only = data.replace(TRACK_URL.encode(), b"")
    for _, payload in raster_spans(data):
        text_only = text_only.replace(payload, b"")
    assert b"?" not in text_only
    assert "现金取款".encode("gb2312") not in data and "现金取款".encode() not in data
    assert b"A023" in data and GS_CUT in data


def test_tcp_target_sends_the_rendered_bytes(tcp_sink: TcpSink, job: Callable[..., TicketPrint]) -> None:
    printer = printer_from_uri(f"escpos+tcp://127.0.0.1:{tcp_sink.port}")

    printer.print_ticket(job())

    assert tcp_sink.done.wait(timeout=5), "the printer server received nothing"
    assert [payload for payload in tcp_sink.received if payload] == [render_ticket(job())]
    assert printer.status().state is HardwareState.READY


def test_tcp_target_offline_raises_and_reports_fault(job: Callable[..., TicketPrint]) -> None:
    port = free_port()  # nobody listens there any more
    printer = printer_from_uri(f"escpos+tcp://127.0.0.1:{port}")

    with pytest.raises(HardwareError) as caught:
        printer.print_ticket(job())

    assert caught.value.code == "printer_offline"
    status = printer.status()
    assert status.state is HardwareState.FAULT
    assert str(port) in status.detail


def test_tcp_status_probes_again_after_the_ttl(tcp_sink: TcpSink) -> None:
    printer = printer_from_uri(f"escpos+tcp://127.0.0.1:{tcp_sink.port}")
    assert isinstance(printer, EscposTicketPrinter)
    printer.status_ttl = 0.0
    assert printer.status().state is HardwareState.READY

    tcp_sink.stop()  # the printer goes away

    assert printer.status().state is HardwareState.FAULT


@pytest.mark.parametrize("uri", ["none:", "", "  none: "])
def test_no_printer_is_missing(uri: str, job: Callable[..., TicketPrint]) -> None:
    printer = printer_from_uri(uri)

    assert isinstance(printer, NullPrinter)
    assert printer.status().state is HardwareState.MISSING
    with pytest.raises(HardwareError) as caught:
        printer.print_ticket(job())
    assert caught.value.code == "printer_missing"


def test_usb_uri_parses_hex_ids_and_reports_the_absent_device(job: Callable[..., TicketPrint]) -> None:
    printer = printer_from_uri("escpos+usb://04b8:0e15")

    assert isinstance(printer, EscposTicketPrinter)
    assert isinstance(printer.transport, UsbTransport)
    assert (printer.transport.vendor_id, printer.transport.product_id) == (0x04B8, 0x0E15)
    assert printer.status().state is not HardwareState.READY  # no such device on a test machine
    with pytest.raises(HardwareError) as caught:
        printer.print_ticket(job())
    assert caught.value.code in {"printer_missing", "printer_offline"}


@pytest.mark.parametrize("uri", ["lpt://1", "escpos+usb://04b8", "escpos+usb://zz:0202", "escpos+tcp://", "file://"])
def test_malformed_uris_are_configuration_errors(uri: str) -> None:
    with pytest.raises(ValueError):
        printer_from_uri(uri)


def test_tcp_default_port_is_9100() -> None:
    printer = printer_from_uri("escpos+tcp://10.0.0.5")
    assert isinstance(printer, EscposTicketPrinter)
    assert printer.transport.describe() == "escpos+tcp://10.0.0.5:9100"
    assert isinstance(printer, TicketPrinter)


@pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font installed (fonts-noto-cjk)")
def test_a_chinese_ticket_prints_its_words_as_images_and_its_number_as_text(
    job: Callable[..., TicketPrint],
) -> None:
    from escpos.image import EscposImage

    from kiosk.i18n import catalog

    footer = catalog("zh").text("ticket.footer")  # what the kiosk prints under a Chinese ticket
    chinese = replace(job(number="C007", service_name="银行卡与密码", footer=footer), lang="zh")
    font = find_cjk_font()
    assert font is not None

    data = render_ticket(chinese)

    layout = TicketLayout()
    expected_lines = [
        "您的号码",
        "银行卡与密码",
        "您前面还有 3 人等候",  # position 4: three tickets are called first
        "预计等候 5-10 分钟",
        "取号时间：2025-03-14 09:26",  # noqa: RUF001 (Chinese punctuation)
        "扫码查看排队进度",
        footer,
    ]
    spans = raster_spans(data)
    assert len(spans) == len(expected_lines)
    for (_offset, payload), line in zip(spans, expected_lines, strict=True):
        drawn = EscposImage(text_image(line, font, layout.image_font_px, layout.paper_width_px))
        assert payload == drawn.to_raster_format(), f"the image is not {line!r}"
    # the number (and the branch's Latin name) stay text, the number between its label and its service
    number_at = data.find(b"C007")
    assert spans[0][0] < number_at < spans[1][0]
    assert b"Lobby Bank Main Street" in data
    # nothing of the Chinese went out as text: no '?' replacements, no encoded characters, no English labels
    text_only = data.replace(TRACK_URL.encode(), b"")
    for _, payload in spans:
        text_only = text_only.replace(payload, b"")
    assert b"?" not in text_only
    for line in expected_lines:
        for encoding in ("utf-8", "gb18030"):
            assert line.encode(encoding) not in data
    assert b"Your number" not in data and b"Position in queue" not in data


def test_an_english_ticket_keeps_its_english_words(job: Callable[..., TicketPrint]) -> None:
    data = render_ticket(replace(job(), lang="en"))

    assert b"Your number" in data and b"Position in queue: 4" in data and b"Estimated wait: 5-10 min" in data
    assert raster_images(data) == []
    assert render_ticket(replace(job(), lang="fr")) == data  # a language without its own words: English
