"""A Chinese kiosk screen: every bubble shows all its lines, however long the talk; no English left on it."""

# Chinese replies use full-width punctuation on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from hardware.fakes import FakeMicrophone, FakePrinter, FakeRecognizer, FakeSpeaker
from hardware.ports import HardwareState, HardwareStatus
from kiosk.app import build_window
from kiosk.viewmodel import HubState, Screen
from lobby_wire import Button, TicketStatus, TicketView

LONG_REPLY = "别着急，卡片挂失需要到柜台办理。银行卡与密码业务前面有 2 位在等，大约 5 到 10 分钟。要为您取号吗？"


def test_long_chinese_bubbles_scroll_instead_of_being_clipped(qtbot: Any, tmp_path: Path) -> None:
    window, controller = build_window(
        "http://127.0.0.1:9",
        "Test Branch",
        FakePrinter(),
        FakeSpeaker(tmp_path),
        FakeMicrophone(),
        FakeRecognizer(""),
        start=False,
    )
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    try:
        model = window.model
        model.set_language("zh")
        model.reset(Screen.HOME)
        for _ in range(3):  # taller than the conversation view: it must scroll
            model.add_customer("我的卡丢了")
            model.add_assistant(LONG_REPLY, (Button("好的，取号", "/affirm"), Button("不用了", "/deny")))
        labels = window.findChildren(QLabel, "bubbleText")
        qtbot.waitUntil(lambda: all(label.isVisible() for label in labels), timeout=5000)
        qtbot.wait(200)  # let the layouts settle

        assert all(label.height() >= label.heightForWidth(label.width()) for label in labels)
        replies = [label for label in labels if label.text() == LONG_REPLY]
        assert len(replies) == 3
        assert all(label.heightForWidth(label.width()) > 2 * label.fontMetrics().height() for label in replies)
        conversation = window.findChild(QWidget, "conversation")
        assert conversation is not None and conversation.verticalScrollBar().maximum() > 0  # type: ignore[attr-defined]
    finally:
        controller.shutdown()


# -- the branch's name, the booking's date and the status line on a Chinese screen -------------------------

NAMES = {"en": "Test Branch", "zh": "测试支行"}
APPOINTMENT = {
    "code": "M4T8RW",
    "service": "loans",
    "service_name": "贷款与房贷",
    "starts_at": "2026-12-01T10:00:00+00:00",  # a Tuesday
    "status": "booked",
    "check_in_from": "2026-12-01T09:45:00+00:00",
}
READY = {name: HardwareStatus(name, HardwareState.READY) for name in ("printer", "speaker", "microphone", "recognizer")}


def text_of(window: QWidget, name: str) -> str:
    label = window.findChild(QLabel, name)
    assert label is not None, f"no label {name}"
    return label.text()


def test_a_chinese_screen_shows_no_english(qtbot: Any, tmp_path: Path) -> None:
    """Branch name (greeting, attract screen, window title), the booking's date and the status line follow the
    language shown."""
    window, controller = build_window(
        "http://127.0.0.1:9", NAMES, FakePrinter(), FakeSpeaker(tmp_path), FakeMicrophone(), FakeRecognizer(""),
        start=False,
    )  # fmt: skip
    qtbot.addWidget(window)
    try:
        model = window.model
        model.set_hub_state(HubState.ONLINE)
        model.set_hardware(READY)
        model.set_appointment(dict(APPOINTMENT))
        assert text_of(window, "greeting") == "Test Branch"
        assert text_of(window, "attractWelcome") == "Welcome to Test Branch"
        assert window.windowTitle() == "Lobby \u2014 Test Branch"
        assert text_of(window, "appointmentWhen") == "Tue 01 Dec, 10:00"
        assert text_of(window, "statusLine").startswith("Hub: online \u00b7 Printer: ready")

        model.set_language("zh")

        assert text_of(window, "greeting") == "测试支行"
        assert text_of(window, "attractWelcome") == "欢迎光临测试支行"
        assert window.windowTitle() == "大堂助手 \u2014 测试支行"
        assert model.greeting == "欢迎光临测试支行。请问今天有什么可以帮您？"
        assert text_of(window, "appointmentWhen") == "12月1日（周二）10:00"
        status = "网点系统：在线 · 打印机：就绪 · 扬声器：就绪 · 麦克风：就绪 · 语音识别：就绪"
        assert text_of(window, "statusLine") == status
        model.set_hub_state(HubState.TOUCH_ONLY)  # redrawn in the language shown
        assert text_of(window, "statusLine").startswith("网点系统：仅限触屏 · ")
        model.set_appointment(dict(APPOINTMENT, starts_at="2026-12-06T15:30:00+00:00"))
        assert text_of(window, "appointmentWhen") == "12月6日（周日）15:30"
    finally:
        controller.shutdown()


def test_one_branch_name_serves_every_language(qtbot: Any, tmp_path: Path) -> None:
    window, controller = build_window(
        "http://127.0.0.1:9", "Test Branch", FakePrinter(), FakeSpeaker(tmp_path), FakeMicrophone(),
        FakeRecognizer(""), lang="zh", start=False,
    )  # fmt: skip
    qtbot.addWidget(window)
    try:
        assert text_of(window, "attractWelcome") == "欢迎光临Test Branch"
        assert window.model.branch_name_in("en") == "Test Branch"
    finally:
        controller.shutdown()


def test_a_ticket_printed_in_chinese_names_the_branch_in_chinese(qtbot: Any, tmp_path: Path) -> None:
    printer = FakePrinter()
    window, controller = build_window(
        "http://127.0.0.1:9", NAMES, printer, FakeSpeaker(tmp_path), FakeMicrophone(), FakeRecognizer(""),
        lang="zh", start=False,
    )  # fmt: skip
    qtbot.addWidget(window)
    ticket = TicketView(
        id="t-1", number="C008", service="cards", service_name="银行卡与密码", status=TicketStatus.WAITING,
        position=1, eta_minutes=(1, 4), issued_at="2026-11-30T10:20:00+00:00", track_url="http://127.0.0.1/t/t-1",
    )  # fmt: skip
    try:
        controller.devices.print_ticket(ticket)
        qtbot.waitUntil(lambda: bool(printer.jobs), timeout=5000)
        assert (printer.jobs[0].branch_name, printer.jobs[0].lang) == ("测试支行", "zh")
    finally:
        controller.shutdown()
