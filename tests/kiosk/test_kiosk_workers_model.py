# ruff: noqa: RUF001
"""TaskRunner threading and the plain view-model."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from hardware.ports import HardwareState, HardwareStatus
from kiosk.app import qt_binding_problem
from kiosk.i18n import ahead_text, catalog, eta_text
from kiosk.viewmodel import HubState, KioskModel, Role
from kiosk.workers import TaskRunner
from lobby_wire import Button


@pytest.fixture
def runner(qtbot: Any) -> Any:
    runner = TaskRunner()
    yield runner
    runner.shutdown(2000)


def test_result_computed_off_thread_delivered_on_gui_thread(qtbot: Any, runner: TaskRunner) -> None:
    gui = threading.get_ident()
    seen: dict[str, int] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    results: list[int] = []
    runner.submit("answer", work, lambda value: (results.append(value), seen.update(callback=threading.get_ident())))
    qtbot.waitUntil(lambda: results == [42], timeout=3000)
    assert seen["worker"] != gui
    assert seen["callback"] == gui
    assert runner.pending() == 0


def test_error_delivered_to_error_callback(qtbot: Any, runner: TaskRunner) -> None:
    errors: list[Exception] = []

    def boom() -> None:
        raise ValueError("nope")

    runner.submit("boom", boom, lambda _r: None, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=3000)
    assert isinstance(errors[0], ValueError)


def test_runner_ignores_work_after_shutdown(qtbot: Any) -> None:
    runner = TaskRunner()
    runner.shutdown(1000)
    assert runner.submit("late", lambda: 1) == 0


def test_model_reset_new_sender_and_empty(qtbot: Any) -> None:
    model = KioskModel("Test Branch")
    first = model.sender_id
    model.add_assistant("hello", (Button("Yes", "/affirm"),))
    assert not model.is_empty and model.lines[0].role is Role.ASSISTANT
    model.reset()
    assert model.is_empty
    assert model.sender_id != first and len(model.sender_id) == 32


def test_status_text_and_voice_reason(qtbot: Any) -> None:
    model = KioskModel("Test Branch")
    assert "Voice input off: checking the microphone" in model.status_text
    model.set_hub_state(HubState.TOUCH_ONLY)
    model.set_hardware(
        {
            "printer": HardwareStatus("printer", HardwareState.FAULT, "out of paper"),
            "speaker": HardwareStatus("speaker", HardwareState.READY),
            "microphone": HardwareStatus("microphone", HardwareState.READY),
            "recognizer": HardwareStatus("recognizer", HardwareState.MISSING, "no Vosk model configured"),
        }
    )
    text = model.status_text
    assert text.startswith("Hub: touch only")
    assert "Printer: fault (out of paper)" in text
    assert "Recognizer: missing (no Vosk model configured)" in text  # the adapter's words, for the operator
    assert "Voice input off: speech recognition is not installed" in text  # the customer's
    assert model.voice_off_reason == "speech recognition is not installed"
    assert not model.voice_ready
    model.set_language("zh")  # the same line on a Chinese screen
    text = model.status_text
    assert text.startswith("网点系统：仅限触屏 · 打印机：故障（out of paper）")
    assert text.endswith("语音识别：未配置（no Vosk model configured） · 语音输入已关闭：未安装语音识别")
    assert model.voice_off_reason == "未安装语音识别"


def test_ticket_texts() -> None:
    assert ahead_text(catalog("en"), 0) == "You are next"
    assert ahead_text(catalog("en"), 3) == "3 ahead of you"
    assert eta_text(catalog("en"), (4, 9)) == "about 4\u20139 min"
    assert eta_text(catalog("en"), None) == "We will call you when a counter opens"


def test_qt_binding_keeps_reference_counts(qtbot: Any) -> None:
    """Fails on PySide6 6.12.0 + Python 3.11, where a kiosk aborts after a few hundred signals."""
    assert qt_binding_problem() is None
