"""A Chinese conversation on the kiosk's screen: every bubble shows all its lines, however long the talk."""

# Chinese replies use full-width punctuation on purpose: RUF001 takes it for look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from assistant.protocol import Button
from hardware.fakes import FakeMicrophone, FakePrinter, FakeRecognizer, FakeSpeaker
from kiosk.app import build_window
from kiosk.viewmodel import Screen

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
